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
		st.Title.Render("SYMBOLS"))
	symbols, readOnly := helpSymbols(s.cfg.Role)
	lines = append(lines, symbols...)
	if s.readOnly() {
		lines = append(lines, "", st.Warn.Render(readOnly))
	}
	return st.Dialog.Width(w).Render(strings.Join(lines, "\n"))
}

// helpSymbols are the help screen's symbol lines and its read-only note for
// this kind of workstation.
func helpSymbols(role string) (symbols []string, readOnly string) {
	if role == "secondary" {
		return []string{
				"✔ done, adjudicated   ✖ alarm, refused   ⚠ conflict, stale, not acked",
				"☢RPM radiation alarm   ⚠LOOK lookout hit   ▶ you: taken by you",
				"Admitted needs each RPM alarm adjudicated with LSS's coded answer (l).",
				"Two determinations that do not supersede each other are a conflict (c).",
			},
			"READ-ONLY: take, findings, LSS reachback and determinations are not bound."
	}
	return []string{
			"✔ good / done   ✖ failed or alarm   ⚠ needs attention   ? unknown   [ACK?] alert to acknowledge",
			"A vehicle can be admitted once every alert is acknowledged; an RPM alarm always goes to secondary.",
		},
		"READ-ONLY: admit, refer, acknowledge, notes and corrections are not bound."
}
