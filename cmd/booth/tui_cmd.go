package main

import "io"

// runTUI starts the workstation TUI. (placeholder until the TUI lands)
func runTUI(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return usageError(stderr, "the TUI is not implemented yet; try `booth mrz`")
}
