package tui

import (
	"strings"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/records"
)

var headerDevices = []struct {
	dev   hardware.Device
	label string
}{{hardware.DeviceDoc, "DOC"}, {hardware.DeviceRFID, "RFID"}, {hardware.DeviceRPM, "RPM"}, {hardware.DeviceLPR, "LPR"}}

// header is the top bar: where, who, device health, the port-server link and
// its backlog, the age of the reference data, and the clock. Items are
// dropped from the right when the terminal is narrow, the clock last.
func (m *Model) header() string {
	st := m.styles
	sep := st.HeaderDim.Render(" │ ")
	where := " PORT " + m.cfg.Port + " LANE " + m.cfg.Lane + " " + strings.ToUpper(string(m.cfg.Mode))
	if m.cfg.ReadOnly {
		where += " READ-ONLY"
	}
	who := "signed out"
	if m.officer != nil {
		who = m.officer.Badge + " " + m.officer.Name
		if m.width < 110 {
			who = m.officer.Badge
		}
	}
	var devs []string
	for _, d := range headerDevices {
		if m.cfg.Mode == records.ModePedestrian && (d.dev == hardware.DeviceLPR || d.dev == hardware.DeviceRPM) {
			continue
		}
		devs = append(devs, d.label+healthSymbol(m.health[d.dev]))
	}
	// Items in display order with the order they are dropped in when the
	// terminal is narrow (highest first: link and reference data, then the
	// officer); the clock always stays.
	items := []struct {
		text string
		drop int
	}{
		{where, 0}, {who, 1}, {strings.Join(devs, " "), 0},
		{"LINK " + m.linkText(), 2}, {"REF " + m.refText(), 2},
	}
	clock := m.now.Format("15:04:05")
	for level := 3; level >= 1; level-- {
		var parts []string
		for _, it := range items {
			if it.drop < level {
				parts = append(parts, st.Header.Render(it.text))
			}
		}
		line := strings.Join(parts, sep) + sep + st.Header.Render(clock+" ")
		if visibleWidth(line) <= m.width || level == 1 {
			return st.Header.Render(pad(line, m.width))
		}
	}
	return ""
}

func healthSymbol(h DeviceHealth) string {
	switch h.State {
	case hardware.StateConnected:
		return "✔"
	case hardware.StateDisconnected:
		return "✖"
	case "faulty":
		return "⚠"
	}
	return "?"
}

func (m *Model) linkText() string {
	r := m.ref
	link := r.Link
	if link == "" {
		link = "offline"
	}
	if r.Backlog > 0 {
		link += " · backlog " + itoa(r.Backlog)
		if !r.Oldest.IsZero() {
			link += " (" + fmtAge(m.now.Sub(r.Oldest)) + ")"
		}
	}
	return link
}

func (m *Model) refText() string {
	switch {
	case m.refErr != "":
		return "✖ unavailable"
	case m.ref.AsOf.IsZero():
		return "✖ none loaded"
	case m.ref.Stale:
		return "⚠ STALE as of " + m.ref.AsOf.Local().Format("01-02 15:04")
	}
	return "as of " + m.ref.AsOf.Local().Format("01-02 15:04")
}
