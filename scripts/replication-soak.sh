#!/usr/bin/env bash
# Long reliability run of booth -> port server replication (DESIGN §7):
# three headless booths and the real port server, as separate processes,
# behind a fault-injecting proxy; random delay, ack loss, partitions, cut
# connections and SIGKILL of either side for DURATION, then every booth
# drains and the server must hold exactly the events each committed.
#
#   scripts/replication-soak.sh [DURATION]     (Go duration, default 10m)
set -euo pipefail
cd "$(dirname "$0")/.."
dur="${1:-10m}"
# The soak bounds itself (DURATION, then at most 5 minutes to drain); the
# test timeout is only a backstop.
BOOTH_SOAK="$dur" exec go test ./cmd/portserver -run '^TestSoak$' -count=1 -v -timeout 48h
