package main

import (
	"fmt"
	"io"

	"github.com/portofentry/booth/cmd/internal/buildinfo"
)

// printVersion prints what the binary was built from: `devsim --version`.
func printVersion(stdout io.Writer) int {
	fmt.Fprintln(stdout, buildinfo.Read().String("devsim"))
	return 0
}
