package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/portofentry/booth/hardware/simulator"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/records/mrz"
	"github.com/portofentry/booth/sqlitestore"
)

// demoHistoryOrigins are the port's other booths the seeded history comes
// from, as if replicated down from the port server.
var demoHistoryOrigins = []string{"2608-V02", "2608-V04", "2608-V05", "2608-P01"}

// seedDemoHistory gives most fixture travellers a few past crossings at the
// port, so the history panel shows what an officer would see at a real
// booth. The events carry other booths' origins and sequences, so they are
// stored as replicated ones and never enter this booth's outbox.
func seedDemoHistory(ctx context.Context, st *sqlitestore.Store, now time.Time) error {
	travelers, err := readFixture(sqlitestore.ParseTravelerLine, "travelers.jsonl")
	if err != nil {
		return err
	}
	cards, err := readFixture(sqlitestore.ParseRFIDLine, "rfid.jsonl")
	if err != nil {
		return err
	}
	cardOf := map[string]records.RFIDRecord{}
	for _, c := range cards {
		cardOf[c.TravelerID] = c
	}
	rng := rand.New(rand.NewPCG(2608, 1))
	seq := map[string]int64{}
	var evs []records.Event
	for _, t := range travelers {
		// A third of the travellers are first-timers: "no prior crossings"
		// is a real answer too.
		n := rng.IntN(7) - 2
		for i := 0; i < n; i++ {
			origin := demoHistoryOrigins[rng.IntN(len(demoHistoryOrigins))]
			at := now.Add(-time.Duration(1+rng.IntN(364*24)) * time.Hour).Truncate(time.Minute)
			c, err := demoPastCrossing(rng, t, cardOf[t.ID], origin, at, now)
			if err != nil {
				return fmt.Errorf("demo history for %s: %w", t.ID, err)
			}
			for j := range c {
				seq[origin]++
				c[j].Origin, c[j].OriginSeq, c[j].RecordedAt = origin, seq[origin], c[j].At
			}
			evs = append(evs, c...)
		}
	}
	if _, err := st.Append(ctx, evs...); err != nil {
		return fmt.Errorf("demo history: %w", err)
	}
	return nil
}

// demoPastCrossing is one ordinary past crossing of t: through the vehicle
// lane on the enrolled card when there is one, else on foot with the
// passport; mostly admitted, sometimes after a secondary inspection.
func demoPastCrossing(rng *rand.Rand, t records.TravelerRecord, card records.RFIDRecord, origin string, at, now time.Time) ([]records.Event, error) {
	id := records.NewID()
	var evs []records.Event
	step := at
	add := func(officer string, p records.Payload) error {
		e, err := records.NewEvent(id, p, step, officer)
		if err != nil {
			return err
		}
		evs = append(evs, e)
		step = step.Add(time.Duration(5+rng.IntN(40)) * time.Second)
		return nil
	}
	officer := fmt.Sprintf("A%04d", 1000+rng.IntN(40))
	lane, mode := origin[len(origin)-3:], records.ModeVehicle
	if strings.HasPrefix(lane, "P") {
		mode = records.ModePedestrian
	}
	if err := add("", records.CrossingOpened{Port: "2608", Lane: lane, Mode: mode, Trigger: "rfid"}); err != nil {
		return nil, err
	}
	if card.EPC != "" && mode == records.ModeVehicle {
		en := &records.Enrollment{Program: card.Program, TravelerID: t.ID, Surname: t.Surname, GivenNames: t.GivenNames,
			BirthDate: t.BirthDate, Document: card.Document, VehiclePlates: card.VehiclePlates}
		if err := add("", records.RFIDRead{EPC: card.EPC, Antenna: 1 + rng.IntN(2), RSSI: -45 - rng.IntN(20), Enrollment: en}); err != nil {
			return nil, err
		}
		if len(card.VehiclePlates) > 0 {
			region, plate, _ := strings.Cut(card.VehiclePlates[rng.IntN(len(card.VehiclePlates))], "/")
			if err := add("", records.PlateRead{Plate: plate, Region: region, Confidence: 85 + rng.Float64()*14}); err != nil {
				return nil, err
			}
		}
		if err := add("", records.RPMOccupancy{Occupancy: 1000 + rng.IntN(9000), Start: step, End: step.Add(4 * time.Second),
			MaxGamma: 380 + rng.IntN(60), BackgroundGamma: 370, Speed: 3 + rng.Float64()*3}); err != nil {
			return nil, err
		}
	} else {
		read, err := demoPassportRead(t, at)
		if err != nil {
			return nil, err
		}
		if err := add("", read); err != nil {
			return nil, err
		}
	}
	if err := add("", records.ReferenceChecked{Subject: t.Document.Key(), TravelerID: t.ID, Citizenship: t.Citizenship, Status: t.Status}); err != nil {
		return nil, err
	}
	if rng.IntN(8) == 0 {
		if err := add(officer, records.Referred{Reasons: []string{records.ReasonRandom}}); err != nil {
			return nil, err
		}
		if err := add("S2001", records.SecondaryFinding{Category: "customs", Text: "Nothing found."}); err != nil {
			return nil, err
		}
		if err := add("S2001", records.Determination{Outcome: records.OutcomeReleased}); err != nil {
			return nil, err
		}
	} else if err := add(officer, records.Determination{Outcome: records.OutcomeAdmitted}); err != nil {
		return nil, err
	}
	return evs, add(officer, records.CrossingClosed{})
}

// demoPassportRead is the document reader's read of t's passport, parsed as
// the booth parsed it on the day.
func demoPassportRead(t records.TravelerRecord, at time.Time) (records.DocumentRead, error) {
	lines, err := simulator.BuildTD3(simulator.MRZFields{
		DocumentCode: "P", IssuingState: t.Document.Country, DocumentNumber: t.Document.Number,
		Surname: t.Surname, GivenNames: t.GivenNames, Nationality: t.Nationality,
		BirthDate: t.BirthDate, Sex: t.Sex, ExpiryDate: t.ExpiryDate,
	})
	if err != nil {
		return records.DocumentRead{}, err
	}
	r, err := mrz.ParseLines(lines, at)
	if err != nil {
		return records.DocumentRead{}, err
	}
	return records.DocumentRead{Raw: lines, MRZ: *r}, nil
}

// readFixture parses one of the simulator's reference fixtures.
func readFixture[T any](parse func([]byte) (T, error), name string) ([]T, error) {
	f, err := simulator.Fixtures().Open(name)
	if err != nil {
		return nil, fmt.Errorf("demo fixture %s: %w", name, err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		v, err := parse(sc.Bytes())
		if err != nil {
			return nil, fmt.Errorf("demo fixture %s line %d: %w", name, line, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("demo fixture %s: %w", name, err)
	}
	return out, nil
}
