package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/portofentry/booth/cmd/internal/officercli"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

const officerUsage = `usage:
  booth officer add --badge B --name N --role ROLES [--break-glass] [--config FILE] [--db FILE]
  booth officer list [--json] [--config FILE] [--db FILE]
  booth officer disable --badge B [--config FILE] [--db FILE]

Manages this workstation's local accounts (demos, offline set-up,
break-glass); port accounts are managed at the port server (portserver
officer) and arrive with its feed. ROLES is a set: primary, secondary,
supervisor, or several separated by commas (primary,secondary). A
--break-glass account signs in only while the workstation has not heard from
the port server for account_cache_max_age, and every use is audited as such.
The PIN (6-12 digits) of a new officer is read from stdin, never from the
command line: typed twice without echo when stdin is a terminal, otherwise
the first line of stdin.`

// runOfficer implements `booth officer`.
func runOfficer(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runActions("officer", officerUsage, args, stdout, stderr, map[string]func([]string) int{
		"add":     func(args []string) int { return runOfficerAdd(args, stdin, stdout, stderr) },
		"list":    func(args []string) int { return runOfficerList(args, stdout, stderr) },
		"disable": func(args []string) int { return runOfficerDisable(args, stdout, stderr) },
	})
}

func officerFlags(name string, stderr io.Writer) (*flag.FlagSet, *storeFlags) {
	return maintenanceFlags("booth officer "+name, officerUsage, stderr)
}

func parseOfficerFlags(fs *flag.FlagSet, args []string, stderr io.Writer) (ok bool, code int) {
	return parseMaintenanceFlags(fs, args, stderr, " (the PIN is read from stdin, never from the command line)")
}

func runOfficerAdd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs, sf := officerFlags("add", stderr)
	badge := fs.String("badge", "", "badge number (required)")
	name := fs.String("name", "", "officer's name (required)")
	role := fs.String("role", "", "roles: primary, secondary, supervisor, or several joined by commas (required)")
	breakGlass := fs.Bool("break-glass", false, "a break-glass account: signs in only while the account cache has expired")
	if ok, code := parseOfficerFlags(fs, args, stderr); !ok {
		return code
	}
	if *badge == "" || *name == "" || *role == "" {
		return usageError(stderr, "officer add: --badge, --name and --role are required")
	}
	if roles, err := records.ParseRoles(*role); err != nil {
		return usageError(stderr, "officer add: --role: %v", err)
	} else if slices.Contains(roles, records.RoleLSS) {
		return usageError(stderr, "officer add: --role lss: LSS scientists' accounts are managed at the hub (hub officer add)")
	}
	cfg, err := sf.resolve()
	if err != nil {
		return usageError(stderr, "officer add: %v", err)
	}
	pin, err := officercli.ReadPIN(stdin, stderr, sqlitestore.NormalizeBadge(*badge))
	if err != nil {
		return failf(stderr, "officer add: %v", err)
	}
	defer clear(pin)
	if err := sqlitestore.ValidatePIN(pin); err != nil {
		return failf(stderr, "officer add: %v", err)
	}
	ctx := context.Background()
	s, err := openMaintenanceStore(ctx, cfg, false, stderr)
	if err != nil {
		return failf(stderr, "officer add: %v", err)
	}
	defer s.Close()
	if err := s.AddLocalOfficer(ctx, sqlitestore.NewOfficer{Badge: *badge, Name: *name, Roles: *role, PIN: pin, BreakGlass: *breakGlass}); err != nil {
		return failf(stderr, "officer add: %v", err)
	}
	kind := "officer"
	if *breakGlass {
		kind = "break-glass officer"
	}
	roles, _ := records.ParseRoles(*role)
	fmt.Fprintf(stdout, "%s %s (%s, %s) added\n", kind, sqlitestore.NormalizeBadge(*badge), strings.TrimSpace(*name), roles)
	return 0
}

func runOfficerList(args []string, stdout, stderr io.Writer) int {
	fs, sf := officerFlags("list", stderr)
	asJSON := fs.Bool("json", false, "print a JSON array of accounts")
	if ok, code := parseOfficerFlags(fs, args, stderr); !ok {
		return code
	}
	cfg, err := sf.resolve()
	if err != nil {
		return usageError(stderr, "officer list: %v", err)
	}
	ctx := context.Background()
	s, err := openMaintenanceStore(ctx, cfg, true, stderr)
	if err != nil {
		return failf(stderr, "officer list: %v", err)
	}
	defer s.Close()
	list, err := s.ListOfficers(ctx)
	if err != nil {
		return failf(stderr, "officer list: %v", err)
	}
	if *asJSON {
		if err := officercli.WriteJSON(stdout, list); err != nil {
			return failf(stderr, "officer list: %v", err)
		}
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BADGE\tNAME\tROLES\tSOURCE\tSTATUS\tLAST LOGIN")
	now := time.Now()
	for _, o := range list {
		status := officercli.Status(o, now)
		last := "never"
		if !o.LastLoginAt.IsZero() {
			last = o.LastLoginAt.Local().Format("2006-01-02 15:04")
		}
		source := o.Source
		if o.BreakGlass {
			source += " (break-glass)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", o.Badge, o.Name, o.Roles, source, status, last)
	}
	if err := tw.Flush(); err != nil {
		return failf(stderr, "officer list: %v", err)
	}
	return 0
}

func runOfficerDisable(args []string, stdout, stderr io.Writer) int {
	fs, sf := officerFlags("disable", stderr)
	badge := fs.String("badge", "", "badge number (required)")
	if ok, code := parseOfficerFlags(fs, args, stderr); !ok {
		return code
	}
	if *badge == "" {
		return usageError(stderr, "officer disable: --badge is required")
	}
	cfg, err := sf.resolve()
	if err != nil {
		return usageError(stderr, "officer disable: %v", err)
	}
	ctx := context.Background()
	s, err := openMaintenanceStore(ctx, cfg, false, stderr)
	if err != nil {
		return failf(stderr, "officer disable: %v", err)
	}
	defer s.Close()
	if err := s.DisableOfficer(ctx, *badge); err != nil {
		return failf(stderr, "officer disable: %v", err)
	}
	fmt.Fprintf(stdout, "officer %s disabled\n", sqlitestore.NormalizeBadge(*badge))
	return 0
}
