package rfid

import (
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
)

// FuzzRFIDDecoder feeds arbitrary bytes in arbitrary chunks: no panic,
// bounded buffers and memory, and only well-formed tag or error events.
func FuzzRFIDDecoder(f *testing.F) {
	f.Add([]byte(epc1+",1,-52\r\n"), []byte{5})
	f.Add([]byte(verbose+"\r\n(No Tags)\r\n"), []byte{1, 200})
	f.Add([]byte("e200 3411 b802 0115 1612 1234,1,-52.5\n\n\r\r"), []byte{3})
	f.Add([]byte("Tag:,Ant:,RSSI:\r\n,,\r\n"+strings.Repeat("F", 600)+"\r\n"), []byte{255})
	f.Add([]byte("\x00\xff\r\n"+strings.Repeat("ABCD", 40)+",1,-1\r\n"), []byte{0})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		opts := Options{MaxLineLen: 128, MaxTracked: 8, Window: time.Second}
		d := NewDecoder(opts)
		check := func(evs []hardware.Event) {
			for _, ev := range evs {
				switch ev.Kind {
				case hardware.KindTag:
					tag := ev.Tag
					if tag == nil || len(tag.EPC) < minEPCHex || len(tag.EPC) > maxEPCHex || len(tag.EPC)%4 != 0 ||
						strings.ToUpper(tag.EPC) != tag.EPC || strings.ContainsAny(tag.EPC, " \t") || tag.RSSI < opts.withDefaults().RSSIFloor {
						t.Fatalf("bad tag %+v", tag)
					}
				case hardware.KindError:
					if ev.Error == nil || ev.Error.Err == "" || len(ev.Error.Raw) > opts.MaxLineLen {
						t.Fatalf("bad error %+v", ev.Error)
					}
				default:
					t.Fatalf("unexpected kind %q", ev.Kind)
				}
			}
			if d.lines.Buffered() > opts.MaxLineLen || len(d.seen) > opts.MaxTracked {
				t.Fatalf("unbounded: line %d, tracked %d", d.lines.Buffered(), len(d.seen))
			}
		}
		now := t0
		for i := 0; len(data) > 0; i++ {
			n := len(data)
			if len(cuts) > 0 {
				c := cuts[i%len(cuts)]
				n = min(int(c&0x7f)+1, len(data))
				if c&0x80 != 0 {
					now = now.Add(700 * time.Millisecond)
					check(d.Idle(now))
				}
			}
			check(d.Feed(data[:n], now))
			data = data[n:]
			now = now.Add(time.Millisecond)
		}
		check(d.Idle(now.Add(time.Second)))
		check(d.Flush(now.Add(time.Second)))
	})
}
