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
// its event log refuses every write. secondary.Model opens a crossing from
// its queue, so the drill-down gives it a replica whose queue holds just the
// crossing to open, and presses a key of its own that opens it once the
// queue has loaded. The view then reads the crossing, its history and its
// photos on file from the replica and audits the opening ("view",
// "crossing <id>") through the console's audit chain.

// openKey is the drill-down's own open key: it is never on a keyboard, so
// the supervisor's keys cannot reach the queue it opens from.
const openKey = "f20"

// drill is one crossing opened from the supervisor's screens.
type drill struct {
	id string
	m  *secondary.Model
	sh *secondary.Shared
	// opening: the queue holding the crossing has not loaded yet.
	opening bool
	parent  *Shared
}

// ErrReadOnly is what the drill-down's event log answers to any write: the
// supervisor console writes no crossing event.
var ErrReadOnly = errors.New("the supervisor console is read-only: nothing is written")

// noLog is the drill-down's event log: it refuses everything.
type noLog struct{}

func (noLog) Append(context.Context, ...records.Event) ([]records.Event, error) {
	return nil, ErrReadOnly
}

// drillStore is the replica as the drill-down's crossing view sees it: its
// queue is the one crossing to open, and it has no conflicts list.
type drillStore struct {
	secondary.Store
	id string
}

func (d drillStore) Queue(context.Context) ([]records.QueueEntry, error) {
	return []records.QueueEntry{{CrossingID: d.id}}, nil
}

func (d drillStore) Conflicts(context.Context) ([]records.QueueEntry, error) { return nil, nil }

// drillKeys are the secondary view's keys on the supervisor console: moving,
// paging, replay and back; every write action (take, finding, LSS,
// determination) and the secondary's own search and conflicts unbound.
func drillKeys(k Keys) secondary.Keys {
	off := key.NewBinding(key.WithDisabled())
	return secondary.Keys{
		Up: k.Up, Down: k.Down, PageUp: k.PageUp, PageDown: k.PageDown,
		Open: key.NewBinding(key.WithKeys(openKey)), Back: k.Back,
		Take: off, Search: off, Conflicts: off, Finding: off, LSS: off, Determine: off,
		Replay: k.Replay,
		Help:   k.Help, Lock: k.Lock, Logout: k.Logout, Quit: k.Quit,
		Confirm: k.Confirm, Cancel: k.Cancel, Toggle: off, NextField: k.NextField, PrevField: k.PrevField,
	}
}

func newDrill(m *Model, id string) (*drill, tea.Cmd) {
	d := &drill{id: id, opening: true, parent: m.sh, sh: &secondary.Shared{}}
	d.sync()
	d.m = secondary.New(m.ctx, d.sh, secondary.Config{
		Workstation: m.cfg.Workstation, Port: m.cfg.Port, ReadOnly: true, Timeout: m.cfg.Timeout,
		StaleAfter: m.cfg.StaleAfter,
	}, secondary.Deps{
		Store: drillStore{Store: m.deps.Store, id: id}, Log: noLog{}, Logger: m.log,
		Audit: auditFunc(m.deps.Store),
	})
	d.m.SetSize(m.width, m.height)
	return d, d.m.Start(m.officer)
}

// sync copies the console's keys, styles and clock (after a theme change).
func (d *drill) sync() {
	d.sh.Keys = drillKeys(d.parent.Keys)
	d.sh.Styles = d.parent.Styles
	d.sh.Now = d.parent.Now
}

// update gives the secondary view a message. While the crossing is still
// opening, every answer from the replica is followed by the open key: the
// queue answers "nothing to open" until it has loaded, then opens it.
func (d *drill) update(msg tea.Msg) (secondary.Status, tea.Cmd) {
	d.sync()
	st, cmd := d.m.Update(msg)
	if !d.opening {
		return st, cmd
	}
	if _, ok := msg.(secondary.ReplicaChangedMsg); ok {
		return secondary.Status{}, cmd
	}
	st2, cmd2 := d.m.Update(tea.KeyPressMsg{Code: tea.KeyF20})
	if st2.Text == "" {
		d.opening = false // opened: the view now reads the crossing
	}
	return secondary.Status{}, tea.Batch(cmd, cmd2)
}

func (d *drill) tick(t time.Time) tea.Cmd {
	d.sync()
	return d.m.Tick(t)
}

func (d *drill) view(s Styles) string {
	if d.opening {
		return s.Title.Render("CROSSING "+shortID(d.id)) + "\n\n" + s.Dim.Render("  opening…")
	}
	return d.m.View()
}
