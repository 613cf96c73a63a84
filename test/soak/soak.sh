#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Soak: the server on SQLite under a bounded mixed load for SOAK_SECONDS
# (default 600), reporting RSS, open file descriptors and errors every
# SOAK_REPORT_SECONDS (default 30). Fails on any error, or when the open file
# descriptors keep growing. Not part of CI: run it with `make soak`.
#
#   SOAK_SECONDS=120 test/soak/soak.sh
#   SOAK_WORKERS (default 4): concurrent request loops, each one request at a time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export PORTCULLIS_BIN=${PORTCULLIS_BIN:-$root/build/portcullis}
export PORTCULLIS_PLUGIN_DIR=${PORTCULLIS_PLUGIN_DIR:-$root/build/plugins}
[ -x "$PORTCULLIS_BIN" ] || { echo "soak: $PORTCULLIS_BIN not built (make build)" >&2; exit 2; }
command -v node >/dev/null || { echo "soak: node is required" >&2; exit 2; }
exec node "$here/soak.mjs"
