package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/tui/supervisor"
)

// A supervisor console (Config.Role "supervisor") signs the supervisor in
// like any workstation and then shows the screens of package supervisor:
// the port dashboard first. The console is read-only: New gave it the
// read-only keymap (no write action bound), and the supervisor screens
// build their keys from it. The root keeps the session (sign-in, lock,
// help, quit).

// UseSupervisor gives a supervisor console the replica it reads. The
// command wiring calls it once, after New and before the program runs. A
// workstation of another role ignores it.
func (m *Model) UseSupervisor(store supervisor.Store) error {
	if store == nil {
		return fmt.Errorf("tui: the supervisor console needs its replica")
	}
	if m.c.cfg.Role != "supervisor" {
		return nil
	}
	m.supShared = &supervisor.Shared{Keys: supervisorKeys(m.c.keys), Now: m.c.now}
	m.syncSupervisorStyles()
	m.sup = supervisor.New(m.ctx, m.supShared, supervisor.Config{
		Workstation: m.c.cfg.Workstation, Port: m.c.cfg.Port, Timeout: m.c.cfg.LookupTimeout,
	}, supervisor.Deps{Store: store, Logger: m.log})
	m.supBase = &supervisorScreen{m: m.sup}
	return nil
}

// supervisorKeys are the supervisor screens' bindings, from the root's
// keymap (rebound by the config). The console's keymap is read-only, and
// no write action is even handed over.
func supervisorKeys(k KeyMap) supervisor.Keys {
	up, down := k.Up, k.Down
	up.SetHelp(up.Help().Key, "up")
	down.SetHelp(down.Help().Key, "down")
	return supervisor.Keys{
		Up: up, Down: down, PageUp: k.PageUp, PageDown: k.PageDown,
		Open: k.Open, Back: k.Back, Search: k.Search, AuditLog: k.AuditLog, NextPanel: k.NextPanel, Replay: k.Replay, Toggle: k.Toggle,
		Help: k.Help, Lock: k.Lock, Logout: k.Logout, Quit: k.Quit,
		Confirm: k.Confirm, Cancel: k.Cancel, NextField: k.NextField, PrevField: k.PrevField,
	}
}

// syncSupervisorStyles copies the root's styles (after a theme change).
func (m *Model) syncSupervisorStyles() {
	if m.supShared == nil {
		return
	}
	s := m.c.styles
	m.supShared.Styles = supervisor.Styles{
		Border: s.Border, Focused: s.Focused, Title: s.Title, Label: s.Label, Value: s.Value, Dim: s.Dim,
		OK: s.OK, Bad: s.Bad, Warn: s.Warn, Banner: s.Banner, Selected: s.Selected, Dialog: s.Dialog,
		Help: s.Help, Color: s.Color, Dark: m.c.dark,
	}
}

// supervisorRole reports whether this workstation shows the supervisor
// screens after sign-in.
func (m *Model) supervisorRole() bool { return m.c.cfg.Role == "supervisor" && m.sup != nil }

// workScreen is the screen an officer works on once signed in: the
// supervisor's dashboard at a supervisor console, else the role's home.
func (m *Model) workScreen() component {
	if m.supervisorRole() {
		return m.supBase
	}
	return m.home()
}

// atWork reports whether the signed-in officer is on the work screen with
// nothing modal on top (the session keys then apply).
func (m *Model) atWork() bool {
	if !m.supervisorRole() {
		return m.atHome()
	}
	return m.officer != nil && m.dialog == nil && m.base == component(m.supBase) && !m.sup.Modal()
}

// startSupervisor opens the dashboard once a supervisor reaches it (again
// after a lock only when another officer signed in).
func (m *Model) startSupervisor() tea.Cmd {
	if !m.supervisorRole() {
		return nil
	}
	if m.officer == nil {
		m.supFor = ""
		return nil
	}
	if m.base != component(m.supBase) || m.supFor == m.officer.Badge {
		return nil
	}
	m.supFor = m.officer.Badge
	return m.sup.Start(m.officer.Badge)
}

// toSupervisor hands one of the supervisor (or secondary) package's
// messages to the supervisor screens, whatever is on top; before sign-in
// there is nothing to refresh.
func (m *Model) toSupervisor(msg tea.Msg) tea.Cmd {
	if m.officer == nil || m.supFor == "" {
		return nil
	}
	a, cmd := m.supBase.Update(msg)
	return tea.Batch(cmd, m.perform(a))
}

// supervisorHeader is the top bar of a supervisor console: where, who, and
// the clock (no lane devices here; the replica's age is on the dashboard).
func (m *Model) supervisorHeader() string {
	st := m.c.styles
	sep := st.HeaderDim.Render(" │ ")
	where := " PORT " + m.c.cfg.Port + " · SUPERVISOR " + m.c.cfg.Workstation + " · READ-ONLY"
	who := "signed out"
	if m.officer != nil {
		who = strings.TrimSpace(m.officer.Badge + " " + m.officer.Name)
	}
	line := st.Header.Render(where) + sep + st.Header.Render(who) + sep + st.Header.Render(m.clock.Format("15:04:05")+" ")
	if m.diskFull {
		line = st.Banner.Render(" DISK FULL ") + line
	}
	return st.Header.Render(pad(line, m.c.width))
}

// supervisorScreen adapts the supervisor Model to the root's component:
// its status lines go to the root's status bar.
type supervisorScreen struct{ m *supervisor.Model }

func (s *supervisorScreen) Update(msg tea.Msg) (action, tea.Cmd) {
	st, cmd := s.m.Update(msg)
	if st.Text != "" {
		return statusAction{err: st.Err, text: st.Text}, cmd
	}
	return nil, cmd
}

func (s *supervisorScreen) View() string              { return s.m.View() }
func (s *supervisorScreen) SetSize(w, h int)          { s.m.SetSize(w, h) }
func (s *supervisorScreen) ShortHelp() []key.Binding  { return s.m.ShortHelp() }
func (s *supervisorScreen) FullHelp() [][]key.Binding { return s.m.FullHelp() }
