#!/usr/bin/env bash
# bench/em.sh — the electronic-monitoring suite of `make bench` (bench/run runs
# it as BENCH_SUITES=em; `make bench-large` runs it with BENCH_EM_LARGE=1).
# Every figure is printed beside a baseline measured in the same run:
#
#   zones   the same polygons and points through src/em/geofence.h and through
#           the best raw method (box test on the raw coordinates, then a GEOS
#           point and GEOSPreparedContains_r): ratio, target >= 0.80.
#   ingest  a raw append of the same fix rows into an unindexed SQLite table
#           (1,000 rows a transaction, WAL, synchronous=FULL as Kadam sets it;
#           the median of three runs)
#           is the baseline; then, end to end on a running `kadam serve`
#           (every fix durably stored before it is answered, then evaluated
#           against its order's zone): the batch API (batches of 1,000 from
#           BENCH_EM_HTTP_CLIENTS=16 gateways, each with one request in flight,
#           BENCH_EM_DEVICES devices interleaved; the load client is C,
#           kadam-bench-em http, so that it takes little of the 2 cores it
#           shares with the server) and GT06 over TCP
#           with BENCH_EM_DEVICES connections (each logged in, then sending its
#           locations as a device does with positions stored during a gap: up
#           to BENCH_EM_GT06_WINDOW=8 unacknowledged, written back to back; 1 is
#           a device waiting for each acknowledgement); ratio to the raw
#           rate, target >= 0.30 on SQLite. The batch API on PostgreSQL (a
#           throwaway cluster of scripts/pg-test-cluster, which runs with fsync
#           off) is printed beside it.
#   memory  RSS of `kadam serve` before and after BENCH_EM_DEVICES idle GT06
#           connections have logged in, divided by their number.
#   latency fix to alert: a violating fix through the batch API until its
#           alert is in GET /api/v1/em/queue (polled): p50, p99, max; target
#           p99 < 2 s.
#   trail   a day's trail (GET /api/v1/em/orders/{id}/trail) with
#           BENCH_EM_TRAIL_DEVICES x BENCH_EM_TRAIL_DAYS x BENCH_EM_TRAIL_PER_DAY
#           fixes stored (default 2,000 x 30 x 170 = 10.2 million; with
#           BENCH_EM_LARGE=1 20,000 devices = 102 million), written through
#           fixstore_append and fixstore_compact (kadam-bench-em gen); p50 and
#           p95, target p95 < 50 ms, and p95 as a ratio to /healthz's. The
#           database is kept under var/bench/ per schema version and size
#           (delete the file to generate afresh). Generating 10.2 million fixes
#           took 62 s on 2 cores (~6 us a fix: append, then one compaction pass
#           a day; 284 MB); 102 million (`make bench-large`) is estimated from
#           that at 10-15 minutes and ~2.8 GB, once.
#
# A step that fails prints "em: FAILED <step>: <why>"; the others still run, and
# the suite exits 1. BENCH_EM_STRICT=1 also exits 1 when a target is missed.
#
#   BENCH_EM_DEVICES=10000 BENCH_EM_HTTP_FIXES=400000 BENCH_EM_HTTP_CLIENTS=16 BENCH_EM_GT06_FIXES=20 BENCH_EM_GT06_WINDOW=8 BENCH_EM_RAW_ROWS=500000
#   BENCH_EM_ZONES=1000 BENCH_EM_POINTS=1000000 BENCH_EM_LATENCY_SAMPLES=50 BENCH_EM_TRAIL_REQUESTS=200
#   BENCH_EM_TRAIL_DEVICES=2000 BENCH_EM_TRAIL_DAYS=30 BENCH_EM_TRAIL_PER_DAY=170 BENCH_EM_PG=1 bench/em.sh
set -uo pipefail
cd "$(dirname "$0")/.."

