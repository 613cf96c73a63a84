#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Debian package: its contents, then the server run from the unpacked package (dpkg -x
# into a scratch root) through discovery, a token and a browser sign-in. With
# PC_DEB_INSTALL=1 (CI, a throwaway machine) it also installs with dpkg -i, checks the
# installed paths and the unit, and purges, checking nothing is left behind.
# Usage: deb_test.sh DEB_DIR
set -euo pipefail
debs=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
deb=$(ls "$debs"/portcullis_*.deb)
root=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-deb-XXXXXX")
trap 'rm -rf "$root"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

dpkg-deb -c "$deb" >"$root/contents"
for f in ./usr/bin/portcullis ./etc/portcullis/portcullis.conf ./usr/lib/systemd/system/portcullis.service \
  ./usr/share/man/man8/portcullis.8.gz ./usr/share/portcullis/webapp/login.html \
  ./usr/lib/portcullis/plugins/storage_sqlite.so ./usr/lib/portcullis/plugins/storage_postgresql.so; do
  grep -q " $f\$" "$root/contents" || fail "$f is not in $(basename "$deb")"
done
grep " ./usr/lib/portcullis/plugins/.*\.so$" "$root/contents" | grep -qv "^-rw-r--r--" &&
  fail "a plugin is not 0644"
dpkg-deb -x "$deb" "$root/tree"
echo "<!-- installed-copy-marker -->" >>"$root/tree/usr/share/portcullis/webapp/login.html"
unset PORTCULLIS_PLUGIN_DIR PORTCULLIS_WEBAPP_DIR
PORTCULLIS_BIN=$root/tree/usr/bin/portcullis node --test --test-reporter=spec "$here/installed.test.mjs"

[ "${PC_DEB_INSTALL:-0}" = 1 ] || { echo "dpkg -i and purge skipped (PC_DEB_INSTALL=1 runs them)"; exit 0; }
dpkg -i "$deb"
/usr/bin/portcullis version
/usr/bin/portcullis plugins | grep -q "plugins in /usr/lib/portcullis/plugins" || fail "installed plugins not found"
if [ -d /run/systemd/system ]; then
  systemctl is-active --quiet portcullis || { journalctl -u portcullis --no-pager | tail -20; fail "the service is not running"; }
fi
dpkg --purge portcullis
for p in /usr/bin/portcullis /etc/portcullis /usr/lib/portcullis /usr/share/portcullis /var/lib/portcullis; do
  [ ! -e "$p" ] || fail "$p is left after purge"
done
echo "installed, ran and purged cleanly"
