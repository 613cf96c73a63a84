#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run one fuzzer: run.sh BINARY SEED_DIR ARTIFACT_DIR RUNS. The seeds are read, never written:
# new inputs go to a scratch corpus removed afterwards; a crash is kept in ARTIFACT_DIR.
# FUZZ_SECONDS set: fuzz for that many seconds instead of RUNS executions.
set -eu
bin=$1 seeds=$2 artifacts=$3 runs=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
if [ -n "${FUZZ_SECONDS:-}" ]; then
  budget="-max_total_time=$FUZZ_SECONDS"
else
  budget="-runs=$runs"
fi
"$bin" "$budget" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "$work" "$seeds"
