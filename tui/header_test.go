package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestHeaderShortensALongLinkState: a long link state (a refused
// certificate, a quarantine notice) is cut to the width that is left, not
// dropped, so the officer still sees that the link is in error.
func TestHeaderShortensALongLinkState(t *testing.T) {
	long := "⚠ error: certificate refused by the port server (revoked?)"
	for _, tc := range []struct {
		width    int
		wantLink bool
	}{
		{200, true},
		{140, true},
		{120, true},
		{80, false}, // place, badge and devices leave too little room
	} {
		e := newTestEnv(t, nil)
		e.login()
		e.send(refStatusMsg{status: RefStatus{Link: long, Backlog: 39}})
		e.send(tea.WindowSizeMsg{Width: tc.width, Height: 40})
		header := strings.SplitN(e.view(), "\n", 2)[0]
		if got := strings.Contains(header, "LINK ⚠ error"); got != tc.wantLink {
			t.Errorf("width %d: link state shown %v, want %v:\n%s", tc.width, got, tc.wantLink, header)
		}
		if w := visibleWidth(header); w > tc.width {
			t.Errorf("width %d: header is %d cells wide:\n%s", tc.width, w, header)
		}
	}
}
