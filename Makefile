# The user's verbs. `make run` starts Kadam with demo data; `make test` runs every test.
BUILD      ?= build
ASAN_BUILD ?= build-asan
DB         ?= sqlite:var/kadam.db
LISTEN     ?= 127.0.0.1:8080
UI_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.mjs package-lock.json

.PHONY: all build ui run test bench fuzz deps clean

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
	KADAM_AUDIT_KEY_FILE=var/audit.key ./$(BUILD)/kadam serve --db $(DB) --listen $(LISTEN) --ui-dir web/dist

test: build ui
	scripts/run-tests

bench: build
	@scripts/install-deps --bench
	bench/run

fuzz:
	@scripts/install-deps --fuzz
	scripts/fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz web/dist
