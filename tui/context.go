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

	// sessionReadOnly is set while the officer signed in may not write
	// (a supervisor at a primary or secondary workstation): keys then holds
	// the read-only bindings and writeKeys the workstation's own.
	sessionReadOnly bool
	writeKeys       *KeyMap
}

// readOnly reports whether nothing on screen may change a record: the
// workstation is read-only, or the officer signed in is.
func (c *common) readOnly() bool { return c.cfg.ReadOnly || c.sessionReadOnly }

// setSessionReadOnly gives the session the read-only keys (every write
// action unbound), or back the workstation's keys.
func (c *common) setSessionReadOnly(ro bool) {
	if c.writeKeys == nil {
		k := c.keys
		c.writeKeys = &k
	}
	c.sessionReadOnly = ro
	if ro {
		c.keys = c.writeKeys.ReadOnly()
	} else {
		c.keys = *c.writeKeys
	}
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
