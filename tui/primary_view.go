package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/portofentry/booth/records"
)

// View lays out the primary screen: alarm banner, vehicle and occupants,
// the alert strip, then face images and history.
func (s *primaryScreen) View() string {
	w, h := s.width, s.height
	cs := s.ws.current()
	if cs == nil {
		return s.idleView()
	}
	c := cs.c
	var rows []string
	used := 0
	if banner := s.banner(c); banner != "" {
		rows = append(rows, banner)
		used++
	}
	ped := s.cfg.Mode == records.ModePedestrian
	occ := s.occupantLines(c)
	veh := s.vehicleLines(cs)
	topH := clamp(max(len(occ), len(veh))+2, 6, max(h/2-1, 6))
	alerts := s.alertLines(cs, w-4)
	alertH := clamp(len(alerts)+2, 3, 8)
	bottomH := h - used - topH - alertH
	wideFace := w >= 100
	if ped {
		// Face first at a pedestrian counter.
		faceW := 0
		occ = append(occ, s.baggageLine(c))
		if wideFace {
			faceW = 2*faceCols + 7
			if s.styles.Color {
				topH = max(topH, faceRows+5)
			}
			bottomH = h - used - topH - alertH
		} else if hasFace(cs) {
			// No room for a face panel: its text goes under the traveller.
			occ = append(occ, s.faceLines(cs, w-4)...)
			topH = clamp(len(occ)+2, topH, max(h/2, 6))
			bottomH = h - used - topH - alertH
		}
		right := s.panel(s.travellerTitle(c), occ, w-faceW, topH, false)
		if faceW > 0 {
			rows = append(rows, sideBySide(s.panel("Face", s.faceLines(cs, faceW-4), faceW, topH, false), right))
		} else {
			rows = append(rows, right)
		}
		rows = append(rows, s.panel(s.alertTitle(c), alerts, w, alertH, true))
		if bottomH >= 3 {
			rows = append(rows, s.panel("History", s.historyLines(cs, w-4), w, bottomH, false))
		}
		return strings.Join(rows, "\n")
	}
	vehW := 30
	if w < 100 {
		vehW = 27
	}
	rows = append(rows, sideBySide(
		s.panel("Vehicle", veh, vehW, topH, false),
		s.panel(s.travellerTitle(c), occ, w-vehW, topH, false)))
	rows = append(rows, s.panel(s.alertTitle(c), alerts, w, alertH, true))
	if bottomH >= 3 {
		if wideFace && hasFace(cs) && bottomH >= faceRows+5 {
			faceW := 2*faceCols + 7
			rows = append(rows, sideBySide(
				s.panel("Face", s.faceLines(cs, faceW-4), faceW, bottomH, false),
				s.panel("History", s.historyLines(cs, w-faceW-4), w-faceW, bottomH, false)))
		} else {
			rows = append(rows, s.panel("History", s.historyLines(cs, w-4), w, bottomH, false))
		}
	}
	return strings.Join(rows, "\n")
}

