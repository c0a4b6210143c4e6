package supervisor

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// The audit-log viewer: the port server's copies of every workstation's
// audit chain, filtered by officer, action and time, newest first. Every
// view is itself audited (here and by the port server).

// newAuditDialog asks for the filter, starting from the one last used.
func newAuditDialog(sh *Shared, last records.AuditQuery) *formDialog {
	return newForm(sh, "AUDIT LOG", "empty fields select all; times YYYY-MM-DD or YYYY-MM-DD HH:MM",
		func(v []string) (action, error) {
			q, err := parseAuditFilter(v[0], v[1], v[2], v[3])
			if err != nil {
				return nil, err
			}
			return auditLogAction{q: q}, nil
		}).
		field("officer", "badge", last.Officer, 16).
		field("action", "login, view, search, audit_view…", last.Action, 32).
		field("from", "YYYY-MM-DD [HH:MM]", fmtFilterTime(last.Since, false), 16).
		field("until", "YYYY-MM-DD [HH:MM]", fmtFilterTime(last.Until, true), 16)
}

// parseAuditFilter checks the filter's fields. An "until" date without a
// time includes that day (the bound, exclusive, is the next midnight).
func parseAuditFilter(officer, action, from, until string) (records.AuditQuery, error) {
	q := records.AuditQuery{Officer: strings.ToUpper(strings.TrimSpace(officer)), Action: strings.ToLower(strings.TrimSpace(action))}
	if strings.ContainsAny(q.Officer+q.Action, " \t") {
		return records.AuditQuery{}, errors.New("officer and action are single words")
	}
	var err error
	if q.Since, err = parseFilterTime("from", from, false); err != nil {
		return records.AuditQuery{}, err
	}
	if q.Until, err = parseFilterTime("until", until, true); err != nil {
		return records.AuditQuery{}, err
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && q.Until.Before(q.Since) {
		return records.AuditQuery{}, errors.New("the range ends before it starts")
	}
	return q, nil
}

const minuteLayout = "2006-01-02 15:04"

func parseFilterTime(name, s string, end bool) (time.Time, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation(minuteLayout, s, time.Local); err == nil {
		return t, nil
	}
	t, err := parseDate(name, s, end)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: use YYYY-MM-DD or YYYY-MM-DD HH:MM", name, s)
	}
	return t, nil
}

// fmtFilterTime shows a bound back in the dialog as it was typed.
func fmtFilterTime(t time.Time, end bool) string {
	if t.IsZero() {
		return ""
	}
	t = t.Local()
	if end && t.Hour() == 0 && t.Minute() == 0 {
		// An end is exclusive: midnight ends the day before.
		return t.AddDate(0, 0, -1).Format(dateLayout)
	}
	if !end && t.Hour() == 0 && t.Minute() == 0 {
		return t.Format(dateLayout)
	}
	return t.Format(minuteLayout)
}

// auditKey handles a key on the audit log.
func (m *Model) auditKey(kp tea.KeyPressMsg) action {
	k := m.sh.Keys
	last := max(len(m.entries)-m.listRows(), 0)
	switch {
	case key.Matches(kp, k.Up):
		m.auditTop = max(m.auditTop-1, 0)
	case key.Matches(kp, k.Down):
		m.auditTop = min(m.auditTop+1, last)
	case key.Matches(kp, k.PageUp):
		m.auditTop = max(m.auditTop-m.listRows(), 0)
	case key.Matches(kp, k.PageDown):
		m.auditTop = min(m.auditTop+m.listRows(), last)
	case key.Matches(kp, k.Search), key.Matches(kp, k.AuditLog):
		return openDialogAction{newAuditDialog(m.sh, m.filter)}
	case key.Matches(kp, k.Back):
		return backAction{}
	}
	return nil
}

func (m *Model) auditView() string {
	st := m.sh.Styles
	lines := []string{cut(st.Title.Render("AUDIT LOG")+" — "+describeFilter(m.filter), m.width)}
	switch {
	case !m.auditLoaded:
		lines = append(lines, "", st.Dim.Render("  reading the port server's audit log…"))
	case m.auditErr != "":
		lines = append(lines, "", st.Bad.Render(cut("  ✖ "+m.auditErr, m.width)))
	case len(m.entries) == 0:
		lines = append(lines, "", st.Dim.Render("  no entry matches"))
	default:
		tw, ww, ow, aw := m.auditWidths()
		lines = append(lines, st.Dim.Render(fmt.Sprintf("%d entries, newest first", len(m.entries))),
			st.Label.Render(cut("  "+pad("when", tw)+pad("workstation", ww)+pad("officer", ow)+pad("action", aw)+"subject", m.width)))
	}
	rows := m.listRows()
	for i := m.auditTop; i < len(m.entries) && i < m.auditTop+rows; i++ {
		lines = append(lines, m.auditLine(m.entries[i]))
	}
	return strings.Join(lines, "\n")
}

func (m *Model) auditLine(e records.AuditEntry) string {
	officer := e.Officer
	if officer == "" {
		officer = "(system)"
	}
	tw, ww, ow, aw := m.auditWidths()
	layout := "2006-01-02 15:04:05"
	if tw < 20 {
		layout = "01-02 15:04:05"
	}
	return cut("  "+pad(e.At.Local().Format(layout), tw)+pad(e.Origin, ww)+pad(officer, ow)+
		pad(e.Action, aw)+e.Subject, m.width)
}

// auditWidths are the audit log's columns before the subject: narrower on
// a narrow terminal.
func (m *Model) auditWidths() (when, workstation, officer, action int) {
	if m.width < 100 {
		return 15, 12, 9, 12
	}
	return 21, 16, 10, 18
}

// describeFilter says what the audit log shows.
func describeFilter(q records.AuditQuery) string {
	var p []string
	if q.Officer != "" {
		p = append(p, "officer "+q.Officer)
	}
	if q.Action != "" {
		p = append(p, "action "+q.Action)
	}
	if !q.Since.IsZero() {
		p = append(p, "from "+fmtFilterTime(q.Since, false))
	}
	if !q.Until.IsZero() {
		p = append(p, "until "+fmtFilterTime(q.Until, true))
	}
	if len(p) == 0 {
		return "every entry"
	}
	return strings.Join(p, " · ")
}
