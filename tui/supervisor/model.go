package supervisor

import (
	"context"
	"io"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/tui/secondary"
)

// screen is which of the supervisor screens is showing.
type screen int

const (
	screenDashboard screen = iota
	screenSearch
	screenAudit
	screenCrossing
)

// Status is a line for the root's status bar; the zero Status says nothing.
type Status struct {
	Text string
	Err  bool
}

// Model is the supervisor console's body: the dashboard, search results,
// the audit log and the drill-down into a crossing, with one dialog at a
// time on top. The root routes keys and this package's messages to it.
type Model struct {
	sh   *Shared
	cfg  Config
	deps Deps
	ctx  context.Context
	log  *slog.Logger

	officer       string
	width, height int
	screen        screen
	// back is where esc from the drill-down returns.
	back screen

	dash       records.Dashboard
	dashErr    string
	dashSeq    int
	dashLoaded bool
	lastLoad   time.Time
	replica    secondary.ReplicaStatus
	replErr    string
	clock      time.Time
	// sel is the selected crossing on the dashboard (an index into
	// targets()); top the first line shown when the panels do not fit.
	sel, top int
	// follow keeps the selection in view after the next draw.
	follow bool

	query      records.SearchTerms
	results    []secondary.Summary
	resultsSel int
	searching  bool

	filter      records.AuditQuery
	entries     []records.AuditEntry
	auditTop    int
	auditLoaded bool
	auditErr    string

	drill *drill

	dialog dialog
	status Status
}

// New builds the supervisor screens. ctx bounds every store call.
func New(ctx context.Context, sh *Shared, cfg Config, deps Deps) *Model {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = 2 * time.Second
	}
	if cfg.SearchLimit <= 0 {
		cfg.SearchLimit = 200
	}
	if cfg.AuditLimit <= 0 {
		cfg.AuditLimit = 500
	}
	if cfg.StaleAfter <= 0 {
		cfg.StaleAfter = time.Minute
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if sh.Now == nil {
		sh.Now = time.Now
	}
	m := &Model{sh: sh, cfg: cfg, deps: deps, ctx: ctx, log: deps.Logger, width: 80, height: 21}
	m.clock = sh.Now()
	return m
}

// Start opens the dashboard for the supervisor who just signed in and
// loads it.
func (m *Model) Start(officer string) tea.Cmd {
	m.officer = officer
	m.screen, m.dialog, m.drill = screenDashboard, nil, nil
	m.sel, m.top, m.follow = 0, 0, true
	m.clock = m.sh.Now()
	return m.loadDashboard()
}

// Modal reports whether a dialog has the keyboard (the root then leaves
// keys such as ? to it).
func (m *Model) Modal() bool { return m.dialog != nil }

// Tick advances the clock ages are shown against and reloads the dashboard
// every Config.Refresh: heartbeats and the lane journal change it without a
// crossing changing.
func (m *Model) Tick(t time.Time) tea.Cmd {
	m.clock = t
	var cmds []tea.Cmd
	if m.drill != nil {
		cmds = append(cmds, m.drill.tick(t))
	}
	if m.officer != "" && t.Sub(m.lastLoad) >= m.cfg.Refresh {
		m.lastLoad = t
		cmds = append(cmds, m.loadDashboard())
	}
	return tea.Batch(cmds...)
}

// SetSize is the size of the body (between the root's header and status).
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.dialog != nil {
		m.dialog.SetSize(w, h)
	}
	if m.drill != nil {
		m.drill.m.SetSize(w, h)
	}
	m.follow = true
}

