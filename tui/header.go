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
	st := m.c.styles
	sep := st.HeaderDim.Render(" │ ")
	where := " PORT " + m.c.cfg.Port + " · " + m.c.cfg.Lane + " " + strings.ToUpper(string(m.c.cfg.Mode))
	if m.c.readOnly() {
		where += " READ-ONLY"
	}
	who, badge := "signed out", "signed out"
	if m.officer != nil {
		who, badge = m.officer.Badge+" "+m.officer.Name, m.officer.Badge
	}
	var devs []string
	for _, d := range headerDevices {
		if m.c.cfg.Mode == records.ModePedestrian && (d.dev == hardware.DeviceLPR || d.dev == hardware.DeviceRPM) {
			continue
		}
		devs = append(devs, d.label+healthSymbol(m.health[d.dev]))
	}
	dev := strings.Join(devs, " ")
	link, ref := "LINK "+m.linkText(), "REF "+m.refText()
	clock := st.Header.Render(m.clock.Format("15:04:05") + " ")
	// While the disk is full nothing is being saved: the header says so in
	// words (not colour alone) and keeps saying it on any width.
	full := ""
	if m.diskFull {
		full = st.Banner.Render(" DISK FULL ")
	}
	// Narrow terminals lose the officer's name first, then the reference
	// data; then the link is shortened to what is left (its start says
	// online, offline or error), and dropped only when not even that fits;
	// place, badge, devices and the clock always stay.
	short := link
	if left := m.c.width - visibleWidth(full+where+badge+dev+clock) - 4*visibleWidth(sep); left >= minLinkWidth {
		short = truncate(link, left)
	}
	for _, items := range [][]string{
		{where, who, dev, link, ref},
		{where, badge, dev, link, ref},
		{where, badge, dev, link},
		{where, badge, dev, short},
		{where, badge, dev},
		{where, dev},
	} {
		parts := make([]string, len(items))
		for i, it := range items {
			parts[i] = st.Header.Render(it)
		}
		parts[0] = full + parts[0]
		line := strings.Join(parts, sep) + sep + clock
		if visibleWidth(line) <= m.c.width || len(items) == 2 {
			return st.Header.Render(pad(line, m.c.width))
		}
	}
	return ""
}

// minLinkWidth is the narrowest the link item is shortened to before it is
// dropped: "LINK offline…" still says the state.
const minLinkWidth = 13

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
		link += " · " + itoa(r.Backlog) + " unsent"
		if !r.Oldest.IsZero() {
			link += " " + fmtAge(m.clock.Sub(r.Oldest))
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
