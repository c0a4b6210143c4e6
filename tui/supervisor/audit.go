package supervisor

import (
	"strconv"

	"github.com/portofentry/booth/records"
)

// The console's audit entries: what the supervisor searched and which
// audit log they read (opening a crossing is audited by the drill-down's
// crossing view).

func searchAudit(badge string, t SearchTerms, found int) records.AuditEntry {
	return records.AuditEntry{Officer: badge, Action: "search", Subject: t.String() + " (" + strconv.Itoa(found) + " found)"}
}

func auditLogViewAudit(badge string, q AuditQuery, found int) records.AuditEntry {
	return records.AuditEntry{Officer: badge, Action: "audit_view", Subject: q.String() + " (" + strconv.Itoa(found) + " entries)"}
}
