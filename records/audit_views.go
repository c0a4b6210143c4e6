package records

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Views are audited on every role (docs/design.md §6 and §8): opening a
// crossing, every search with its terms and every look at the audit log
// become entries of the workstation's audit chain. These helpers build the
// entries; the store appends them (Store.Audit) as the system, with the
// signed-in officer's badge.

// Audit actions of views.
const (
	AuditActionView      = "view"
	AuditActionSearch    = "search"
	AuditActionAuditView = "audit_view"
	// AuditActionAuditRead is the port server's own entry for each read of
	// the audit log by a supervisor console.
	AuditActionAuditRead = "audit_read"
)

// AuditQuery filters the audit log: by officer (badge), action and
// workstation (origin), and a time range on At (zero bounds are open).
// Limit 0 means the store's default.
type AuditQuery struct {
	Officer string    `json:"officer,omitempty"`
	Action  string    `json:"action,omitempty"`
	Origin  string    `json:"origin,omitempty"`
	Since   time.Time `json:"since,omitzero"`
	Until   time.Time `json:"until,omitzero"`
	Limit   int       `json:"limit,omitempty"`
}

// String is the query as audited and shown: "officer=B100 action=view
// since=2026-11-25T08:00:00Z", "all" when nothing filters.
func (q AuditQuery) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("officer", q.Officer)
	add("action", q.Action)
	add("origin", q.Origin)
	add("since", fmtTime(q.Since))
	add("until", fmtTime(q.Until))
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, " ")
}

// SearchTerms is a crossing search: by document (number, optionally
// "COUNTRY/NUMBER"), by surname and birth date (given names narrow it), or
// by plate (region narrows it), each optionally within a range of opening
// times [From, To); the range alone lists the crossings opened in it.
type SearchTerms struct {
	Document  string    `json:"document,omitempty"`
	Surname   string    `json:"surname,omitempty"`
	Given     string    `json:"given,omitempty"`
	BirthDate string    `json:"birth_date,omitempty"` // YYYY-MM-DD
	Plate     string    `json:"plate,omitempty"`
	Region    string    `json:"region,omitempty"`
	From      time.Time `json:"from,omitzero"`
	To        time.Time `json:"to,omitzero"`
}

// ErrInvalidSearch wraps the reason search terms cannot be run.
var ErrInvalidSearch = fmt.Errorf("%w: search", ErrInvalidPayload)

// Validate checks the terms: exactly one of document, name + birth date or
// plate, or a date range alone; a birth date as YYYY-MM-DD; a range that
// ends after it starts.
func (t SearchTerms) Validate() error {
	n := 0
	doc, name, plate := strings.TrimSpace(t.Document) != "", strings.TrimSpace(t.Surname) != "", strings.TrimSpace(t.Plate) != ""
	for _, b := range []bool{doc, name, plate} {
		if b {
			n++
		}
	}
	switch {
	case n > 1:
		return fmt.Errorf("%w: search by one of document, name and birth date, or plate", ErrInvalidSearch)
	case name && strings.TrimSpace(t.BirthDate) == "":
		return fmt.Errorf("%w: a name search needs the birth date", ErrInvalidSearch)
	case !name && (t.BirthDate != "" || t.Given != ""):
		return fmt.Errorf("%w: given names and birth date go with a surname", ErrInvalidSearch)
	case !plate && t.Region != "":
		return fmt.Errorf("%w: a region goes with a plate", ErrInvalidSearch)
	case n == 0 && t.From.IsZero() && t.To.IsZero():
		return fmt.Errorf("%w: give a document, a name and birth date, a plate or a date range", ErrInvalidSearch)
	case !t.From.IsZero() && !t.To.IsZero() && !t.To.After(t.From):
		return fmt.Errorf("%w: the date range ends (%s) before it starts (%s)", ErrInvalidSearch, fmtTime(t.To), fmtTime(t.From))
	}
	if name {
		if _, err := time.Parse(time.DateOnly, strings.TrimSpace(t.BirthDate)); err != nil {
			return fmt.Errorf("%w: birth date %q is not YYYY-MM-DD", ErrInvalidSearch, t.BirthDate)
		}
	}
	return nil
}

// String is the terms as audited and shown: "document=L898902C3",
// "surname=ERIKSSON birth_date=1974-08-12", "plate=ABC123 from=… to=…".
func (t SearchTerms) String() string {
	var parts []string
	add := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("document", t.Document)
	add("surname", t.Surname)
	add("given", t.Given)
	add("birth_date", t.BirthDate)
	add("plate", t.Plate)
	add("region", t.Region)
	add("from", fmtTime(t.From))
	add("to", fmtTime(t.To))
	return strings.Join(parts, " ")
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// detailJSON encodes a small detail object; the values are plain strings
// and numbers, which always encode.
func detailJSON(kv map[string]any) json.RawMessage {
	b, err := json.Marshal(kv)
	if err != nil {
		return json.RawMessage(`{}`)
	}
	return b
}

// ViewAudit is the entry for opening a crossing. what says which screen
// opened it ("supervisor", "secondary", "history"…).
func ViewAudit(officer, crossingID, what string) AuditEntry {
	return AuditEntry{Officer: officer, Action: AuditActionView, Subject: crossingID,
		Detail: detailJSON(map[string]any{"screen": what})}
}

// SearchAudit is the entry for a search an officer ran, with its terms
// and how many crossings it found.
func SearchAudit(officer string, t SearchTerms, results int) AuditEntry {
	terms := map[string]any{}
	raw, _ := json.Marshal(t) // plain strings and times: cannot fail
	_ = json.Unmarshal(raw, &terms)
	return AuditEntry{Officer: officer, Action: AuditActionSearch, Subject: t.String(),
		Detail: detailJSON(map[string]any{"terms": terms, "results": results})}
}

// HistoryLookupAudit is the entry for a history look-up the primary screen
// makes for a vehicle: subject names what was looked up ("document:UTO/L898902C3",
// "name:ERIKSSON/1974-08-12", "plate:US-AZ/ABC123"), crossingID the crossing
// it was made for.
func HistoryLookupAudit(officer, subject, crossingID string, results int) AuditEntry {
	return AuditEntry{Officer: officer, Action: AuditActionSearch, Subject: subject,
		Detail: detailJSON(map[string]any{"screen": "primary", "crossing": crossingID, "results": results})}
}

// AuditLogViewAudit is the entry for a look at the audit log with a query.
func AuditLogViewAudit(officer string, q AuditQuery, results int) AuditEntry {
	return AuditEntry{Officer: officer, Action: AuditActionAuditView, Subject: "audit-log " + q.String(),
		Detail: detailJSON(map[string]any{"query": q.String(), "results": results, "limit": q.Limit})}
}
