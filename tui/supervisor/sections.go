package supervisor

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/portofentry/booth/records"
)

// The dashboard's sections. Every state is a word or a symbol (● open,
// ✖ disconnected, ⚠ not adjudicated); colour only repeats it.

func (m *Model) lanesSection(w int, wide bool) section {
	st := m.sh.Styles
	open := 0
	for _, l := range m.dash.Lanes {
		if l.Open {
			open++
		}
	}
	s := section{sel: -1, lines: []string{m.heading("LANES", fmt.Sprintf("%d of %d open", open, len(m.dash.Lanes)), w)}}
	if len(m.dash.Lanes) == 0 {
		s.lines = append(s.lines, st.Dim.Render("  no lane has reported to the port server"))
		return s
	}
	if wide {
		s.lines = append(s.lines, st.Label.Render(cut("  "+pad("lane", 6)+pad("", 14)+pad("officer", 18)+pad("state", 30)+
			pad("vehicles 8h", 15)+pad("median", 10)+pad("referred", 16)+"devices", w)))
	}
	for _, l := range m.dash.Lanes {
		head := "  " + pad(st.Value.Render(l.Lane), 6) + pad(m.laneOpen(l), 14) + pad(m.laneOfficer(l), 18)
		state := m.laneState(l)
		volume := pad(strconv.Itoa(l.LastHour)+"/h", 5) + sparkline(l.Sparkline[:])
		stats := "med " + pad(fmtMedian(l.MedianPrimary), 6) + "  ref " + percent(l.Referred, l.Decided) +
			" (" + strconv.Itoa(l.Referred) + "/" + strconv.Itoa(l.Decided) + ")"
		devices := m.devices(l.Devices)
		if wide {
			s.lines = append(s.lines, cut(head+pad(state, 30)+pad(volume, 15)+pad("  "+fmtMedian(l.MedianPrimary), 10)+
				pad(percent(l.Referred, l.Decided)+" ("+strconv.Itoa(l.Referred)+"/"+strconv.Itoa(l.Decided)+")", 16)+devices, w))
			continue
		}
		s.lines = append(s.lines, cut(head+state, w))
		second := "  " + pad("", 6) + volume + "  " + stats
		if ansi.StringWidth(second)+2+ansi.StringWidth(devices) <= w {
			s.lines = append(s.lines, second+"  "+devices)
		} else {
			s.lines = append(s.lines, cut(second, w), cut("  "+pad("", 6)+devices, w))
		}
	}
	return s
}

// laneOpen says whether the lane is open, or that the port server has lost
// contact with it.
func (m *Model) laneOpen(l records.LaneSummary) string {
	st := m.sh.Styles
	switch {
	case !l.Contact:
		return st.Warn.Render("⚠ no contact")
	case l.Open:
		return st.OK.Render("● open")
	}
	return st.Dim.Render("○ closed")
}

func (m *Model) laneOfficer(l records.LaneSummary) string {
	if l.Officer == "" {
		return m.sh.Styles.Dim.Render("—")
	}
	if l.Locked {
		return l.Officer + " (locked)"
	}
	return l.Officer
}

// laneState is what the lane is doing and for how long; a lane out of
// contact says when it was last heard.
func (m *Model) laneState(l records.LaneSummary) string {
	st := m.sh.Styles
	if !l.Contact {
		if l.LastHeartbeat.IsZero() {
			return st.Warn.Render("never heard")
		}
		return st.Warn.Render("last heard " + fmtAge(m.clock.Sub(l.LastHeartbeat)) + " ago")
	}
	if !l.Open {
		return st.Dim.Render("—")
	}
	text := l.State.Label()
	if text == "" {
		text = "—"
	}
	if !l.StateSince.IsZero() && (l.State == records.LaneVehicle || l.State == records.LaneDeciding) {
		text += " " + fmtAge(m.clock.Sub(l.StateSince))
	}
	if l.State == records.LaneDeciding {
		return st.Warn.Render(text)
	}
	return text
}

