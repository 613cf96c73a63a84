#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the Debian packages from the working tree (tracked and new, unignored files) in a
# copy under OUT (default build/deb), so dpkg-buildpackage leaves the checkout alone, then
# runs lintian on them. Usage: build-deb.sh [OUT]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$top/build/deb}")
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$out/portcullis-$version

rm -rf "$out"
mkdir -p "$src"
(cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$src")
commit=$(git -C "$top" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
(cd "$src" && PC_GIT_COMMIT=$commit dpkg-buildpackage -us -uc -b -j"$(nproc)" >"$out/build.log" 2>&1) || {
  tail -40 "$out/build.log" >&2
  echo "dpkg-buildpackage failed: $out/build.log" >&2
  exit 1
}
ls "$out"/*.deb
# Errors fail the build; warnings are shown.
lintian --fail-on error --suppress-tags no-manual-page "$out"/*.changes