// hasFace reports whether any traveller has a face verification to show.
func hasFace(cs *crossingState) bool {
	if len(cs.faces) > 0 {
		return true
	}
	for _, t := range cs.c.Travelers {
		if t.Face != nil {
			return true
		}
	}
	return false
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// banner is the red strip for an alarm that forces referral, or the
// crossing's outcome once decided.
func (s *primaryScreen) banner(c *records.Crossing) string {
	st := s.styles
	if must, why := c.MustRefer(); must && c.Status == records.StatusOpen {
		return st.Banner.Render(pad(" ⚠ "+why+" — press "+s.keys.Refer.Help().Key+" to refer", s.width))
	}
	switch c.Status {
	case records.StatusReferred:
		return st.Warn.Render(pad(" ➜ REFERRED TO SECONDARY", s.width))
	case records.StatusDetermined, records.StatusClosed:
		if c.Determination != nil {
			return st.OK.Render(pad(" ✔ "+strings.ToUpper(string(c.Determination.Value.Outcome)), s.width))
		}
	}
	return ""
}

func (s *primaryScreen) idleView() string {
	lines := []string{
		s.styles.Title.Render("Lane idle — waiting for the next " + map[bool]string{true: "traveller", false: "vehicle"}[s.cfg.Mode == records.ModePedestrian]),
		"",
		s.styles.Dim.Render("A card read, a plate read, the portal or a document read opens the next crossing."),
	}
	if s.keys.Manual.Enabled() {
		lines = append(lines, s.styles.Dim.Render("Press "+s.keys.Manual.Help().Key+" to key a document by hand."))
	}
	if s.readOnly() {
		lines = append(lines, "", s.styles.Warn.Render("READ-ONLY: it shows, it records nothing under your badge."))
	}
	if q := len(s.ws.lane.Queue()); q > 0 {
		lines = append(lines, "", s.styles.Value.Render(itoa(q)+" vehicle(s) approaching"))
	}
	return s.panel("Booth", lines, s.width, min(s.height, 9), false)
}

func (s *primaryScreen) vehicleLines(cs *crossingState) []string {
	st := s.styles
	v := cs.c.Vehicle
	label := func(l string) string { return st.Label.Render(padRight(l, 7)) }
	var lines []string
	if v == nil || v.Plate == "" {
		lines = append(lines, label("Plate")+st.Dim.Render("— not read"))
	} else {
		lines = append(lines, label("Plate")+st.Value.Bold(true).Render(v.Plate)+" "+st.Value.Render(v.Region))
		conf := itoa(int(v.Confidence+0.5)) + "%"
		switch {
		case v.Corrected:
			lines = append(lines, label("Conf")+st.OK.Render("✔ corrected "+v.ConfirmedBy))
		case v.Confirmed:
			lines = append(lines, label("Conf")+st.OK.Render("✔ confirmed "+v.ConfirmedBy))
		case v.Confidence < 80 || len(v.Candidates) > 1:
			lines = append(lines, label("Conf")+st.Warn.Render("⚠ "+conf+" confirm ("+s.keys.Plate.Help().Key+")"))
			shown := 0
			for _, c := range v.Candidates {
				if c.Plate == v.Plate || shown == 2 {
					continue
				}
				shown++
				lines = append(lines, label("or")+st.Dim.Render(c.Plate+" "+itoa(int(c.Confidence+0.5))+"%"))
			}
		default:
			lines = append(lines, label("Conf")+st.Value.Render(conf))
		}
	}
	switch r := cs.c.RPM; {
	case r == nil:
		lines = append(lines, label("RPM")+st.Dim.Render("— no occupancy"))
	case r.Alarm():
		kind := "GAMMA"
		if r.NeutronAlarm {
			kind = "NEUTRON"
			if r.GammaAlarm {
				kind = "GAMMA+NEUTRON"
			}
		}
		lines = append(lines, label("RPM")+st.Bad.Render("✖ "+kind+" ALARM #"+itoa(r.Occupancy)))
	default:
		lines = append(lines, label("RPM")+st.OK.Render("✔ CLEAR")+st.Dim.Render(" #"+itoa(r.Occupancy)))
	}
	if q := s.ws.lane.Queue(); len(q) > 0 {
		lines = append(lines, label("Queue")+st.Value.Render(itoa(len(q))+" approaching"))
		for i, id := range q {
			if i == 2 {
				break
			}
			if qc, ok := s.ws.crossings[id]; ok {
				mark := "  "
				if len(qc.c.Unacknowledged()) > 0 {
					mark = "⚠ "
				}
				lines = append(lines, label("")+st.Dim.Render(mark+describe(qc.c)))
			}
		}
	}
	return lines
}

func (s *primaryScreen) travellerTitle(c *records.Crossing) string {
	n := len(c.Travelers)
	t := "Occupants (" + itoa(n) + ")"
	if s.cfg.Mode == records.ModePedestrian {
		t = "Traveller"
	}
	return t + " · " + shortID(c.ID)
}

// occupantLines gives each traveller two lines: identity and document, then
// checks (MRZ, expiry, status, face).
func (s *primaryScreen) occupantLines(c *records.Crossing) []string {
	st := s.styles
	if len(c.Travelers) == 0 {
		return []string{st.Dim.Render("no traveller identified yet — waiting for cards or documents")}
	}
	var lines []string
	for i, t := range c.Travelers {
		name := t.DisplayName()
		if name == "" {
			name = "UNKNOWN CARD " + strings.Join(t.EPCs, ",")
		}
		doc := t.Document.Type + " " + t.Document.Country + " " + t.Document.Number
		if t.Document.IsZero() {
			doc = "no document"
		}
		prog := ""
		if t.Program != "" {
			prog = " [" + t.Program + "]"
		}
		lines = append(lines, st.Value.Bold(true).Render(itoa(i+1)+" "+name)+st.Dim.Render(prog)+"  "+st.Value.Render(doc))
		mrz, mrzOK := mrzText(t)
		mrzStyle := st.Dim
		if mrzOK > 0 {
			mrzStyle = st.OK
		} else if mrzOK < 0 {
			mrzStyle = st.Bad
		}
		// Most decisive first: document checks, face, status; then dates.
		parts := []string{mrzStyle.Render(mrz)}
		if t.Face != nil || t.MRZ != nil || t.Keyed {
			ft, good := faceText(t.Face)
			fs := st.OK
			if !good {
				fs = st.Bad
			}
			if t.Face == nil {
				fs = st.Dim
			}
			parts = append(parts, fs.Render(ft))
		}
		switch {
		case t.Citizenship != "" || t.Status != "":
			parts = append(parts, st.Value.Render(strings.Trim(t.Citizenship+"/"+t.Status, "/")))
		case !t.Checked:
			parts = append(parts, st.Dim.Render("… checking"))
		case t.Program != "":
			parts = append(parts, st.OK.Render("✔ vetted"))
		default:
			parts = append(parts, st.Warn.Render("? status not on file"))
		}
		if t.ExpiryDate != "" {
			parts = append(parts, st.Label.Render("exp ")+st.Value.Render(t.ExpiryDate))
		}
		if t.BirthDate != "" {
			parts = append(parts, st.Label.Render("dob ")+st.Value.Render(t.BirthDate))
		}
		lines = append(lines, "  "+strings.Join(parts, st.Dim.Render(" · ")))
	}
	return lines
}

func (s *primaryScreen) alertTitle(c *records.Crossing) string {
	open := len(c.Unacknowledged())
	if len(c.Alerts) == 0 {
		return "Alerts · none"
	}
	if open == 0 {
		return "Alerts · all " + itoa(len(c.Alerts)) + " acknowledged"
	}
	return "Alerts · " + itoa(open) + " to acknowledge (" + s.keys.Ack.Help().Key + ")"
}

func (s *primaryScreen) alertLines(cs *crossingState, w int) []string {
	st := s.styles
	c := cs.c
	if len(c.Alerts) == 0 {
		if ok, why := c.CanAdmit(); ok && !s.keys.Admit.Enabled() {
			return []string{st.OK.Render("✔ clear")} // read-only: no admit key to name
		} else if ok {
			return []string{st.OK.Render("✔ clear — admit with " + s.keys.Admit.Help().Key)}
		} else {
			return []string{st.Dim.Render("no alerts · " + why)}
		}
	}
	lines := make([]string, 0, len(c.Alerts))
	for i, a := range c.Alerts {
		mark := "⚠ "
		tag := st.Bad.Render("[ACK?]")
		if a.Acknowledged {
			mark = "✔ "
			tag = st.OK.Render("[ACK " + a.AckedBy + "]")
		}
		line := tag + " " + mark + a.Text
		if a.ForcesReferral {
			line += " — REFERRAL MANDATORY"
		}
		switch {
		case i == cs.selAlert:
			// The highlighted alert is shown whole, wrapped: a lookout's
			// instruction ("do not alert subject") must never be cut off.
			for j, part := range strings.Split(ansi.Wordwrap(line, w-2, " "), "\n") {
				prefix := "  "
				if j == 0 {
					prefix = "▸ "
				}
				lines = append(lines, st.Selected.Render(pad(prefix+part, w)))
			}
			continue
		case a.Acknowledged:
			line = "  " + st.Dim.Render(line)
		default:
			line = "  " + st.Warn.Render(line)
		}
		lines = append(lines, line)
	}
	return lines
}

func (s *primaryScreen) faceLines(cs *crossingState, w int) []string {
	st := s.styles
	var lines []string
	for _, t := range cs.c.Travelers {
		if t.Face == nil && cs.faces[t.Document.Key()] == nil {
			continue
		}
		ft, good := faceText(t.Face)
		fs := st.OK
		if !good {
			fs = st.Bad
		}
		lines = append(lines, st.Value.Render(truncate(t.DisplayName(), w-len(ft)-1))+" "+fs.Render(ft))
		if t.Face != nil && t.Face.Result != records.FaceMatch {
			lines = append(lines, st.Warn.Render("⚠ inspect manually"))
		}
		if f := cs.faces[t.Document.Key()]; f != nil {
			lines = append(lines, s.faceArt(f, w)...)
		}
		break // one traveller's images fit; others show their result in Occupants
	}
	if len(lines) == 0 {
		return []string{st.Dim.Render("no face verification yet")}
	}
	return lines
}

func (s *primaryScreen) baggageLine(c *records.Crossing) string {
	st := s.styles
	if c.Baggage == nil {
		return st.Label.Render("Baggage x-ray ") + st.Dim.Render("— not recorded ("+s.keys.Xray.Help().Key+")")
	}
	return st.Label.Render("Baggage x-ray ") + st.Value.Render(strings.ToUpper(c.Baggage.Outcome)+" "+c.Baggage.Note)
}

func (s *primaryScreen) historyLines(cs *crossingState, w int) []string {
	st := s.styles
	var lines []string
	section := func(title, subject string) {
		h, ok := cs.history[subject]
		switch {
		case !ok:
			lines = append(lines, st.Value.Render(title)+st.Dim.Render(" … looking up"))
		case len(h) == 0:
			lines = append(lines, st.Value.Render(title)+st.Dim.Render(" — no prior crossings"))
		default:
			n := itoa(len(h))
			if len(h) > s.cfg.HistoryLimit {
				n = itoa(s.cfg.HistoryLimit) + "+"
				h = h[:s.cfg.HistoryLimit]
			}
			lines = append(lines, st.Value.Render(title)+st.Dim.Render(" — "+n+" prior"))
			for _, e := range h {
				out := e.Outcome
				if out == "" {
					out = e.Status
				}
				if e.Referred {
					out += " ➜ secondary"
				}
				line := "  " + e.At.Local().Format("2006-01-02 15:04") + "  " + e.Port + " " + e.Lane + "  " + out
				if e.Plate != "" {
					line += "  " + e.Plate
				}
				lines = append(lines, st.Dim.Render(truncate(line, w)))
			}
		}
		lines = append(lines, s.nationalLines(cs, subject, w)...)
	}
	for _, t := range cs.c.Travelers {
		if t.Document.IsZero() && t.Surname == "" {
			continue
		}
		section(t.DisplayName(), t.Key)
	}
	if v := cs.c.Vehicle; v != nil && v.Plate != "" {
		section("Plate "+v.Key(), "plate:"+v.Key())
	}
	if len(lines) == 0 {
		return []string{st.Dim.Render("nothing to look up yet")}
	}
	return lines
}
