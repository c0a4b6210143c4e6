package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/portofentry/booth/records"
)

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// statusReport is `portserver status --json`.
type statusReport struct {
	FeedVersion  int64                      `json:"feed_version"`
	FeedFloor    int64                      `json:"feed_floor"`
	Reference    []records.PublishedDataset `json:"reference"`
	Workstations []workstationJSON          `json:"workstations"`
	// MissingOpenings: crossings whose crossing.opened never arrived from
	// the workstation that started them.
	MissingOpenings missingOpeningsJSON `json:"missing_openings"`
	// Quarantine: events received and stored but held, neither applied
	// nor served, until an operator decides (cmd_quarantine.go).
	Quarantine quarantineJSON `json:"quarantine"`
}

// missingOpeningsJSON lists crossings held without their opening.
type missingOpeningsJSON struct {
	Total         int                  `json:"total"`
	ByWorkstation map[string]int       `json:"by_workstation"`
	Crossings     []missingOpeningJSON `json:"crossings"` // oldest first, at most statusListMax
}

type missingOpeningJSON struct {
	CrossingID     string    `json:"crossing_id"`
	Workstation    string    `json:"workstation"` // sent the first event held
	FirstEvent     string    `json:"first_event"`
	FirstKind      string    `json:"first_kind"`
	FirstOriginSeq int64     `json:"first_origin_seq"`
	Events         int       `json:"events"`
	LastAt         time.Time `json:"last_at"`
}

// statusListMax bounds the crossings listed by name.
const statusListMax = 50

type workstationJSON struct {
	Workstation   string    `json:"workstation"`
	Role          string    `json:"role"`
	LastSeen      time.Time `json:"last_seen"`
	HighWater     int64     `json:"high_water"`
	Backlog       int       `json:"backlog"`
	OldestUnsent  time.Time `json:"oldest_unsent,omitzero"`
	LagSeconds    float64   `json:"lag_seconds"`
	FeedVersion   int64     `json:"feed_version"`
	RefusedSeq    int64     `json:"refused_seq,omitempty"`
	RefusedReason string    `json:"refused_reason,omitempty"`
	// MissingOpenings counts the workstation's crossings held without
	// their opening.
	MissingOpenings int `json:"missing_openings"`
}

func runStatus(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("status", stderr)
	db := fs.String("db", defaultDB, "server database")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx := context.Background()
	store, err := openServerStore(ctx, *db, "", true, discardLog())
	if err != nil {
		return fail(stderr, fmt.Errorf("status: %w", err))
	}
	defer store.Close()
	var rep statusReport
	if rep.FeedVersion, err = store.FeedHead(ctx); err != nil {
		return fail(stderr, err)
	}
	if rep.FeedFloor, err = store.FeedFloor(ctx); err != nil {
		return fail(stderr, err)
	}
	if rep.Reference, err = store.PublishedReference(ctx); err != nil {
		return fail(stderr, err)
	}
	ws, err := store.Workstations(ctx)
	if err != nil {
		return fail(stderr, err)
	}
	missing, err := store.MissingOpenings(ctx, statusListMax)
	if err != nil {
		return fail(stderr, err)
	}
	rep.MissingOpenings = missingOpeningsJSON{Total: missing.Total, ByWorkstation: missing.ByOrigin, Crossings: []missingOpeningJSON{}}
	for _, m := range missing.Crossings {
		rep.MissingOpenings.Crossings = append(rep.MissingOpenings.Crossings, missingOpeningJSON{
			CrossingID: m.CrossingID, Workstation: m.Origin, FirstEvent: m.FirstEventID, FirstKind: string(m.FirstKind),
			FirstOriginSeq: m.FirstOriginSeq, Events: m.Events, LastAt: m.LastAt,
		})
	}
	if rep.Quarantine, err = quarantineSummary(ctx, store); err != nil {
		return fail(stderr, err)
	}
	for _, w := range ws {
		rep.Workstations = append(rep.Workstations, workstationJSON{
			Workstation: w.Origin, Role: w.Role, LastSeen: w.LastSeen, HighWater: w.HighWater,
			Backlog: w.Backlog, OldestUnsent: w.OldestUnsent, LagSeconds: w.Lag.Seconds(), FeedVersion: w.FeedVersion,
			RefusedSeq: w.RefusedSeq, RefusedReason: w.RefusedReason, MissingOpenings: missing.ByOrigin[w.Origin],
		})
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fail(stderr, err)
		}
		return 0
	}
	now := time.Now()
	fmt.Fprintf(stdout, "feed version %d (deltas served after %d)\n", rep.FeedVersion, rep.FeedFloor)
	for _, d := range rep.Reference {
		fmt.Fprintf(stdout, "reference %-12s version %d as of %s\n", d.Kind, d.Version, d.AsOf.Format(time.RFC3339))
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKSTATION\tROLE\tLAST SEEN\tHIGH-WATER\tBACKLOG\tOLDEST UNSENT\tLAG\tFEED\tNO OPENING\tHELD")
	for _, w := range ws {
		oldest, held := "-", "-"
		if !w.OldestUnsent.IsZero() && w.Backlog > 0 {
			oldest = ago(now, w.OldestUnsent)
		}
		if w.RefusedSeq > 0 {
			held = fmt.Sprintf("#%d: %s", w.RefusedSeq, w.RefusedReason)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%d\t%d\t%s\n", w.Origin, w.Role, ago(now, w.LastSeen), w.HighWater,
			w.Backlog, oldest, w.Lag.Round(time.Millisecond), w.FeedVersion, missing.ByOrigin[w.Origin], held)
	}
	if err := tw.Flush(); err != nil {
		return fail(stderr, err)
	}
	printMissingOpenings(stdout, rep.MissingOpenings)
	printQuarantine(stdout, rep.Quarantine)
	return 0
}

// printMissingOpenings flags crossings whose opening never arrived.
func printMissingOpenings(w io.Writer, m missingOpeningsJSON) {
	if m.Total == 0 {
		fmt.Fprintln(w, "crossings without an opening: none")
		return
	}
	fmt.Fprintf(w, "WARNING: %d crossings without an opening (their crossing.opened never arrived from the workstation):\n", m.Total)
	for _, c := range m.Crossings {
		fmt.Fprintf(w, "  %s from %s: first event %s #%d (%s), %d events, last %s\n", c.CrossingID, c.Workstation,
			c.FirstKind, c.FirstOriginSeq, c.FirstEvent, c.Events, c.LastAt.Format(time.RFC3339))
	}
	if rest := m.Total - len(m.Crossings); rest > 0 {
		fmt.Fprintf(w, "  … and %d more (portserver status --json lists the first %d)\n", rest, statusListMax)
	}
}

// ago renders how long before now t was, e.g. "3m12s ago".
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return now.Sub(t).Round(time.Second).String() + " ago"
}
