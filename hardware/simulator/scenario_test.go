package simulator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScenarioValidationErrorsNameTheStep(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"syntax", `{"name":"x","steps":[}`, "line 1 column"},
		{"unknown key", `{"name":"x","steps":[{"rfid":{"tags":[{"epc":"E2003411B802011516121234","rssi":-50}],"colour":1}}]}`, `unknown field "colour"`},
		{"no name", `{"steps":[{"wait":"1s"}]}`, "name is empty"},
		{"no steps", `{"name":"x","steps":[]}`, "no steps"},
		{"two actions", `{"name":"x","steps":[{"wait":"1s","plate":{"plate":"A"}}]}`, "step 1 (step): needs exactly one"},
		{"bad epc", `{"name":"x","steps":[{"wait":"1s"},{"rfid":{"tags":[{"epc":"XYZ","rssi":-50}]}}]}`, `step 2 (rfid): tags[0]: epc "XYZ"`},
		{"short epc", `{"name":"x","steps":[{"rfid":{"tags":[{"epc":"E200","rssi":-50}]}}]}`, "96-496 bits"},
		{"rssi", `{"name":"x","steps":[{"rfid":{"tags":[{"epc":"E2003411B802011516121234","rssi":12}]}}]}`, "rssi 12"},
		{"framing", `{"name":"x","steps":[{"doc":{"lines":["P<"],"framing":"xml"}}]}`, `step 1 (doc): framing "xml"`},
		{"quirk", `{"name":"x","steps":[{"doc":{"lines":["P<"],"quirks":["sticky"]}}]}`, `quirk "sticky"`},
		{"crlf in line", `{"name":"x","steps":[{"doc":{"lines":["P<\r\n"]}}]}`, "line break"},
		{"header without framing", `{"name":"x","steps":[{"doc":{"lines":["P<"],"header":"H"}}]}`, "header needs"},
		{"rpm speed", `{"name":"x","steps":[{"rpm":{"speed":400}}]}`, "speed 400"},
		{"rpm code", `{"name":"x","steps":[{"rpm_status":{"code":"ZZ"}}]}`, `code "ZZ"`},
		{"plate empty", `{"name":"x","steps":[{"plate":{}}]}`, "plate is empty"},
		{"face result", `{"name":"x","steps":[{"face":{"country":"USA","number":"1","result":"maybe"}}]}`, `result "maybe"`},
		{"fault kind", `{"name":"x","steps":[{"fault":{"kind":"fire"}}]}`, `kind "fire"`},
		{"fault device", `{"name":"x","steps":[{"fault":{"kind":"bad-bcc","device":"rfid"}}]}`, "does not apply"},
		{"duration number", `{"name":"x","steps":[{"wait":5}]}`, "duration must be a string"},
		{"duration bad", `{"name":"x","steps":[{"wait":"soon"}]}`, `duration "soon"`},
		{"trailing data", `{"name":"x","steps":[{"wait":"1s"}]} {}`, "after the scenario"},
		{"huge repeat", `{"name":"x","steps":[{"rfid":{"tags":[{"epc":"E2003411B802011516121234","rssi":-50}],"repeat":1000000000}}]}`, "repeat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseScenario([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadScenarioFileNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(path, []byte(`{"name":"x","steps":[{"fault":{"kind":"fire"}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadScenarioFile(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "step 1 (fault)") {
		t.Errorf("error = %v", err)
	}
	if _, err := LoadScenarioFile(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("missing file loaded")
	}
}

func TestBuiltinsRoundTripThroughJSON(t *testing.T) {
	for _, sc := range Scenarios() {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "scenarios", sc.Name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseScenario(b)
		if err != nil {
			t.Fatalf("%s: %v", sc.Name, err)
		}
		if len(got.Steps) != len(sc.Steps) || got.Name != sc.Name {
			t.Errorf("%s: round trip lost steps", sc.Name)
		}
	}
	if _, ok := Builtin("no-such"); ok {
		t.Error("Builtin found a scenario that does not exist")
	}
}

// FuzzParseScenario: any input is a scenario or an error, never a panic, and
// an accepted scenario validates and expands into bounded emissions.
func FuzzParseScenario(f *testing.F) {
	for _, seed := range []string{
		`{"name":"x","steps":[{"wait":"1s"}]}`,
		`{"name":"x","steps":[{"rfid":{"tags":[{"epc":"E2003411B802011516121234","rssi":-50}],"format":"tag","repeat":3}}]}`,
		`{"name":"x","steps":[{"doc":{"lines":["P<UTO","L898"],"framing":"stx-bcc","header":"H","quirks":["lower","blank-first"],"chunk":3}}]}`,
		`{"name":"x","steps":[{"rpm":{"samples":4,"gamma_alarm":true,"neutron_alarm":true}},{"rpm_status":{"code":"GH"}}]}`,
		`{"name":"x","steps":[{"plate":{"plate":"ABC","region":"us-az","confidence":140}},{"plate":{"empty":true}}]}`,
		`{"name":"x","steps":[{"fault":{"kind":"partial"}},{"face":{"country":"USA","number":"1","result":"no_face"}}]}`,
		`{"name":"x","steps":[{"after":"-1s","wait":"1h"}]}`,
		`not json`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := ParseScenario(data)
		if err != nil {
			return
		}
		if err := sc.Validate(); err != nil {
			t.Fatalf("accepted scenario does not validate: %v", err)
		}
		for _, st := range sc.Steps {
			switch {
			case st.RFID != nil && st.RFID.Repeat <= 100:
				_ = st.RFID.emissions()
			case st.Doc != nil:
				_ = st.Doc.emissions()
			case st.RPM != nil && st.RPM.Samples <= 100:
				_ = st.RPM.emissions()
			case st.Plate != nil:
				_ = concat(st.Plate.emissions())
			}
		}
	})
}
