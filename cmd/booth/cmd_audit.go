package main

import (
	"context"
	"fmt"
	"io"
)

const auditUsage = `usage: booth audit verify [--config FILE] [--db FILE]

Re-computes the audit hash chain of every workstation in the database from
its first entry. Exit 0 and a summary when every chain verifies; exit 1 and
the first bad entry (origin, seq, id and the check that failed) when one does
not.`

// runAudit implements `booth audit`.
func runAudit(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return runActions("audit", auditUsage, args, stdout, stderr, map[string]func([]string) int{
		"verify": func(args []string) int { return runAuditVerify(args, stdout, stderr) },
	})
}

func runAuditVerify(args []string, stdout, stderr io.Writer) int {
	fs, sf := maintenanceFlags("booth audit verify", auditUsage, stderr)
	if ok, code := parseMaintenanceFlags(fs, args, stderr, ""); !ok {
		return code
	}
	cfg, err := sf.resolve()
	if err != nil {
		return usageError(stderr, "audit verify: %v", err)
	}
	ctx := context.Background()
	s, err := openMaintenanceStore(ctx, cfg, true, stderr)
	if err != nil {
		return failf(stderr, "audit verify: %v", err)
	}
	defer s.Close()
	rep, err := s.VerifyAudit(ctx)
	if err != nil {
		return failf(stderr, "audit verify: %v", err)
	}
	if !rep.OK {
		f := rep.Fault
		fmt.Fprintf(stdout, "audit chain BROKEN: %d entries verified before the first bad entry\n", rep.Entries)
		fmt.Fprintf(stdout, "first bad entry: origin %s seq %d id %s\n", f.Origin, f.Seq, f.ID)
		fmt.Fprintf(stdout, "failed check: %s: %s\n", f.Check, f.Detail)
		return 1
	}
	fmt.Fprintf(stdout, "audit chain OK: %d entries from %d workstation(s)\n", rep.Entries, len(rep.Chains))
	for _, c := range rep.Chains {
		fmt.Fprintf(stdout, "  %s: seq 1..%d, head %s\n", c.Origin, c.LastSeq, c.Head)
	}
	return 0
}
