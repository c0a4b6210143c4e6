package main

import (
	"context"
	"fmt"
	"io"

	"github.com/portofentry/booth/sqlitestore"
)

const auditUsage = "audit: want `audit verify [--db F] [--workstation ID --against FILE]`"

// runAudit implements `portserver audit verify`: the server's own copy of
// every chain, or (--workstation, --against) a workstation's database file
// compared with the server's copy of that workstation's chain.
func runAudit(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		return usageError(stderr, auditUsage)
	}
	fs := newFlags("audit verify", stderr)
	db := fs.String("db", defaultDB, "server database")
	ws := fs.String("workstation", "", "workstation whose chain to compare (with --against)")
	against := fs.String("against", "", "a workstation's database file (e.g. a copy of its booth.db) to compare with the server's copy")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "audit verify: unexpected argument %q", fs.Arg(0))
	}
	if (*ws == "") != (*against == "") {
		return usageError(stderr, "audit verify: --workstation and --against go together")
	}
	ctx := context.Background()
	store, err := openServerStore(ctx, *db, "", true, discardLog())
	if err != nil {
		return fail(stderr, fmt.Errorf("audit verify: %w", err))
	}
	defer store.Close()
	if *against != "" {
		return compareAudit(ctx, store, *ws, *against, stdout, stderr)
	}
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

// compareAudit compares workstation's chain in the file at path with the
// server's copy. The file is opened read-only: the comparison never changes
// the evidence.
func compareAudit(ctx context.Context, server *sqlitestore.Store, workstation, path string, stdout, stderr io.Writer) int {
	file, err := sqlitestore.Open(ctx, path, sqlitestore.Options{ReadOnly: true, Logger: discardLog()})
	if err != nil {
		return fail(stderr, fmt.Errorf("audit verify: open %s: %w", path, err))
	}
	defer file.Close()
	cmp, err := sqlitestore.CompareAuditChain(ctx, server, file, workstation)
	if err != nil {
		return fail(stderr, fmt.Errorf("audit verify: %w", err))
	}
	if cmp.ServerLast == 0 {
		fmt.Fprintf(stdout, "the server holds no audit entry of %s: nothing to compare against\n", workstation)
	}
	if !cmp.OK() {
		f := cmp.Fault
		fmt.Fprintf(stdout, "MISMATCH: %s in %s differs from the server's copy (server holds 1..%d; %d entries matched)\n",
			workstation, path, cmp.ServerLast, cmp.Matched)
		fmt.Fprintf(stdout, "first bad entry: seq %d id %s\nfailed check: %s: %s\n", f.Seq, f.ID, f.Check, f.Detail)
		return 1
	}
	if cmp.ServerLast == 0 && cmp.FileLast == 0 {
		return 1
	}
	fmt.Fprintf(stdout, "match: %s in %s holds the server's copy 1..%d unchanged", workstation, path, cmp.ServerLast)
	if cmp.FileLast > cmp.ServerLast {
		fmt.Fprintf(stdout, ", then %d entries not uploaded yet (verified)", cmp.FileLast-cmp.ServerLast)
	}
	fmt.Fprintln(stdout)
	return 0
}
