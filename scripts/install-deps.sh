#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Install the Debian packages Portcullis needs, only those missing. Usage: install-deps.sh [build|test|bench|package]
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config libulfius-dev liborcania-dev libyder-dev
  libjansson-dev librhonabwy-dev libgnutls28-dev libmicrohttpd-dev libsqlite3-dev libpq-dev
  libargon2-dev libconfig-dev libcurl4-gnutls-dev libqrencode-dev libcmocka-dev libicu-dev
  libldap-dev libcbor-dev)  # libldap-dev: the ldap identity provider; libcbor-dev: passkeys
# slapd, ldap-utils: the directory the LDAP tests start (test/e2e/lib/ldap.mjs); openssl: test
# certificates; prometheus: promtool checks /metrics
test_pkgs=(clang-format clang libclang-rt-dev postgresql nodejs npm curl jq openssl python3 python3-aiosmtpd chromium apache2 libapache2-mod-auth-openidc
  slapd ldap-utils prometheus)
# Building and checking the Debian package (make deb): heavier, so not in the test set.
package_pkgs=(debhelper dpkg-dev fakeroot lintian)
bench_pkgs=(wrk glewlwyd rnbyc)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  package) want+=("${package_pkgs[@]}") ;;
esac

missing=()
for p in "${want[@]}"; do
  # A command already on the PATH counts (node and npm may come from elsewhere).
  case "$p" in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
