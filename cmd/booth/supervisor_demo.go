package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
)

// `booth --demo --role supervisor` needs a port to watch: the in-process
// port server and the secondary demo's simulated primary lanes (demoLane:
// own SQLite store and sender over mutual TLS, officers who admit and
// refer), each of which also reports like a real booth: a heartbeat every
// 2 s (officer, lane state, device health) and now and then a lane journal
// entry (an RPM background alarm, tamper, an extended occupancy, a device
// unplugged and plugged back), so every panel of the dashboard moves
// within seconds.

// demoLaneHealth is a simulated lane's device health, changed by its
// journal and read by its heartbeat.
type demoLaneHealth struct {
	mu      sync.Mutex
	devices map[string]string // device -> connected | disconnected
}

func (h *demoLaneHealth) set(device, state string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.devices[device] = state
}

func (h *demoLaneHealth) snapshot(now time.Time) []records.DeviceStatus {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []records.DeviceStatus
	for _, d := range []string{"doc", "rfid", "rpm", "lpr"} {
		out = append(out, records.DeviceStatus{Device: d, State: h.devices[d], LastFrame: now})
	}
	return out
}

// startDemoSupervisorPort runs the demo's port server and its simulated,
// reporting lanes, and returns this console's client (role supervisor)
// and a stop function that ends the lanes and the server.
func startDemoSupervisorPort(ctx context.Context, dir, workstation string, opts demoLaneOptions, logger *slog.Logger) (*replication.Client, func(), error) {
	return startDemoLanesPort(ctx, dir, workstation, "supervisor", opts, demoLaneReporting(opts, logger), logger)
}

// demoLaneReporting makes each simulated lane report like a real booth: a
// reporter sending its heartbeat, and its journal.
func demoLaneReporting(opts demoLaneOptions, logger *slog.Logger) demoLaneExtra {
	return func(i int, l *demoLane, client *replication.Client) ([]func(context.Context), error) {
		health := &demoLaneHealth{devices: map[string]string{"doc": "connected", "rfid": "connected", "rpm": "connected", "lpr": "connected"}}
		rep, err := replication.NewReporter(replication.ReporterConfig{Store: l.store, Client: client, Logger: logger,
			Heartbeat: func(ctx context.Context) records.Heartbeat { return demoHeartbeat(ctx, l, health) }})
		if err != nil {
			return nil, fmt.Errorf("demo lane %s reporter: %w", l.lane, err)
		}
		jrng := rand.New(rand.NewPCG(opts.Seed, uint64(100+i)))
		return []func(context.Context){
			func(ctx context.Context) { _ = rep.Run(ctx) },
			func(ctx context.Context) { demoJournal(ctx, l, health, rep.Notify, jrng, opts) },
		}, nil
	}
}

// demoHeartbeat is a simulated lane's heartbeat: its officer always signed
// in, the lane's state from its own open crossings, its device health.
func demoHeartbeat(ctx context.Context, l *demoLane, health *demoLaneHealth) records.Heartbeat {
	now := time.Now().UTC()
	hb := records.Heartbeat{Port: "2608", Lane: l.lane, Mode: records.ModeVehicle, Officer: l.officer,
		State: records.LaneIdle, Devices: health.snapshot(now), At: now}
	cs, err := l.store.DashboardCrossings(ctx, now.Add(-records.VehicleAtBoothWindow), 100)
	if err == nil {
		hb.State, hb.CrossingID, hb.StateSince = records.LaneStateOf(l.lane, cs, now)
	}
	return hb
}

// demoJournal writes a simulated lane's journal: every half minute or so
// an RPM background alarm, a tamper raised and cleared, an extended
// occupancy, or a device unplugged and plugged back a few seconds later.
// The first comes within seconds.
func demoJournal(ctx context.Context, l *demoLane, health *demoLaneHealth, notify func(), rng *rand.Rand, opts demoLaneOptions) {
	gap := opts.Fast * 3
	for {
		if !sleepCtx(ctx, jitter(rng, gap)) {
			return
		}
		gap = opts.Slow
		now := time.Now().UTC()
		e := records.JournalEntry{Port: "2608", Lane: l.lane, Officer: l.officer, At: now}
		var after *records.JournalEntry
		switch rng.IntN(5) {
		case 0:
			e.Kind, e.Code = records.JournalRPMFault, []string{"GH", "GL", "NH"}[rng.IntN(3)]
		case 1:
			e.Kind, e.Active = records.JournalRPMTamper, true
			after = &records.JournalEntry{Port: "2608", Lane: l.lane, Officer: l.officer, Kind: records.JournalRPMTamper}
		case 2:
			e.Kind, e.Detail = records.JournalExtendedOccupancy, "occupancy not closed by the monitor"
		default:
			dev := []string{"rpm", "lpr", "rfid", "doc"}[rng.IntN(4)]
			e.Kind, e.Device, e.Detail = records.JournalDeviceDisconnected, dev, "demo: cable unplugged"
			health.set(dev, "disconnected")
			after = &records.JournalEntry{Port: "2608", Lane: l.lane, Officer: l.officer, Kind: records.JournalDeviceConnected, Device: dev}
		}
		if _, err := l.store.AppendJournal(ctx, e); err != nil {
			if ctx.Err() != nil {
				return
			}
			l.log.Error("demo lane journal", "lane", l.lane, "err", err)
			continue
		}
		notify()
		if after == nil {
			continue
		}
		if !sleepCtx(ctx, 5*time.Second+jitter(rng, 5*time.Second)) {
			return
		}
		after.At = time.Now().UTC()
		if after.Device != "" {
			health.set(after.Device, "connected")
		}
		if _, err := l.store.AppendJournal(ctx, *after); err != nil && ctx.Err() == nil {
			l.log.Error("demo lane journal", "lane", l.lane, "err", err)
		}
		notify()
	}
}
