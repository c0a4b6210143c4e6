// Package view holds the drawing helpers the terminal UI's packages share
// (tui, tui/secondary, tui/supervisor): cutting and padding styled text to
// cells, fitting a block to lines, the widths of dialogs, and the short
// forms of times, ages, ids and alert types every screen prints. tui
// imports the role packages, so what they share lives here, below them.
package view

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/portofentry/booth/records"
)

// Pad cuts or pads s (which may hold styles) to exactly w cells.
func Pad(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := ansi.StringWidth(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = ansi.StringWidth(s)
	}
	if n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// Cut shortens s to w cells, marking the cut.
func Cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Fit cuts or pads a block to exactly h lines.
func Fit(s string, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// DialogWidth is the width of a modal dialog, bounded by the terminal.
func DialogWidth(screenW, want int) int { return max(min(want, screenW-2), 30) }

// Age is a waiting time or an age as an officer reads it: 45s, 12m, 2h05m,
// 3d.
func Age(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 48*time.Hour:
		h := int(d.Hours())
		m := int(d.Minutes()) - 60*h
		return strconv.Itoa(h) + "h" + Pad2(m) + "m"
	}
	return strconv.Itoa(int(d.Hours()/24)) + "d"
}

// Pad2 is n with at least two digits.
func Pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// ShortID is the last eight characters of a crossing id, as screens show it.
func ShortID(id string) string {
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}

// Clock is a time of day in the workstation's zone, with the date when it
// is not today.
func Clock(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04:05")
	}
	return t.Format("01-02 15:04")
}

// AlertLabel names an alert type in capitals.
func AlertLabel(t records.AlertType) string {
	switch t {
	case records.AlertLookout:
		return "LOOKOUT"
	case records.AlertLostStolen:
		return "LOST/STOLEN"
	case records.AlertStatus:
		return "STATUS"
	case records.AlertExpired:
		return "EXPIRED DOC"
	case records.AlertMRZCheck:
		return "MRZ CHECK"
	case records.AlertFaceNoMatch:
		return "FACE NO MATCH"
	case records.AlertRPM:
		return "RPM ALARM"
	case records.AlertPlate:
		return "PLATE LOOKOUT"
	case records.AlertNotEnrolled:
		return "VEHICLE NOT ENROLLED"
	case records.AlertNoRPM:
		return "NO RPM SCAN"
	}
	return strings.ToUpper(string(t))
}
