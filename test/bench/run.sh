#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Load benchmark of Portcullis side by side with Glewlwyd 2.7 on loopback; writes docs/benchmarks.md.
#
# Usage: test/bench/run.sh            (what `make bench` runs)
#
# Installs what it lacks (Debian packages, through apt-get), builds Portcullis if
# needed, starts Portcullis and Glewlwyd on free 127.0.0.1 ports with SQLite
# stores in a temporary directory, and measures every figure for both servers in
# alternating runs (Portcullis, Glewlwyd, Portcullis, Glewlwyd, ...) with
# wrk -t2 -c32: a warm-up run per server, then BENCH_ROUNDS measured runs each,
# medians reported. It also measures the raw signing and argon2id rates of this
# machine, resident memory, the time from exec to ready, and (callgrind.sh)
# instructions per request. Nothing is asserted: the figures are printed as one
# table and written to docs/benchmarks.md. Everything started is stopped on exit.
#
# If the build fails (a tree being edited) and build/portcullis exists, that binary is
# measured and the report says so; BENCH_REQUIRE_BUILD=1 makes a failed build fatal.
#
# Knobs (environment): BENCH_ROUNDS (3), BENCH_DURATION (10 s), BENCH_WARMUP (3 s),
# BENCH_CALLGRIND (1: run callgrind.sh at the end), BENCH_OUT (docs/benchmarks.md),
# BENCH_KEEP (1: keep the temporary directory with the servers' logs).
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-3}
THREADS=2
CONNS=32
OUT_MD=${BENCH_OUT:-$ROOT/docs/benchmarks.md}
DO_CALLGRIND=${BENCH_CALLGRIND:-1}
BIN=$ROOT/build/portcullis
START_TS=$(date +%s)
LOAD_BEFORE=$(cut -d" " -f1-3 /proc/loadavg)

CLIENT_SECRET=bench-client-secret-0123456789abcdef
ADMIN_PASSWORD=Bench-Admin-Password-1
USER_NAME=bench
USER_PASSWORD=Bench-Password-1
POOL_SIZE=$((CONNS * 2)) # refresh tokens per refresh run: twice the connections

log() { printf '[bench %4ds] %s\n' "$(($(date +%s) - START_TS))" "$*" >&2; }
die() {
  log "FATAL: $*"
  exit 1
}

# ---------------------------------------------------------------- install
install_missing() {
  local cmds=(wrk:wrk glewlwyd:glewlwyd rnbyc:rnbyc sqlite3:sqlite3 jq:jq curl:curl
    valgrind:valgrind callgrind_control:valgrind gcc:gcc openssl:openssl
    pkg-config:pkg-config base64:coreutils)
  local libs=(libgnutls28-dev libargon2-dev)
  local missing=() c p
  for c in "${cmds[@]}"; do
    command -v "${c%%:*}" >/dev/null 2>&1 || missing+=("${c##*:}")
  done
  for p in "${libs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build_portcullis() {
  if [ ! -f "$ROOT/build/CMakeCache.txt" ]; then
    log "configuring build/ (first build)"
    "$ROOT/scripts/install-deps.sh" build
    cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  log "cmake --build build"
  BUILD_NOTE="built by this run"
  if ! cmake --build "$ROOT/build" -j"$(nproc)" >"$WORK/build.log" 2>&1; then
    tail -30 "$WORK/build.log" >&2
    # A tree being edited may not build for a while; measure the last binary built, and say so.
    [ -x "$BIN" ] && [ "${BENCH_REQUIRE_BUILD:-0}" != 1 ] || die "the Portcullis build failed"
    BUILD_NOTE="the build failed in this run (tree mid-edit); measured the existing build/portcullis of $(date -u -r "$BIN" +%Y-%m-%dT%H:%M:%SZ)"
    log "WARNING: $BUILD_NOTE"
  fi
  [ -x "$BIN" ] || die "no $BIN after the build"
}

build_helpers() {
  local cf=(-O2 -Wall -Wextra)
  # shellcheck disable=SC2046 # pkg-config's flags are meant to be split
  gcc "${cf[@]}" -o "$WORK/sign_rate" "$HERE/sign_rate.c" $(pkg-config --cflags --libs gnutls) -lpthread
  gcc "${cf[@]}" -o "$WORK/argon2_rate" "$HERE/argon2_rate.c" -largon2 -lpthread
  gcc "${cf[@]}" -o "$WORK/startup_ms" "$HERE/startup_ms.c"
}

# ---------------------------------------------------------------- processes
PIDS=()
cleanup() {
  local rc=$? pid i
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ -n "${WORK:-}" ] && [ -d "$WORK" ]; then
    if [ "$rc" -ne 0 ] || [ "${BENCH_KEEP:-0}" = 1 ]; then
      log "logs kept in $WORK"
    else
      rm -rf "$WORK"
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stop_pid() { # PID: SIGTERM, wait up to 10 s, then SIGKILL
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

USED_PORTS=" "
free_port() { # a loopback port nobody listens on (and that this script has not handed out)
  local p i
  for i in $(seq 1 500); do
    p=$((20000 + RANDOM % 40000))
    case "$USED_PORTS" in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      USED_PORTS+="$p "
      echo "$p"
      return 0
    fi
  done
  die "no free port"
}

wait_200() { # URL SECONDS
  local url=$1 deadline=$(($(date +%s) + $2))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)" = 200 ] && return 0
    sleep 0.05
  done
  return 1
}

cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; } # all cores, not idle

# Cores busy over the next second, whoever uses them.
busy_cores() {
  local b0 b1
  b0=$(busy_ticks)
  sleep 1
  b1=$(busy_ticks)
  awk -v a="$b0" -v b="$b1" -v hz="$CLK_TCK" 'BEGIN {printf "%.2f", (b - a) / hz}'
}

# Waits (at most 60 s) for the machine to be quiet: other work skews every figure.
wait_quiet() {
  local i b
  for i in $(seq 1 60); do
    b=$(busy_cores)
    awk -v b="$b" 'BEGIN {exit !(b < 0.25)}' && break
    [ $((i % 10)) -eq 1 ] && log "the machine is busy ($b cores used by other processes); waiting for it to quieten (at most 60 s)"
  done
  echo "$b"
}
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
CLK_TCK=$(getconf CLK_TCK)

median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) exit; if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# ---------------------------------------------------------------- Portcullis
pc_env() { # DIR PORT -> the environment for one instance (inherited PORTCULLIS_* dropped)
  local v
  echo "-i"
  for v in PATH HOME LANG; do [ -n "${!v:-}" ] && echo "$v=${!v}"; done
  echo "PORTCULLIS_PLUGIN_DIR=$WORK/bin/plugins"
  echo "PORTCULLIS_LISTEN=127.0.0.1:$2"
  echo "PORTCULLIS_STORE=sqlite://$1/portcullis.db"
  echo "PORTCULLIS_MASTER_KEY_FILE=$1/master.key"
  echo "PORTCULLIS_ADMIN_PASSWORD=$ADMIN_PASSWORD"
  echo "PORTCULLIS_ADMIN_CLIENT_SECRET=$CLIENT_SECRET"
  echo "PORTCULLIS_LOG_LEVEL=warning"
}

