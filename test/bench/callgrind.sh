#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Instructions per request of Portcullis's hot endpoints under callgrind: the repeatable figure beside wrk's.
#
# Usage: test/bench/callgrind.sh [--md FILE]
#
# Starts build/portcullis under `valgrind --tool=callgrind` on a free 127.0.0.1
# port with a fresh SQLite store, warms every endpoint up, then for each one
# zeroes the counters (callgrind_control -z), sends CG_N (200) requests with one
# keep-alive curl, dumps the counters (callgrind_control -d) and divides the
# instructions (Ir) of the dump by the requests. All of the server's threads are
# counted, the client's are not. Prints a markdown table (and writes it, with the
# functions that cost most per endpoint, to FILE with --md). Stops what it
# started on exit. Knobs: CG_N (200), CG_WARM (20), CG_KEEP=1 keeps the dumps,
# CG_BIN and CG_PLUGINS (the binary and plugin directory to copy and run).
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=$ROOT/build/portcullis
N=${CG_N:-200}
WARM=${CG_WARM:-20}
MD_OUT=""
[ "${1:-}" = --md ] && MD_OUT=${2:?--md needs a file}

SECRET=callgrind-client-secret-0123456789
PASSWORD=Callgrind-Admin-Password-1

log() { printf '[callgrind] %s\n' "$*" >&2; }
die() {
  log "FATAL: $*"
  exit 1
}

if ! command -v callgrind_control >/dev/null 2>&1 || ! command -v callgrind_annotate >/dev/null 2>&1; then
  log "installing valgrind"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null
fi
for c in curl jq; do command -v $c >/dev/null || die "$c is needed (test/bench/run.sh installs it)"; done
if [ -z "${CG_BIN:-}" ] && [ ! -x "$BIN" ]; then
  log "building Portcullis"
  [ -f "$ROOT/build/CMakeCache.txt" ] || cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$ROOT/build" -j"$(nproc)" >/dev/null
fi

