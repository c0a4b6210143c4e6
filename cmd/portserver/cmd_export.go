package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/portofentry/booth/sqlitestore"
)

// exportUsage is the command's contract: crossing data leaves the port only
// through a recorded request, scoped to what the request covers.
const exportUsage = `portserver export --request ID --agency A --authority T --officer BADGE
                  (--document NUMBER|COUNTRY/NUMBER | --since T | --until T)... | --all
                  [--after V] [--db F] > events.jsonl`

func runExport(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("export", stderr)
	db := fs.String("db", defaultDB, "server database")
	after := fs.Int64("after", 0, "export events after this feed version")
	request := fs.String("request", "", "request id of the recorded request (required)")
	agency := fs.String("agency", "", "requesting agency (required)")
	authority := fs.String("authority", "", "legal authority of the request (required)")
	officer := fs.String("officer", "", "badge of the person running the export (required)")
	document := fs.String("document", "", "only crossings in which this document was presented (NUMBER or COUNTRY/NUMBER)")
	since := fs.String("since", "", "only crossings opened at or after this time (RFC 3339 or YYYY-MM-DD, UTC)")
	until := fs.String("until", "", "only crossings opened before this time (RFC 3339 or YYYY-MM-DD, UTC)")
	all := fs.Bool("all", false, "every event the port holds (a whole-port export; audited as such)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "export: unexpected argument %q\nusage: %s", fs.Arg(0), exportUsage)
	}
	// Blank or whitespace-only fields would audit a request that names
	// nobody: each is required and trimmed.
	for _, f := range []struct {
		flag string
		v    *string
	}{{"request", request}, {"agency", agency}, {"authority", authority}, {"officer", officer}} {
		*f.v = strings.TrimSpace(*f.v)
		if *f.v == "" {
			return usageError(stderr, "export: --%s is required and may not be blank: crossing data leaves only through a recorded request (--request, --agency, --authority) run by a named officer (--officer)\nusage: %s",
				f.flag, exportUsage)
		}
		if strings.IndexFunc(*f.v, unicode.IsControl) >= 0 {
			return usageError(stderr, "export: --%s holds a control character", f.flag)
		}
	}
	if *after < 0 {
		return usageError(stderr, "export: --after must be >= 0")
	}
	scope := sqlitestore.ExportScope{Document: strings.TrimSpace(*document), All: *all}
	for _, b := range []struct {
		flag string
		v    string
		t    *time.Time
	}{{"since", *since, &scope.Since}, {"until", *until, &scope.Until}} {
		if b.v == "" {
			continue
		}
		t, err := parseExportTime(b.v)
		if err != nil {
			return usageError(stderr, "export: --%s %q: want an RFC 3339 time (2026-11-25T18:00:00Z) or a date (2026-11-25)", b.flag, b.v)
		}
		*b.t = t
	}
	if *document != "" && scope.Document == "" {
		return usageError(stderr, "export: --document may not be blank")
	}
	if err := scope.Check(); err != nil {
		return usageError(stderr, "export: %v (--document, --since, --until; or --all for the whole port)\nusage: %s", err, exportUsage)
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
	detail := map[string]any{
		"agency": *agency, "authority": *authority, "after": *after, "through": head, "format": "jsonl",
	}
	if scope.All {
		detail["scope"] = "whole_port"
	} else {
		detail["scope"] = "filtered"
		if scope.Document != "" {
			detail["document"] = scope.Document
		}
		if !scope.Since.IsZero() {
			detail["since"] = scope.Since.UTC().Format(time.RFC3339)
		}
		if !scope.Until.IsZero() {
			detail["until"] = scope.Until.UTC().Format(time.RFC3339)
		}
	}
	// The request is audited before any data leaves.
	if err := store.Audit(ctx, sqlitestore.AuditEntry{
		Officer: *officer, Action: sqlitestore.ActionExport, Subject: *request, At: time.Now().UTC(),
		Detail: sqlitestore.AuditDetail(detail),
	}); err != nil {
		return fail(stderr, fmt.Errorf("export: audit the request: %w", err))
	}
	w := bufio.NewWriterSize(stdout, 256<<10)
	enc := json.NewEncoder(w)
	n := 0
	for v := *after; v < head; {
		page, err := store.ExportLog(ctx, scope, v, 5000)
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
	what := "the whole port"
	if !scope.All {
		what = "the crossings in scope"
	}
	fmt.Fprintf(stderr, "exported %d events of %s (versions %d..%d) for request %s\n", n, what, *after+1, head, *request)
	return 0
}

// parseExportTime reads an RFC 3339 time or a date (midnight UTC).
func parseExportTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	return time.Parse(time.DateOnly, v)
}
