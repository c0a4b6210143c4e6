package synth

import (
	"reflect"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// TestGenerator: the population is a function of (n, seed); every crossing
// opens with its opening; each booth's numbering continues gap-free after
// the sequence it was given.
func TestGenerator(t *testing.T) {
	if !reflect.DeepEqual(Population(300, 7), Population(300, 7)) {
		t.Fatal("the same (n, seed) gave two populations")
	}
	if reflect.DeepEqual(Population(300, 7), Population(300, 8)) {
		t.Fatal("two seeds gave the same population")
	}
	end := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	var last [Booths]int64
	last[3] = 41
	g := New(200, 7, end, last)
	next := last
	crossings := 0
	for {
		evs, ok, err := g.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		crossings++
		if len(evs) == 0 || evs[0].Kind != records.KindCrossingOpened {
			t.Fatalf("crossing %d does not start with its opening: %+v", crossings, evs)
		}
		if c := records.Fold(evs); !c.Integrity.OpeningFirst() || c.Port == "" {
			t.Fatalf("crossing %d folds to %+v", crossings, c.Integrity)
		}
		for _, e := range evs {
			b := -1
			for i := range Booths {
				if Origin(i) == e.Origin {
					b = i
				}
			}
			if b < 0 || e.OriginSeq != next[b]+1 {
				t.Fatalf("event %s of %s #%d, want #%d", e.ID, e.Origin, e.OriginSeq, next[max(b, 0)]+1)
			}
			next[b]++
			if e.At.After(end) || e.At.Before(end.AddDate(-2, 0, -1)) {
				t.Fatalf("event at %v, outside the two years before %v", e.At, end)
			}
		}
	}
	if crossings != 200 {
		t.Errorf("%d crossings, want 200", crossings)
	}
}
