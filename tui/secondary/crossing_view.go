package secondary

import (
	"fmt"

	"github.com/charmbracelet/x/ansi"
	"strconv"
	"strings"

	"github.com/portofentry/booth/records"
)

// twoColumns is the width from which the record is laid out in two columns
// (the record on the left, timeline and history on the right).
const twoColumns = 160

// crossingView is the open crossing: a fixed head (who, where, waiting, who
// took it, conflict and alarm banners) over the scrolling record.
func (m *Model) crossingView() string {
	if m.open == nil {
		return "" // closed by Open's caller's esc: nothing left to show
	}
	head := m.crossingHead()
	return strings.Join(append(head, m.vp.View()), "\n")
}

// crossingHead is the lines above the record that never scroll away.
func (m *Model) crossingHead() []string {
	st := m.sh.Styles
	w := m.width
	cs := m.open
	title := st.Title.Render("CROSSING " + shortID(cs.id))
	if cs.c == nil {
		msg := "reading the record…"
		if cs.err != "" {
			msg = "✖ " + cs.err
		}
		return []string{cut(title+" — "+msg, w)}
	}
	c := cs.c
	where := ""
	if r := c.Referral; r != nil && len(c.Determinations) == 0 {
		where += " · waiting " + fmtWait(m.clock.Sub(r.At))
	}
	where += fmt.Sprintf(" · %s %s %s · opened %s", c.Port, c.Lane, c.Mode, clock(c.OpenedAt, m.clock))
	lines := []string{cut(title+where, w)}
	second := "not referred"
	if r := c.Referral; r != nil {
		second = "referred " + clock(r.At, m.clock) + " by " + by(r.By, r.Origin)
	}
	taken := "not taken"
	if m.sh.Keys.Take.Enabled() {
		taken += " — " + keyName(m.sh.Keys.Take) + " to take it"
	}
	if t := cs.takenBy(); t != "" {
		taken = "TAKEN BY " + t
		if m.isMe(t) {
			taken += " (you)"
		}
	}
	second += " · " + taken
	lines = append(lines, cut(second, w))
	if !c.InConflict() && c.Determination != nil {
		lines = append(lines, st.OK.Render(cut("✔ DETERMINED: "+detText(c.Determination.Value)+" by "+c.Determination.By()+
			" "+clock(c.Determination.At, m.clock), w)))
	}
	if c.InConflict() {
		var parts []string
		for _, d := range c.Conflict {
			parts = append(parts, detText(d.Value)+" ("+d.By()+")")
		}
		hint := ""
		if m.sh.Keys.Determine.Enabled() {
			hint = " — press " + keyName(m.sh.Keys.Determine) + " to correct"
		}
		lines = append(lines, st.Banner.Render(pad(" ⚠ CONFLICT: "+strings.Join(parts, " vs ")+hint, w)))
	}
	if open := c.UnadjudicatedAlarms(); len(open) > 0 {
		hint := " not adjudicated: cannot be admitted until LSS answers"
		if m.sh.Keys.LSS.Enabled() {
			hint = " not adjudicated — " + keyName(m.sh.Keys.LSS) + " for LSS reachback; cannot be admitted until then"
		}
		lines = append(lines, st.Banner.Render(pad(" ☢ "+open[0].Text+hint, w)))
	}
	return lines
}

// by is "officer@workstation".
func by(officer, origin string) string {
	return records.Stamped[struct{}]{Officer: officer, Origin: origin}.By()
}

// recordLines is the whole record, laid out for the width.
func (m *Model) recordLines() []string {
	cs := m.open
	if cs == nil || cs.c == nil {
		return nil
	}
	if m.width < twoColumns {
		w := m.width
		return wrapAll(concat(m.facts(w), m.timelineLines(w), m.historyLines(w)), w)
	}
	lw := m.width / 2
	rw := m.width - lw - 1
	left := wrapAll(m.facts(lw-1), lw-1)
	right := wrapAll(concat(m.timelineLines(rw), m.historyLines(rw)), rw)
	n := max(len(left), len(right))
	out := make([]string, n)
	for i := range n {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = pad(l, lw-1) + m.sh.Styles.Dim.Render("│") + " " + r
	}
	return out
}

