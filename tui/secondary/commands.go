package secondary

import (
	"context"
	"fmt"
	"image"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// The commands below run on other goroutines: they get copies of what they
// need and return a message; only Update changes the model.

// loadQueue reads the queue, the conflicts and the replica's status.
func (m *Model) loadQueue() tea.Cmd {
	if m.alone {
		return nil // one crossing opened with Open: no queue to show
	}
	m.queueSeq++
	seq, store, now := m.queueSeq, m.deps.Store, m.sh.Now()
	ctx, timeout := m.ctx, m.cfg.Timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		out := queueMsg{seq: seq, at: now}
		out.queue, out.err = store.Queue(ctx)
		if out.err == nil {
			out.conflicts, out.err = store.Conflicts(ctx)
		}
		if out.err != nil {
			out.err = fmt.Errorf("read the queue: %w", out.err)
		}
		out.status, out.statusErr = store.Status(ctx)
		return out
	}
}

// loadCrossing reads one crossing, folds it, and reads its history and the
// photos on file of its documents.
func (m *Model) loadCrossing(id string) tea.Cmd {
	m.crossingSeq++
	seq, store, limit := m.crossingSeq, m.deps.Store, m.cfg.HistoryLimit
	ctx, timeout := m.ctx, m.cfg.Timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		out := crossingMsg{id: id, seq: seq}
		evs, err := store.Crossing(ctx, id)
		if err != nil {
			out.err = fmt.Errorf("read crossing %s: %w", shortID(id), err)
			return out
		}
		if len(evs) == 0 {
			out.err = fmt.Errorf("crossing %s is not in this workstation's replica", shortID(id))
			return out
		}
		out.events = evs
		out.c = records.Fold(evs)
		out.timeline = records.Timeline(evs)
		out.history, out.historyErr = store.History(ctx, out.c, limit)
		out.photos = map[string]image.Image{}
		for _, t := range out.c.Travelers {
			doc := t.Document
			if doc.IsZero() {
				continue
			}
			if _, done := out.photos[doc.Key()]; done {
				continue
			}
			// A photo that cannot be fetched is shown as missing; the
			// record is still worked.
			img, _ := store.Gallery(ctx, doc)
			out.photos[doc.Key()] = img
		}
		return out
	}
}

func (m *Model) searchCmd(q Query) tea.Cmd {
	store, limit := m.deps.Store, m.cfg.SearchLimit
	ctx, timeout := m.ctx, m.cfg.Timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		res, err := store.Search(ctx, q, limit)
		if err != nil {
			err = fmt.Errorf("search %s: %w", q.describe(), err)
		}
		return searchMsg{q: q, results: res, err: err}
	}
}

// write records one officer event on a crossing. what names it for the
// status line ("finding", "determination: refused").
func (m *Model) write(crossing, what string, p records.Payload) tea.Cmd {
	ev, err := records.NewEvent(crossing, p, m.sh.Now(), m.officer)
	if err != nil {
		m.status = Status{Err: true, Text: "✖ " + what + " NOT saved: " + err.Error()}
		return nil
	}
	_, isDet := p.(records.Determination)
	log, ctx, timeout := m.deps.Log, m.ctx, m.cfg.Timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		_, err := log.Append(ctx, ev)
		return writtenMsg{crossing: crossing, what: what, err: err, determination: isDet}
	}
}

// audit records a view or a search in the audit chain.
func (m *Model) audit(action, subject string) tea.Cmd {
	if m.deps.Audit == nil {
		return nil
	}
	audit, badge, ctx, timeout := m.deps.Audit, m.officer, m.ctx, m.cfg.Timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if err := audit(ctx, badge, action, subject); err != nil {
			return auditFailedMsg{what: action, err: err}
		}
		return nil
	}
}
