package tui

import (
	"context"
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/portofentry/booth/records"
)

// loginScreen asks for badge and PIN. Locked, it keeps the officer's badge
// and asks only for the PIN (another officer may log in after logging out).
type loginScreen struct {
	*common
	badge, pin    textinput.Model
	focusPIN      bool
	locked        string // badge of the officer whose session is locked
	reason        string
	err           string
	busy          bool
	width, height int
}

// loginMsg is the answer to an authentication attempt.
type loginMsg struct {
	officer Officer
	err     error
	unlock  bool
}

func newLogin(c *common, lockedBadge, reason string) *loginScreen {
	s := &loginScreen{common: c, locked: lockedBadge, reason: reason}
	s.badge = c.newInput()
	s.badge.Prompt = ""
	s.badge.Placeholder = "badge"
	s.badge.CharLimit = 16
	s.badge.SetWidth(24)
	s.pin = c.newInput()
	s.pin.Prompt = ""
	s.pin.Placeholder = "PIN"
	s.pin.CharLimit = 12
	s.pin.SetWidth(24)
	s.pin.EchoMode = textinput.EchoPassword
	s.pin.EchoCharacter = '•'
	if lockedBadge != "" {
		s.badge.SetValue(lockedBadge)
		s.focusPIN = true
	}
	s.focus()
	return s
}

func (s *loginScreen) focus() tea.Cmd {
	if s.focusPIN {
		s.badge.Blur()
		return s.pin.Focus()
	}
	s.pin.Blur()
	return s.badge.Focus()
}

func (s *loginScreen) SetSize(w, h int) { s.width, s.height = w, h }

func (s *loginScreen) ShortHelp() []key.Binding {
	k := s.keys
	return []key.Binding{k.Confirm, k.NextField, k.Quit}
}

func (s *loginScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *loginScreen) Update(msg tea.Msg) (action, tea.Cmd) {
	k := s.keys
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, k.Confirm):
			if s.busy {
				return nil, nil
			}
			if !s.focusPIN && s.locked == "" {
				s.focusPIN = true
				return nil, s.focus()
			}
			return s.submit(), nil
		case key.Matches(kp, k.NextField, k.PrevField):
			if s.locked == "" {
				s.focusPIN = !s.focusPIN
			}
			return nil, s.focus()
		case key.Matches(kp, k.Cancel) && s.locked != "":
			// Another officer takes the booth: end the locked session.
			return logoutAction{}, nil
		}
	}
	var cmd tea.Cmd
	if s.focusPIN {
		s.pin, cmd = s.pin.Update(msg)
	} else {
		s.badge, cmd = s.badge.Update(msg)
	}
	return nil, cmd
}

func (s *loginScreen) submit() action {
	badge := strings.TrimSpace(s.badge.Value())
	pin := []byte(s.pin.Value())
	if badge == "" || len(pin) == 0 {
		s.err = "enter badge and PIN"
		return nil
	}
	s.busy, s.err = true, ""
	s.pin.SetValue("")
	return signInAction{badge: badge, pin: pin, unlock: s.locked != ""}
}

// failed shows why the sign-in attempt was refused.
func (s *loginScreen) failed(err error) tea.Cmd {
	s.busy = false
	s.err = loginError(err)
	return s.focus()
}

func (s *loginScreen) View() string {
	st := s.styles
	title, where := signInTitle(s.cfg)
	if s.locked != "" {
		title = "SCREEN LOCKED"
	}
	field := func(label string, in textinput.Model, focused bool) string {
		marker := "  "
		if focused {
			marker = "▸ "
		}
		return marker + st.Label.Render(padRight(label, 7)) + in.View()
	}
	lines := []string{st.Title.Render(title), ""}
	if s.locked != "" {
		lines = append(lines, st.Value.Render("Officer "+s.locked+" — "+s.reason), "", field("PIN", s.pin, true))
		lines = append(lines, "", st.Dim.Render("enter: unlock · esc: log out so another officer can sign in"))
	} else {
		lines = append(lines,
			st.Value.Render(where),
			"",
			field("Badge", s.badge, !s.focusPIN),
			field("PIN", s.pin, s.focusPIN))
		if s.cfg.LoginHint != "" {
			lines = append(lines, "", st.Warn.Render("ⓘ "+s.cfg.LoginHint))
		}
	}
	switch {
	case s.busy:
		lines = append(lines, "", st.Dim.Render("checking…"))
	case s.err != "":
		lines = append(lines, "", st.Bad.Render("✖ "+s.err))
	}
	if s.cfg.ReadOnly {
		lines = append(lines, "", st.Warn.Render("READ-ONLY workstation: no action can change a record"))
	}
	box := st.Dialog.Width(min(60, max(s.width-2, 20))).Render(strings.Join(lines, "\n"))
	return lipgloss.Place(s.width, s.height, lipgloss.Center, lipgloss.Center, box)
}