bin=${KADAM_BIN:-build/kadam}
export KADAM_BIN=$bin  # tests/lib/auth.mjs runs `kadam admin create` with it
helper=${KADAM_BENCH_EM:-$(dirname "$bin")/kadam-bench-em}
large=${BENCH_EM_LARGE:-0}
devices=${BENCH_EM_DEVICES:-10000}
http_fixes=${BENCH_EM_HTTP_FIXES:-400000}
http_clients=${BENCH_EM_HTTP_CLIENTS:-16}
gt06_per=${BENCH_EM_GT06_FIXES:-20}
gt06_window=${BENCH_EM_GT06_WINDOW:-8}
raw_rows=${BENCH_EM_RAW_ROWS:-500000}
zones=${BENCH_EM_ZONES:-1000}
points=${BENCH_EM_POINTS:-1000000}
latency_n=${BENCH_EM_LATENCY_SAMPLES:-50}
trail_requests=${BENCH_EM_TRAIL_REQUESTS:-200}
if [ "$large" = 1 ]; then
  trail_devices=${BENCH_EM_TRAIL_DEVICES:-20000}
else
  trail_devices=${BENCH_EM_TRAIL_DEVICES:-2000}
fi
trail_days=${BENCH_EM_TRAIL_DAYS:-30}
trail_per_day=${BENCH_EM_TRAIL_PER_DAY:-170}
with_pg=${BENCH_EM_PG:-1}
strict=${BENCH_EM_STRICT:-0}

for v in devices http_fixes http_clients gt06_per gt06_window raw_rows zones points latency_n trail_requests trail_devices trail_days trail_per_day; do
  case "${!v}" in '' | *[!0-9]*) echo "bench/em.sh: $v must be a whole number" >&2; exit 2 ;; esac
done
[ -x "$bin" ] || { echo "bench/em.sh: no $bin (build first)" >&2; exit 2; }
[ -x "$helper" ] || { echo "bench/em.sh: no $helper (ninja builds it beside kadam)" >&2; exit 2; }

# 10,000 device connections need as many descriptors in the server and in the client.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" -lt $((devices + 200)) ]; then
  echo "bench/em.sh: ulimit -n is $(ulimit -n): $devices connections need more (BENCH_EM_DEVICES=N for fewer)" >&2
  exit 2
fi

work=$(mktemp -d)
server=
pg_dir=
failed=()
missed=()
declare -A fig

cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  [ -n "$pg_dir" ] && scripts/pg-test-cluster stop "$pg_dir" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

