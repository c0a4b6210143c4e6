// Package synth generates synthetic crossings for the store's tests and
// benchmarks: a deterministic population (a function of the crossing count
// and a seed) of people, passports, SENTRI cards and household vehicles,
// some of whom cross daily (commuters) and most rarely, so the history of a
// frequent traveller is long and that of a visitor short. It builds events
// only; loading them is the caller's.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/records/mrz"
)

// Booths is how many simulated booths the crossings come from.
const Booths = 8

// Origin is the workstation id of simulated booth b (0-based): "SYN-L01"….
func Origin(b int) string { return fmt.Sprintf("SYN-L%02d", b+1) }

// Generator builds crossings one at a time, in time order. The same
// (n, seed) builds the same people, documents, cards and plates.
type Generator struct {
	people     []Person
	rng        *rand.Rand
	n, i       int
	start, end time.Time
	step       time.Duration
	seqs       [Booths]int64
}

// New returns a generator of n crossings spread over the two years before
// end. lastSeq holds each booth's last origin_seq already stored, so the
// numbering of its events continues gap-free.
func New(n int, seed uint64, end time.Time, lastSeq [Booths]int64) *Generator {
	span := 2 * 365 * 24 * time.Hour
	g := &Generator{
		people: Population(n, seed),
		rng:    rand.New(rand.NewPCG(seed, 0xc0ffee)),
		n:      n,
		end:    end,
		start:  end.Add(-span),
		seqs:   lastSeq,
	}
	if n > 0 {
		g.step = span / time.Duration(n)
	}
	return g
}

// Next returns the events of the next crossing, stamped as replicated from
// its booth (origin, origin_seq, recorded_at), or ok false after the n-th.
func (g *Generator) Next() (evs []records.Event, ok bool, err error) {
	if g.i >= g.n {
		return nil, false, nil
	}
	at := g.start.Add(time.Duration(g.i)*g.step + time.Duration(g.rng.Int64N(int64(g.step)+1)))
	g.i++
	booth := g.rng.IntN(Booths)
	evs, err = synthCrossing(g.rng, g.people, at, booth, g.end)
	if err != nil {
		return nil, false, fmt.Errorf("synth: crossing %d: %w", g.i, err)
	}
	for j := range evs {
		g.seqs[booth]++
		evs[j].Origin, evs[j].OriginSeq = Origin(booth), g.seqs[booth]
		evs[j].RecordedAt = evs[j].At.Add(50 * time.Millisecond)
	}
	return evs, true, nil
}

// Person is one member of the synthetic population.
type Person struct {
	Surname, Given, Birth, Sex string
	DocCountry, DocNumber      string // passport
	EPC, CardNumber            string // SENTRI card, "" when not enrolled
	Region, Plate              string // household vehicle, "" for none
}

var (
	synthSurnames = []string{
		"GARCIA", "MARTINEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ", "RODRIGUEZ", "PEREZ", "SANCHEZ",
		"RAMIREZ", "TORRES", "FLORES", "RIVERA", "GOMEZ", "DIAZ", "CRUZ", "MORALES", "REYES",
		"GUTIERREZ", "ORTIZ", "CASTILLO", "JIMENEZ", "RUIZ", "ALVAREZ", "MENDOZA", "VASQUEZ",
		"CASTRO", "ROMERO", "HERRERA", "MEDINA", "AGUILAR", "SMITH", "JOHNSON", "WILLIAMS",
		"BROWN", "JONES", "MILLER", "DAVIS", "WILSON", "ANDERSON", "TAYLOR", "THOMAS", "MOORE",
		"JACKSON", "MARTIN", "LEE", "THOMPSON", "WHITE", "HARRIS", "CLARK", "LEWIS", "NGUYEN",
		"KIM", "PATEL", "OBRIEN", "MACDONALD", "DELAROSA", "SANTIAGO", "VEGA", "NAVARRO", "SOTO",
	}
	synthGiven = []string{
		"MARIA", "JOSE", "JUAN", "ANA", "LUIS", "CARLOS", "SOFIA", "MIGUEL", "JORGE", "ELENA",
		"FRANCISCO", "GUADALUPE", "ALEJANDRO", "FERNANDA", "DIEGO", "VALERIA", "RICARDO", "LUCIA",
		"JAMES", "MARY", "ROBERT", "PATRICIA", "JOHN", "JENNIFER", "MICHAEL", "LINDA", "DAVID",
		"ELIZABETH", "WILLIAM", "SUSAN", "DANIEL", "JESSICA", "EMILY", "ANTHONY", "SARAH", "KEVIN",
	}
	synthStates = []struct{ region, country string }{
		{"US-CA", "USA"}, {"US-CA", "USA"}, {"US-AZ", "USA"}, {"US-TX", "USA"}, {"US-NM", "USA"},
		{"MX-BCN", "MEX"}, {"MX-SON", "MEX"}, {"MX-CHH", "MEX"},
	}
)

