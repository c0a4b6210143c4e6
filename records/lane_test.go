package records

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

func newTestLane(t *testing.T, mode Mode) *Lane {
	t.Helper()
	n := 0
	l, err := NewLane(mode, DefaultLaneRules(), func() string { n++; return fmt.Sprintf("c%d", n) })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLaneVehicleCorrelation(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	tag := func(s float64, epc string) Observation { return Observation{Kind: ObserveTag, At: at(s), EPC: epc} }
	rpm := func(s float64) Observation { return Observation{Kind: ObserveOccupancy, At: at(s)} }
	plate := func(s float64) Observation { return Observation{Kind: ObservePlate, At: at(s)} }
	doc := func(s float64) Observation { return Observation{Kind: ObserveDocument, At: at(s)} }

	type step struct {
		obs     Observation
		want    Assignment
		current string
		queue   []string
		next    bool // officer finishes the current vehicle before this step
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"two cards in one burst are one vehicle, rpm and plate attach to it", []step{
			{obs: tag(0, "A"), want: Assignment{CrossingID: "c1", Open: true, Trigger: "rfid"}, current: "c1"},
			{obs: tag(1.5, "B"), want: Assignment{CrossingID: "c1"}, current: "c1"},
			{obs: tag(2, "A"), want: Assignment{CrossingID: "c1", Duplicate: true}, current: "c1"},
			{obs: rpm(8), want: Assignment{CrossingID: "c1"}, current: "c1"},
			{obs: plate(12), want: Assignment{CrossingID: "c1"}, current: "c1"},
			{obs: doc(30), want: Assignment{CrossingID: "c1"}, current: "c1"},
		}},
		{"a card read after the burst is the next vehicle, queued behind the booth", []step{
			{obs: tag(0, "A"), want: Assignment{CrossingID: "c1", Open: true, Trigger: "rfid"}, current: "c1"},
			{obs: tag(20, "C"), want: Assignment{CrossingID: "c2", Open: true, Trigger: "rfid"}, current: "c1", queue: []string{"c2"}},
			{obs: rpm(24), want: Assignment{CrossingID: "c1"}, current: "c1", queue: []string{"c2"}},
			{obs: rpm(30), want: Assignment{CrossingID: "c2"}, current: "c1", queue: []string{"c2"}},
			{obs: plate(31), want: Assignment{CrossingID: "c1"}, current: "c1", queue: []string{"c2"}},
			{next: true, obs: plate(60), want: Assignment{CrossingID: "c2"}, current: "c2"},
		}},
		{"a vehicle without cards is opened by the portal, then takes its plate", []step{
			{obs: rpm(0), want: Assignment{CrossingID: "c1", Open: true, Trigger: "rpm"}, current: "c1"},
			{obs: plate(5), want: Assignment{CrossingID: "c1"}, current: "c1"},
			{obs: rpm(40), want: Assignment{CrossingID: "c2", Open: true, Trigger: "rpm"}, current: "c1", queue: []string{"c2"}},
		}},
		{"a plate read too long after a vehicle was seen opens a new one", []step{
			{obs: tag(0, "A"), want: Assignment{CrossingID: "c1", Open: true, Trigger: "rfid"}, current: "c1"},
			{obs: plate(200), want: Assignment{CrossingID: "c2", Open: true, Trigger: "plate"}, current: "c1", queue: []string{"c2"}},
		}},
		{"a document at an idle booth takes the first approaching vehicle", []step{
			{obs: tag(0, "A"), want: Assignment{CrossingID: "c1", Open: true, Trigger: "rfid"}, current: "c1"},
			{obs: tag(10, "B"), want: Assignment{CrossingID: "c2", Open: true, Trigger: "rfid"}, current: "c1", queue: []string{"c2"}},
			{next: true, obs: doc(40), want: Assignment{CrossingID: "c2"}, current: "c2"},
			{next: true, obs: doc(80), want: Assignment{CrossingID: "c3", Open: true, Trigger: "document"}, current: "c3"},
		}},
		{"the queue holds at most MaxQueue approaching vehicles", []step{
			{obs: tag(0, "A"), want: Assignment{CrossingID: "c1", Open: true, Trigger: "rfid"}, current: "c1"},
			{obs: tag(10, "B"), want: Assignment{CrossingID: "c2", Open: true, Trigger: "rfid"}, current: "c1", queue: []string{"c2"}},
			{obs: tag(20, "C"), want: Assignment{CrossingID: "c3", Open: true, Trigger: "rfid"}, current: "c1", queue: []string{"c2", "c3"}},
			{obs: tag(30, "D"), want: Assignment{CrossingID: "c4", Open: true, Trigger: "rfid"}, current: "c1", queue: []string{"c2", "c3", "c4"}},
			{obs: tag(40, "E"), want: Assignment{CrossingID: "c5", Open: true, Trigger: "rfid"}, current: "c1", queue: []string{"c2", "c3", "c4", "c5"}},
			{obs: tag(50, "F"), want: Assignment{CrossingID: "c6", Open: true, Trigger: "rfid", Evicted: []string{"c2"}}, current: "c1", queue: []string{"c3", "c4", "c5", "c6"}},
		}},
		{"stale approaching vehicles are dropped", []step{
			{obs: tag(0, "A"), want: Assignment{CrossingID: "c1", Open: true, Trigger: "rfid"}, current: "c1"},
			{obs: tag(10, "B"), want: Assignment{CrossingID: "c2", Open: true, Trigger: "rfid"}, current: "c1", queue: []string{"c2"}},
			{obs: tag(20*60, "C"), want: Assignment{CrossingID: "c3", Open: true, Trigger: "rfid", Evicted: []string{"c2"}}, current: "c1", queue: []string{"c3"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTestLane(t, ModeVehicle)
			for i, s := range tt.steps {
				if s.next {
					l.Next()
				}
				got := l.Observe(s.obs)
				if !reflect.DeepEqual(got, s.want) {
					t.Fatalf("step %d (%s at %s): got %+v, want %+v", i, s.obs.Kind, s.obs.At.Sub(t0), got, s.want)
				}
				if l.Current() != s.current {
					t.Fatalf("step %d: current %q, want %q", i, l.Current(), s.current)
				}
				if q := l.Queue(); len(q) != len(s.queue) || (len(q) > 0 && !reflect.DeepEqual(q, s.queue)) {
					t.Fatalf("step %d: queue %v, want %v", i, q, s.queue)
				}
			}
		})
	}
}

func TestLanePedestrian(t *testing.T) {
	l := newTestLane(t, ModePedestrian)
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	a := l.Observe(Observation{Kind: ObserveDocument, At: t0})
	if !a.Open || a.Trigger != "document" || a.CrossingID != "c1" {
		t.Fatalf("first read: %+v", a)
	}
	if a := l.Observe(Observation{Kind: ObserveTag, At: t0.Add(time.Second), EPC: "X"}); a.Open || a.CrossingID != "c1" {
		t.Fatalf("tag at the counter: %+v", a)
	}
	if a := l.Observe(Observation{Kind: ObserveTag, At: t0.Add(2 * time.Second), EPC: "X"}); !a.Duplicate {
		t.Fatalf("same card again: %+v", a)
	}
	if l.Next() != "" {
		t.Fatal("pedestrian lane has no queue")
	}
	if a := l.Observe(Observation{Kind: ObserveTag, At: t0.Add(time.Minute), EPC: "X"}); !a.Open || a.CrossingID != "c2" {
		t.Fatalf("next traveller: %+v", a)
	}
}

func TestLaneAdopt(t *testing.T) {
	l := newTestLane(t, ModeVehicle)
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	l.Observe(Observation{Kind: ObserveTag, At: t0, EPC: "A"})
	l.Observe(Observation{Kind: ObserveTag, At: t0.Add(30 * time.Second), EPC: "B"})
	l.Adopt("c2", t0.Add(40*time.Second))
	if l.Current() != "c2" || len(l.Queue()) != 0 {
		t.Fatalf("adopt queued: current %q queue %v", l.Current(), l.Queue())
	}
	l.Adopt("manual", t0.Add(50*time.Second))
	if l.Current() != "manual" {
		t.Fatalf("adopt new: current %q", l.Current())
	}
}

func TestLaneAbandon(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tag := func(s int, epc string) Observation {
		return Observation{Kind: ObserveTag, At: t0.Add(time.Duration(s) * time.Second), EPC: epc}
	}
	tests := []struct {
		name     string
		abandon  string
		tracked  bool
		current  string
		queue    []string
		then     Observation
		thenWant Assignment
	}{
		// c1 at the booth, c2 and c3 approaching.
		{"the vehicle at the booth", "c1", true, "", []string{"c2", "c3"},
			// Its card read again opens a new crossing: the lane forgot it.
			tag(45, "A"), Assignment{CrossingID: "c4", Open: true, Trigger: "rfid"}},
		{"a queued vehicle", "c2", true, "c1", []string{"c3"},
			tag(45, "B"), Assignment{CrossingID: "c4", Open: true, Trigger: "rfid"}},
		{"the newest queued vehicle", "c3", true, "c1", []string{"c2"},
			tag(45, "C"), Assignment{CrossingID: "c4", Open: true, Trigger: "rfid"}},
		{"an unknown crossing changes nothing", "zz", false, "c1", []string{"c2", "c3"},
			tag(45, "A"), Assignment{CrossingID: "c1", Duplicate: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTestLane(t, ModeVehicle)
			l.Observe(tag(0, "A"))
			l.Observe(tag(20, "B"))
			l.Observe(tag(40, "C"))
			if got := l.Abandon(tt.abandon); got != tt.tracked {
				t.Fatalf("Abandon(%s) = %v, want %v", tt.abandon, got, tt.tracked)
			}
			if l.Current() != tt.current || !reflect.DeepEqual(l.Queue(), tt.queue) {
				t.Fatalf("after abandon: current %q queue %v, want %q %v", l.Current(), l.Queue(), tt.current, tt.queue)
			}
			if a := l.Observe(tt.then); !reflect.DeepEqual(a, tt.thenWant) {
				t.Fatalf("next observation: %+v, want %+v", a, tt.thenWant)
			}
		})
	}
	// A pedestrian abandoned at the counter frees it for the next one.
	l := newTestLane(t, ModePedestrian)
	l.Observe(Observation{Kind: ObserveDocument, At: t0})
	l.Abandon("c1")
	if a := l.Observe(Observation{Kind: ObserveDocument, At: t0.Add(time.Second)}); !a.Open || a.CrossingID != "c2" {
		t.Fatalf("after abandon at the counter: %+v", a)
	}
}

func TestOpeningEventIsFixed(t *testing.T) {
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	a := Assignment{CrossingID: "c1", Open: true, Trigger: "plate"}
	ev, err := OpeningEvent(a, CrossingOpened{Port: "2608", Lane: "V01", Mode: ModeVehicle}, at)
	if err != nil || ev.Kind != KindCrossingOpened || ev.CrossingID != "c1" || ev.ID == "" {
		t.Fatalf("opening %+v %v", ev, err)
	}
	p, _ := ev.Decode()
	if o := p.(*CrossingOpened); o.Trigger != "plate" || o.Port != "2608" || o.Lane != "V01" || o.Mode != ModeVehicle {
		t.Fatalf("payload %+v", o)
	}
	if _, err := OpeningEvent(Assignment{CrossingID: "c1"}, CrossingOpened{}, at); err == nil {
		t.Fatal("an assignment that opens nothing gave an opening")
	}
}

func TestLaneRulesValidate(t *testing.T) {
	bad := []LaneRules{
		{TagGroup: 0, AttachWindow: time.Second, MaxQueue: 1, StaleAfter: time.Minute},
		{TagGroup: time.Second, AttachWindow: 0, MaxQueue: 1, StaleAfter: time.Minute},
		{TagGroup: time.Second, AttachWindow: time.Second, MaxQueue: 0, StaleAfter: time.Minute},
		{TagGroup: time.Second, AttachWindow: time.Hour, MaxQueue: 1, StaleAfter: time.Minute},
	}
	for i, r := range bad {
		if r.Validate() == nil {
			t.Errorf("rules %d: want error", i)
		}
	}
	if _, err := NewLane("boat", DefaultLaneRules(), nil); err == nil {
		t.Error("unknown mode accepted")
	}
}

func TestObservationEvents(t *testing.T) {
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	read := RFIDRead{EPC: "E200", Antenna: 1, RSSI: -50}
	o, ok := ObservationOf(read, at)
	if !ok || o.Kind != ObserveTag || o.EPC != "E200" {
		t.Fatalf("ObservationOf: %+v %v", o, ok)
	}
	if _, ok := ObservationOf(Note{Text: "x"}, at); ok {
		t.Fatal("a note is not a device observation")
	}
	evs, err := ObservationEvents(Assignment{CrossingID: "c1", Open: true, Trigger: "rfid"},
		CrossingOpened{Port: "2504", Lane: "L3", Mode: ModeVehicle}, read, at)
	if err != nil || len(evs) != 2 {
		t.Fatalf("open: %v %d", err, len(evs))
	}
	if evs[0].Kind != KindCrossingOpened || evs[1].Kind != KindRFIDRead || evs[0].CrossingID != "c1" {
		t.Fatalf("kinds %s %s", evs[0].Kind, evs[1].Kind)
	}
	p, err := evs[0].Decode()
	if err != nil || p.(*CrossingOpened).Trigger != "rfid" {
		t.Fatalf("opened payload %+v %v", p, err)
	}
	if evs, _ := ObservationEvents(Assignment{CrossingID: "c1", Duplicate: true}, CrossingOpened{}, read, at); len(evs) != 0 {
		t.Fatal("duplicate produced events")
	}
	if _, err := ObservationEvents(Assignment{}, CrossingOpened{}, read, at); err == nil {
		t.Fatal("no crossing accepted")
	}
}

// FuzzLane plays arbitrary observation sequences: the lane never panics,
// never tracks more than MaxQueue approaching vehicles, and every
// assignment names a crossing.
func FuzzLane(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 0, 0, 9, 4}, false)
	f.Add([]byte{3, 3, 3, 1, 1, 2, 2, 200, 0, 5}, true)
	f.Fuzz(func(t *testing.T, script []byte, pedestrian bool) {
		mode := ModeVehicle
		if pedestrian {
			mode = ModePedestrian
		}
		n := 0
		l, err := NewLane(mode, DefaultLaneRules(), func() string { n++; return fmt.Sprint("c", n) })
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		kinds := []ObservationKind{ObserveTag, ObserveOccupancy, ObservePlate, ObserveDocument}
		for i, b := range script {
			at = at.Add(time.Duration(b) * 300 * time.Millisecond)
			if b%17 == 0 {
				l.Next()
				continue
			}
			o := Observation{Kind: kinds[int(b)%len(kinds)], At: at, EPC: fmt.Sprint("E", b%5)}
			a := l.Observe(o)
			if a.CrossingID == "" {
				t.Fatalf("step %d: no crossing for %+v", i, o)
			}
			if len(l.Queue()) > DefaultLaneRules().MaxQueue {
				t.Fatalf("step %d: queue of %d", i, len(l.Queue()))
			}
		}
	})
}
