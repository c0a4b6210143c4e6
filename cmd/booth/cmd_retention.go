package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/portofentry/booth/sqlitestore/biometric"
)

const retentionUsage = `usage: booth retention run [--now T [--test-clock]] [--config FILE] [--db FILE]

Applies biometric retention now: deletes every face capture whose time is up
(US citizens and unknown citizenship 12 h after capture, non-citizens 14 days
after, or the configuration's shorter overrides), audits each purge and
records a biometric.purged event on its crossing. The booth also does this by
itself in the background.

--now (RFC 3339) evaluates the rules at another time and is for tests only: a
purge's audit entry is dated by it, so a time more than a minute in the future
is refused unless --test-clock says the clock is a test's. A time in the past
purges less, never more, than a run now.`

// maxNowAhead is how far --now may be ahead of the wall clock without
// --test-clock: clock skew between a test harness and the machine, no more.
const maxNowAhead = time.Minute

// runRetention implements `booth retention`.
func runRetention(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return runActions("retention", retentionUsage, args, stdout, stderr, map[string]func([]string) int{
		"run": func(args []string) int { return runRetentionRun(args, stdout, stderr) },
	})
}

func runRetentionRun(args []string, stdout, stderr io.Writer) int {
	fs, sf := maintenanceFlags("booth retention run", retentionUsage, stderr)
	nowFlag := fs.String("now", "", "tests only: evaluate retention at this RFC 3339 time (default: now)")
	testClock := fs.Bool("test-clock", false, "tests only: allow a --now more than a minute in the future")
	if ok, code := parseMaintenanceFlags(fs, args, stderr, ""); !ok {
		return code
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339Nano, *nowFlag)
		if err != nil {
			return usageError(stderr, "retention run: --now %q is not an RFC 3339 time like 2026-11-25T18:00:00Z", *nowFlag)
		}
		if ahead := t.Sub(now); ahead > maxNowAhead && !*testClock {
			return usageError(stderr, "retention run: --now %s is %s in the future: it would date purge audit entries ahead of the clock (tests only: add --test-clock)",
				*nowFlag, ahead.Round(time.Second))
		}
		now = t
	} else if *testClock {
		return usageError(stderr, "retention run: --test-clock goes only with --now")
	}
	cfg, err := sf.resolve()
	if err != nil {
		return usageError(stderr, "retention run: %v", err)
	}
	bioPath := biometric.Path(cfg.Database)
	if _, err := os.Stat(bioPath); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stdout, "no biometric store at %s: nothing to purge\n", bioPath)
		return 0
	}
	ctx := context.Background()
	s, err := openMaintenanceStore(ctx, cfg, false, stderr)
	if err != nil {
		return failf(stderr, "retention run: %v", err)
	}
	defer s.Close()
	bio, err := biometric.Open(ctx, bioPath, biometric.Options{
		USCRetention:    cfg.Retention.CitizenCapture.Duration,
		NonUSCRetention: cfg.Retention.NonCitizenCapture.Duration,
		Audit:           s,
		OnPurge:         biometric.RecordPurges(s),
	})
	if err != nil {
		return failf(stderr, "retention run: %v", err)
	}
	defer bio.Close()
	purged, err := bio.RunRetention(ctx, now)
	for _, p := range purged {
		fmt.Fprintf(stdout, "purged capture %s of crossing %s (captured %s, %s)\n",
			p.CaptureID, p.CrossingID, p.CapturedAt.Format(time.RFC3339), p.Reason)
	}
	if err != nil {
		return failf(stderr, "retention run: %v (purges not yet recorded are retried on the next run)", err)
	}
	fmt.Fprintf(stdout, "retention applied at %s: %d capture(s) purged\n", now.UTC().Format(time.RFC3339), len(purged))
	return 0
}
