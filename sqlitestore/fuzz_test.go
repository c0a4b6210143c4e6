package sqlitestore

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// FuzzKeys checks the look-up key normalisers: no panic, idempotent, and
// their output only uses the characters the indexes expect.
func FuzzKeys(f *testing.F) {
	for _, s := range []string{"", "usa", "D", "56 123-4567<<", "O'Brien-Pérez", "ÀÉÎÕÜ ñ", "e200 3411 b802", "us-az", "\xff\xfe", "日本", "1979-12-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, fn := range map[string]func(string) string{
			"name": keyName, "country": keyCountry, "number": keyDocNumber, "plate": keyPlate,
			"region": keyRegion, "epc": keyEPC, "birth": keyBirthDate,
		} {
			k := fn(s)
			if again := fn(k); again != k {
				t.Errorf("%s key not idempotent: %q -> %q -> %q", name, s, k, again)
			}
			for _, r := range k {
				if r == ' ' || r == '/' || r == '<' || r < 0x20 {
					t.Errorf("%s key %q of %q holds %q", name, k, s, r)
				}
			}
		}
		if k := keyDocument("USA", s); k != "" && k != "USA/"+keyDocNumber(s) {
			t.Errorf("document key %q", k)
		}
	})
}

// FuzzAppendEnvelope feeds arbitrary envelopes (as a replication peer might)
// to Append: each is stored verbatim or refused with ErrInvalidEvent, never
// a panic, and a stored one reads back identical.
func FuzzAppendEnvelope(f *testing.F) {
	f.Add("id-1", "C1", "WS2", int64(1), "note", int64(1700000000000000000), "B1", 1, `{"text":"x"}`)
	f.Add("", "C1", "", int64(0), "note", int64(0), "", 0, `{}`)
	f.Add("id-2", "C1", "WS2", int64(-5), "x", int64(-1), "B\x00", -1, `{`)
	f.Add("id-3", "C\n", "WS\xff", int64(9), "k", int64(1), "o", 99, `[1,2,3]`)
	s := openTest(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, id, crossing, origin string, seq int64, kind string, at int64, officer string, schema int, payload string) {
		e := records.Event{
			ID: id, CrossingID: crossing, Origin: origin, OriginSeq: seq, Kind: records.Kind(kind),
			At: time.Unix(0, at).UTC(), Officer: officer, Schema: schema, Payload: json.RawMessage(payload),
		}
		out, err := s.Append(ctx, e)
		if err != nil {
			if !errors.Is(err, ErrInvalidEvent) && !isConflict(err) {
				t.Fatalf("Append(%+v): unexpected error %v", e, err)
			}
			return
		}
		stored, found, err := eventByID(ctx, s.read, out[0].ID)
		if err != nil || !found {
			t.Fatalf("stored event %q not found: %v", out[0].ID, err)
		}
		if !eventsEqual(stored, out[0]) {
			t.Fatalf("read back %+v, stored %+v", stored, out[0])
		}
	})
}

// isConflict reports a uniqueness conflict on (origin, origin_seq): the
// fuzzer reuses sequence numbers under new ids, which must be refused.
func isConflict(err error) bool {
	return err != nil && (contains(err.Error(), "UNIQUE constraint failed: events.origin, events.origin_seq"))
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
