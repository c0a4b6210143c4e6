package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/portofentry/booth/cmd/internal/actions"
	"github.com/portofentry/booth/cmd/internal/officercli"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

const officerUsage = `usage:
  portserver officer add --badge B --name N --role ROLES [--db F] [--port CODE]
  portserver officer list [--json] [--db F]
  portserver officer disable --badge B [--db F]

Manages the port's officer accounts. They reach every workstation with the
port server's feed as cached verifiers (argon2id over the port pepper, a
0600 file beside the database that workstations receive over mutual TLS);
a disable or a port-wide lockout reaches them the same way. ROLES is a set:
primary, secondary, supervisor, or several joined by commas. The PIN (6-12
digits) is read from stdin, never from the command line: typed twice without
echo from a terminal, otherwise the first line of stdin.`

// runOfficer implements `portserver officer`.
func runOfficer(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return actions.Run("portserver", "officer", officerUsage, args, stdout, stderr, map[string]func([]string) int{
		"add":     func(args []string) int { return runOfficerAdd(args, stdin, stdout, stderr) },
		"list":    func(args []string) int { return runOfficerList(args, stdout, stderr) },
		"disable": func(args []string) int { return runOfficerDisable(args, stdout, stderr) },
	})
}

// parseOfficerFlags parses args, refusing stray arguments (a PIN typed on
// the command line would land in shell history and ps).
func parseOfficerFlags(fs interface {
	Parse([]string) error
	NArg() int
	Arg(int) string
}, args []string, stderr io.Writer) (ok bool, code int) {
	if err := fs.Parse(args); err != nil {
		return false, 2
	}
	if fs.NArg() > 0 {
		return false, usageError(stderr, "officer: unexpected argument %q (the PIN is read from stdin, never from the command line)", fs.Arg(0))
	}
	return true, 0
}

// openOfficerStore opens the server's database for an officer command;
// openServerStore refuses a database or port pepper others may access, and
// sqlitestore.Open creates a new database 0600.
func openOfficerStore(ctx context.Context, db, port string, readOnly bool, stderr io.Writer) (*sqlitestore.Store, error) {
	log, _ := logger(stderr, "warn")
	s, err := openServerStore(ctx, db, port, readOnly, log)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", db, err)
	}
	return s, nil
}

func runOfficerAdd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("officer add", stderr)
	badge := fs.String("badge", "", "badge number (required)")
	name := fs.String("name", "", "officer's name (required)")
	role := fs.String("role", "", "roles: primary, secondary, supervisor, or several joined by commas (required)")
	db := fs.String("db", defaultDB, "server database")
	port := fs.String("port", "", "port code, to create a new server database")
	if ok, code := parseOfficerFlags(fs, args, stderr); !ok {
		return code
	}
	if *badge == "" || *name == "" || *role == "" {
		return usageError(stderr, "officer add: --badge, --name and --role are required")
	}
	roles, err := records.ParseRoles(*role)
	if err != nil {
		return usageError(stderr, "officer add: --role: %v", err)
	}
	if slices.Contains(roles, records.RoleLSS) {
		return usageError(stderr, "officer add: --role lss: LSS scientists' accounts are managed at the hub (hub officer add)")
	}
	b := sqlitestore.NormalizeBadge(*badge)
	pin, err := officercli.ReadPIN(stdin, stderr, b)
	if err != nil {
		return fail(stderr, fmt.Errorf("officer add: %w", err))
	}
	defer clear(pin)
	if err := sqlitestore.ValidatePIN(pin); err != nil {
		return fail(stderr, fmt.Errorf("officer add: %w", err))
	}
	ctx := context.Background()
	s, err := openOfficerStore(ctx, *db, *port, false, stderr)
	if err != nil {
		return fail(stderr, fmt.Errorf("officer add: %w", err))
	}
	defer s.Close()
	if err := s.AddPortAccount(ctx, sqlitestore.NewOfficer{Badge: b, Name: *name, Roles: *role, PIN: pin}); err != nil {
		return fail(stderr, fmt.Errorf("officer add: %w", err))
	}
	fmt.Fprintf(stdout, "port account %s (%s, %s) added; workstations receive it with the feed\n", b, strings.TrimSpace(*name), roles)
	return 0
}

func runOfficerList(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("officer list", stderr)
	asJSON := fs.Bool("json", false, "print a JSON array of accounts")
	db := fs.String("db", defaultDB, "server database")
	if ok, code := parseOfficerFlags(fs, args, stderr); !ok {
		return code
	}
	ctx := context.Background()
	s, err := openOfficerStore(ctx, *db, "", true, stderr)
	if err != nil {
		return fail(stderr, fmt.Errorf("officer list: %w", err))
	}
	defer s.Close()
	list, err := s.ListPortAccounts(ctx)
	if err != nil {
		return fail(stderr, fmt.Errorf("officer list: %w", err))
	}
	if *asJSON {
		if err := officercli.WriteJSON(stdout, list); err != nil {
			return fail(stderr, fmt.Errorf("officer list: %w", err))
		}
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BADGE\tNAME\tROLES\tSTATUS")
	now := time.Now()
	for _, o := range list {
		status := officercli.Status(o, now)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Badge, o.Name, o.Roles, status)
	}
	if err := tw.Flush(); err != nil {
		return fail(stderr, fmt.Errorf("officer list: %w", err))
	}
	return 0
}

func runOfficerDisable(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("officer disable", stderr)
	badge := fs.String("badge", "", "badge number (required)")
	db := fs.String("db", defaultDB, "server database")
	if ok, code := parseOfficerFlags(fs, args, stderr); !ok {
		return code
	}
	if *badge == "" {
		return usageError(stderr, "officer disable: --badge is required")
	}
	ctx := context.Background()
	s, err := openOfficerStore(ctx, *db, "", false, stderr)
	if err != nil {
		return fail(stderr, fmt.Errorf("officer disable: %w", err))
	}
	defer s.Close()
	if err := s.DisablePortAccount(ctx, *badge); err != nil {
		return fail(stderr, fmt.Errorf("officer disable: %w", err))
	}
	fmt.Fprintf(stdout, "port account %s disabled; workstations receive it with the feed\n", sqlitestore.NormalizeBadge(*badge))
	return 0
}
