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
)

// screen is one screen or dialog of the workstation. The root model routes
// messages to the active one.
type screen interface {
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(width, height int)
	help.KeyMap
}

// Model is the root of the workstation program.
type Model struct {
	cfg    Config
	deps   Deps
	log    *slog.Logger
	ctx    context.Context
	keys   KeyMap
	styles Styles
	dark   bool
	help   help.Model

	width, height int

	officer *Officer
	base    screen // login, lock or primary
	dialog  screen // modal on top of base, nil when none
	primary *primaryScreen

	lane      *records.Lane
	crossings map[string]*crossingState
	health    map[hardware.Device]DeviceHealth
	ref       RefStatus
	refErr    string
	status    statusLine
	now       time.Time
	lastInput time.Time
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
	m := &Model{
		cfg: cfg, deps: deps, log: deps.Logger, ctx: ctx, keys: keys,
		dark: cfg.Theme != "light", help: help.New(),
		lane: lane, crossings: map[string]*crossingState{},
		health: map[hardware.Device]DeviceHealth{},
		width:  80, height: 24,
	}
	m.now = deps.Now()
	m.lastInput = m.now
	m.setStyles()
	m.primary = newPrimary(m)
	m.base = newLogin(m, "")
	return m, nil
}

// Init asks the terminal for its background colour and starts the clock.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.tick(), m.refreshStatus()}
	if m.cfg.Theme == "" || m.cfg.Theme == "auto" {
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

func (m *Model) setStyles() {
	m.styles = NewStyles(m.dark, m.cfg.NoColor)
	m.help.Styles = m.styles.Help
}

// Update routes a message: global concerns first (size, theme, clock, device
// and store results), then keys to the dialog or the base screen.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.BackgroundColorMsg:
		if m.cfg.Theme == "" || m.cfg.Theme == "auto" {
			m.dark = msg.IsDark()
			m.setStyles()
		}
		return m, nil
	case tea.ColorProfileMsg:
		if (msg.Profile == colorprofile.NoTTY || msg.Profile == colorprofile.Ascii) && !m.cfg.NoColor {
			m.cfg.NoColor = true
			m.setStyles()
		}
		return m, nil
	case tickMsg:
		return m, m.onTick(time.Time(msg))
	case DeviceMsg:
		return m, m.onDevice(msg.Event)
	case HealthMsg:
		for _, h := range msg.Devices {
			m.health[h.Device] = h
		}
		return m, nil
	case refStatusMsg:
		m.ref, m.refErr = msg.status, ""
		if msg.err != nil {
			m.refErr = msg.err.Error()
		}
		return m, nil
	case appendedMsg:
		return m, m.onAppended(msg)
	case historyMsg:
		m.onHistory(msg)
		return m, nil
	case faceImagesMsg:
		return m, m.onFaceImages(msg)
	case failedMsg:
		m.log.Error(msg.what, "crossing", msg.crossingID, "err", msg.err)
		delete(m.primary.busy, msg.crossingID)
		m.setStatus(true, "✖ %s: %v", msg.what, msg.err)
		return m, nil
	case loginMsg:
		return m, m.onLogin(msg)
	case closeDialogMsg:
		m.dialog = nil
		return m, nil
	case tea.KeyPressMsg:
		m.lastInput = m.deps.Now()
		return m, m.onKey(msg)
	}
	// Anything else (cursor blinks, paste) goes to the focused screen.
	if m.dialog != nil {
		return m, m.dialog.Update(msg)
	}
	return m, m.base.Update(msg)
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Quit) {
		if m.officer != nil {
			return tea.Sequence(m.audit("logout", "quit"), tea.Quit)
		}
		return tea.Quit
	}
	if m.officer != nil && m.base == screen(m.primary) {
		switch {
		case key.Matches(msg, m.keys.Lock) && m.dialog == nil:
			return m.lockScreen("locked by officer")
		case key.Matches(msg, m.keys.Logout) && m.dialog == nil:
			return m.logout()
		case key.Matches(msg, m.keys.Help) && m.dialog == nil:
			m.openDialog(newHelpScreen(m))
			return nil
		}
	}
	if m.dialog != nil {
		return m.dialog.Update(msg)
	}
	return m.base.Update(msg)
}

func (m *Model) onTick(t time.Time) tea.Cmd {
	m.now = t
	cmds := []tea.Cmd{m.tick()}
	if m.officer != nil && m.base == screen(m.primary) && m.cfg.IdleLock > 0 && m.deps.Now().Sub(m.lastInput) >= m.cfg.IdleLock {
		cmds = append(cmds, m.lockScreen("locked after "+m.cfg.IdleLock.String()+" idle"))
	}
	if t.Second()%5 == 0 {
		cmds = append(cmds, m.refreshStatus())
	}
	return tea.Batch(cmds...)
}

func (m *Model) resize() {
	m.help.SetWidth(m.width)
	m.base.SetSize(m.width, m.bodyHeight())
	if m.dialog != nil {
		m.dialog.SetSize(m.width, m.bodyHeight())
	}
}

// bodyHeight is what is left between the header and the status and help
// lines.
func (m *Model) bodyHeight() int { return max(m.height-3, 1) }

func (m *Model) openDialog(s screen) {
	m.dialog = s
	s.SetSize(m.width, m.bodyHeight())
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
	if m.dialog != nil {
		d := m.dialog.View()
		x := max((m.width-lipgloss.Width(d))/2, 0)
		y := max((bh-lipgloss.Height(d))/2, 0)
		body = lipgloss.NewCompositor(lipgloss.NewLayer(body), lipgloss.NewLayer(d).X(x).Y(y).Z(1)).Render()
		body = fitHeight(body, bh)
	}
	var helpKeys help.KeyMap = m.base
	if m.dialog != nil {
		helpKeys = m.dialog
	}
	v := tea.NewView(stack(m.header(), body, m.statusView(), m.help.View(helpKeys)))
	v.AltScreen = true
	v.WindowTitle = "booth — " + m.cfg.Port + " lane " + m.cfg.Lane
	return v
}

func (m *Model) statusView() string {
	if m.status.text == "" {
		return " "
	}
	st := m.styles.StatusOK
	if m.status.err {
		st = m.styles.StatusErr
	}
	return st.Render(truncate(" "+m.status.text, m.width))
}
