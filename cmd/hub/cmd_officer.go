package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/portofentry/booth/cmd/internal/actions"
	"github.com/portofentry/booth/cmd/internal/fileperm"
	"github.com/portofentry/booth/cmd/internal/officercli"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// LSS scientists' accounts (docs/national.md, "LSS accounts") are managed
// at the hub, not at any port: they live in DIR/accounts.db, a SQLite
// database of the store's account machinery (the port-account tables, so
// the verifier, lockout and disable rules are the port's), hashed with
// argon2id over the hub pepper in DIR/accounts.port-pepper. Both files are
// 0600 and never leave the hub; a looser one stops the command.

// accountsDBName is the hub's accounts database inside --data.
const accountsDBName = "accounts.db"

// hubAccountsOrigin is the accounts database's owner id.
const hubAccountsOrigin = "hub"

// hubAccountSource replaces the store's "port" source in what `hub officer
// list` prints: these accounts are the hub's.
const hubAccountSource = "hub"

const officerUsage = `usage:
  hub officer add --badge B --name N --data DIR
  hub officer list [--json] --data DIR
  hub officer disable --badge B --data DIR

Manages LSS scientists' accounts at the hub. Every account has the one role
lss: it signs in only at an lss workstation (booth --role lss), never at a
port's. Accounts are kept in DIR/accounts.db as argon2id verifiers over the
hub pepper (DIR/accounts.port-pepper, made at the first add); both files
are 0600. Accounts are never deleted: disable one instead. The PIN (6-12
digits) is read from stdin, never from the command line: typed twice
without echo from a terminal, otherwise the first line of stdin.`

// runOfficer implements `hub officer`.
func runOfficer(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return actions.Run("hub", "officer", officerUsage, args, stdout, stderr, map[string]func([]string) int{
		"add":     func(args []string) int { return runOfficerAdd(args, stdin, stdout, stderr) },
		"list":    func(args []string) int { return runOfficerList(args, stdout, stderr) },
		"disable": func(args []string) int { return runOfficerDisable(args, stdout, stderr) },
	})
}

// parseOfficerFlags parses args, refusing stray arguments (a PIN typed on
// the command line would land in shell history and ps) and a missing
// --data.
func parseOfficerFlags(action string, fs interface {
	Parse([]string) error
	NArg() int
	Arg(int) string
}, args []string, data *string, stderr io.Writer) (ok bool, code int) {
	if err := fs.Parse(args); err != nil {
		return false, 2
	}
	if fs.NArg() > 0 {
		// An argument of digits is likely a PIN: not repeated into logs.
		what := fmt.Sprintf(" %q", fs.Arg(0))
		if strings.Trim(fs.Arg(0), "0123456789") == "" {
			what = ""
		}
		return false, usageError(stderr, "officer %s: unexpected argument%s (the PIN is read from stdin, never from the command line)", action, what)
	}
	if *data == "" {
		return false, usageError(stderr, "officer %s: --data DIR is required (the hub's data directory; accounts are in DIR/%s)", action, accountsDBName)
	}
	return true, 0
}

// openHubAccounts opens DIR/accounts.db: for add, creating the directory
// (0700) and the database (0600); otherwise it must exist. The database,
// its SQLite side files and the pepper must be private.
func openHubAccounts(ctx context.Context, dir string, create, readOnly bool) (*sqlitestore.Store, error) {
	db := filepath.Join(dir, accountsDBName)
	private := append(fileperm.SQLiteFiles(db), sqlitestore.PortPepperPath(db))
	if err := fileperm.Check(private, false, "", nil); err != nil {
		return nil, fmt.Errorf("private files: %w", err)
	}
	if create {
		if err := fileperm.MkdirPrivate(dir); err != nil {
			return nil, fmt.Errorf("data directory %s: %w", dir, err)
		}
	} else if _, err := os.Stat(db); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no LSS accounts in %s (no %s; `hub officer add` creates it)", dir, accountsDBName)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts := sqlitestore.Options{Origin: hubAccountsOrigin, Logger: log}
	if readOnly {
		opts = sqlitestore.Options{ReadOnly: true, Logger: log}
	}
	s, err := sqlitestore.Open(ctx, db, opts)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", db, err)
	}
	return s, nil
}

func runOfficerAdd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("officer add", stderr)
	badge := fs.String("badge", "", "the scientist's badge (required)")
	name := fs.String("name", "", "the scientist's name (required)")
	data := fs.String("data", "", "hub data directory; accounts are in DIR/"+accountsDBName+" (required)")
	if ok, code := parseOfficerFlags("add", fs, args, data, stderr); !ok {
		return code
	}
	if *badge == "" || *name == "" {
		return usageError(stderr, "officer add: --badge and --name are required")
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
	s, err := openHubAccounts(ctx, *data, true, false)
	if err != nil {
		return fail(stderr, fmt.Errorf("officer add: %w", err))
	}
	defer s.Close()
	err = s.AddPortAccount(ctx, sqlitestore.NewOfficer{Badge: b, Name: *name, Roles: string(records.RoleLSS), PIN: pin})
	if err != nil {
		return fail(stderr, fmt.Errorf("officer add: %w", err))
	}
	fmt.Fprintf(stdout, "LSS account %s (%s, %s) added at the hub\n", b, strings.TrimSpace(*name), records.RoleLSS)
	return 0
}

func runOfficerList(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("officer list", stderr)
	asJSON := fs.Bool("json", false, "print a JSON array of accounts")
	data := fs.String("data", "", "hub data directory; accounts are in DIR/"+accountsDBName+" (required)")
	if ok, code := parseOfficerFlags("list", fs, args, data, stderr); !ok {
		return code
	}
	ctx := context.Background()
	s, err := openHubAccounts(ctx, *data, false, true)
	if err != nil {
		return fail(stderr, fmt.Errorf("officer list: %w", err))
	}
	defer s.Close()
	list, err := s.ListPortAccounts(ctx)
	if err != nil {
		return fail(stderr, fmt.Errorf("officer list: %w", err))
	}
	for i := range list {
		list[i].Source = hubAccountSource
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Badge, o.Name, o.Roles, officercli.Status(o, now))
	}
	if err := tw.Flush(); err != nil {
		return fail(stderr, fmt.Errorf("officer list: %w", err))
	}
	return 0
}

func runOfficerDisable(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("officer disable", stderr)
	badge := fs.String("badge", "", "badge number (required)")
	data := fs.String("data", "", "hub data directory; accounts are in DIR/"+accountsDBName+" (required)")
	if ok, code := parseOfficerFlags("disable", fs, args, data, stderr); !ok {
		return code
	}
	if *badge == "" {
		return usageError(stderr, "officer disable: --badge is required")
	}
	ctx := context.Background()
	s, err := openHubAccounts(ctx, *data, false, false)
	if err != nil {
		return fail(stderr, fmt.Errorf("officer disable: %w", err))
	}
	defer s.Close()
	if err := s.DisablePortAccount(ctx, *badge); err != nil {
		return fail(stderr, fmt.Errorf("officer disable: %w", err))
	}
	fmt.Fprintf(stdout, "LSS account %s disabled at the hub\n", sqlitestore.NormalizeBadge(*badge))
	return 0
}
