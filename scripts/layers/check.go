package main

import (
	"fmt"
	"slices"
	"strings"
)

// pkg is what the check needs of one `go list -json` package.
type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Error        *struct{ Err string }
}

// match reports whether path is covered by pattern ("x/..." covers x and
// everything below it; anything else only itself).
func match(pattern, path string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == base || strings.HasPrefix(path, base+"/")
	}
	return pattern == path
}

func matchAny(patterns []string, path string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return match(p, path) })
}

// rowFor returns the row governing rel: the row naming it exactly, else the
// row with the longest "/..." pattern covering it.
func rowFor(table []layer, rel string) (layer, bool) {
	best, found := layer{}, false
	for _, l := range table {
		if l.Pkg == rel {
			return l, true
		}
		if strings.HasSuffix(l.Pkg, "/...") && match(l.Pkg, rel) && (!found || len(l.Pkg) > len(best.Pkg)) {
			best, found = l, true
		}
	}
	return best, found
}

// relative returns path relative to module mod, and false when path is
// outside the module (the standard library or another module).
func relative(mod, path string) (string, bool) {
	if path == mod {
		return ".", true
	}
	return strings.CutPrefix(path, mod+"/")
}

// check returns every violation of table (and of the pure-package rule) by
// pkgs, sorted, each naming the importer and the import, e.g.
// "tui imports sqlitestore".
func check(mod string, pkgs []pkg, table []layer, pure, ioPkgs []string) []string {
	var out []string
	for _, p := range pkgs {
		rel, ok := relative(mod, p.ImportPath)
		if !ok {
			continue
		}
		// go test's generated packages ("x [x.test]", "x.test") are not ours.
		if strings.ContainsAny(rel, " [") || strings.HasSuffix(rel, ".test") {
			continue
		}
		row, ok := rowFor(table, rel)
		if !ok {
			out = append(out, fmt.Sprintf("%s: not in the layer table (add it to scripts/layers and docs/design.md §10.1)", rel))
			continue
		}
		for _, imp := range dedup(p.Imports) {
			if dep, ok := relative(mod, imp); ok && !matchAny(row.Imports, dep) {
				out = append(out, fmt.Sprintf("%s imports %s", rel, dep))
			}
			if matchAny(pure, rel) && matchAny(ioPkgs, imp) {
				out = append(out, fmt.Sprintf("%s imports %s (a pure package does no I/O)", rel, imp))
			}
		}
		allowed := with(row.Imports, row.TestImports...)
		for _, imp := range dedup(append(slices.Clone(p.TestImports), p.XTestImports...)) {
			dep, ok := relative(mod, imp)
			if !ok || dep == rel || matchAny(allowed, dep) {
				continue
			}
			out = append(out, fmt.Sprintf("%s (tests) imports %s", rel, dep))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func dedup(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}