W=$(mktemp -d /tmp/pcbench-cg.XXXXXX)
# A copy of the binary and its plugins with a name of its own (see run.sh); CG_BIN and
# CG_PLUGINS say what to copy (default: build/portcullis and build/plugins).
mkdir -p "$W/bin/plugins"
cp "${CG_BIN:-$BIN}" "$W/bin/pcb-server"
cp "${CG_PLUGINS:-$ROOT/build/plugins}"/*.so "$W/bin/plugins/"
VPID=""
cleanup() {
  local rc=$?
  if [ -n "$VPID" ]; then
    kill -TERM "$VPID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$VPID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$VPID" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] || [ "${CG_KEEP:-0}" = 1 ]; then log "files kept in $W"; else rm -rf "$W"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=""
for _ in $(seq 1 500); do
  p=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p && break; fi
done
[ -n "$port" ] || die "no free port"
ISS=http://127.0.0.1:$port/t/default

log "starting Portcullis under callgrind on :$port"
(cd "$W" && exec env -i PATH="$PATH" HOME="${HOME:-/root}" PORTCULLIS_PLUGIN_DIR="$W/bin/plugins" \
  PORTCULLIS_LISTEN="127.0.0.1:$port" PORTCULLIS_STORE="sqlite://$W/portcullis.db" \
  PORTCULLIS_MASTER_KEY_FILE="$W/master.key" PORTCULLIS_ADMIN_PASSWORD="$PASSWORD" \
  PORTCULLIS_ADMIN_CLIENT_SECRET="$SECRET" PORTCULLIS_LOG_LEVEL=warning \
  PORTCULLIS_ARGON2_M_COST=1024 PORTCULLIS_ARGON2_T_COST=1 \
  valgrind --tool=callgrind --callgrind-out-file="$W/callgrind.out" --dump-instr=no "$W/bin/pcb-server" serve) \
  >"$W/server.log" 2>&1 &
VPID=$!
deadline=$(($(date +%s) + 180))
until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/readyz" || true)" = 200 ]; do
  [ "$(date +%s)" -lt "$deadline" ] || die "not ready under valgrind within 180 s (see $W/server.log)"
  kill -0 "$VPID" 2>/dev/null || die "valgrind exited (see $W/server.log)"
  sleep 0.2
done

BASIC=$(printf '%s' "admin-cli:$SECRET" | base64 -w0)
ADMIN_AT=$(curl -s --max-time 60 -H "Authorization: Basic $BASIC" -d grant_type=client_credentials "$ISS/oauth2/token" | jq -r '.access_token // empty')
USER_AT=$(curl -s --max-time 120 -H "Authorization: Basic $BASIC" -d grant_type=password -d username=admin \
  -d "password=$PASSWORD" -d "scope=openid profile email" "$ISS/oauth2/token" | jq -r '.access_token // empty')
[ -n "$ADMIN_AT" ] && [ -n "$USER_AT" ] || die "could not get the tokens"

# Refresh tokens are single-use: one per refresh request, each from a password
# grant of its own. No measured endpoint hashes a password, so the server runs
# with a cheap argon2id cost (above) to mint them quickly under valgrind.
REFRESH_TOKENS=$W/refresh-tokens.txt
for _ in $(seq 1 $((WARM + N))); do
  curl -s --max-time 60 -H "Authorization: Basic $BASIC" -d grant_type=password -d username=admin \
    -d "password=$PASSWORD" -d scope=offline_access "$ISS/oauth2/token" | jq -r '.refresh_token // empty'
done >"$REFRESH_TOKENS"
[ "$(grep -c . "$REFRESH_TOKENS")" -eq $((WARM + N)) ] || die "could not mint the refresh tokens"

# A user without roles whose AuthZEN decision rests on one allow policy with one condition.
api_post() { # PATH JSON -> HTTP status
  curl -s -o /dev/null -w '%{http_code}' --max-time 120 -H "Authorization: Bearer $ADMIN_AT" \
    -H 'Content-Type: application/json' "$ISS/api/v1$1" -d "$2"
}
[ "$(api_post /users '{"username":"cg-user","password":"Callgrind-User-Password-1"}')" = 201 ] || die "could not create cg-user"
[ "$(api_post /policies '{"name":"cg-owner","effect":"allow","actions":["doc:read"],"condition":{"eq":["resource.properties.ownerID","subject.id"]}}')" = 201 ] ||
  die "could not create the AuthZEN policy"
AUTHZEN_ONE='{"subject":{"type":"user","id":"cg-user"},"action":{"name":"read"},"resource":{"type":"doc","id":"1","properties":{"ownerID":"cg-user"}}}'

ENDPOINTS=(discovery client_credentials introspect userinfo authorize authzen_one refresh authorize_1k)
declare -A LABEL=(
  [discovery]="discovery GET"
  [client_credentials]="client_credentials (ES256)"
  [introspect]="introspection"
  [userinfo]="userinfo GET"
  [authorize]="permission check"
  [authzen_one]="AuthZEN evaluation (one condition)"
  [refresh]="refresh_token (ES256, no ID token)"
  [authorize_1k]="permission check, 1,000 policies (100 on the action)"
)

# curl arguments for ENDPOINT (the URL goes in the config file, once per request)
endpoint_args() {
  case "$1" in
    discovery) ARGS=() URL=$ISS/.well-known/openid-configuration ;;
    client_credentials) ARGS=(-H "Authorization: Basic $BASIC" -d grant_type=client_credentials) URL=$ISS/oauth2/token ;;
    introspect) ARGS=(-H "Authorization: Basic $BASIC" -d "token=$USER_AT") URL=$ISS/oauth2/introspect ;;
    userinfo) ARGS=(-H "Authorization: Bearer $USER_AT") URL=$ISS/oauth2/userinfo ;;
    authorize | authorize_1k)
      ARGS=(-H "Authorization: Bearer $ADMIN_AT" -H 'Content-Type: application/json' -d '{"resource":"ledger","action":"post"}')
      URL=$ISS/api/v1/authorize ;;
    authzen_one)
      ARGS=(-H "Authorization: Bearer $ADMIN_AT" -H 'Content-Type: application/json' -d "$AUTHZEN_ONE")
      URL=$ISS/access/v1/evaluation ;;
  esac
}

# A curl config of COUNT refresh requests, each with the next unused token (send
# runs in a subshell, so the count of used tokens lives in a file); `next`
# starts another request on the same connection.
echo 0 >"$W/refresh-used"
refresh_config() { # COUNT FILE
  local tok used sep=""
  used=$(cat "$W/refresh-used")
  : >"$2"
  while read -r tok; do
    printf '%surl = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' "$sep" "$ISS/oauth2/token" >>"$2"
    printf 'header = "Authorization: Basic %s"\ndata = "grant_type=refresh_token&refresh_token=%s"\n' \
      "$BASIC" "$tok" >>"$2"
    sep=$'next\n'
  done < <(sed -n "$((used + 1)),$((used + $1))p" "$REFRESH_TOKENS")
  echo $((used + $1)) >"$W/refresh-used"
}

send() { # ENDPOINT COUNT -> number of 2xx answers
  local cfg=$W/curl-$1.cfg
  if [ "$1" = refresh ]; then
    refresh_config "$2" "$cfg"
    curl -s --max-time 600 -K "$cfg" | grep -c '^2' || true
    return
  fi
  endpoint_args "$1"
  : >"$cfg"
  for _ in $(seq 1 "$2"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$URL" >>"$cfg"; done
  curl -s --max-time 600 -w '%{http_code}\n' "${ARGS[@]}" -K "$cfg" | grep -c '^2' || true
}

warm() { # ENDPOINT
  local ok
  ok=$(send "$1" "$WARM")
  [ "$ok" = "$WARM" ] || die "warm-up of $1: $ok of $WARM answers were 2xx"
}
for e in "${ENDPOINTS[@]}"; do
  [ "$e" = authorize_1k ] || warm "$e"
done
log "warm-up done ($WARM requests per endpoint)"

# callgrind_annotate's function list as a markdown table: annot INCLUSIVE(yes|no) DUMP ROWS
annot() {
  {
    echo "| function | object | Ir/request | share |"
    echo "|---|---|---:|---:|"
    callgrind_annotate --inclusive="$1" --threshold=100 "$2" 2>/dev/null |
      awk -v n="$N" -v rows="$3" '
        /^ *[0-9,]+ \( *[0-9.]+%\)/ && !/PROGRAM TOTALS/ {
          ir = $1; gsub(",", "", ir)
          pct = $0; sub(/^[^(]*\( */, "", pct); sub(/%\).*/, "", pct)
          if (pct + 0 > 95) next
          rest = $0; sub(/^[^)]*\) +/, "", rest)
          lib = ""
          if (match(rest, / \[[^]]*\]$/)) { lib = substr(rest, RSTART + 2, RLENGTH - 3); rest = substr(rest, 1, RSTART - 1) }
          sub(/.*\//, "", lib); sub(/\.so.*/, "", lib)
          fn = rest; sub(/.*:/, "", fn)
          if (fn ~ /^0x/) { sub(/^0x0*/, "0x", fn) }
          # a line without an object repeats a function under another spelling of its file
          if (lib == "" || (fn "@" lib) in seen) next
          seen[fn "@" lib] = 1
          if (++k > rows) exit
          printf "| `%s` | %s | %.0f | %s %% |\n", fn, lib, ir / n, pct
        }'
  } || true
}

