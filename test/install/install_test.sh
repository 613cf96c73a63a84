#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the build into a scratch DESTDIR and checks what an operator gets: files and modes,
# the default configuration and the systemd unit (systemd-analyze), and the installed server
# run from there, without the source tree, through discovery, a token and a browser sign-in.
# Usage: install_test.sh BUILD_DIR PREFIX NODE
set -euo pipefail
build=$1 prefix=$2 node=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-install-XXXXXX")
trap 'rm -rf "$root"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

DESTDIR=$root cmake --install "$build" >/dev/null
p=$root$prefix
etc=$(sed -n 's/^Environment=PORTCULLIS_CONFIG=//p' "$build/packaging/portcullis.service")
[ -x "$p/bin/portcullis" ] || fail "no binary in $p/bin"
for f in "$p/share/portcullis/webapp/login.html" "$p/share/portcullis/webapp/assets" \
  "$p/include/portcullis/plugin.h" "$p/share/pkgconfig/portcullis-plugin.pc" \
  "$p/share/man/man8/portcullis.8" "$p/lib/systemd/system/portcullis.service" "$root$etc"; do
  [ -e "$f" ] || fail "not installed: ${f#$root}"
done
n=0
for so in "$p"/lib/portcullis/plugins/*.so; do
  [ "$(stat -c %a "$so")" = 644 ] || fail "${so#$root} has mode $(stat -c %a "$so"), not 0644"
  n=$((n + 1))
done
[ "$n" -ge 5 ] || fail "only $n plugins installed"
[ "$(stat -c %a "$root$etc")" = 644 ] || fail "$etc is not 0644 (the service user reads it)"
man -l "$p/share/man/man8/portcullis.8" >/dev/null 2>&1 || command -v man >/dev/null ||
  echo "note: man not installed, page not rendered"
PKG_CONFIG_PATH=$p/share/pkgconfig pkg-config --cflags portcullis-plugin | grep -q -- "-I$prefix/include" ||
  fail "pkg-config does not name $prefix/include"

# The installed binary finds the installed plugins by itself.
unset PORTCULLIS_PLUGIN_DIR PORTCULLIS_WEBAPP_DIR
"$p/bin/portcullis" plugins | grep -q "plugins in $p/lib/portcullis/plugins" ||
  fail "the installed binary does not use $prefix/lib/portcullis/plugins"

# The shipped configuration parses; the environment overrides its paths for this run.
data=$root/data
mkdir -p "$data"
PORTCULLIS_CONFIG=$root$etc PORTCULLIS_STORE="sqlite://$data/p.db" \
  PORTCULLIS_MASTER_KEY_FILE="$data/master.key" "$p/bin/portcullis" migrate | grep -q "schema version 0 ->" ||
  fail "migrate with the shipped configuration failed"

# A marker in the installed page proves the pages come from the install tree.
echo "<!-- installed-copy-marker -->" >>"$p/share/portcullis/webapp/login.html"

unit="$p/lib/systemd/system/portcullis.service"
if command -v systemd-analyze >/dev/null; then
  # verify checks ExecStart exists: point it at the installed binary for the check.
  sed "s#$prefix/bin/portcullis#$p/bin/portcullis#g" "$unit" >"$root/portcullis.service"
  systemd-analyze verify --man=no "$root/portcullis.service" 2>&1 | tee "$root/verify.txt"
  if grep -v -e "Failed to .*cgroup" -e "^$" "$root/verify.txt" | grep -q .; then
    fail "systemd-analyze verify complained"
  fi
  exposure=$(systemd-analyze security --offline=yes "$root/portcullis.service" 2>/dev/null |
    sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
  [ -n "$exposure" ] || fail "systemd-analyze security gave no exposure level"
  echo "systemd-analyze security: exposure $exposure"
  awk -v e="$exposure" 'BEGIN { exit !(e < 2.0) }' || fail "unit exposure $exposure is not below 2.0"
else
  echo "SKIP: systemd-analyze not found, unit not verified"
fi

PORTCULLIS_BIN=$p/bin/portcullis INSTALLED_PREFIX=$p \
  "$node" --test --test-reporter=spec "$here/installed.test.mjs"
