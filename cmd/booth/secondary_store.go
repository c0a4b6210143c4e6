package main

import (
	"context"
	"fmt"
	"image"
	"slices"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/tui/secondary"
)

// secondaryStore is the secondary screens' view of the workstation's
// replica (secondary.Store) over the SQLite store the feed puller fills.
type secondaryStore struct {
	store *sqlitestore.Store
	// gallery fetches a document's photo on file; nil: no photos.
	gallery func(ctx context.Context, doc records.DocumentRef) (image.Image, error)
	// link words the feed's state and says when it last reached the port
	// server; nil when the workstation has no link.
	link func() (text string, lastOK time.Time)
	now  func() time.Time
}

var _ secondary.Store = (*secondaryStore)(nil)

func (s *secondaryStore) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// Queue is every crossing referred and not yet determined, oldest first.
func (s *secondaryStore) Queue(ctx context.Context) ([]records.QueueEntry, error) {
	return s.store.Queue(ctx, s.clock(), 0)
}

// Conflicts is every crossing whose determinations conflict, oldest first.
func (s *secondaryStore) Conflicts(ctx context.Context) ([]records.QueueEntry, error) {
	return s.store.Conflicts(ctx, s.clock(), 0)
}

// Crossing is every event of one crossing in the replica.
func (s *secondaryStore) Crossing(ctx context.Context, id string) ([]records.Event, error) {
	return s.store.Events(ctx, id)
}

// Search runs every part of q that is set and merges the hits, newest
// first.
func (s *secondaryStore) Search(ctx context.Context, q secondary.Query, limit int) ([]secondary.Summary, error) {
	m := newSummaryMerge("")
	if q.Document != "" {
		if err := m.add(s.store.HistoryByDocumentNumber(ctx, q.Document, limit)); err != nil {
			return nil, fmt.Errorf("search document %s: %w", q.Document, err)
		}
	}
	if q.Surname != "" && q.BirthDate != "" {
		if err := m.add(s.store.HistoryByNameDOB(ctx, q.Surname, "", q.BirthDate, limit)); err != nil {
			return nil, fmt.Errorf("search %s born %s: %w", q.Surname, q.BirthDate, err)
		}
	}
	if q.Plate != "" {
		if err := m.add(s.store.HistoryByPlate(ctx, "", q.Plate, limit)); err != nil {
			return nil, fmt.Errorf("search plate %s: %w", q.Plate, err)
		}
	}
	return m.result(limit), nil
}

// History is the earlier crossings of c's travellers (each document, card,
// name and birth date) and vehicle, newest first, c itself excluded.
func (s *secondaryStore) History(ctx context.Context, c *records.Crossing, limit int) ([]secondary.Summary, error) {
	m := newSummaryMerge(c.ID)
	// One more than asked: the crossing itself is among the hits.
	n := limit + 1
	for _, t := range c.Travelers {
		docs := slices.Clone(t.Documents)
		if len(docs) == 0 && !t.Document.IsZero() {
			docs = append(docs, t.Document)
		}
		for _, d := range docs {
			if err := m.add(s.store.HistoryByDocument(ctx, d.Country, d.Number, n)); err != nil {
				return nil, fmt.Errorf("history of %s: %w", d.Key(), err)
			}
		}
		for _, epc := range t.EPCs {
			if err := m.add(s.store.HistoryByEPC(ctx, epc, n)); err != nil {
				return nil, fmt.Errorf("history of card %s: %w", epc, err)
			}
		}
		if t.Surname != "" && t.BirthDate != "" {
			if err := m.add(s.store.HistoryByNameDOB(ctx, t.Surname, t.GivenNames, t.BirthDate, n)); err != nil {
				return nil, fmt.Errorf("history of %s: %w", t.DisplayName(), err)
			}
		}
	}
	if v := c.Vehicle; v != nil && v.Plate != "" {
		if err := m.add(s.store.HistoryByPlate(ctx, v.Region, v.Plate, n)); err != nil {
			return nil, fmt.Errorf("history of plate %s: %w", v.Key(), err)
		}
	}
	return m.result(limit), nil
}

// Gallery is the photo on file of a document, nil when there is none or no
// face matcher is configured.
func (s *secondaryStore) Gallery(ctx context.Context, doc records.DocumentRef) (image.Image, error) {
	if s.gallery == nil {
		return nil, nil
	}
	return s.gallery(ctx, doc)
}

