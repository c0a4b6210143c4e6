package main

// The layer table: which packages of this module each package may import.
//
// docs/design.md §10.1 (the ARCHITECTURE section) is the human version of this
// table and the two must agree: TestTableMatchesDesignDoc parses the document's
// table and fails when a row, an allowed import or the pure-package list differs.
// Change both in the same commit.
//
// Paths are relative to the module. A pattern "x/..." matches x and every
// package below it; anything else matches exactly one package. A package is
// governed by the row that names it exactly, else by the row with the longest
// "/..." pattern that covers it; a package no row covers is a violation, so a
// new package must be placed in the table (and the document) on purpose.

// layer is one row of the table.
type layer struct {
	Pkg string // the package (or "x/..." pattern) the row governs
	// Imports are the packages of this module its non-test code may import.
	Imports []string
	// TestImports are what its _test.go files may import on top of Imports
	// (the package itself is always allowed to its external tests).
	TestImports []string
}

// Shorthands for the rows below.
var (
	domain   = []string{"records", "records/mrz"}
	adapters = []string{"records/...", "hardware/...", "sqlitestore/...", "replication/...", "jetstream/..."}
)

// layers is the table, innermost first.
var layers = []layer{
	{Pkg: "records/mrz"},
	{Pkg: "records", Imports: []string{"records/mrz"}},

	{Pkg: "hardware", Imports: domain, TestImports: []string{"hardware/..."}},
	{Pkg: "hardware/docreader", Imports: with(domain, "hardware"), TestImports: []string{"hardware/internal/..."}},
	{Pkg: "hardware/rfid", Imports: with(domain, "hardware"), TestImports: []string{"hardware/internal/..."}},
	{Pkg: "hardware/rpm", Imports: with(domain, "hardware"), TestImports: []string{"hardware/internal/..."}},
	{Pkg: "hardware/lpr", Imports: with(domain, "hardware"), TestImports: []string{"hardware/internal/..."}},
	{Pkg: "hardware/facematch", Imports: domain},
	{Pkg: "hardware/simulator", Imports: with(domain, "hardware"), TestImports: []string{"hardware/..."}},
	{Pkg: "hardware/internal/...", Imports: with(domain, "hardware")},

	{Pkg: "sqlitestore", Imports: with(domain, "sqlitestore/internal/..."), TestImports: []string{"sqlitestore/biometric"}},
	{Pkg: "sqlitestore/biometric", Imports: with(domain, "sqlitestore", "sqlitestore/internal/...")},
	{Pkg: "sqlitestore/internal/...", Imports: with(domain, "sqlitestore", "sqlitestore/internal/...")},

	{Pkg: "replication/...", Imports: with(domain, "replication/..."), TestImports: []string{"sqlitestore/..."}},
	{Pkg: "jetstream/...", Imports: with(domain, "jetstream/..."), TestImports: []string{"sqlitestore/...", "replication/..."}},

	{Pkg: "tui", Imports: with(domain, "hardware", "hardware/facematch", "tui/..."), TestImports: []string{"hardware/simulator", "sqlitestore/..."}},
	{Pkg: "tui/...", Imports: with(domain, "hardware", "hardware/facematch", "tui/..."), TestImports: []string{"hardware/simulator", "sqlitestore/..."}},
	{Pkg: "tui/internal/...", Imports: domain},

	{Pkg: "cmd/booth", Imports: with(adapters, "tui/...", "cmd/internal/...")},
	{Pkg: "cmd/portserver", Imports: []string{"records/...", "sqlitestore/...", "replication/...", "jetstream/...", "cmd/internal/..."}},
	{Pkg: "cmd/devsim", Imports: []string{"records/...", "hardware/...", "cmd/internal/..."}},
	{Pkg: "cmd/hub", Imports: []string{"records/...", "sqlitestore/...", "replication/...", "jetstream/...", "cmd/internal/..."}},
	{Pkg: "cmd/internal/...", Imports: with(adapters, "cmd/internal/...")},

	{Pkg: "scripts/...", Imports: adapters},
}

// pure lists the packages that do no I/O: they may not import any of
// ioPackages from their non-test code (their tests may read testdata files).
var pure = []string{"records", "records/mrz"}

// ioPackages are the standard-library packages a pure package may not import.
var ioPackages = []string{
	"os", "os/...", "net", "net/...", "database/sql", "database/sql/...",
	"syscall", "io/fs", "io/ioutil", "log", "log/...", "path/filepath",
}

// with returns a fresh slice of base followed by more, so rows never share
// (and accidentally modify) one backing array.
func with(base []string, more ...string) []string {
	out := make([]string, 0, len(base)+len(more))
	return append(append(out, base...), more...)
}
