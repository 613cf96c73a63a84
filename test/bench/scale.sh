#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# How cost grows with the data (issue 20; `make bench-scale`, not part of `make test`).
#
# For each store (SQLite, PostgreSQL): on an empty store, the password-grant,
# client_credentials and introspection rates; then seeds SCALE_TENANTS tenants and
# SCALE_USERS users in tenant "default" through the storage plugin (test/bench/seed_store.c)
# and measures start to ready, RSS idle and under load, list/search/filter latency
# (p50/p99, one connection), the same rates again, and introspection after
# SCALE_TOKENS client_credentials tokens were issued. On PostgreSQL also one node
# against two nodes on the one database. Writes the table between the markers in
# docs/scaling.md (SCALE_DOCS=0: only prints it), with the machine's facts.
#
#   SCALE_USERS=1000000 SCALE_TENANTS=10000 SCALE_TOKENS=1000000 SCALE_SECS=8
#   SCALE_STORES="sqlite postgresql"  test/bench/scale.sh
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
SERVER=$BUILD/portcullis
PLUGINS=$BUILD/plugins
USERS=${SCALE_USERS:-1000000}
TENANTS=${SCALE_TENANTS:-10000}
TOKENS=${SCALE_TOKENS:-1000000}
SECS=${SCALE_SECS:-8}
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
    rm -rf "$WORK"
}
trap cleanup EXIT

say() { echo "scale: $*" >&2; }
record() { echo "$1|$2|$3" >>"$RESULTS"; say "$1 [$2]: $3"; } # FIGURE STORE VALUE

cc=(gcc -O2 -Wall -I"$ROOT/core/include")
"${cc[@]}" -o "$WORK/seed_store" "$HERE/seed_store.c" "$HERE/../storage/storage_host.c" $(pkg-config --cflags --libs jansson) -ldl
"${cc[@]}" -o "$WORK/startup_ms" "$HERE/startup_ms.c"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

node_env() { # STORE_URI PORT DIR
    echo PORTCULLIS_STORE="$1" PORTCULLIS_LISTEN=127.0.0.1:"$2" PORTCULLIS_MASTER_KEY_FILE="$3/master.key" \
        PORTCULLIS_PLUGIN_DIR="$PLUGINS" PORTCULLIS_LOG_LEVEL=error PORTCULLIS_ADMIN_PASSWORD="$PASSWORD" \
        PORTCULLIS_ADMIN_CLIENT_SECRET="$SECRET" PORTCULLIS_PUBLIC_URL=http://127.0.0.1:"$4"
}

start_node() { # STORE_URI PORT DIR PUBLIC_PORT -> pid in NODE_PID
    # shellcheck disable=SC2046
    env $(node_env "$@") "$SERVER" serve >"$3/server.$2.log" 2>&1 &
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

# wrk with test/bench/bench.lua: prints "requests/s p50_ms p99_ms non2xx".
wrk_run() { # URL THREADS CONNS SECS [KEY=VALUE...] (the script's environment)
    local url=$1 t=$2 c=$3 s=$4
    shift 4
    env "$@" BENCH_THREADS="$t" wrk -t"$t" -c"$c" -d"${s}s" --timeout 10s -s "$HERE/bench.lua" "$url" 2>&1 |
        awk '/^BENCH/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
               printf "%.0f %.1f %.1f %d\n", v["requests"] / (v["duration_us"] / 1e6), v["p50_us"] / 1000,
                      v["p99_us"] / 1000, v["non2xx"] }'
}

