package jetstream_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/portofentry/booth/jetstream"
	"github.com/portofentry/booth/records"
)

func TestRefusal(t *testing.T) {
	now := time.Now().UTC()
	ev := func(p records.Payload) records.Event { return mustEvent(t, "c1", p, now) }
	raw := func(kind records.Kind, payload string) records.Event {
		return records.Event{ID: "e", CrossingID: "c1", Kind: kind, Payload: json.RawMessage(payload)}
	}
	usDoc := records.DocumentRef{Type: "P", Country: "USA", Number: "1"}
	mxDoc := records.DocumentRef{Type: "P", Country: "MEX", Number: "2"}
	uscCheck := ev(records.ReferenceChecked{Subject: mxDoc.Key(), Citizenship: "USA"})
	for _, tc := range []struct {
		name   string
		e      records.Event
		memo   []records.Event
		refuse bool
	}{
		{"opening", ev(records.CrossingOpened{Port: "2608", Lane: "V01"}), nil, false},
		{"non-citizen face with reference", ev(records.FaceVerified{Document: mxDoc, Result: records.FaceMatch, CaptureRef: "c"}), nil, false},
		{"US passport face without reference", ev(records.FaceVerified{Document: usDoc, Result: records.FaceMatch}), nil, false},
		{"US passport face with reference", ev(records.FaceVerified{Document: usDoc, Result: records.FaceMatch, CaptureRef: "c"}), nil, true},
		{"known citizen's face with reference", ev(records.FaceVerified{Document: mxDoc, Result: records.FaceMatch, CaptureRef: "c"}), []records.Event{uscCheck}, true},
		{"image field nested", raw(records.KindNote, `{"text":"x","a":[{"Image":"AAAA"}]}`), nil, true},
		{"unknown kind", raw("face.capture", `{}`), nil, true},
		{"forwarded reference", ev(records.BiometricForwarded{CaptureRef: "c", BiometricRef: "b"}), nil, false},
		{"undecodable face", raw(records.KindFaceVerified, `{"capture_ref":`), nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			memo := jetstream.NewUSCMemo(0)
			for _, m := range tc.memo {
				memo.Observe(m)
			}
			why := jetstream.Refusal(tc.e, memo)
			if (why != "") != tc.refuse {
				t.Errorf("Refusal = %q, want refused %v", why, tc.refuse)
			}
		})
	}
}

func TestDecodeIndexedChecksTheMessage(t *testing.T) {
	e := mustEvent(t, "c1", records.Note{Text: "x"}, time.Now())
	data, _ := json.Marshal(e)
	if im := jetstream.DecodeIndexed(7, "port.2608.events", string(e.Kind), data, nil); im.Refusal != "" || im.Port != "2608" || im.StreamSeq != 7 {
		t.Errorf("good message: %+v", im)
	}
	if im := jetstream.DecodeIndexed(8, "port.2608.events", "face.verified", data, nil); im.Refusal == "" {
		t.Error("a kind header that disagrees with the event was accepted")
	}
	if im := jetstream.DecodeIndexed(9, "port.2608.events", "", []byte("not json"), nil); im.Refusal == "" || im.Event.ID == "" {
		t.Errorf("garbage: %+v", im)
	}
}

func FuzzDecodeIndexed(f *testing.F) {
	f.Add([]byte(`{"id":"a","kind":"note","payload":{"text":"x"}}`), "note")
	f.Add([]byte(`{"id":"a","kind":"face.verified","payload":{"capture_ref":"c","document":{"country":"USA"}}}`), "")
	f.Fuzz(func(t *testing.T, data []byte, kind string) {
		im := jetstream.DecodeIndexed(1, "port.1.events", kind, data, jetstream.NewUSCMemo(4))
		if im.Event.ID == "" {
			t.Fatal("an indexed message without an id")
		}
	})
}
