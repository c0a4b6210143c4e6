package rfid_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/hardware/internal/ptytest"
	"github.com/portofentry/booth/hardware/rfid"
)

// BenchmarkTagLatency measures, through a real pty and the real port loop,
// the time from the last byte of an RFID line (EPC,ANT,RSSI CRLF, 33 bytes)
// written to the pty master to the typed tag event received. Each read is a
// new EPC so de-duplication does not swallow it. Budget: p99 <= 2 ms.
func BenchmarkTagLatency(b *testing.B) {
	dev, out, _ := ptytest.StartPort(b, hardware.DeviceRFID, "usb-rfid", rfid.NewDecoder(rfid.Options{}))
	ptytest.BenchLatency(b, dev, out, hardware.KindTag, func(i int) []byte {
		return fmt.Appendf(nil, "E2003411B8020115%08X,1,-52\r\n", i)
	})
}

// BenchmarkDecodeTag is the decoder alone, one new tag line per op.
func BenchmarkDecodeTag(b *testing.B) {
	d := rfid.NewDecoder(rfid.Options{})
	now := time.Now()
	b.ReportAllocs()
	for i := range b.N {
		line := fmt.Appendf(nil, "E2003411B8020115%08X,1,-52\r\n", i%4096)
		d.Feed(line, now)
		now = now.Add(3 * time.Millisecond)
	}
}
