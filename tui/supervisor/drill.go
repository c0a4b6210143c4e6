package supervisor

import (
	"context"
	"errors"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/tui/secondary"
)

// The drill-down is the secondary workstation's crossing view (package
// secondary), read-only: its keys have no write action bound at all, and
// its event log refuses every write. secondary.Model.Open shows the one
// crossing without a queue; the view reads the crossing, its history and
// its photos on file from the replica and audits the opening ("view",
// "crossing <id>") through the console's audit chain. Every key goes to
// it, esc included: esc steps back from a replay to the record, and from
// the record it reports Closed, and the console goes back.

// drill is one crossing opened from the supervisor's screens.
type drill struct {
	id     string
	m      *secondary.Model
	sh     *secondary.Shared
	parent *Shared
}

// ErrReadOnly is what the drill-down's event log answers to any write: the
// supervisor console writes no crossing event.
var ErrReadOnly = errors.New("the supervisor console is read-only: nothing is written")

// noLog is the drill-down's event log: it refuses everything.
type noLog struct{}

func (noLog) Append(context.Context, ...records.Event) ([]records.Event, error) {
	return nil, ErrReadOnly
}

// drillKeys are the secondary view's keys on the supervisor console: moving,
// paging, replay (and its speed) and back; every write action (take,
// finding, LSS, determination), opening from a queue and the secondary's
// own search and conflicts unbound.
func drillKeys(k Keys) secondary.Keys {
	off := key.NewBinding(key.WithDisabled())
	return secondary.Keys{
		Up: k.Up, Down: k.Down, PageUp: k.PageUp, PageDown: k.PageDown,
		Open: off, Back: k.Back,
		Take: off, Search: off, Conflicts: off, Finding: off, LSS: off, Determine: off,
		Replay: k.Replay,
		Help:   k.Help, Lock: k.Lock, Logout: k.Logout, Quit: k.Quit,
		Confirm: k.Confirm, Cancel: k.Cancel, Toggle: k.Toggle, NextField: k.NextField, PrevField: k.PrevField,
	}
}

func newDrill(m *Model, id string) (*drill, tea.Cmd) {
	d := &drill{id: id, parent: m.sh, sh: &secondary.Shared{}}
	d.sync()
	d.m = secondary.New(m.ctx, d.sh, secondary.Config{
		Workstation: m.cfg.Workstation, Port: m.cfg.Port, ReadOnly: true, Timeout: m.cfg.Timeout,
		StaleAfter: m.cfg.StaleAfter,
	}, secondary.Deps{
		Store: m.deps.Store, Log: noLog{}, Logger: m.log,
		Audit: auditFunc(m.deps.Store),
	})
	d.m.SetSize(m.width, m.height)
	return d, d.m.Open(m.officer, id)
}

// sync copies the console's keys, styles and clock (after a theme change).
func (d *drill) sync() {
	d.sh.Keys = drillKeys(d.parent.Keys)
	d.sh.Styles = d.parent.Styles
	d.sh.Now = d.parent.Now
}

// update gives the secondary view a message.
func (d *drill) update(msg tea.Msg) (secondary.Status, tea.Cmd) {
	d.sync()
	return d.m.Update(msg)
}

func (d *drill) tick(t time.Time) tea.Cmd {
	d.sync()
	return d.m.Tick(t)
}

func (d *drill) view() string { return d.m.View() }
