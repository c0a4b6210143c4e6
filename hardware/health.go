package hardware

import (
	"sync"
	"time"
)

// HealthState is a device's health as shown to officers and technicians.
type HealthState string

// Health states.
//
// A device is faulty when it is connected but its last FaultyAfter frames
// (PortConfig) were all bad: the cable is in but the bytes make no sense
// (wrong baud rate, a failing reader, noise on the line). One good frame
// makes it connected again.
const (
	HealthConnected    HealthState = "connected"
	HealthDisconnected HealthState = "disconnected"
	HealthFaulty       HealthState = "faulty"
)

// Health is a snapshot of one device's state and counters.
type Health struct {
	Device Device
	// Path is the configured path; OpenPath is the device node it resolved
	// to at the last successful open.
	Path     string
	OpenPath string
	State    HealthState
	// Since is when State was entered.
	Since time.Time
	// LastFrame is when the last good frame (event, heartbeat or
	// suppressed duplicate) arrived.
	LastFrame time.Time
	// Frames counts good frames, Errors bad frames and dropped connections.
	Frames int
	Errors int
	// ConsecutiveErrors counts bad frames since the last good one.
	ConsecutiveErrors int
	// Reconnects counts successful opens after the first.
	Reconnects int
	// LastError is the text of the most recent bad frame, read error or
	// open failure, and LastErrorAt its time.
	LastError   string
	LastErrorAt time.Time
}

// healthTracker is the mutable, lock-protected health of one port.
type healthTracker struct {
	mu          sync.Mutex
	h           Health
	faultyAfter int
	opened      bool
}

func newHealthTracker(dev Device, path string, faultyAfter int, now time.Time) *healthTracker {
	return &healthTracker{
		h:           Health{Device: dev, Path: path, State: HealthDisconnected, Since: now},
		faultyAfter: faultyAfter,
	}
}

func (t *healthTracker) snapshot() Health {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.h
}

// setState changes the state, stamping Since only on a real change.
func (t *healthTracker) setState(s HealthState, now time.Time) {
	if t.h.State != s {
		t.h.State = s
		t.h.Since = now
	}
}

// settle derives connected/faulty from the consecutive error count.
func (t *healthTracker) settle(now time.Time) {
	if t.h.State == HealthDisconnected {
		return
	}
	if t.faultyAfter > 0 && t.h.ConsecutiveErrors >= t.faultyAfter {
		t.setState(HealthFaulty, now)
	} else {
		t.setState(HealthConnected, now)
	}
}

func (t *healthTracker) connected(openPath string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.opened {
		t.h.Reconnects++
	}
	t.opened = true
	t.h.OpenPath = openPath
	t.h.ConsecutiveErrors = 0
	t.setState(HealthConnected, now)
}

// disconnected records a dropped connection (err != nil) or a failed open.
func (t *healthTracker) disconnected(err error, dropped bool, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		t.h.LastError = err.Error()
		t.h.LastErrorAt = now
	}
	if dropped {
		t.h.Errors++
	}
	t.setState(HealthDisconnected, now)
}

// account records the outcome of one decoder call: its events in order,
// plus silent good frames (heartbeats, suppressed duplicates) that produced
// no event.
func (t *healthTracker) account(evs []Event, silentFrames int, now time.Time) {
	if len(evs) == 0 && silentFrames == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	errs := 0
	for _, ev := range evs {
		switch ev.Kind {
		case KindError:
			errs++
			t.h.Errors++
			t.h.ConsecutiveErrors++
			if ev.Error != nil {
				t.h.LastError = ev.Error.Err
			}
			t.h.LastErrorAt = now
		case KindStatus:
		default:
			t.h.Frames++
			t.h.LastFrame = now
			t.h.ConsecutiveErrors = 0
		}
	}
	if silentFrames > 0 {
		t.h.Frames += silentFrames
		t.h.LastFrame = now
		// The order of silent frames among this call's events is unknown;
		// only a call without errors proves the line is healthy again.
		if errs == 0 {
			t.h.ConsecutiveErrors = 0
		}
	}
	t.settle(now)
}
