package tui

import (
	"strconv"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/tui/internal/view"
)

func itoa(i int) string { return strconv.Itoa(i) }

// alertLabel names an alert type in capitals for the alert strip.
var alertLabel = view.AlertLabel

// faceText is the face result as label and symbol, with score and threshold.
func faceText(f *records.FaceVerified) (text string, good bool) {
	if f == nil {
		return "… face pending", true
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
		return "✖ NO FACE — recapture", false
	case records.FaceNotEnrolled:
		return "? NO PHOTO ON FILE — verify manually", false
	default:
		return "? UNAVAILABLE — verify manually", false
	}
}

// mrzText summarises the check digits of a document.
func mrzText(t *records.Traveler) (string, int) {
	switch {
	case t.Keyed && t.MRZ == nil:
		return "⌨ KEYED", 0
	case t.MRZ == nil:
		return "— no MRZ", 0
	case t.MRZ.Valid:
		if t.Keyed {
			return "✔ MRZ (keyed)", 1
		}
		return "✔ MRZ", 1
	default:
		return "✖ MRZ CHECK", -1
	}
}

func fmtAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h"
	}
	return strconv.Itoa(int(d.Hours()/24)) + "d"
}
