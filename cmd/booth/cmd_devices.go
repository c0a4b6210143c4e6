package main

import "io"

// runDevices implements `booth devices --json`. (placeholder until the drivers land)
func runDevices(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return usageError(stderr, "devices: not implemented yet")
}
