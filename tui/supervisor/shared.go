package supervisor

import (
	"context"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"

	"github.com/portofentry/booth/tui/secondary"
)

// Keys are the supervisor screens' bindings. The tui root builds them from
// its KeyMap, so the config's [keys] table rebinds them like every other
// action. None of them writes a record: the console has no write key.
type Keys struct {
	Up, Down         key.Binding
	PageUp, PageDown key.Binding
	Open             key.Binding // enter: open the selected crossing
	Back             key.Binding // esc: back to the dashboard
	Search           key.Binding // search; the audit log's filter
	AuditLog         key.Binding
	NextPanel        key.Binding // the dashboard's next panel
	Replay           key.Binding // the open crossing's timeline replay
	Toggle           key.Binding // the replay's speed, 1× or 10×
	// Handled by the root, listed in this screen's help.
	Help, Lock, Logout, Quit key.Binding
	// Dialogs.
	Confirm, Cancel, NextField, PrevField key.Binding
}

// Styles are the styles the supervisor screens draw with: the secondary
// screens' (one theme for the whole program, and the drill-down is the
// secondary's crossing view).
type Styles = secondary.Styles

// Shared is what every supervisor screen and dialog sees: keys, styles, the
// clock. The root owns it and updates it in place (a theme change is seen
// by every screen at once).
type Shared struct {
	Keys   Keys
	Styles Styles
	Now    func() time.Time
}

// Config is what the supervisor screens need from the configuration.
type Config struct {
	Workstation string
	Port        string
	// Timeout bounds each store call (default 5 s).
	Timeout time.Duration
	// Refresh is how often the dashboard reloads without a change notice
	// (default 2 s: a device unplugged at a booth shows within seconds).
	Refresh time.Duration
	// SearchLimit and AuditLimit bound the lists (default 200 and 500).
	SearchLimit, AuditLimit int
	// StaleAfter is how old the replica may be before the dashboard says
	// so (default 1 min).
	StaleAfter time.Duration
}

// Deps are the supervisor screens' collaborators.
type Deps struct {
	Store Store
	// Audit records a view or a search in the audit chain (officer,
	// action, subject). The console writes nothing else.
	Audit  func(ctx context.Context, badge, action, subject string) error
	Logger *slog.Logger
}

// newInput is a text field with a steady cursor (no blink timer while the
// supervisor types).
func (s *Shared) newInput(prompt, placeholder string, limit int) textinput.Model {
	in := textinput.New()
	st := textinput.DefaultStyles(s.Styles.Dark)
	st.Cursor.Blink = false
	in.SetStyles(st)
	in.Prompt = prompt
	in.Placeholder = placeholder
	in.CharLimit = limit
	return in
}
