#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The suite must pass wherever a person clones, including a directory that other
# users cannot enter (a checkout under /root, mode 0700). This copies the
# committed tree (and the installed e2e packages) into such a directory, builds
# it there, and runs the tests that start services as another user: the
# PostgreSQL storage contract and one PostgreSQL end-to-end file.
#   test/ci/private-checkout.sh
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
jail=$(mktemp -d "${TMPDIR:-/tmp}/pc-private.XXXXXX")
trap 'rm -rf "$jail"' EXIT
chmod 700 "$jail"
tree="$jail/checkout"
mkdir "$tree"
(cd "$src" && git ls-files -z | xargs -0 cp --parents -t "$tree")
[ -d "$src/test/e2e/node_modules" ] && cp -a "$src/test/e2e/node_modules" "$tree/test/e2e/"
echo "private checkout: $tree (mode $(stat -c %a "$jail"), owner $(stat -c %U "$jail"))"
cmake -S "$tree" -B "$tree/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$tree/build" -j"$(nproc)" >/dev/null
ctest --test-dir "$tree/build" --output-on-failure -j1 -R '^(storage/postgresql|e2e/iam-postgresql)$'
