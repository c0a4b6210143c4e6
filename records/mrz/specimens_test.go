package mrz_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/portofentry/booth/records/mrz"
)

// specimenFiles are the public test vectors: the shared copy next to the
// checkout (authoritative when present) and the copy kept in the repository
// so the test never skips.
var specimenFiles = []string{
	"../../../shared/testdata/mrz-specimens.jsonl",
	"../../testdata/mrz/mrz-specimens.jsonl",
}

type specimen struct {
	Name   string         `json:"name"`
	Lines  []string       `json:"lines"`
	Expect map[string]any `json:"expect"`
}

func loadSpecimens(t testing.TB, path string) []specimen {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open specimens: %v", err)
	}
	defer f.Close()
	var out []specimen
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var s specimen
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no specimens", path)
	}
	return out
}

// asJSONMap is the Result as a consumer of `booth mrz` sees it.
func asJSONMap(t testing.TB, r *mrz.Result) map[string]any {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSpecimens(t *testing.T) {
	for _, path := range specimenFiles {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && strings.HasPrefix(path, "../../../") {
			t.Logf("%s not present (checkout without the shared folder); using the repository copy", path)
			continue
		}
		for _, s := range loadSpecimens(t, path) {
			t.Run(s.Name, func(t *testing.T) {
				r, err := mrz.ParseLines(s.Lines, testNow)
				if err != nil {
					t.Fatalf("ParseLines: %v", err)
				}
				got := asJSONMap(t, r)
				for k, want := range s.Expect {
					if !reflect.DeepEqual(got[k], want) {
						t.Errorf("%s = %#v, want %#v", k, got[k], want)
					}
				}
				if len(r.Errors) != 0 {
					t.Errorf("errors = %q", r.Errors)
				}
				// The specimens use UTO and XXX, both ICAO 9303 codes.
				if slices.Contains(r.Warnings, mrz.WarnUnknownStateCode) {
					t.Errorf("%s/%s reported unknown: warnings %q", r.IssuingState, r.Nationality, r.Warnings)
				}
			})
		}
	}
}

// The repository copy must not drift from the shared vectors.
func TestSpecimenCopyMatchesShared(t *testing.T) {
	shared, err := os.ReadFile(specimenFiles[0])
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("shared specimens not present")
	}
	if err != nil {
		t.Fatal(err)
	}
	local, err := os.ReadFile(specimenFiles[1])
	if err != nil {
		t.Fatal(err)
	}
	if string(shared) != string(local) {
		t.Errorf("testdata/mrz/mrz-specimens.jsonl differs from the shared copy; copy it again")
	}
}

// designExample is the `booth mrz` output of docs/design.md §4.6, verbatim.
const designExample = `{"format":"TD3","valid":true,"document_code":"P","issuing_state":"UTO","issuing_state_iso":"UTO",
 "document_number":"L898902C3","nationality":"UTO","nationality_iso":"UTO","birth_date":"1974-08-12",
 "sex":"F","expiry_date":"2012-04-15","surname":"ERIKSSON","given_names":"ANNA MARIA",
 "optional_data":"ZE184226B","checks":{"document_number":true,"birth_date":true,"expiry_date":true,
 "personal_number":true,"composite":true},"warnings":["expired"],"errors":[]}`

func TestDesignExampleExact(t *testing.T) {
	r, err := mrz.Parse("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n", testNow)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal([]byte(designExample), &want); err != nil {
		t.Fatal(err)
	}
	if got := asJSONMap(t, r); !reflect.DeepEqual(got, want) {
		t.Errorf("JSON differs from docs/design.md §4.6\n got: %v\nwant: %v", got, want)
	}
}

// Checks carries exactly the keys of the format, and warnings and errors
// are arrays even when empty.
func TestJSONKeysPerFormat(t *testing.T) {
	tests := []struct {
		lines  []string
		format string
		checks []string
	}{
		{buildTD3(t, erika()), "TD3", []string{"document_number", "birth_date", "expiry_date", "personal_number", "composite"}},
		{buildTD2(t, doc{code: "I", state: "UTO", surname: "A", number: "X1", nat: "UTO", birth: "800101", sex: "M", expiry: "300101"}),
			"TD2", []string{"document_number", "birth_date", "expiry_date", "composite"}},
		{buildTD1(t, doc{code: "I", state: "UTO", surname: "A", number: "X1", nat: "UTO", birth: "800101", sex: "M", expiry: "300101"}),
			"TD1", []string{"document_number", "birth_date", "expiry_date", "composite"}},
		{buildVisa(t, doc{code: "V", state: "USA", surname: "A", number: "X1", nat: "MEX", birth: "800101", sex: "M", expiry: "300101"}, 44),
			"MRVA", []string{"document_number", "birth_date", "expiry_date"}},
		{buildVisa(t, doc{code: "V", state: "USA", surname: "A", number: "X1", nat: "MEX", birth: "800101", sex: "M", expiry: "300101"}, 36),
			"MRVB", []string{"document_number", "birth_date", "expiry_date"}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			m := asJSONMap(t, mustParse(t, tt.lines))
			if m["format"] != tt.format || m["valid"] != true {
				t.Fatalf("format %v valid %v, errors %v", m["format"], m["valid"], m["errors"])
			}
			checks := m["checks"].(map[string]any)
			if len(checks) != len(tt.checks) {
				t.Errorf("checks = %v, want keys %v", checks, tt.checks)
			}
			for _, k := range tt.checks {
				if checks[k] != true {
					t.Errorf("checks[%s] = %v, want true", k, checks[k])
				}
			}
			for _, k := range []string{"warnings", "errors"} {
				if _, ok := m[k].([]any); !ok {
					t.Errorf("%s = %#v, want an array", k, m[k])
				}
			}
			if len(m) != 17 {
				t.Errorf("JSON has %d keys, want the 17 of docs/design.md §4.6", len(m))
			}
		})
	}
}
