package tui

import (
	"image"
	"image/color"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

func TestKeyMapApply(t *testing.T) {
	tests := []struct {
		name    string
		keys    map[string][]string
		wantErr string
		check   func(KeyMap) bool
	}{
		{"rebind admit to f2", map[string][]string{"admit": {"f2"}}, "", func(k KeyMap) bool {
			return key.Matches(tea.KeyPressMsg{Code: tea.KeyF2}, k.Admit) && !key.Matches(tea.KeyPressMsg{Code: 'a', Text: "a"}, k.Admit)
		}},
		{"modifier keys", map[string][]string{"lock": {"ctrl+alt+l"}, "next": {"shift+tab", "pgdown"}}, "", nil},
		{"unknown action", map[string][]string{"launch": {"l"}}, `keys.launch: unknown action`, nil},
		{"bad key name", map[string][]string{"admit": {"enterr"}}, `keys.admit: key "enterr"`, nil},
		{"bad modifier", map[string][]string{"admit": {"hyper+a"}}, `unknown modifier "hyper"`, nil},
		{"empty list", map[string][]string{"admit": {}}, `keys.admit: no key given`, nil},
		{"conflict", map[string][]string{"admit": {"r"}}, `"r" is bound to both`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := DefaultKeyMap().Apply(tt.keys)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil && !tt.check(k) {
				t.Fatal("binding not applied")
			}
		})
	}
}

func TestReadOnlyKeyMap(t *testing.T) {
	k := DefaultKeyMap().ReadOnly()
	for _, a := range KeyActions {
		b := a.get(&k)
		if a.Write && (b.Enabled() || len(b.Keys()) != 0) {
			t.Errorf("%s still bound in read-only mode", a.Name)
		}
		if !a.Write && !b.Enabled() {
			t.Errorf("%s unbound in read-only mode", a.Name)
		}
	}
}

func TestHalfBlock(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 2, 4))
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	img.Set(0, 1, color.RGBA{0, 0, 255, 255})
	lines := halfBlock(img, 2, 2)
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	if !strings.HasPrefix(lines[0], "\x1b[38;2;255;0;0;48;2;0;0;255m▀") {
		t.Fatalf("top-left cell %q", lines[0])
	}
	if halfBlock(image.NewRGBA(image.Rect(0, 0, 0, 0)), 2, 2) != nil {
		t.Fatal("empty image rendered")
	}
}

func TestKeyMapForMode(t *testing.T) {
	ped := DefaultKeyMap().ForMode(records.ModePedestrian)
	if ped.Plate.Enabled() || !ped.Xray.Enabled() || ped.Next.Help().Desc != "next traveller" {
		t.Errorf("pedestrian: plate %v x-ray %v next %q", ped.Plate.Enabled(), ped.Xray.Enabled(), ped.Next.Help().Desc)
	}
	veh := DefaultKeyMap().ForMode(records.ModeVehicle)
	if !veh.Plate.Enabled() || veh.Xray.Enabled() {
		t.Errorf("vehicle: plate %v x-ray %v", veh.Plate.Enabled(), veh.Xray.Enabled())
	}
}
