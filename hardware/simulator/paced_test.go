package simulator

import (
	"bytes"
	"context"
	"testing"
	"time"
)

func TestSplitAtBooth(t *testing.T) {
	tests := []struct {
		name                  string
		sc                    string
		approach, boothSteps  int
		firstBoothIsDocOrFace bool
	}{
		{"vehicle without booth steps", "clean-sentri", 4, 0, false},
		{"vehicle with passports", "multi-occupant", 3, 2, true},
		{"pedestrian starts at the window", "imposter", 0, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, ok := Builtin(tt.sc)
			if !ok {
				t.Fatalf("no scenario %s", tt.sc)
			}
			a, b := sc.SplitAtBooth()
			if len(a.Steps) != tt.approach || len(b.Steps) != tt.boothSteps {
				t.Fatalf("split %d+%d, want %d+%d", len(a.Steps), len(b.Steps), tt.approach, tt.boothSteps)
			}
			if tt.firstBoothIsDocOrFace && b.Steps[0].Doc == nil && b.Steps[0].Face == nil {
				t.Errorf("booth part starts with %s", b.Steps[0].kind())
			}
			if a.Name != sc.Name || b.Mode != sc.Mode {
				t.Errorf("parts lost the scenario's name or mode")
			}
		})
	}
}

// The second traveller's passport reaches the reader only after the officer
// released the first one.
func TestPlayPacedWaitsForRelease(t *testing.T) {
	s := startSim(t, Options{Quiet: true})
	doc := openSerial(t, s.Paths().Doc)
	lines := goodDocLines()
	sc := Scenario{Name: "counter", Mode: "pedestrian", Steps: []Step{{Doc: &DocStep{Lines: lines}}}}
	one := []byte(lines[0] + "\r\n" + lines[1] + "\r\n")

	released := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.PlayPaced(ctx, []Scenario{sc}, time.Millisecond, released) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("PlayPaced: %v", err)
		}
	}()

	if got := readAll(t, doc, 2*len(one), time.Second); !bytes.Equal(got, one) {
		t.Fatalf("before release got %q, want exactly one read", got)
	}
	released <- struct{}{}
	if got := readAll(t, doc, len(one), 2*time.Second); !bytes.Equal(got, one) {
		t.Fatalf("after release got %q, want the next read", got)
	}
}
