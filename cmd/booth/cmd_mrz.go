package main

import "io"

// runMRZ implements `booth mrz`. (placeholder until the MRZ parser lands)
func runMRZ(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return usageError(stderr, "mrz: not implemented yet")
}