// Update handles a key or one of this package's messages. The Status it
// returns, when not zero, goes to the root's status bar.
func (m *Model) Update(msg tea.Msg) (Status, tea.Cmd) {
	m.status = Status{}
	cmd := m.update(msg)
	return m.status, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case dashboardMsg:
		m.onDashboard(msg)
		return nil
	case searchMsg:
		m.onSearch(msg)
		return nil
	case auditLogMsg:
		m.onAuditLog(msg)
		return nil
	case secondary.ReplicaChangedMsg:
		cmds := []tea.Cmd{m.loadDashboard()}
		if m.drill != nil {
			cmds = append(cmds, m.toDrill(msg))
		}
		return tea.Batch(cmds...)
	}
	if secondary.IsMsg(msg) {
		// The drill-down's own reads; one for a drill-down since left
		// has nowhere to go.
		if m.drill == nil {
			return nil
		}
		return m.toDrill(msg)
	}
	return m.route(msg)
}

// route gives msg to the dialog, or to the screen when none is open, and
// carries out the action returned. A dialog that returns an action is
// closed first, in this same Update: the next key reaches the screen.
func (m *Model) route(msg tea.Msg) tea.Cmd {
	if m.dialog != nil {
		a, cmd := m.dialog.Update(msg)
		if a == nil {
			return cmd
		}
		m.dialog = nil
		return tea.Batch(cmd, m.perform(a))
	}
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	var a action
	switch m.screen {
	case screenDashboard:
		a = m.dashboardKey(kp)
	case screenSearch:
		a = m.searchKey(kp)
	case screenAudit:
		a = m.auditKey(kp)
	case screenCrossing:
		// esc too: the view steps back from its replay itself, and says
		// Closed when esc leaves the record.
		return m.toDrill(kp)
	}
	return m.perform(a)
}

// toDrill hands a message to the drill-down's secondary view; when the
// officer left the record, the console goes back to where it opened it.
func (m *Model) toDrill(msg tea.Msg) tea.Cmd {
	st, cmd := m.drill.update(msg)
	if st.Text != "" {
		m.status = Status{Text: st.Text, Err: st.Err}
	}
	if st.Closed {
		return tea.Batch(cmd, m.goBack())
	}
	return cmd
}

func (m *Model) onDashboard(msg dashboardMsg) {
	if msg.seq != m.dashSeq {
		return // a newer read is on its way
	}
	m.lastLoad = msg.at
	m.clock = m.sh.Now()
	m.replErr = ""
	if msg.statusErr != nil {
		m.replErr = msg.statusErr.Error()
	} else {
		m.replica = msg.status
	}
	if msg.err != nil {
		m.dashErr = msg.err.Error()
		m.log.Error("supervisor: dashboard", "err", msg.err)
		return
	}
	// Keep the selection on the same crossing when the lists change
	// under it.
	selID := m.selectedTarget()
	m.dash, m.dashErr, m.dashLoaded = msg.d, "", true
	m.sel = 0
	for i, id := range m.targets() {
		if id == selID {
			m.sel = i
		}
	}
}

func (m *Model) onSearch(msg searchMsg) {
	if msg.q != m.query {
		return // an earlier search's answer
	}
	m.searching = false
	if msg.err != nil {
		m.status = Status{Err: true, Text: "✖ " + msg.err.Error()}
		return
	}
	m.results, m.resultsSel = msg.results, 0
	if msg.auditErr != nil {
		m.log.Error("supervisor: audit search", "err", msg.auditErr)
		m.status = Status{Err: true, Text: "✖ " + msg.auditErr.Error()}
	}
}

func (m *Model) onAuditLog(msg auditLogMsg) {
	if msg.q != m.filter {
		return
	}
	m.auditLoaded = true
	if msg.err != nil {
		m.auditErr = msg.err.Error()
		m.status = Status{Err: true, Text: "✖ " + msg.err.Error()}
		return
	}
	m.entries, m.auditTop, m.auditErr = msg.entries, 0, ""
	if msg.auditErr != nil {
		m.log.Error("supervisor: audit audit-log view", "err", msg.auditErr)
		m.status = Status{Err: true, Text: "✖ " + msg.auditErr.Error()}
	}
}

