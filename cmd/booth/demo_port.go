package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
)

// `booth --demo --role secondary` needs referrals to work on: it runs the
// in-process port server and, beside it, simulated primary lanes. Each lane
// is a booth as the real one is (its own SQLite store, its outbox and a
// sender over mutual TLS to the port server) whose simulated officer admits
// clean vehicles and refers RPM alarms, lookout hits and random exams. The
// secondary workstation gets the referrals through the feed like any other.

// demoLanes are the simulated primary lanes (distinct from the seeded
// history's booths, whose sequences this workstation already holds).
var demoLanes = []string{"V11", "V12", "V13", "V14"}

// demoLaneOptions paces the simulated lanes.
type demoLaneOptions struct {
	// Burst vehicles per lane come Fast apart, so the queue fills within
	// seconds; later ones come Slow apart (each ± half).
	Burst      int
	Fast, Slow time.Duration
	// Decide is how long the simulated primary officer looks at a vehicle.
	Decide time.Duration
	Seed   uint64
}

func defaultDemoLaneOptions() demoLaneOptions {
	return demoLaneOptions{Burst: 5, Fast: 1500 * time.Millisecond, Slow: 40 * time.Second, Decide: 1500 * time.Millisecond, Seed: uint64(time.Now().UnixNano())}
}

// startDemoSecondaryPort runs the demo's port server and its simulated
// lanes, and returns this workstation's client (role secondary) and a stop
// function that ends the lanes and the server.
func startDemoSecondaryPort(ctx context.Context, dir, workstation string, opts demoLaneOptions, logger *slog.Logger) (*replication.Client, func(), error) {
	return startDemoLanesPort(ctx, dir, workstation, "secondary", opts, nil, logger)
}

// demoLaneExtra adds to simulated lane i what a demo role needs beside its
// sender (the supervisor's reporting); it returns what to run until the
// lanes stop, or an error that names the lane.
type demoLaneExtra func(i int, l *demoLane, client *replication.Client) ([]func(context.Context), error)

// startDemoLanesPort runs the demo's port server and its simulated primary
// lanes (each with its own store, a sender and whatever extra adds; nil
// adds nothing), and returns this workstation's client in role and a stop
// function that ends the lanes and the server.
func startDemoLanesPort(ctx context.Context, dir, workstation, role string, opts demoLaneOptions, extra demoLaneExtra, logger *slog.Logger) (*replication.Client, func(), error) {
	local, stopServer, err := openDemoPortServer(ctx, dir, logger)
	if err != nil {
		return nil, nil, err
	}
	lanesCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var closers []func()
	stop := func() {
		cancel()
		wg.Wait()
		for _, c := range closers {
			c()
		}
		stopServer()
	}
	travelers, cards, err := demoTravelers()
	if err != nil {
		stop()
		return nil, nil, err
	}
	for i, lane := range demoLanes {
		origin := "2608-" + lane
		st, err := sqlitestore.Open(ctx, filepath.Join(dir, "lane-"+lane+".db"), sqlitestore.Options{Origin: origin, Logger: logger})
		if err != nil {
			stop()
			return nil, nil, fmt.Errorf("demo lane %s: %w", lane, err)
		}
		closers = append(closers, func() { st.Close() })
		client, err := local.Client("primary", origin)
		if err != nil {
			stop()
			return nil, nil, fmt.Errorf("demo lane %s client: %w", lane, err)
		}
		snd, err := replication.NewSender(replication.SenderConfig{Store: st, Client: client, Logger: logger})
		if err != nil {
			stop()
			return nil, nil, fmt.Errorf("demo lane %s sender: %w", lane, err)
		}
		l := &demoLane{lane: lane, officer: fmt.Sprintf("A%04d", 2001+i), store: st, notify: snd.Notify,
			rng: rand.New(rand.NewPCG(opts.Seed, uint64(i))), travelers: travelers, cards: cards, opts: opts, log: logger}
		var more []func(context.Context)
		if extra != nil {
			if more, err = extra(i, l, client); err != nil {
				stop()
				return nil, nil, err
			}
		}
		wg.Go(func() { _ = snd.Run(lanesCtx) })
		wg.Go(func() { l.run(lanesCtx) })
		for _, run := range more {
			wg.Go(func() { run(lanesCtx) })
		}
	}
	client, err := local.Client(role, workstation)
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("demo port server client: %w", err)
	}
	return client, stop, nil
}

