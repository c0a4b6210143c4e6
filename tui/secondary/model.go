package secondary

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/portofentry/booth/records"
)

// screen is which of the secondary screens is showing.
type screen int

const (
	screenQueue screen = iota
	screenConflicts
	screenSearch
	screenCrossing
	screenReplay
)

// Status is a line for the root's status bar; the zero Status says nothing.
// Wrote reports that a write just finished and WriteErr how (nil: stored):
// the root keeps its DISK FULL header from them, as for the booth's writes.
type Status struct {
	Text     string
	Err      bool
	Wrote    bool
	WriteErr error
	// Closed: the officer left a crossing opened with Open (esc from its
	// record); the caller closes the view.
	Closed bool
}

// Model is the secondary workstation's body: the referral queue and its
// conflicts view, search results, the open crossing and its replay, with
// one dialog at a time on top. The root routes keys and this package's
// messages to it.
type Model struct {
	sh   *Shared
	cfg  Config
	deps Deps
	ctx  context.Context
	log  *slog.Logger

	officer       string
	width, height int
	screen        screen
	// back is where esc from the open crossing returns.
	back screen

	queue     []records.QueueEntry
	conflicts []records.QueueEntry
	queueSel  int // index into the list shown (queue or conflicts)
	queueErr  string
	loaded    bool
	queueSeq  int
	lastLoad  time.Time
	replica   ReplicaStatus
	replErr   string
	clock     time.Time

	query      Query
	results    []Summary
	resultsSel int
	searching  bool

	open        *crossingState
	crossingSeq int
	vp          viewport.Model

	replay    *replay
	replayGen int
	// after schedules a replay tick: tea.Tick, replaced in tests that
	// deliver the ticks themselves.
	after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd

	dialog dialog
	status Status
	// alone: the screens show one crossing opened with Open, without the
	// queue (which is then never read).
	alone bool
	// saving holds the crossings with a determination on its way: a
	// second one from this workstation waits for it.
	saving map[string]bool
}

// New builds the secondary screens. ctx bounds every store call and write.
func New(ctx context.Context, sh *Shared, cfg Config, deps Deps) *Model {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.HistoryLimit <= 0 {
		cfg.HistoryLimit = 10
	}
	if cfg.SearchLimit <= 0 {
		cfg.SearchLimit = 50
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
	m := &Model{sh: sh, cfg: cfg, deps: deps, ctx: ctx, log: deps.Logger, width: 80, height: 21,
		saving: map[string]bool{}, after: tea.Tick}
	m.vp = viewport.New()
	m.vp.SoftWrap = false
	m.clock = sh.Now()
	return m
}

// Start opens the queue for the officer who just signed in and loads it.
func (m *Model) Start(officer string) tea.Cmd {
	m.officer = officer
	m.screen, m.dialog, m.open, m.replay = screenQueue, nil, nil, nil
	m.queueSel = 0
	m.clock = m.sh.Now()
	return m.loadQueue()
}

// Open shows one crossing's record by itself for officer, as the open
// crossing without the queue: for a workstation that opens crossings from
// its own screens (the supervisor's drill-down). The opening is audited
// ("view") like one from the queue. esc steps back from a replay to the
// record, and from the record returns a Status with Closed set: the
// caller then drops the view. The queue is never read.
func (m *Model) Open(officer, id string) tea.Cmd {
	m.officer, m.alone = officer, true
	m.screen, m.back, m.dialog, m.replay = screenCrossing, screenCrossing, nil, nil
	m.clock = m.sh.Now()
	return m.openCrossing(id)
}

// Modal reports whether a dialog has the keyboard (the root then leaves
// keys such as ? to it).
func (m *Model) Modal() bool { return m.dialog != nil }

// Tick advances the clock the waiting times are shown against; every ten
// seconds it also re-reads the queue, in case a change notice was missed.
func (m *Model) Tick(t time.Time) tea.Cmd {
	m.clock = t
	if m.officer != "" && t.Sub(m.lastLoad) >= 10*time.Second {
		m.lastLoad = t
		return m.loadQueue()
	}
	return nil
}

// SetSize is the size of the body (between the root's header and status).
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.dialog != nil {
		m.dialog.SetSize(w, h)
	}
	m.layoutCrossing()
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
	case ReplicaChangedMsg:
		return m.onReplicaChanged(msg)
	case queueMsg:
		m.onQueue(msg)
		return nil
	case crossingMsg:
		m.onCrossing(msg)
		return nil
	case searchMsg:
		m.onSearch(msg)
		return nil
	case writtenMsg:
		return m.onWritten(msg)
	case auditFailedMsg:
		m.log.Error("secondary: audit", "action", msg.what, "err", msg.err)
		m.status = Status{Err: true, Text: "✖ audit " + msg.what + " not recorded: " + msg.err.Error()}
		return nil
	case replayTickMsg:
		if m.replay == nil || msg.gen != m.replay.gen {
			return nil
		}
		return m.replay.advance(m.sh.Now(), m.after)
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
	case screenQueue, screenConflicts:
		a = m.queueKey(kp)
	case screenSearch:
		a = m.searchKey(kp)
	case screenCrossing:
		a = m.crossingKey(kp)
	case screenReplay:
		return m.replayKey(kp)
	}
	return m.perform(a)
}

