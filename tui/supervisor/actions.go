package supervisor

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/portofentry/booth/records"
)

// dialog is a modal on top of a supervisor screen. Its Update returns what
// the supervisor asked for as an action; the Model carries it out and closes
// the dialog in the same Update, so a second Enter can never submit twice.
type dialog interface {
	Update(msg tea.Msg) (action, tea.Cmd)
	View() string
	SetSize(width, height int)
	help.KeyMap
}

// action is what a screen or dialog asks the Model to do. None writes a
// record.
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
	// openCrossingAction drills down into a crossing.
	openCrossingAction struct{ id string }
	// backAction leaves the screen for the one before (the dashboard).
	backAction struct{}
	// searchAction runs a search.
	searchAction struct{ q records.SearchTerms }
	// auditLogAction shows the audit log through a filter.
	auditLogAction struct{ q records.AuditQuery }
)

func (closeAction) isAction()        {}
func (statusAction) isAction()       {}
func (openDialogAction) isAction()   {}
func (openCrossingAction) isAction() {}
func (backAction) isAction()         {}
func (searchAction) isAction()       {}
func (auditLogAction) isAction()     {}
