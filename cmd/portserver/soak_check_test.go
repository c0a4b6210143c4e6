package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/portofentry/booth/records"
)

// committed is one event a booth reported as committed: its Append had
// returned nil with the event stored under Seq.
type committed struct {
	Seq int64
	ID  string
}

// checkOrigin compares what the port server holds of one origin with what
// that booth reported as committed and with the booth's own database. It
// returns every problem found (none: the run held):
//
//   - loss: an event the booth reported committed is not at the server, or
//     is there under another number;
//   - duplicate: an id stored more than once at the server;
//   - phantom: an event at the server the booth's database does not hold
//     under the same number (the server invented, reordered or renumbered);
//   - gap: the server's sequence of the origin is not exactly 1..n.
//
// server and booth are the origin's events in origin_seq order. A booth
// killed between its commit and its report leaves committed events it never
// reported; those must still reach the server (gap-free and no-phantom
// cover them) but no report vouches for them.
func checkOrigin(origin string, reported []committed, server, booth []records.Event) []string {
	var problems []string
	add := func(format string, args ...any) {
		problems = append(problems, origin+": "+fmt.Sprintf(format, args...))
	}

	atServer := make(map[string][]int64, len(server)) // id -> numbers stored under
	for i, e := range server {
		atServer[e.ID] = append(atServer[e.ID], e.OriginSeq)
		if want := int64(i + 1); e.OriginSeq != want {
			add("gap: the server's event %d of the origin is #%d, want #%d", i+1, e.OriginSeq, want)
			break // one gap shifts everything after it; once is enough
		}
	}
	for id, seqs := range atServer {
		if len(seqs) > 1 {
			add("duplicate: %s is at the server %d times (#%v)", id, len(seqs), seqs)
		}
	}

	seen := make(map[string]int64, len(reported))
	for _, c := range reported {
		if prev, ok := seen[c.ID]; ok && prev != c.Seq {
			add("the booth reported %s committed as #%d and as #%d", c.ID, prev, c.Seq)
		}
		seen[c.ID] = c.Seq
		switch seqs := atServer[c.ID]; {
		case len(seqs) == 0:
			add("loss: %s #%d was reported committed and is not at the server", c.ID, c.Seq)
		case !slices.Contains(seqs, c.Seq):
			add("loss: %s was reported committed as #%d, the server holds it as #%v", c.ID, c.Seq, seqs)
		}
	}

	inBooth := make(map[string]int64, len(booth))
	for _, e := range booth {
		inBooth[e.ID] = e.OriginSeq
	}
	for _, e := range server {
		seq, ok := inBooth[e.ID]
		switch {
		case !ok:
			add("phantom: the server holds %s #%d, the booth's database does not", e.ID, e.OriginSeq)
		case seq != e.OriginSeq:
			add("phantom: the server holds %s as #%d, the booth's database as #%d", e.ID, e.OriginSeq, seq)
		}
	}
	return problems
}

func TestCheckOrigin(t *testing.T) {
	ev := func(seq int64, id string) records.Event { return records.Event{ID: id, OriginSeq: seq} }
	run := func(ids ...string) []records.Event {
		out := make([]records.Event, len(ids))
		for i, id := range ids {
			out[i] = ev(int64(i+1), id)
		}
		return out
	}
	rep := func(ids ...string) []committed {
		out := make([]committed, len(ids))
		for i, id := range ids {
			out[i] = committed{Seq: int64(i + 1), ID: id}
		}
		return out
	}
	tests := []struct {
		name     string
		reported []committed
		server   []records.Event
		booth    []records.Event
		want     []string // each must appear in some problem; none: no problem at all
	}{
		{name: "held", reported: rep("a", "b", "c"), server: run("a", "b", "c"), booth: run("a", "b", "c")},
		{name: "committed but unreported (killed before the report) is fine",
			reported: rep("a", "b"), server: run("a", "b", "c"), booth: run("a", "b", "c")},
		{name: "not yet drained is not a loss of anything unreported",
			reported: rep("a"), server: run("a"), booth: run("a", "b")},
		{name: "reported event the server never got",
			reported: rep("a", "b", "c"), server: run("a", "b"), booth: run("a", "b", "c"),
			want: []string{"loss: c #3 was reported committed and is not at the server"}},
		// The booth's database lost it too: comparing with the booth's
		// database after the fact would pass; the report does not.
		{name: "loss the booth's database hides",
			reported: rep("a", "b", "c"), server: run("a", "b"), booth: run("a", "b"),
			want: []string{"loss: c #3"}},
		{name: "reported event under another number",
			reported: rep("a", "b"), server: run("b", "a"), booth: run("b", "a"),
			want: []string{"loss: a was reported committed as #1, the server holds it as #[2]"}},
		{name: "duplicate at the server",
			reported: rep("a", "b"), server: []records.Event{ev(1, "a"), ev(2, "b"), ev(3, "b")}, booth: run("a", "b"),
			want: []string{"duplicate: b is at the server 2 times", "phantom: the server holds b as #3"}},
		{name: "phantom", reported: rep("a"), server: run("a", "x"), booth: run("a"),
			want: []string{"phantom: the server holds x #2, the booth's database does not"}},
		{name: "gap", reported: rep("a"), server: []records.Event{ev(1, "a"), ev(3, "c")},
			booth: run("a", "b", "c"), want: []string{"gap: the server's event 2 of the origin is #3, want #2"}},
		{name: "booth reports one id under two numbers",
			reported: []committed{{1, "a"}, {2, "a"}}, server: run("a"), booth: run("a"),
			want: []string{"reported a committed as #1 and as #2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkOrigin("booth-1", tt.reported, tt.server, tt.booth)
			if len(tt.want) == 0 && len(got) > 0 {
				t.Fatalf("problems on a run that held:\n%s", strings.Join(got, "\n"))
			}
			if len(tt.want) > 0 && len(got) == 0 {
				t.Fatalf("no problem reported, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, w) }) {
					t.Errorf("no problem contains %q; got:\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}
