package replication

import (
	"errors"
	"sync"
	"time"
)

// State is the link's condition as the booth shows it.
type State string

// Link states.
const (
	// StateOnline: the last exchange in each direction succeeded.
	StateOnline State = "online"
	// StateOffline: the server cannot be reached (or has not been yet); the
	// booth works on and queues its events.
	StateOffline State = "offline"
	// StateError: the server answers but refuses something (an event of a
	// newer schema, a sequence conflict, a certificate it does not accept)
	// or the booth cannot apply what it received. Someone must look.
	StateError State = "error"
)

// Status is a snapshot of the link for the booth's screen.
type Status struct {
	State       State
	LastOK      time.Time // last successful exchange with the server
	LastError   string    // the latest failure, "" when none since the last success
	LastErrorAt time.Time
	// Backlog is how many local events wait for the server and
	// OldestUnsent when the oldest of them was recorded.
	Backlog      int
	OldestUnsent time.Time
	// FeedVersion is how far the port's feed has been applied.
	FeedVersion int64
	// HeldSeq is a local event the server holds: one it refuses and the
	// booth keeps queued, or else the first of this workstation's events
	// held in quarantine at the port (0 when none); HeldReason says why.
	HeldSeq    int64
	HeldReason string
	// Quarantined is how many of this workstation's events the port holds
	// in quarantine, as the latest acknowledgement or feed answer said.
	Quarantined int
}

// BacklogAge is how long the oldest unsent event has waited at now.
func (s Status) BacklogAge(now time.Time) time.Duration {
	if s.Backlog == 0 || s.OldestUnsent.IsZero() {
		return 0
	}
	return now.Sub(s.OldestUnsent)
}

// direction is the state of one half of the link.
type direction struct {
	active bool  // this half runs at all
	state  State // "" until its first exchange: not known yet
}

// statusBoard merges what the sender and the puller report and hands out
// snapshots. Subscribers get the latest snapshot; a slow one misses
// intermediate ones, never blocks the link.
type statusBoard struct {
	mu       sync.Mutex
	st       Status
	up, down direction
	subs     []chan Status
	// refused is a local event the server refuses (the sender keeps it
	// queued); quarantine is what the port said it holds of this
	// workstation's events, from the sender's acknowledgements and the
	// puller's feed answers alike, so an operator's decision clears the
	// header even when the booth has nothing to send.
	refused    heldNote
	quarantine heldNote
}

// heldNote is one reason the link shows an event as held.
type heldNote struct {
	seq    int64
	reason string
	count  int
}

func newStatusBoard() *statusBoard {
	return &statusBoard{st: Status{State: StateOffline}}
}

// Snapshot returns the current status.
func (b *statusBoard) Snapshot() Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.st
}

// Subscribe returns a channel that receives the status after each change;
// it is closed when done is closed.
func (b *statusBoard) Subscribe(done <-chan struct{}) <-chan Status {
	ch := make(chan Status, 1)
	b.mu.Lock()
	b.subs = append(b.subs, ch)
	ch <- b.st
	b.mu.Unlock()
	go func() {
		<-done
		b.mu.Lock()
		defer b.mu.Unlock()
		for i, c := range b.subs {
			if c == ch {
				b.subs = append(b.subs[:i], b.subs[i+1:]...)
				close(ch)
				break
			}
		}
	}()
	return ch
}

func (b *statusBoard) update(fn func(*Status)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	prev := b.st
	fn(&b.st)
	// The queue stuck at the booth is the more urgent of the two.
	b.st.HeldSeq, b.st.HeldReason = b.quarantine.seq, b.quarantine.reason
	if b.refused.seq > 0 {
		b.st.HeldSeq, b.st.HeldReason = b.refused.seq, b.refused.reason
	}
	b.st.Quarantined = b.quarantine.count
	b.st.State = b.merged()
	if b.st == prev {
		return
	}
	for _, ch := range b.subs {
		select {
		case <-ch: // drop the stale snapshot
		default:
		}
		ch <- b.st
	}
}

// merged is the link's state from its halves. A half that has not had an
// exchange yet says nothing: a secondary workstation's sender may have
// nothing to send for hours while its feed works, and its link is online.
// With no half heard from yet the link is offline.
func (b *statusBoard) merged() State {
	if b.quarantine.seq > 0 {
		// Stored at the port but held there: someone must decide.
		return StateError
	}
	known, offline := 0, false
	for _, d := range []direction{b.up, b.down} {
		if !d.active || d.state == "" {
			continue
		}
		known++
		switch d.state {
		case StateError:
			return StateError
		case StateOffline:
			offline = true
		}
	}
	if known == 0 || offline {
		return StateOffline
	}
	return StateOnline
}

func (b *statusBoard) activate(up bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := &b.down
	if up {
		d = &b.up
	}
	d.active, d.state = true, ""
}

// report records the outcome of one exchange in one direction. A
// certificate refused at the handshake is an error, not "offline": it does
// not pass by waiting, someone must issue or fix a certificate.
func (b *statusBoard) report(up bool, state State, err error) {
	if state == StateOffline && certRefused(err) {
		state, err = StateError, errors.New(certRefusedText(err))
	}
	b.update(func(s *Status) {
		d := &b.down
		if up {
			d = &b.up
		}
		d.state = state
		now := time.Now()
		if err == nil {
			s.LastOK = now
			if b.merged() == StateOnline {
				s.LastError = ""
			}
			return
		}
		if state != StateError && b.merged() == StateError && s.LastError != "" {
			// The other half's error is what the link shows: an
			// "offline" of this half must not replace its words.
			return
		}
		s.LastError, s.LastErrorAt = err.Error(), now
	})
}

// hold records a local event the server refuses (seq 0: none any more).
func (b *statusBoard) hold(seq int64, reason string) {
	if seq == 0 {
		reason = ""
	}
	b.update(func(*Status) { b.refused = heldNote{seq: seq, reason: reason} })
}

// quarantined records the port's list of this workstation's events held in
// quarantine (an empty list clears the notice) and reports whether that
// changed what the link shows.
func (b *statusBoard) quarantined(q []QuarantineNote) (changed bool) {
	seq, reason := quarantineHeld(q)
	b.update(func(*Status) {
		next := heldNote{seq: seq, reason: reason, count: len(q)}
		changed = next != b.quarantine
		b.quarantine = next
	})
	return changed
}
