// Command hub runs the national tier (docs/national.md): one node of the
// three-node hub cluster that sources every port's stream into CROSSINGS
// and answers national history, its PKI, and the operator's views.
//
//	hub serve --name N --data DIR --client HOST:PORT --cluster HOST:PORT [--routes URL,URL] --leaf HOST:PORT --pki DIR
//	hub pki init --dir DIR
//	hub pki issue --dir DIR (--node NAME [--host H,...] | --port CODE | --lss ID)
//	hub status --server URL [--json]
//	hub history --server URL (--doc NUMBER --country ISO | --name SURNAME --dob YYYY-MM-DD | --plate P) [--json]
//	hub demo [--for DURATION]
//	hub officer add --badge B --name N --data DIR | list [--json] --data DIR | disable --badge B --data DIR
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
)

type subcommand func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

var subcommands = map[string]subcommand{
	"serve":   runServe,
	"pki":     runPKI,
	"status":  runStatus,
	"history": runHistory,
	"demo":    runDemo,
	"officer": runOfficer,
}

const usage = `usage: hub COMMAND [flags]

commands:
  serve      one hub node (prints {"client":…,"cluster":…,"leaf":…})
  pki init   the national CA
  pki issue  a node, port or LSS certificate
  status     CROSSINGS and, per port, events held, distinct ids, last sequences, real lag
  history    national history by document, name and birth date, or plate
  demo       3 hub nodes and 2 ports with simulated booths, in one process
  officer    LSS scientists' accounts: add, list, disable (PIN from stdin)
`

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, ok := subcommands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "hub: unknown command %q\n%s", args[0], usage)
		return 2
	}
	return cmd(args[1:], stdin, stdout, stderr)
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("hub "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "hub: %v\n", err)
	return 1
}

func usageError(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "hub: "+format+"\n", a...)
	return 2
}

func logger(stderr io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: l})), nil
}
