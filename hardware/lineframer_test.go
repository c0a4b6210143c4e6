package hardware

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

var kindNames = map[LineKind]string{LineComplete: "line", LineOverlong: "overlong", LineExpired: "expired", LineFlushed: "flushed"}

// record returns a callback that appends "kind:bytes" to got.
func record(got *[]string) func(LineKind, []byte) {
	return func(k LineKind, b []byte) { *got = append(*got, kindNames[k]+":"+string(b)) }
}

func TestLineFramer(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	type step struct {
		data  string // fed at the step's time; empty means Idle
		after time.Duration
		flush bool
	}
	tests := []struct {
		name  string
		steps []step
		want  []string
	}{
		{"LF, CR and CRLF end lines", []step{{data: "a\nb\rc\r\nd\n"}}, []string{"line:a", "line:b", "line:c", "line:d"}},
		{"empty lines are dropped", []step{{data: "\r\n\n\r\rx\n\n"}}, []string{"line:x"}},
		{"whitespace is kept", []step{{data: " x \n"}}, []string{"line: x "}},
		{"split across chunks", []step{{data: "ab"}, {data: "c\r"}, {data: "\nd"}, {data: "e\n"}}, []string{"line:abc", "line:de"}},
		{"line of exactly the bound", []step{{data: "12345678\n"}}, []string{"line:12345678"}},
		{"overlong reported once, skipped to the line end", []step{{data: "1234567"}, {data: "89abcdef"}, {data: "gh\nok\n"}},
			[]string{"overlong:12345678", "line:ok"}},
		{"overlong ended by CR resyncs", []step{{data: "123456789abc\r\nok\r\n"}}, []string{"overlong:12345678", "line:ok"}},
		{"partial line expires before new bytes", []step{{data: "GS,1"}, {data: "x\n", after: time.Second}}, []string{"expired:GS,1", "line:x"}},
		{"partial line kept within the timeout", []step{{data: "GS,1"}, {data: "2\n", after: 999 * time.Millisecond}}, []string{"line:GS,12"}},
		{"idle expires a partial line", []step{{data: "GS"}, {after: time.Second}, {after: 2 * time.Second}}, []string{"expired:GS"}},
		{"idle within the timeout keeps it", []step{{data: "GS"}, {after: 500 * time.Millisecond}, {data: "\n", after: 400 * time.Millisecond}}, []string{"line:GS"}},
		{"skip of an overlong line ends silently at expiry", []step{{data: "123456789"}, {after: time.Second}, {data: "ok\n", after: time.Second}},
			[]string{"overlong:12345678", "line:ok"}},
		{"flush hands over the partial line", []step{{data: "ab\ncd"}, {flush: true}, {data: "ef\n"}}, []string{"line:ab", "flushed:cd", "line:ef"}},
		{"flush ends a skip", []step{{data: "123456789"}, {flush: true}, {data: "ok\n"}}, []string{"overlong:12345678", "line:ok"}},
		{"flush with nothing held", []step{{data: "ab\n"}, {flush: true}}, []string{"line:ab"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewLineFramer(8, time.Second)
			var got []string
			for _, s := range tt.steps {
				now := t0.Add(s.after)
				switch {
				case s.flush:
					f.Flush(record(&got))
				case s.data == "":
					f.Idle(now, record(&got))
				default:
					f.Feed([]byte(s.data), now, record(&got))
				}
				t0 = now
				if f.Buffered() > 8 {
					t.Fatalf("buffered %d bytes", f.Buffered())
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzLineFramer checks that chunking never changes the lines, that the
// buffer stays bounded, and that every handed-over line is non-empty, free of
// line ends and within the bound.
func FuzzLineFramer(f *testing.F) {
	f.Add([]byte("GS,1,2,3,4\r\nGX,1,2\r\n"), uint64(3))
	f.Add([]byte("a\rb\nc\r\n\r\n"+strings.Repeat("x", 40)+"\nok\n"), uint64(7))
	f.Add([]byte("\x00\xff\r\r\n\n partial"), uint64(0))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		const maxLine = 16
		t0 := time.Now()
		check := func(got *[]string) func(LineKind, []byte) {
			return func(k LineKind, b []byte) {
				if len(b) == 0 || len(b) > maxLine || strings.ContainsAny(string(b), "\r\n") {
					t.Fatalf("%s handed over %q", kindNames[k], b)
				}
				*got = append(*got, fmt.Sprintf("%s:%q", kindNames[k], b))
			}
		}
		var want []string
		whole := NewLineFramer(maxLine, time.Second)
		whole.Feed(data, t0, check(&want))
		whole.Flush(check(&want))

		var got []string
		chunked := NewLineFramer(maxLine, time.Second)
		for rest := data; len(rest) > 0; {
			seed = seed*6364136223846793005 + 1442695040888963407
			n := 1 + int(seed>>33)%len(rest)
			chunked.Feed(rest[:n], t0, check(&got))
			rest = rest[n:]
			if chunked.Buffered() > maxLine {
				t.Fatalf("buffered %d bytes", chunked.Buffered())
			}
		}
		chunked.Flush(check(&got))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("chunking changed the lines:\n got %q\nwant %q", got, want)
		}
	})
}
