// Command booth is the officer's workstation at a land port of entry: the TUI
// for primary, secondary and supervisor roles, and the maintenance commands
// port IT staff use (mrz, devices, officer, audit, retention). There is no
// export at the booth: crossing data leaves the port only through
// `portserver export`.
package main

import (
	"fmt"
	"io"
	"os"
)

// subcommand runs one `booth NAME` command and returns the process exit code.
type subcommand func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

var subcommands = map[string]subcommand{
	"mrz":       runMRZ,
	"devices":   runDevices,
	"officer":   runOfficer,
	"audit":     runAudit,
	"retention": runRetention,
	// Build information and shell completion (version.go, cmd_completion.go).
	"--version":  runVersion,
	"-version":   runVersion,
	"completion": runCompletion,
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if cmd, ok := subcommands[args[0]]; ok {
			return cmd(args[1:], stdin, stdout, stderr)
		}
	}
	return runTUI(args, stdin, stdout, stderr)
}

func usageError(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "booth: "+format+"\n", a...)
	return 2
}
