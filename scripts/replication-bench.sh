#!/usr/bin/env bash
# Replication benchmarks (docs/design.md §7), as recorded in docs/benchmarks/replication.md:
# server ingest (>= 5,000 events/s), 15,000-event backlog drain (<= 5 s) and
# booth -> secondary lag with 20 booths (p99 <= 500 ms).
set -euo pipefail
cd "$(dirname "$0")/.."
go test ./replication -run '^$' -bench 'ServerIngest' -benchtime 60x -count 3
go test ./replication -run '^$' -bench 'DrainBacklog15000' -benchtime 3x -count 1
go test ./replication -run '^$' -bench 'LagBoothToSecondary20Booths' -benchtime 3000x -count 3