ROWS=""
TOPS=""
k=0
for e in "${ENDPOINTS[@]}"; do
  if [ "$e" = authorize_1k ]; then
    log "creating 1,000 policies"
    "$HERE/seed_policies.sh" "$ISS" "$ADMIN_AT" || die "could not create the 1,000 policies"
    warm "$e"
  fi
  callgrind_control -z "$VPID" >/dev/null 2>&1
  ok=$(send "$e" "$N")
  callgrind_control -d "$e" "$VPID" >/dev/null 2>&1
  k=$((k + 1))
  dump=$(ls -t "$W"/callgrind.out.* 2>/dev/null | head -1)
  [ -n "$dump" ] || die "no callgrind dump after $e"
  mv "$dump" "$W/dump-$e"
  ir=$(awk '/^summary:/ {print $2; exit}' "$W/dump-$e")
  [ -n "$ir" ] || die "no totals in the dump for $e"
  per=$(awk -v ir="$ir" -v n="$N" 'BEGIN {printf "%.0f", ir / n}')
  note=""
  [ "$ok" = "$N" ] || note=" (only $ok of $N answers 2xx: VOID)"
  log "$e: $ir Ir over $N requests = $per Ir/request$note"
  ROWS+="| ${LABEL[$e]} | $N | $(printf '%s' "$ir" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta') | $(printf '%s' "$per" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')$note |"$'\n'
  TOPS+=$'\n'"**${LABEL[$e]}** ($per Ir/request)"$'\n\n'
  TOPS+="Inclusive (a function with all it calls; the server's thread-pool frames above 95 % left out):"$'\n\n'
  TOPS+="$(annot yes "$W/dump-$e" 14)"$'\n\n'"Exclusive (instructions in the function itself):"$'\n\n'
  TOPS+="$(annot no "$W/dump-$e" 10)"$'\n'
done

TABLE="| endpoint | requests | Ir (all server threads) | Ir per request |
|---|---:|---:|---:|
$ROWS"
printf '%s' "$TABLE"

if [ -n "$MD_OUT" ]; then
  {
    echo "\`test/bench/callgrind.sh\`: Portcullis under \`valgrind --tool=callgrind\` ($(valgrind --version)),"
    echo "fresh SQLite store, $WARM warm-up requests per endpoint, then per endpoint the"
    echo "counters zeroed, $N requests sent by one keep-alive curl, the counters dumped."
    echo "Instruction counts do not depend on the machine's load; they do depend on the"
    echo "binary, the libraries and the inputs."
    echo
    printf '%s' "$TABLE"
    echo
    echo "<details><summary>Where the instructions go (callgrind_annotate per endpoint)</summary>"
    echo "$TOPS"
    echo "</details>"
  } >"$MD_OUT"
fi
