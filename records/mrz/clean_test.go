package mrz_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/portofentry/booth/records/mrz"
)

const (
	td3L1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
	td3L2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
	td1L1 = "I<UTOD231458907<<<<<<<<<<<<<<<"
	td1L2 = "7408122F1204159UTO<<<<<<<<<<<6"
	td1L3 = "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)

// Reader and clipboard noise must not change the result.
func TestNoiseIsCleaned(t *testing.T) {
	tests := []struct {
		name, raw, clean string
	}{
		{"LF", td3L1 + "\n" + td3L2, ""},
		{"CRLF", td3L1 + "\r\n" + td3L2 + "\r\n", ""},
		{"CR", td3L1 + "\r" + td3L2 + "\r", ""},
		{"trailing blank lines", td3L1 + "\n" + td3L2 + "\n\n \r\n\t\n", ""},
		{"leading empty lines for missing rows", "\r\n\r\n" + td3L1 + "\r\n" + td3L2, ""},
		{"empty line between rows", td3L1 + "\n\n" + td3L2, ""},
		{"lower case", strings.ToLower(td3L1 + "\n" + td3L2), ""},
		{"guillemet for filler", strings.ReplaceAll(td3L1+"\n"+td3L2, "<", "«"), ""},
		{"Latin-1 guillemet byte", strings.ReplaceAll(td3L1+"\n"+td3L2, "<", "\xab"), ""},
		{"underscore padding", strings.ReplaceAll(td3L1+"\n"+td3L2, "<", "_"), ""},
		{"spaces around lines", "  " + td3L1 + "  \n\t" + td3L2 + " ", ""},
		{"spaces inside lines", "P<UTO ERIKSSON<<ANNA<MARIA <<<<<<<<<<<<<<<<<<<\nL898902C3 6 UTO 7408122 F 1204159 ZE184226B<<<<<10", ""},
		{"no-break and zero-width spaces, BOM", "\ufeff" + td3L1 + "\u00a0\n\u200b" + td3L2, ""},
		{"NUL and DEL bytes", td3L1 + "\x00\n\x7f" + td3L2, ""},
		{"STX ETX framing", "\x02" + td3L1 + "\r" + td3L2 + "\r\x03", ""},
		{"SOH header and BCC", "\x01HDR01\x02" + td3L1 + "\r" + td3L2 + "\r\x03Z", ""},
		{"BCC that looks like a line end", "\x02" + td3L1 + "\r" + td3L2 + "\r\x03\n", ""},
		{"TD1 with leading empty line", "\n" + td1L1 + "\r\n" + td1L2 + "\r\n" + td1L3 + "\r\n", td1L1 + "\n" + td1L2 + "\n" + td1L3},
		{"TD1 lower case and underscores", strings.ToLower(strings.ReplaceAll(td1L1+"\n"+td1L2+"\n"+td1L3, "<", "_")), td1L1 + "\n" + td1L2 + "\n" + td1L3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanIn := tt.clean
			if cleanIn == "" {
				cleanIn = td3L1 + "\n" + td3L2
			}
			want, err := mrz.Parse(cleanIn, testNow)
			if err != nil {
				t.Fatal(err)
			}
			got, err := mrz.Parse(tt.raw, testNow)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.raw, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("noisy input parsed differently\n got: %+v\nwant: %+v", got, want)
			}
			if !got.Valid {
				t.Errorf("errors: %q", got.Errors)
			}
		})
	}
}

func TestParseLinesSameAsParse(t *testing.T) {
	for _, lines := range [][]string{
		{td3L1, td3L2},
		{"", td3L1 + "\r", " " + td3L2, ""},
		{td1L1, td1L2, td1L3},
		{"\x02" + td1L1, td1L2, td1L3 + "\x03"},
	} {
		got, err := mrz.ParseLines(lines, testNow)
		if err != nil {
			t.Fatalf("ParseLines(%q): %v", lines, err)
		}
		want, _ := mrz.Parse(strings.Join(lines, "\r\n"), testNow)
		if !reflect.DeepEqual(got, want) || !got.Valid {
			t.Errorf("ParseLines(%q) = %+v, want %+v", lines, got, want)
		}
	}
}

func TestNotMRZ(t *testing.T) {
	tests := []struct {
		name, raw, reason string
	}{
		{"empty", "", "no MRZ characters"},
		{"only blank lines", " \r\n\n\t\n", "no MRZ characters"},
		{"only framing", "\x01\x02\x03", "no MRZ characters"},
		{"a word", "hello", "1 line of 5"},
		{"one line of a passport", td3L1, "1 line of 44"},
		{"a short line", td3L1 + "\n" + td3L2[:43], "2 lines of 44, 43"},
		{"a long line", td3L1 + "\n" + td3L2 + "<", "longer than 44"},
		{"mixed widths", td3L1 + "\n" + td3L2[:36], "2 lines of 44, 36"},
		{"two TD1 lines", td1L1 + "\n" + td1L2, "2 lines of 30, 30"},
		{"three passport lines", td3L1 + "\n" + td3L2 + "\n" + td3L2, "3 lines of 44, 44, 44"},
		{"four lines", td1L1 + "\n" + td1L2 + "\n" + td1L3 + "\n" + td1L3, "more than 3 lines"},
		{"both rows on one line", td3L1 + " " + td3L2, "longer than 44"},
		{"JSON", `{"plate":"ABC1234","confidence":91.2}`, "1 line of"},
		{"binary", "\xff\xfe\x00\x01\x80\x81", "1 line of 4"},
		{"a flood", strings.Repeat("A", 1<<20), "longer than 44"},
		{"many lines", strings.Repeat("x\n", 1<<16), "more than 3 lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := mrz.Parse(tt.raw, testNow)
			if !errors.Is(err, mrz.ErrNotMRZ) {
				t.Fatalf("err = %v, want ErrNotMRZ", err)
			}
			if r != nil {
				t.Errorf("result %+v with ErrNotMRZ", r)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("err = %q, want the reason %q", err, tt.reason)
			}
		})
	}
}

// A recognised shape with characters outside the MRZ alphabet is a result
// that says where they are, not an error return.
func TestInvalidCharacters(t *testing.T) {
	tests := []struct {
		name, raw string
		errs      []string
	}{
		{"symbol in the name", strings.Replace(td3L1, "ANNA", "AN#A", 1) + "\n" + td3L2,
			[]string{`line 1 position 18: '#' is not an MRZ character`, `name contains '?'`}},
		{"accented letter", strings.Replace(td3L1, "ERIKSSON", "ÉRIKSSON", 1) + "\n" + td3L2,
			[]string{`line 1 position 6: 'É' is not an MRZ character`, `name contains '?'`}},
		{"invalid UTF-8 in the number", td3L1 + "\n" + "L89\xff902C36UTO7408122F1204159ZE184226B<<<<<10",
			[]string{`line 2 position 4: byte 0xFF is not an MRZ character`, "document number check digit cannot be computed", "composite check digit cannot be computed"}},
		{"many bad characters", "P<UTO" + strings.Repeat("*", 39) + "\n" + td3L2,
			[]string{"line 1 position 6", "line 1 position 7", "line 1 position 8", "36 more characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := mrz.Parse(tt.raw, testNow)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if r.Valid {
				t.Error("valid with invalid characters")
			}
			for _, want := range tt.errs {
				found := false
				for _, e := range r.Errors {
					found = found || strings.Contains(e, want)
				}
				if !found {
					t.Errorf("errors %q lack %q", r.Errors, want)
				}
			}
		})
	}
}