// demoTravelers reads the simulator's travellers and their cards.
func demoTravelers() ([]records.TravelerRecord, map[string]records.RFIDRecord, error) {
	travelers, err := readFixture(sqlitestore.ParseTravelerLine, "travelers.jsonl")
	if err != nil {
		return nil, nil, err
	}
	cards, err := readFixture(sqlitestore.ParseRFIDLine, "rfid.jsonl")
	if err != nil {
		return nil, nil, err
	}
	if len(travelers) == 0 {
		return nil, nil, errors.New("demo lanes: the simulator has no travellers")
	}
	byTraveler := map[string]records.RFIDRecord{}
	for _, c := range cards {
		byTraveler[c.TravelerID] = c
	}
	return travelers, byTraveler, nil
}

// demoLane is one simulated primary lane and its officer.
type demoLane struct {
	lane, officer string
	store         *sqlitestore.Store
	notify        func()
	rng           *rand.Rand
	travelers     []records.TravelerRecord
	cards         map[string]records.RFIDRecord
	opts          demoLaneOptions
	log           *slog.Logger
	occupancy     int
}

func (l *demoLane) run(ctx context.Context) {
	for n := 0; ; n++ {
		gap := l.opts.Slow
		if n < l.opts.Burst {
			gap = l.opts.Fast
		}
		if !sleepCtx(ctx, jitter(l.rng, gap)) {
			return
		}
		if err := l.vehicle(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			l.log.Error("demo lane", "lane", l.lane, "err", err)
		}
	}
}

// vehicle passes one vehicle through the lane: the devices' events, then
// the officer's decision a moment later.
func (l *demoLane) vehicle(ctx context.Context) error {
	now := time.Now().UTC()
	devices, decision, err := demoVehicle(l.rng, l.lane, l.officer, l.pick(), l.cards, l.nextOccupancy(), now, l.opts.Decide)
	if err != nil {
		return err
	}
	if _, err := l.store.Append(ctx, devices...); err != nil {
		return fmt.Errorf("vehicle at %s: %w", l.lane, err)
	}
	l.notify()
	if !sleepCtx(ctx, l.opts.Decide) {
		return nil
	}
	if _, err := l.store.Append(ctx, decision...); err != nil {
		return fmt.Errorf("decision at %s: %w", l.lane, err)
	}
	l.notify()
	return nil
}

func (l *demoLane) pick() records.TravelerRecord { return l.travelers[l.rng.IntN(len(l.travelers))] }

func (l *demoLane) nextOccupancy() int {
	l.occupancy++
	return l.occupancy
}