// Status is when the replica last caught up with the port server and the
// link's state.
func (s *secondaryStore) Status(ctx context.Context) (secondary.ReplicaStatus, error) {
	cp, err := s.store.FeedCheckpoint(ctx)
	if err != nil {
		return secondary.ReplicaStatus{}, fmt.Errorf("replica status: %w", err)
	}
	st := secondary.ReplicaStatus{Synced: cp.UpdatedAt, Link: "no port server configured"}
	if s.link != nil {
		text, lastOK := s.link()
		st.Link = text
		// A long poll that found nothing new still proves the replica
		// current; the checkpoint moves only with events.
		if lastOK.After(st.Synced) {
			st.Synced = lastOK
		}
	}
	return st, nil
}

// summaryMerge merges history hits by crossing, keeping one of each.
type summaryMerge struct {
	exclude string
	seen    map[string]bool
	out     []secondary.Summary
}

func newSummaryMerge(exclude string) *summaryMerge {
	return &summaryMerge{exclude: exclude, seen: map[string]bool{}}
}

func (m *summaryMerge) add(hs []sqlitestore.HistoryEntry, err error) error {
	if err != nil {
		return err
	}
	for _, h := range hs {
		if h.CrossingID == m.exclude || m.seen[h.CrossingID] {
			continue
		}
		m.seen[h.CrossingID] = true
		m.out = append(m.out, summaryOf(h))
	}
	return nil
}

func (m *summaryMerge) result(limit int) []secondary.Summary {
	slices.SortStableFunc(m.out, func(a, b secondary.Summary) int { return b.At.Compare(a.At) })
	if limit > 0 && len(m.out) > limit {
		m.out = m.out[:limit]
	}
	return m.out
}

func summaryOf(h sqlitestore.HistoryEntry) secondary.Summary {
	s := secondary.Summary{CrossingID: h.CrossingID, At: h.At, Port: h.Port, Lane: h.Lane,
		Names: h.Travelers, Referred: h.Referred, Outcome: string(h.Outcome), Conflict: h.Conflict}
	if h.Plate != "" {
		s.Plate = h.Region + "/" + h.Plate
	}
	for _, o := range h.Outcomes {
		s.Outcomes = append(s.Outcomes, string(o))
	}
	return s
}

// replicaChanges carries "the replica applied new events" from the feed
// puller to the one goroutine that calls Program.Send. It never blocks the
// puller: changes arriving while the last signal is still pending are
// merged into it.
type replicaChanges struct {
	mu       sync.Mutex
	pending  map[string]bool
	wake     chan struct{}
	overflow bool // too many crossings to name: reload everything
}

func newReplicaChanges() *replicaChanges {
	return &replicaChanges{pending: map[string]bool{}, wake: make(chan struct{}, 1)}
}

// maxNamed bounds the crossings one signal names; past it the screen
// reloads whatever it shows.
const maxNamed = 256

// applied is the puller's OnApplied hook.
func (r *replicaChanges) applied(batch []records.Event, _ int64) {
	r.mu.Lock()
	for _, e := range batch {
		if len(r.pending) >= maxNamed {
			r.overflow = true
			break
		}
		r.pending[e.CrossingID] = true
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default: // a signal is pending; it will carry these crossings too
	}
}

// take returns the message for the changes so far and resets them.
func (r *replicaChanges) take() secondary.ReplicaChangedMsg {
	r.mu.Lock()
	defer r.mu.Unlock()
	var msg secondary.ReplicaChangedMsg
	if !r.overflow {
		for id := range r.pending {
			msg.Crossings = append(msg.Crossings, id)
		}
		slices.Sort(msg.Crossings)
	}
	clear(r.pending)
	r.overflow = false
	return msg
}

// sender is what forwardSecondary sends through (tea.Program in the TUI).
type sender interface{ Send(msg tea.Msg) }

// forwardSecondary is the secondary workstation's one goroutine that sends
// into the program: a ReplicaChangedMsg after the feed puller applied
// events, so the queue and the open crossing refresh without a key press.
func forwardSecondary(ctx context.Context, p sender, changes *replicaChanges) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-changes.wake:
			p.Send(changes.take())
		}
	}
}

// historyOutcome is a history line's outcome for the primary screen: the
// final determination, or both outcomes flagged while secondary
// determinations conflict (never one of them silently).
func historyOutcome(h sqlitestore.HistoryEntry) string {
	if !h.Conflict {
		return string(h.Outcome)
	}
	outs := make([]string, len(h.Outcomes))
	for i, o := range h.Outcomes {
		outs[i] = string(o)
	}
	return "CONFLICT " + strings.Join(outs, " / ")
}