fail_step() {
  echo "em: FAILED $1: $2" >&2
  failed+=("$1")
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Starts `kadam serve` on database $1 (and a GT06 port when $2 is given); returns 1 when it does not start.
port=
gt06_port=
start_server() {
  stop_server
  port=$(free_port)
  gt06_port=${2:-}
  local gt06_env=()
  [ -n "$gt06_port" ] && gt06_env=(KADAM_EM_GT06_LISTEN="127.0.0.1:$gt06_port")
  # The scheduler stays off (KADAM_SCHEDULER_TICK_S=0): no job competes with the measured requests.
  env KADAM_LOG_LEVEL=warn KADAM_MAX_CONNECTIONS_PER_IP=1000 KADAM_LOGIN_ATTEMPTS_PER_MINUTE=1000 \
    KADAM_SCHEDULER_TICK_S=0 "${gt06_env[@]}" \
    "$bin" serve --db "$1" --listen "127.0.0.1:$port" --ui-dir web/dist >>"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.05
  done
  echo "em: kadam serve did not start:" >&2
  tail -20 "$work/server.log" >&2
  server=
  return 1
}

stop_server() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    server=
  fi
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$server/status"; }

# Runs "$@" for step $1's figure: its stdout's last line into fig[$1]; stderr shown. Returns its status.
measure() {
  local name=$1 out
  shift
  if ! out=$("$@" 2>"$work/step.err"); then
    fail_step "$name" "$(tail -3 "$work/step.err" | tr '\n' ' ')"
    return 1
  fi
  cat "$work/step.err" >&2
  fig[$name]=$(tail -1 <<<"$out")
}

now_ms() { echo $(( $(date +%s) * 1000 )); }

echo "kadam bench: electronic monitoring, $(nproc) cores$([ "$large" = 1 ] && echo ', large')"

# ---- zone evaluation ---------------------------------------------------------------------------------------------
echo "em: zone evaluation: $zones polygons, $points points..." >&2
measure zones "$helper" zones "$zones" "$points"

# ---- ingest baseline ---------------------------------------------------------------------------------------------
# Three runs each, the median kept: one run's rate moved by a quarter with the host's disk (a FULL run once beat
# the NORMAL one after it).
echo "em: raw append baseline: 3 x $raw_rows rows..." >&2
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
for mode in FULL NORMAL; do
  rates=()
  for _ in 1 2 3; do
    measure raw_one "$helper" raw "$work/raw.db" "$raw_rows" "$devices" "$mode" || break
    rates+=("$(awk '{print $2}' <<<"${fig[raw_one]}")")
    rm -f "$work"/raw.db*
  done
  if [ ${#rates[@]} = 3 ]; then
    key=$([ "$mode" = FULL ] && echo raw || echo raw_normal)
    fig[$key]="raw $(median3 "${rates[@]}")"
    fig[${key}_runs]="${rates[*]}"
  fi
done
rm -f "$work"/raw.db*

# ---- ingest, memory, latency on a running server -----------------------------------------------------------------
# $1 backend label, $2 database URL; sets fig[http_$1] (and on sqlite gt06, memory, latency).
ingest_suite() {
  local label=$1 db=$2 token
  echo "em: $label: demo data, $((devices + latency_n)) fitted devices..." >&2
  if ! "$bin" demo --db "$db" >/dev/null 2>"$work/step.err"; then
    fail_step "ingest-$label" "kadam demo: $(tail -3 "$work/step.err")"; return
  fi
  if ! "$helper" setup "$db" $((devices + latency_n)) >"$work/orders-$label.txt" 2>"$work/step.err"; then
    fail_step "ingest-$label" "setup: $(tail -3 "$work/step.err")"; return
  fi
  if [ "$label" = sqlite ]; then start_server "$db" "$(free_port)" || { fail_step "ingest-$label" "server"; return; }
  else start_server "$db" || { fail_step "ingest-$label" "server"; return; }
  fi
  if ! token=$(node bench/em-setup.mjs "http://127.0.0.1:$port" "$db" 2>"$work/step.err"); then
    fail_step "ingest-$label" "token: $(tail -3 "$work/step.err")"; return
  fi
  local url="http://127.0.0.1:$port" now
  now=$(now_ms)
  if [ "$label" = sqlite ]; then
    echo "em: memory: $devices idle GT06 connections..." >&2
    local before after fifo=$work/idle.fifo
    mkfifo "$fifo"
    before=$(rss_kb)
    "$helper" gt06 "127.0.0.1:$gt06_port" "$devices" 0 "$now" --idle <"$fifo" >"$work/idle.out" 2>"$work/idle.err" &
    local idle=$!
    exec 7>"$fifo"
    for _ in $(seq 1 1200); do
      grep -q '^ready' "$work/idle.out" 2>/dev/null && break
      kill -0 "$idle" 2>/dev/null || break
      sleep 0.1
    done
    if grep -q '^ready' "$work/idle.out"; then
      sleep 1
      after=$(rss_kb)
      fig[memory]="$before $after"
    else
      fail_step memory "$(tail -3 "$work/idle.err" | tr '\n' ' ')"
    fi
    exec 7>&-
    wait "$idle" 2>/dev/null
    rm -f "$fifo"
  fi
  echo "em: $label: batch API, $http_fixes fixes..." >&2
  measure "http_$label" "$helper" http "127.0.0.1:$port" "$token" "$devices" "$http_fixes" $((now - 3 * 3600 * 1000)) \
    "$http_clients"
  if [ "$label" = sqlite ]; then
    echo "em: GT06 over TCP: $devices connections x $gt06_per fixes, up to $gt06_window unacknowledged..." >&2
    measure gt06 "$helper" gt06 "127.0.0.1:$gt06_port" "$devices" "$gt06_per" $((now - 3600 * 1000)) --window "$gt06_window"
    echo "em: GT06 over TCP: the same, each location after the previous one's acknowledgement..." >&2
    measure gt06_1 "$helper" gt06 "127.0.0.1:$gt06_port" "$devices" "$gt06_per" $((now - 1800 * 1000)) --window 1
    echo "em: fix-to-alert latency: $latency_n violations..." >&2
    measure latency node bench/em-latency.mjs "$url" "$token" $((devices + 1)) "$latency_n" "$db"
    # The ingest writer's own figures, where /metrics shows them.
    curl -fs -H "Authorization: Bearer $token" "$url/metrics" 2>/dev/null | grep -E '^kadam_em_|^kadam_ingest' >&2 || true
  fi
  stop_server
}

ingest_suite sqlite "sqlite:$work/em.db"
rm -f "$work"/em.db*
if [ "$with_pg" = 1 ]; then
  pg_dir=$(mktemp -d -u /tmp/kadam-bench-em-pg-XXXXXX)
  if pg_url=$(scripts/pg-test-cluster start "$pg_dir" 2>"$work/step.err"); then
    ingest_suite postgresql "$pg_url"
    scripts/pg-test-cluster stop "$pg_dir" >/dev/null 2>&1
  else
    fail_step ingest-postgresql "cluster: $(tail -3 "$work/step.err")"
  fi
  pg_dir=
fi

# ---- a day's trail -----------------------------------------------------------------------------------------------
trail_suite() {
  local schema cache total=$((trail_devices * trail_days * trail_per_day)) token
  schema=$("$bin" migrate --db "sqlite:$work/probe.db" 2>/dev/null | awk '/schema version/ {print $NF}')
  mkdir -p var/bench
  cache="var/bench/kadam-schema$schema-em-$trail_devices-$trail_days-$trail_per_day.db"
  if [ ! -f "$cache" ] || [ ! -f "$cache.orders" ]; then
    echo "em: generating $total fixes into $cache (once for this schema version and size)..." >&2
    rm -f "$cache".partial*
    local started=$SECONDS
    if ! "$bin" demo --db "sqlite:$cache.partial" >/dev/null 2>"$work/step.err" ||
       ! "$helper" setup "sqlite:$cache.partial" "$trail_devices" 50 >"$cache.orders.partial" 2>"$work/step.err" ||
       ! "$helper" gen "sqlite:$cache.partial" "$trail_devices" "$trail_days" "$trail_per_day" >/dev/null; then
      fail_step trail "generating: $(tail -3 "$work/step.err" | tr '\n' ' ')"
      rm -f "$cache".partial*
      return
    fi
    mv "$cache.partial" "$cache"
    mv "$cache.orders.partial" "$cache.orders"
    echo "em: generated in $((SECONDS - started)) s" >&2
  fi
  # The cached database's days end the day before it was made: read the days it holds.
  local made_day days_ago
  made_day=$(( $(stat -c %Y "$cache.orders") / 86400 ))
  days_ago=$(( $(date +%s) / 86400 - made_day ))
  start_server "sqlite:$cache" || { fail_step trail server; return; }
  if ! token=$(node bench/em-setup.mjs "http://127.0.0.1:$port" "sqlite:$cache" 2>"$work/step.err"); then
    fail_step trail "token: $(tail -3 "$work/step.err")"; stop_server; return
  fi
  fig[trail_total]=$total
  measure trail node bench/em-trail.mjs "http://127.0.0.1:$port" "$token" "$cache.orders" "$trail_days" \
    "$trail_requests" "$days_ago"
  stop_server
}
trail_suite

# ---- the figures -------------------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict=
check() { # name value op target: sets verdict (met or MISSED) and notes a miss
  if awk -v v="$2" -v t="$4" -v op="$3" 'BEGIN { exit !((op == ">=") ? v >= t : v < t) }'; then verdict=met
  else missed+=("$1"); verdict=MISSED; fi
}
echo
if [ -n "${fig[zones]:-}" ]; then
  read -r _ zraw zkadam zmis <<<"${fig[zones]}"
  r=$(ratio "$zkadam" "$zraw")
  check zones "$r" '>=' 0.80
  printf '%-44s %12.0f fixes/s   (baseline)\n' "zones: box + GEOS prepared contains (raw)" "$zraw"
  printf '%-44s %12.0f fixes/s   ratio %s (target >= 0.80: %s)%s\n' "zones: geofence_contains" "$zkadam" "$r" \
    "$verdict" "$([ "$zmis" != 0 ] && echo "; $zmis of 200000 answers differ")"
fi
if [ -n "${fig[raw]:-}" ]; then
  read -r _ raw <<<"${fig[raw]}"
  printf '%-44s %12.0f fixes/s   (baseline: synchronous=FULL, as Kadam runs SQLite; median of %s)\n' \
    "ingest: raw SQLite append, unindexed" "$raw" "${fig[raw_runs]// /, }"
  if [ -n "${fig[raw_normal]:-}" ]; then
    read -r _ rawn <<<"${fig[raw_normal]}"
    printf '%-44s %12.0f fixes/s   (for comparison: no sync at commit, not durable)\n' "ingest: the same, synchronous=NORMAL" "$rawn"
  fi
  for k in http_sqlite gt06 gt06_1 http_postgresql; do
    [ -n "${fig[$k]:-}" ] || continue
    read -r _ v _ <<<"${fig[$k]}"
    r=$(ratio "$v" "$raw")
    case $k in http_sqlite | gt06) check "ingest-$k" "$r" ">=" 0.30 ;; esac
    case $k in
      http_sqlite) printf '%-44s %12.0f fixes/s   ratio %s (target >= 0.30: %s)\n' "ingest: batch HTTP, $http_clients gateways, SQLite" "$v" "$r" "$verdict" ;;
      gt06) printf '%-44s %12.0f fixes/s   ratio %s (target >= 0.30: %s)\n' "ingest: GT06 TCP, $devices conns, window $gt06_window" "$v" "$r" "$verdict" ;;
      gt06_1) printf '%-44s %12.0f fixes/s   ratio %s (for comparison: a round trip per fix)\n' "ingest: GT06 TCP, $devices conns, window 1" "$v" "$r" ;;
      http_postgresql) printf '%-44s %12.0f fixes/s   ratio %s to the SQLite raw append\n' "ingest: batch HTTP, PostgreSQL (fsync off)" "$v" "$r" ;;
    esac
  done
