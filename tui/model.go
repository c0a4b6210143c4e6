package tui

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/tui/secondary"
	"github.com/portofentry/booth/tui/supervisor"
)

// Model is the root of the workstation program. It owns the shared context,
// the booth's workspace and the session, routes messages to the active
// screen or dialog, and carries out the actions they return.
type Model struct {
	c    *common
	deps Deps
	log  *slog.Logger
	ctx  context.Context

	officer *Officer
	base    component // login, lock or primary
	dialog  dialog    // modal on top of base, nil when none
	primary *primaryScreen

	// The secondary screens, set by UseSecondary (secondary_role.go);
	// secFor is the officer they were started for.
	sec       *secondary.Model
	secShared *secondary.Shared
	secBase   *secondaryScreen
	secFor    string

	// The supervisor screens, set by UseSupervisor (supervisor_role.go).
	sup       *supervisor.Model
	supShared *supervisor.Shared
	supBase   *supervisorScreen
	supFor    string

	ws        *workspace
	health    map[hardware.Device]DeviceHealth
	ref       RefStatus
	refErr    string
	status    statusLine
	clock     time.Time // the header's clock, set by the tick
	lastInput time.Time

	// diskFull is set by a write that failed for want of space and cleared
	// by the next write that succeeds; the header says DISK FULL meanwhile.
	diskFull       bool
	diskFullLogged time.Time
}

// statusLine is the one-line outcome of the last action ("✔ saved …").
type statusLine struct {
	text string
	err  bool
}

// tickMsg drives the clock, the idle lock and the header refresh.
type tickMsg time.Time

// New builds the workstation program's model. ctx bounds every store and
// matcher call the program makes.
func New(ctx context.Context, cfg Config, deps Deps) (*Model, error) {
	if cfg.Mode == "" {
		cfg.Mode = records.ModeVehicle
	}
	if cfg.Rules == (records.LaneRules{}) {
		cfg.Rules = records.DefaultLaneRules()
	}
	if cfg.HistoryLimit <= 0 {
		cfg.HistoryLimit = 5
	}
	if cfg.LookupTimeout <= 0 {
		cfg.LookupTimeout = 5 * time.Second
	}
	if cfg.FaceTimeout <= 0 {
		cfg.FaceTimeout = 1500 * time.Millisecond
	}
	if cfg.Role == "supervisor" {
		cfg.ReadOnly = true
	}
	if deps.Log == nil || deps.Lookups == nil || deps.Officers == nil {
		return nil, fmt.Errorf("tui: the event log, the look-ups and the officer accounts are required")
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	keys, err := DefaultKeyMap().Apply(cfg.Keys)
	if err != nil {
		return nil, err
	}
	if cfg.ReadOnly {
		keys = keys.ReadOnly()
	}
	keys = keys.ForMode(cfg.Mode)
	lane, err := records.NewLane(cfg.Mode, cfg.Rules, nil)
	if err != nil {
		return nil, fmt.Errorf("tui: %w", err)
	}
	c := &common{cfg: cfg, keys: keys, dark: cfg.Theme != "light", help: help.New(), width: 80, height: 24, now: deps.Now}
	c.setStyles()
	m := &Model{c: c, deps: deps, log: deps.Logger, ctx: ctx, ws: newWorkspace(lane),
		health: map[hardware.Device]DeviceHealth{}}
	m.clock = deps.Now()
	m.lastInput = m.clock
	m.primary = newPrimary(c, m.ws)
	m.base = newLogin(c, "", "")
	return m, nil
}

// Init asks the terminal for its background colour and starts the clock.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.tick(), m.refreshStatus()}
	if m.c.cfg.Theme == "" || m.c.cfg.Theme == "auto" {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	if s, ok := m.base.(*loginScreen); ok {
		cmds = append(cmds, s.focus())
	}
	return tea.Batch(cmds...)
}

func (m *Model) tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Update routes a message: terminal and clock first, then device and store
// results, then keys to the dialog or the base screen. A dialog whose
// crossing left the booth is closed afterwards.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	before := m.status
	cmd := m.update(msg)
	cmd = tea.Batch(cmd, m.startSecondary(), m.startSupervisor())
	if m.dialog != nil {
		if id := m.dialog.Crossing(); id != "" && m.ws.crossings[id] == nil {
			m.dialog = nil
			if m.status != before {
				// Keep what this message said (why the crossing went).
				m.setStatus(true, "%s · dialog closed, nothing saved", m.status.text)
			} else {
				m.setStatus(true, "✖ dialog closed, nothing saved: crossing %s is no longer at the booth", shortID(id))
			}
		}
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg, tea.BackgroundColorMsg, tea.ColorProfileMsg:
		m.onTerminal(msg)
		return nil
	case tickMsg:
		return m.onTick(time.Time(msg))
	case DeviceMsg:
		return m.onDevice(msg.Event)
	case HealthMsg:
		for _, h := range msg.Devices {
			m.health[h.Device] = h
		}
		return nil
	case refStatusMsg:
		m.ref, m.refErr = msg.status, ""
		if msg.err != nil {
			m.refErr = msg.err.Error()
		}
		return nil
	case appendedMsg:
		return m.onAppended(msg)
	case failedMsg:
		m.onFailed(msg)
		return nil
	case historyMsg:
		return m.onHistory(msg)
	case nationalMsg:
		return m.onNational(msg)
	case faceImagesMsg:
		return m.onFaceImages(msg)
	case loginMsg:
		return m.onLogin(msg)
	case tea.KeyPressMsg:
		m.lastInput = m.c.now()
		return m.onKey(msg)
	}
	if m.supervisorRole() && supervisor.IsMsg(msg) {
		return m.toSupervisor(msg)
	}
	if secondary.IsMsg(msg) {
		return m.toSecondary(msg)
	}
	// Anything else (paste) goes to the focused screen.
	return m.route(msg)
}