// wrap breaks s at spaces (a word longer than w is cut into pieces), never
// at a hyphen: "Tc-99m" and plate numbers stay whole.
func wrap(s string, w int) string {
	const nbHyphen = "\u2011"
	s = strings.ReplaceAll(s, "-", nbHyphen)
	return strings.ReplaceAll(ansi.Wrap(s, w, ""), nbHyphen, "-")
}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// wrapAll breaks lines wider than w, indenting the continuation, so nothing
// of the record is cut off.
func wrapAll(lines []string, w int) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if ansi.StringWidth(l) <= w {
			out = append(out, l)
			continue
		}
		parts := strings.Split(wrap(l, w), "\n")
		out = append(out, parts[0])
		if len(parts) > 1 {
			rest := strings.Join(parts[1:], " ")
			for _, p := range strings.Split(wrap(rest, max(w-4, 8)), "\n") {
				out = append(out, "    "+p)
			}
		}
	}
	return out
}

func (m *Model) section(title string) []string {
	return []string{"", m.sh.Styles.Title.Render("── " + title + " ")}
}

// facts are the referral, alerts, travellers, vehicle, RPM and secondary
// work on the crossing.
func (m *Model) facts(w int) []string {
	st := m.sh.Styles
	c := m.open.c
	var out []string
	out = append(out, m.section("REFERRAL")[1])
	if r := c.Referral; r != nil {
		out = append(out, "Reasons "+st.Value.Render(strings.Join(r.Reasons, ", "))+st.Dim.Render(" — "+by(r.By, r.Origin)+" "+clock(r.At, m.clock)))
		if r.Note != "" {
			out = append(out, "Primary's note: "+st.Value.Render("“"+r.Note+"”"))
		}
	} else {
		out = append(out, st.Dim.Render("not referred"))
	}
	for _, n := range c.Notes {
		out = append(out, "Note "+clock(n.At, m.clock)+" "+n.By()+": "+n.Value.Text)
	}

	out = append(out, m.section("ALERTS ("+strconv.Itoa(len(c.Alerts))+")")...)
	if len(c.Alerts) == 0 {
		out = append(out, st.Dim.Render("none"))
	}
	for _, a := range c.Alerts {
		ack := st.Warn.Render("⚠ not acknowledged")
		if a.Acknowledged {
			ack = st.OK.Render("✔ ack " + a.AckedBy + " " + clock(a.AckedAt, m.clock))
		}
		out = append(out, st.Bad.Render("✖ "+alertLabel(a.Type))+" "+ack+" · "+a.Text)
	}

	out = append(out, m.section("TRAVELLERS ("+strconv.Itoa(len(c.Travelers))+")")...)
	if len(c.Travelers) == 0 {
		out = append(out, st.Dim.Render("no traveller identified"))
	}
	for i, t := range c.Travelers {
		out = append(out, m.travellerLines(i+1, t, w)...)
	}

	if c.Mode != records.ModePedestrian || c.Vehicle != nil {
		out = append(out, m.section("VEHICLE")...)
		out = append(out, m.vehicleLines()...)
	}
	out = append(out, m.section("RPM AND LSS REACHBACK")...)
	out = append(out, m.rpmLines()...)
	out = append(out, m.section("SECONDARY")...)
	out = append(out, m.secondaryLines()...)
	return out
}