func (m *Model) onReplicaChanged(msg ReplicaChangedMsg) tea.Cmd {
	cmds := []tea.Cmd{m.loadQueue()}
	if m.open != nil && (msg.Crossings == nil || slices.Contains(msg.Crossings, m.open.id)) {
		cmds = append(cmds, m.loadCrossing(m.open.id))
	}
	return tea.Batch(cmds...)
}

func (m *Model) onQueue(msg queueMsg) {
	if msg.seq != m.queueSeq {
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
		m.queueErr = msg.err.Error()
		m.log.Error("secondary: queue", "err", msg.err)
		return
	}
	// Keep the selection on the same crossing when the list changes
	// under it.
	selID := m.selectedEntryID()
	m.queue, m.conflicts, m.queueErr, m.loaded = msg.queue, msg.conflicts, "", true
	m.queueSel = 0
	for i, e := range m.entries() {
		if e.CrossingID == selID {
			m.queueSel = i
		}
	}
}

func (m *Model) onCrossing(msg crossingMsg) {
	if m.open == nil || m.open.id != msg.id || msg.seq != m.crossingSeq {
		return
	}
	cs := m.open
	if msg.err != nil {
		cs.err = msg.err.Error()
		m.status = Status{Err: true, Text: "✖ " + cs.err}
		return
	}
	cs.events, cs.c, cs.timeline, cs.photos, cs.loaded, cs.err = msg.events, msg.c, msg.timeline, msg.photos, true, ""
	cs.history, cs.historyErr = msg.history, ""
	if msg.historyErr != nil {
		cs.historyErr = msg.historyErr.Error()
	}
	m.clock = m.sh.Now()
	m.layoutCrossing()
	if m.replay != nil && m.replay.id == cs.id {
		m.replay.entries = cs.timeline
	}
}

func (m *Model) onSearch(msg searchMsg) {
	if msg.q != m.query {
		return
	}
	m.searching = false
	if msg.err != nil {
		m.status = Status{Err: true, Text: "✖ " + msg.err.Error()}
		return
	}
	m.results, m.resultsSel = msg.results, 0
}

func (m *Model) onWritten(msg writtenMsg) tea.Cmd {
	if msg.determination {
		delete(m.saving, msg.crossing)
	}
	if msg.err != nil {
		m.log.Error("secondary: write", "what", msg.what, "crossing", msg.crossing, "err", msg.err)
		m.status = Status{Err: true, Text: "✖ " + msg.what + " NOT saved: " + msg.err.Error(), Wrote: true, WriteErr: msg.err}
		return nil
	}
	m.status = Status{Text: "✔ saved: " + msg.what, Wrote: true}
	cmds := []tea.Cmd{m.loadQueue()}
	if m.open != nil && m.open.id == msg.crossing {
		cmds = append(cmds, m.loadCrossing(msg.crossing))
	}
	return tea.Batch(cmds...)
}

// perform carries out what a screen or dialog asked for. A write is
// checked against the crossing as it is at this moment.
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
		return tea.Batch(m.searchCmd(a.q), m.audit("search", a.q.describe()))
	case replayAction:
		return m.startReplay()
	case takeAction:
		return m.take(a.crossing)
	case findingAction:
		return m.write(a.crossing, "finding ("+a.finding.Category.Label()+")", a.finding)
	case lssRequestAction:
		return m.write(a.crossing, "LSS reachback requested", a.req)
	case lssAnswerAction:
		return m.write(a.crossing, "LSS answer "+a.ans.Code.String(), a.ans)
	case determineAction:
		return m.determine(a)
	}
	m.log.Error("secondary: unknown action", "action", a)
	return nil
}

func (m *Model) openCrossing(id string) tea.Cmd {
	if m.screen != screenCrossing && m.screen != screenReplay {
		m.back = m.screen
	}
	m.open = &crossingState{id: id}
	m.replay = nil
	m.screen = screenCrossing
	m.vp.SetYOffset(0)
	m.layoutCrossing()
	return tea.Batch(m.loadCrossing(id), m.audit("view", "crossing "+id))
}

