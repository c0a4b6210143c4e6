package simulator

import (
	"slices"
	"time"
)

// DemoGap is the usual pause between crossings in the demo loop.
const DemoGap = 8 * time.Second

// Scenarios returns the built-in scenarios, in the order the demo loop plays
// them. Their tags and documents resolve in Fixtures().
func Scenarios() []Scenario {
	return []Scenario{
		cleanSENTRI(), pedestrian(), imposter(), rpmNuisance(), lookoutHit(),
		expired(), lostStolenDoc(), lowConfidencePlate(), multiOccupant(), euIDCards(),
	}
}

// Builtin returns the built-in scenario called name.
func Builtin(name string) (Scenario, bool) {
	i := slices.IndexFunc(Scenarios(), func(s Scenario) bool { return s.Name == name })
	if i < 0 {
		return Scenario{}, false
	}
	return Scenarios()[i], true
}

func d(v time.Duration) Duration { return Duration(v) }

// tags is a burst of reads of the given travelers' cards as a vehicle rolls
// up: 15 reads each, 200 ms apart.
func tags(format string, rssi int, travelerIDs ...string) Step {
	r := &RFIDStep{Format: format, Repeat: 15, Interval: d(200 * time.Millisecond)}
	for i, id := range travelerIDs {
		r.Tags = append(r.Tags, TagRead{EPC: epcOf(id), Antenna: 1 + i%2, RSSI: rssi - 3*i})
	}
	return Step{RFID: r}
}

// epcOf is the EPC of a traveler's card in the fixtures ("" if none, which
// fails validation and the package tests).
func epcOf(travelerID string) string {
	for _, e := range fixtures.enrollment {
		if e.TravelerID == travelerID {
			return e.EPC
		}
	}
	return ""
}

// docRead is a document read of a traveler's document.
func docRead(travelerID, framing string, quirks ...string) Step {
	lines, err := travelerMRZ(fixtures.byID[travelerID])
	if err != nil {
		lines = nil // fails validation; the package tests build every scenario
	}
	return Step{Doc: &DocStep{Lines: lines, Framing: framing, Quirks: quirks}}
}

// face sets the matcher's verdict for a traveler's document.
func face(travelerID, result string, score float64) Step {
	doc := fixtures.byID[travelerID].Document
	return Step{Face: &FaceStep{Country: doc.Country, Number: doc.Number, Result: result, Score: score}}
}

func plate(p, region string, conf float64, cands ...Candidate) Step {
	return Step{Plate: &PlateStep{Plate: p, Region: region, Confidence: conf, Candidates: cands}}
}

// portal is a vehicle passing the RPM; the occupancy number is assigned
// when played.
func portal(samples int, speed float64) Step {
	return Step{RPM: &RPMStep{Samples: samples, Speed: speed}}
}

func after(v time.Duration, s Step) Step { s.After = Duration(v); return s }

func cleanSENTRI() Scenario {
	neighbour := Step{RFID: &RFIDStep{Repeat: 5, Interval: d(300 * time.Millisecond),
		Tags: []TagRead{{EPC: epcOf("T0020"), Antenna: 2, RSSI: -76}}}}
	return Scenario{
		Name:        "clean-sentri",
		Description: "SENTRI car, two enrolled travelers: tags before arrival, clean portal, plate matches the enrolment",
		Mode:        "vehicle",
		Steps: []Step{
			neighbour, // a SENTRI card in the next lane, below the RSSI floor
			tags("csv", -58, "T0001", "T0002"),
			after(1*time.Second, portal(15, 4.2)),
			plate("7ABC123", "us-ca", 93.4),
		},
	}
}

func pedestrian() Scenario {
	return Scenario{
		Name:        "pedestrian",
		Description: "US citizen at the pedestrian counter: face capture first, then the passport on the reader",
		Mode:        "pedestrian",
		Steps: []Step{
			face("T0003", "match", 0.94),
			after(1500*time.Millisecond, docRead("T0003", "stx-bcc")),
		},
	}
}

