package main

import (
	"context"
	"fmt"
	"io"
)

func runAudit(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		return usageError(stderr, "audit: want `audit verify [--db F]`")
	}
	fs := newFlags("audit verify", stderr)
	db := fs.String("db", defaultDB, "server database")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	ctx := context.Background()
	store, err := openServerStore(ctx, *db, "", true, discardLog())
	if err != nil {
		return fail(stderr, fmt.Errorf("audit verify: %w", err))
	}
	defer store.Close()
	rep, err := store.VerifyAudit(ctx)
	if err != nil {
		return fail(stderr, err)
	}
	for _, c := range rep.Chains {
		fmt.Fprintf(stdout, "chain %s: %d entries, last #%d, head %s\n", c.Origin, c.Entries, c.LastSeq, c.Head)
	}
	if !rep.OK {
		fmt.Fprintf(stdout, "BROKEN: %s\n", rep.Fault)
		return 1
	}
	fmt.Fprintf(stdout, "ok: %d entries verified\n", rep.Entries)
	return 0
}
