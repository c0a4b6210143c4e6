package main

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const designDoc = "../../docs/design.md"

var codeSpan = regexp.MustCompile("`([^`]+)`")

// spans returns the code spans of s, in order.
func spans(s string) []string {
	var out []string
	for _, m := range codeSpan.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// splitRow splits a Markdown table row into its cells (an escaped \| stays
// inside its cell).
func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(strings.TrimSuffix(line, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteByte('|')
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

// parseDesignTable returns the layer table of docs/design.md's ARCHITECTURE
// section, and the pure packages and I/O packages of the paragraph after it.
func parseDesignTable(doc string) (table []layer, purePkgs, ioPkgs []string, err error) {
	lines := strings.Split(doc, "\n")
	start := slices.IndexFunc(lines, func(l string) bool {
		c := splitRow(l)
		return strings.HasPrefix(l, "|") && len(c) == 4 && c[0] == "package" && strings.HasPrefix(c[1], "may import")
	})
	if start < 0 {
		return nil, nil, nil, fmt.Errorf("no table with the header | package | may import … | in %s", designDoc)
	}
	i := start + 2 // skip the header and the |---| line
	for ; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
		c := splitRow(lines[i])
		if len(c) != 4 {
			return nil, nil, nil, fmt.Errorf("line %d: want 4 cells, got %d: %s", i+1, len(c), lines[i])
		}
		pkgs := spans(c[0])
		if len(pkgs) != 1 {
			return nil, nil, nil, fmt.Errorf("line %d: the package cell must hold one `package`: %q", i+1, c[0])
		}
		table = append(table, layer{Pkg: pkgs[0], Imports: spans(c[1]), TestImports: spans(c[2])})
	}
	rest := strings.Join(lines[i:], "\n")
	const pureIntro, ioIntro = "Pure packages (no I/O):", "may not import"
	at := strings.Index(rest, pureIntro)
	if at < 0 {
		return nil, nil, nil, fmt.Errorf("no paragraph starting %q after the table", pureIntro)
	}
	para, _, _ := strings.Cut(rest[at:], "\n\n")
	before, after, ok := strings.Cut(para, ioIntro)
	if !ok {
		return nil, nil, nil, fmt.Errorf("the pure-package paragraph does not say %q", ioIntro)
	}
	after, _, _ = strings.Cut(after, ";")
	return table, spans(before), spans(after), nil
}

func sortedSet(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// TestTableMatchesDesignDoc keeps the program's table and the document's
// human version identical: same rows, same allowed imports, same pure
// packages and I/O packages.
func TestTableMatchesDesignDoc(t *testing.T) {
	raw, err := os.ReadFile(designDoc)
	if err != nil {
		t.Fatal(err)
	}
	docTable, docPure, docIO, err := parseDesignTable(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	docRows := map[string]layer{}
	for _, l := range docTable {
		if _, dup := docRows[l.Pkg]; dup {
			t.Errorf("docs/design.md: row %q appears twice", l.Pkg)
		}
		docRows[l.Pkg] = l
	}
	for _, want := range layers {
		got, ok := docRows[want.Pkg]
		if !ok {
			t.Errorf("docs/design.md has no row for %q (scripts/layers has)", want.Pkg)
			continue
		}
		delete(docRows, want.Pkg)
		if g, w := sortedSet(got.Imports), sortedSet(want.Imports); !slices.Equal(g, w) {
			t.Errorf("%s may import: docs/design.md says %q, scripts/layers says %q", want.Pkg, g, w)
		}
		if g, w := sortedSet(got.TestImports), sortedSet(want.TestImports); !slices.Equal(g, w) {
			t.Errorf("%s tests may also import: docs/design.md says %q, scripts/layers says %q", want.Pkg, g, w)
		}
	}
	for pkg := range docRows {
		t.Errorf("docs/design.md has a row for %q that scripts/layers does not", pkg)
	}
	if g, w := sortedSet(docPure), sortedSet(pure); !slices.Equal(g, w) {
		t.Errorf("pure packages: docs/design.md says %q, scripts/layers says %q", g, w)
	}
	if g, w := sortedSet(docIO), sortedSet(ioPackages); !slices.Equal(g, w) {
		t.Errorf("I/O packages: docs/design.md says %q, scripts/layers says %q", g, w)
	}
}

// The comparison must be able to fail: a document that differs in one
// allowed import, one row or the pure list is told apart from the program.
func TestParseDesignTableSeesDifferences(t *testing.T) {
	doc := "x\n\n| package | may import (this module) | tests may also import | what it is |\n" +
		"|---|---|---|---|\n" +
		"| `records` | `records/mrz` | — | the domain, with a \\| pipe |\n" +
		"| `tui` | `records`, `sqlitestore` | `hardware/simulator` | screens |\n" +
		"\nPure packages (no I/O): `records`. Their non-test code may not import `os`\nor `net`; they take the time.\n"
	table, p, io, err := parseDesignTable(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := []layer{
		{Pkg: "records", Imports: []string{"records/mrz"}},
		{Pkg: "tui", Imports: []string{"records", "sqlitestore"}, TestImports: []string{"hardware/simulator"}},
	}
	if fmt.Sprint(table) != fmt.Sprint(want) {
		t.Errorf("table = %v, want %v", table, want)
	}
	if !slices.Equal(p, []string{"records"}) || !slices.Equal(io, []string{"os", "net"}) {
		t.Errorf("pure = %q, io = %q", p, io)
	}
	for _, bad := range []string{
		"no table at all\n",
		"| package | may import | tests may also import | what |\n|---|---|---|---|\n| `a`, `b` | — | — | two packages |\n",
		"| package | may import | tests may also import | what |\n|---|---|---|---|\n| `a` | — | — |\n",
		"| package | may import | tests may also import | what |\n|---|---|---|---|\n| `a` | — | — | x |\n\nno pure paragraph\n",
	} {
		if _, _, _, err := parseDesignTable(bad); err == nil {
			t.Errorf("parseDesignTable(%q) = nil error", bad)
		}
	}
}
