package supervisor

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// pad cuts or pads s (which may hold styles) to exactly w cells.
func pad(s string, w int) string {
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

// cut shortens s to w cells, marking the cut.
func cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// fit cuts or pads a block to exactly h lines.
func fit(s string, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// dialogWidth is the width of a modal dialog, bounded by the terminal.
func dialogWidth(screenW, want int) int { return max(min(want, screenW-2), 30) }

// fmtAge is a duration as a supervisor reads it: 45s, 12m, 2h05m, 3d.
func fmtAge(d time.Duration) string {
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
		return strconv.Itoa(h) + "h" + pad2(m) + "m"
	}
	return strconv.Itoa(int(d.Hours()/24)) + "d"
}

// fmtMedian is a time at primary: 45s, 1m05s, 12m.
func fmtMedian(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	if d < time.Minute {
		return strconv.Itoa(int(d.Round(time.Second).Seconds())) + "s"
	}
	if d < 10*time.Minute {
		s := int(d.Round(time.Second).Seconds())
		return strconv.Itoa(s/60) + "m" + pad2(s%60) + "s"
	}
	return fmtAge(d)
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}

// clock is a time of day in the workstation's zone, with the date when it
// is not today.
func clock(t, now time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t, now = t.Local(), now.Local()
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04:05")
	}
	return t.Format("01-02 15:04")
}

// sparkBars are the sparkline's eight levels.
var sparkBars = []rune("▁▂▃▄▅▆▇█")

// sparkline draws hourly counts, oldest first, one cell per hour scaled to
// the largest; an hour without a vehicle is "·" (the count itself is
// printed beside the line: the bars never carry the number alone).
func sparkline(counts []int) string {
	peak := 0
	for _, c := range counts {
		peak = max(peak, c)
	}
	var b strings.Builder
	for _, c := range counts {
		if c <= 0 || peak == 0 {
			b.WriteRune('·')
			continue
		}
		level := (c*len(sparkBars)+peak-1)/peak - 1
		b.WriteRune(sparkBars[min(max(level, 0), len(sparkBars)-1)])
	}
	return b.String()
}

// percent is n of d as a whole percentage, "—" when d is 0.
func percent(n, d int) string {
	if d <= 0 {
		return "—"
	}
	return strconv.Itoa((n*100+d/2)/d) + "%"
}