pc_start() { # DIR PORT -> PID in $STARTED
  local envs
  mapfile -t envs < <(pc_env "$1" "$2")
  (cd "$1" && exec env "${envs[@]}" "$SERVER" serve) >>"$1/server.log" 2>&1 &
  STARTED=$!
  PIDS+=("$STARTED")
  wait_200 "http://127.0.0.1:$2/readyz" 30 || die "Portcullis on :$2 not ready (see $1/server.log)"
}

pc_startup_ms() { # DIR PORT: one exec-to-/readyz measurement (the helper stops the server)
  local envs
  mapfile -t envs < <(pc_env "$1" "$2")
  (cd "$1" && "$WORK/startup_ms" "$2" /readyz 60 -- env "${envs[@]}" "$SERVER" serve) | awk '{print $2}'
}

# ---------------------------------------------------------------- Glewlwyd
g_write_conf() { # DIR PORT
  cat >"$1/glewlwyd-$2.conf" <<EOF
port=$2
bind_address="127.0.0.1"
external_url="http://127.0.0.1:$2"
login_url="login.html"
api_prefix="api"
log_mode="file"
log_level="WARNING"
log_file="$1/glewlwyd-$2.log"
cookie_secure=0
session_expiration=2419200
session_key="GLEWLWYD2_SESSION_ID"
admin_scope="g_admin"
profile_scope="g_profile"
admin_session_authentication="cookie,api_key"
profile_session_authentication="cookie"
user_module_path="/usr/lib/glewlwyd/user"
client_module_path="/usr/lib/glewlwyd/client"
user_auth_scheme_module_path="/usr/lib/glewlwyd/scheme"
plugin_module_path="/usr/lib/glewlwyd/plugin"
hash_algorithm="SHA512"
database = { type = "sqlite3"; path = "$1/glewlwyd.db"; };
EOF
}

g_start() { # DIR PORT -> PID in $STARTED
  /usr/bin/glewlwyd --config-file="$1/glewlwyd-$2.conf" >>"$1/glewlwyd.stdout" 2>&1 &
  STARTED=$!
  PIDS+=("$STARTED")
  wait_200 "http://127.0.0.1:$2/config" 30 || die "Glewlwyd on :$2 not ready (see $1)"
}

g_api() { # METHOD PATH [JSON]: the admin API with the cookie session; fails on non-2xx
  local code
  code=$(curl -s -o "$GDIR/api.out" -w '%{http_code}' --max-time 30 -b "$GDIR/cookies" -c "$GDIR/cookies" \
    -X "$1" -H 'Content-Type: application/json' ${3:+--data-binary "$3"} "http://127.0.0.1:$G_PORT$2")
  case "$code" in 2*) return 0 ;; esac
  die "Glewlwyd admin API $1 $2 answered $code: $(head -c 300 "$GDIR/api.out")"
}

g_plugin_json() { # NAME JWKS_FILE FIRST_KID: the plugin instance, from the parameter set in glewlwyd-oidc-params.json
  jq -c --arg iss "http://127.0.0.1:$G_PORT/api/$1" --rawfile jw "$2" --arg kid "$3" --arg name "$1" \
    '.iss = $iss | .["jwks-private"] = ($jw | rtrimstr("\n")) | .["default-kid"] = $kid
     | .["jwt-type"] = (if ($kid | startswith("rsa")) then "rsa" else "ecdsa" end)
     | {module: "oidc", name: $name, display_name: $name, parameters: .}' "$HERE/glewlwyd-oidc-params.json"
}

