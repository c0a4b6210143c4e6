package mrz_test

import (
	"testing"

	"github.com/portofentry/booth/records/mrz"
)

// BenchmarkParseTD3 is the serial path: one passport read, as a reader
// sends it, on every frame.
func BenchmarkParseTD3(b *testing.B) {
	raw := td3L1 + "\r\n" + td3L2 + "\r\n"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mrz.Parse(raw, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseLinesTD1 is the driver's call with collected lines.
func BenchmarkParseLinesTD1(b *testing.B) {
	lines := []string{td1L1, td1L2, td1L3}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mrz.ParseLines(lines, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseGarbage is a flood of noise on the document port: it must
// be rejected after a bounded amount of work.
func BenchmarkParseGarbage(b *testing.B) {
	raw := string(make([]byte, 64<<10))
	for i := range 100 {
		raw = raw[:i] + "x" + raw[i+1:]
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mrz.Parse(raw, testNow); err == nil {
			b.Fatal("garbage accepted")
		}
	}
}
