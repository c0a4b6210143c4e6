package jetstream

import (
	"encoding/json"
	"strings"

	"github.com/portofentry/booth/records"
)

// The biometric rule of the national tier (docs/design.md §6 and §9):
// nothing of a US citizen's capture goes up and no image ever does. The port
// publisher never publishes an event the rule refuses, and the hub's indexer
// refuses it again, because a sourcing stream cannot refuse what a port
// puts into its own stream.

// imageKeys are payload keys that can only carry image data (or a template
// derived from one). No kind of the record has them; a payload that does is
// refused wherever it nests.
var imageKeys = map[string]bool{
	"image": true, "images": true, "image_data": true, "face_image": true,
	"png": true, "png_enc": true, "jpeg": true, "jpg": true,
	"photo": true, "portrait": true, "picture": true, "template": true,
}

// knownKinds are the kinds whose payloads this build knows to carry no
// image: any other kind may, so it is refused.
var knownKinds = map[records.Kind]bool{
	records.KindCrossingOpened: true, records.KindRFIDRead: true, records.KindDocumentRead: true,
	records.KindDocumentKeyed: true, records.KindPlateRead: true, records.KindPlateConfirmed: true,
	records.KindRPMOccupancy: true, records.KindFaceVerified: true, records.KindReferenceChecked: true,
	records.KindAlertAcknowledged: true, records.KindNote: true, records.KindReferred: true,
	records.KindSecondaryTaken: true, records.KindSecondaryFinding: true, records.KindLSSRequested: true,
	records.KindLSSAnswered: true, records.KindBaggageXray: true, records.KindDetermination: true,
	records.KindCrossingClosed: true, records.KindBiometricPurged: true, records.KindBiometricForwarded: true,
}

// USCMemo remembers which documents of which crossings belong to US
// citizens, from the reference.checked events seen so far, so a face result
// that references a capture of one is refused even when the document was
// not issued by the USA. It is bounded: when full it forgets everything
// (the document-country rule still holds). Not safe for concurrent use.
type USCMemo struct {
	seen map[string]struct{}
	max  int
}

// NewUSCMemo returns a memo holding at most max entries (0 means 100,000).
func NewUSCMemo(max int) *USCMemo {
	if max <= 0 {
		max = 100_000
	}
	return &USCMemo{seen: make(map[string]struct{}), max: max}
}

// Observe records e when it establishes a US citizen.
func (m *USCMemo) Observe(e records.Event) {
	if m == nil || e.Kind != records.KindReferenceChecked {
		return
	}
	var rc records.ReferenceChecked
	if json.Unmarshal(e.Payload, &rc) != nil {
		return
	}
	if !strings.EqualFold(rc.Citizenship, "USA") && !strings.EqualFold(rc.Status, "USC") {
		return
	}
	if len(m.seen) >= m.max {
		clear(m.seen)
	}
	m.seen[e.CrossingID+"|"+rc.Subject] = struct{}{}
}

func (m *USCMemo) has(crossingID, docKey string) bool {
	if m == nil {
		return false
	}
	_, ok := m.seen[crossingID+"|"+docKey]
	return ok
}

// Refusal returns why e may not leave the port (or be indexed at the hub),
// or "" when it may: a kind this build cannot prove image-free, a payload
// with an image field, or a face result of a US citizen (a USA-issued
// document, or one memo knows to be a citizen's) that references its
// capture. memo may be nil.
func Refusal(e records.Event, memo *USCMemo) string {
	if !knownKinds[e.Kind] {
		return "kind " + string(e.Kind) + " may carry image data"
	}
	if key := imageKey(e.Payload); key != "" {
		return "payload field " + key + " may carry image data"
	}
	if e.Kind != records.KindFaceVerified {
		return ""
	}
	var fv records.FaceVerified
	if err := json.Unmarshal(e.Payload, &fv); err != nil {
		return "face result does not decode: " + err.Error()
	}
	if fv.CaptureRef == "" {
		return ""
	}
	if strings.EqualFold(fv.Document.Country, "USA") || memo.has(e.CrossingID, fv.Document.Key()) {
		return "US citizen's face result references its capture"
	}
	return ""
}

// imageKey returns the first image field found anywhere in the JSON
// payload, or "" (also for a payload that is not JSON: the kind's own
// decoding refuses that elsewhere).
func imageKey(payload json.RawMessage) string {
	if len(payload) == 0 {
		return ""
	}
	var v any
	if json.Unmarshal(payload, &v) != nil {
		return ""
	}
	return findImageKey(v, 0)
}

func findImageKey(v any, depth int) string {
	if depth > 32 {
		return ""
	}
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if imageKeys[strings.ToLower(k)] {
				return k
			}
			if f := findImageKey(x, depth+1); f != "" {
				return f
			}
		}
	case []any:
		for _, x := range v {
			if f := findImageKey(x, depth+1); f != "" {
				return f
			}
		}
	}
	return ""
}
