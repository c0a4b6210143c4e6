#!/usr/bin/env bash
# Long power-loss run (docs/benchmarks/powerloss.md): the booth's Append and
# the port server's ingest write to a database on lazyfs, a FUSE file system
# that keeps writes in memory until fsync (directory entries until the
# directory's fsync); each cycle cuts the power at a random point (after K
# acknowledgements, at the N-th file-system operation, or after a delay),
# SIGKILLs the writer, drops everything unsynced (or keeps a torn subset),
# remounts and checks integrity_check, every acknowledged event, gap-free
# sequences, the outbox tail and the high-water marks. Four runs: booth and
# server, each with dropped and with torn unsynced writes; then the same
# booth run with synchronous=OFF, which must be caught losing events.
# The short version (~30 cycles) runs in `go test ./...`.
#
#   scripts/powerloss.sh [CYCLES] [SEED]    (cycles per run, default 200;
#                                             seed default: time-based)
# Needs /dev/fuse and root or fusermount (Debian: apt-get install fuse3).
# Appends each run's summary and cycles to $REPORT (default
# powerloss-report.txt in the current directory).
set -euo pipefail
cd "$(dirname "$0")/.."
cycles="${1:-200}"
seed="${2:-$(( $(date +%s) % 1000000 ))}"
report="${REPORT:-$PWD/powerloss-report.txt}"
if [ ! -e /dev/fuse ]; then
	echo "powerloss: /dev/fuse is missing; this machine cannot run the power-loss test" >&2
	exit 2
fi
bin="$(mktemp -d)/powerloss.test"
go test -c -o "$bin" ./sqlitestore/internal/powerloss
echo "powerloss: $cycles cycles per run, seed $seed, report $report"
# The child processes are this binary again. The synchronous=OFF run's
# VIOLATION lines are expected: that run must lose events.
BOOTH_POWERLOSS_CYCLES="$cycles" BOOTH_POWERLOSS_RUNSEED="$seed" BOOTH_POWERLOSS_REPORT="$report" \
	"$bin" -test.run '^(TestPowerLoss|TestPowerLossDetectsSyncOff)$' -test.count=1 -test.v -test.timeout 24h
