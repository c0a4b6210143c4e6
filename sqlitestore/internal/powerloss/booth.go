package powerloss

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// boothWriters is how many goroutines append at once, so the store's group
// commit (several calls in one transaction and one fsync) is under test too.
const boothWriters = 3

// writeBooth appends crossings until killed: each crossing opens with
// crossing.opened and a plate read in one call, then takes notes of varied
// size, one or two per call. It prints "ack ID SEQ" for every event of a
// call as soon as Append returns, and now and then acknowledges part of the
// outbox as the sender would after the port server's ack ("outack N").
func writeBooth(ctx context.Context, path string, seed uint64, out *lineWriter) error {
	s, err := sqlitestore.Open(ctx, path, sqlitestore.Options{Origin: boothOrigin, Logger: quiet})
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	// Never closed: the process is killed.
	out.printf("ready")

	var (
		mu      sync.Mutex
		highest int64 // highest origin_seq acknowledged so far
		calls   int
	)
	errs := make(chan error, boothWriters)
	for w := range boothWriters {
		go func() {
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for n := 0; ; n++ {
				cid := records.NewID()
				at := time.Now()
				first := []records.Event{
					event(cid, records.CrossingOpened{Port: "2608", Lane: fmt.Sprintf("V%02d", w+1), Mode: records.ModeVehicle, Trigger: "plate"}, at),
					event(cid, records.PlateRead{Plate: fmt.Sprintf("PL%05d", rng.IntN(100000)), Region: "TX", Confidence: 90}, at),
				}
				calls := [][]records.Event{first}
				for range 1 + rng.IntN(5) {
					call := []records.Event{event(cid, records.Note{Text: strings.Repeat("n", rng.IntN(3000))}, at)}
					if rng.IntN(4) == 0 {
						call = append(call, event(cid, records.Note{Text: "pair"}, at))
					}
					calls = append(calls, call)
				}
				for _, call := range calls {
					stored, err := s.Append(ctx, call...)
					if err != nil {
						errs <- fmt.Errorf("append: %w", err)
						return
					}
					mu.Lock()
					for _, e := range stored {
						out.printf("ack %s %d", e.ID, e.OriginSeq)
						highest = max(highest, e.OriginSeq)
					}
					mu.Unlock()
				}
			}
		}()
	}
	// The sender's part: acknowledge all but the newest few now and then.
	go func() {
		for {
			time.Sleep(50 * time.Millisecond)
			mu.Lock()
			upTo := highest - 10
			calls++
			mu.Unlock()
			if upTo <= 0 || calls%3 != 0 {
				continue
			}
			if err := s.AckOutbox(ctx, upTo); err != nil {
				errs <- fmt.Errorf("ack outbox up to %d: %w", upTo, err)
				return
			}
			out.printf("outack %d", upTo)
		}
	}()
	return <-errs
}

// event builds an event or panics (the payloads here always encode).
func event(crossing string, p records.Payload, at time.Time) records.Event {
	e, err := records.NewEvent(crossing, p, at, "B1001")
	if err != nil {
		panic(err)
	}
	return e
}
