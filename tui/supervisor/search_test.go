package supervisor

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/tui/secondary"
)

func TestParseSearch(t *testing.T) {
	day := func(s string) time.Time {
		d, _ := time.ParseInLocation(dateLayout, s, time.Local)
		return d
	}
	tests := []struct {
		name                                 string
		doc, surname, birth, plate, from, to string
		want                                 records.SearchTerms
		err                                  string
	}{
		{"document", " l898902c3 ", "", "", "", "", "", records.SearchTerms{Document: "L898902C3"}, ""},
		{"name and birth", "", "garcia  lopez", "1984-03-17", "", "", "", records.SearchTerms{Surname: "GARCIA LOPEZ", BirthDate: "1984-03-17"}, ""},
		{"plate with region", "", "", "", "us-ca/7abc123", "", "", records.SearchTerms{Region: "US-CA", Plate: "7ABC123"}, ""},
		{"plate alone", "", "", "", "7 ABC 123", "", "", records.SearchTerms{Plate: "7ABC123"}, ""},
		{"range alone", "", "", "", "", "2026-11-01", "2026-11-02", records.SearchTerms{From: day("2026-11-01"), To: day("2026-11-03")}, ""},
		{"plate in range", "", "", "", "7ABC123", "2026-11-01", "", records.SearchTerms{Plate: "7ABC123", From: day("2026-11-01")}, ""},
		{"nothing", "", "", "", "", "", "", records.SearchTerms{}, "give a document"},
		{"surname without birth", "", "GARCIA", "", "", "", "", records.SearchTerms{}, "both surname and birth date"},
		{"birth without surname", "", "", "1984-03-17", "", "", "", records.SearchTerms{}, "both surname and birth date"},
		{"bad birth", "", "GARCIA", "17/03/1984", "", "", "", records.SearchTerms{}, "use YYYY-MM-DD"},
		{"bad from", "X1", "", "", "", "yesterday", "", records.SearchTerms{}, `from "yesterday"`},
		{"reversed", "", "", "", "", "2026-11-05", "2026-11-01", records.SearchTerms{}, "ends before it starts"},
		{"region without plate", "", "", "", "US-CA/", "", "", records.SearchTerms{}, "plate after the region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSearch(tt.doc, tt.surname, tt.birth, tt.plate, tt.from, tt.to)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func FuzzParseSearch(f *testing.F) {
	f.Add("L898902C3", "GARCIA", "1984-03-17", "US-CA/7ABC123", "2026-11-01", "2026-11-30")
	f.Add("", "", "", "/", "2026-02-30", "0000-00-00")
	f.Fuzz(func(t *testing.T, doc, surname, birth, plate, from, to string) {
		q, err := parseSearch(doc, surname, birth, plate, from, to)
		if err != nil {
			return
		}
		if q.Document == "" && q.Surname == "" && q.Plate == "" && q.From.IsZero() && q.To.IsZero() {
			t.Fatalf("an empty search accepted: %+v", q)
		}
		if (q.Surname == "") != (q.BirthDate == "") {
			t.Fatalf("a half name search accepted: %+v", q)
		}
		if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
			t.Fatalf("a reversed range accepted: %+v", q)
		}
	})
}

func FuzzParseAuditFilter(f *testing.F) {
	f.Add("A2001", "view", "2026-11-01 08:00", "2026-11-01")
	f.Add("", "", "2026-13-01", "x")
	f.Fuzz(func(t *testing.T, officer, action, from, until string) {
		q, err := parseAuditFilter(officer, action, from, until)
		if err != nil {
			return
		}
		if !q.Since.IsZero() && !q.Until.IsZero() && q.Until.Before(q.Since) {
			t.Fatalf("a reversed range accepted: %+v", q)
		}
		_ = describeFilter(q)
	})
}

// A search from the dashboard: the dialog, the results, the audit entry
// with the terms; enter opens a result.
func TestSearchFromDashboard(t *testing.T) {
	for _, sz := range sizes {
		t.Run(itoa(sz.w), func(t *testing.T) {
			st := &fakeStore{dash: busyPort(), events: referredCar(t, "c-ref-1", true), found: []secondary.Summary{
				{CrossingID: "c-ref-1", At: t0, Port: "2608", Lane: "V02", Plate: "US-CA/7ABC123", Names: []string{"GARCIA, Maria"},
					Referred: true, Outcome: "admitted"},
				{CrossingID: "c-old", At: t0.Add(-48 * time.Hour), Port: "2608", Lane: "V01", Plate: "US-CA/7ABC123"},
			}}
			c := newConsole(t, st, sz.w, sz.h)
			c.keys("/")
			if !c.m.Modal() {
				t.Fatal("/ opened no dialog")
			}
			v := c.view()
			checkSize(t, v, sz.w, sz.h)
			mustContain(t, v, "SEARCH CROSSINGS", "document", "birth date", "plate", "from", "to")
			c.keys("enter") // nothing given: the dialog stays and says why
			mustContain(t, c.view(), "give a document")
			c.keys("tab", "tab", "tab")
			c.typeText("US-CA/7ABC123")
			c.keys("tab")
			c.typeText("2026-11-01")
			c.keys("enter")
			if c.m.Modal() {
				t.Fatalf("the dialog stayed open:\n%s", c.view())
			}
			v = c.view()
			checkSize(t, v, sz.w, sz.h)
			mustContain(t, v, "SEARCH", "plate", "2 found", "GARCIA, Maria", "admitted (after")
			if len(st.finds) != 1 || st.finds[0].Plate != "7ABC123" || st.finds[0].Region != "US-CA" || st.finds[0].From.IsZero() {
				t.Fatalf("searched %+v", st.finds)
			}
			st.mu.Lock()
			audit := slices.Clone(st.audited)
			st.mu.Unlock()
			if len(audit) != 1 || audit[0].Officer != "S9001" || audit[0].Action != "search" ||
				!strings.Contains(audit[0].Subject, "7ABC123") || !strings.Contains(string(audit[0].Detail), `"results":2`) {
				t.Fatalf("search audited as %+v", audit)
			}
			c.keys("enter")
			mustContain(t, c.view(), "CROSSING c-ref-1")
			c.keys("esc") // back to the results
			mustContain(t, c.view(), "2 found")
			c.keys("esc")
			mustContain(t, c.view(), "PORT 2608 DASHBOARD")
		})
	}
}

// The audit log: filter dialog, the entries the port server holds, and the
// view audited.
func TestAuditLogViewer(t *testing.T) {
	for _, sz := range sizes {
		t.Run(itoa(sz.w), func(t *testing.T) {
			st := &fakeStore{dash: busyPort(), log: []records.AuditEntry{
				{Origin: "2608-V01", Seq: 1, At: t0, Officer: "A2001", Action: "login", Subject: "workstation 2608-V01"},
				{Origin: "2608-V01", Seq: 2, At: t0.Add(time.Minute), Officer: "A2001", Action: "search", Subject: "history plate:US-CA/7ABC123"},
				{Origin: "2608-SEC1", Seq: 7, At: t0.Add(2 * time.Minute), Officer: "B3001", Action: "view", Subject: "crossing c-ref-1"},
			}}
			c := newConsole(t, st, sz.w, sz.h)
			c.keys("u")
			mustContain(t, c.view(), "AUDIT LOG", "officer", "action", "from", "until")
			c.typeText("a2001")
			c.keys("enter")
			v := c.view()
			checkSize(t, v, sz.w, sz.h)
			mustContain(t, v, "AUDIT LOG", "officer A2001", "2 entries", "login", "history plate:US-CA/7ABC123")
			mustNotContain(t, v, "B3001")
			if len(st.readers) != 1 || st.readers[0] != "S9001" || st.logReads[0].Officer != "A2001" {
				t.Fatalf("read the log as %q with %+v", st.readers, st.logReads)
			}
			if got := st.auditLines(); len(got) != 1 || !strings.HasPrefix(got[0], "S9001 audit_view ") || !strings.Contains(got[0], "A2001") {
				t.Fatalf("view audited as %q", got)
			}
			// / refines the filter, starting from the last one.
			c.keys("/")
			mustContain(t, c.view(), "A2001")
			c.keys("tab")
			c.typeText("login")
			c.keys("enter")
			mustContain(t, c.view(), "1 entries", "action login")
			if n := len(st.auditLines()); n != 2 {
				t.Fatalf("%d audit entries after two views", n)
			}
			c.keys("esc")
			mustContain(t, c.view(), "PORT 2608 DASHBOARD")
			if !slices.Equal(st.readers, []string{"S9001", "S9001"}) {
				t.Fatalf("readers %q", st.readers)
			}
		})
	}
}
