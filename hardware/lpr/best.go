package lpr

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/portofentry/booth/hardware"
)

// maxReasons bounds how many rejected results an error message lists.
const maxReasons = 3

// best picks the plate to show from one frame's results.
//
// A result is usable when its plate normalises to 1-12 letters and digits
// and its confidence is within 0-100; the rest are dropped (an officer must
// never see 140 %). Among usable results a reading that matches a plate
// template (matches_template) beats one that does not, then the higher
// confidence wins, then the earlier result. Candidates are the chosen
// result's alternatives, normalised the same way, de-duplicated, highest
// confidence first, at most maxCandidates.
func best(results []wireResult, maxCandidates int) (*hardware.Plate, error) {
	type usable struct {
		i     int
		plate string
		r     *wireResult
	}
	var ok []usable
	var reasons []string
	for i := range results {
		r := &results[i]
		plate, err := normalizePlate(r.Plate)
		if err == nil {
			err = validConfidence(r.Confidence)
		}
		if err != nil {
			if len(reasons) < maxReasons {
				reasons = append(reasons, fmt.Sprintf("result %d: %v", i+1, err))
			}
			continue
		}
		ok = append(ok, usable{i, plate, r})
	}
	if len(ok) == 0 {
		return nil, fmt.Errorf("no usable plate in %d results (%s)", len(results), strings.Join(reasons, "; "))
	}
	chosen := slices.MinFunc(ok, func(a, b usable) int {
		if a.r.MatchesTemplate != b.r.MatchesTemplate {
			if a.r.MatchesTemplate {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(*b.r.Confidence, *a.r.Confidence); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	return &hardware.Plate{
		Plate:      chosen.plate,
		Region:     normalizeRegion(chosen.r.Region),
		Confidence: *chosen.r.Confidence,
		Candidates: candidates(chosen.r.Candidates, maxCandidates),
	}, nil
}

// candidates normalises, filters, de-duplicates and orders alternatives.
func candidates(in []wireCandidate, limit int) []hardware.PlateCandidate {
	out := make([]hardware.PlateCandidate, 0, min(len(in), limit))
	for _, c := range in {
		plate, err := normalizePlate(c.Plate)
		if err != nil || validConfidence(c.Confidence) != nil {
			continue
		}
		out = append(out, hardware.PlateCandidate{Plate: plate, Confidence: *c.Confidence})
	}
	slices.SortStableFunc(out, func(a, b hardware.PlateCandidate) int {
		return cmp.Compare(b.Confidence, a.Confidence)
	})
	seen := make(map[string]bool, len(out))
	out = slices.DeleteFunc(out, func(c hardware.PlateCandidate) bool {
		dup := seen[c.Plate]
		seen[c.Plate] = true
		return dup
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return slices.Clip(out)
}