func (m *Model) travellerLines(n int, t *records.Traveler, w int) []string {
	st := m.sh.Styles
	c := m.open.c
	name := t.DisplayName()
	if name == "" {
		name = "(name unknown)"
	}
	text := []string{st.Value.Render(strconv.Itoa(n)+" "+name) + st.Dim.Render(" · born "+orDash(t.BirthDate)+" · "+orDash(t.Sex)+" · nationality "+orDash(t.Nationality))}
	var docs []string
	for _, d := range t.Documents {
		docs = append(docs, d.Type+" "+d.Country+" "+d.Number)
	}
	if len(docs) == 0 && !t.Document.IsZero() {
		docs = append(docs, t.Document.Type+" "+t.Document.Country+" "+t.Document.Number)
	}
	mrz := ""
	switch {
	case t.MRZ != nil && t.MRZ.Valid:
		mrz = " · ✔ MRZ"
	case t.MRZ != nil:
		mrz = " · ✖ MRZ CHECK"
	case t.Keyed:
		mrz = " · ⌨ keyed"
	}
	if t.Program != "" {
		mrz += " · " + t.Program
	}
	text = append(text, "  Documents "+orDash(strings.Join(docs, " · "))+mrz)
	ref := "  Reference "
	switch {
	case !t.Checked:
		ref += st.Warn.Render("? not checked")
	default:
		ref += "citizenship " + orDash(t.Citizenship) + " · status " + orDash(t.Status)
		hits := 0
		for _, a := range c.Alerts {
			if a.Subject == t.Key && a.Type != records.AlertFaceNoMatch {
				hits++
			}
		}
		if hits == 0 {
			ref += " · " + st.OK.Render("✔ no hits")
		} else {
			ref += " · " + st.Bad.Render("✖ "+plural(hits, "hit")+" (alerts above)")
		}
	}
	text = append(text, ref)
	face, good := faceText(t.Face)
	fs := st.OK
	if !good {
		fs = st.Bad
	}
	photo, hasPhoto := m.open.photos[t.Document.Key()]
	photoNote := st.Dim.Render(" · no photo on file")
	if hasPhoto && photo != nil {
		photoNote = st.Dim.Render(" · photo on file")
	}
	text = append(text, "  Face "+fs.Render(face)+photoNote)
	if !hasPhoto || photo == nil || !st.Color || w < 70 {
		return text
	}
	// The gallery photo (the document's photo on file, never the live
	// capture) beside the traveller's lines.
	art := halfBlock(photo, photoCols, photoRows)
	tw := w - photoCols - 2
	text = wrapAll(text, tw)
	out := make([]string, max(len(text), len(art)))
	for i := range out {
		l := ""
		if i < len(text) {
			l = text[i]
		}
		r := ""
		if i < len(art) {
			r = art[i]
		}
		out[i] = pad(l, tw) + "  " + r
	}
	return out
}

func (m *Model) vehicleLines() []string {
	st := m.sh.Styles
	v := m.open.c.Vehicle
	if v == nil || v.Plate == "" {
		return []string{st.Dim.Render("no plate read")}
	}
	line := "Plate " + st.Value.Render(v.Region+"/"+v.Plate) + fmt.Sprintf(" · %.0f%%", v.Confidence)
	switch {
	case v.Corrected:
		line += " · corrected by " + v.ConfirmedBy
	case v.Confirmed:
		line += " · ✔ confirmed by " + v.ConfirmedBy
	default:
		line += " · not confirmed by the officer"
	}
	out := []string{line}
	if len(v.Candidates) > 0 {
		var cands []string
		for _, c := range v.Candidates {
			cands = append(cands, fmt.Sprintf("%s %.0f%%", c.Plate, c.Confidence))
		}
		out = append(out, "Candidates "+strings.Join(cands, " · "))
	}
	return out
}

func (m *Model) rpmLines() []string {
	st := m.sh.Styles
	c := m.open.c
	var out []string
	if o := c.RPM; o != nil {
		res := st.OK.Render("✔ CLEAR")
		if o.Alarm() {
			kind := "GAMMA"
			if o.NeutronAlarm && o.GammaAlarm {
				kind = "GAMMA+NEUTRON"
			} else if o.NeutronAlarm {
				kind = "NEUTRON"
			}
			res = st.Bad.Render("✖ " + kind + " ALARM")
		}
		out = append(out, fmt.Sprintf("Occupancy #%d %s · gamma max %d (background %d) · neutron max %d · %.1f km/h",
			o.Occupancy, res, o.MaxGamma, o.BackgroundGamma, o.MaxNeutron, o.Speed))
	} else {
		out = append(out, st.Dim.Render("no portal scan on record"))
	}
	for _, a := range c.RPMAlarms() {
		x := c.Exchange(a.Occupancy)
		switch {
		case x == nil || (len(x.Requests) == 0 && len(x.Answers) == 0):
			out = append(out, st.Warn.Render("⚠ #"+strconv.Itoa(a.Occupancy)+" LSS not asked yet"))
			continue
		case !x.Adjudicated():
			out = append(out, st.Warn.Render("⚠ #"+strconv.Itoa(a.Occupancy)+" NOT ADJUDICATED"))
		default:
			out = append(out, st.OK.Render("✔ #"+strconv.Itoa(a.Occupancy)+" adjudicated"))
		}
		for _, r := range x.Requests {
			line := "  LSS requested " + clock(r.At, m.clock) + " by " + r.By()
			if r.Value.Note != "" {
				line += ": " + r.Value.Note
			}
			out = append(out, line)
		}
		for _, ans := range x.Answers {
			out = append(out, "  LSS answer "+clock(ans.At, m.clock)+" ("+ans.By()+"): "+lssText(ans.Value))
		}
	}
	return out
}

