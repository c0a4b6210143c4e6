package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/portofentry/booth/replication"
)

// hostList collects repeated --host flags.
type hostList []string

func (h *hostList) String() string     { return strings.Join(*h, ",") }
func (h *hostList) Set(v string) error { *h = append(*h, v); return nil }

func runPKI(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return usageError(stderr, "pki: want `pki init` or `pki issue`")
	}
	switch args[0] {
	case "init":
		fs := newFlags("pki init", stderr)
		dir := fs.String("dir", defaultDir, "PKI directory (created; holds the CA key: keep it off the network)")
		port := fs.String("port", "", "port code, for the CA's name")
		if err := fs.Parse(args[1:]); err != nil {
			return 2
		}
		if fs.NArg() > 0 {
			return usageError(stderr, "pki init: unexpected argument %q", fs.Arg(0))
		}
		if err := replication.InitCA(*dir, *port); err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "CA created in %s (ca.crt, ca.key)\n", *dir)
		return 0
	case "issue":
		fs := newFlags("pki issue", stderr)
		dir := fs.String("dir", defaultDir, "PKI directory holding the CA")
		role := fs.String("role", "", "primary, secondary, supervisor, or server")
		ws := fs.String("workstation", "", "workstation id (the certificate's CN; required for workstation roles)")
		var hosts hostList
		fs.Var(&hosts, "host", "server only: extra DNS name or IP (repeatable); localhost and 127.0.0.1 are always in")
		force := fs.Bool("force", false, "replace an existing certificate and key")
		if err := fs.Parse(args[1:]); err != nil {
			return 2
		}
		if fs.NArg() > 0 {
			return usageError(stderr, "pki issue: unexpected argument %q", fs.Arg(0))
		}
		if *role == "" {
			return usageError(stderr, "pki issue: --role is required (primary, secondary, supervisor or server)")
		}
		if *role != replication.RoleServer && *ws == "" {
			return usageError(stderr, "pki issue: --workstation is required for role %s", *role)
		}
		if *role == replication.RoleServer && *ws != "" {
			return usageError(stderr, "pki issue: --workstation does not apply to the server certificate")
		}
		crt, key, err := replication.Issue(*dir, replication.IssueRequest{Role: *role, Workstation: *ws, Hosts: hosts, Overwrite: *force})
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "issued %s\n  certificate %s\n  key         %s\n", *role, crt, key)
		return 0
	}
	return usageError(stderr, "pki: unknown subcommand %q (want init or issue)", args[0])
}
