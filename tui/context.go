package tui

import (
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
)

// common is what every screen and dialog shares, handed to each instead of
// the root model: the configuration, the keys, the styles, the terminal size
// and the clock. The root owns it; a theme change or a resize is seen by
// every screen at once.
type common struct {
	cfg    Config
	keys   KeyMap
	styles Styles
	dark   bool
	help   help.Model
	// width and height are the terminal's.
	width, height int
	now           func() time.Time
}

func (c *common) setStyles() {
	c.styles = NewStyles(c.dark, c.cfg.NoColor)
	c.help.Styles = c.styles.Help
}

// newInput is a text field with a steady (non-blinking) cursor: a calm
// screen, and no timer messages while an officer types.
func (c *common) newInput() textinput.Model {
	in := textinput.New()
	st := textinput.DefaultStyles(c.dark)
	st.Cursor.Blink = false
	in.SetStyles(st)
	return in
}