// devices is the lane's device health: the unhealthy first, each with its
// state in words.
func (m *Model) devices(ds []records.DeviceStatus) string {
	st := m.sh.Styles
	var bad, good []string
	for _, d := range ds {
		switch d.State {
		case "connected":
			good = append(good, d.Device+" "+st.OK.Render("✔"))
		case "disconnected":
			bad = append(bad, d.Device+" "+st.Bad.Render("✖ disconnected"))
		case "faulty":
			bad = append(bad, d.Device+" "+st.Warn.Render("⚠ faulty"))
		default:
			bad = append(bad, d.Device+" "+st.Warn.Render("? "+d.State))
		}
	}
	if len(bad)+len(good) == 0 {
		return st.Dim.Render("no devices reported")
	}
	return strings.Join(append(bad, good...), " ")
}

func (m *Model) referralsSection(w, sel int) section {
	st := m.sh.Styles
	s := section{sel: -1, lines: []string{m.heading("PENDING REFERRALS", strconv.Itoa(len(m.dash.Pending))+" waiting", w)}}
	if len(m.dash.Pending) == 0 {
		s.lines = append(s.lines, st.Dim.Render("  no referral waiting in secondary"))
		return s
	}
	const fixed = 2 + 7 + 6 + 15 + 14 + 16
	nameW := min(max(w-fixed, 12), 32)
	for i, r := range m.dash.Pending {
		wait := r.Waiting
		if !r.ReferredAt.IsZero() {
			wait = m.clock.Sub(r.ReferredAt)
		}
		plate := r.Plate
		if plate == "" {
			plate = "—"
		}
		var marks []string
		if r.RPMAlarm {
			marks = append(marks, "☢ RPM")
		}
		if r.Lookout {
			marks = append(marks, "⚠ HIT")
		}
		taken := "not taken"
		if r.TakenBy != "" {
			taken = "taken " + r.TakenBy
		}
		line := pad(fmtAge(wait), 7) + pad(r.Lane, 6) + pad(plate, 15) + pad(names(r.Names), nameW) + " " +
			pad(strings.Join(marks, " "), 13) + taken
		if i == sel {
			s.sel = len(s.lines)
			s.lines = append(s.lines, st.Selected.Render(pad("▸ "+line, w)))
			continue
		}
		s.lines = append(s.lines, cut("  "+line, w))
	}
	return s
}

// names are the travellers of a crossing, the first in full.
func names(ns []string) string {
	switch len(ns) {
	case 0:
		return "—"
	case 1:
		return ns[0]
	}
	return ns[0] + " +" + strconv.Itoa(len(ns)-1)
}

func (m *Model) alarmsSection(w, sel int) section {
	st := m.sh.Styles
	s := section{sel: -1, lines: []string{m.heading("OPEN RPM ALARMS", strconv.Itoa(len(m.dash.OpenAlarms))+" open", w)}}
	if len(m.dash.OpenAlarms) == 0 {
		s.lines = append(s.lines, st.Dim.Render("  no open RPM alarm"))
		return s
	}
	for i, a := range m.dash.OpenAlarms {
		plate := a.Plate
		if plate == "" {
			plate = "—"
		}
		var adj string
		switch {
		case a.Code.Valid():
			adj = st.OK.Render("✔ " + a.Code.String())
		case a.LSSRequested:
			adj = st.Warn.Render("⚠ NOT ADJUDICATED · LSS asked")
		default:
			adj = st.Bad.Render("⚠ NOT ADJUDICATED")
		}
		textW := 18
		if w >= 100 {
			textW = 34
		}
		line := pad(clock(a.RaisedAt, m.clock), 9) + pad(a.Lane, 6) + pad(plate, 15) + pad(a.Text, textW) + adj
		if i == sel {
			s.sel = len(s.lines)
			s.lines = append(s.lines, st.Selected.Render(pad("▸ "+ansi.Strip(line), w)))
			continue
		}
		s.lines = append(s.lines, cut("  "+line, w))
	}
	return s
}

