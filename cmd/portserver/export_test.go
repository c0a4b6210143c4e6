package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// exportFixture is a port server database holding three crossings of
// booth-01: two with the document UTO/L898902C3 (opened 1 and 20 November)
// and one with CAN/AB1234567 (10 November).
func exportFixture(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	booth, err := sqlitestore.Open(ctx, filepath.Join(dir, "booth.db"), sqlitestore.Options{Origin: "booth-01"})
	if err != nil {
		t.Fatal(err)
	}
	defer booth.Close()
	for _, c := range []struct {
		id, country, number string
		at                  time.Time
	}{
		{"X-nov01", "UTO", "L898902C3", time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)},
		{"X-nov10", "CAN", "AB1234567", time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC)},
		{"X-nov20", "UTO", "L898902C3", time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)},
	} {
		var evs []records.Event
		for i, p := range []records.Payload{
			records.CrossingOpened{Port: "2604", Lane: "V01", Mode: records.ModeVehicle, Trigger: "document"},
			records.DocumentKeyed{Fields: &records.KeyedFields{DocumentCode: "P", IssuingState: c.country, Number: c.number,
				Surname: "ERIKSSON", GivenNames: "ANNA", Nationality: c.country, BirthDate: "1974-08-12", Sex: "F", ExpiryDate: "2030-01-01"}},
			records.Determination{Outcome: records.OutcomeAdmitted},
		} {
			ev, err := records.NewEvent(c.id, p, c.at.Add(time.Duration(i)*time.Second), "B100")
			if err != nil {
				t.Fatal(err)
			}
			evs = append(evs, ev)
		}
		if _, err := booth.Append(ctx, evs...); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := booth.OriginEvents(ctx, "booth-01", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "port.db")
	srv, err := sqlitestore.Open(ctx, db, sqlitestore.Options{Origin: "port-2604"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Ingest(ctx, sqlitestore.IngestBatch{Origin: "booth-01", Role: "primary", Events: evs}); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		_ = os.Chmod(f, 0o600)
	}
	return db
}

// crossingsIn lists the crossings of the exported JSON lines, each once.
func crossingsIn(t *testing.T, out string) []string {
	t.Helper()
	var ids []string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e records.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("export line %q: %v", sc.Text(), err)
		}
		if !slices.Contains(ids, e.CrossingID) {
			ids = append(ids, e.CrossingID)
		}
	}
	slices.Sort(ids)
	return ids
}

func TestExportScopeAndRequest(t *testing.T) {
	db := exportFixture(t)
	dir := filepath.Dir(db)
	req := []string{"export", "--db", db, "--request", "R-1", "--agency", "HSI", "--authority", "subpoena 26-0412", "--officer", "B200"}
	with := func(base []string, kv ...string) []string {
		out := slices.Clone(base)
		for i := 0; i+1 < len(kv); i += 2 {
			j := slices.Index(out, kv[i])
			switch {
			case kv[i+1] == "": // a boolean flag
				out = append(out, kv[i])
			case j < 0:
				out = append(out, kv[i], kv[i+1])
			default:
				out[j+1] = kv[i+1]
			}
		}
		return out
	}
	refused := []struct {
		name string
		args []string
		want string
	}{
		{"no scope", req, "--all"},
		{"blank request", with(req, "--request", "  ", "--all", ""), "--request"},
		{"blank agency", with(req, "--agency", " \t", "--all", ""), "--agency"},
		{"blank authority", with(req, "--authority", " ", "--all", ""), "--authority"},
		{"blank officer", with(req, "--officer", "   ", "--all", ""), "--officer"},
		{"no officer", []string{"export", "--db", db, "--request", "R-1", "--agency", "HSI", "--authority", "x", "--all"}, "--officer"},
		{"all with a filter", with(req, "--all", "", "--document", "L898902C3"), "whole-port"},
		{"blank document", with(req, "--document", "  "), "--document"},
		{"document of punctuation", with(req, "--document", "--//"), "document"},
		{"bad since", with(req, "--since", "last week"), "--since"},
		{"since after until", with(req, "--since", "2026-11-20", "--until", "2026-11-01"), "not before"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runBin(t, dir, tc.args...)
			if code != 2 || out != "" || !strings.Contains(errs, tc.want) {
				t.Fatalf("exit %d, stdout %d bytes, stderr %q; want exit 2, nothing out, %q", code, len(out), errs, tc.want)
			}
		})
	}

	exported := []struct {
		name string
		args []string
		want []string
	}{
		{"by number", with(req, "--document", "L898902C3"), []string{"X-nov01", "X-nov20"}},
		{"by country and number", with(req, "--document", "uto/l898-902c3"), []string{"X-nov01", "X-nov20"}},
		{"number under another country", with(req, "--document", "CAN/L898902C3"), nil},
		{"time range", with(req, "--since", "2026-11-05", "--until", "2026-11-15"), []string{"X-nov10"}},
		{"since only", with(req, "--since", "2026-11-10T09:00:00Z"), []string{"X-nov10", "X-nov20"}},
		{"until only (exclusive)", with(req, "--until", "2026-11-10T09:00:00Z"), []string{"X-nov01"}},
		{"document and range", with(req, "--document", "L898902C3", "--since", "2026-11-15"), []string{"X-nov20"}},
		{"whole port", with(req, "--all", ""), []string{"X-nov01", "X-nov10", "X-nov20"}},
	}
	for _, tc := range exported {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runBin(t, dir, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if got := crossingsIn(t, out); !slices.Equal(got, tc.want) {
				t.Fatalf("exported crossings %v, want %v", got, tc.want)
			}
			if n := strings.Count(out, "\n"); n != 3*len(tc.want) {
				t.Fatalf("%d events exported, want every event of each crossing (%d)", n, 3*len(tc.want))
			}
		})
	}

	// Each export, and only those, is in the server's audit chain, with its
	// scope; the whole-port one says so.
	s, err := sqlitestore.Open(context.Background(), db, sqlitestore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	entries, err := s.RecentAudit(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var scopes []string
	for _, e := range entries {
		if e.Action != sqlitestore.ActionExport {
			continue
		}
		var d map[string]any
		if err := json.Unmarshal(e.Detail, &d); err != nil {
			t.Fatal(err)
		}
		if e.Officer != "B200" || e.Subject != "R-1" || d["agency"] != "HSI" {
			t.Errorf("export audit entry %+v", e)
		}
		scopes = append(scopes, d["scope"].(string))
		if d["scope"] == "filtered" && d["document"] == nil && d["since"] == nil && d["until"] == nil {
			t.Errorf("filtered export audited without its filter: %s", e.Detail)
		}
	}
	if len(scopes) != len(exported) || slices.Index(scopes, "whole_port") < 0 || strings.Count(strings.Join(scopes, ","), "whole_port") != 1 {
		t.Errorf("audited export scopes %v, want %d with one whole_port", scopes, len(exported))
	}
}