jwt_alg() { # JWT -> the alg of its header
  local h=${1%%.*}
  h=$(printf '%s' "$h" | tr '_-' '/+')
  while [ $((${#h} % 4)) -ne 0 ]; do h="$h="; done
  printf '%s' "$h" | base64 -d 2>/dev/null | jq -r '.alg // empty' 2>/dev/null || true
}

glewlwyd_setup() {
  local d=$GDIR
  zcat /usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz | sqlite3 "$d/glewlwyd.db"
  [ "$(sqlite3 "$d/glewlwyd.db" 'PRAGMA journal_mode=WAL;')" = wal ] || die "Glewlwyd database: WAL refused"
  g_write_conf "$d" "$G_PORT"
  # Keys: PEM from openssl, JWK from rnbyc, alg added; the signing key goes first.
  openssl ecparam -name prime256v1 -genkey -noout -out "$d/ec.pem" 2>/dev/null
  openssl genrsa -out "$d/rsa.pem" 2048 2>/dev/null
  rnbyc -j -f "$d/ec.pem" -k ec-1 -n 0 | jq -c '.keys[0] + {alg: "ES256", use: "sig"}' >"$d/ec.jwk"
  rnbyc -j -f "$d/rsa.pem" -k rsa-1 -n 0 | jq -c '.keys[0] + {alg: "RS256", use: "sig"}' >"$d/rsa.jwk"
  jq -c -s '{keys: .}' "$d/ec.jwk" "$d/rsa.jwk" >"$d/jwks-es256-first.json"
  jq -c -s '{keys: .}' "$d/rsa.jwk" "$d/ec.jwk" >"$d/jwks-rs256-first.json"

  g_start "$d" "$G_PORT"
  local pid=$STARTED
  g_api POST /api/auth/ '{"username":"admin","password":"password"}'
  g_api POST /api/scope/ '{"name":"bench","display_name":"bench","description":"benchmark scope","password_required":false,"scheme":{}}'
  # Two instances of the OIDC plugin, one per access-token alg (2.7.5 signs with the first key).
  g_api POST /api/mod/plugin/ "$(g_plugin_json oidc "$d/jwks-es256-first.json" ec-1)"
  g_api POST /api/mod/plugin/ "$(g_plugin_json oidcrs "$d/jwks-rs256-first.json" rsa-1)"
  g_api POST /api/user/ "{\"username\":\"$USER_NAME\",\"password\":\"$USER_PASSWORD\",\"name\":\"Bench User\",\"email\":\"bench@example.com\",\"scope\":[\"openid\",\"bench\"],\"enabled\":true}"
  g_api POST /api/client/ "{\"client_id\":\"bench-cli\",\"name\":\"bench-cli\",\"confidential\":true,\"client_secret\":\"$CLIENT_SECRET\",\"scope\":[\"openid\",\"bench\"],\"redirect_uri\":[\"http://127.0.0.1/cb\"],\"authorization_type\":[\"code\",\"password\",\"client_credentials\",\"refresh_token\",\"delete_token\"],\"token_endpoint_auth_method\":[\"client_secret_basic\",\"client_secret_post\"],\"enabled\":true}"
  stop_pid "$pid"
}

# ---------------------------------------------------------------- figures
# P = Portcullis (ES256 instance; PR = its RS256 instance), G = Glewlwyd (plugin oidc; oidcrs for RS256)
FIGS=(discovery introspect userinfo authorize authzen_one authzen_batch cc_es256 cc_rs256 password refresh authorize_1k)
declare -A FIG_NAME=(
  [discovery]="discovery GET"
  [introspect]="introspection"
  [userinfo]="userinfo GET"
  [authorize]="permission check"
  [authorize_1k]="permission check, 1,000 policies (100 on the action)"
  [authzen_one]="AuthZEN evaluation (one condition)"
  [authzen_batch]="AuthZEN evaluations, batch of 100 (req/s; ×100 decisions)"
  [cc_es256]="client_credentials ES256"
  [cc_rs256]="client_credentials RS256"
  [password]="password grant (ES256 AT, no ID token)"
  [refresh]="refresh_token (ES256 AT, no ID token)"
)
declare -A VOID_WHY=()

# Figures only Portcullis has (Glewlwyd has no permission check or AuthZEN PDP).
p_only() { case "$1" in authorize | authorize_1k | authzen_one | authzen_batch) return 0 ;; esac; return 1; }

pid_of() { # FIG SERVER
  if [ "$2" = P ]; then
    [ "$1" = cc_rs256 ] && echo "$PR_PID" || echo "$P_PID"
  else echo "$G_PID"; fi
}

# The AuthZEN request bodies: one evaluation, or 100 sharing subject and action.
authzen_body() { # FIG
  local item='{"type":"doc","id":"1","properties":{"ownerID":"'$USER_NAME'"}}'
  if [ "$1" = authzen_one ]; then
    printf '{"subject":{"type":"user","id":"%s"},"action":{"name":"read"},"resource":%s}' "$USER_NAME" "$item"
    return
  fi
  printf '{"subject":{"type":"user","id":"%s"},"action":{"name":"read"},"evaluations":[' "$USER_NAME"
  local i
  for i in $(seq 1 100); do
    printf '%s{"resource":{"type":"doc","id":"%d","properties":{"ownerID":"%s"}}}' "$([ "$i" = 1 ] || echo ,)" "$i" \
      "$([ $((i % 2)) = 0 ] && echo "$USER_NAME" || echo other)"
  done
  printf ']}'
}

# Sets URL and BENV (wrk script environment) for FIG on SERVER.
fig_request() {
  local fig=$1 srv=$2 form=application/x-www-form-urlencoded
  BENV=("BENCH_THREADS=$THREADS")
  local iss tok basic scope_cc scope_pw
  if [ "$srv" = P ]; then
    iss=$P_ISS tok=$P_ISS/oauth2/token basic=$P_BASIC scope_cc="" scope_pw="offline_access"
  else
    iss=$G_ISS tok=$G_ISS/token basic=$G_BASIC scope_cc="&scope=bench" scope_pw="bench"
  fi
  case "$fig" in
    discovery) URL=$iss/.well-known/openid-configuration ;;
    introspect)
      URL=$([ "$srv" = P ] && echo "$P_ISS/oauth2/introspect" || echo "$G_ISS/introspect")
      BENV+=(BENCH_METHOD=POST "BENCH_CTYPE=$form" "BENCH_AUTH=Basic $basic"
        "BENCH_BODY=token=$([ "$srv" = P ] && echo "$P_USER_AT" || echo "$G_USER_AT")") ;;
    userinfo)
      URL=$([ "$srv" = P ] && echo "$P_ISS/oauth2/userinfo" || echo "$G_ISS/userinfo")
      BENV+=("BENCH_AUTH=Bearer $([ "$srv" = P ] && echo "$P_USER_AT" || echo "$G_USER_AT")") ;;
    authorize | authorize_1k)
      URL=$P_ISS/api/v1/authorize
      BENV+=(BENCH_METHOD=POST BENCH_CTYPE=application/json "BENCH_AUTH=Bearer $P_ADMIN_AT"
        'BENCH_BODY={"resource":"ledger","action":"post"}') ;;
    authzen_one | authzen_batch)
      URL=$P_ISS/access/v1/evaluation
      [ "$fig" = authzen_batch ] && URL=$P_ISS/access/v1/evaluations
      BENV+=(BENCH_METHOD=POST BENCH_CTYPE=application/json "BENCH_AUTH=Bearer $P_ADMIN_AT"
        "BENCH_BODY=$(authzen_body "$fig")") ;;
    cc_es256 | cc_rs256)
      URL=$tok
      [ "$fig" = cc_rs256 ] && URL=$([ "$srv" = P ] && echo "$PR_ISS/oauth2/token" || echo "$GR_ISS/token")
      BENV+=(BENCH_METHOD=POST "BENCH_CTYPE=$form" "BENCH_AUTH=Basic $basic"
        "BENCH_BODY=grant_type=client_credentials$scope_cc") ;;
    password)
      URL=$tok
      BENV+=(BENCH_METHOD=POST "BENCH_CTYPE=$form" "BENCH_AUTH=Basic $basic"
        "BENCH_BODY=grant_type=password&username=$USER_NAME&password=$USER_PASSWORD&scope=$scope_pw") ;;
    refresh)
      URL=$tok
      # Portcullis rotates refresh tokens on every use; Glewlwyd (refresh-token-one-use "never") does not.
      BENV+=(BENCH_METHOD=POST "BENCH_CTYPE=$form" "BENCH_AUTH=Basic $basic" "BENCH_POOL=$WORK/pool-$srv.txt"
        "BENCH_ROTATE=$([ "$srv" = P ] && echo 1 || echo 0)") ;;
  esac
}

mint_pool() { # SERVER N FILE: N fresh refresh tokens from password grants
  local srv=$1 n=$2 f=$3 tok basic scope
  if [ "$srv" = P ]; then tok=$P_ISS/oauth2/token basic=$P_BASIC scope=offline_access; else tok=$G_ISS/token basic=$G_BASIC scope=bench; fi
  seq "$n" | xargs -P 4 -I{} curl -s --max-time 30 -H "Authorization: Basic $basic" \
    -d grant_type=password -d "username=$USER_NAME" -d "password=$USER_PASSWORD" -d "scope=$scope" "$tok" |
    jq -r '.refresh_token // empty' >"$f"
  [ "$(wc -l <"$f")" -eq "$n" ] || log "warning: minted $(wc -l <"$f") of $n refresh tokens on $srv"
}

probe() { # FIG SERVER: one request with curl; empty output if 2xx, else the reason
  local fig=$1 srv=$2 e kv args=() code
  fig_request "$fig" "$srv"
  local method=GET body="" ctype="" auth=""
  if [ "$fig" = refresh ]; then
    mint_pool "$srv" 1 "$WORK/probe-pool.txt"
    body="grant_type=refresh_token&refresh_token=$(head -1 "$WORK/probe-pool.txt")"
    method=POST ctype=application/x-www-form-urlencoded
  fi
  for e in "${BENV[@]}"; do
    kv=${e#*=}
    case "$e" in
      BENCH_METHOD=*) method=$kv ;; BENCH_BODY=*) body=$kv ;; BENCH_CTYPE=*) ctype=$kv ;; BENCH_AUTH=*) auth=$kv ;;
    esac
  done
  [ -n "$ctype" ] && args+=(-H "Content-Type: $ctype")
  [ -n "$auth" ] && args+=(-H "Authorization: $auth")
  [ -n "$body" ] && args+=(--data-binary "$body")
  code=$(curl -s -o "$WORK/probe.out" -w '%{http_code}' --max-time 30 -X "$method" "${args[@]}" "$URL" || true)
  case "$code" in 2*) return 0 ;; esac
  echo "probe $method $URL answered $code: $(head -c 200 "$WORK/probe.out" | tr '\n' ' ')"
}

RES= # one line per measured run: fig srv round rps p50_ms p99_ms non2xx sockerr cpu_ms cores requests wrk_cores other_cores
# The instance serving FIG on SERVER: P (Portcullis ES256), PR (Portcullis RS256) or G.
instance_of() { if [ "$2" = G ]; then echo G; elif [ "$1" = cc_rs256 ]; then echo PR; else echo P; fi; }

