package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/portofentry/booth/replication"
)

// hostList collects repeated --host flags.
type hostList []string

func (h *hostList) String() string     { return strings.Join(*h, ",") }
func (h *hostList) Set(v string) error { *h = append(*h, v); return nil }

func runPKI(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return usageError(stderr, "pki: want `pki init`, `pki issue` or `pki revoke`")
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
		if err := checkServerFiles("", *dir, false, nil); err != nil {
			return fail(stderr, fmt.Errorf("pki init: %w", err))
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
		// A CA key others may read is refused before it signs anything.
		if err := checkServerFiles("", *dir, false, nil); err != nil {
			return fail(stderr, fmt.Errorf("pki issue: %w", err))
		}
		crt, key, err := replication.Issue(*dir, replication.IssueRequest{Role: *role, Workstation: *ws, Hosts: hosts, Overwrite: *force})
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "issued %s\n  certificate %s\n  key         %s\n", *role, crt, key)
		if *force && *role != replication.RoleServer {
			fmt.Fprintf(stdout, "  the certificate it replaced is revoked (%s); a running server reloads the list within a second\n",
				filepath.Join(*dir, replication.RevokedFile))
		}
		return 0
	case "revoke":
		return runPKIRevoke(args[1:], stdout, stderr)
	}
	return usageError(stderr, "pki: unknown subcommand %q (want init, issue or revoke)", args[0])
}

// runPKIRevoke puts a workstation's current certificate on the deny-list the
// port server reloads by itself (file watch, or SIGHUP).
func runPKIRevoke(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("pki revoke", stderr)
	dir := fs.String("dir", defaultDir, "PKI directory holding the workstation's certificate and revoked.txt")
	ws := fs.String("workstation", "", "workstation id whose current certificate is revoked (required)")
	reason := fs.String("reason", "", "why, kept on the deny-list line for people")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "pki revoke: unexpected argument %q", fs.Arg(0))
	}
	if *ws == "" {
		return usageError(stderr, "pki revoke: --workstation is required")
	}
	serial, err := replication.Revoke(*dir, *ws, *reason)
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "revoked %s (serial %s) in %s\n  a running server reloads the list within a second (or at once on SIGHUP)\n",
		*ws, serial, filepath.Join(*dir, replication.RevokedFile))
	return 0
}
