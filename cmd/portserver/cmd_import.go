package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// maxImportFile bounds a reference file read into memory.
const maxImportFile = 1 << 30

func runImport(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("import", stderr)
	db := fs.String("db", defaultDB, "server database")
	port := fs.String("port", "", "port code, for a new database")
	version := fs.Int64("version", 0, "dataset version (default: the published one + 1)")
	asOfFlag := fs.String("as-of", "", "when the data was current, RFC 3339 (default: now)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 2 {
		return usageError(stderr, "import: want KIND FILE (KIND: travelers, rfid, lookouts or lost-stolen)")
	}
	kind, file := pos[0], pos[1]
	asOf := time.Now().UTC()
	if *asOfFlag != "" {
		if asOf, err = time.Parse(time.RFC3339, *asOfFlag); err != nil {
			return usageError(stderr, "import: --as-of %q: want RFC 3339, e.g. 2026-11-25T06:00:00Z", *asOfFlag)
		}
	}
	f, err := os.Open(file)
	if err != nil {
		return fail(stderr, fmt.Errorf("import: %w", err))
	}
	body, err := io.ReadAll(io.LimitReader(f, maxImportFile+1))
	f.Close()
	if err != nil {
		return fail(stderr, fmt.Errorf("import %s: %w", file, err))
	}
	if len(body) > maxImportFile {
		return fail(stderr, fmt.Errorf("import %s: file over %d bytes", file, maxImportFile))
	}
	ctx := context.Background()
	store, err := openServerStore(ctx, *db, *port, false, discardLog())
	if err != nil {
		return fail(stderr, fmt.Errorf("import: %w", err))
	}
	defer store.Close()
	if *version == 0 {
		infos, err := store.ReferenceStatus(ctx)
		if err != nil {
			return fail(stderr, err)
		}
		for _, d := range infos {
			if d.Kind == kind {
				*version = d.Version + 1
			}
		}
		if *version == 0 {
			*version = 1 // unknown kind: PublishReference names the problem
		}
	}
	n, err := store.PublishReference(ctx, kind, body, *version, asOf)
	if err != nil {
		return fail(stderr, fmt.Errorf("import %s: %w", file, err))
	}
	fmt.Fprintf(stdout, "published %s version %d: %d records as of %s\n", kind, *version, n, asOf.Format(time.RFC3339))
	return 0
}