// Population builds the population for a run of n crossings with seed.
func Population(n int, seed uint64) []Person {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	size := max(n/3, 16)
	people := make([]Person, size)
	for i := range people {
		p := &people[i]
		p.Surname = synthSurnames[rng.IntN(len(synthSurnames))]
		if rng.IntN(3) == 0 {
			p.Surname += " " + synthSurnames[rng.IntN(len(synthSurnames))]
		}
		p.Given = synthGiven[rng.IntN(len(synthGiven))]
		if rng.IntN(2) == 0 {
			p.Given += " " + synthGiven[rng.IntN(len(synthGiven))]
		}
		p.Sex = []string{"F", "M"}[rng.IntN(2)]
		born := time.Date(1940+rng.IntN(66), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		p.Birth = born.Format(time.DateOnly)
		st := synthStates[rng.IntN(len(synthStates))]
		p.DocCountry = st.country
		// Unique per person: the index is folded into the number.
		if st.country == "USA" {
			p.DocNumber = fmt.Sprintf("5%08d", i%100000000)
		} else {
			p.DocNumber = fmt.Sprintf("%c%08d", 'A'+rune(rng.IntN(26)), i%100000000)
		}
		if rng.IntN(10) < 3 {
			p.EPC = fmt.Sprintf("E2003411B8020115%08X", uint32(i))
			p.CardNumber = fmt.Sprintf("9%08d", i%100000000)
		}
		if rng.IntN(10) < 6 {
			p.Region = st.region
			if strings.HasPrefix(st.region, "US-CA") {
				p.Plate = fmt.Sprintf("%d%c%c%c%03d", 1+rng.IntN(9), 'A'+rune(rng.IntN(26)), 'A'+rune(rng.IntN(26)), 'A'+rune(rng.IntN(26)), rng.IntN(1000))
			} else {
				p.Plate = fmt.Sprintf("%c%c%c%04d", 'A'+rune(rng.IntN(26)), 'A'+rune(rng.IntN(26)), 'A'+rune(rng.IntN(26)), rng.IntN(10000))
			}
		}
	}
	return people
}

// Pick draws a person's index with a skewed distribution: low indices
// (commuters) cross far more often than high ones (visitors).
func Pick(rng *rand.Rand, n int) int {
	u := rng.Float64()
	return int(u * u * float64(n))
}

// synthCrossing builds the events of one crossing opened at at.
//
// A referral older than an hour before now has been worked in secondary;
// a recent one still waits there.
func synthCrossing(rng *rand.Rand, people []Person, at time.Time, booth int, now time.Time) ([]records.Event, error) {
	cid := records.NewID()
	var evs []records.Event
	t := at
	add := func(p records.Payload, officer string) error {
		e, err := records.NewEvent(cid, p, t, officer)
		if err != nil {
			return err
		}
		evs = append(evs, e)
		t = t.Add(time.Duration(2+rng.IntN(20)) * time.Second)
		return nil
	}
	officer := fmt.Sprintf("B%05d", 10000+rng.IntN(60))
	driver := &people[Pick(rng, len(people))]
	vehicle := rng.IntN(4) != 0 && driver.Plate != ""
	mode, lane := records.ModePedestrian, fmt.Sprintf("P%02d", booth%4+1)
	if vehicle {
		mode, lane = records.ModeVehicle, fmt.Sprintf("V%02d", booth+1)
	}
	trigger := "document"
	if vehicle {
		trigger = "plate"
	}
	if err := add(records.CrossingOpened{Port: "2504", Lane: lane, Mode: mode, Trigger: trigger}, ""); err != nil {
		return nil, err
	}
	occupants := []*Person{driver}
	alarm := false
	if vehicle {
		for range rng.IntN(3) {
			occupants = append(occupants, &people[Pick(rng, len(people))])
		}
		alarm = rng.IntN(200) == 0
		occ := records.RPMOccupancy{
			Occupancy: rng.IntN(1_000_000), Start: t, End: t.Add(4 * time.Second),
			GammaAlarm: alarm, MaxGamma: 1200 + rng.IntN(400), MaxNeutron: rng.IntN(3),
			BackgroundGamma: 1100 + rng.IntN(100), Speed: 3 + rng.Float64()*5,
		}
		if alarm {
			occ.MaxGamma += 5000
		}
		if err := add(occ, ""); err != nil {
			return nil, err
		}
		if err := add(records.PlateRead{Plate: driver.Plate, Region: strings.ToLower(driver.Region),
			Confidence: 80 + rng.Float64()*20, CameraID: "lpr-" + lane}, ""); err != nil {
			return nil, err
		}
	}
	for _, p := range occupants {
		if p.EPC != "" && vehicle {
			en := &records.Enrollment{
				Program: "SENTRI", TravelerID: "T" + p.CardNumber, Surname: p.Surname, GivenNames: p.Given,
				BirthDate: p.Birth, Document: records.DocumentRef{Type: "SENTRI", Country: "USA", Number: p.CardNumber},
			}
			if p.Plate != "" {
				en.VehiclePlates = []string{p.Region + "/" + p.Plate}
			}
			if err := add(records.RFIDRead{EPC: p.EPC, Antenna: 1 + rng.IntN(4), RSSI: -40 - rng.IntN(25), Enrollment: en}, ""); err != nil {
				return nil, err
			}
			continue
		}
		lines, res := synthTD3(p, t)
		if err := add(records.DocumentRead{Raw: lines, MRZ: res}, officer); err != nil {
			return nil, err
		}
	}
	switch r := rng.IntN(100); {
	case alarm || r < 4:
		reason := records.ReasonRandom
		if alarm {
			reason = records.ReasonRPMAlarm
		}
		if err := add(records.Referred{Reasons: []string{reason}}, officer); err != nil {
			return nil, err
		}
		if at.Before(now.Add(-time.Hour)) {
			if err := add(records.SecondaryFinding{Category: "none", Text: "Nothing found."}, "S"+officer[1:]); err != nil {
				return nil, err
			}
			if err := add(records.Determination{Outcome: records.OutcomeReleased}, "S"+officer[1:]); err != nil {
				return nil, err
			}
			if err := add(records.CrossingClosed{}, "S"+officer[1:]); err != nil {
				return nil, err
			}
		}
	default:
		outcome := records.OutcomeAdmitted
		if r == 99 {
			outcome = records.OutcomeRefused
		}
		if err := add(records.Determination{Outcome: outcome}, officer); err != nil {
			return nil, err
		}
		if err := add(records.CrossingClosed{}, officer); err != nil {
			return nil, err
		}
	}
	return evs, nil
}

// synthTD3 renders a passport's MRZ lines (with correct check digits) and
// the parse a reader would report.
func synthTD3(p *Person, now time.Time) ([]string, mrz.Result) {
	fill := func(s string, n int) string {
		s = strings.ReplaceAll(s, " ", "<")
		if len(s) > n {
			return s[:n]
		}
		return s + strings.Repeat("<", n-len(s))
	}
	cd := func(s string) string { d, _ := mrz.CheckDigit(s); return string(d) }
	expiry := now.AddDate(3, 0, 0).Format(time.DateOnly)
	yymmdd := func(iso string) string { return iso[2:4] + iso[5:7] + iso[8:10] }
	num := fill(p.DocNumber, 9)
	birth, exp := yymmdd(p.Birth), yymmdd(expiry)
	l1 := fill("P<"+p.DocCountry+strings.ReplaceAll(p.Surname, " ", "<")+"<<"+p.Given, 44)
	personal := fill("", 14)
	composite := num + cd(num) + birth + cd(birth) + exp + cd(exp) + personal + cd(personal)
	l2 := num + cd(num) + p.DocCountry + birth + cd(birth) + p.Sex + exp + cd(exp) + personal + cd(personal) + cd(composite)
	ok := true
	return []string{l1, l2}, mrz.Result{
		Format: mrz.TD3, Valid: true, DocumentCode: "P", IssuingState: p.DocCountry, IssuingStateISO: p.DocCountry,
		DocumentNumber: p.DocNumber, Nationality: p.DocCountry, NationalityISO: p.DocCountry,
		BirthDate: p.Birth, Sex: p.Sex, ExpiryDate: expiry, Surname: p.Surname, GivenNames: p.Given,
		Checks:   mrz.Checks{DocumentNumber: &ok, BirthDate: &ok, ExpiryDate: &ok, PersonalNumber: &ok, Composite: &ok},
		Warnings: []string{}, Errors: []string{},
	}
}
