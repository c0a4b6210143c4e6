package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const testMod = "example.com/booth"

// p builds a synthetic package: path relative to testMod, its imports, test
// imports. Paths starting with "/" are outside the module (standard library
// or another module) and are given without the slash.
func p(rel string, imports []string, tests ...string) pkg {
	abs := func(s []string) []string {
		out := make([]string, len(s))
		for i, x := range s {
			if after, ok := strings.CutPrefix(x, "/"); ok {
				out[i] = after
			} else {
				out[i] = testMod + "/" + x
			}
		}
		return out
	}
	return pkg{ImportPath: testMod + "/" + rel, Imports: abs(imports), XTestImports: abs(tests)}
}

func TestCheckSyntheticPackages(t *testing.T) {
	tests := []struct {
		name string
		pkgs []pkg
		want []string
	}{
		{"clean tree", []pkg{
			p("records/mrz", []string{"/strings", "/time"}),
			p("records", []string{"records/mrz", "/github.com/google/uuid"}, "records", "/os"),
			p("hardware", []string{"records/mrz", "/github.com/tarm/serial"}, "hardware/rfid", "hardware/internal/ptytest"),
			p("hardware/rfid", []string{"hardware"}, "hardware/internal/ptytest"),
			p("hardware/internal/ptytest", []string{"hardware"}),
			p("sqlitestore", []string{"records", "records/mrz"}, "sqlitestore/internal/synth"),
			p("sqlitestore/internal/synth", []string{"sqlitestore", "records"}),
			p("sqlitestore/biometric", []string{"records"}),
			p("replication", []string{"records"}, "sqlitestore"),
			p("replication/faultproxy", nil),
			p("tui", []string{"records", "hardware", "hardware/facematch", "tui/secondary"}, "hardware/simulator", "sqlitestore"),
			p("tui/secondary", []string{"records", "hardware"}),
			p("cmd/booth", []string{"tui", "sqlitestore", "replication", "hardware/simulator", "records"}),
			p("cmd/portserver", []string{"sqlitestore", "replication", "records"}),
			p("cmd/devsim", []string{"hardware/simulator"}),
			p("scripts/layers", []string{"/os/exec"}),
		}, nil},
		{"tui imports the store", []pkg{
			p("tui", []string{"records", "sqlitestore"}),
		}, []string{"tui imports sqlitestore"}},
		{"the domain imports an adapter", []pkg{
			p("records", []string{"records/mrz", "hardware"}),
		}, []string{"records imports hardware"}},
		{"the domain does I/O", []pkg{
			p("records", []string{"/os", "/net/http", "/strings"}),
			p("records/mrz", []string{"/log/slog"}),
		}, []string{
			"records imports net/http (a pure package does no I/O)",
			"records imports os (a pure package does no I/O)",
			"records/mrz imports log/slog (a pure package does no I/O)",
		}},
		{"adapters do not import each other", []pkg{
			p("sqlitestore", []string{"records", "replication"}),
			p("replication", []string{"records", "sqlitestore"}),
			p("hardware/facematch", []string{"hardware/simulator"}),
		}, []string{
			"hardware/facematch imports hardware/simulator",
			"replication imports sqlitestore",
			"sqlitestore imports replication",
		}},
		{"nothing imports tui or cmd but cmd/booth", []pkg{
			p("cmd/portserver", []string{"tui"}),
			p("hardware", []string{"cmd/booth"}),
			p("cmd/devsim", []string{"sqlitestore"}),
		}, []string{
			"cmd/devsim imports sqlitestore",
			"cmd/portserver imports tui",
			"hardware imports cmd/booth",
		}},
		{"test imports beyond the row's allowance", []pkg{
			p("tui", []string{"records"}, "hardware/rfid", "tui"),
			p("records", nil, "sqlitestore"),
		}, []string{
			"records (tests) imports sqlitestore",
			"tui (tests) imports hardware/rfid",
		}},
		{"a package missing from the table", []pkg{
			p("sqlitestore/portlink", []string{"sqlitestore"}),
			p("widgets", nil),
		}, []string{
			"sqlitestore/portlink: not in the layer table (add it to scripts/layers and docs/design.md §10.1)",
			"widgets: not in the layer table (add it to scripts/layers and docs/design.md §10.1)",
		}},
		{"packages of other modules are ignored", []pkg{
			{ImportPath: "example.com/other/tui", Imports: []string{testMod + "/sqlitestore"}},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(testMod, tt.pkgs, layers, pure, ioPackages)
			if !slices.Equal(got, tt.want) {
				t.Errorf("violations:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// Test files are checked against the same row: the internal test files
// (TestImports) as well as the external test package (XTestImports).
func TestCheckInternalTestImports(t *testing.T) {
	x := pkg{ImportPath: testMod + "/hardware/rpm", Imports: []string{testMod + "/hardware"},
		TestImports: []string{testMod + "/sqlitestore"}}
	got := check(testMod, []pkg{x}, layers, pure, ioPackages)
	if want := []string{"hardware/rpm (tests) imports sqlitestore"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRowFor(t *testing.T) {
	table := []layer{{Pkg: "a/..."}, {Pkg: "a/b/..."}, {Pkg: "a/b/c"}, {Pkg: "d"}}
	tests := []struct{ rel, want string }{
		{"a", "a/..."},
		{"a/x", "a/..."},
		{"a/b", "a/b/..."},
		{"a/b/x/y", "a/b/..."},
		{"a/b/c", "a/b/c"},
		{"d", "d"},
		{"ab", ""},
		{"d/e", ""},
	}
	for _, tt := range tests {
		row, ok := rowFor(table, tt.rel)
		if got := row.Pkg; ok != (tt.want != "") || got != tt.want {
			t.Errorf("rowFor(%q) = %q, %v; want %q", tt.rel, got, ok, tt.want)
		}
	}
}

// Every row's pattern and allowed import must be a well-formed module path
// pattern, and no row may appear twice (the second would never apply).
func TestTableIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	valid := func(s string) bool {
		base, _ := strings.CutSuffix(s, "/...")
		return base != "" && !strings.HasPrefix(base, "/") && !strings.HasSuffix(base, "/") &&
			!strings.Contains(base, "...") && !strings.Contains(base, " ")
	}
	for _, l := range layers {
		if seen[l.Pkg] {
			t.Errorf("row %q appears twice", l.Pkg)
		}
		seen[l.Pkg] = true
		for _, s := range append(append([]string{l.Pkg}, l.Imports...), l.TestImports...) {
			if !valid(s) {
				t.Errorf("row %q: malformed pattern %q", l.Pkg, s)
			}
		}
		if matchAny(l.Imports, "cmd/booth") || matchAny(l.TestImports, "cmd/booth") {
			t.Errorf("row %q may import a command", l.Pkg)
		}
		if !strings.HasPrefix(l.Pkg, "tui") && l.Pkg != "cmd/booth" && matchAny(l.Imports, "tui") {
			t.Errorf("row %q may import tui; only cmd/booth may", l.Pkg)
		}
	}
}

// The command on a real module: `go list` is run, violations are printed one
// per line on stdout and the exit status is 1; a clean module exits 0.
func TestRunOnRealModule(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	write := func(dir, name, body string) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	module := func(t *testing.T, tuiImports string) string {
		dir := t.TempDir()
		write(dir, "go.mod", "module "+testMod+"\n\ngo 1.22\n")
		write(dir, "records/r.go", "package records\n\nimport _ \"os\"\n")
		write(dir, "records/r_test.go", "package records\n")
		write(dir, "sqlitestore/s.go", "package sqlitestore\n\nimport _ \""+testMod+"/records\"\n")
		write(dir, "tui/t.go", "package tui\n\nimport (\n"+tuiImports+")\n")
		return dir
	}
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOWORK", "off")

	dir := module(t, "\t_ \""+testMod+"/records\"\n\t_ \""+testMod+"/sqlitestore\"\n")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-C", dir}, &stdout, &stderr)
	want := "records imports os (a pure package does no I/O)\ntui imports sqlitestore\n"
	if code != 1 || stdout.String() != want {
		t.Errorf("exit %d, stdout:\n%s\nwant exit 1, stdout:\n%s\nstderr: %s", code, stdout.String(), want, stderr.String())
	}

	dir = module(t, "\t_ \""+testMod+"/records\"\n")
	write(dir, "records/r.go", "package records\n\nimport _ \"strings\"\n")
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"-C", dir}, &stdout, &stderr); code != 0 || stdout.Len() != 0 {
		t.Errorf("clean module: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}

	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"-C", t.TempDir()}, &stdout, &stderr); code != 2 {
		t.Errorf("no module: exit %d, want 2 (stderr %q)", code, stderr.String())
	}
}