func (m *Model) goBack() tea.Cmd {
	switch m.screen {
	case screenReplay:
		m.replay = nil
		m.screen = screenCrossing
		return nil
	case screenCrossing:
		m.open = nil
		if m.alone {
			m.status.Closed = true
			return nil
		}
		m.screen = m.back
		if m.screen == screenCrossing || m.screen == screenReplay {
			m.screen = screenQueue
		}
		return m.loadQueue()
	case screenSearch, screenConflicts:
		m.screen, m.queueSel = screenQueue, 0
	}
	return nil
}

// take assigns the crossing to the officer signed in.
func (m *Model) take(id string) tea.Cmd {
	by := m.takenByOf(id)
	if m.isMe(by) {
		m.status = Status{Text: "already taken by you"}
		return nil
	}
	what := "taken"
	if by != "" {
		what = "taken over from " + by
	}
	return m.write(id, what, records.SecondaryTaken{})
}

// takenByOf is who holds the crossing's referral as this screen knows it.
func (m *Model) takenByOf(id string) string {
	if m.open != nil && m.open.id == id && m.open.c != nil {
		return m.open.takenBy()
	}
	for _, e := range append(slices.Clone(m.queue), m.conflicts...) {
		if e.CrossingID == id {
			return e.TakenBy
		}
	}
	return ""
}

// me is how this officer's takes read: officer@workstation.
func (m *Model) me() string { return m.officer + "@" + m.cfg.Workstation }

// isMe reports whether by (officer@workstation as the record says) is the
// officer signed in here; a record without the origin names the badge alone.
func (m *Model) isMe(by string) bool { return by != "" && (by == m.me() || by == m.officer) }

func (m *Model) determine(a determineAction) tea.Cmd {
	cs := m.open
	if cs == nil || cs.id != a.crossing || cs.c == nil {
		m.status = Status{Err: true, Text: "✖ determination NOT saved: the crossing is no longer open"}
		return nil
	}
	if m.saving[cs.id] {
		m.status = Status{Err: true, Text: "… still saving the last determination"}
		return nil
	}
	if ok, why := cs.c.CanDetermine(a.det.Outcome); !ok {
		m.status = Status{Err: true, Text: "✖ cannot record " + a.det.Outcome.Label() + ": " + why}
		return nil
	}
	// A correction must name a determination that stands now: one that
	// arrived meanwhile makes it a conflict the officer has not seen.
	if cur := cs.current(); len(cur) > 0 && !slices.ContainsFunc(cur, func(s records.Stamped[records.Determination]) bool {
		return s.EventID == a.det.Supersedes
	}) {
		m.status = Status{Err: true, Text: "✖ determination NOT saved: the record changed while the dialog was open — press d again"}
		return nil
	}
	m.saving[cs.id] = true
	return m.write(cs.id, "determination: "+detText(a.det), a.det)
}

// entries is the list the queue screen shows now.
func (m *Model) entries() []records.QueueEntry {
	if m.screen == screenConflicts {
		return m.conflicts
	}
	return m.queue
}

func (m *Model) selectedEntryID() string {
	es := m.entries()
	if m.queueSel >= 0 && m.queueSel < len(es) {
		return es[m.queueSel].CrossingID
	}
	return ""
}

// ShortHelp is the help bar of the screen or dialog showing.
func (m *Model) ShortHelp() []key.Binding {
	if m.dialog != nil {
		return m.dialog.ShortHelp()
	}
	k := m.sh.Keys
	switch m.screen {
	case screenQueue:
		return enabled(k.Open, k.Take, k.Search, k.Conflicts, k.Help)
	case screenConflicts:
		return enabled(k.Open, k.Search, k.Back, k.Help)
	case screenSearch:
		return enabled(k.Open, k.Search, k.Back, k.Help)
	case screenCrossing:
		return enabled(k.Finding, k.LSS, k.Determine, k.Take, k.Replay, k.Back, k.Help)
	case screenReplay:
		return enabled(k.Toggle, k.NextField, k.Replay, k.Back)
	}
	return nil
}

// FullHelp is every key of the secondary screens, for the help screen.
func (m *Model) FullHelp() [][]key.Binding {
	if m.dialog != nil {
		return m.dialog.FullHelp()
	}
	k := m.sh.Keys
	return [][]key.Binding{
		enabled(k.Up, k.Down, k.Open, k.Take, k.Search, k.Conflicts, k.Back),
		enabled(k.Finding, k.LSS, k.Determine, k.Replay, k.PageUp, k.PageDown),
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
	case screenQueue, screenConflicts:
		body = m.queueView()
	case screenSearch:
		body = m.searchView()
	case screenCrossing:
		body = m.crossingView()
	case screenReplay:
		body = m.replayView()
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
