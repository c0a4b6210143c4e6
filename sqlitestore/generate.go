package sqlitestore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/records/mrz"
)

// Synthetic crossings for benchmarks, demos and load tests. The population
// is a deterministic function of (n, seed): a fixed set of people, cards and
// vehicles, some of whom cross daily (commuters) and most rarely, so the
// history of a frequent traveller is long and that of a visitor short.

// synthPerson is one member of the synthetic population.
type synthPerson struct {
	surname, given, birth, sex string
	docCountry, docNumber      string // passport
	epc, cardNumber            string // SENTRI card, "" when not enrolled
	region, plate              string // household vehicle, "" for none
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

// synthPopulation builds the population for a run of n crossings.
func synthPopulation(n int, seed uint64) []synthPerson {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	size := max(n/3, 16)
	people := make([]synthPerson, size)
	for i := range people {
		p := &people[i]
		p.surname = synthSurnames[rng.IntN(len(synthSurnames))]
		if rng.IntN(3) == 0 {
			p.surname += " " + synthSurnames[rng.IntN(len(synthSurnames))]
		}
		p.given = synthGiven[rng.IntN(len(synthGiven))]
		if rng.IntN(2) == 0 {
			p.given += " " + synthGiven[rng.IntN(len(synthGiven))]
		}
		p.sex = []string{"F", "M"}[rng.IntN(2)]
		born := time.Date(1940+rng.IntN(66), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		p.birth = born.Format(time.DateOnly)
		st := synthStates[rng.IntN(len(synthStates))]
		p.docCountry = st.country
		// Unique per person: the index is folded into the number.
		if st.country == "USA" {
			p.docNumber = fmt.Sprintf("5%08d", i%100000000)
		} else {
			p.docNumber = fmt.Sprintf("%c%08d", 'A'+rune(rng.IntN(26)), i%100000000)
		}
		if rng.IntN(10) < 3 {
			p.epc = fmt.Sprintf("E2003411B8020115%08X", uint32(i))
			p.cardNumber = fmt.Sprintf("9%08d", i%100000000)
		}
		if rng.IntN(10) < 6 {
			p.region = st.region
			if strings.HasPrefix(st.region, "US-CA") {
				p.plate = fmt.Sprintf("%d%c%c%c%03d", 1+rng.IntN(9), 'A'+rune(rng.IntN(26)), 'A'+rune(rng.IntN(26)), 'A'+rune(rng.IntN(26)), rng.IntN(1000))
			} else {
				p.plate = fmt.Sprintf("%c%c%c%04d", 'A'+rune(rng.IntN(26)), 'A'+rune(rng.IntN(26)), 'A'+rune(rng.IntN(26)), rng.IntN(10000))
			}
		}
	}
	return people
}

// pick draws a person with a skewed distribution: low indices (commuters)
// cross far more often than high ones (visitors).
func pick(rng *rand.Rand, n int) int {
	u := rng.Float64()
	return int(u * u * float64(n))
}

// GenerateStats reports what GenerateCrossings wrote.
type GenerateStats struct {
	Crossings int
	Events    int
}

// generateBatch is how many crossings GenerateCrossings writes per
// transaction: big transactions make bulk loading fast.
const generateBatch = 2000

// GenerateCrossings appends n synthetic crossings, realistic enough for
// history look-ups to be non-trivial: repeat travellers with passports and
// SENTRI cards, household vehicles with plates, pedestrians, referrals and
// the occasional radiation alarm. The crossings come from eight simulated
// booths ("SYN-L01"…), as if replicated through the port server, so they
// never enter this workstation's outbox. The same (n, seed) generates the
// same people, documents, cards and plates. Crossings are spread over the
// two years before now, in time order.
func GenerateCrossings(ctx context.Context, s *Store, n int, seed uint64) (GenerateStats, error) {
	var st GenerateStats
	if s.readOnly {
		return st, ErrReadOnly
	}
	if n <= 0 {
		return st, nil
	}
	people := synthPopulation(n, seed)
	rng := rand.New(rand.NewPCG(seed, 0xc0ffee))
	end := time.Now().UTC().Truncate(time.Second)
	span := 2 * 365 * 24 * time.Hour
	step := span / time.Duration(n)
	start := end.Add(-span)

	const booths = 8
	seqs := make([]int64, booths)
	for b := range seqs {
		last, err := lastSeq(ctx, s.write, synthOrigin(b))
		if err != nil {
			return st, fmt.Errorf("sqlitestore: generate: %w", err)
		}
		seqs[b] = last
	}
	// Bulk load with a page cache sized to the job; restored afterwards.
	cacheKiB := min(1<<20, max(65536, n/5)) // 64 MiB … 1 GiB
	if _, err := s.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, cacheKiB)); err != nil {
		return st, fmt.Errorf("sqlitestore: generate: %w", err)
	}
	defer func() {
		if _, err := s.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -2000`); err != nil {
			s.log.Warn("restore cache size", "err", err)
		}
	}()

	// Building and folding crossings runs on its own goroutine, ahead of
	// the single writer, so the two CPUs of a booth-class machine overlap.
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	items := make(chan synthItem, 512)
	go func() {
		defer close(items)
		for i := range n {
			at := start.Add(time.Duration(i)*step + time.Duration(rng.Int64N(int64(step)+1)))
			booth := rng.IntN(booths)
			evs, err := synthCrossing(rng, people, at, booth)
			var p projection
			if err == nil {
				for j := range evs {
					seqs[booth]++
					evs[j].Origin, evs[j].OriginSeq = synthOrigin(booth), seqs[booth]
					evs[j].RecordedAt = evs[j].At.Add(50 * time.Millisecond)
				}
				p = project(records.Fold(evs), evs)
			}
			select {
			case items <- synthItem{evs: evs, proj: p, err: err}:
			case <-gctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()

	for done := 0; done < n; {
		count := min(generateBatch, n-done)
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			return st, fmt.Errorf("sqlitestore: generate: begin: %w", err)
		}
		x := txExec{tx: tx, cache: &s.stmts}
		for range count {
			it, ok := <-items
			if !ok {
				_ = tx.Rollback()
				return st, fmt.Errorf("sqlitestore: generate: %w", ctx.Err())
			}
			if it.err != nil {
				_ = tx.Rollback()
				return st, fmt.Errorf("sqlitestore: generate: %w", it.err)
			}
			for _, e := range it.evs {
				if err := insertEvent(ctx, x, e); err != nil {
					_ = tx.Rollback()
					return st, fmt.Errorf("sqlitestore: generate: %w", err)
				}
			}
			if err := writeProjection(ctx, x, it.proj); err != nil {
				_ = tx.Rollback()
				return st, fmt.Errorf("sqlitestore: generate: %w", err)
			}
			st.Events += len(it.evs)
		}
		if err := tx.Commit(); err != nil {
			return st, fmt.Errorf("sqlitestore: generate: commit: %w", err)
		}
		done += count
		st.Crossings = done
	}
	return st, nil
}

// synthItem is one generated crossing on its way to the writer.
type synthItem struct {
	evs  []records.Event
	proj projection
	err  error
}

func synthOrigin(booth int) string { return fmt.Sprintf("SYN-L%02d", booth+1) }

// synthCrossing builds the events of one crossing opened at at.
func synthCrossing(rng *rand.Rand, people []synthPerson, at time.Time, booth int) ([]records.Event, error) {
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
	driver := &people[pick(rng, len(people))]
	vehicle := rng.IntN(4) != 0 && driver.plate != ""
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
	occupants := []*synthPerson{driver}
	alarm := false
	if vehicle {
		for range rng.IntN(3) {
			occupants = append(occupants, &people[pick(rng, len(people))])
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
		if err := add(records.PlateRead{Plate: driver.plate, Region: strings.ToLower(driver.region),
			Confidence: 80 + rng.Float64()*20, CameraID: "lpr-" + lane}, ""); err != nil {
			return nil, err
		}
	}
	for _, p := range occupants {
		if p.epc != "" && vehicle {
			en := &records.Enrollment{
				Program: "SENTRI", TravelerID: "T" + p.cardNumber, Surname: p.surname, GivenNames: p.given,
				BirthDate: p.birth, Document: records.DocumentRef{Type: "SENTRI", Country: "USA", Number: p.cardNumber},
			}
			if p.plate != "" {
				en.VehiclePlates = []string{p.region + "/" + p.plate}
			}
			if err := add(records.RFIDRead{EPC: p.epc, Antenna: 1 + rng.IntN(4), RSSI: -40 - rng.IntN(25), Enrollment: en}, ""); err != nil {
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
		if at.Before(time.Now().Add(-time.Hour)) { // recent ones still wait in secondary
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
func synthTD3(p *synthPerson, now time.Time) ([]string, mrz.Result) {
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
	num := fill(p.docNumber, 9)
	birth, exp := yymmdd(p.birth), yymmdd(expiry)
	l1 := fill("P<"+p.docCountry+strings.ReplaceAll(p.surname, " ", "<")+"<<"+p.given, 44)
	personal := fill("", 14)
	composite := num + cd(num) + birth + cd(birth) + exp + cd(exp) + personal + cd(personal)
	l2 := num + cd(num) + p.docCountry + birth + cd(birth) + p.sex + exp + cd(exp) + personal + cd(personal) + cd(composite)
	ok := true
	return []string{l1, l2}, mrz.Result{
		Format: mrz.TD3, Valid: true, DocumentCode: "P", IssuingState: p.docCountry, IssuingStateISO: p.docCountry,
		DocumentNumber: p.docNumber, Nationality: p.docCountry, NationalityISO: p.docCountry,
		BirthDate: p.birth, Sex: p.sex, ExpiryDate: expiry, Surname: p.surname, GivenNames: p.given,
		Checks:   mrz.Checks{DocumentNumber: &ok, BirthDate: &ok, ExpiryDate: &ok, PersonalNumber: &ok, Composite: &ok},
		Warnings: []string{}, Errors: []string{},
	}
}
