package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

// TestSoak is the long version of TestReplicationSurvivesFaultsAndKills:
// three booths append for BOOTH_SOAK (e.g. "30m") while random faults hit
// the link — delay, ack loss, partitions, cut connections — and both the
// server and the booths are killed with SIGKILL now and then. At the end
// every booth drains and the server must hold exactly what each committed.
// Run it with scripts/replication-soak.sh.
func TestSoak(t *testing.T) {
	spec := os.Getenv("BOOTH_SOAK")
	if spec == "" {
		t.Skip("set BOOTH_SOAK=DURATION (scripts/replication-soak.sh) to run the soak test")
	}
	dur, err := time.ParseDuration(spec)
	if err != nil {
		t.Fatalf("BOOTH_SOAK=%q: %v", spec, err)
	}
	ids := []string{"booth-1", "booth-2", "booth-3"}
	r := newRig(t, ids...)
	long := fmt.Sprint(int(dur.Seconds()*200) + 1000)
	booths := map[string]*proc{}
	for _, id := range ids {
		booths[id] = r.booth(t, id, "--events", long, "--rate", "150", "--batch", "200")
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	end := time.Now().Add(dur)
	faults := map[string]int{}
	for time.Now().Before(end) {
		time.Sleep(time.Duration(500+rng.IntN(2500)) * time.Millisecond)
		switch f := rng.IntN(6); f {
		case 0:
			r.proxy.SetDelay(time.Duration(rng.IntN(200)) * time.Millisecond)
			faults["delay"]++
		case 1:
			r.proxy.DropResponses(1+rng.IntN(3), 2048)
			faults["ack-loss"]++
		case 2:
			r.proxy.Partition(true)
			time.Sleep(time.Duration(200+rng.IntN(3000)) * time.Millisecond)
			r.proxy.Partition(false)
			faults["partition"]++
		case 3:
			r.proxy.CutAll()
			faults["cut"]++
		case 4:
			r.restartServer(t)
			faults["kill-server"]++
		case 5:
			id := ids[rng.IntN(len(ids))]
			booths[id].kill()
			_ = booths[id].wait(t, 10*time.Second)
			booths[id] = r.booth(t, id, "--events", long, "--rate", "150", "--batch", "200")
			faults["kill-booth"]++
		}
	}
	r.proxy.SetDelay(0)
	r.proxy.Partition(false)
	for _, id := range ids {
		booths[id].kill()
		_ = booths[id].wait(t, 10*time.Second)
		booths[id] = r.booth(t, id, "--exit-when-drained")
	}
	for id, b := range booths {
		if err := b.wait(t, 5*time.Minute); err != nil {
			t.Fatalf("%s did not drain: %v\n%s", id, err, b.stderrText())
		}
	}
	r.stopServer(t)
	total := 0
	for _, id := range ids {
		total += assertExactlyOnce(t, r.dir, id)
	}
	t.Logf("soak %s: %d events from %d booths, exactly once; faults %v; proxy dropped %d acks, cut %d connections",
		dur, total, len(ids), faults, r.proxy.Dropped.Load(), r.proxy.Cut.Load())
}
