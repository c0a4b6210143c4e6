package replication

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/portofentry/booth/records"
)

func TestGroupCommitKeepsEachBatchOutcome(t *testing.T) {
	server := openStore(t, "port-2604")
	g := &groupCommitter{store: server, maxGroup: 4}
	const booths, rounds = 12, 5
	var wg sync.WaitGroup
	errs := make(chan error, booths*rounds)
	for b := range booths {
		origin := fmt.Sprintf("booth-%d", b)
		all := syntheticEvents(t, origin, 1, rounds*10)
		wg.Go(func() {
			for r := range rounds {
				batch := all[r*10 : (r+1)*10]
				if b == 0 && r == 2 {
					batch = all[r*10+1 : (r+1)*10] // a gap for this one batch only
				}
				res, err := g.ingest(records.IngestBatch{Origin: origin, Events: batch})
				var gap *records.GapError
				switch {
				case b == 0 && r == 2:
					if !errors.As(err, &gap) || gap.Expected != 21 {
						errs <- fmt.Errorf("%s round %d: err = %v, want a gap expecting 21", origin, r, err)
					}
					// resend properly
					if res, err = g.ingest(records.IngestBatch{Origin: origin, Events: all[r*10 : (r+1)*10]}); err != nil || res.Acked != 30 {
						errs <- fmt.Errorf("%s resend: %+v, %v", origin, res, err)
					}
				case err != nil || res.Acked != int64((r+1)*10):
					errs <- fmt.Errorf("%s round %d: %+v, %v", origin, r, res, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ws, err := server.Workstations(t.Context())
	if err != nil || len(ws) != booths {
		t.Fatalf("workstations = %d, %v", len(ws), err)
	}
	for _, w := range ws {
		if w.HighWater != rounds*10 {
			t.Errorf("%s high-water %d", w.Origin, w.HighWater)
		}
	}
}