// perform carries out what a screen or dialog asked for. Nothing here
// writes a record; views and searches write their audit entries.
func (m *Model) perform(a action) tea.Cmd {
	switch a := a.(type) {
	case nil, closeAction:
		return nil
	case statusAction:
		m.status = Status{Err: a.err, Text: a.text}
		return nil
	case openDialogAction:
		m.dialog = a.d
		a.d.SetSize(m.width, m.height)
		return nil
	case openCrossingAction:
		return m.openCrossing(a.id)
	case backAction:
		return m.goBack()
	case searchAction:
		m.query, m.results, m.resultsSel, m.searching = a.q, nil, 0, true
		m.screen = screenSearch
		return m.searchCmd(a.q)
	case auditLogAction:
		m.filter, m.entries, m.auditTop, m.auditLoaded, m.auditErr = a.q, nil, 0, false, ""
		m.screen = screenAudit
		return m.auditLogCmd(a.q)
	}
	m.log.Error("supervisor: unknown action", "action", a)
	return nil
}

// openCrossing drills down into a crossing: the secondary's crossing view,
// read-only. The view itself audits the opening ("view", "crossing <id>").
func (m *Model) openCrossing(id string) tea.Cmd {
	if m.screen != screenCrossing {
		m.back = m.screen
	}
	d, cmd := newDrill(m, id)
	m.drill = d
	m.screen = screenCrossing
	return cmd
}

func (m *Model) goBack() tea.Cmd {
	switch m.screen {
	case screenCrossing:
		m.drill = nil
		m.screen = m.back
		if m.screen == screenCrossing {
			m.screen = screenDashboard
		}
		if m.screen == screenDashboard {
			m.follow = true
			return m.loadDashboard()
		}
	case screenSearch, screenAudit:
		m.screen = screenDashboard
		m.follow = true
		return m.loadDashboard()
	}
	return nil
}

// ShortHelp is the help bar of the screen or dialog showing.
func (m *Model) ShortHelp() []key.Binding {
	if m.dialog != nil {
		return m.dialog.ShortHelp()
	}
	k := m.sh.Keys
	switch m.screen {
	case screenDashboard:
		return enabled(k.Open, k.NextPanel, k.Search, k.AuditLog, k.Help)
	case screenSearch:
		return enabled(k.Open, k.Search, k.Back, k.Help)
	case screenAudit:
		return enabled(k.Search, k.Back, k.Help)
	case screenCrossing:
		if m.drill != nil {
			return m.drill.m.ShortHelp() // its own help lists ? too
		}
	}
	return nil
}

// FullHelp is every key of the supervisor screens, for the help screen.
func (m *Model) FullHelp() [][]key.Binding {
	if m.dialog != nil {
		return m.dialog.FullHelp()
	}
	k := m.sh.Keys
	return [][]key.Binding{
		enabled(k.Up, k.Down, k.PageUp, k.PageDown, k.NextPanel, k.Open, k.Back),
		enabled(k.Search, k.AuditLog, k.Replay, k.Toggle),
		enabled(k.Help, k.Lock, k.Logout, k.Quit),
	}
}

func enabled(bs ...key.Binding) []key.Binding {
	var out []key.Binding
	for _, b := range bs {
		if b.Enabled() {
			out = append(out, b)
		}
	}
	return out
}

// View draws the screen showing with the dialog, if any, on top.
func (m *Model) View() string {
	var body string
	switch m.screen {
	case screenDashboard:
		body = m.dashboardView()
	case screenSearch:
		body = m.searchView()
	case screenAudit:
		body = m.auditView()
	case screenCrossing:
		body = m.drill.view()
	}
	body = fit(body, m.height)
	if m.dialog == nil {
		return body
	}
	d := m.dialog.View()
	x := max((m.width-lipgloss.Width(d))/2, 0)
	y := max((m.height-lipgloss.Height(d))/2, 0)
	return fit(lipgloss.NewCompositor(lipgloss.NewLayer(body), lipgloss.NewLayer(d).X(x).Y(y).Z(1)).Render(), m.height)
}
