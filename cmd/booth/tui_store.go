package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/tui"
)

// storeBackend answers the workstation's look-ups, authentication and audit
// from the booth's SQLite store (the TUI's Lookups and Officers).
type storeBackend struct {
	Store *sqlitestore.Store
	// StaleAfter is the age past which reference data is flagged stale.
	StaleAfter time.Duration
	// Link reports the port-server link for the header; nil means offline.
	Link func() string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// SignIn is the workstation's sign-in policy (signin.go); nil signs in
	// without a workstation kind.
	SignIn *signInPolicy
	// National asks the port server for other ports' crossings (national
	// history); nil when no port server is configured.
	National nationalClient
}

// nationalClient is the port server's national history endpoint
// (replication.Client).
type nationalClient interface {
	NationalHistory(ctx context.Context, q replication.NationalQuery, officer string) (replication.NationalHistoryResponse, error)
}

var (
	_ tui.Lookups         = (*storeBackend)(nil)
	_ tui.NationalLookups = (*storeBackend)(nil)
	_ tui.Officers        = (*storeBackend)(nil)
	_ nationalClient      = (*replication.Client)(nil)
)

func (b *storeBackend) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// Enrollment resolves an RFID card.
func (b *storeBackend) Enrollment(ctx context.Context, epc string) (*records.Enrollment, error) {
	e, found, err := b.Store.EnrollmentByEPC(ctx, epc)
	if err != nil {
		return nil, fmt.Errorf("enrollment of %s: %w", epc, err)
	}
	if !found {
		return nil, nil
	}
	return &e, nil
}

// CheckTraveler checks the traveller's travel document (the passport once
// read, else the card) and name and birth date.
func (b *storeBackend) CheckTraveler(ctx context.Context, t records.Traveler) (records.ReferenceChecked, error) {
	rc, err := b.Store.CheckTravelerReference(ctx, t.Document, t.TravelerID, t.Surname, t.GivenNames, t.BirthDate, b.now())
	if err != nil {
		return rc, fmt.Errorf("check %s: %w", t.Document.Key(), err)
	}
	return rc, nil
}

// CheckPlate checks the plate against plate lookouts.
func (b *storeBackend) CheckPlate(ctx context.Context, region, plate string) (records.ReferenceChecked, error) {
	rc, err := b.Store.CheckPlateReference(ctx, region+"/"+plate)
	if err != nil {
		return rc, fmt.Errorf("check plate %s/%s: %w", region, plate, err)
	}
	return rc, nil
}

