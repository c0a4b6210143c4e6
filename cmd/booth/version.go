package main

import (
	"fmt"
	"io"

	"github.com/portofentry/booth/cmd/internal/buildinfo"
)

// runVersion prints what the binary was built from: `booth --version`.
func runVersion(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		return usageError(stderr, "--version takes no arguments")
	}
	fmt.Fprintln(stdout, buildinfo.Read().String("booth"))
	return 0
}
