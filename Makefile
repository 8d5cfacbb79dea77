# The user's verbs. `make run` starts Kadam with demo data; `make test` runs every test.
BUILD      ?= build
ASAN_BUILD ?= build-asan
DB         ?= sqlite:var/kadam.db
LISTEN     ?= 127.0.0.1:8080
EM_GT06    ?= 127.0.0.1:5023
EM_TELTONIKA ?= 127.0.0.1:5027
UI_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.mjs package-lock.json

.PHONY: all build ui run test bench bench-large fuzz deps clean

all: build ui

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	@scripts/install-deps
	meson setup $(BUILD) --werror

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

web/dist/index.html: $(UI_SOURCES)
	@scripts/install-deps
	npm run --silent build

ui: web/dist/index.html

run: build ui
	@mkdir -p var
	@[ -f var/audit.key ] || ./$(BUILD)/kadam audit keygen --out var/audit.key >/dev/null
	./$(BUILD)/kadam demo --db $(DB)
	@echo "Open http://$(LISTEN)/ and log in with an account above (demo data only)."
	@echo "Devices: OsmAnd at http://$(LISTEN)/em/osmand, GT06 on $(EM_GT06), Teltonika on $(EM_TELTONIKA)."
	KADAM_AUDIT_KEY_FILE=var/audit.key KADAM_EM_GT06_LISTEN=$(EM_GT06) KADAM_EM_TELTONIKA_LISTEN=$(EM_TELTONIKA) \
		./$(BUILD)/kadam serve --db $(DB) --listen $(LISTEN) --ui-dir web/dist

test: build ui
	scripts/run-tests

bench: build
	@scripts/install-deps --bench
	bench/run

# The EM suite alone with a day's trail read among 100 million stored fixes (generated once into var/bench/: about
# 10-15 minutes and 2.8 GB on 2 cores, estimated from the 10 million of `make bench`, which take about a minute).
bench-large: build
	@scripts/install-deps --bench
	BENCH_SUITES=em BENCH_EM_LARGE=1 bench/run

fuzz:
	@scripts/install-deps --fuzz
	scripts/fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz web/dist