RESTARTS=()
# Restarts an instance that is gone (on this shared machine other sessions' clean-ups
# may stop it), on the same store and port: keys, users, clients and tokens survive.
ensure_up() { # INSTANCE
  local pid
  case "$1" in P) pid=$P_PID ;; PR) pid=$PR_PID ;; G) pid=$G_PID ;; esac
  kill -0 "$pid" 2>/dev/null && return 0
  wait "$pid" 2>/dev/null || true
  log "instance $1 (pid $pid) is gone; restarting it on the same store"
  RESTARTS+=("$1 at $(($(date +%s) - START_TS)) s")
  case "$1" in
    P) pc_start "$PDIR" "$P_PORT" && P_PID=$STARTED ;;
    PR) pc_start "$PRDIR" "$PR_PORT" && PR_PID=$STARTED ;;
    G) g_start "$GDIR" "$G_PORT" && G_PID=$STARTED ;;
  esac
}

run_one() { # FIG SERVER ROUND(0 = warm-up) SECONDS: one wrk run; redone once if the server was stopped during it
  local fig=$1 srv=$2 round=$3 secs=$4 inst attempt pid out line t0 t1 m0 m1 r
  inst=$(instance_of "$fig" "$srv")
  for attempt in 1 2; do
    ensure_up "$inst"
    pid=$(pid_of "$fig" "$srv")
    fig_request "$fig" "$srv"
    if [ "$fig" = refresh ]; then mint_pool "$srv" "$POOL_SIZE" "$WORK/pool-$srv.txt"; fi
    t0=$(cpu_ticks "$pid")
    m0=$(busy_ticks)
    # `times` in the same subshell reports the CPU time of its one child, wrk.
    out=$(
      env "${BENV[@]}" wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --timeout 10s -s "$HERE/bench.lua" "$URL" 2>&1 || true
      times
    )
    m1=$(busy_ticks)
    t1=$(cpu_ticks "$pid" 2>/dev/null || echo "")
    [ -n "$t1" ] && break
    log "$fig $srv: the server was stopped during the run (attempt $attempt)"
  done
  if [ -z "$t1" ]; then
    VOID_WHY[$fig.$srv]="the server was stopped from outside during two attempts of one run"
    return 0
  fi
  line=$(grep '^BENCH ' <<<"$out" || true)
  if [ -z "$line" ]; then
    VOID_WHY[$fig.$srv]="wrk gave no result: $(tail -4 <<<"$out" | tr '\n' ' ')"
    return 0
  fi
  local wrk_cpu
  wrk_cpu=$(tail -1 <<<"$out" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] } print t }')
  r=$(awk -v t0="$t0" -v t1="$t1" -v wc="$wrk_cpu" -v m0="$m0" -v m1="$m1" -v hz="$CLK_TCK" \
    -v f="$fig" -v s="$srv" -v rd="$round" '{
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      secs = v["duration_us"] / 1e6; n = v["requests"]; cpu = (t1 - t0) / hz
      sock = v["connect"] + v["read"] + v["write"] + v["timeout"]
      client = wc / secs; other = (m1 - m0) / hz / secs - cpu / secs - client
      if (other < 0) other = 0
      printf "%s %s %s %.1f %.3f %.3f %d %d %.4f %.2f %d %.2f %.2f\n", f, s, rd, n / secs, v["p50_us"] / 1000,
        v["p99_us"] / 1000, v["non2xx"], sock, (n > 0 ? cpu * 1000 / n : 0), cpu / secs, n, client, other
    }' <<<"$line")
  if [ "$round" != 0 ]; then echo "$r" >>"$RES"; fi
  log "$(printf '%-9s %s %s  %s' "$fig" "$srv" "$([ "$round" = 0 ] && echo warm-up || echo "round $round")" \
    "$(awk '{printf "%9.1f req/s  p50 %.2f ms  p99 %.2f ms  non-2xx %d  sock-err %d  cpu %.3f ms/req (%.2f cores; wrk %.2f, others %.2f)", $4, $5, $6, $7, $8, $9, $10, $12, $13}' <<<"$r")")"
}

bench_figure() { # FIG: warm-up each server, then ROUNDS alternating runs
  local fig=$1 srvs=(P G) s why round
  p_only "$fig" && srvs=(P)
  for s in "${srvs[@]}"; do
    if [ -z "${VOID_WHY[$fig.$s]:-}" ]; then
      ensure_up "$(instance_of "$fig" "$s")"
      why=$(probe "$fig" "$s" || true)
      if [ -n "$why" ]; then
        VOID_WHY[$fig.$s]=$why
        log "$fig $s: $why"
      fi
    fi
  done
  for s in "${srvs[@]}"; do
    if [ -z "${VOID_WHY[$fig.$s]:-}" ]; then run_one "$fig" "$s" 0 "$WARMUP"; fi
  done
  for round in $(seq 1 "$ROUNDS"); do
    for s in "${srvs[@]}"; do
      if [ -z "${VOID_WHY[$fig.$s]:-}" ]; then run_one "$fig" "$s" "$round" "$DURATION"; fi
    done
  done
}

# ---------------------------------------------------------------- report helpers
col() { # FIG SRV COLUMN(4..11) -> median over measured rounds
  awk -v f="$1" -v s="$2" -v c="$3" '$1 == f && $2 == s {print $c}' "$RES" | median
}
colsum() { awk -v f="$1" -v s="$2" -v c="$3" '$1 == f && $2 == s {t += $c} END {print t + 0}' "$RES"; }
fmt_int() { # 12345.6 -> 12,346
  if [ -z "$1" ]; then echo "—"; else printf '%.0f' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; fi
}
fmt2() { [ -z "$1" ] && echo "—" && return; printf "%.2f" "$1"; }
fmt3() { [ -z "$1" ] && echo "—" && return; printf "%.3f" "$1"; }

is_void() { # FIG SRV -> 0 if void (and sets WHY)
  WHY=${VOID_WHY[$1.$2]:-}
  [ -n "$WHY" ] && return 0
  local n2 se
  n2=$(colsum "$1" "$2" 7)
  se=$(colsum "$1" "$2" 8)
  if [ "$n2" -gt 0 ] || [ "$se" -gt 0 ]; then
    WHY="$n2 non-2xx answers and $se socket errors over the measured rounds"
    return 0
  fi
  [ -z "$(col "$1" "$2" 4)" ] && WHY="not measured" && return 0
  return 1
}

cell_rps() { # FIG SRV
  if is_void "$1" "$2"; then
    if [ -n "$(col "$1" "$2" 4)" ]; then echo "VOID ($(fmt_int "$(col "$1" "$2" 4)"))"; else echo "VOID"; fi
  else fmt_int "$(col "$1" "$2" 4)"; fi
}

# ================================================================= main
WORK=$(mktemp -d /tmp/pcbench.XXXXXX)
SERVER=$WORK/bin/pcb-server
RES=$WORK/results.txt
: >"$RES"
cd "$ROOT"

