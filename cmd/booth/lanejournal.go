package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
)

// A primary booth reports what no crossing carries to the port server
// (docs/replication.md, "Lane journal, heartbeat and the supervisor's
// reads"): lane events — RPM background faults, tamper, extended
// occupancies, devices unplugged and back — as entries of its lane journal,
// stored durably first and sent up by the reporter; and every 2 s a
// heartbeat with the officer signed in, the lane's state and each device's
// health. The device loop (forward) hands every device event and the
// health snapshot to laneReporter; nothing here ever blocks it for long.

// faultRepeat is how long a repeated RPM background fault of the same code
// is one spell: monitors repeat GH/GL/NH lines every few seconds while the
// background stays out of range.
const faultRepeat = time.Minute

// laneReporter turns device events into lane journal entries and builds
// the heartbeat. Its methods are safe on a nil receiver (no port server).
type laneReporter struct {
	store *sqlitestore.Store
	cfg   Config
	log   *slog.Logger
	rep   *replication.Reporter

	mu        sync.Mutex
	devices   map[hardware.Device]records.DeviceStatus
	lastFault map[string]time.Time
	tamper    *bool
}

// newLaneReporter builds the booth's reporter over its writable store.
func newLaneReporter(store *sqlitestore.Store, client *replication.Client, cfg Config, logger *slog.Logger) (*laneReporter, error) {
	l := &laneReporter{store: store, cfg: cfg, log: logger.With("component", "lane journal"),
		devices: map[hardware.Device]records.DeviceStatus{}, lastFault: map[string]time.Time{}}
	var err error
	l.rep, err = replication.NewReporter(replication.ReporterConfig{Store: store, Client: client, Heartbeat: l.heartbeat, Logger: logger})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Run sends the journal and heartbeats until ctx ends.
func (l *laneReporter) Run(ctx context.Context) {
	if l != nil {
		_ = l.rep.Run(ctx)
	}
}

// observe records the lane events among a device event.
func (l *laneReporter) observe(ctx context.Context, ev hardware.Event) {
	if l == nil {
		return
	}
	if e, ok := l.entryFor(ev); ok {
		l.append(ctx, e)
	}
}

// entryFor maps a device event to a journal entry; ok is false for events
// that are no lane event (reads, occupancies that closed normally, a
// repeated fault within its spell).
func (l *laneReporter) entryFor(ev hardware.Event) (records.JournalEntry, bool) {
	e := records.JournalEntry{Port: l.cfg.Port, Lane: l.cfg.Lane, Device: string(ev.Device), At: ev.At}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case ev.Kind == hardware.KindStatus && ev.Status != nil:
		prev, known := l.devices[ev.Device]
		st := l.devices[ev.Device]
		st.Device, st.State, st.Since = string(ev.Device), ev.Status.State, e.At
		l.devices[ev.Device] = st
		switch ev.Status.State {
		case hardware.StateDisconnected:
			if known && prev.State == hardware.StateDisconnected {
				return e, false
			}
			e.Kind, e.Detail = records.JournalDeviceDisconnected, ev.Status.Detail
		case hardware.StateConnected:
			if !known || prev.State == hardware.StateConnected {
				return e, false // the first connect at start is no event
			}
			e.Kind = records.JournalDeviceConnected
		default:
			return e, false
		}
	case ev.Kind == hardware.KindFault && ev.Fault != nil:
		code := ev.Fault.Code
		if last, ok := l.lastFault[code]; ok && e.At.Sub(last) >= 0 && e.At.Sub(last) < faultRepeat {
			l.lastFault[code] = e.At
			return e, false
		}
		l.lastFault[code] = e.At
		e.Kind, e.Code, e.Detail = records.JournalRPMFault, code, ev.Fault.Detail
	case ev.Kind == hardware.KindTamper && ev.Tamper != nil:
		if l.tamper != nil && *l.tamper == ev.Tamper.Active {
			return e, false
		}
		active := ev.Tamper.Active
		l.tamper = &active
		e.Kind, e.Active = records.JournalRPMTamper, active
	case ev.Kind == hardware.KindOccupancy && ev.Occupancy != nil && ev.Occupancy.Incomplete:
		o := ev.Occupancy
		e.Kind = records.JournalExtendedOccupancy
		e.Detail = "started " + o.Start.UTC().Format(time.RFC3339) + ", last sample " + o.End.UTC().Format(time.RFC3339)
		if o.GammaAlarm || o.NeutronAlarm {
			e.Detail += ", alarm during it"
		}
	default:
		return e, false
	}
	return e, true
}

