package simulator

import (
	"context"
	"fmt"
	"time"
)

// SplitAtBooth splits a scenario where the vehicle reaches the booth window:
// approach holds what the lane's devices see as it comes (RFID, portal,
// plate), booth everything from the first document read or face capture on.
func (sc Scenario) SplitAtBooth() (approach, booth Scenario) {
	approach, booth = sc, sc
	approach.Steps, booth.Steps = nil, nil
	for i, st := range sc.Steps {
		if st.Doc != nil || st.Face != nil {
			approach.Steps, booth.Steps = sc.Steps[:i], sc.Steps[i:]
			return approach, booth
		}
	}
	approach.Steps = sc.Steps
	return approach, booth
}

// PlayPaced plays the scenarios in rotation like a real lane: the next
// vehicle approaches (its cards, portal pass and plate are read) while the
// officer works on the one at the booth, but it reaches the window only once
// that one was released: a value received on released. The first vehicle
// finds the booth free. It returns nil when ctx is cancelled.
func (s *Sim) PlayPaced(ctx context.Context, scenarios []Scenario, gap time.Duration, released <-chan struct{}) error {
	if len(scenarios) == 0 {
		return fmt.Errorf("paced play: no scenarios")
	}
	for _, sc := range scenarios {
		if err := sc.Validate(); err != nil {
			return fmt.Errorf("paced play: %w", err)
		}
	}
	boothFree := true
	for i := 0; ; i++ {
		approach, booth := scenarios[i%len(scenarios)].SplitAtBooth()
		if err := s.playPart(ctx, approach); err != nil {
			return nil
		}
		if !boothFree {
			select {
			case <-ctx.Done():
				return nil
			case <-released:
			}
		}
		boothFree = false
		if err := s.playPart(ctx, booth); err != nil {
			return nil
		}
		if err := s.pauseBetween(ctx, gap); err != nil {
			return nil
		}
	}
}

// playPart plays part of a scenario; a failure other than cancellation is
// logged and play goes on, as in PlayLoop.
func (s *Sim) playPart(ctx context.Context, sc Scenario) error {
	if len(sc.Steps) == 0 {
		return ctx.Err()
	}
	if err := s.Play(ctx, sc); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.Error("scenario failed", "name", sc.Name, "err", err)
	}
	return nil
}
