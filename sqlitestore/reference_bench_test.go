package sqlitestore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// BenchmarkReferenceCheck measures the reference look-ups a booth makes for
// one traveller and one plate while the vehicle waits, against datasets of
// 200,000 travellers, 200,000 enrollments and 50,000 lookouts. It reports the
// p99 of one full check (traveller + plate).
//
//	go test ./sqlitestore -run XXX -bench ReferenceCheck -benchtime 20000x
func BenchmarkReferenceCheck(b *testing.B) {
	const travelers, lookouts = 200_000, 50_000
	s := openOwnStore(b)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	var tr, rf, lk strings.Builder
	for i := range travelers {
		fmt.Fprintf(&tr, `{"id":"T%d","document":{"type":"P","country":"MEX","number":"G%08d"},"surname":"SURNAME%d","given_names":"GIVEN","birth_date":"1980-01-%02d","sex":"M","nationality":"MEX","citizenship":"MEX","status":"B1/B2","expiry_date":"2030-01-01"}`+"\n",
			i, i, i%5000, 1+i%28)
		fmt.Fprintf(&rf, `{"epc":"E2003411B8020115%08X","program":"SENTRI","traveler_id":"T%d","document":{"type":"SENTRI","country":"USA","number":"9%08d"},"vehicle_plates":["US-CA/P%06d"]}`+"\n", i, i, i, i)
	}
	for i := range lookouts {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&lk, `{"id":"L%d","by":"document","document":{"type":"P","country":"MEX","number":"G%08d"},"severity":"high","instruction":"Refer."}`+"\n", i, rng.IntN(travelers))
		case 1:
			fmt.Fprintf(&lk, `{"id":"L%d","by":"name_dob","surname":"SURNAME%d","given_names":"","birth_date":"1980-01-%02d","severity":"medium","instruction":"Verify."}`+"\n", i, rng.IntN(5000), 1+rng.IntN(28))
		default:
			fmt.Fprintf(&lk, `{"id":"L%d","by":"plate","plate":"US-CA/P%06d","severity":"low","instruction":"Check."}`+"\n", i, rng.IntN(travelers))
		}
	}
	for kind, data := range map[string]string{KindTravelers: tr.String(), KindRFID: rf.String(), KindLookouts: lk.String(), KindLostStolen: ""} {
		if _, err := s.ImportReference(ctx, kind, strings.NewReader(data), 1, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	now := time.Now()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		n := rng.IntN(travelers)
		start := time.Now()
		e, ok, err := s.EnrollmentByEPC(ctx, fmt.Sprintf("E2003411B8020115%08X", n))
		if err != nil || !ok {
			b.Fatalf("enrollment %d: %v %v", n, ok, err)
		}
		doc := records.DocumentRef{Type: "P", Country: "MEX", Number: fmt.Sprintf("G%08d", n)}
		if _, err := s.CheckTravelerReference(ctx, doc, "", e.Surname, e.GivenNames, e.BirthDate, now); err != nil {
			b.Fatal(err)
		}
		if _, err := s.CheckPlateReference(ctx, e.VehiclePlates[0]); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns/check")
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns/check")
	}
}