func imposter() Scenario {
	return Scenario{
		Name:        "imposter",
		Description: "Genuine Mexican passport of an enrolled traveler presented by someone else: face no_match 0.31",
		Mode:        "pedestrian",
		Steps: []Step{
			face("T0004", "no_match", 0.31),
			after(time.Second, docRead("T0004", "plain")),
		},
	}
}

func rpmNuisance() Scenario {
	s := portal(20, 3.6)
	s.RPM.GammaAlarm = true
	s.RPM.Peak = 560 // NORM (kitty litter, ceramic tile): a modest gamma rise
	return Scenario{
		Name:        "rpm-nuisance",
		Description: "EDL holder whose load of kitty litter (NORM) sets off a gamma alarm: referral and LSS reachback",
		Mode:        "vehicle",
		Steps: []Step{
			tags("tag", -55, "T0012"),
			after(time.Second, s),
			plate("BZK4471", "us-wa", 90.8),
		},
	}
}

func lookoutHit() Scenario {
	return Scenario{
		Name:        "lookout",
		Description: "Vehicle whose plate is on a lookout (LK0003), driver matching a name + birth date lookout (LK0002)",
		Mode:        "vehicle",
		Steps: []Step{
			portal(15, 5.1),
			plate("ABC1234", "us-az", 91.2,
				Candidate{Plate: "ABC1234", Confidence: 91.2}, Candidate{Plate: "ABC1Z34", Confidence: 77.5}),
			after(3*time.Second, docRead("T0011", "plain", "underscore")),
		},
	}
}

func expired() Scenario {
	return Scenario{
		Name:        "expired",
		Description: "British visitor whose passport expired in 2024",
		Mode:        "pedestrian",
		Steps:       []Step{docRead("T0008", "plain")},
	}
}

func lostStolenDoc() Scenario {
	s := docRead("T0010", "stx")
	s.Doc.Header = "DR1"
	return Scenario{
		Name:        "lost-stolen",
		Description: "Mexican passport reported stolen (LS0001), read through an SOH-header framed reader",
		Mode:        "pedestrian",
		Steps:       []Step{face("T0010", "match", 0.88), s},
	}
}

func lowConfidencePlate() Scenario {
	return Scenario{
		Name:        "low-confidence-plate",
		Description: "Passport card holder; the plate reader is unsure between candidates, the officer confirms",
		Mode:        "vehicle",
		Steps: []Step{
			tags("csv", -60, "T0018"),
			after(time.Second, portal(12, 6.3)),
			plate("8XKR442", "us-tx", 61.5,
				Candidate{Plate: "8XKR442", Confidence: 61.5}, Candidate{Plate: "BXKR442", Confidence: 58.2},
				Candidate{Plate: "8XKR44Z", Confidence: 41.0}),
		},
	}
}

func multiOccupant() Scenario {
	return Scenario{
		Name:        "multi-occupant",
		Description: "Family of four: two passport cards read by RFID, two passports handed over and read",
		Mode:        "vehicle",
		Steps: []Step{
			tags("csv", -54, "T0013", "T0014"),
			after(time.Second, portal(18, 4.0)),
			plate("4MXR902", "us-ca", 95.7),
			after(3*time.Second, docRead("T0015", "stx-bcc")),
			after(4*time.Second, docRead("T0016", "plain", "lower")),
		},
	}
}

func euIDCards() Scenario {
	return Scenario{
		Name:        "eu-id-cards",
		Description: "Two pedestrians with TD1 ID cards: German (state code D) and Dutch (long document number)",
		Mode:        "pedestrian",
		Steps: []Step{
			docRead("T0006", "plain", "guillemet"),
			after(5*time.Second, docRead("T0007", "stx-bcc", "blank-first")),
		},
	}
}
