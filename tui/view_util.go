package tui

import (
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"
)

// truncate cuts s (which may hold ANSI styles) to w cells.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if visibleWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// pad cuts or pads s to exactly w cells.
func pad(s string, w int) string {
	n := visibleWidth(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = visibleWidth(s)
	}
	if n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// widthMemo remembers the width of long styled lines (face images are
// hundreds of escape sequences per line and are drawn on every frame).
// It is cleared when full, so it stays small.
var widthMemo = struct {
	sync.Mutex
	m map[string]int
}{m: map[string]int{}}

const memoMinLen, memoMax = 256, 512

// visibleWidth is the width of s in terminal cells.
func visibleWidth(s string) int {
	if len(s) < memoMinLen {
		return ansi.StringWidth(s)
	}
	widthMemo.Lock()
	w, ok := widthMemo.m[s]
	widthMemo.Unlock()
	if ok {
		return w
	}
	w = ansi.StringWidth(s)
	widthMemo.Lock()
	if len(widthMemo.m) >= memoMax {
		clear(widthMemo.m)
	}
	widthMemo.m[s] = w
	widthMemo.Unlock()
	return w
}

// padRight pads plain text to w cells.
func padRight(s string, w int) string { return pad(s, w) }

// fitHeight cuts or pads a block to exactly h lines.
func fitHeight(s string, h int) string {
	if n := strings.Count(s, "\n") + 1; n == h {
		return s
	} else if n < h {
		return s + strings.Repeat("\n", h-n)
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// stack joins blocks top to bottom, skipping empty ones.
func stack(parts ...string) string {
	var b strings.Builder
	n := 0
	for _, p := range parts {
		n += len(p) + 1
	}
	b.Grow(n)
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p)
	}
	return b.String()
}

// panel draws a framed box of exactly w×h cells with the title in the top
// edge. Content lines are cut to fit; a cut list says how much is hidden.
func (c *common) panel(title string, lines []string, w, h int, focused bool) string {
	if w < 4 || h < 2 {
		return ""
	}
	bs := c.styles.Border
	if focused {
		bs = c.styles.Focused
	}
	inner := w - 4
	var b strings.Builder
	size := 4 * w * h // frame characters are 3 bytes, plus styles
	for _, l := range lines {
		size += len(l)
	}
	b.Grow(size)
	t := truncate(title, max(w-6, 0))
	b.WriteString(bs.Render("┌─ "))
	b.WriteString(c.styles.Title.Render(t))
	b.WriteString(bs.Render(" " + strings.Repeat("─", max(w-5-ansi.StringWidth(t), 0)) + "┐"))
	rows := h - 2
	if len(lines) > rows && rows > 0 {
		hidden := len(lines) - rows + 1
		lines = append(lines[:rows-1:rows-1], c.styles.Dim.Render("… "+itoa(hidden)+" more"))
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

// sideBySide joins panels left to right. Panels are exact boxes of the same
// height, so lines are simply concatenated.
func sideBySide(blocks ...string) string {
	cols := make([][]string, len(blocks))
	rows := 0
	for i, b := range blocks {
		cols[i] = strings.Split(b, "\n")
		rows = max(rows, len(cols[i]))
	}
	var sb strings.Builder
	n := 0
	for _, b := range blocks {
		n += len(b)
	}
	sb.Grow(n + rows)
	for r := 0; r < rows; r++ {
		if r > 0 {
			sb.WriteByte('\n')
		}
		for _, c := range cols {
			if r < len(c) {
				sb.WriteString(c[r])
			}
		}
	}
	return sb.String()
}