basic=$(printf 'admin-cli:%s' "$SECRET" | base64 -w0)
token_of() { # PORT
    curl -s -u "admin-cli:$SECRET" -d grant_type=client_credentials "http://127.0.0.1:$1/t/default/oauth2/token" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

rates() { # STORE PORT LABEL: password grant, client_credentials, introspection
    local port=$1 label=$2 store=$3 tok r
    tok=$(token_of "$port")
    # Four connections keep both cores on argon2id without a queue that outlives the run.
    r=$(wrk_run "http://127.0.0.1:$port/t/default/oauth2/token" 1 4 "$SECS" BENCH_METHOD=POST \
        BENCH_CTYPE=application/x-www-form-urlencoded BENCH_AUTH="Basic $basic" \
        BENCH_BODY="grant_type=password&username=user1&password=$PASSWORD&scope=openid")
    record "password grant/s, $label" "$store" "$r"
    sleep 2
    r=$(wrk_run "http://127.0.0.1:$port/t/default/oauth2/token" 2 32 "$SECS" BENCH_METHOD=POST \
        BENCH_CTYPE=application/x-www-form-urlencoded BENCH_AUTH="Basic $basic" BENCH_BODY="grant_type=client_credentials")
    record "client_credentials/s, $label" "$store" "$r"
    r=$(wrk_run "http://127.0.0.1:$port/t/default/oauth2/introspect" 2 32 "$SECS" BENCH_METHOD=POST \
        BENCH_CTYPE=application/x-www-form-urlencoded BENCH_AUTH="Basic $basic" BENCH_BODY="token=$tok")
    record "introspection/s, $label" "$store" "$r"
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

issue_tokens() { # PORT N: client_credentials until N tokens were issued
    local port=$1 n=$2 done_=0 r rate
    while [ "$done_" -lt "$n" ]; do
        r=$(wrk_run "http://127.0.0.1:$port/t/default/oauth2/token" 2 32 20 BENCH_METHOD=POST \
            BENCH_CTYPE=application/x-www-form-urlencoded BENCH_AUTH="Basic $basic" BENCH_BODY="grant_type=client_credentials")
        rate=${r%% *}
        done_=$((done_ + rate * 20))
        say "tokens issued: about $done_"
    done
}

one_store() { # STORE
    local store=$1 dir=$WORK/$1 port uri pid hash ms load_pid
    mkdir -p "$dir"
    port=$(free_port)
    if [ "$store" = sqlite ]; then
        uri="sqlite://$dir/p.db"
    else
        PG_URI=$("$ROOT/scripts/pg-test-server.sh" start "$WORK/pg" 2>/dev/null)
        uri=$PG_URI
    fi
    start_node "$uri" "$port" "$dir" "$port"
    pid=$NODE_PID
    # user1 on the empty store: the admin's hash, so the password grant checks one real argon2id.
    hash=$(sql "$store" "SELECT password_hash FROM users WHERE username = 'admin'")
    "$WORK/seed_store" "$PLUGINS/storage_$store.so" "$uri" users default 2 "$hash" 2>/dev/null ||
        sql "$store" "SELECT 1" >/dev/null
    rates "$port" "empty store" "$store"
    record "RSS idle, empty store, MB" "$store" "$(rss_mb "$pid")"
    stop_node "$pid"
    say "seeding $TENANTS tenants and $USERS users ($store)"
    "$WORK/seed_store" "$PLUGINS/storage_$store.so" "$uri" tenants "$TENANTS"
    sql "$store" "DELETE FROM users WHERE username = 'user0' OR username = 'user1'" >/dev/null
    SECONDS=0
    "$WORK/seed_store" "$PLUGINS/storage_$store.so" "$uri" users default "$USERS" "$hash"
    record "seeding $USERS users, s" "$store" "$SECONDS"
    sql "$store" "UPDATE users SET status = 'disabled' WHERE username LIKE 'user%000'" >/dev/null
    [ "$store" = sqlite ] && sql sqlite "ANALYZE" >/dev/null || sql postgresql "ANALYZE" >/dev/null
    # First start after seeding sets up each tenant's console application; then three starts.
    # shellcheck disable=SC2046
    ms=$(env $(node_env "$uri" "$port" "$dir" "$port") "$WORK/startup_ms" "$port" /readyz 600 -- "$SERVER" serve | awk '{print $2}')
    record "first start after seeding, ms" "$store" "$ms"
    for i in 1 2 3; do
        # shellcheck disable=SC2046
        env $(node_env "$uri" "$port" "$dir" "$port") "$WORK/startup_ms" "$port" /readyz 600 -- "$SERVER" serve |
            awk '{print $2}' >>"$dir/start.txt"
    done
    record "start to ready, ms (median of 3)" "$store" "$(sort -n "$dir/start.txt" | sed -n 2p)"
    start_node "$uri" "$port" "$dir" "$port"
    pid=$NODE_PID
    sleep 2
    record "RSS idle, seeded, MB" "$store" "$(rss_mb "$pid")"
    latency "$store" "$port"
    (sleep $((SECS / 2)) && rss_mb "$pid" >"$dir/rss_load") &
    load_pid=$!
    rates "$port" "seeded" "$store"
    wait "$load_pid" || true
    record "RSS under load (password grant), MB" "$store" "$(cat "$dir/rss_load")"
    issue_tokens "$port" "$TOKENS"
    local tok
    tok=$(token_of "$port")
    record "introspection/s, after $TOKENS tokens" "$store" "$(wrk_run "http://127.0.0.1:$port/t/default/oauth2/introspect" 2 32 "$SECS" \
        BENCH_METHOD=POST BENCH_CTYPE=application/x-www-form-urlencoded BENCH_AUTH="Basic $basic" BENCH_BODY="token=$tok")"
    record "RSS after $TOKENS tokens, MB" "$store" "$(rss_mb "$pid")"
    [ "$store" = postgresql ] && two_nodes "$uri" "$port" "$dir"
    stop_node "$pid"
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
SQLite $(sqlite3 --version | awk '{print $1}'); $USERS users, $TENANTS tenants, $TOKENS tokens; wrk -t2 -c32, ${SECS} s runs
(password grant -t1 -c4; client_credentials, introspection: requests/s, p50 and p99 ms, non-2xx); latency rows:
one connection for 5 s (requests/s, p50, p99 ms, non-2xx)."
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
