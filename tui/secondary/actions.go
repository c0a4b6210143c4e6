package secondary

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// dialog is a modal on top of the secondary screen. Its Update returns what
// the officer asked for as an action; the Model carries it out and closes the
// dialog in the same Update, so a second Enter can never submit it twice.
type dialog interface {
	Update(msg tea.Msg) (action, tea.Cmd)
	View() string
	SetSize(width, height int)
	help.KeyMap
	// Crossing is the crossing the dialog acts on ("" for none).
	Crossing() string
}

// action is what a screen or dialog asks the Model to do.
type action interface{ isAction() }

type (
	// closeAction closes a dialog with nothing to do.
	closeAction struct{}
	// statusAction shows a line on the status bar.
	statusAction struct {
		err  bool
		text string
	}
	// openDialogAction opens a dialog.
	openDialogAction struct{ d dialog }
	// openCrossingAction opens a crossing's full record.
	openCrossingAction struct{ id string }
	// backAction leaves the open crossing (or the search results) for the
	// queue.
	backAction struct{}
	// takeAction assigns the crossing to the officer signed in.
	takeAction struct{ crossing string }
	// searchAction runs a search of the replica.
	searchAction struct{ q Query }
	// findingAction records a secondary finding.
	findingAction struct {
		crossing string
		finding  records.SecondaryFinding
	}
	// lssRequestAction asks LSS reachback about an RPM alarm.
	lssRequestAction struct {
		crossing string
		req      records.LSSRequested
	}
	// lssAnswerAction records LSS's answer (given by phone until the
	// national tier exists).
	lssAnswerAction struct {
		crossing string
		ans      records.LSSAnswered
	}
	// determineAction records the final determination; whether it may be
	// saved is decided on the crossing as it is when carried out.
	determineAction struct {
		crossing string
		det      records.Determination
	}
	// replayAction starts the replay of the open crossing's timeline.
	replayAction struct{}
)

func (closeAction) isAction()        {}
func (statusAction) isAction()       {}
func (openDialogAction) isAction()   {}
func (openCrossingAction) isAction() {}
func (backAction) isAction()         {}
func (takeAction) isAction()         {}
func (searchAction) isAction()       {}
func (findingAction) isAction()      {}
func (lssRequestAction) isAction()   {}
func (lssAnswerAction) isAction()    {}
func (determineAction) isAction()    {}
func (replayAction) isAction()       {}