// onLogin finishes an authentication attempt.
func (m *Model) onLogin(msg loginMsg) tea.Cmd {
	s, ok := m.base.(*loginScreen)
	if !ok {
		return nil
	}
	if msg.err != nil {
		// The account store audits failed and successful logins itself.
		return s.failed(msg.err)
	}
	o := msg.officer
	m.officer = &o
	m.lastInput = m.c.now()
	// Read-only by person: a supervisor gets the screens without a bound
	// write key, whatever the workstation.
	m.c.setSessionReadOnly(o.ReadOnly)
	m.setBase(m.primary)
	if o.ReadOnly && !m.c.cfg.ReadOnly {
		m.setStatus(false, "✔ signed in as %s %s — READ-ONLY: no action can change a record", o.Badge, o.Name)
	} else {
		m.setStatus(false, "✔ signed in as %s %s", o.Badge, o.Name)
	}
	if msg.unlock {
		return m.audit("unlock", "workstation "+m.c.cfg.Workstation)
	}
	return nil
}

// loginError words an authentication failure for the screen without saying
// whether the badge exists.
func loginError(err error) string {
	switch {
	case errors.Is(err, ErrBadCredentials):
		return ErrBadCredentials.Error()
	case errors.Is(err, ErrLockedOut), errors.Is(err, ErrDisabled), errors.Is(err, ErrNoRole), errors.Is(err, ErrCacheExpired):
		return err.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return "officer accounts did not answer in time — try again"
	}
	return "sign-in unavailable: " + err.Error()
}

func (m *Model) lockScreen(reason string) tea.Cmd {
	if m.officer == nil {
		return nil
	}
	m.dialog = nil
	s := newLogin(m.c, m.officer.Badge, reason)
	m.setBase(s)
	return tea.Batch(m.audit("lock", reason), s.focus())
}

func (m *Model) logout() tea.Cmd {
	var audit tea.Cmd
	if m.officer != nil {
		audit = m.audit("logout", "workstation "+m.c.cfg.Workstation)
	}
	m.officer = nil
	m.dialog = nil
	m.c.setSessionReadOnly(false)
	s := newLogin(m.c, "", "")
	m.setBase(s)
	m.setStatus(false, "signed out")
	return tea.Batch(audit, s.focus())
}

// recordAudit records an entry built by records (the officer in it is the
// one signed in, or none); like audit, a failure is logged and shown.
func (m *Model) recordAudit(e records.AuditEntry) tea.Cmd {
	officers, ctx, timeout := m.deps.Officers, m.ctx, m.c.cfg.LookupTimeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if err := officers.RecordAudit(ctx, e); err != nil {
			return failedMsg{what: "audit " + e.Action, err: err}
		}
		return nil
	}
}

func (m *Model) badge() string {
	if m.officer == nil {
		return ""
	}
	return m.officer.Badge
}

// audit records a session event for the officer signed in. A failure is
// logged and shown; it does not block the officer.
func (m *Model) audit(action, subject string) tea.Cmd {
	officers, ctx, timeout, badge := m.deps.Officers, m.ctx, m.c.cfg.LookupTimeout, m.badge()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if err := officers.Audit(ctx, badge, action, subject); err != nil {
			return failedMsg{what: "audit " + action, err: err}
		}
		return nil
	}
}

// signInTitle is the sign-in box's title and place line for this kind of
// workstation: a booth names its lane, the others their workstation id.
func signInTitle(cfg Config) (title, where string) {
	switch cfg.Role {
	case "secondary":
		return "SECONDARY INSPECTION — SIGN IN", "Port " + cfg.Port + " · workstation " + cfg.Workstation
	case "supervisor":
		return "SUPERVISOR — SIGN IN", "Port " + cfg.Port + " · workstation " + cfg.Workstation
	}
	return "PRIMARY INSPECTION — SIGN IN", "Port " + cfg.Port + " · Lane " + cfg.Lane + " · " + string(cfg.Mode)
}