// demoVehicle builds the events of one vehicle at a primary lane: opening,
// card or passport, plate, RPM occupancy (an alarm now and then), reference
// check (a lookout hit now and then); and the officer's decision: refer an
// alarm or a hit (acknowledged first), refer a random exam, else admit and
// close. The decision is dated decide after the devices.
func demoVehicle(rng *rand.Rand, lane, officer string, t records.TravelerRecord, cards map[string]records.RFIDRecord, occupancy int, at time.Time, decide time.Duration) (devices, decision []records.Event, err error) {
	id := records.NewID()
	step := at
	add := func(dst *[]records.Event, officer string, p records.Payload) {
		if err != nil {
			return
		}
		var e records.Event
		e, err = records.NewEvent(id, p, step, officer)
		*dst = append(*dst, e)
		step = step.Add(150 * time.Millisecond)
	}
	card := cards[t.ID]
	trigger := "plate"
	if card.EPC != "" {
		trigger = "rfid"
	}
	add(&devices, "", records.CrossingOpened{Port: "2608", Lane: lane, Mode: records.ModeVehicle, Trigger: trigger})
	region, plate := "US-CA", fmt.Sprintf("%d%s%03d", 1+rng.IntN(9), strings.ToUpper(string(rune('A'+rng.IntN(26)))+string(rune('A'+rng.IntN(26)))+string(rune('A'+rng.IntN(26)))), rng.IntN(1000))
	if len(card.VehiclePlates) > 0 {
		region, plate, _ = strings.Cut(card.VehiclePlates[rng.IntN(len(card.VehiclePlates))], "/")
	}
	if card.EPC != "" {
		add(&devices, "", records.RFIDRead{EPC: card.EPC, Antenna: 1, RSSI: -50 - rng.IntN(15), Enrollment: &records.Enrollment{
			Program: card.Program, TravelerID: t.ID, Surname: t.Surname, GivenNames: t.GivenNames, BirthDate: t.BirthDate,
			Document: card.Document, VehiclePlates: card.VehiclePlates}})
	}
	add(&devices, "", records.PlateRead{Plate: plate, Region: region, Confidence: 80 + rng.Float64()*19})
	alarm := rng.IntN(6) == 0
	occ := records.RPMOccupancy{Occupancy: occupancy, Start: step, End: step.Add(4 * time.Second),
		MaxGamma: 380 + rng.IntN(60), BackgroundGamma: 370, Speed: 3 + rng.Float64()*3}
	if alarm {
		occ.GammaAlarm, occ.MaxGamma = true, 900+rng.IntN(2000)
		occ.NeutronAlarm = rng.IntN(10) == 0
	}
	add(&devices, "", occ)
	doc := t.Document
	if read, rerr := demoPassportRead(t, at); rerr == nil {
		add(&devices, "", read)
		doc = records.DocumentRef{Type: "P", Country: read.MRZ.IssuingStateISO, Number: read.MRZ.DocumentNumber}
	} else {
		// A fixture document no MRZ can carry (the simulator's bad
		// cases): the officer keys it in, as at a real booth.
		add(&devices, officer, records.DocumentKeyed{Reason: "MRZ unreadable", Fields: &records.KeyedFields{
			DocumentCode: "P", IssuingState: doc.Country, Number: doc.Number, Surname: t.Surname, GivenNames: t.GivenNames,
			Nationality: t.Nationality, BirthDate: t.BirthDate, Sex: t.Sex, ExpiryDate: t.ExpiryDate}})
	}
	check := records.ReferenceChecked{Subject: doc.Key(), TravelerID: t.ID, Citizenship: t.Citizenship, Status: t.Status}
	lookout := rng.IntN(8) == 0
	if lookout {
		check.Hits = []records.Hit{{ID: fmt.Sprintf("DEMO-LK-%04d", rng.IntN(10000)), Type: records.HitLookout, Severity: "high",
			Instruction: "Refer to secondary for a full inspection", Detail: "Demo lookout"}}
	}
	add(&devices, "", check)

	step = at.Add(decide)
	var reasons []string
	if alarm {
		add(&decision, officer, records.AlertAcknowledged{AlertID: "rpm:" + fmt.Sprint(occupancy)})
		reasons = append(reasons, records.ReasonRPMAlarm)
	}
	if lookout {
		add(&decision, officer, records.AlertAcknowledged{AlertID: "hit:lookout:" + check.Hits[0].ID + ":" + doc.Key()})
		reasons = append(reasons, records.ReasonLookout)
	}
	if len(reasons) == 0 && rng.IntN(7) == 0 {
		reasons = append(reasons, records.ReasonRandom)
	}
	if len(reasons) > 0 {
		add(&decision, officer, records.Referred{Reasons: reasons, Note: demoNotes[rng.IntN(len(demoNotes))]})
	} else {
		add(&decision, officer, records.Determination{Outcome: records.OutcomeAdmitted})
		add(&decision, officer, records.CrossingClosed{})
	}
	return devices, decision, err
}

// demoNotes are what simulated primary officers write with a referral.
var demoNotes = []string{
	"", "Driver nervous, story about trip inconsistent.", "Says he had a medical scan yesterday.",
	"Cargo area not visible, tinted windows.", "Travelling with a large amount of luggage for a day trip.",
}

func jitter(rng *rand.Rand, d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d/2 + time.Duration(rng.Int64N(int64(d)))
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
