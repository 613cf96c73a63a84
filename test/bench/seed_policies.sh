#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Creates 1,000 policies in a tenant for the permission-check figure "with 1,000 policies":
# 100 on the action the benchmarks ask (ledger:post), 50 allow and 50 deny, each with a
# condition that does not hold, so a decision evaluates all 100; 900 on other actions.
# Usage: seed_policies.sh ISSUER ACCESS_TOKEN   (the token needs policies:create and ledger:*)
set -euo pipefail
ISS=${1:?issuer}
TOKEN=${2:?access token}
cfg=$(mktemp)
trap 'rm -f "$cfg"' EXIT

sep=""
for i in $(seq 1 1000); do
  if [ "$i" -le 50 ]; then
    body='{"name":"bench-allow-'$i'","effect":"allow","actions":["ledger:post"],"condition":{"eq":["resource.properties.desk","d'$i'"]}}'
  elif [ "$i" -le 100 ]; then
    body='{"name":"bench-deny-'$i'","effect":"deny","actions":["ledger:*"],"condition":{"ip_in":["context.ip",["10.'$i'.0.0/16"]]}}'
  else
    body='{"name":"bench-other-'$i'","effect":"allow","actions":["res'$i':read"],"condition":{"eq":["resource.id","r'$i'"]}}'
  fi
  # `next` resets every option: each request carries its own headers
  printf '%surl = "%s/api/v1/policies"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' "$sep" "$ISS" >>"$cfg"
  printf 'header = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata = %s\n' \
    "$TOKEN" "$(jq -Rn --arg b "$body" '$b')" >>"$cfg"
  sep=$'next\n'
done
created=$(curl -s --max-time 1200 -K "$cfg" | grep -c '^201' || true)
if [ "$created" != 1000 ]; then
  echo "seed_policies.sh: only $created of 1,000 policies were created" >&2
  exit 1
fi
