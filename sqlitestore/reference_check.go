package sqlitestore

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/portofentry/booth/records"
)

// TravelerCheck is what the booth found in the reference data for one
// traveller, the input of CheckTraveler.
type TravelerCheck struct {
	Document records.DocumentRef
	// Traveler is the record on file; nil when there is none.
	Traveler   *ReferenceTraveler
	Lookouts   []records.Hit // by document and by name + birth date
	LostStolen *records.Hit  // nil when the document is not reported
	// DataVersion is the newest version of the datasets consulted.
	DataVersion int64
	// Now is when the check runs; dates compare in Now's location.
	Now time.Time
}

// statusExempt lists statuses that do not expire with a visa: citizens and
// permanent residents.
var statusExempt = map[string]bool{"USC": true, "LPR": true}

// CheckTraveler turns a traveller's reference look-ups into the
// reference.checked payload recorded on the crossing: the subject is the
// document key, with citizenship and status from the record on file, and the
// hits are the lost/stolen report, the lookouts and any status problem (a
// visa or status whose expiry date has passed). Hits are ordered high
// severity first. It is pure: no I/O, same input same output.
func CheckTraveler(in TravelerCheck) records.ReferenceChecked {
	doc := NormalizeDocumentRef(in.Document)
	out := records.ReferenceChecked{Subject: doc.Key(), DataVersion: in.DataVersion}
	if in.LostStolen != nil {
		out.Hits = append(out.Hits, *in.LostStolen)
	}
	out.Hits = append(out.Hits, in.Lookouts...)
	if t := in.Traveler; t != nil {
		out.TravelerID = t.ID
		out.Citizenship = t.Citizenship
		out.Status = t.Status
		today := in.Now.Format(time.DateOnly)
		if !statusExempt[t.Status] && t.ExpiryDate != "" && t.ExpiryDate < today {
			out.Hits = append(out.Hits, records.Hit{
				ID:          "status:" + t.ID + ":expired",
				Type:        records.HitStatus,
				Severity:    "medium",
				Instruction: "Status on file has expired: verify admissibility, refer to secondary if no valid status.",
				Detail:      fmt.Sprintf("%s expired %s", t.Status, t.ExpiryDate),
			})
		}
	}
	sortHits(out.Hits)
	return out
}

// CheckPlate builds the reference.checked payload for a vehicle plate: the
// subject is "plate:REGION/PLATE" and the hits are the plate lookouts. A
// plate key that does not normalise is used as given.
func CheckPlate(plateKey string, lookouts []records.Hit, dataVersion int64) records.ReferenceChecked {
	key, err := NormalizePlateKey(plateKey)
	if err != nil {
		key = plateKey
	}
	hits := append([]records.Hit(nil), lookouts...)
	sortHits(hits)
	return records.ReferenceChecked{Subject: "plate:" + key, DataVersion: dataVersion, Hits: hits}
}

var severityRank = map[string]int{"high": 0, "medium": 1, "low": 2}

// sortHits orders hits high severity first, then by id, so every booth shows
// the same list in the same order.
func sortHits(h []records.Hit) {
	sort.SliceStable(h, func(i, j int) bool {
		ri, rj := rankSeverity(h[i].Severity), rankSeverity(h[j].Severity)
		if ri != rj {
			return ri < rj
		}
		return h[i].ID < h[j].ID
	})
}

func rankSeverity(s string) int {
	if r, ok := severityRank[s]; ok {
		return r
	}
	return len(severityRank)
}

// CheckTravelerReference runs every reference look-up for one traveller and
// returns the reference.checked payload (see CheckTraveler). The record on
// file is found by the document, else by travelerID (from an RFID
// enrollment; "" when none). surname, given and birthDate come from the
// document read; now decides expiry.
func (s *Store) CheckTravelerReference(ctx context.Context, doc records.DocumentRef, travelerID, surname, given, birthDate string, now time.Time) (records.ReferenceChecked, error) {
	in := TravelerCheck{Document: doc, Now: now}
	t, found, err := s.travelerByDocument(ctx, doc)
	if err != nil {
		return records.ReferenceChecked{}, err
	}
	if !found && travelerID != "" {
		// A trusted-traveller card is not the document the partner
		// agencies key their records by; its enrollment names the person.
		if t, found, err = s.travelerByID(ctx, travelerID); err != nil {
			return records.ReferenceChecked{}, err
		}
	}
	if found {
		in.Traveler = &t
	}
	if in.Lookouts, err = s.lookoutsFor(ctx, doc, surname, given, birthDate, ""); err != nil {
		return records.ReferenceChecked{}, err
	}
	if in.LostStolen, _, err = s.lostStolen(ctx, doc); err != nil {
		return records.ReferenceChecked{}, err
	}
	if in.DataVersion, err = s.newestVersion(ctx, KindTravelers, KindLookouts, KindLostStolen); err != nil {
		return records.ReferenceChecked{}, err
	}
	return CheckTraveler(in), nil
}

// CheckPlateReference looks the plate up in the lookouts and returns the
// reference.checked payload (see CheckPlate).
func (s *Store) CheckPlateReference(ctx context.Context, plateKey string) (records.ReferenceChecked, error) {
	hits, err := s.lookoutsFor(ctx, records.DocumentRef{}, "", "", "", plateKey)
	if err != nil {
		return records.ReferenceChecked{}, err
	}
	v, err := s.newestVersion(ctx, KindLookouts)
	if err != nil {
		return records.ReferenceChecked{}, err
	}
	return CheckPlate(plateKey, hits, v), nil
}

// newestVersion is the highest loaded version among kinds (0 if none).
func (s *Store) newestVersion(ctx context.Context, kinds ...string) (int64, error) {
	st, err := s.ReferenceStatus(ctx)
	if err != nil {
		return 0, err
	}
	var v int64
	for _, d := range st {
		for _, k := range kinds {
			if d.Kind == k && d.Version > v {
				v = d.Version
			}
		}
	}
	return v, nil
}
