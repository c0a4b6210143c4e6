package tui

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// component is one screen (login, lock, primary) or dialog. The root model
// routes messages to the active one. A component changes only its own
// state; what it asks of the workstation (save a note, refer, sign in, open
// a dialog) comes back as an action the root carries out in the same
// Update.
type component interface {
	Update(msg tea.Msg) (action, tea.Cmd)
	View() string
	SetSize(width, height int)
	help.KeyMap
}

// dialog is a modal component on top of the base screen. The root closes it
// in the same Update in which it returns an action, so a second Enter can
// never submit it twice.
type dialog interface {
	component
	// Crossing is the crossing the dialog acts on; "" when it acts on none
	// or picks it when submitted. The root closes the dialog when that
	// crossing leaves the booth (or was never stored).
	Crossing() string
}

// action is what a component asks the root to do. Every action returned by
// a dialog closes it.
type action interface{ isAction() }

type (
	// closeAction closes a dialog with nothing to do.
	closeAction struct{}
	// statusAction shows a line on the status bar.
	statusAction struct {
		err  bool
		text string
	}
	// openAction opens a dialog.
	openAction struct{ d dialog }
	// signInAction checks a badge and PIN (unlock: the locked officer's).
	signInAction struct {
		badge  string
		pin    []byte
		unlock bool
	}
	// logoutAction ends the session.
	logoutAction struct{}
	// nextAction moves the booth to the next vehicle without a decision.
	nextAction struct{}
	// admitAction admits the crossing, if its state at that moment allows.
	admitAction struct{ crossing string }
	// ackAction acknowledges one alert.
	ackAction struct{ crossing, alert string }
	// referAction refers the crossing with the reasons the officer left
	// ticked; the root adds the mandatory ones of the crossing's state at
	// that moment.
	referAction struct {
		crossing string
		reasons  []string
		note     string
	}
	// noteAction adds a note.
	noteAction struct{ crossing, text string }
	// xrayAction records the baggage x-ray outcome.
	xrayAction struct{ crossing, outcome string }
	// plateAction confirms or corrects the plate.
	plateAction struct {
		crossing string
		pc       records.PlateConfirmed
	}
	// manualAction records a document keyed by hand on the crossing at the
	// booth (opening one when the booth is idle).
	manualAction struct{ doc records.DocumentKeyed }
)

func (closeAction) isAction()  {}
func (statusAction) isAction() {}
func (openAction) isAction()   {}
func (signInAction) isAction() {}
func (logoutAction) isAction() {}
func (nextAction) isAction()   {}
func (admitAction) isAction()  {}
func (ackAction) isAction()    {}
func (referAction) isAction()  {}
func (noteAction) isAction()   {}
func (xrayAction) isAction()   {}
func (plateAction) isAction()  {}
func (manualAction) isAction() {}
