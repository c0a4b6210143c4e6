package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/portofentry/booth/sqlitestore"
)

func runExport(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("export", stderr)
	db := fs.String("db", defaultDB, "server database")
	after := fs.Int64("after", 0, "export events after this feed version")
	request := fs.String("request", "", "request id of the recorded request (required)")
	agency := fs.String("agency", "", "requesting agency (required)")
	authority := fs.String("authority", "", "legal authority of the request (required)")
	officer := fs.String("officer", "", "badge of the person running the export")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *request == "" || *agency == "" || *authority == "" {
		return usageError(stderr, "export: --request, --agency and --authority are required: crossing data leaves only through a recorded request")
	}
	if *after < 0 {
		return usageError(stderr, "export: --after must be >= 0")
	}
	ctx := context.Background()
	store, err := openServerStore(ctx, *db, "", false, discardLog())
	if err != nil {
		return fail(stderr, fmt.Errorf("export: %w", err))
	}
	defer store.Close()
	head, err := store.FeedHead(ctx)
	if err != nil {
		return fail(stderr, err)
	}
	// The request is audited before any data leaves.
	if err := store.Audit(ctx, sqlitestore.AuditEntry{
		Officer: *officer, Action: sqlitestore.ActionExport, Subject: *request, At: time.Now().UTC(),
		Detail: sqlitestore.AuditDetail(map[string]any{
			"agency": *agency, "authority": *authority, "after": *after, "through": head, "format": "jsonl",
		}),
	}); err != nil {
		return fail(stderr, fmt.Errorf("export: audit the request: %w", err))
	}
	w := bufio.NewWriterSize(stdout, 256<<10)
	enc := json.NewEncoder(w)
	n := 0
	for v := *after; v < head; {
		page, err := store.LogSince(ctx, v, 5000)
		if err != nil {
			return fail(stderr, err)
		}
		if len(page) == 0 {
			break
		}
		for _, fe := range page {
			if fe.Version > head {
				break
			}
			if err := enc.Encode(fe.Event); err != nil {
				return fail(stderr, fmt.Errorf("export: write: %w", err))
			}
			n++
			v = fe.Version
		}
		if page[len(page)-1].Version > head {
			break
		}
	}
	if err := w.Flush(); err != nil {
		return fail(stderr, fmt.Errorf("export: write: %w", err))
	}
	fmt.Fprintf(stderr, "exported %d events (versions %d..%d) for request %s\n", n, *after+1, head, *request)
	return 0
}
