package view

import (
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

func TestHelpers(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"pad short", Pad("ab", 4), "ab  "},
		{"pad long", Pad("abcdef", 4), "abc…"},
		{"pad none", Pad("ab", 0), ""},
		{"cut fits", Cut("ab", 4), "ab"},
		{"cut long", Cut("abcdef", 4), "abc…"},
		{"fit pads", Fit("a", 3), "a\n\n"},
		{"fit cuts", Fit("a\nb\nc", 2), "a\nb"},
		{"age s", Age(45 * time.Second), "45s"},
		{"age negative", Age(-time.Second), "0s"},
		{"age m", Age(12*time.Minute + 30*time.Second), "12m"},
		{"age h", Age(2*time.Hour + 5*time.Minute), "2h05m"},
		{"age d", Age(73 * time.Hour), "3d"},
		{"short id", ShortID("0123456789abcdef"), "89abcdef"},
		{"short id short", ShortID("c1"), "c1"},
		{"alert", AlertLabel(records.AlertRPM), "RPM ALARM"},
		{"alert unknown", AlertLabel("odd"), "ODD"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if w := DialogWidth(200, 76); w != 76 {
		t.Errorf("dialog width %d", w)
	}
	if w := DialogWidth(20, 76); w != 30 {
		t.Errorf("dialog width on a narrow screen %d", w)
	}
}