// lssText is an LSS answer in words: code and group, isotopes, note.
func lssText(a records.LSSAnswered) string {
	var s string
	if a.Code.Valid() {
		isos := make([]string, len(a.Isotopes))
		for i, iso := range a.Isotopes {
			isos[i] = string(iso)
		}
		s = "code " + a.Code.String() + " · isotopes " + strings.Join(isos, ", ")
	} else {
		s = a.Answer + " (no adjudication code)"
	}
	if a.Note != "" {
		s += " — " + a.Note
	}
	return s
}

func (m *Model) secondaryLines() []string {
	st := m.sh.Styles
	c := m.open.c
	var out []string
	for _, t := range c.Takes {
		out = append(out, "Taken "+clock(t.At, m.clock)+" by "+t.By())
	}
	for _, f := range c.Findings {
		line := "Finding " + clock(f.At, m.clock) + " " + f.By() + ": " + f.Value.Category.Label()
		if f.Value.Item != "" || f.Value.Quantity != "" {
			line += " — seized " + f.Value.Quantity + " " + f.Value.Item
		}
		if f.Value.Text != "" {
			line += " — " + f.Value.Text
		}
		out = append(out, line)
	}
	current := map[string]bool{}
	for _, d := range m.open.current() {
		current[d.EventID] = true
	}
	for _, d := range c.Determinations {
		flag := st.Dim.Render("superseded")
		switch {
		case current[d.EventID] && c.InConflict():
			flag = st.Bad.Render("⚠ CONFLICT")
		case current[d.EventID]:
			flag = st.OK.Render("✔ final")
		}
		line := "Determination " + clock(d.At, m.clock) + " " + d.By() + ": " + detText(d.Value) + " · " + flag
		if d.Value.Supersedes != "" {
			line += " · corrects " + shortID(d.Value.Supersedes)
		}
		if d.Value.Note != "" {
			line += " — " + d.Value.Note
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		out = append(out, st.Dim.Render("nothing recorded in secondary yet"))
	}
	return out
}

// timelineLines is every event: time, source device or officer@workstation,
// what it says.
func (m *Model) timelineLines(w int) []string {
	out := m.section("TIMELINE (" + strconv.Itoa(len(m.open.timeline)) + " events)")
	if m.width >= twoColumns {
		out = out[1:] // the right column starts at the top
	}
	for _, e := range m.open.timeline {
		out = append(out, m.timelineLine(e, w))
	}
	return out
}

func (m *Model) timelineLine(e records.TimelineEntry, w int) string {
	st := m.sh.Styles
	src := pad(e.Source, 20)
	if w < 100 {
		src = pad(e.Source, 16)
	}
	text := e.Text
	if e.Unreadable {
		text = st.Warn.Render("? " + text)
	}
	return st.Dim.Render(clock(e.At, m.clock)) + " " + src + " " + text
}

func (m *Model) historyLines(w int) []string {
	st := m.sh.Styles
	cs := m.open
	out := m.section("HISTORY")
	switch {
	case cs.historyErr != "":
		out = append(out, st.Bad.Render("✖ history unavailable: "+cs.historyErr))
	case len(cs.history) == 0:
		out = append(out, st.Dim.Render("no earlier crossing of these travellers or this vehicle"))
	}
	for _, h := range cs.history {
		plate := h.Plate
		if plate == "" {
			plate = "—"
		}
		line := h.At.Local().Format("2006-01-02 15:04") + "  " + pad(h.Port+" "+h.Lane, 10) + pad(plate, colPlate) + " " + outcomeText(h)
		if h.Conflict {
			line = st.Warn.Render(line)
		}
		out = append(out, line)
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// faceText is the face result in words, with score and threshold.
func faceText(f *records.FaceVerified) (string, bool) {
	if f == nil {
		return "— no verification on record", true
	}
	score := ""
	if f.Threshold > 0 {
		score = " " + strconv.FormatFloat(f.Score, 'f', 2, 64) + "/" + strconv.FormatFloat(f.Threshold, 'f', 2, 64)
	}
	switch f.Result {
	case records.FaceMatch:
		return "✔ MATCH" + score, true
	case records.FaceNoMatch:
		return "✖ NO MATCH" + score, false
	case records.FaceNoFace:
		return "✖ NO FACE", false
	case records.FaceNotEnrolled:
		return "? NO PHOTO ON FILE", false
	}
	return "? UNAVAILABLE " + f.Detail, false
}
