package secondary

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// replay plays the open crossing's timeline back in event-time order: each
// event appears when as much time has passed since the first event as
// passed in the record, at 1× or 10×. Time is read from the shared clock at
// each tick, so a test that moves the clock controls the playback.
type replay struct {
	id      string
	gen     int
	entries []records.TimelineEntry
	speed   time.Duration // 1 or 10
	// The playback position is posBase plus the wall time since wallBase,
	// times speed.
	wallBase time.Time
	posBase  time.Duration
	pos      time.Duration
	shown    int
}

func (m *Model) startReplay() tea.Cmd {
	cs := m.open
	if cs == nil || len(cs.timeline) == 0 {
		m.status = Status{Text: "nothing to replay"}
		return nil
	}
	m.replay = &replay{id: cs.id, gen: m.nextGen(), entries: cs.timeline, speed: 1, wallBase: m.sh.Now()}
	m.screen = screenReplay
	return m.replay.advance(m.sh.Now(), m.after)
}

// offset is how long after the first event entry i happened.
func (r *replay) offset(i int) time.Duration {
	return r.entries[i].At.Sub(r.entries[0].At)
}

func (r *replay) total() time.Duration {
	if len(r.entries) == 0 {
		return 0
	}
	return r.offset(len(r.entries) - 1)
}

// advance reveals every event due at now and schedules the tick for the
// next one (at most a second away, so the position display moves).
func (r *replay) advance(now time.Time, after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd) tea.Cmd {
	r.pos = r.posBase + time.Duration(now.Sub(r.wallBase))*r.speed
	r.pos = min(r.pos, r.total())
	for r.shown < len(r.entries) && r.offset(r.shown) <= r.pos {
		r.shown++
	}
	if r.shown >= len(r.entries) {
		return nil
	}
	wait := (r.offset(r.shown) - r.pos) / r.speed
	wait = min(max(wait, 50*time.Millisecond), time.Second)
	gen := r.gen
	return after(wait, func(time.Time) tea.Msg { return replayTickMsg{gen: gen} })
}

// rebase keeps the position while the speed changes or the officer skips.
func (r *replay) rebase(now time.Time, pos time.Duration) {
	r.wallBase, r.posBase = now, pos
}

func (r *replay) done() bool { return r.shown >= len(r.entries) }

func (m *Model) replayKey(kp tea.KeyPressMsg) tea.Cmd {
	k := m.sh.Keys
	r := m.replay
	now := m.sh.Now()
	switch {
	case key.Matches(kp, k.Back):
		return m.perform(backAction{})
	case key.Matches(kp, k.Replay):
		return m.startReplay()
	case r == nil:
		return nil
	case key.Matches(kp, k.Toggle):
		r.advance(now, m.after)
		r.rebase(now, r.pos)
		if r.speed == 1 {
			r.speed = 10
		} else {
			r.speed = 1
		}
		r.gen = m.nextGen()
		return r.advance(now, m.after)
	case key.Matches(kp, k.NextField):
		if r.done() {
			return nil
		}
		r.rebase(now, r.offset(r.shown))
		r.gen = m.nextGen()
		return r.advance(now, m.after)
	}
	return nil
}

// nextGen numbers replay ticks so those of an earlier replay, speed or
// skip are ignored.
func (m *Model) nextGen() int {
	m.replayGen++
	return m.replayGen
}

func (m *Model) replayView() string {
	st := m.sh.Styles
	r := m.replay
	if r == nil {
		return ""
	}
	state := "▶ playing"
	if r.done() {
		state = "■ finished"
	}
	title := st.Title.Render("REPLAY "+shortID(r.id)) + fmt.Sprintf(" — %d× %s · %s of %s · %d/%d events",
		r.speed, state, fmtOffset(r.pos), fmtOffset(r.total()), r.shown, len(r.entries))
	hint := st.Dim.Render(keyName(m.sh.Keys.Toggle) + " 1×/10× · " + keyName(m.sh.Keys.NextField) +
		" next event now · " + keyName(m.sh.Keys.Replay) + " restart · " + keyName(m.sh.Keys.Back) + " back to the record")
	lines := []string{cut(title, m.width), cut(hint, m.width), ""}
	rows := max(m.height-len(lines), 1)
	first := max(r.shown-rows, 0)
	for i := first; i < r.shown; i++ {
		e := r.entries[i]
		line := "+" + fmtOffset(r.offset(i)) + " " + m.timelineLine(e, m.width)
		if i == r.shown-1 && !r.done() {
			line = st.Selected.Render(pad(line, m.width))
		}
		lines = append(lines, cut(line, m.width))
	}
	if r.shown == 0 {
		lines = append(lines, st.Dim.Render("…"))
	}
	return strings.Join(lines, "\n")
}

// fmtOffset is a duration as h:mm:ss.
func fmtOffset(d time.Duration) string {
	d = d.Truncate(time.Second)
	h := int(d.Hours())
	mm := int(d.Minutes()) % 60
	s := int(d.Seconds()) % 60
	return fmt.Sprintf("%d:%02d:%02d", h, mm, s)
}
