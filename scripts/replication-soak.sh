#!/usr/bin/env bash
# Long reliability run of booth -> port server replication (docs/replication.md):
# three booth writers and the real port server, as separate processes,
# behind a fault-injecting proxy; random delay, ack loss after the server's
# commit, partitions, cut connections and SIGKILL of either side for
# DURATION, then every booth drains. Each booth reports every event at the
# moment its Append returned; the server must hold each reported event
# exactly once, nothing its booth's database does not hold, and a gap-free
# sequence per booth. The run ends by showing the check catches a loss.
# The short version (each fault once, a few seconds) runs in `go test ./...`.
#
#   scripts/replication-soak.sh [DURATION]     (Go duration, default 10m)
set -euo pipefail
cd "$(dirname "$0")/.."
dur="${1:-10m}"
# The soak bounds itself (DURATION, then at most 5 minutes to drain); the
# test timeout is only a backstop.
BOOTH_SOAK="$dur" exec go test ./cmd/portserver -run '^TestSoak$' -count=1 -v -timeout 48h
