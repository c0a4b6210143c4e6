package secondary

import (
	"context"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// Keys are the secondary screens' bindings. The tui root builds them from its
// KeyMap (so the config's [keys] table rebinds them like every other action,
// and read-only mode unbinds the writes).
type Keys struct {
	Up, Down         key.Binding
	PageUp, PageDown key.Binding
	Open             key.Binding // enter: open the selected crossing
	Back             key.Binding // esc: back to the queue
	Take             key.Binding
	Search           key.Binding
	Conflicts        key.Binding // the queue's conflicts view
	Finding          key.Binding
	LSS              key.Binding
	Determine        key.Binding
	Replay           key.Binding
	// Handled by the root, listed in this screen's help.
	Help, Lock, Logout, Quit key.Binding
	// Dialogs.
	Confirm, Cancel, Toggle, NextField, PrevField key.Binding
}

// Styles are the styles the secondary screens draw with, copied from the
// root's (one theme for the whole program). Colour only reinforces meaning:
// every marker also has a symbol or a word.
type Styles struct {
	Border, Focused  lipgloss.Style
	Title, Label     lipgloss.Style
	Value, Dim       lipgloss.Style
	OK, Bad, Warn    lipgloss.Style
	Banner, Selected lipgloss.Style
	Dialog           lipgloss.Style
	Help             help.Styles
	// Color is false when drawing without colour: the gallery photo is
	// then described in words.
	Color bool
	// Dark is the background the text inputs are styled for.
	Dark bool
}

// Shared is what every secondary screen and dialog sees: keys, styles and
// the clock. The root owns it and updates it in place (a theme change is seen
// by every screen at once).
type Shared struct {
	Keys   Keys
	Styles Styles
	// Now is the clock; tests fix it. The replay's ticks read it, so a test
	// that advances it controls the playback.
	Now func() time.Time
}

// Config is what the secondary screens need from the configuration.
type Config struct {
	Workstation string
	Port        string
	// ReadOnly: the write keys are unbound (the root already unbound them
	// in Keys); the screens say so.
	ReadOnly bool
	// Timeout bounds each store call and write (default 5 s).
	Timeout time.Duration
	// HistoryLimit is how many earlier crossings to show (default 10).
	HistoryLimit int
	// SearchLimit is how many search results to show (default 50).
	SearchLimit int
	// StaleAfter is how old the replica may be before the screen says it
	// is stale (default 1 min).
	StaleAfter time.Duration
}

// Deps are the secondary screens' collaborators.
type Deps struct {
	Store Store
	Log   Log
	// Audit records a view or a search in the audit chain (officer, action,
	// subject); nil audits nothing.
	Audit  func(ctx context.Context, badge, action, subject string) error
	Logger *slog.Logger
}

// newInput is a text field with a steady cursor (no blink timer while an
// officer types).
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
