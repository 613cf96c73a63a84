#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# How cost grows with the data (issue 20; `make bench-scale`, not part of `make test`).
#
# For each store (SQLite, PostgreSQL), two nodes stay up side by side: one on an empty
# store, one on a store seeded through the storage plugin (test/bench/seed_store.c) with
# SCALE_TENANTS tenants and SCALE_USERS users in tenant "default". The password-grant,
# client_credentials and introspection rates are measured in SCALE_ROUNDS alternating
# rounds (empty, seeded; then seeded, empty; ...), so that the load of a shared machine
# drifts onto both sides alike; the table gives each side's median and their ratio beside
# the target. Then: start to ready, RSS idle and under load, list/search/filter latency
# (p50/p99, one connection), and introspection on the seeded node after it issued up to
# SCALE_TOKENS client_credentials tokens against a fresh node on the same store, again in
# alternating rounds. On PostgreSQL also one node against two on the one database. Every
# run counts the non-2xx statuses answered (e.g. "429:3"); the servers' logs (level
# SCALE_LOG_LEVEL, default warning) are kept in SCALE_LOGS. Writes the table between the
# markers in docs/scaling.md (SCALE_DOCS=0: only prints it), with the machine's facts.
#
# Bounded: about 25 minutes with the defaults on 2 cores; token issuing stops after
# SCALE_TOKEN_SECS whatever the count reached, and the whole run is stopped (servers and
# PostgreSQL with it) after SCALE_MAX_MINUTES.
#
#   SCALE_USERS=1000000 SCALE_TENANTS=10000 SCALE_TOKENS=1000000 SCALE_SECS=5 SCALE_ROUNDS=5
#   SCALE_TOKEN_SECS=180 SCALE_MAX_MINUTES=60 SCALE_STORES="sqlite postgresql"
#   SCALE_LOGS=build/bench-scale-logs/<time>  test/bench/scale.sh
set -euo pipefail

if [ -z "${SCALE_BOUNDED:-}" ]; then
    SCALE_BOUNDED=1 exec timeout --signal=TERM "$((${SCALE_MAX_MINUTES:-60} * 60))" "$0" "$@"
fi

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
SERVER=$BUILD/portcullis
PLUGINS=$BUILD/plugins
USERS=${SCALE_USERS:-1000000}
TENANTS=${SCALE_TENANTS:-10000}
TOKENS=${SCALE_TOKENS:-1000000}
SECS=${SCALE_SECS:-5}
ROUNDS=${SCALE_ROUNDS:-5}
TOKEN_SECS=${SCALE_TOKEN_SECS:-180}
LOGS=${SCALE_LOGS:-$BUILD/bench-scale-logs/$(date -u +%Y%m%dT%H%M%S)}
LOG_LEVEL=${SCALE_LOG_LEVEL:-warning}
STORES=${SCALE_STORES:-sqlite postgresql}
DOCS=${SCALE_DOCS:-1}
PASSWORD=Bench-Admin-Password-1
SECRET=bench-admin-cli-secret-0123456789
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pcscale.XXXXXX")
PIDS=()
RESULTS=$WORK/results.txt

cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
    [ ! -d "$WORK/pg" ] || "$ROOT/scripts/pg-test-server.sh" stop "$WORK/pg" >/dev/null 2>&1 || true
    mkdir -p "$LOGS"
    for f in "$WORK"/*/server.*.log; do
        [ ! -f "$f" ] || cp "$f" "$LOGS/$(basename "$(dirname "$f")").$(basename "$f")"
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

say() { echo "scale: $*" >&2; }
record() { echo "$1|$2|${3% -}" >>"$RESULTS"; say "$1 [$2]: ${3% -}"; } # FIGURE STORE VALUE ("-": no non-2xx)

cc=(gcc -O2 -Wall -I"$ROOT/core/include")
"${cc[@]}" -o "$WORK/seed_store" "$HERE/seed_store.c" "$HERE/../storage/storage_host.c" $(pkg-config --cflags --libs jansson) -ldl
"${cc[@]}" -o "$WORK/startup_ms" "$HERE/startup_ms.c"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

node_env() { # STORE_URI PORT DIR
    echo PORTCULLIS_STORE="$1" PORTCULLIS_LISTEN=127.0.0.1:"$2" PORTCULLIS_MASTER_KEY_FILE="$3/master.key" \
        PORTCULLIS_PLUGIN_DIR="$PLUGINS" PORTCULLIS_LOG_LEVEL="$LOG_LEVEL" PORTCULLIS_ADMIN_PASSWORD="$PASSWORD" \
        PORTCULLIS_ADMIN_CLIENT_SECRET="$SECRET" PORTCULLIS_PUBLIC_URL=http://127.0.0.1:"$4"
}

start_node() { # STORE_URI PORT DIR PUBLIC_PORT -> pid in NODE_PID
    # shellcheck disable=SC2046
    env $(node_env "$@") "$SERVER" serve >>"$3/server.$2.log" 2>&1 &
    NODE_PID=$!
    PIDS+=("$NODE_PID")
    for _ in $(seq 600); do
        curl -sf "http://127.0.0.1:$2/readyz" >/dev/null && return 0
        sleep 0.1
    done
    cat "$3/server.$2.log" >&2
    return 1
}

stop_node() { kill "$1" && wait "$1" 2>/dev/null || true; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# wrk with test/bench/bench.lua: prints "requests/s p50_ms p99_ms non2xx statuses"
# (statuses: "-", or each non-2xx status with its count, "503:12,429:1").
wrk_run() { # URL THREADS CONNS SECS [KEY=VALUE...] (the script's environment)
    local url=$1 t=$2 c=$3 s=$4
    shift 4
    env "$@" BENCH_THREADS="$t" wrk -t"$t" -c"$c" -d"${s}s" --timeout 10s -s "$HERE/bench.lua" "$url" 2>&1 |
        awk '/^BENCH/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
               printf "%.0f %.1f %.1f %d %s\n", v["requests"] / (v["duration_us"] / 1e6), v["p50_us"] / 1000,
                      v["p99_us"] / 1000, v["non2xx"], v["statuses"] }'
}

basic=$(printf 'admin-cli:%s' "$SECRET" | base64 -w0)
token_of() { # PORT
    curl -s -u "admin-cli:$SECRET" -d grant_type=client_credentials "http://127.0.0.1:$1/t/default/oauth2/token" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# One request shape against a node, as wrk_run prints it.
shape() { # KIND PORT TOKEN
    local kind=$1 port=$2 tok=$3
    local form=(BENCH_METHOD=POST BENCH_CTYPE=application/x-www-form-urlencoded "BENCH_AUTH=Basic $basic")
    case $kind in
    password) # Four connections keep both cores on argon2id without a queue that outlives the run.
        wrk_run "http://127.0.0.1:$port/t/default/oauth2/token" 1 4 "$SECS" "${form[@]}" \
            BENCH_BODY="grant_type=password&username=user1&password=$PASSWORD&scope=openid" ;;
    client_credentials)
        wrk_run "http://127.0.0.1:$port/t/default/oauth2/token" 2 32 "$SECS" "${form[@]}" \
            BENCH_BODY="grant_type=client_credentials" ;;
    introspection)
        wrk_run "http://127.0.0.1:$port/t/default/oauth2/introspect" 2 32 "$SECS" "${form[@]}" \
            BENCH_BODY="token=$tok" ;;
    esac
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# FILE of wrk_run lines: median requests/s, p50 and p99 ms; non-2xx summed, with their statuses.
summary() {
    printf '%s %s %s %s%s\n' "$(cut -d' ' -f1 "$1" | median)" "$(cut -d' ' -f2 "$1" | median)" \
        "$(cut -d' ' -f3 "$1" | median)" "$(awk '{ n += $4 } END { print n + 0 }' "$1")" \
        "$(awk '$5 != "-" { printf " %s", $5 }' "$1")"
}

# B's median rate over A's, the range of the rounds' own ratios, and the verdict against TARGET.
ratio() { # FILE_A FILE_B TARGET
    paste -d' ' <(cut -d' ' -f1 "$1") <(cut -d' ' -f1 "$2") | awk -v t="$3" -v a="$(cut -d' ' -f1 "$1" | median)" \
        -v b="$(cut -d' ' -f1 "$2" | median)" '
        { r = $2 / $1; lo = (NR == 1 || r < lo) ? r : lo; hi = (NR == 1 || r > hi) ? r : hi }
        END { m = b / a; printf "%.2f (rounds %.2f-%.2f)%s\n", m, lo, hi,
              t == "-" ? "" : (m >= t ? ": met" : ": not met") }'
}

# KIND on two nodes that are both up, in ROUNDS alternating rounds (A then B, B then A, ...),
# so that a change in the machine's load falls on both; each side's medians and B / A.
alternate() { # STORE KIND LABEL_A PORT_A LABEL_B PORT_B TARGET_RATIO|-
    local store=$1 kind=$2 la=$3 pa=$4 lb=$5 pb=$6 target=$7 r side ta tb
    local fa=$WORK/alt.a fb=$WORK/alt.b
    : >"$fa"
    : >"$fb"
    ta=$(token_of "$pa")
    tb=$(token_of "$pb")
    for r in $(seq "$ROUNDS"); do
        for side in $( ((r % 2)) && echo a b || echo b a); do
            if [ "$side" = a ]; then shape "$kind" "$pa" "$ta" >>"$fa"; else shape "$kind" "$pb" "$tb" >>"$fb"; fi
        done
        say "$kind, round $r: $la $(tail -1 "$fa"); $lb $(tail -1 "$fb")"
    done
    record "$kind/s, $la" "$store" "$(summary "$fa")"
    record "$kind/s, $lb" "$store" "$(summary "$fb")"
    record "$kind, $lb / $la$([ "$target" = - ] || echo " (target >= $target)")" "$store" "$(ratio "$fa" "$fb" "$target")"
}

sql() { # STORE QUERY
    if [ "$1" = sqlite ]; then sqlite3 "$WORK/sqlite/p.db" "$2"; else psql "$PG_URI" -qAtc "$2"; fi
}

latency() { # STORE PORT
    local store=$1 port=$2 tok deep auth
    tok=$(token_of "$port")
    auth="Bearer $tok"
    deep=$(sql "$store" "SELECT id FROM users WHERE username = 'user$((USERS / 2))'")
    for q in "limit=50|list, first page" "limit=50&cursor=$deep|list, a page in the middle" \
        "limit=50&q=user12345|search (q=user12345)" "limit=50&status=disabled|filter (status=disabled)"; do
        record "${q#*|}: req/s p50 p99 ms" "$store" \
            "$(wrk_run "http://127.0.0.1:$port/t/default/api/v1/users?${q%%|*}" 1 1 5 BENCH_AUTH="$auth")"
    done
}

# client_credentials until N tokens were issued or TOKEN_SECS passed; prints the count.
issue_tokens() { # PORT N
    local port=$1 n=$2 done_=0 r run start=$SECONDS
    while [ "$done_" -lt "$n" ] && [ $((SECONDS - start)) -lt "$TOKEN_SECS" ]; do
        run=$((TOKEN_SECS - (SECONDS - start) < 20 ? TOKEN_SECS - (SECONDS - start) : 20))
        r=$(wrk_run "http://127.0.0.1:$port/t/default/oauth2/token" 2 32 "$run" BENCH_METHOD=POST \
            BENCH_CTYPE=application/x-www-form-urlencoded BENCH_AUTH="Basic $basic" BENCH_BODY="grant_type=client_credentials")
        done_=$((done_ + ${r%% *} * run))
        say "tokens issued: about $done_"
    done
    echo "$done_"
}

# The empty and the seeded store: two SQLite files, or two databases of one PostgreSQL.
store_uris() { # STORE DIR -> URI_E URI_S
    if [ "$1" = sqlite ]; then
        URI_E="sqlite://$2/empty.db"
        URI_S="sqlite://$2/p.db"
        return
    fi
    PG_URI=$("$ROOT/scripts/pg-test-server.sh" start "$WORK/pg" 2>/dev/null)
    psql "$PG_URI" -qc "CREATE DATABASE portcullis_empty" >/dev/null
    URI_E=${PG_URI%/*}/portcullis_empty
    URI_S=$PG_URI
}

seed() { # STORE HASH: SCALE_TENANTS tenants, SCALE_USERS users (user0, user1, ...), 1 in 1,000 disabled
    local store=$1 hash=$2
    say "seeding $TENANTS tenants and $USERS users ($store)"
    "$WORK/seed_store" "$PLUGINS/storage_$store.so" "$URI_S" tenants "$TENANTS"
    SECONDS=0
    "$WORK/seed_store" "$PLUGINS/storage_$store.so" "$URI_S" users default "$USERS" "$hash"
    record "seeding $USERS users, s" "$store" "$SECONDS"
    sql "$store" "UPDATE users SET status = 'disabled' WHERE username LIKE 'user%000'" >/dev/null
    sql "$store" "ANALYZE" >/dev/null
}

starts() { # STORE PORT DIR: the first start after seeding, then the median of three
    local store=$1 port=$2 dir=$3
    # shellcheck disable=SC2046
    record "first start after seeding, ms" "$store" "$(env $(node_env "$URI_S" "$port" "$dir" "$port") \
        "$WORK/startup_ms" "$port" /readyz 600 -- "$SERVER" serve | awk '{print $2}')"
    for _ in 1 2 3; do
        # shellcheck disable=SC2046
        env $(node_env "$URI_S" "$port" "$dir" "$port") "$WORK/startup_ms" "$port" /readyz 600 -- "$SERVER" serve |
            awk '{print $2}' >>"$dir/start.txt"
    done
    record "start to ready, ms (median of 3)" "$store" "$(sort -n "$dir/start.txt" | sed -n 2p)"
}

one_store() { # STORE
    local store=$1 dir=$WORK/$1 pe ps pc pid_e pid_s pid_c hash sampler n
    mkdir -p "$dir"
    pe=$(free_port)
    ps=$(free_port)
    store_uris "$store" "$dir"
    # The seeded store's first start makes its default tenant; its admin's hash is user<i>'s.
    start_node "$URI_S" "$ps" "$dir" "$ps"
    stop_node "$NODE_PID"
    hash=$(sql "$store" "SELECT password_hash FROM users WHERE username = 'admin'")
    start_node "$URI_E" "$pe" "$dir" "$pe"
    stop_node "$NODE_PID"
    "$WORK/seed_store" "$PLUGINS/storage_$store.so" "$URI_E" users default 2 "$hash" 2>/dev/null
    seed "$store" "$hash"
    starts "$store" "$ps" "$dir"
    # Both nodes compared are second starts, with the same history: neither is the process
    # that made its store's tenant, keys and admin (and hashed the admin's password).
    start_node "$URI_E" "$pe" "$dir" "$pe"
    pid_e=$NODE_PID
    start_node "$URI_S" "$ps" "$dir" "$ps"
    pid_s=$NODE_PID
    sleep 2
    record "RSS idle, empty store, MB" "$store" "$(rss_mb "$pid_e")"
    record "RSS idle, seeded, MB" "$store" "$(rss_mb "$pid_s")"
    latency "$store" "$ps"
    # the seeded node's largest RSS while the rates are measured
    (while sleep 1; do echo "$(rss_mb "$pid_s")"; done >"$dir/rss_load") &
    sampler=$!
    for kind in password client_credentials introspection; do
        alternate "$store" "$kind" "empty store" "$pe" seeded "$ps" "$([ "$kind" = introspection ] && echo - || echo 0.90)"
    done
    kill "$sampler" && wait "$sampler" 2>/dev/null || true
    record "RSS under load (the rates), max, MB" "$store" "$(sort -n "$dir/rss_load" | tail -1)"
    stop_node "$pid_e"
    n=$(issue_tokens "$ps" "$TOKENS")
    record "tokens issued by the seeded node" "$store" "$n"
    record "RSS after those tokens, MB" "$store" "$(rss_mb "$pid_s")"
    # A fresh process on the same store against the node that issued them.
    pc=$(free_port)
    start_node "$URI_S" "$pc" "$dir" "$ps" # same PUBLIC_URL, hence the same issuer
    pid_c=$NODE_PID
    alternate "$store" introspection "fresh node" "$pc" "after the tokens" "$ps" 0.95
    stop_node "$pid_c"
    [ "$store" = postgresql ] && two_nodes "$URI_S" "$ps" "$dir"
    stop_node "$pid_s"
}

two_nodes() { # URI PORT_A DIR: client_credentials, one node (-t2 -c32) against two (-t1 -c16 each)
    local uri=$1 pa=$2 dir=$3 pb pid_b a b wrk_a
    pb=$(free_port)
    start_node "$uri" "$pb" "$dir" "$pa" # same PUBLIC_URL, hence the same issuer
    pid_b=$NODE_PID
    wrk_run "http://127.0.0.1:$pa/t/default/oauth2/token" 1 16 "$SECS" BENCH_METHOD=POST \
        BENCH_CTYPE=application/x-www-form-urlencoded BENCH_AUTH="Basic $basic" BENCH_BODY="grant_type=client_credentials" >"$dir/two_a" &
    wrk_a=$!
    wrk_run "http://127.0.0.1:$pb/t/default/oauth2/token" 1 16 "$SECS" BENCH_METHOD=POST \
        BENCH_CTYPE=application/x-www-form-urlencoded BENCH_AUTH="Basic $basic" BENCH_BODY="grant_type=client_credentials" >"$dir/two_b"
    wait "$wrk_a" # not a bare wait: the nodes are children too
    a=$(awk '{print $1}' "$dir/two_a")
    b=$(awk '{print $1}' "$dir/two_b")
    record "client_credentials/s, two nodes (sum)" postgresql "$((a + b)) ($a + $b)"
    stop_node "$pid_b"
}

for s in $STORES; do one_store "$s"; done

table() {
    echo "| figure | $(echo "$STORES" | sed 's/ / | /g') |"
    echo "|---|$(for _ in $STORES; do printf -- '---:|'; done)"
    cut -d'|' -f1 "$RESULTS" | awk '!seen[$0]++' | while IFS= read -r fig; do
        printf '| %s |' "$fig"
        for s in $STORES; do printf ' %s |' "$(awk -F'|' -v f="$fig" -v s="$s" '$1 == f && $2 == s {print $3}' "$RESULTS")"; done
        echo
    done
}
facts="$(date -u +%Y-%m-%d), $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(free -g | awk '/Mem/ {print $2}') GB,
load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(psql --version 2>/dev/null | awk '{print "PostgreSQL " $3}'),
SQLite $(sqlite3 --version | awk '{print $1}'); $USERS users, $TENANTS tenants; wrk -t2 -c32, ${SECS} s runs
(password grant -t1 -c4); rates: the median of $ROUNDS rounds alternating between the two nodes compared
(requests/s, p50 and p99 ms, then the non-2xx of all rounds, with their statuses); ratios: the medians'
ratio, the rounds' own ratios in brackets; latency rows: one connection for 5 s (requests/s, p50, p99 ms,
non-2xx)."
out=$(printf '%s\n\n%s\n' "$facts" "$(table)")
echo "$out"
if [ "$DOCS" = 1 ]; then
    python3 - "$ROOT/docs/scaling.md" "$out" <<'PY'
import sys
path, text = sys.argv[1], sys.argv[2]
doc = open(path).read()
begin, end = "<!-- bench-scale:begin -->", "<!-- bench-scale:end -->"
i, j = doc.index(begin) + len(begin), doc.index(end)
open(path, "w").write(doc[:i] + "\n" + text + "\n" + doc[j:])
PY
    say "table written to docs/scaling.md"
fi
