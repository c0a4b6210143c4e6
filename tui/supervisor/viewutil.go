package supervisor

import (
	"strconv"
	"strings"
	"time"

	"github.com/portofentry/booth/tui/internal/view"
)

// The drawing helpers this package shares with the other screens
// (tui/internal/view), under the names its code uses.
var (
	pad         = view.Pad
	cut         = view.Cut
	fit         = view.Fit
	dialogWidth = view.DialogWidth
	// fmtAge is a duration as a supervisor reads it: 45s, 12m, 2h05m, 3d.
	fmtAge = view.Age
	pad2   = view.Pad2
)

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

// clock is a time of day in the workstation's zone, with the date when it
// is not today; "—" for none.
func clock(t, now time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return view.Clock(t, now)
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