fi
if [ -n "${fig[memory]:-}" ]; then
  read -r before after <<<"${fig[memory]}"
  printf '%-44s %12.0f bytes     (RSS %d -> %d kB)\n' "memory per connected GT06 device" \
    "$(awk -v a="$after" -v b="$before" -v n="$devices" 'BEGIN { print (a - b) * 1024 / n }')" "$before" "$after"
fi
if [ -n "${fig[latency]:-}" ]; then
  read -r _ p50 p99 max <<<"${fig[latency]}"
  check latency "$p99" '<' 2000
  printf '%-44s p50 %8.1f ms   p99 %8.1f ms   max %8.1f ms (target p99 < 2000 ms: %s)\n' "fix to alert in the queue" \
    "$p50" "$p99" "$max" "$verdict"
fi
if [ -n "${fig[trail]:-}" ]; then
  read -r _ p50 p95 hz per <<<"${fig[trail]}"
  check trail "$p95" '<' 50
  printf '%-44s p50 %8.2f ms   p95 %8.2f ms   p95 ratio to /healthz %s (target p95 < 50 ms: %s)\n' \
    "a day's trail, ${fig[trail_total]} fixes stored" "$p50" "$p95" "$(ratio "$p95" "$hz")" "$verdict"
  printf '%-44s %12s fixes a day on average; /healthz p95 %.2f ms\n' "" "$per" "$hz"
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "em: FAILED steps: ${failed[*]}" >&2
  exit 1
fi
if [ "$strict" = 1 ] && [ ${#missed[@]} -gt 0 ]; then
  echo "em: targets missed: ${missed[*]}" >&2
  exit 1
fi
exit 0
