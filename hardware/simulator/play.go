package simulator

import (
	"context"
	"fmt"
	"time"
)

// Play sends a scenario's steps to the devices with its timing divided by
// Options.Speed. It resets the matcher's verdicts to the scenario's own. It
// returns when the last step is sent, or ctx.Err() when cancelled.
func (s *Sim) Play(ctx context.Context, sc Scenario) error {
	if err := sc.Validate(); err != nil {
		return fmt.Errorf("play: %w", err)
	}
	s.playMu.Lock()
	defer s.playMu.Unlock()
	s.matcher.reset()
	s.log.Info("scenario", "name", sc.Name, "steps", len(sc.Steps))
	for i, st := range sc.Steps {
		if err := s.sleep(ctx, time.Duration(st.After)); err != nil {
			return err
		}
		if err := s.playStep(ctx, st); err != nil {
			return fmt.Errorf("play %q: %w", sc.Name, stepError(i, st, "%v", err))
		}
	}
	return nil
}

func (s *Sim) playStep(ctx context.Context, st Step) error {
	var ems []emission
	switch {
	case st.Wait != nil:
		return s.sleep(ctx, time.Duration(*st.Wait))
	case st.Face != nil:
		s.matcher.setOutcome(*st.Face)
		return nil
	case st.RFID != nil:
		ems = st.RFID.emissions()
	case st.Doc != nil:
		ems = st.Doc.emissions()
	case st.RPM != nil:
		r := *st.RPM
		if r.Occupancy == 0 {
			r.Occupancy = s.nextOccupancy()
		}
		ems = r.emissions()
	case st.RPMStatus != nil:
		s.rngMu.Lock()
		ems = st.RPMStatus.emissions(s.rng)
		s.rngMu.Unlock()
	case st.Plate != nil:
		ems = st.Plate.emissions()
	case st.Fault != nil:
		s.log.Info("fault", "kind", st.Fault.Kind, "device", st.Fault.Device)
		s.rngMu.Lock()
		ems = st.Fault.emissions(s.rng)
		s.rngMu.Unlock()
	}
	return s.emit(ctx, ems)
}

// emit performs the emissions at their (scaled) offsets from now.
func (s *Sim) emit(ctx context.Context, ems []emission) error {
	start := time.Now()
	for _, e := range ems {
		if err := sleepWall(ctx, time.Until(start.Add(s.scale(e.at)))); err != nil {
			return err
		}
		if e.action != nil {
			if err := e.action(s); err != nil {
				return err
			}
			continue
		}
		if err := s.ports[e.dev].write(e.bytesAt(s.opts.Now())); err != nil {
			return err
		}
	}
	return nil
}

// sleep waits d of scenario time (d/Speed of wall time) or until ctx ends.
func (s *Sim) sleep(ctx context.Context, d time.Duration) error {
	return sleepWall(ctx, s.scale(d))
}

// sleepWall waits w of wall time or until ctx ends.
func sleepWall(ctx context.Context, w time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if w <= 0 {
		return nil
	}
	t := time.NewTimer(w)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// PlayLoop plays the scenarios in rotation, with a pause of about gap
// (±30 %, scenario time) between them, until ctx is cancelled; then it
// returns nil. A failing scenario is logged and the loop goes on.
func (s *Sim) PlayLoop(ctx context.Context, scenarios []Scenario, gap time.Duration) error {
	if len(scenarios) == 0 {
		return fmt.Errorf("play loop: no scenarios")
	}
	for _, sc := range scenarios {
		if err := sc.Validate(); err != nil {
			return fmt.Errorf("play loop: %w", err)
		}
	}
	for i := 0; ; i++ {
		sc := scenarios[i%len(scenarios)]
		if err := s.Play(ctx, sc); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.log.Error("scenario failed", "name", sc.Name, "err", err)
		}
		if err := s.pauseBetween(ctx, gap); err != nil {
			return nil
		}
	}
}

// pauseBetween waits about gap (±30 %, scenario time) between two vehicles.
func (s *Sim) pauseBetween(ctx context.Context, gap time.Duration) error {
	s.rngMu.Lock()
	pause := time.Duration(float64(gap) * (0.7 + 0.6*s.rng.Float64()))
	s.rngMu.Unlock()
	return s.sleep(ctx, pause)
}

// nextOccupancy numbers portal passes like the RPM does, one up each time.
func (s *Sim) nextOccupancy() int {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	s.occupancy++
	return s.occupancy
}
