// Command layers checks that every package of this module imports only the
// packages of the module its layer allows (docs/design.md §10.1):
//
//	go run ./scripts/layers [-C DIR]
//
// It lists the packages with `go list -json ./...`, prints one line per
// violation ("tui imports sqlitestore") and exits 1 if there is any, 0 when
// the tree is clean and 2 when the packages cannot be listed. Test files are
// checked too, against the row's test allowance.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("layers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("C", ".", "module `directory` to check")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "layers: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	mod, pkgs, err := load(ctx, *dir)
	if err != nil {
		fmt.Fprintf(stderr, "layers: %v\n", err)
		return 2
	}
	for _, p := range pkgs {
		// A package that does not build (someone is mid-change) may list
		// only some of its imports; the build itself reports the error.
		if p.Error != nil {
			fmt.Fprintf(stderr, "layers: warning: %s: %s\n", p.ImportPath, p.Error.Err)
		}
	}
	violations := check(mod, pkgs, layers, pure, ioPackages)
	for _, v := range violations {
		fmt.Fprintln(stdout, v)
	}
	if len(violations) > 0 {
		fmt.Fprintf(stderr, "layers: %d violation(s) of the layer table (docs/design.md §10.1)\n", len(violations))
		return 1
	}
	fmt.Fprintf(stderr, "layers: ok, %d packages\n", len(pkgs))
	return 0
}

// load returns the module path and the packages of the module in dir.
func load(ctx context.Context, dir string) (string, []pkg, error) {
	// Outside a module `go list -m` answers "command-line-arguments" and
	// ./... matches nothing: insist on a go.mod instead of passing vacuously.
	gomod, err := goCmd(ctx, dir, "env", "GOMOD")
	if err != nil {
		return "", nil, err
	}
	if g := strings.TrimSpace(string(gomod)); g == "" || g == os.DevNull {
		return "", nil, fmt.Errorf("%s is not inside a Go module (no go.mod)", dir)
	}
	modOut, err := goCmd(ctx, dir, "list", "-m")
	if err != nil {
		return "", nil, err
	}
	mod := strings.TrimSpace(string(modOut))
	if mod == "" || strings.Contains(mod, "\n") {
		return "", nil, fmt.Errorf("go list -m in %s: want one main module, got %q", dir, mod)
	}
	out, err := goCmd(ctx, dir, "list", "-e", "-json=ImportPath,Imports,TestImports,XTestImports,Error", "./...")
	if err != nil {
		return "", nil, err
	}
	pkgs, err := decodePackages(bytes.NewReader(out))
	if err != nil {
		return "", nil, fmt.Errorf("go list ./... in %s: %w", dir, err)
	}
	return mod, pkgs, nil
}

// decodePackages reads the stream of JSON objects `go list -json` prints.
func decodePackages(r io.Reader) ([]pkg, error) {
	var pkgs []pkg
	dec := json.NewDecoder(r)
	for {
		var p pkg
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			return pkgs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decode package %d: %w", len(pkgs)+1, err)
		}
		pkgs = append(pkgs, p)
	}
}

func goCmd(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s in %s: %w: %s", strings.Join(args, " "), dir, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
