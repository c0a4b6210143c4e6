package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// dialogWidth is the width of modal dialogs, bounded by the terminal.
func dialogWidth(screenW, want int) int { return max(min(want, screenW-2), 30) }

// helpScreen is the full help (?), generated from the keymap.
type helpScreen struct {
	*common
	screenKeys [][]key.Binding
	width      int
}

func newHelpScreen(c *common, screenKeys [][]key.Binding) *helpScreen {
	return &helpScreen{common: c, screenKeys: screenKeys}
}

func (s *helpScreen) Crossing() string { return "" }
func (s *helpScreen) SetSize(w, _ int) { s.width = w }
func (s *helpScreen) ShortHelp() []key.Binding {
	return []key.Binding{s.keys.Cancel, s.keys.Help}
}
func (s *helpScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *helpScreen) Update(msg tea.Msg) (action, tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok && key.Matches(kp, s.keys.Cancel, s.keys.Help, s.keys.Confirm) {
		return closeAction{}, nil
	}
	return nil, nil
}

func (s *helpScreen) View() string {
	h := s.help
	h.ShowAll = true
	w := dialogWidth(s.width, 76)
	h.SetWidth(w - 4)
	st, k := s.styles, s.keys
	lines := []string{st.Title.Render("KEYS")}
	lines = append(lines, strings.Split(h.FullHelpView(s.screenKeys), "\n")...)
	lines = append(lines, "",
		st.Title.Render("IN DIALOGS"),
		h.FullHelpView([][]key.Binding{{k.Confirm, k.Cancel}, {k.Toggle, k.NextField, k.PrevField}}),
		"",
		st.Title.Render("SYMBOLS"),
		"✔ good / done   ✖ failed or alarm   ⚠ needs attention   ? unknown   [ACK?] alert to acknowledge",
		"A vehicle can be admitted once every alert is acknowledged; an RPM alarm always goes to secondary.")
	if s.readOnly() {
		lines = append(lines, "", st.Warn.Render("READ-ONLY: admit, refer, acknowledge, notes and corrections are not bound."))
	}
	return st.Dialog.Width(w).Render(strings.Join(lines, "\n"))
}
