package powerloss

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// The port server's side. Every use of the server's ingest API is in this
// file, so it is the one to change if that API moves.

// serverBooths are the workstations whose batches the server ingests.
var serverBooths = []string{"WS-B1", "WS-B2", "WS-B3"}

// boothStream makes one workstation's events in sequence: crossings that
// open with crossing.opened, then a plate read and notes.
type boothStream struct {
	origin   string
	next     int64 // origin_seq of the next new event
	crossing string
	left     int // events of the current crossing still to come
	last     []records.Event
}

func (b *boothStream) batch(rng *rand.Rand, n int) []records.Event {
	now := time.Now().UTC()
	evs := make([]records.Event, 0, n)
	for range n {
		var p records.Payload
		switch {
		case b.left == 0:
			b.crossing, b.left = records.NewID(), 2+rng.IntN(6)
			p = records.CrossingOpened{Port: "2608", Lane: "V01", Mode: records.ModeVehicle, Trigger: "rfid"}
		case rng.IntN(3) == 0:
			p = records.PlateRead{Plate: fmt.Sprintf("PL%05d", rng.IntN(100000)), Region: "TX", Confidence: 88}
		default:
			p = records.Note{Text: strings.Repeat("s", rng.IntN(2000))}
		}
		b.left--
		e := event(b.crossing, p, now)
		e.Origin, e.OriginSeq, e.RecordedAt = b.origin, b.next, now
		b.next++
		evs = append(evs, e)
	}
	return evs
}

// writeServer ingests batches of three booths until killed, several
// booths' batches in one group transaction as the server commits them,
// and now and then a batch again (a resend after a lost ack), which must
// come back as duplicates. For every applied event it prints
// "ack ID ORIGIN SEQ", then "hwm ORIGIN ACKED" once the commit returned.
func writeServer(ctx context.Context, path string, seed uint64, out *lineWriter) error {
	s, err := sqlitestore.Open(ctx, path, sqlitestore.Options{Origin: serverOrigin, Logger: quiet})
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	// Never closed: the process is killed.
	ws, err := s.Workstations(ctx)
	if err != nil {
		return fmt.Errorf("workstations: %w", err)
	}
	hwm := map[string]int64{}
	for _, w := range ws {
		hwm[w.Origin] = w.HighWater
	}
	streams := make([]*boothStream, len(serverBooths))
	for i, o := range serverBooths {
		streams[i] = &boothStream{origin: o, next: hwm[o] + 1}
	}
	out.printf("ready")
	rng := rand.New(rand.NewPCG(seed, 7))
	for {
		var (
			batches []sqlitestore.IngestBatch
			from    []*boothStream
			resent  []bool
		)
		for _, st := range streams {
			if rng.IntN(3) == 0 {
				continue
			}
			resend := st.last != nil && rng.IntN(8) == 0
			evs := st.last
			if !resend {
				evs = st.batch(rng, 1+rng.IntN(25))
			}
			batches = append(batches, sqlitestore.IngestBatch{Origin: st.origin, Role: "primary", Events: evs})
			from, resent = append(from, st), append(resent, resend)
		}
		if len(batches) == 0 {
			continue
		}
		outs, err := s.IngestGroup(ctx, batches)
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		for i, o := range outs {
			b := batches[i]
			if o.Err != nil {
				return fmt.Errorf("ingest batch of %s #%d..#%d: %w", b.Origin, b.Events[0].OriginSeq, b.Events[len(b.Events)-1].OriginSeq, o.Err)
			}
			if resent[i] {
				if o.Result.Duplicates != len(b.Events) || o.Result.Applied != 0 {
					return fmt.Errorf("resent batch of %s: %d applied, %d duplicates, want 0 and %d", b.Origin, o.Result.Applied, o.Result.Duplicates, len(b.Events))
				}
			} else if o.Result.Applied != len(b.Events) {
				return fmt.Errorf("batch of %s: %d of %d events applied", b.Origin, o.Result.Applied, len(b.Events))
			}
			for _, e := range b.Events {
				out.printf("ack %s %s %d", e.ID, e.Origin, e.OriginSeq)
			}
			out.printf("hwm %s %d", b.Origin, o.Result.Acked)
			from[i].last = b.Events
		}
	}
}

// serverState reads what the server holds: every booth's events and its
// high-water mark.
func serverState(ctx context.Context, s *sqlitestore.Store, out *lineWriter) error {
	ws, err := s.Workstations(ctx)
	if err != nil {
		return fmt.Errorf("workstations: %w", err)
	}
	for _, w := range ws {
		out.printf("hwm %s %d", w.Origin, w.HighWater)
	}
	for _, o := range serverBooths {
		if err := originEvents(ctx, s, o, out); err != nil {
			return err
		}
	}
	return nil
}

// originEvents prints every stored event of origin.
func originEvents(ctx context.Context, s *sqlitestore.Store, origin string, out *lineWriter) error {
	var after int64
	for {
		evs, err := s.OriginEvents(ctx, origin, after, 5000)
		if err != nil {
			return fmt.Errorf("events of %s after #%d: %w", origin, after, err)
		}
		if len(evs) == 0 {
			return nil
		}
		for _, e := range evs {
			out.printf("event %s %s %d", e.ID, e.Origin, e.OriginSeq)
			after = e.OriginSeq
		}
	}
}
