package powerloss

import (
	"fmt"
	"maps"
	"slices"
)

// Stored names one event: its origin and its number in the origin's
// sequence.
type Stored struct {
	Origin string
	Seq    int64
}

// Ledger is what the writers were told across the cycles of one database:
// every event whose Append (or Ingest) returned, and the acknowledgements
// they made, plus every event a check has already found after a cut (it
// was durable then, so it must stay).
type Ledger struct {
	Acked     map[string]Stored // event id -> as acknowledged to the writer
	OutboxAck int64             // booth: highest AckOutbox that returned
	HWM       map[string]int64  // server: highest Acked per origin Ingest returned
	Seen      map[string]Stored // found by an earlier check
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger {
	return &Ledger{Acked: map[string]Stored{}, HWM: map[string]int64{}, Seen: map[string]Stored{}}
}

// Snapshot is what the database held after a cut, as the checker child
// reported it.
type Snapshot struct {
	Integrity string            // PRAGMA integrity_check
	Events    map[string]Stored // every event of the checked origins
	// Booth only.
	Booth       bool
	Outbox      []int64 // origin_seq of each outbox row, in order
	OutboxAcked int64
	// Server only: the high-water mark per origin.
	HWM map[string]int64
}

// Check compares a snapshot with the ledger and returns every violation:
// integrity, a lost acknowledged or previously durable event, a sequence
// gap or duplicate, an outbox that is not exactly the unacknowledged tail,
// a high-water mark that moved back or disagrees with the events.
func Check(l *Ledger, s *Snapshot) []string {
	var out []string
	if s.Integrity != "ok" {
		out = append(out, fmt.Sprintf("integrity_check = %q", s.Integrity))
	}
	lost := 0
	for _, id := range slices.Sorted(maps.Keys(l.Acked)) {
		want := l.Acked[id]
		got, ok := s.Events[id]
		switch {
		case !ok:
			lost++
			if lost <= 5 {
				out = append(out, fmt.Sprintf("acknowledged event %s (%s #%d) lost", id, want.Origin, want.Seq))
			}
		case got != want:
			out = append(out, fmt.Sprintf("acknowledged event %s was %s #%d, now %s #%d", id, want.Origin, want.Seq, got.Origin, got.Seq))
		}
	}
	if lost > 5 {
		out = append(out, fmt.Sprintf("... %d acknowledged events lost in all", lost))
	}
	vanished := 0
	for id, want := range l.Seen {
		if _, acked := l.Acked[id]; acked {
			continue // reported above
		}
		if got, ok := s.Events[id]; !ok || got != want {
			vanished++
		}
	}
	if vanished > 0 {
		out = append(out, fmt.Sprintf("%d events found durable by an earlier check are gone", vanished))
	}

	// Each origin's sequence: exactly 1..max, one event per number.
	bySeq := map[string]map[int64]string{}
	for id, st := range s.Events {
		m := bySeq[st.Origin]
		if m == nil {
			m = map[int64]string{}
			bySeq[st.Origin] = m
		}
		if other, dup := m[st.Seq]; dup {
			out = append(out, fmt.Sprintf("%s #%d held twice: %s and %s", st.Origin, st.Seq, other, id))
		}
		m[st.Seq] = id
	}
	maxSeq := map[string]int64{}
	for _, origin := range slices.Sorted(maps.Keys(bySeq)) {
		m := bySeq[origin]
		var hi int64
		for seq := range m {
			hi = max(hi, seq)
		}
		maxSeq[origin] = hi
		if int64(len(m)) != hi {
			missing := []int64{}
			for seq := int64(1); seq <= hi && len(missing) < 5; seq++ {
				if _, ok := m[seq]; !ok {
					missing = append(missing, seq)
				}
			}
			out = append(out, fmt.Sprintf("%s: %d events up to #%d, gaps at %v", origin, len(m), hi, missing))
		}
	}

	if s.Booth {
		if s.OutboxAcked < l.OutboxAck {
			out = append(out, fmt.Sprintf("outbox ack went back: %d acknowledged, %d stored", l.OutboxAck, s.OutboxAcked))
		}
		var hi int64
		for _, v := range maxSeq { // the booth checks its own origin only
			hi = max(hi, v)
		}
		if !outboxIsTail(s.Outbox, s.OutboxAcked, hi) {
			out = append(out, fmt.Sprintf("outbox %s is not exactly #%d..#%d (acked %d)", short(s.Outbox), s.OutboxAcked+1, hi, s.OutboxAcked))
		}
	} else {
		for _, origin := range slices.Sorted(maps.Keys(l.HWM)) {
			if s.HWM[origin] < l.HWM[origin] {
				out = append(out, fmt.Sprintf("%s: high-water mark went back from acknowledged %d to %d", origin, l.HWM[origin], s.HWM[origin]))
			}
		}
		for _, origin := range slices.Sorted(maps.Keys(s.HWM)) {
			if s.HWM[origin] != maxSeq[origin] {
				out = append(out, fmt.Sprintf("%s: high-water mark %d but events up to #%d", origin, s.HWM[origin], maxSeq[origin]))
			}
		}
		for origin, hi := range maxSeq {
			if _, ok := s.HWM[origin]; !ok && hi > 0 {
				out = append(out, fmt.Sprintf("%s: %d events but no high-water mark", origin, hi))
			}
		}
	}
	return out
}

// outboxIsTail reports whether outbox is exactly acked+1..hi in order.
func outboxIsTail(outbox []int64, acked, hi int64) bool {
	if int64(len(outbox)) != max(hi-acked, 0) {
		return false
	}
	for i, seq := range outbox {
		if seq != acked+1+int64(i) {
			return false
		}
	}
	return true
}

func short(seqs []int64) string {
	if len(seqs) <= 6 {
		return fmt.Sprint(seqs)
	}
	return fmt.Sprintf("[%d %d %d ... %d %d] (%d rows)", seqs[0], seqs[1], seqs[2], seqs[len(seqs)-2], seqs[len(seqs)-1], len(seqs))
}

// Remember adds what a check found to the ledger's durable set.
func (l *Ledger) Remember(s *Snapshot) {
	maps.Copy(l.Seen, s.Events)
}

// LostAcked counts the acknowledged events missing from s.
func LostAcked(l *Ledger, s *Snapshot) int {
	n := 0
	for id := range l.Acked {
		if _, ok := s.Events[id]; !ok {
			n++
		}
	}
	return n
}

// Rebase accepts s as the new truth after its violations were reported:
// what s holds becomes the durable set and the lost acknowledgements are
// forgotten, so one loss is reported once and later cycles test afresh.
func (l *Ledger) Rebase(s *Snapshot) {
	l.Acked = map[string]Stored{}
	l.Seen = maps.Clone(s.Events)
	if s.Booth {
		l.OutboxAck = s.OutboxAcked
	}
	l.HWM = maps.Clone(s.HWM)
	if l.HWM == nil {
		l.HWM = map[string]int64{}
	}
}
