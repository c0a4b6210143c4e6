package simulator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/portofentry/booth/hardware"
)

// RPM defaults, in the range of a vehicle portal's plastic-scintillator
// panels.
const (
	defaultGammaBackground   = 260
	defaultNeutronBackground = 1.2
	defaultRPMSamples        = 15
	defaultRPMInterval       = 200 * time.Millisecond
	defaultSpeedMPH          = 5
)

// RPMLine formats one RPM CSV line: the code and its fields, CRLF-terminated.
func RPMLine(code string, fields ...any) []byte {
	parts := []string{code}
	for _, f := range fields {
		parts = append(parts, fmt.Sprint(f))
	}
	return []byte(strings.Join(parts, ",") + "\r\n")
}

// panelCounts returns four panel counts around mean (Poisson-like noise of
// ±2√mean), never negative.
func panelCounts(rng *rand.Rand, mean float64) []any {
	out := make([]any, 4)
	spread := 2 * math.Sqrt(max(mean, 0))
	for i := range out {
		v := mean + (rng.Float64()*2-1)*spread
		out[i] = max(int(v+0.5), 0)
	}
	return out
}

// rpmBackground is the idle pair of lines: gamma and neutron background.
func rpmBackground(rng *rand.Rand) []byte {
	b := RPMLine("GB", panelCounts(rng, defaultGammaBackground)...)
	return append(b, RPMLine("NB", panelCounts(rng, defaultNeutronBackground)...)...)
}

// emissions plays one occupancy: a GS/NS pair every interval (GA/NA in
// the middle third when alarming, peaking at Peak), then SP and GX. The
// counts are pseudo-random but fixed by the occupancy number, so a replay
// sends the same bytes.
func (r *RPMStep) emissions() []emission {
	rng := rand.New(rand.NewPCG(uint64(r.Occupancy), 0x52504d))
	samples := r.Samples
	if samples == 0 {
		samples = defaultRPMSamples
	}
	interval := time.Duration(r.Interval)
	if interval == 0 {
		interval = defaultRPMInterval
	}
	bg := float64(r.Background)
	if bg == 0 {
		bg = defaultGammaBackground
	}
	peak := float64(r.Peak)
	if peak == 0 {
		peak = 2.4 * bg
	}
	nbg := r.NeutronBackground
	if nbg == 0 {
		nbg = defaultNeutronBackground
	}
	speed := r.Speed
	if speed == 0 {
		speed = defaultSpeedMPH
	}
	lo, hi := samples/3, samples-samples/3 // the alarm window [lo, hi)
	if lo == hi {
		lo, hi = 0, samples
	}
	var out []emission
	for i := range samples {
		inWindow := i >= lo && i < hi
		// Vehicle shielding lowers the count a little outside the source.
		gMean, gCode := bg*0.95, "GS"
		nMean, nCode := nbg, "NS"
		if inWindow && r.GammaAlarm {
			// Triangle profile: the source passes the panels mid-window.
			mid := float64(lo+hi-1) / 2
			half := float64(hi-lo)/2 + 0.5
			frac := 1 - math.Abs(float64(i)-mid)/half
			gMean, gCode = bg+(peak-bg)*frac, "GA"
			if i == int(mid) {
				gMean = peak
			}
		}
		if inWindow && r.NeutronAlarm {
			nMean, nCode = nbg*12+6, "NA"
		}
		b := RPMLine(gCode, panelCounts(rng, gMean)...)
		b = append(b, RPMLine(nCode, panelCounts(rng, nMean)...)...)
		out = append(out, emission{dev: hardware.DeviceRPM, at: time.Duration(i) * interval, data: b})
	}
	end := RPMLine("SP", fmt.Sprintf("%.1f", speed))
	end = append(end, RPMLine("GX", r.Occupancy, int(nbg*1000+0.5))...)
	out = append(out, emission{dev: hardware.DeviceRPM, at: time.Duration(samples) * interval, data: end})
	return out
}

// emissions sends one status line: background faults carry panel counts,
// tamper lines none.
func (s *RPMStatusStep) emissions(rng *rand.Rand) []emission {
	var b []byte
	switch s.Code {
	case "GH":
		b = RPMLine("GH", panelCounts(rng, defaultGammaBackground*6)...)
	case "GL":
		b = RPMLine("GL", panelCounts(rng, 9)...)
	case "NH":
		b = RPMLine("NH", panelCounts(rng, 45)...)
	default:
		b = RPMLine(s.Code)
	}
	return []emission{{dev: hardware.DeviceRPM, data: b}}
}
