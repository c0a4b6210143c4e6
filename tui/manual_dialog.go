package tui

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/records/mrz"
)

// manualDialog keys a document by hand when the reader fails: the MRZ lines
// (preferred: the check digits are verified) or the data page fields.
type manualDialog struct {
	*common
	inputs []textinput.Model
	labels []string
	focus  int
	err    string
	width  int
}

const mrzInputs = 3

var manualFields = []string{"Doc code", "Issuing state", "Number", "Surname", "Given names", "Nationality", "Birth date", "Sex", "Expiry date"}

func newManualDialog(c *common) *manualDialog {
	d := &manualDialog{common: c}
	for i := 0; i < mrzInputs; i++ {
		d.labels = append(d.labels, fmt.Sprintf("MRZ line %d", i+1))
	}
	d.labels = append(d.labels, manualFields...)
	for range d.labels {
		in := c.newInput()
		in.Prompt = ""
		in.CharLimit = 44
		d.inputs = append(d.inputs, in)
	}
	d.inputs[mrzInputs+6].Placeholder = "YYYY-MM-DD"
	d.inputs[mrzInputs+8].Placeholder = "YYYY-MM-DD"
	d.inputs[mrzInputs+7].Placeholder = "F, M or X"
	d.inputs[0].Focus()
	return d
}

// Crossing is "": the document goes to the crossing at the booth when it is
// submitted.
func (d *manualDialog) Crossing() string { return "" }

func (d *manualDialog) SetSize(w, _ int) {
	d.width = w
	for i := range d.inputs {
		d.inputs[i].SetWidth(dialogWidth(w, 66) - 20)
	}
}

func (d *manualDialog) ShortHelp() []key.Binding {
	k := d.keys
	return []key.Binding{k.Confirm, k.NextField, k.PrevField, k.Cancel}
}
func (d *manualDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

func (d *manualDialog) Update(msg tea.Msg) (action, tea.Cmd) {
	k := d.keys
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, k.Cancel):
			return closeAction{}, nil
		case key.Matches(kp, k.Confirm):
			p, err := d.parse(d.now())
			if err != nil {
				d.err = err.Error()
				return nil, nil
			}
			return manualAction{doc: p}, nil
		case key.Matches(kp, k.NextField, k.Down, k.PrevField, k.Up) && !isLetter(kp, k):
			step := 1
			if key.Matches(kp, k.PrevField, k.Up) {
				step = -1
			}
			d.inputs[d.focus].Blur()
			d.focus = (d.focus + step + len(d.inputs)) % len(d.inputs)
			return nil, d.inputs[d.focus].Focus()
		}
	}
	var cmd tea.Cmd
	d.inputs[d.focus], cmd = d.inputs[d.focus].Update(msg)
	return nil, cmd
}

// isLetter reports a printable key (j, k…) that must go into the text field
// even when a navigation binding also uses it.
func isLetter(kp tea.KeyPressMsg, _ KeyMap) bool {
	return kp.Text != "" && kp.Mod == 0
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// parse validates the form into a document.keyed payload.
func (d *manualDialog) parse(now time.Time) (records.DocumentKeyed, error) {
	var lines []string
	for i := 0; i < mrzInputs; i++ {
		if v := strings.TrimSpace(d.inputs[i].Value()); v != "" {
			lines = append(lines, strings.ToUpper(v))
		}
	}
	if len(lines) > 0 {
		r, err := mrz.ParseLines(lines, now)
		if err != nil {
			if errors.Is(err, mrz.ErrNotMRZ) {
				return records.DocumentKeyed{}, fmt.Errorf("the MRZ lines do not form a document (2×44, 2×36 or 3×30 characters)")
			}
			return records.DocumentKeyed{}, fmt.Errorf("MRZ: %w", err)
		}
		return records.DocumentKeyed{Raw: lines, MRZ: r, Reason: "reader failed"}, nil
	}
	v := func(i int) string { return strings.ToUpper(strings.TrimSpace(d.inputs[mrzInputs+i].Value())) }
	f := records.KeyedFields{DocumentCode: v(0), IssuingState: v(1), Number: v(2), Surname: v(3), GivenNames: v(4),
		Nationality: v(5), BirthDate: v(6), Sex: v(7), ExpiryDate: v(8)}
	switch {
	case f.Number == "" && f.Surname == "":
		return records.DocumentKeyed{}, errors.New("key the MRZ lines, or at least the document number, issuing state, surname and birth date")
	case f.Number == "":
		return records.DocumentKeyed{}, errors.New("document number is required")
	case len(f.IssuingState) < 1 || len(f.IssuingState) > 3:
		return records.DocumentKeyed{}, errors.New("issuing state: 3-letter code, e.g. USA, MEX, D")
	case f.Surname == "":
		return records.DocumentKeyed{}, errors.New("surname is required")
	case !isoDate.MatchString(f.BirthDate):
		return records.DocumentKeyed{}, errors.New("birth date: YYYY-MM-DD")
	case f.ExpiryDate != "" && !isoDate.MatchString(f.ExpiryDate):
		return records.DocumentKeyed{}, errors.New("expiry date: YYYY-MM-DD")
	case f.Sex != "" && f.Sex != "F" && f.Sex != "M" && f.Sex != "X":
		return records.DocumentKeyed{}, errors.New("sex: F, M or X")
	}
	if f.IssuingState == "D" {
		f.IssuingState = "DEU"
	}
	if f.DocumentCode == "" {
		f.DocumentCode = "P"
	}
	return records.DocumentKeyed{Fields: &f, Reason: "reader failed"}, nil
}

func (d *manualDialog) View() string {
	st := d.styles
	lines := []string{st.Title.Render("KEY DOCUMENT BY HAND"), st.Dim.Render("MRZ lines (check digits verified) — or leave them empty and fill the fields"), ""}
	for i, in := range d.inputs {
		if i == mrzInputs {
			lines = append(lines, st.Dim.Render("── or data page fields ──"))
		}
		marker := "  "
		if i == d.focus {
			marker = "▸ "
		}
		lines = append(lines, marker+st.Label.Render(padRight(d.labels[i], 14))+in.View())
	}
	if d.err != "" {
		lines = append(lines, "", st.Bad.Render("✖ "+d.err))
	}
	return st.Dialog.Width(dialogWidth(d.width, 66)).Render(strings.Join(lines, "\n"))
}
