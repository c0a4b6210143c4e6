package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// Quarantine: events the port server received and stored but will not apply
// (a newer schema, an unknown kind, a payload that breaks its kind's schema,
// a write to another workstation's crossing the rules do not allow). They
// count for their workstation's high-water mark, so its queue moves on, but
// are neither projected nor served until an operator releases or rejects
// them. Nothing is ever deleted; each decision is audited.

// quarantineJSON is the quarantine section of `status --json`.
type quarantineJSON struct {
	Held          int               `json:"held"`
	ByWorkstation map[string]int    `json:"by_workstation"`
	Events        []quarantinedJSON `json:"events"` // held ones, at most statusListMax
}

type quarantinedJSON struct {
	ID          string    `json:"id"`
	Workstation string    `json:"workstation"`
	OriginSeq   int64     `json:"origin_seq"`
	CrossingID  string    `json:"crossing_id"`
	Kind        string    `json:"kind"`
	Schema      int       `json:"schema"`
	Code        string    `json:"code"`
	Reason      string    `json:"reason"`
	ReceivedAt  time.Time `json:"received_at"`
	State       string    `json:"state"`
	DecidedAt   time.Time `json:"decided_at,omitzero"`
	DecidedBy   string    `json:"decided_by,omitempty"`
	Note        string    `json:"note,omitempty"`
}

func toQuarantinedJSON(q records.QuarantinedEvent) quarantinedJSON {
	return quarantinedJSON{ID: q.Event.ID, Workstation: q.Event.Origin, OriginSeq: q.Event.OriginSeq, CrossingID: q.Event.CrossingID,
		Kind: string(q.Event.Kind), Schema: q.Event.Schema, Code: q.Code, Reason: q.Reason, ReceivedAt: q.ReceivedAt,
		State: string(q.State), DecidedAt: q.DecidedAt, DecidedBy: q.DecidedBy, Note: q.Note}
}

func quarantineSummary(ctx context.Context, store *sqlitestore.Store) (quarantineJSON, error) {
	held, err := store.Quarantined(ctx, sqlitestore.QuarantineFilter{State: records.QuarantineHeld, Limit: 10000})
	if err != nil {
		return quarantineJSON{}, err
	}
	out := quarantineJSON{Held: len(held), ByWorkstation: map[string]int{}, Events: []quarantinedJSON{}}
	for _, q := range held {
		out.ByWorkstation[q.Event.Origin]++
		if len(out.Events) < statusListMax {
			out.Events = append(out.Events, toQuarantinedJSON(q))
		}
	}
	return out, nil
}

// printQuarantine is the quarantine section of `status`.
func printQuarantine(w io.Writer, q quarantineJSON) {
	if q.Held == 0 {
		fmt.Fprintln(w, "quarantine: none held")
		return
	}
	fmt.Fprintf(w, "QUARANTINE: %d events held (stored, not applied, not served) until released or rejected (portserver quarantine):\n", q.Held)
	for _, e := range q.Events {
		fmt.Fprintf(w, "  %s  %s #%d %s on crossing %s: %s: %s\n", e.ID, e.Workstation, e.OriginSeq, e.Kind, e.CrossingID, e.Code, e.Reason)
	}
	if rest := q.Held - len(q.Events); rest > 0 {
		fmt.Fprintf(w, "  … and %d more (portserver quarantine list)\n", rest)
	}
}

const quarantineUsage = `usage: portserver quarantine list [--state held|released|rejected|all] [--workstation ID] [--json] [--db F]
       portserver quarantine release ID --operator NAME [--note TEXT] [--db F]
       portserver quarantine reject ID --operator NAME [--note TEXT] [--db F]`

func runQuarantine(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return usageError(stderr, "quarantine: want list, release or reject\n%s", quarantineUsage)
	}
	switch args[0] {
	case "list":
		return runQuarantineList(args[1:], stdout, stderr)
	case "release", "reject":
		return runQuarantineDecide(args[0], args[1:], stdout, stderr)
	}
	return usageError(stderr, "quarantine: unknown action %q\n%s", args[0], quarantineUsage)
}

func runQuarantineList(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("quarantine list", stderr)
	db := fs.String("db", defaultDB, "server database")
	state := fs.String("state", "held", "held, released, rejected or all")
	ws := fs.String("workstation", "", "only this workstation's events")
	asJSON := fs.Bool("json", false, "print JSON lines")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "quarantine list: unexpected argument %q", fs.Arg(0))
	}
	f := sqlitestore.QuarantineFilter{Origin: *ws, Limit: 10000}
	switch *state {
	case "held", "released", "rejected":
		f.State = records.QuarantineState(*state)
	case "all":
	default:
		return usageError(stderr, "quarantine list: --state %q: want held, released, rejected or all", *state)
	}
	ctx := context.Background()
	store, err := openServerStore(ctx, *db, "", true, discardLog())
	if err != nil {
		return fail(stderr, fmt.Errorf("quarantine list: %w", err))
	}
	defer store.Close()
	list, err := store.Quarantined(ctx, f)
	if err != nil {
		return fail(stderr, err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, q := range list {
			if err := enc.Encode(toQuarantinedJSON(q)); err != nil {
				return fail(stderr, err)
			}
		}
		return 0
	}
	if len(list) == 0 {
		fmt.Fprintf(stdout, "no %s events in quarantine\n", *state)
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tWORKSTATION\tSEQ\tKIND\tCROSSING\tCODE\tSTATE\tREASON")
	for _, q := range list {
		st := string(q.State)
		if q.State != records.QuarantineHeld {
			st += " by " + q.DecidedBy
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", q.Event.ID, q.Event.Origin, q.Event.OriginSeq, q.Event.Kind,
			q.Event.CrossingID, q.Code, st, q.Reason)
	}
	if err := tw.Flush(); err != nil {
		return fail(stderr, err)
	}
	return 0
}

func runQuarantineDecide(action string, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("quarantine "+action, stderr)
	db := fs.String("db", defaultDB, "server database")
	operator := fs.String("operator", "", "who decides (badge or name; required, audited)")
	note := fs.String("note", "", "why (audited)")
	// The event id comes first or last: take it out before the flags.
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if id == "" && fs.NArg() == 1 {
		id = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return usageError(stderr, "quarantine %s: unexpected argument %q", action, fs.Arg(0))
	}
	if strings.TrimSpace(id) == "" {
		return usageError(stderr, "quarantine %s: name the event id (portserver quarantine list)\n%s", action, quarantineUsage)
	}
	if strings.TrimSpace(*operator) == "" {
		return usageError(stderr, "quarantine %s: --operator is required and may not be blank: the decision is audited under it", action)
	}
	ctx := context.Background()
	store, err := openServerStore(ctx, *db, "", false, discardLog())
	if err != nil {
		return fail(stderr, fmt.Errorf("quarantine %s: %w", action, err))
	}
	defer store.Close()
	d := sqlitestore.QuarantineDecision{ID: id, Operator: *operator, Note: *note}
	var q records.QuarantinedEvent
	if action == "release" {
		q, err = store.ReleaseQuarantined(ctx, d)
	} else {
		q, err = store.RejectQuarantined(ctx, d)
	}
	if err != nil {
		return fail(stderr, err)
	}
	what := "released: applied and served in the feed from now on"
	if q.State == records.QuarantineRejected {
		what = "rejected: kept, never applied"
	}
	fmt.Fprintf(stdout, "%s #%d (%s, %s) %s; audited under %s\n", q.Event.Origin, q.Event.OriginSeq, q.Event.ID, q.Event.Kind, what, q.DecidedBy)
	return 0
}
