package sqlitestore

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/records/mrz"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// openTest opens a writable store in a fresh temp dir.
func openTest(t testing.TB) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "booth.db"), Options{Origin: "WS-TEST"})
}

func openAt(t testing.TB, path string, opts Options) *Store {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	s, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func mustEvent(t testing.TB, crossingID string, p records.Payload, at time.Time, officer string) records.Event {
	t.Helper()
	e, err := records.NewEvent(crossingID, p, at, officer)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// opening is the crossing.opened event of crossing cid at at (a local
// event: the store refuses a crossing's other local events before it).
func opening(t testing.TB, cid string, at time.Time) records.Event {
	t.Helper()
	return mustEvent(t, cid, records.CrossingOpened{Port: "2504", Lane: "V01", Mode: records.ModeVehicle, Trigger: "manual"}, at, "")
}

// openCrossing appends the opening of crossing cid.
func openCrossing(t testing.TB, s *Store, cid string) records.Event {
	t.Helper()
	out, err := s.Append(context.Background(), opening(t, cid, t0))
	if err != nil {
		t.Fatalf("open crossing %s: %v", cid, err)
	}
	return out[0]
}

// traveller is a hand-made test subject.
type traveller struct {
	surname, given, birth, country, number string
}

func passportRead(tr traveller) records.DocumentRead {
	return records.DocumentRead{Raw: []string{"P<" + tr.country + tr.surname}, MRZ: mrz.Result{
		Format: mrz.TD3, Valid: true, DocumentCode: "P", IssuingState: tr.country, IssuingStateISO: tr.country,
		DocumentNumber: tr.number, Nationality: tr.country, NationalityISO: tr.country, BirthDate: tr.birth,
		Sex: "F", ExpiryDate: "2031-01-01", Surname: tr.surname, GivenNames: tr.given,
	}}
}

// vehicleCrossing builds a full vehicle crossing: opened, plate, an RFID card
// for the first traveller (when epc is set), everyone's passport, a determination and
// close. refer sends it to secondary instead (left open there).
func vehicleCrossing(t testing.TB, at time.Time, lane, region, plate, epc string, refer bool, trs ...traveller) []records.Event {
	t.Helper()
	cid := records.NewID()
	evs := []records.Event{
		mustEvent(t, cid, records.CrossingOpened{Port: "2504", Lane: lane, Mode: records.ModeVehicle, Trigger: "plate"}, at, ""),
		mustEvent(t, cid, records.PlateRead{Plate: plate, Region: region, Confidence: 91}, at.Add(time.Second), ""),
	}
	for i, tr := range trs {
		if i == 0 && epc != "" {
			evs = append(evs, mustEvent(t, cid, records.RFIDRead{EPC: epc, Antenna: 1, RSSI: -50, Enrollment: &records.Enrollment{
				Program: "SENTRI", TravelerID: "T-" + tr.number, Surname: tr.surname, GivenNames: tr.given, BirthDate: tr.birth,
				Document: records.DocumentRef{Type: "SENTRI", Country: "USA", Number: "9" + tr.number},
			}}, at.Add(2*time.Second), ""))
		}
		evs = append(evs, mustEvent(t, cid, passportRead(tr), at.Add(time.Duration(3+i)*time.Second), "B1234"))
	}
	end := at.Add(30 * time.Second)
	if refer {
		evs = append(evs, mustEvent(t, cid, records.Referred{Reasons: []string{records.ReasonRandom}}, end, "B1234"))
	} else {
		evs = append(evs,
			mustEvent(t, cid, records.Determination{Outcome: records.OutcomeAdmitted}, end, "B1234"),
			mustEvent(t, cid, records.CrossingClosed{}, end.Add(time.Second), "B1234"))
	}
	return evs
}
