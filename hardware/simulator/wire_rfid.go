package simulator

import (
	"fmt"
	"strings"
	"time"

	"github.com/portofentry/booth/hardware"
)

// RFIDHeartbeat is the line the RFID reader sends when no tag is in the field.
const RFIDHeartbeat = "(No Tags)\r\n"

// RFIDCSVLine is the short form of a tag read: "EPC,ANT,RSSI" + CRLF.
func RFIDCSVLine(t TagRead) []byte {
	return fmt.Appendf(nil, "%s,%d,%d\r\n", strings.ToUpper(t.EPC), antenna(t), t.RSSI)
}

// RFIDTagLine is the long form of a tag read, with the EPC in groups of four
// hex digits, first and last seen times and the read count:
// "Tag:E200 3411 …, Disc:2026/11/25 10:49:35, Last:2026/11/25 10:49:36, Count:3, Ant:1, RSSI:-52" + CRLF.
func RFIDTagLine(t TagRead, disc, last time.Time, count int) []byte {
	epc := strings.ToUpper(t.EPC)
	var groups []string
	for i := 0; i < len(epc); i += 4 {
		groups = append(groups, epc[i:min(i+4, len(epc))])
	}
	const layout = "2006/01/02 15:04:05"
	return fmt.Appendf(nil, "Tag:%s, Disc:%s, Last:%s, Count:%d, Ant:%d, RSSI:%d\r\n",
		strings.Join(groups, " "), disc.Format(layout), last.Format(layout), count, antenna(t), t.RSSI)
}

func antenna(t TagRead) int {
	if t.Antenna == 0 {
		return 1
	}
	return t.Antenna
}

// emissions reports each tag once per repetition, one write per tag line.
func (r *RFIDStep) emissions() []emission {
	repeat := max(r.Repeat, 1)
	interval := time.Duration(r.Interval)
	if interval == 0 {
		interval = 100 * time.Millisecond
	}
	var out []emission
	disc := make([]time.Time, len(r.Tags))
	for i := range repeat {
		for j, t := range r.Tags {
			e := emission{dev: hardware.DeviceRFID, at: time.Duration(i) * interval}
			if r.Format == "tag" {
				count := i + 1
				e.gen = func(now time.Time) []byte {
					if disc[j].IsZero() {
						disc[j] = now
					}
					return RFIDTagLine(t, disc[j], now, count)
				}
			} else {
				e.data = RFIDCSVLine(t)
			}
			out = append(out, e)
		}
	}
	return out
}
