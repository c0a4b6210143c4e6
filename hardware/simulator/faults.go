package simulator

import (
	"bytes"
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/portofentry/booth/hardware"
)

// FaultKind names a device fault the simulator can inject.
type FaultKind string

// The faults of docs/design.md §3 a driver must survive.
const (
	FaultGarbage  FaultKind = "garbage"  // random bytes
	FaultPartial  FaultKind = "partial"  // a truncated frame, then a good one
	FaultFlood    FaultKind = "flood"    // one tag read 200 times a second
	FaultUnplug   FaultKind = "unplug"   // unplug, replug after Duration
	FaultBadBCC   FaultKind = "bad-bcc"  // an STX/ETX document frame with a wrong BCC
	FaultOverlong FaultKind = "overlong" // a 10 KB line
)

// Faults lists every fault kind.
func Faults() []FaultKind {
	return []FaultKind{FaultGarbage, FaultPartial, FaultFlood, FaultUnplug, FaultBadBCC, FaultOverlong}
}

// FaultDescription says what a fault does, for `devsim --list`.
func FaultDescription(k FaultKind) string {
	return map[FaultKind]string{
		FaultGarbage:  "512 random bytes on every device",
		FaultPartial:  "a truncated frame on every device, then a good one",
		FaultFlood:    "one RFID tag read 200 times a second for 10 s (2000 lines)",
		FaultUnplug:   "every device unplugged, replugged after 3 s on a new path",
		FaultBadBCC:   "a framed document read whose BCC is wrong",
		FaultOverlong: "a 10 KB line on every device, then a good frame",
	}[k]
}

func faultList() string {
	var names []string
	for _, k := range Faults() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

var allDevices = []hardware.Device{hardware.DeviceDoc, hardware.DeviceRFID, hardware.DeviceRPM, hardware.DeviceLPR}

// devices lists the devices a fault applies to.
func (k FaultKind) devices() []hardware.Device {
	switch k {
	case FaultFlood:
		return []hardware.Device{hardware.DeviceRFID}
	case FaultBadBCC:
		return []hardware.Device{hardware.DeviceDoc}
	default:
		return allDevices
	}
}

// FaultScenario is a one-step scenario that injects kind on every device it
// applies to; this is what `devsim --fault KIND` plays.
func FaultScenario(kind FaultKind) Scenario {
	return Scenario{
		Name:        "fault-" + string(kind),
		Description: FaultDescription(kind),
		Steps:       []Step{{Fault: &FaultStep{Kind: kind}}},
	}
}

// Samples of good frames the faults surround their damage with.
var (
	goodTag    = TagRead{EPC: "E2003411B802011516121234", Antenna: 1, RSSI: -52}
	goodPlate  = PlateStep{Plate: "7ABC123", Region: "us-ca", Confidence: 94.1}
	floodTag   = TagRead{EPC: "E280116060000209A4B3C2D1", Antenna: 2, RSSI: -48}
	floodRate  = 200 // reads per second
	floodBatch = 50 * time.Millisecond
)

// goodFrame returns one valid frame for dev.
func goodFrame(dev hardware.Device, rng *rand.Rand) emission {
	switch dev {
	case hardware.DeviceDoc:
		return emission{dev: dev, data: EncodeDocRead(DocStep{Lines: goodDocLines(), Framing: "stx-bcc"})}
	case hardware.DeviceRFID:
		return emission{dev: dev, data: RFIDCSVLine(goodTag)}
	case hardware.DeviceRPM:
		return emission{dev: dev, data: rpmBackground(rng)}
	default:
		return (&goodPlate).emissions()[0]
	}
}

// emissions expands the fault into writes; rng makes garbage reproducible
// for a given Options.Seed.
func (f *FaultStep) emissions(rng *rand.Rand) []emission {
	devs := f.Kind.devices()
	if f.Device != "" {
		devs = []hardware.Device{hardware.Device(f.Device)}
	}
	var out []emission
	for _, dev := range devs {
		out = append(out, faultOn(f, dev, rng)...)
	}
	// Devices fail together: every unplug before any replug, every
	// truncated frame before the good ones.
	slices.SortStableFunc(out, func(a, b emission) int { return cmp.Compare(a.at, b.at) })
	return out
}

func faultOn(f *FaultStep, dev hardware.Device, rng *rand.Rand) []emission {
	const settle = 300 * time.Millisecond // past the document reader's 150 ms idle gap
	switch f.Kind {
	case FaultGarbage:
		b := make([]byte, 512)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return []emission{{dev: dev, data: b}}
	case FaultPartial:
		good := goodFrame(dev, rng)
		full := good.bytesAt(time.Now())
		cut := full[:len(full)/2]
		if dev == hardware.DeviceLPR || dev == hardware.DeviceRFID || dev == hardware.DeviceRPM {
			// A line device: the truncated line is still ended, as when the
			// device resets mid-line and starts a fresh one.
			cut = append(bytes.Clone(cut), '\r', '\n')
		}
		good.at = settle
		return []emission{{dev: dev, data: cut}, good}
	case FaultFlood:
		d := time.Duration(f.Duration)
		if d == 0 {
			d = 10 * time.Second
		}
		perBatch := int(float64(floodRate) * floodBatch.Seconds())
		line := RFIDCSVLine(floodTag)
		batch := bytes.Repeat(line, perBatch)
		var out []emission
		for at := time.Duration(0); at < d; at += floodBatch {
			out = append(out, emission{dev: dev, at: at, data: batch})
		}
		return out
	case FaultUnplug:
		d := time.Duration(f.Duration)
		if d == 0 {
			d = 3 * time.Second
		}
		return []emission{
			{dev: dev, action: func(s *Sim) error { return s.Unplug(dev) }},
			{dev: dev, at: d, action: func(s *Sim) error { return s.Replug(dev) }},
		}
	case FaultBadBCC:
		b := EncodeDocRead(DocStep{Lines: goodDocLines(), Framing: "stx-bcc"})
		b[len(b)-1] ^= 0x5A
		return []emission{{dev: dev, data: b}}
	case FaultOverlong:
		line := overlongLine(dev)
		good := goodFrame(dev, rng)
		good.at = settle
		return []emission{{dev: dev, data: line}, good}
	}
	return nil
}

// overlongLine is 10 KB of plausible characters for dev and a terminator.
func overlongLine(dev hardware.Device) []byte {
	const n = 10 * 1024
	var unit string
	switch dev {
	case hardware.DeviceDoc:
		unit = "P<UTO<<<<<"
	case hardware.DeviceRFID:
		unit = "E2003411B8"
	case hardware.DeviceRPM:
		unit = "GS,1,2,3,4"
	default:
		unit = `{"a":"bcd"`
	}
	b := bytes.Repeat([]byte(unit), n/len(unit)+1)[:n]
	return fmt.Appendf(b, "\r\n")
}

// goodDocLines is the MRZ of a fixture passport (T0003's), a read that is
// valid in every respect.
func goodDocLines() []string {
	lines, err := travelerMRZ(fixtures.byID["T0003"])
	if err != nil {
		// The fixtures test builds every traveler's MRZ; this cannot fail.
		return []string{"P<USA"}
	}
	return lines
}
