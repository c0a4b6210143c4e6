package tui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// truncate cuts s (which may hold ANSI styles) to w cells.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// pad cuts or pads s to exactly w cells.
func pad(s string, w int) string {
	s = truncate(s, w)
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// padRight pads plain text to w cells.
func padRight(s string, w int) string { return pad(s, w) }

// fitHeight cuts or pads a block to exactly h lines.
func fitHeight(s string, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func lipglossJoin(parts ...string) string {
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}

// panel draws a framed box of exactly w×h cells with the title in the top
// edge. Content lines are cut to fit; a cut list says how much is hidden.
func (m *Model) panel(title string, lines []string, w, h int, focused bool) string {
	if w < 4 || h < 2 {
		return ""
	}
	bs := m.styles.Border
	if focused {
		bs = m.styles.Focused
	}
	inner := w - 4
	var b strings.Builder
	t := truncate(title, max(w-6, 0))
	b.WriteString(bs.Render("┌─ "))
	b.WriteString(m.styles.Title.Render(t))
	b.WriteString(bs.Render(" " + strings.Repeat("─", max(w-5-ansi.StringWidth(t), 0)) + "┐"))
	rows := h - 2
	if len(lines) > rows && rows > 0 {
		hidden := len(lines) - rows + 1
		lines = append(lines[:rows-1:rows-1], m.styles.Dim.Render("… "+itoa(hidden)+" more"))
	}
	side := bs.Render("│")
	for i := 0; i < rows; i++ {
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		b.WriteString("\n" + side + " " + pad(line, inner) + " " + side)
	}
	b.WriteString("\n" + bs.Render("└"+strings.Repeat("─", w-2)+"┘"))
	return b.String()
}

// sideBySide joins blocks horizontally.
func sideBySide(blocks ...string) string {
	return lipgloss.JoinHorizontal(lipgloss.Top, blocks...)
}

func visibleWidth(s string) int { return ansi.StringWidth(s) }

// newInput is a text field with a steady (non-blinking) cursor: a calm
// screen, and no timer messages while an officer types.
func (m *Model) newInput() textinput.Model {
	in := textinput.New()
	st := textinput.DefaultStyles(m.dark)
	st.Cursor.Blink = false
	in.SetStyles(st)
	return in
}
