package mrz

import (
	_ "embed"
	"strings"
)

// WarnUnknownStateCode: the issuing state or the nationality is not an ICAO
// 9303 Part 3 code (statecodes.txt). Such a document may be forged or
// misread, so the officer must see it; it does not make the MRZ invalid.
const WarnUnknownStateCode = "unknown_state_code"

// statecodesTxt is the one list of state codes; its header explains what is
// in it and why withdrawn codes are not.
//
//go:embed statecodes.txt
var statecodesTxt string

// stateNames maps each code (without fillers: "D", "UTO") to its name.
var stateNames = parseStateCodes(statecodesTxt)

// parseStateCodes reads CODE<TAB>SOURCE<TAB>NAME lines, skipping blank and
// '#' lines. A line of any other shape is skipped: the file is embedded and
// its test rejects such lines, so this never meets outside input.
func parseStateCodes(s string) map[string]string {
	m := make(map[string]string, 280)
	for line := range strings.Lines(s) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || len(f[0]) == 0 || len(f[0]) > 3 || !allLetters(f[0]) {
			continue
		}
		m[f[0]] = f[2]
	}
	return m
}

// StateName reports whether code is an ICAO 9303 Part 3 state code and
// returns its name. code is the field as the MRZ holds it, trailing fillers
// allowed ("D<<", "UTO"); it must be upper case, as Parse leaves it.
func StateName(code string) (name string, ok bool) {
	if len(code) > 3 {
		return "", false
	}
	name, ok = stateNames[trimFiller(code)]
	return name, ok
}