// health takes the device health snapshot of the device loop: it feeds the
// heartbeat and journals a device turning faulty (unplug and replug come as
// status events).
func (l *laneReporter) health(ctx context.Context, hs []hardware.Health) {
	if l == nil {
		return
	}
	var faulty []records.JournalEntry
	l.mu.Lock()
	for _, h := range hs {
		prev, known := l.devices[h.Device]
		st := records.DeviceStatus{Device: string(h.Device), State: string(h.State), Since: h.Since, LastFrame: h.LastFrame,
			Errors: h.Errors, LastError: h.LastError}
		l.devices[h.Device] = st
		if h.State == hardware.HealthFaulty && (!known || prev.State != string(hardware.HealthFaulty)) {
			faulty = append(faulty, records.JournalEntry{Port: l.cfg.Port, Lane: l.cfg.Lane, Kind: records.JournalDeviceFaulty,
				Device: string(h.Device), Detail: h.LastError, At: time.Now()})
		}
	}
	l.mu.Unlock()
	for _, e := range faulty {
		l.append(ctx, e)
	}
}

// append stores an entry durably, then wakes the reporter. A store that
// cannot take it (read-only, disk full) loses nothing recorded: the entry
// is logged and the screen still shows the device state.
func (l *laneReporter) append(ctx context.Context, e records.JournalEntry) {
	officer, _, _, err := l.store.SignedIn(ctx)
	if err == nil {
		e.Officer = officer
	}
	if _, err := l.store.AppendJournal(ctx, e); err != nil {
		l.log.Error("lane journal entry not stored", "kind", e.Kind, "device", e.Device, "err", err)
		return
	}
	l.rep.Notify()
}

// heartbeat builds the booth's current heartbeat.
func (l *laneReporter) heartbeat(ctx context.Context) records.Heartbeat {
	hb := records.Heartbeat{Port: l.cfg.Port, Lane: l.cfg.Lane, Mode: records.Mode(l.cfg.Mode), ReadOnly: l.cfg.ReadOnly}
	var err error
	if hb.Officer, hb.Locked, _, err = l.store.SignedIn(ctx); err != nil {
		l.log.Warn("heartbeat: who is signed in", "err", err)
	}
	hb.State, hb.CrossingID, hb.StateSince = l.laneState(ctx)
	if hb.Officer == "" {
		hb.State = records.LaneClosed
	}
	if n, oldest, err := l.store.Backlog(ctx); err == nil {
		hb.Backlog, hb.OldestUnsent = n, oldest
	}
	if n, oldest, err := l.store.JournalBacklog(ctx); err == nil && n > 0 {
		hb.Backlog += n
		if hb.OldestUnsent.IsZero() || oldest.Before(hb.OldestUnsent) {
			hb.OldestUnsent = oldest
		}
	}
	l.mu.Lock()
	for _, d := range []hardware.Device{hardware.DeviceDoc, hardware.DeviceRFID, hardware.DeviceRPM, hardware.DeviceLPR} {
		if st, ok := l.devices[d]; ok {
			hb.Devices = append(hb.Devices, st)
		}
	}
	l.mu.Unlock()
	return hb
}

// laneState is the lane's state from the booth's own crossings (its store
// holds its events before they reach the server).
func (l *laneReporter) laneState(ctx context.Context) (records.LaneState, string, time.Time) {
	now := time.Now()
	recent, err := l.store.RecentCrossings(ctx, l.cfg.Lane, 5)
	if err != nil {
		l.log.Warn("heartbeat: recent crossings", "err", err)
		return records.LaneIdle, "", time.Time{}
	}
	var open []*records.Crossing
	for _, cs := range recent {
		if cs.Status != records.StatusOpen || now.Sub(cs.OpenedAt) > records.VehicleAtBoothWindow {
			continue
		}
		c, err := l.store.Crossing(ctx, cs.ID)
		if err != nil {
			continue
		}
		open = append(open, c)
	}
	return records.LaneStateOf(l.cfg.Lane, open, now)
}
