package supervisor

import (
	"strings"

	"github.com/portofentry/booth/records"
)

// The console's audit entries: what the supervisor searched, which audit
// log they read, and the crossings they opened.

func searchAudit(badge string, t records.SearchTerms, found int) records.AuditEntry {
	return records.SearchAudit(badge, t, found)
}

func auditLogViewAudit(badge string, q records.AuditQuery, found int) records.AuditEntry {
	return records.AuditLogViewAudit(badge, q, found)
}

// viewEntry is the entry for what the drill-down's crossing view reports
// (it says "view", "crossing <id>"): the opening of that crossing on the
// supervisor console.
func viewEntry(badge, action, subject string) records.AuditEntry {
	if id, ok := strings.CutPrefix(subject, "crossing "); ok && action == records.AuditActionView {
		return records.ViewAudit(badge, id, "supervisor")
	}
	return records.AuditEntry{Officer: badge, Action: action, Subject: subject}
}