func (m *Model) todaySection(w int) section {
	st := m.sh.Styles
	t := m.dash.Today
	s := section{sel: -1, lines: []string{m.heading("TODAY", "since midnight", w)}}
	s.lines = append(s.lines, cut(fmt.Sprintf("  face mismatches %d · lookout hits %d · RPM alarms %d",
		t.FaceMismatches, t.LookoutHits, t.RPMAlarms), w))
	var parts []string
	for _, g := range t.ByGroup {
		parts = append(parts, g.Group+" "+strconv.Itoa(g.Count))
	}
	if len(parts) == 0 {
		return s
	}
	s.lines = append(s.lines, st.Label.Render("  RPM alarms by adjudication:"))
	line := "   "
	for _, p := range parts {
		if ansi.StringWidth(line)+ansi.StringWidth(p)+3 > w && strings.TrimSpace(line) != "" {
			s.lines = append(s.lines, line)
			line = "   "
		}
		if strings.TrimSpace(line) != "" {
			line += " · "
		}
		line += p
	}
	s.lines = append(s.lines, cut(line, w))
	return s
}

func (m *Model) rpmSection(w int) section {
	st := m.sh.Styles
	s := section{sel: -1, lines: []string{m.heading("RPM BY LANE", "today", w)}}
	if len(m.dash.Lanes) == 0 {
		s.lines = append(s.lines, st.Dim.Render("  no lane"))
		return s
	}
	cols := []string{"γ high", "γ low", "neutron", "tamper", "ext.occ", "comm"}
	head := "  " + pad("lane", 6)
	for _, c := range cols {
		head += pad(c, 9)
	}
	s.lines = append(s.lines, st.Label.Render(cut(head, w)))
	for _, l := range m.dash.Lanes {
		r := l.RPM
		line := "  " + pad(l.Lane, 6)
		for _, n := range []int{r.GammaHigh, r.GammaLow, r.Neutron, r.Tamper, r.ExtendedOccupancy, r.CommFaults} {
			line += pad(strconv.Itoa(n), 9)
		}
		s.lines = append(s.lines, cut(line, w))
	}
	return s
}

func (m *Model) workstationsSection(w int) section {
	st := m.sh.Styles
	s := section{sel: -1, lines: []string{m.heading("WORKSTATIONS", "link to the port server", w)}}
	if len(m.dash.Workstations) == 0 {
		s.lines = append(s.lines, st.Dim.Render("  none known to the port server"))
		return s
	}
	for _, ws := range m.dash.Workstations {
		var link string
		switch ws.State {
		case "online":
			link = st.OK.Render("● online")
		case "offline":
			link = st.Bad.Render("✖ offline")
		case "stale":
			link = st.Warn.Render("⚠ stale")
		default:
			link = st.Warn.Render("? " + ws.State)
		}
		backlog := "backlog " + strconv.Itoa(ws.Backlog)
		if ws.Backlog > 0 {
			age := ws.BacklogAge
			if age == 0 && !ws.OldestUnsent.IsZero() {
				age = m.clock.Sub(ws.OldestUnsent)
			}
			backlog = st.Warn.Render(backlog + " (" + fmtAge(age) + " old)")
		}
		line := "  " + pad(ws.Workstation, 14) + pad(ws.Role, 11) + pad(link, 11) + backlog
		if ws.Held > 0 || ws.HeldReason != "" {
			line += "  " + st.Bad.Render(heldText(ws))
		}
		s.lines = append(s.lines, cut(line, w))
	}
	return s
}

// heldText says how many of a workstation's events the port server holds in
// quarantine and why the first one is held: "✖ 2 held, first #3: reason".
func heldText(ws records.WorkstationLink) string {
	n := max(ws.Held, 1) // an older server reports the first one only
	text := "✖ " + strconv.Itoa(n) + " held"
	if ws.HeldSeq > 0 {
		text += ", first #" + strconv.FormatInt(ws.HeldSeq, 10)
	}
	if ws.HeldReason != "" {
		text += ": " + ws.HeldReason
	}
	return text
}