install_missing
build_portcullis
build_helpers
# The whole run uses one copy of the binary and its plugins, taken right after the build:
# others may rebuild build/ meanwhile. The copy has a name of its own, so that other
# sessions sharing the machine and stopping their stray servers by name leave it alone.
mkdir -p "$WORK/bin/plugins"
cp "$BIN" "$SERVER"
cp "$ROOT"/build/plugins/*.so "$WORK/bin/plugins/"
BIN_SHA=$(sha256sum "$SERVER" | cut -c1-12)
GIT_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$ROOT" diff --quiet HEAD 2>/dev/null || GIT_REV="$GIT_REV + uncommitted changes"

# ---- raw limits of this machine: measured before the servers start, half-way and after
# they stop; the highest is the limit (other work on the machine only ever lowers it).
QUIET_BEFORE=$(wait_quiet)
log "other processes used $QUIET_BEFORE cores before the run"
measure_limits() { # SUFFIX
  log "raw GnuTLS signing rate (3 s per alg and thread count)"
  "$WORK/sign_rate" 3 | tee "$WORK/sign_rate.$1" >&2
  log "raw argon2id rate at t=2 m=19456 KiB p=1 (3 s per thread count)"
  "$WORK/argon2_rate" 3 2 19456 1 | tee "$WORK/argon2_rate.$1" >&2
}
measure_limits before
sign() { cat "$WORK"/sign_rate.* | awk -v a="$1" -v t="$2" '$2 == a && $3 == t && $6 > m {m = $6} END {print m}'; }
argon() { cat "$WORK"/argon2_rate.* | awk -v t="$1" '$5 == t && $8 > m {m = $8} END {print m}'; }
sign_at() { awk -v a="$2" -v t="$3" '$2 == a && $3 == t {print $6}' "$WORK/sign_rate.$1"; }
argon_at() { awk -v t="$2" '$5 == t {print $8}' "$WORK/argon2_rate.$1"; }

# ---- Portcullis: instance A (tenant default, access tokens ES256, the default)
PDIR=$WORK/portcullis-es256
PRDIR=$WORK/portcullis-rs256
GDIR=$WORK/glewlwyd
mkdir -p "$PDIR" "$PRDIR" "$GDIR"
P_PORT=$(free_port)
PR_PORT=$(free_port)
G_PORT=$(free_port)
P_ISS=http://127.0.0.1:$P_PORT/t/default
PR_ISS=http://127.0.0.1:$PR_PORT/t/default
G_ISS=http://127.0.0.1:$G_PORT/api/oidc
GR_ISS=http://127.0.0.1:$G_PORT/api/oidcrs
P_BASIC=$(printf '%s' "admin-cli:$CLIENT_SECRET" | base64 -w0)
G_BASIC=$(printf '%s' "bench-cli:$CLIENT_SECRET" | base64 -w0)

log "Portcullis: first start on an empty store (bootstrap), then 5 restarts, exec to /readyz 200"
P_FIRST_MS=$(pc_startup_ms "$PDIR" "$P_PORT")
[ -n "$P_FIRST_MS" ] || die "Portcullis did not start (first start)"
: >"$WORK/p_start.txt"
for i in 1 2 3 4 5; do pc_startup_ms "$PDIR" "$P_PORT" >>"$WORK/p_start.txt"; done
P_READY_MS=$(median <"$WORK/p_start.txt")
log "Portcullis ready: first start ${P_FIRST_MS} ms, restarts $(tr '\n' ' ' <"$WORK/p_start.txt")ms"

pc_start "$PDIR" "$P_PORT"
P_PID=$STARTED
sleep 0.5
P_RSS_START=$(status_kb "$P_PID" VmRSS)
P_ADMIN_AT=$(curl -s --max-time 10 -H "Authorization: Basic $P_BASIC" -d grant_type=client_credentials "$P_ISS/oauth2/token" | jq -r '.access_token // empty')
[ -n "$P_ADMIN_AT" ] || die "Portcullis: no admin token"
code=$(curl -s -o "$WORK/user.out" -w '%{http_code}' --max-time 30 -H "Authorization: Bearer $P_ADMIN_AT" \
  -H 'Content-Type: application/json' "$P_ISS/api/v1/users" \
  -d "{\"username\":\"$USER_NAME\",\"email\":\"bench@example.com\",\"password\":\"$USER_PASSWORD\",\"name\":\"Bench User\"}")
[ "$code" = 201 ] || die "Portcullis: creating the bench user answered $code: $(cat "$WORK/user.out")"
P_USER_AT=$(curl -s --max-time 30 -H "Authorization: Basic $P_BASIC" -d grant_type=password -d "username=$USER_NAME" \
  -d "password=$USER_PASSWORD" -d "scope=openid profile email" "$P_ISS/oauth2/token" | jq -r '.access_token // empty')
[ -n "$P_USER_AT" ] || die "Portcullis: no user token"
# AuthZEN figures: one allow policy with one condition on the action asked (docs/authorization.md).
code=$(curl -s -o "$WORK/policy.out" -w '%{http_code}' --max-time 30 -H "Authorization: Bearer $P_ADMIN_AT" \
  -H 'Content-Type: application/json' "$P_ISS/api/v1/policies" \
  -d '{"name":"bench-owner","effect":"allow","actions":["doc:read"],"condition":{"eq":["resource.properties.ownerID","subject.id"]}}')
[ "$code" = 201 ] || die "Portcullis: creating the bench policy answered $code: $(cat "$WORK/policy.out")"
P_HASH=$(sqlite3 "$PDIR/portcullis.db" "SELECT password_hash FROM users WHERE username='$USER_NAME'" | cut -d'$' -f2-4)
P_HASH_COST=$(cut -d'$' -f3 <<<"$P_HASH" | tr ',' ' ')

# ---- Portcullis: instance B, the same bootstrap, its default tenant switched to RS256 access tokens
log "Portcullis RS256 instance: bootstrap, set tenants.settings access_token_alg=RS256 with sqlite3, restart"
PR_FIRST_MS=$(pc_startup_ms "$PRDIR" "$PR_PORT")
[ -n "$PR_FIRST_MS" ] || die "Portcullis (RS256 instance) did not start"
sqlite3 "$PRDIR/portcullis.db" "UPDATE tenants SET settings='{\"access_token_alg\":\"RS256\"}' WHERE slug='default'"
pc_start "$PRDIR" "$PR_PORT"
PR_PID=$STARTED
alg=$(jwt_alg "$(curl -s --max-time 10 -H "Authorization: Basic $P_BASIC" -d grant_type=client_credentials "$PR_ISS/oauth2/token" | jq -r '.access_token // empty')")
[ "$alg" = RS256 ] || VOID_WHY[cc_rs256.P]="the RS256 instance signed access tokens with '${alg}', not RS256"

# ---- Glewlwyd
log "Glewlwyd: database, WAL, keys, OIDC plugins, user and client through its admin API"
glewlwyd_setup
: >"$WORK/g_start.txt"
for i in 1 2 3 4 5; do
  "$WORK/startup_ms" "$G_PORT" /config 60 -- /usr/bin/glewlwyd --config-file="$GDIR/glewlwyd-$G_PORT.conf" | awk '{print $2}' >>"$WORK/g_start.txt"
done
G_READY_MS=$(median <"$WORK/g_start.txt")
log "Glewlwyd ready (/config 200): $(tr '\n' ' ' <"$WORK/g_start.txt")ms"
g_start "$GDIR" "$G_PORT"
G_PID=$STARTED
sleep 0.5
G_RSS_START=$(status_kb "$G_PID" VmRSS)
wait_200 "$G_ISS/.well-known/openid-configuration" 30 || die "Glewlwyd OIDC plugin not answering"
G_USER_AT=$(curl -s --max-time 30 -H "Authorization: Basic $G_BASIC" -d grant_type=password -d "username=$USER_NAME" \
  -d "password=$USER_PASSWORD" -d "scope=openid bench" "$G_ISS/token" | jq -r '.access_token // empty')
[ -n "$G_USER_AT" ] || die "Glewlwyd: no user token"
for pair in "cc_es256 $G_ISS ES256" "cc_rs256 $GR_ISS RS256"; do
  set -- $pair
  alg=$(jwt_alg "$(curl -s --max-time 10 -H "Authorization: Basic $G_BASIC" -d grant_type=client_credentials -d scope=bench "$2/token" | jq -r '.access_token // empty')")
  [ "$alg" = "$3" ] || VOID_WHY[$1.G]="Glewlwyd plugin $2 signed with '${alg}', not $3"
done
G_ITER=$(sqlite3 "$GDIR/glewlwyd.db" "SELECT guw_password FROM g_user_password p JOIN g_user u ON u.gu_id = p.gu_id WHERE u.gu_username='$USER_NAME'" | awk -F, '{print $2}')

sleep 1
P_RSS_IDLE=$(status_kb "$P_PID" VmRSS)
PR_RSS_IDLE=$(status_kb "$PR_PID" VmRSS)
G_RSS_IDLE=$(status_kb "$G_PID" VmRSS)
log "idle RSS: Portcullis ${P_RSS_IDLE} kB (RS256 instance ${PR_RSS_IDLE} kB), Glewlwyd ${G_RSS_IDLE} kB"

# ---- the figures
for fig in "${FIGS[@]}"; do
  log "== ${FIG_NAME[$fig]}"
  # Last of all: the same permission check with 1,000 policies in the tenant.
  if [ "$fig" = authorize_1k ]; then "$HERE/seed_policies.sh" "$P_ISS" "$P_ADMIN_AT" || die "seeding the policies failed"; fi
  [ "$fig" = introspect ] && G_TOKENS_AT_INTROSPECT=$(sqlite3 "$GDIR/glewlwyd.db" 'SELECT count(*) FROM gpo_access_token' 2>/dev/null || echo '?')
  bench_figure "$fig"
  # Half-way, with the servers idle, the limits once more (a busy machine only lowers them).
  if [ "$fig" = authorize ]; then measure_limits middle; fi
done

P_HWM=$(status_kb "$P_PID" VmHWM || echo "")
PR_HWM=$(status_kb "$PR_PID" VmHWM || echo "")
G_HWM=$(status_kb "$G_PID" VmHWM || echo "")
P_RSS_END=$(status_kb "$P_PID" VmRSS || echo "")
G_RSS_END=$(status_kb "$G_PID" VmRSS || echo "")
G_TOKENS_END=$(sqlite3 "$GDIR/glewlwyd.db" 'SELECT count(*) FROM gpo_access_token' 2>/dev/null || echo '?')
stop_pid "$P_PID"
stop_pid "$PR_PID"
stop_pid "$G_PID"
BENCH_END_TS=$(date +%s)
measure_limits after
QUIET_AFTER=$(busy_cores)

# ---- callgrind: instructions per request
CG_MD=""
if [ "$DO_CALLGRIND" = 1 ]; then
  log "callgrind.sh: instructions per request"
  if CG_BIN=$SERVER CG_PLUGINS=$WORK/bin/plugins "$HERE/callgrind.sh" --md "$WORK/callgrind.md" >&2; then
    CG_MD=$(cat "$WORK/callgrind.md")
  else
    CG_MD="callgrind.sh failed in this run; see its output in the run log."
  fi
fi

# ================================================================= report
ratio() { # P G -> "12.3×"
  [ -z "$1" ] || [ -z "$2" ] && echo "—" && return
  awk -v p="$1" -v g="$2" 'BEGIN {if (g > 0) printf "%.1f×", p / g; else print "—"}'
}
pct() { [ -z "$1" ] || [ -z "$2" ] && echo "—" && return; awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.0f %%", 100 * a / b; else print "—"}'; }
lat() { [ -z "$(col "$1" "$2" 5)" ] && echo "—" && return; echo "$(fmt2 "$(col "$1" "$2" 5)") / $(fmt2 "$(col "$1" "$2" 6)")"; }
cpu() { [ -z "$(col "$1" "$2" 9)" ] && echo "—" && return; echo "$(fmt3 "$(col "$1" "$2" 9)") ($(fmt2 "$(col "$1" "$2" 10)"))"; }
errs() { [ -z "$(col "$1" "$2" 4)" ] && echo "—" && return; echo "$(colsum "$1" "$2" 7)+$(colsum "$1" "$2" 8)"; }
valid_rps() { is_void "$1" "$2" && return 0; col "$1" "$2" 4; }
mb() { [ -z "$1" ] && echo "—" && return; awk -v k="$1" 'BEGIN {printf "%.1f MB", k / 1024}'; }

table() {
  echo "| figure | Portcullis req/s | p50 / p99 ms | CPU ms/req (cores) | non-2xx+sock | Glewlwyd req/s | p50 / p99 ms | CPU ms/req (cores) | non-2xx+sock | P/G |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  local f g_rps g_lat g_cpu g_err
  for f in "${FIGS[@]}"; do
    if p_only "$f"; then
      g_rps="n/a" g_lat="n/a" g_cpu="n/a" g_err="n/a"
    else
      g_rps=$(cell_rps "$f" G) g_lat=$(lat "$f" G) g_cpu=$(cpu "$f" G) g_err=$(errs "$f" G)
    fi
    local name=${FIG_NAME[$f]}
    [ "$f" = password ] && name="$name; hash P: argon2id ${P_HASH_COST:-?}, G: PBKDF2-SHA256 ${G_ITER:-?} it."
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$(cell_rps "$f" P)" "$(lat "$f" P)" \
      "$(cpu "$f" P)" "$(errs "$f" P)" "$g_rps" "$g_lat" "$g_cpu" "$g_err" \
      "$(p_only "$f" && echo "n/a" || ratio "$(valid_rps "$f" P)" "$(valid_rps "$f" G)")"
  done
}

limits_table() {
  echo "| what | 1 thread /s | 2 threads /s | before / half-way / after: 1 thread; 2 threads |"
  echo "|---|---:|---:|---|"
  local a
  for a in ES256 RS256 EdDSA; do
    printf '| GnuTLS sign %s%s | %s | %s | %s / %s / %s; %s / %s / %s |\n' "$a" "$([ "$a" = RS256 ] && echo " (RSA-2048)")" \
      "$(fmt_int "$(sign "$a" 1)")" "$(fmt_int "$(sign "$a" 2)")" \
      "$(fmt_int "$(sign_at before "$a" 1)")" "$(fmt_int "$(sign_at middle "$a" 1)")" "$(fmt_int "$(sign_at after "$a" 1)")" \
      "$(fmt_int "$(sign_at before "$a" 2)")" "$(fmt_int "$(sign_at middle "$a" 2)")" "$(fmt_int "$(sign_at after "$a" 2)")"
  done
  printf '| argon2id t=2 m=19456 KiB p=1 (libargon2) | %s | %s | %s / %s / %s; %s / %s / %s |\n' "$(fmt2 "$(argon 1)")" "$(fmt2 "$(argon 2)")" \
    "$(fmt2 "$(argon_at before 1)")" "$(fmt2 "$(argon_at middle 1)")" "$(fmt2 "$(argon_at after 1)")" \
    "$(fmt2 "$(argon_at before 2)")" "$(fmt2 "$(argon_at middle 2)")" "$(fmt2 "$(argon_at after 2)")"
  echo
  echo "| figure as a fraction of its limit (2 threads) | Portcullis | Glewlwyd |"
  echo "|---|---:|---:|"
  printf '| client_credentials ES256 / ES256 signing | %s | %s |\n' \
    "$(pct "$(valid_rps cc_es256 P)" "$(sign ES256 2)")" "$(pct "$(valid_rps cc_es256 G)" "$(sign ES256 2)")"
  printf '| client_credentials RS256 / RSA-2048 signing | %s | %s |\n' \
    "$(pct "$(valid_rps cc_rs256 P)" "$(sign RS256 2)")" "$(pct "$(valid_rps cc_rs256 G)" "$(sign RS256 2)")"
  printf '| password grant / argon2id hashing | %s | (PBKDF2, not measured) |\n' \
    "$(pct "$(valid_rps password P)" "$(argon 2)")"
}

met() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN {if (v == "") {print "—"; exit} ok = (op == ">=") ? (v >= t) : (v < t); print (ok ? "yes" : "no")}'; }
targets_table() {
  local v g
  echo "| target | measured | met |"
  echo "|---|---:|:-:|"
  v=$(valid_rps cc_es256 P)
  printf '| client_credentials ES256 ≥ 10,000 tokens/s | %s | %s |\n' "$(fmt_int "$v")" "$(met "$v" 10000 ">=")"
  g=$(valid_rps cc_es256 G)
  printf '| client_credentials ES256 ≥ 50× Glewlwyd | %s | %s |\n' "$(ratio "$v" "$g")" \
    "$(met "$(awk -v p="$v" -v g="$g" 'BEGIN {if (p != "" && g > 0) print p / g}')" 50 ">=")"
  v=$(valid_rps cc_rs256 P)
  printf '| client_credentials RS256 ≥ 80 %% of 2-thread RSA-2048 signing | %s | %s |\n' "$(pct "$v" "$(sign RS256 2)")" \
    "$(met "$(awk -v p="$v" -v l="$(sign RS256 2)" 'BEGIN {if (p != "" && l > 0) print p / l}')" 0.8 ">=")"
  for f in introspect userinfo; do
    v=$(valid_rps $f P)
    printf '| %s ≥ 15,000 req/s | %s | %s |\n' "${FIG_NAME[$f]}" "$(fmt_int "$v")" "$(met "$v" 15000 ">=")"
  done
  v=$(valid_rps authorize P)
  printf '| permission check ≥ 20,000 req/s | %s | %s |\n' "$(fmt_int "$v")" "$(met "$v" 20000 ">=")"
  v=$(valid_rps authorize_1k P)
  printf '| permission check with 1,000 policies ≥ 90 %% of without | %s | %s |\n' "$(pct "$v" "$(valid_rps authorize P)")" \
    "$(met "$(awk -v p="$v" -v b="$(valid_rps authorize P)" 'BEGIN {if (p != "" && b > 0) print p / b}')" 0.9 ">=")"
  v=$(valid_rps authzen_one P)
  printf '| AuthZEN evaluation ≥ 25,000 req/s | %s | %s |\n' "$(fmt_int "$v")" "$(met "$v" 25000 ">=")"
  v=$(awk -v r="$(valid_rps authzen_batch P)" 'BEGIN {if (r != "") printf "%d", r * 100}')
  printf '| AuthZEN batch of 100 ≥ 300,000 decisions/s | %s | %s |\n' "$(fmt_int "$v")" "$(met "$v" 300000 ">=")"
  v=$(valid_rps discovery P)
  printf '| discovery ≥ 40,000 req/s | %s | %s |\n' "$(fmt_int "$v")" "$(met "$v" 40000 ">=")"
  v=$(valid_rps password P)
  printf '| password grant ≥ 90 %% of 2-thread argon2id rate | %s | %s |\n' "$(pct "$v" "$(argon 2)")" \
    "$(met "$(awk -v p="$v" -v l="$(argon 2)" 'BEGIN {if (p != "" && l > 0) print p / l}')" 0.9 ">=")"
  printf '| RSS idle ≤ 10 MB: just started | %s | %s |\n' "$(mb "$P_RSS_START")" "$(met "$P_RSS_START" 10241 "<")"
  printf '| RSS idle ≤ 10 MB: idle after set-up (one password grant done) | %s | %s |\n' "$(mb "$P_RSS_IDLE")" "$(met "$P_RSS_IDLE" 10241 "<")"
  printf '| RSS peak under load ≤ 50 MB | %s | %s |\n' "$(mb "$P_HWM")" "$(met "$P_HWM" 51201 "<")"
  printf '| exec to /readyz < 100 ms (SQLite, existing store) | %s ms | %s |\n' "$P_READY_MS" "$(met "$P_READY_MS" 100 "<")"
  for f in "${FIGS[@]}"; do
    [ "$f" = password ] && continue
    v=$(col "$f" P 6)
    printf '| p99 < 10 ms: %s | %s ms | %s |\n' "${FIG_NAME[$f]}" "$(fmt2 "$v")" "$(met "$v" 10 "<")"
  done
}

raw_table() {
  echo "| figure | server | round | req/s | p50 ms | p99 ms | non-2xx | socket errors | CPU ms/req | server cores | wrk cores | other cores | requests |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk '{printf "| %s | %s | %s | %.1f | %.2f | %.2f | %d | %d | %.4f | %.2f | %.2f | %.2f | %d |\n", $1, ($2 == "P" ? "Portcullis" : "Glewlwyd"), $3, $4, $5, $6, $7, $8, $9, $10, $12, $13, $11}' "$RES"
}

void_notes() {
  local k
  for k in "${!VOID_WHY[@]}"; do
    echo "- VOID ${k%.*} on $([ "${k#*.}" = P ] && echo Portcullis || echo Glewlwyd): ${VOID_WHY[$k]}"
  done
  for f in "${FIGS[@]}"; do
    for s in P G; do
      [ -n "${VOID_WHY[$f.$s]:-}" ] && continue
      if [ -n "$(col "$f" "$s" 4)" ] && is_void "$f" "$s"; then
        echo "- VOID $f on $([ "$s" = P ] && echo Portcullis || echo Glewlwyd): $WHY"
      fi
    done
  done
}

RUN_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
if [ ${#RESTARTS[@]} -eq 0 ]; then
  RESTART_NOTE="none was in this run"
else
  RESTART_NOTE="in this run ${#RESTARTS[@]} were (${RESTARTS[*]}), so a peak RSS below covers only the time since the instance's last start"
fi
BENCH_SECS=$((BENCH_END_TS - START_TS))
TOTAL_SECS=$(($(date +%s) - START_TS))

MAIN_TABLE=$(table)
echo >&2
echo "$MAIN_TABLE"

# Hand-written notes between these markers survive a re-run.
NOTES=""
if [ -f "$OUT_MD" ]; then
  NOTES=$(awk '/<!-- BEGIN HAND-WRITTEN NOTES -->/ {on = 1} on {print} /<!-- END HAND-WRITTEN NOTES -->/ {on = 0}' "$OUT_MD")
fi

mkdir -p "$(dirname "$OUT_MD")"
{
  cat <<EOF
# Benchmarks

Portcullis and Glewlwyd 2.7 side by side on one machine, over loopback. This file is
written by \`test/bench/run.sh\` (run it with \`make bench\`); the figures below are
those of the run of $RUN_DATE. Nothing here is a pass/fail test.

Command: \`make bench\` (that is \`test/bench/run.sh\`, with BENCH_ROUNDS=$ROUNDS,
BENCH_DURATION=$DURATION, BENCH_WARMUP=$WARMUP). The run took ${TOTAL_SECS} s
(${BENCH_SECS} s before callgrind).

## Machine

| | |
|---|---|
| nproc | $(nproc) |
| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') |
| memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) |
| kernel | $(uname -sr) |
| Portcullis | $("$SERVER" version 2>/dev/null | head -1), git $GIT_REV (working tree at the start of the run; $BUILD_NOTE), binary sha256 $BIN_SHA…, build type $(awk -F= '/^CMAKE_BUILD_TYPE:/ {print $2}' "$ROOT/build/CMakeCache.txt") |
| Glewlwyd | $(dpkg-query -W -f='${Version}' glewlwyd) (Debian package) |
| wrk | $(wrk -v 2>&1 | head -1 | awk '{print $2}') |
| other load | load average $LOAD_BEFORE at the start; $QUIET_BEFORE cores busy just before the figures, $QUIET_AFTER after them; during the measured runs other processes used $(awk '{print $13}' "$RES" | median) cores (median; max $(awk '{print $13}' "$RES" | sort -g | tail -1)) |
| GnuTLS / libargon2 / SQLite | $(dpkg-query -W -f='${Version}' libgnutls30) / $(dpkg-query -W -f='${Version}' libargon2-1) / $(sqlite3 --version | awk '{print $1}') |

## Results

wrk -t$THREADS -c$CONNS on the same machine (2 cores shared by wrk and the server);
each server gets a ${WARMUP} s warm-up per figure, then $ROUNDS runs of ${DURATION} s, the
two servers alternating (Portcullis, Glewlwyd, Portcullis, …); each cell is the
median over the runs. p50/p99 are wrk's latency percentiles. CPU ms/req is the
server's utime+stime (from /proc/PID/stat) over the run divided by the requests
it answered; "cores" is that CPU time over the run's duration. non-2xx (counted
in the wrk script's \`response()\`) and socket errors are summed over the
measured runs; a figure with any is VOID (its median shown in brackets).
P/G is the ratio of the medians.

$MAIN_TABLE

- Access-token alg: Portcullis runs **two instances**: the default tenant of one
  signs ES256 (the default); the other was bootstrapped, stopped, its default
  tenant's \`tenants.settings\` set to \`{"access_token_alg":"RS256"}\` with
  sqlite3, and restarted. Glewlwyd runs two instances of its OIDC plugin in one
  process, \`oidc\` (ES256 key first in \`jwks-private\`) and \`oidcrs\` (RS256
  key first), since 2.7.5 signs with the first key whatever \`default-kid\` says.
  Every other figure uses the ES256 issuer of each server.
- Clients: Portcullis's bootstrap client \`admin-cli\`; on Glewlwyd an equivalent
  confidential client \`bench-cli\` (client_secret_basic, same secret). Both
  authenticate with HTTP Basic on every token and introspection request.
- Password grant and refresh ask for no \`openid\` scope (Portcullis:
  \`offline_access\`, Glewlwyd: \`bench\`), so neither server signs an ID token:
  each answer is one ES256 access token plus a refresh token. Password hashing:
  Portcullis \`\$${P_HASH:-argon2id}\` (argon2id; m in KiB), Glewlwyd
  PBKDF2-HMAC-SHA256, ${G_ITER:-?} iterations (read from its database).
- Refresh: Portcullis rotates the refresh token on every use. The wrk script
  keeps a pool of $POOL_SIZE refresh tokens (minted by password grants before
  each run) split between wrk's two threads; each request takes a token off its
  thread's pool and each answer puts the new token back, so no token is sent
  twice (the token is carried forward per wrk thread, not per connection).
  Glewlwyd (\`refresh-token-one-use: never\`) keeps its refresh tokens, so its
  pool is used round-robin.
- Introspection and userinfo use one user access token (password grant with
  \`openid\`). Glewlwyd stores every access token it issues and slows down as
  they accumulate; its introspection and userinfo runs come before its token
  runs (${G_TOKENS_AT_INTROSPECT:-?} access tokens in its database then,
  ${G_TOKENS_END} at the end).
- The permission check is \`POST /t/default/api/v1/authorize\`
  \`{"resource":"ledger","action":"post"}\` with the admin-cli token; Glewlwyd
  has no equivalent.
- Portcullis runs from a copy of \`build/portcullis\` and its plugins taken
  right after the build (one binary for the whole run, callgrind included,
  while others may rebuild \`build/\`), named \`pcb-server\` so that other
  sessions sharing the machine and stopping their own servers by name leave
  these alone. Instances stopped from outside
  during the run are restarted on the same store and the run redone:
  ${RESTART_NOTE}.
- Glewlwyd: Debian's package, SQLite database from
  \`/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz\` switched to WAL, set
  up through its admin API (cookie session from \`POST /api/auth/\`); log level
  WARNING on both servers.
EOF
  if [ -n "$(void_notes)" ]; then
    echo
    echo "VOID figures:"
    echo
    void_notes
  fi
  cat <<EOF

## Physical limits of this machine (same run)

Measured by \`test/bench/sign_rate.c\` (GnuTLS, a 330-byte JWS input, one key
per thread, signatures counted in a fixed 3 s window) and
\`test/bench/argon2_rate.c\` (libargon2 at Portcullis's cost, 3 s), three times:
before the servers start, half-way (servers idle) and after they stop. The limit
is the highest of the three, since other work on the shared machine only ever
lowers it.

$(limits_table)

## Memory and start-up

| | Portcullis | Glewlwyd |
|---|---:|---:|
| RSS just started (VmRSS 0.5 s after ready, no request yet) | $(mb "$P_RSS_START") | $(mb "$G_RSS_START") |
| RSS idle after set-up (VmRSS; one user created, one password grant) | $(mb "$P_RSS_IDLE") | $(mb "$G_RSS_IDLE") |
| RSS peak (VmHWM at the end of all figures) | $(mb "$P_HWM") | $(mb "$G_HWM") |
| RSS at the end | $(mb "$P_RSS_END") | $(mb "$G_RSS_END") |
| exec to ready, existing store (median of 5) | ${P_READY_MS} ms (/readyz) | ${G_READY_MS} ms (/config) |
| exec to ready, first start on an empty store | ${P_FIRST_MS} ms (bootstrap: keys, admin password hash) | — |

Portcullis's RS256 instance: RSS idle $(mb "$PR_RSS_IDLE"), peak $(mb "$PR_HWM"); its
bootstrap start took ${PR_FIRST_MS} ms. Start-up is timed by \`test/bench/startup_ms.c\`,
which forks, execs the server and polls its readiness path every 200 µs.

## Against the targets

$(targets_table)

## Instructions per request (callgrind)

$CG_MD

## Every measured run

$(raw_table)
EOF
  if [ -n "$NOTES" ]; then
    echo
    echo "$NOTES"
  fi
} >"$OUT_MD"
log "wrote $OUT_MD"
