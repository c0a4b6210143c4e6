package sqlitestore

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/portofentry/booth/records"
)

// TestIngestBiometricForwarded: the port server applies a well-formed
// biometric.forwarded (a booth's forward of a non-citizen's capture) and
// serves it, and quarantines one whose payload breaks the kind's rules.
func TestIngestBiometricForwarded(t *testing.T) {
	ctx := context.Background()
	good := `{"capture_ref":"cap-1","biometric_ref":"BIO-000001","captured_at":"2026-11-25T10:00:00Z","forwarded_at":"2026-11-25T10:00:05Z"}`
	tests := []struct {
		name, payload string
		held          bool
	}{
		{"forward as the booth writes it", good, false},
		{"blank biometric reference", strings.Replace(good, `"BIO-000001"`, `"  "`, 1), true},
		{"no capture reference", strings.Replace(good, `"capture_ref":"cap-1",`, ``, 1), true},
		{"reference with a space", strings.Replace(good, `"BIO-000001"`, `"BIO 1"`, 1), true},
		{"reference too long", strings.Replace(good, `"BIO-000001"`, `"`+strings.Repeat("B", 129)+`"`, 1), true},
		{"no forward time", strings.Replace(good, `,"forwarded_at":"2026-11-25T10:00:05Z"`, ``, 1), true},
		{"field the kind does not have", strings.Replace(good, `{`, `{"png":"AAAA",`, 1), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			server := openReplStore(t, "port-2604")
			x := records.NewID()
			fw := remoteEvent(t, "booth-1", 2, x, records.Note{Text: "replaced below"})
			fw.Kind, fw.Payload = records.KindBiometricForwarded, json.RawMessage(tc.payload)
			batch := []records.Event{remoteEvent(t, "booth-1", 1, x, openedAt("2604")), fw}
			res, err := server.Ingest(ctx, IngestBatch{Origin: "booth-1", Role: "primary", Events: batch})
			if err != nil || res.Acked != 2 {
				t.Fatalf("ingest = %+v, %v; want both acknowledged", res, err)
			}
			held, err := server.HeldQuarantine(ctx, "booth-1")
			if err != nil {
				t.Fatal(err)
			}
			feed, err := server.FeedSince(ctx, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.held {
				if len(held) != 0 || res.Applied != 2 || len(feed) != 2 || feed[1].Event.Kind != records.KindBiometricForwarded {
					t.Fatalf("a valid forward: applied %d, held %+v, feed %d", res.Applied, held, len(feed))
				}
				c, err := server.Crossing(ctx, x)
				if err != nil || len(c.Forwards) != 1 || c.Forwards[0].Value.BiometricRef != "BIO-000001" {
					t.Fatalf("the server's crossing does not know the forward: %+v, %v", c, err)
				}
				return
			}
			if len(held) != 1 || held[0].Event.ID != fw.ID || held[0].Code != records.QuarantineInvalidPayload || res.Applied != 1 || len(feed) != 1 {
				t.Fatalf("applied %d, feed %d, held %+v; want the forward held as %s", res.Applied, len(feed), held, records.QuarantineInvalidPayload)
			}
		})
	}
}
