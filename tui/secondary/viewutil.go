package secondary

import "github.com/portofentry/booth/tui/internal/view"

// The drawing helpers this package shares with the other screens
// (tui/internal/view), under the names its code uses.
var (
	pad         = view.Pad
	cut         = view.Cut
	fit         = view.Fit
	dialogWidth = view.DialogWidth
	// fmtWait is a waiting time as an officer reads it: 45s, 12m, 2h05m, 3d.
	fmtWait    = view.Age
	pad2       = view.Pad2
	shortID    = view.ShortID
	clock      = view.Clock
	alertLabel = view.AlertLabel
)
