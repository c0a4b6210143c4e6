#!/usr/bin/env bash
# Long run of the national tier (docs/national.md): the scenario of
# `go test ./jetstream -run TestNationalScenario` with many more events. A
# 3-node hub and two port servers' leaf nodes on loopback; during ingest the
# CROSSINGS leader is killed (and restarted), port 2608's leaf link is cut
# for 3 s and restored, port server 3104 restarts. Every hub node's index
# must end with exactly the union of both ports' event ids, each once, and
# `hub status` must show no lag.
#
#   scripts/national-soak.sh [CROSSINGS_PER_PORT]   (default 5000: 40,000 events)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-5000}"
NATIONAL_SOAK_CROSSINGS="$n" exec go test ./jetstream -run '^TestNationalScenario$' -count=1 -v -timeout 2h
