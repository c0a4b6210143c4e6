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

const retentionUsage = `usage: booth retention run [--now T] [--config FILE] [--db FILE]

Applies biometric retention now: deletes every face capture whose time is up
(US citizens and unknown citizenship 12 h after capture, non-citizens 14 days
after, or the configuration's shorter overrides), audits each purge and
records a biometric.purged event on its crossing. --now (RFC 3339) evaluates
the rules at another time, for audits and tests. The booth also does this by
itself in the background.`

// runRetention implements `booth retention`.
func runRetention(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return runActions("retention", retentionUsage, args, stdout, stderr, map[string]func([]string) int{
		"run": func(args []string) int { return runRetentionRun(args, stdout, stderr) },
	})
}

func runRetentionRun(args []string, stdout, stderr io.Writer) int {
	fs, sf := maintenanceFlags("booth retention run", retentionUsage, stderr)
	nowFlag := fs.String("now", "", "evaluate retention at this RFC 3339 time (default: now)")
	if ok, code := parseMaintenanceFlags(fs, args, stderr, ""); !ok {
		return code
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339Nano, *nowFlag)
		if err != nil {
			return usageError(stderr, "retention run: --now %q is not an RFC 3339 time like 2026-11-25T18:00:00Z", *nowFlag)
		}
		now = t
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
