// Command portserver is the port of entry's server: it receives every
// workstation's crossing events over mutual TLS, serves the port's event
// feed and reference data back down, and gives port IT staff the tools to
// run it (PKI, reference import, status, export, audit verification).
//
//	portserver serve [--db F] [--listen ADDR] [--dir D] [--port CODE] [--feed-retain N] [--fix-permissions]
//	portserver pki init [--dir D] [--port CODE]
//	portserver pki issue --role primary|secondary|supervisor --workstation ID [--dir D]
//	portserver pki issue --role server [--host H]... [--dir D]
//	portserver import KIND FILE [--db F] [--version N] [--as-of T]
//	portserver status [--db F] [--json]
//	portserver pki revoke --workstation ID [--reason R] [--dir D]
//	portserver export --request ID --agency A --authority T --officer B (--document N | --since T | --until T | --all) [--after V] [--db F]
//	portserver quarantine list [--state S] [--workstation ID] [--json] | release ID | reject ID  --operator NAME [--note T] [--db F]
//	portserver audit verify [--db F]
//	portserver officer add|list|disable [--badge B] [--name N] [--role ROLES] [--db F]
package main

import (
	"fmt"
	"io"
	"os"
)

// subcommand runs one `portserver NAME` command and returns the exit code.
type subcommand func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

var subcommands = map[string]subcommand{
	"serve":  runServe,
	"pki":    runPKI,
	"import": runImport,
	"status": runStatus,
	"export": runExport,
	"audit":  runAudit,
	// Events held in quarantine (cmd_quarantine.go).
	"quarantine": runQuarantine,
	// Port officer accounts (cmd_officer.go).
	"officer": runOfficer,
	// Build information (version.go).
	"--version": runVersion,
	"-version":  runVersion,
	// Hidden: a headless booth for reliability tests and benchmarks.
	"bench-booth": runBenchBooth,
}

const usage = `usage: portserver COMMAND [flags]

commands:
  serve                 run the port server (HTTPS, mutual TLS only)
  pki init              create the port CA
  pki issue             issue a workstation or server certificate (--force revokes the one it replaces)
  pki revoke            revoke a workstation's certificate (the server reloads the deny-list by itself)
  import KIND FILE      publish reference data (travelers, rfid, lookouts, lost-stolen JSONL)
  status                per workstation: last seen, high-water mark, backlog, lag
  export                crossings as JSON lines for a recorded, audited request (--document/--since/--until, or --all)
  quarantine list|release|reject  events held at the port (stored, not applied); decisions audited
  audit verify          verify the audit chains in the server's database
  officer add|list|disable  the port's officer accounts (PIN on stdin, never argv)
  --version             what this binary was built from

run 'portserver COMMAND -h' for the flags of a command.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := subcommands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "portserver: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	return cmd(args[1:], stdin, stdout, stderr)
}

func usageError(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "portserver: "+format+"\n", a...)
	return 2
}

func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "portserver: %v\n", err)
	return 1
}