// TravelerHistory merges the prior crossings found by each of the
// traveller's documents, their cards and their name and birth date, newest
// first.
func (b *storeBackend) TravelerHistory(ctx context.Context, t records.Traveler, limit int) ([]tui.HistoryEntry, error) {
	seen := map[string]bool{}
	var out []tui.HistoryEntry
	add := func(hs []sqlitestore.HistoryEntry, err error) error {
		if err != nil {
			return err
		}
		for _, h := range hs {
			if !seen[h.CrossingID] {
				seen[h.CrossingID] = true
				out = append(out, historyEntry(h))
			}
		}
		return nil
	}
	docs := t.Documents
	if len(docs) == 0 && !t.Document.IsZero() {
		docs = []records.DocumentRef{t.Document}
	}
	for _, d := range docs {
		if err := add(b.Store.HistoryByDocument(ctx, d.Country, d.Number, limit)); err != nil {
			return nil, fmt.Errorf("history of %s: %w", d.Key(), err)
		}
	}
	for _, epc := range t.EPCs {
		if err := add(b.Store.HistoryByEPC(ctx, epc, limit)); err != nil {
			return nil, fmt.Errorf("history of card %s: %w", epc, err)
		}
	}
	if t.Surname != "" && t.BirthDate != "" {
		if err := add(b.Store.HistoryByNameDOB(ctx, t.Surname, t.GivenNames, t.BirthDate, limit)); err != nil {
			return nil, fmt.Errorf("history of %s: %w", t.DisplayName(), err)
		}
	}
	sortHistory(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// PlateHistory lists the plate's prior crossings.
func (b *storeBackend) PlateHistory(ctx context.Context, region, plate string, limit int) ([]tui.HistoryEntry, error) {
	hs, err := b.Store.HistoryByPlate(ctx, region, plate, limit)
	if err != nil {
		return nil, fmt.Errorf("history of plate %s/%s: %w", region, plate, err)
	}
	out := make([]tui.HistoryEntry, len(hs))
	for i, h := range hs {
		out[i] = historyEntry(h)
	}
	return out, nil
}

// NationalHistory asks the port server, which asks the hub, for other
// ports' crossings of a document, a name and birth date, or a plate. Local
// history comes from the replica (TravelerHistory, PlateHistory) without
// waiting for this. No port server: ErrNationalUnconfigured at once.
func (b *storeBackend) NationalHistory(ctx context.Context, q tui.NationalQuery) ([]tui.HistoryEntry, error) {
	if c, ok := b.National.(*replication.Client); b.National == nil || ok && c == nil {
		return nil, fmt.Errorf("%w: no port server configured", tui.ErrNationalUnconfigured)
	}
	resp, err := b.National.NationalHistory(ctx, replication.NationalQuery{Country: q.Country, Number: q.Number,
		Surname: q.Surname, BirthDate: q.BirthDate, Plate: q.Plate, Region: q.Region}, q.Officer)
	switch {
	case errors.Is(err, replication.ErrNationalUnconfigured):
		return nil, fmt.Errorf("%w: %v", tui.ErrNationalUnconfigured, err)
	case err != nil:
		return nil, fmt.Errorf("%w: %v", tui.ErrNationalUnavailable, err)
	}
	out := make([]tui.HistoryEntry, 0, len(resp.Crossings))
	for _, c := range resp.Crossings {
		out = append(out, tui.HistoryEntry{CrossingID: c.CrossingID, At: c.OpenedAt, Port: c.Port, Lane: c.Lane, Outcome: c.Outcome})
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func historyEntry(h sqlitestore.HistoryEntry) tui.HistoryEntry {
	plate := h.Plate
	if plate != "" && h.Region != "" {
		plate = h.Region + "/" + h.Plate
	}
	return tui.HistoryEntry{CrossingID: h.CrossingID, At: h.At, Port: h.Port, Lane: h.Lane, Mode: h.Mode,
		Outcome: historyOutcome(h), Status: string(h.Status), Plate: plate, Referred: h.Referred}
}

func sortHistory(hs []tui.HistoryEntry) {
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && hs[j].At.After(hs[j-1].At); j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
}

// Status reports the age of the reference data and the outbox backlog.
func (b *storeBackend) Status(ctx context.Context) (tui.RefStatus, error) {
	var st tui.RefStatus
	ds, err := b.Store.ReferenceStatus(ctx)
	if err != nil {
		return st, fmt.Errorf("reference status: %w", err)
	}
	now := b.now()
	for _, d := range ds {
		if d.AsOf.IsZero() {
			continue
		}
		if st.AsOf.IsZero() || d.AsOf.Before(st.AsOf) {
			st.AsOf = d.AsOf
		}
		if b.StaleAfter > 0 && d.Stale(now, b.StaleAfter) {
			st.Stale = true
		}
	}
	if st.Backlog, st.Oldest, err = b.Store.Backlog(ctx); err != nil {
		return st, fmt.Errorf("backlog: %w", err)
	}
	st.Link = "offline"
	if b.Link != nil {
		st.Link = b.Link()
	}
	return st, nil
}

// Authenticate signs an officer in under the workstation's policy.
func (b *storeBackend) Authenticate(ctx context.Context, badge string, pin []byte, now time.Time) (tui.Officer, error) {
	p := b.SignIn
	if p == nil {
		p = &signInPolicy{access: map[string]records.Access{}}
	}
	return p.signIn(ctx, b.Store, badge, pin, now)
}

// Audit appends a session event to the audit chain.
func (b *storeBackend) Audit(ctx context.Context, badge, action, subject string) error {
	return b.Store.Audit(ctx, sqlitestore.AuditEntry{Officer: badge, Action: action, Subject: subject})
}

// RecordAudit appends an entry built by records (a history look-up with
// the crossing it was made for) to the audit chain.
func (b *storeBackend) RecordAudit(ctx context.Context, e records.AuditEntry) error {
	return b.Store.Audit(ctx, e)
}
