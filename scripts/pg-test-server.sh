#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Start or stop a throwaway PostgreSQL server for the storage tests.
#
#   scripts/pg-test-server.sh start DIR   prints (and writes to DIR/uri) a libpq URI
#   scripts/pg-test-server.sh stop DIR    stops the server and removes DIR
#
# Installs Debian's `postgresql` package if no initdb is found. As root the
# server runs as the `postgres` system user; otherwise as the caller.
set -eu

DB=portcullis_test

die() {
    echo "pg-test-server: $*" >&2
    exit 1
}

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}

find_bindir() {
    local f
    while IFS= read -r f; do
        if [ -x "$f" ]; then
            dirname "$f"
            return 0
        fi
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V -r)
    return 1
}

install_postgresql() {
    [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed and we are not root to install it"
    export DEBIAN_FRONTEND=noninteractive
    echo "pg-test-server: installing postgresql" >&2
    apt-get install -y -q --no-install-recommends postgresql >&2 ||
        { apt-get update -q >&2 && apt-get install -y -q --no-install-recommends postgresql >&2; } ||
        die "apt-get install postgresql failed"
}

# Run a command as the server's owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' &&
            return 0
    fi
    port=55432
    while [ "$port" -lt 56432 ]; do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
        port=$((port + 1))
    done
    return 1
}

# The cluster's data, socket and log live in a private directory made for the
# server's owner under $TMPDIR (else /tmp), never in DIR: DIR may sit in a
# checkout under a home the `postgres` user cannot enter (/root is 0700).
# DIR only records where things are (datadir, sockdir, logfile, sidedir, port, uri).
pick_dirs() {
    dir=$1
    base=${TMPDIR:-/tmp}
    side=$(mktemp -d "$base/pcpg.XXXXXX" 2>/dev/null) || side=""
    if [ -n "$side" ]; then
        [ "$(id -u)" -ne 0 ] || chown postgres: "$side"
        if ! as_owner test -w "$side" || [ "${#side}" -ge 80 ] || [ "$side" != "${side#* }" ]; then
            rm -rf "$side"
            side=""
        fi
    fi
    if [ -z "$side" ]; then
        side=$(mktemp -d /tmp/pcpg.XXXXXX) || die "cannot create a directory in /tmp"
        [ "$(id -u)" -ne 0 ] || chown postgres: "$side"
    fi
    chmod 700 "$side"
    echo "$side/data" >"$dir/datadir"
    echo "$side" >"$dir/sockdir"
    echo "$side/server.log" >"$dir/logfile"
    echo "$side" >"$dir/sidedir"
}

start_server() {
    dir=$1 bindir=$2
    datadir=$(cat "$dir/datadir")
    sockdir=$(cat "$dir/sockdir")
    logfile=$(cat "$dir/logfile")
    as_owner "$bindir/initdb" -D "$datadir" -U postgres -A trust --auth-host=trust \
        -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        as_owner "$bindir/initdb" -D "$datadir" -U postgres -A trust --auth-host=trust \
            -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    for attempt in 1 2 3 4 5; do
        port=$(free_port) || die "no free TCP port"
        if as_owner "$bindir/pg_ctl" -D "$datadir" -l "$logfile" -w -t 60 start \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $sockdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            >&2; then
            echo "$port" >"$dir/port"
            return 0
        fi
        echo "pg-test-server: start on port $port failed (attempt $attempt)" >&2
    done
    cat "$logfile" >&2 || true
    die "the server did not start"
}

wait_ready() {
    bindir=$1 port=$2
    i=0
    until "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; do
        i=$((i + 1))
        [ "$i" -lt 120 ] || die "the server on port $port is not ready"
        sleep 0.5
    done
}

# pg_isready's status for the server recorded in DIR: 0 accepting, 1 starting or
# stopping, 2 no answer (pg_ctl status is not enough: a zombie postmaster looks alive).
probe() {
    dir=$1 bindir=$2
    [ -f "$dir/port" ] || return 2
    "$bindir/pg_isready" -q -h 127.0.0.1 -p "$(cat "$dir/port")" -U postgres
}

do_start() {
    dir=$1
    bindir=$(find_bindir) || { install_postgresql && bindir=$(find_bindir); } ||
        die "initdb not found after installing postgresql"
    # Already running from an earlier start: hand back the same server.
    if [ -f "$dir/uri" ] && probe "$dir" "$bindir"; then
        cat "$dir/uri"
        return 0
    fi
    do_stop "$dir" 2>/dev/null || true
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    pick_dirs "$dir"
    start_server "$dir" "$bindir"
    port=$(cat "$dir/port")
    wait_ready "$bindir" "$port"
    "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE DATABASE $DB" >&2 || die "CREATE DATABASE failed"
    echo "postgresql://postgres@127.0.0.1:$port/$DB" >"$dir/uri"
    cat "$dir/uri"
}

do_stop() {
    dir=$1
    [ -d "$dir" ] || return 0
    if [ -f "$dir/datadir" ] && bindir=$(find_bindir); then
        datadir=$(cat "$dir/datadir")
        rc=0
        probe "$dir" "$bindir" || rc=$?
        if [ -f "$datadir/postmaster.pid" ] && [ "$rc" -ne 2 ]; then
            as_owner "$bindir/pg_ctl" -D "$datadir" -w -t 60 stop -m fast >&2 || true
        fi
    fi
    if [ -f "$dir/sidedir" ]; then
        side=$(cat "$dir/sidedir")
        case "$side" in */pcpg.*) rm -rf "$side" ;; esac
    fi
    rm -rf "$dir"
}

[ $# -eq 2 ] || usage
[ -n "$2" ] || usage
case "$1" in
start) do_start "$2" ;;
stop) do_stop "$2" ;;
*) usage ;;
esac
