package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/tui/secondary"
)

// A secondary workstation (Config.Role "secondary") signs the officer in
// like a booth and then shows the secondary screens of package secondary
// instead of the primary screen: the referral queue first. The root keeps
// the session (sign-in, lock, help, quit); the secondary Model keeps its
// screens, dialogs and writes.

// UseSecondary gives a secondary workstation the replica it works from. The
// command wiring calls it once, after New and before the program runs; the
// writes go through Deps.Log and views and searches are audited through
// Deps.Officers. A workstation of another role ignores it.
func (m *Model) UseSecondary(store secondary.Store) error {
	if store == nil {
		return fmt.Errorf("tui: the secondary workstation needs its replica")
	}
	m.secShared = &secondary.Shared{Keys: secondaryKeys(m.c.keys), Now: m.c.now}
	m.syncSecondaryStyles()
	officers := m.deps.Officers
	m.sec = secondary.New(m.ctx, m.secShared, secondary.Config{
		Workstation: m.c.cfg.Workstation, Port: m.c.cfg.Port, ReadOnly: m.c.cfg.ReadOnly,
		Timeout: m.c.cfg.LookupTimeout,
	}, secondary.Deps{
		Store: store, Log: m.deps.Log, Logger: m.log,
		Audit: func(ctx context.Context, badge, action, subject string) error {
			return officers.Audit(ctx, badge, action, subject)
		},
	})
	m.secBase = &secondaryScreen{m: m.sec, wrote: m.secondaryWrote}
	return nil
}

// secondaryKeys are the secondary screens' bindings, from the root's keymap
// (rebound by the config, write actions unbound when read-only).
func secondaryKeys(k KeyMap) secondary.Keys {
	up, down := k.Up, k.Down
	up.SetHelp(up.Help().Key, "up")
	down.SetHelp(down.Help().Key, "down")
	return secondary.Keys{
		Up: up, Down: down, PageUp: k.PageUp, PageDown: k.PageDown,
		Open: k.Open, Back: k.Back, Take: k.Take, Search: k.Search, Conflicts: k.Conflicts,
		Finding: k.Finding, LSS: k.LSS, Determine: k.Determine, Replay: k.Replay,
		Help: k.Help, Lock: k.Lock, Logout: k.Logout, Quit: k.Quit,
		Confirm: k.Confirm, Cancel: k.Cancel, Toggle: k.Toggle, NextField: k.NextField, PrevField: k.PrevField,
	}
}

// syncSecondaryStyles copies the root's styles (after a theme change).
func (m *Model) syncSecondaryStyles() {
	if m.secShared == nil {
		return
	}
	s := m.c.styles
	m.secShared.Styles = secondary.Styles{
		Border: s.Border, Focused: s.Focused, Title: s.Title, Label: s.Label, Value: s.Value, Dim: s.Dim,
		OK: s.OK, Bad: s.Bad, Warn: s.Warn, Banner: s.Banner, Selected: s.Selected, Dialog: s.Dialog,
		Help: s.Help, Color: s.Color, Dark: m.c.dark,
	}
}

// secondaryRole reports whether this workstation shows the secondary
// screens after sign-in.
func (m *Model) secondaryRole() bool { return m.c.cfg.Role == "secondary" && m.sec != nil }

// home is the screen an officer works on once signed in: the primary
// screen at a booth, the secondary screens at a secondary workstation.
func (m *Model) home() component {
	if m.secondaryRole() {
		return m.secBase
	}
	return m.primary
}

// atHome reports whether the signed-in officer is on the work screen with
// nothing modal on top (the session keys then apply).
func (m *Model) atHome() bool {
	if m.officer == nil || m.dialog != nil || m.base != m.home() {
		return false
	}
	return !m.secondaryRole() || !m.sec.Modal()
}

// startSecondary opens the queue once an officer reaches the secondary
// screens (again after a lock only when another officer signed in).
func (m *Model) startSecondary() tea.Cmd {
	if !m.secondaryRole() {
		return nil
	}
	if m.officer == nil {
		m.secFor = ""
		return nil
	}
	if m.base != component(m.secBase) || m.secFor == m.officer.Badge {
		return nil
	}
	m.secFor = m.officer.Badge
	return m.sec.Start(m.officer.Badge)
}

// toSecondary hands one of the secondary package's messages to it, whatever
// is on top; before sign-in there is nothing to refresh.
func (m *Model) toSecondary(msg tea.Msg) tea.Cmd {
	if !m.secondaryRole() || m.officer == nil || m.secFor == "" {
		return nil
	}
	a, cmd := m.secBase.Update(msg)
	return tea.Batch(cmd, m.perform(a))
}

// secondaryHeader is the top bar of a secondary workstation: where, who,
// and the clock (no lane devices here; the replica's freshness is on the
// queue).
func (m *Model) secondaryHeader() string {
	st := m.c.styles
	sep := st.HeaderDim.Render(" │ ")
	where := " PORT " + m.c.cfg.Port + " · SECONDARY " + m.c.cfg.Workstation
	if m.c.cfg.ReadOnly {
		where += " READ-ONLY"
	}
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

// secondaryWrote keeps the DISK FULL header for the secondary screens'
// writes as onAppended and onFailed do for the booth's: a write that failed
// for want of space sets it (logged once a minute), a stored one clears it.
func (m *Model) secondaryWrote(err error) {
	if !errors.Is(err, ErrDiskFull) {
		m.diskFull = m.diskFull && err != nil
		return
	}
	m.diskFull = true
	if now := m.c.now(); m.diskFullLogged.IsZero() || now.Sub(m.diskFullLogged) >= time.Minute {
		m.diskFullLogged = now
		m.log.Error("disk full: secondary findings and determinations are NOT being saved", "err", err)
	}
}

// secondaryScreen adapts the secondary Model to the root's component: its
// status lines go to the root's status bar, its writes' outcomes to wrote.
type secondaryScreen struct {
	m     *secondary.Model
	wrote func(error)
}

func (s *secondaryScreen) Update(msg tea.Msg) (action, tea.Cmd) {
	st, cmd := s.m.Update(msg)
	if st.Wrote {
		s.wrote(st.WriteErr)
	}
	if st.Text != "" {
		return statusAction{err: st.Err, text: st.Text}, cmd
	}
	return nil, cmd
}

func (s *secondaryScreen) View() string              { return s.m.View() }
func (s *secondaryScreen) SetSize(w, h int)          { s.m.SetSize(w, h) }
func (s *secondaryScreen) ShortHelp() []key.Binding  { return s.m.ShortHelp() }
func (s *secondaryScreen) FullHelp() [][]key.Binding { return s.m.FullHelp() }
