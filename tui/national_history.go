package tui

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// National history: the history panel shows local history at once (the
// booth's own replica) and adds other ports' crossings when the port server
// relays the hub's answer, each marked "national" with its port code; a hub
// that does not answer in time shows one line, "national history
// unavailable", and no hub at all "national history not configured".

// nationalTimeout bounds the booth's request to its port server, which
// itself gives the hub 250 ms: past this the panel says "unavailable".
const nationalTimeout = time.Second

// nationalMsg is the answer to one national history look-up.
type nationalMsg struct {
	crossingID string
	subject    string // the history section it belongs to (traveller key or plate:R/P)
	entries    []HistoryEntry
	err        error
}

// nationalView is one section's national history as shown.
type nationalView struct {
	pending  bool
	entries  []HistoryEntry
	notConfd bool   // no hub, no port server: the look-up cannot be made
	err      string // the hub did not answer (in time)
}

// nationalLookups is the booth's national history look-up when its Lookups
// offers one.
func (m *Model) nationalLookups() (NationalLookups, bool) {
	n, ok := m.deps.Lookups.(NationalLookups)
	return n, ok
}

// nationalQueryFor is the national look-up for a traveller: by document
// once one is known, else by surname and birth date; ok is false when
// neither is complete.
func nationalQueryFor(t records.Traveler) (NationalQuery, bool) {
	if !t.Document.IsZero() && t.Document.Country != "" && t.Document.Number != "" {
		return NationalQuery{Country: t.Document.Country, Number: t.Document.Number}, true
	}
	if t.Surname != "" && t.BirthDate != "" {
		return NationalQuery{Surname: t.Surname, BirthDate: t.BirthDate}, true
	}
	return NationalQuery{}, false
}

// nationalCmd starts a national look-up for one history section and marks
// the section as waiting for it. The local history is not held up by it.
func (m *Model) nationalCmd(cs *crossingState, subject string, q NationalQuery) tea.Cmd {
	n, ok := m.nationalLookups()
	if !ok {
		return nil
	}
	if cs.national == nil {
		cs.national = map[string]*nationalView{}
	}
	cs.national[subject] = &nationalView{pending: true}
	q.Officer, q.Limit = m.badge(), m.c.cfg.HistoryLimit+1
	ctx, crossingID := m.ctx, cs.id
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, nationalTimeout)
		defer cancel()
		h, err := n.NationalHistory(ctx, q)
		if err != nil && ctx.Err() != nil && !errors.Is(err, ErrNationalUnconfigured) {
			err = errors.Join(ErrNationalUnavailable, err)
		}
		return nationalMsg{crossingID: crossingID, subject: subject, entries: h, err: err}
	}
}

// onNational shows a national answer in its section (the crossing may have
// left the booth meanwhile: then it is dropped).
func (m *Model) onNational(msg nationalMsg) tea.Cmd {
	cs, ok := m.ws.crossings[msg.crossingID]
	if !ok || cs.national == nil || cs.national[msg.subject] == nil {
		return nil
	}
	v := &nationalView{}
	switch {
	case errors.Is(msg.err, ErrNationalUnconfigured):
		v.notConfd = true
	case msg.err != nil:
		m.log.Warn("national history unavailable", "subject", msg.subject, "err", msg.err)
		v.err = msg.err.Error()
	default:
		for _, e := range msg.entries {
			// The port server asks the hub for other ports only; never
			// show this port's (or this crossing) twice.
			if e.CrossingID != cs.id && e.Port != m.c.cfg.Port {
				v.entries = append(v.entries, e)
			}
		}
	}
	cs.national[msg.subject] = v
	return nil
}

// nationalLines are a history section's national lines: the marker
// "national" and the port code say it is another port's crossing (not
// colour alone).
func (s *primaryScreen) nationalLines(cs *crossingState, subject string, w int) []string {
	v := cs.national[subject]
	if v == nil {
		return nil
	}
	st := s.styles
	switch {
	case v.pending:
		return []string{st.Dim.Render(truncate("  national … asking other ports", w))}
	case v.notConfd:
		return []string{st.Dim.Render(truncate("  national history not configured", w))}
	case v.err != "":
		return []string{st.Warn.Render(truncate("  ⚠ national history unavailable", w))}
	case len(v.entries) == 0:
		return []string{st.Dim.Render(truncate("  national — no crossings at other ports", w))}
	}
	h := v.entries
	n := itoa(len(h))
	if len(h) > s.cfg.HistoryLimit {
		n = itoa(s.cfg.HistoryLimit) + "+"
		h = h[:s.cfg.HistoryLimit]
	}
	lines := []string{st.Value.Render(truncate("  national — "+n+" at other ports", w))}
	for _, e := range h {
		when := "time unknown    "
		if !e.At.IsZero() {
			when = e.At.Local().Format("2006-01-02 15:04")
		}
		out := e.Outcome
		if out == "" {
			out = "undetermined"
		}
		lines = append(lines, st.Value.Render(truncate("  ⇄ "+when+"  port "+e.Port+" "+e.Lane+"  "+out+"  (national)", w)))
	}
	return lines
}