// route gives msg to the dialog, or to the base screen when none is open,
// and carries out the action it returns. A dialog that returns an action is
// closed first, in this same Update: the next key reaches the base screen.
func (m *Model) route(msg tea.Msg) tea.Cmd {
	if m.dialog != nil {
		a, cmd := m.dialog.Update(msg)
		if a == nil {
			return cmd
		}
		m.dialog = nil
		return tea.Batch(cmd, m.perform(a))
	}
	a, cmd := m.base.Update(msg)
	return tea.Batch(cmd, m.perform(a))
}

func (m *Model) onTerminal(msg tea.Msg) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.c.width, m.c.height = msg.Width, msg.Height
		m.resize()
	case tea.BackgroundColorMsg:
		if m.c.cfg.Theme == "" || m.c.cfg.Theme == "auto" {
			m.c.dark = msg.IsDark()
			m.c.setStyles()
			m.syncSecondaryStyles()
			m.syncSupervisorStyles()
		}
	case tea.ColorProfileMsg:
		if (msg.Profile == colorprofile.NoTTY || msg.Profile == colorprofile.Ascii) && !m.c.cfg.NoColor {
			m.c.cfg.NoColor = true
			m.c.setStyles()
			m.syncSecondaryStyles()
			m.syncSupervisorStyles()
		}
	}
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	if key.Matches(msg, k.Quit) {
		if m.officer != nil {
			return tea.Sequence(m.audit("logout", "quit"), tea.Quit)
		}
		return tea.Quit
	}
	if m.atWork() {
		switch {
		case key.Matches(msg, k.Lock):
			return m.lockScreen("locked by officer")
		case key.Matches(msg, k.Logout):
			return m.logout()
		case key.Matches(msg, k.Help):
			m.openDialog(newHelpScreen(m.c, m.workScreen().FullHelp()))
			return nil
		}
	}
	return m.route(msg)
}

func (m *Model) onTick(t time.Time) tea.Cmd {
	m.clock = t
	cmds := []tea.Cmd{m.tick()}
	if m.officer != nil && m.base == m.home() && m.secondaryRole() {
		cmds = append(cmds, m.sec.Tick(t))
	}
	if m.officer != nil && m.base == m.workScreen() && m.supervisorRole() {
		cmds = append(cmds, m.sup.Tick(t))
	}
	if m.officer != nil && m.base == m.workScreen() && m.c.cfg.IdleLock > 0 && m.c.now().Sub(m.lastInput) >= m.c.cfg.IdleLock {
		cmds = append(cmds, m.lockScreen("locked after "+m.c.cfg.IdleLock.String()+" idle"))
	}
	if t.Second()%5 == 0 {
		cmds = append(cmds, m.refreshStatus())
	}
	return tea.Batch(cmds...)
}

func (m *Model) resize() {
	m.c.help.SetWidth(m.c.width)
	m.base.SetSize(m.c.width, m.bodyHeight())
	if m.dialog != nil {
		m.dialog.SetSize(m.c.width, m.bodyHeight())
	}
}

// bodyHeight is what is left between the header and the status and help
// lines.
func (m *Model) bodyHeight() int { return max(m.c.height-3, 1) }

func (m *Model) openDialog(d dialog) {
	m.dialog = d
	d.SetSize(m.c.width, m.bodyHeight())
}

func (m *Model) setBase(s component) {
	if s == component(m.primary) {
		// Signing in leads to the role's own screen.
		s = m.workScreen()
	}
	m.base = s
	m.resize()
}

func (m *Model) setStatus(isErr bool, format string, a ...any) {
	m.status = statusLine{text: fmt.Sprintf(format, a...), err: isErr}
}

// View draws the header, the active screen with any dialog on top, the
// status line and the help bar.
func (m *Model) View() tea.View {
	body := m.base.View()
	bh := m.bodyHeight()
	body = fitHeight(body, bh)
	var helpKeys help.KeyMap = m.base
	if m.dialog != nil {
		d := m.dialog.View()
		x := max((m.c.width-lipgloss.Width(d))/2, 0)
		y := max((bh-lipgloss.Height(d))/2, 0)
		body = lipgloss.NewCompositor(lipgloss.NewLayer(body), lipgloss.NewLayer(d).X(x).Y(y).Z(1)).Render()
		body = fitHeight(body, bh)
		helpKeys = m.dialog
	}
	header := m.header
	if m.secondaryRole() {
		header = m.secondaryHeader
	}
	if m.supervisorRole() {
		header = m.supervisorHeader
	}
	v := tea.NewView(stack(header(), body, m.statusView(), m.c.help.View(helpKeys)))
	v.AltScreen = true
	v.WindowTitle = "booth — " + m.c.cfg.Port + " lane " + m.c.cfg.Lane
	return v
}

func (m *Model) statusView() string {
	if m.status.text == "" {
		return " "
	}
	st := m.c.styles.StatusOK
	if m.status.err {
		st = m.c.styles.StatusErr
	}
	return st.Render(truncate(" "+m.status.text, m.c.width))
}
