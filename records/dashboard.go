package records

import (
	"cmp"
	"slices"
	"time"
)

// The supervisor's port dashboard (docs/design.md §8) as a pure function of
// what the console's replica holds: the folded crossings, the port server's
// status of its workstations (heartbeats and replication status) and the
// lane journal. The clock is an argument, so every number is reproducible.

// Dashboard windows.
const (
	// DashboardWindow is how far back the sparkline, the median time at
	// primary and the referral rate look.
	DashboardWindow = 8 * time.Hour
	// SparklineBuckets is the number of one-hour buckets of the sparkline.
	SparklineBuckets = 8
	// HeartbeatStale is how old a workstation's latest heartbeat may be
	// before its lane shows "no contact". Booths send one every 2 s.
	HeartbeatStale = 15 * time.Second
	// LinkStale is how long after the server last saw a workstation (batch
	// or feed poll, which long-polls for 25 s) it counts as offline.
	LinkStale = 60 * time.Second
)

// DashboardInput is what the dashboard is computed from.
type DashboardInput struct {
	Now time.Time
	// DayStart is the start of "today" (the port's local midnight), chosen
	// by the caller.
	DayStart time.Time
	// Crossings are the folded crossings opened since the earlier of
	// DayStart and Now-DashboardWindow, plus every crossing still pending
	// in secondary or with an open RPM alarm, whenever opened.
	Crossings []*Crossing
	// Port is the port server's status of its workstations.
	Port PortStatus
	// Journal holds the lane journal's entries since DayStart.
	Journal []JournalEntry
	// HeartbeatStale overrides the package default when positive.
	HeartbeatStale time.Duration
}

// Dashboard is the supervisor's first screen.
type Dashboard struct {
	At time.Time
	// StatusAge is how old the console's copy of the port status is (0
	// when it was never fetched: StatusFetched false).
	StatusAge     time.Duration
	StatusFetched bool
	Lanes         []LaneSummary     // by lane
	Workstations  []WorkstationLink // by workstation
	OpenAlarms    []OpenAlarm       // oldest first
	Pending       []QueueEntry      // pending referrals, oldest first; Waiting is the age
	Today         TodayCounts
}

// LaneSummary is one lane's line of the dashboard.
type LaneSummary struct {
	Lane, Port  string
	Mode        Mode
	Workstation string // the booth reporting for the lane ("" none)
	// Contact: the booth's latest heartbeat is fresh. Open: in contact and
	// an officer is signed in.
	Contact       bool
	Open          bool
	LastHeartbeat time.Time
	Officer       string
	Locked        bool
	State         LaneState
	CrossingID    string // the vehicle at the booth
	StateSince    time.Time
	// LastHour counts the crossings opened in the last hour; Sparkline the
	// crossings opened in each of the last 8 hours, oldest first
	// (Sparkline[7] == LastHour).
	LastHour  int
	Sparkline [SparklineBuckets]int
	// MedianPrimary is the median time from opening to the primary
	// officer's decision (admit or refer) over the crossings decided in
	// the window; Decided counts them, Referred those referred, and
	// ReferralRate is Referred/Decided (0 when none was decided).
	MedianPrimary time.Duration
	Decided       int
	Referred      int
	ReferralRate  float64
	Devices       []DeviceStatus
	RPM           RPMStats
}

// RPMStats are a lane's radiation portal counts for today: occupancies and
// alarms from the crossings, background faults, tamper, extended
// occupancies and communication faults (the monitor disconnected or
// faulty) from the lane journal.
type RPMStats struct {
	Occupancies       int
	GammaAlarms       int
	NeutronAlarms     int
	GammaHigh         int
	GammaLow          int
	Neutron           int // neutron background high
	Tamper            int
	ExtendedOccupancy int
	CommFaults        int
}

// WorkstationLink is a workstation's link to the port server as the
// server sees it.
type WorkstationLink struct {
	Workstation string
	Role        string
	Lane        string
	// State is "online" when the server heard from it within LinkStale
	// (or a fresh heartbeat), else "offline".
	State        string
	LastSeen     time.Time
	Backlog      int
	OldestUnsent time.Time
	BacklogAge   time.Duration
	// HeldSeq is the first event the server holds in quarantine, 0 if
	// none; Held is how many it holds ("N held" on the panel).
	HeldSeq    int64
	HeldReason string
	Held       int
}

// Link states of a WorkstationLink.
const (
	LinkOnline  = "online"
	LinkOffline = "offline"
)

// OpenAlarm is an RPM alarm on a crossing that has no final determination
// yet, with where its adjudication stands.
type OpenAlarm struct {
	CrossingID   string
	Lane         string
	Plate        string
	Occupancy    int
	Text         string
	RaisedAt     time.Time
	Age          time.Duration
	LSSRequested bool
	// Code is the adjudication (0 while none) and Group its group.
	Code  AdjudicationCode
	Group string
}

// NotAdjudicated is the group of RPM alarms without an adjudication code.
const NotAdjudicated = "Not adjudicated"

// TodayCounts are today's alarms and hits across the port.
type TodayCounts struct {
	FaceMismatches int
	LookoutHits    int // traveller and plate lookouts
	LostStolen     int
	RPMAlarms      int
	// ByGroup counts today's RPM alarms per adjudication group: the five
	// groups in display order, then NotAdjudicated.
	ByGroup []GroupCount
}

// GroupCount is one adjudication group's count.
type GroupCount struct {
	Group string
	Count int
}

// BuildDashboard computes the dashboard.
func BuildDashboard(in DashboardInput) Dashboard {
	now := in.Now
	stale := in.HeartbeatStale
	if stale <= 0 {
		stale = HeartbeatStale
	}
	d := Dashboard{At: now}
	if !in.Port.FetchedAt.IsZero() {
		d.StatusFetched = true
		d.StatusAge = max(0, now.Sub(in.Port.FetchedAt))
	}
	crossings := dedupeCrossings(in.Crossings)
	heartbeats := latestHeartbeats(in.Port.Heartbeats)

	lanes := map[string]*LaneSummary{}
	lane := func(name string) *LaneSummary {
		l, ok := lanes[name]
		if !ok {
			l = &LaneSummary{Lane: name, State: LaneClosed}
			lanes[name] = l
		}
		return l
	}
	for _, hb := range heartbeats {
		if hb.Lane == "" || hb.Role == string(WorkstationSecondary) || hb.Role == string(WorkstationSupervisor) {
			continue
		}
		l := lane(hb.Lane)
		if l.Workstation != "" && !heard(hb).After(l.LastHeartbeat) {
			continue // an older report for the same lane
		}
		l.Workstation, l.Port, l.Mode, l.LastHeartbeat = hb.Workstation, hb.Port, hb.Mode, heard(hb)
		l.Contact = now.Sub(heard(hb)) <= stale
		l.Officer, l.Locked, l.Devices = hb.Officer, hb.Locked, slices.Clone(hb.Devices)
		switch {
		case !l.Contact:
			l.State = LaneNoContact
		case hb.Officer == "":
			l.State = LaneClosed
		default:
			l.Open = true
			l.State, l.CrossingID, l.StateSince = hb.State, hb.CrossingID, hb.StateSince
			if l.State == "" {
				l.State, l.CrossingID, l.StateSince = LaneStateOf(hb.Lane, crossings, now)
			}
		}
	}
	windowStart := now.Add(-DashboardWindow)
	var primaryTimes = map[string][]time.Duration{}
	for _, c := range crossings {
		if c.Integrity.OpeningMissing || c.Lane == "" {
			continue
		}
		l := lane(c.Lane)
		if l.Port == "" {
			l.Port = c.Port
		}
		if l.Mode == "" {
			l.Mode = c.Mode
		}
		if k, ok := sparkBucket(c.OpenedAt, now); ok {
			l.Sparkline[k]++
		}
		if end, referred, ok := primaryDecision(c); ok && !end.Before(windowStart) && !end.After(now) {
			l.Decided++
			if referred {
				l.Referred++
			}
			if !end.Before(c.OpenedAt) {
				primaryTimes[c.Lane] = append(primaryTimes[c.Lane], end.Sub(c.OpenedAt))
			}
		}
		if c.RPM != nil && today(c.OpenedAt, in.DayStart, now) {
			l.RPM.Occupancies++
			if c.RPM.GammaAlarm {
				l.RPM.GammaAlarms++
			}
			if c.RPM.NeutronAlarm {
				l.RPM.NeutronAlarms++
			}
		}
	}
	for _, e := range in.Journal {
		if e.Lane == "" || !today(e.At, in.DayStart, now) {
			continue
		}
		countJournal(&lane(e.Lane).RPM, e)
	}
	for name, l := range lanes {
		l.LastHour = l.Sparkline[SparklineBuckets-1]
		l.MedianPrimary = Median(primaryTimes[name])
		if l.Decided > 0 {
			l.ReferralRate = float64(l.Referred) / float64(l.Decided)
		}
		d.Lanes = append(d.Lanes, *l)
	}
	slices.SortFunc(d.Lanes, func(a, b LaneSummary) int { return cmp.Compare(a.Lane, b.Lane) })

	d.Workstations = workstationLinks(in.Port.Workstations, heartbeats, now, stale)
	d.OpenAlarms = openAlarms(crossings, now)
	for _, c := range crossings {
		if c.InQueue() {
			d.Pending = append(d.Pending, c.QueueEntry(now))
		}
	}
	slices.SortStableFunc(d.Pending, func(a, b QueueEntry) int {
		return cmp.Or(a.ReferredAt.Compare(b.ReferredAt), cmp.Compare(a.CrossingID, b.CrossingID))
	})
	d.Today = todayCounts(crossings, in.DayStart, now)
	return d
}

// heard is when the server received a heartbeat (its own sending time
// when the server did not stamp it).
func heard(hb Heartbeat) time.Time {
	if !hb.ReceivedAt.IsZero() {
		return hb.ReceivedAt
	}
	return hb.At
}

// latestHeartbeats keeps each workstation's newest heartbeat.
func latestHeartbeats(hbs []Heartbeat) []Heartbeat {
	byWS := map[string]Heartbeat{}
	for _, hb := range hbs {
		if cur, ok := byWS[hb.Workstation]; !ok || heard(hb).After(heard(cur)) {
			byWS[hb.Workstation] = hb
		}
	}
	out := make([]Heartbeat, 0, len(byWS))
	for _, hb := range byWS {
		out = append(out, hb)
	}
	slices.SortFunc(out, func(a, b Heartbeat) int { return cmp.Compare(a.Workstation, b.Workstation) })
	return out
}

// dedupeCrossings drops nil and repeated crossings (a crossing both recent
// and pending may be passed twice).
func dedupeCrossings(cs []*Crossing) []*Crossing {
	seen := map[string]bool{}
	out := make([]*Crossing, 0, len(cs))
	for _, c := range cs {
		if c == nil || seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		out = append(out, c)
	}
	return out
}

// sparkBucket returns the sparkline bucket of a crossing opened at t:
// bucket k covers [now-(8-k)h, now-(7-k)h), and the last bucket also
// holds t == now. Times before the window or after now are in none.
func sparkBucket(t, now time.Time) (int, bool) {
	start := now.Add(-DashboardWindow)
	if t.IsZero() || t.Before(start) || t.After(now) {
		return 0, false
	}
	return min(int(t.Sub(start)/time.Hour), SparklineBuckets-1), true
}

// primaryDecision is when the primary officer decided a crossing and
// whether the decision was a referral: the referral, else the first
// determination, else the closing. ok is false while it is still at
// primary.
func primaryDecision(c *Crossing) (end time.Time, referred, ok bool) {
	switch {
	case c.Referral != nil:
		return c.Referral.At, true, true
	case len(c.Determinations) > 0:
		first := c.Determinations[0].At
		for _, d := range c.Determinations[1:] {
			if d.At.Before(first) {
				first = d.At
			}
		}
		return first, false, true
	case !c.ClosedAt.IsZero():
		return c.ClosedAt, false, true
	}
	return time.Time{}, false, false
}

// today reports whether t falls in [dayStart, now].
func today(t, dayStart, now time.Time) bool {
	return !t.IsZero() && !t.Before(dayStart) && !t.After(now)
}

// countJournal adds one journal entry to a lane's RPM statistics.
func countJournal(s *RPMStats, e JournalEntry) {
	switch e.Kind {
	case JournalRPMFault:
		switch e.Code {
		case FaultGammaHigh:
			s.GammaHigh++
		case FaultGammaLow:
			s.GammaLow++
		case FaultNeutronHigh:
			s.Neutron++
		}
	case JournalRPMTamper:
		if e.Active {
			s.Tamper++
		}
	case JournalExtendedOccupancy:
		s.ExtendedOccupancy++
	case JournalDeviceDisconnected, JournalDeviceFaulty:
		if e.Device == "rpm" {
			s.CommFaults++
		}
	}
}

// Median returns the median of ds (the mean of the two middle values for
// an even count), 0 for none.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return s[m-1] + (s[m]-s[m-1])/2
}

func workstationLinks(status []WorkstationStatus, hbs []Heartbeat, now time.Time, stale time.Duration) []WorkstationLink {
	links := map[string]*WorkstationLink{}
	get := func(ws string) *WorkstationLink {
		l, ok := links[ws]
		if !ok {
			l = &WorkstationLink{Workstation: ws, State: LinkOffline}
			links[ws] = l
		}
		return l
	}
	for _, st := range status {
		l := get(st.Origin)
		l.Role, l.LastSeen = st.Role, st.LastSeen
		l.Backlog, l.OldestUnsent = st.Backlog, st.OldestUnsent
		l.HeldSeq, l.HeldReason, l.Held = st.RefusedSeq, st.RefusedReason, st.Quarantined
		if !st.LastSeen.IsZero() && now.Sub(st.LastSeen) <= LinkStale {
			l.State = LinkOnline
		}
	}
	for _, hb := range hbs {
		l := get(hb.Workstation)
		if l.Role == "" {
			l.Role = hb.Role
		}
		l.Lane = hb.Lane
		if heard(hb).After(l.LastSeen) {
			l.LastSeen = heard(hb)
		}
		if now.Sub(heard(hb)) <= stale {
			// The booth's own count is fresher than the one reported with
			// its last batch.
			l.State = LinkOnline
			l.Backlog, l.OldestUnsent = hb.Backlog, hb.OldestUnsent
		}
	}
	out := make([]WorkstationLink, 0, len(links))
	for _, l := range links {
		if l.Backlog > 0 && !l.OldestUnsent.IsZero() {
			l.BacklogAge = max(0, now.Sub(l.OldestUnsent))
		}
		out = append(out, *l)
	}
	slices.SortFunc(out, func(a, b WorkstationLink) int { return cmp.Compare(a.Workstation, b.Workstation) })
	return out
}

// openAlarms lists the RPM alarms of crossings without a final
// determination (or with conflicting ones), oldest first.
func openAlarms(cs []*Crossing, now time.Time) []OpenAlarm {
	var out []OpenAlarm
	for _, c := range cs {
		if c.FinalOutcome() != "" || c.Status == StatusClosed {
			continue
		}
		for _, a := range c.RPMAlarms() {
			oa := OpenAlarm{CrossingID: c.ID, Lane: c.Lane, Occupancy: a.Occupancy, Text: a.Text, RaisedAt: a.RaisedAt,
				Age: max(0, now.Sub(a.RaisedAt)), Group: NotAdjudicated}
			if v := c.Vehicle; v != nil && v.Plate != "" {
				oa.Plate = v.Key()
			}
			if x := c.Exchange(a.Occupancy); x != nil && len(x.Requests) > 0 {
				oa.LSSRequested = true
			}
			if adj := c.Adjudication(a.Occupancy); adj != nil {
				oa.Code, oa.Group = adj.Value.Code, adj.Value.Code.Group()
			}
			out = append(out, oa)
		}
	}
	slices.SortStableFunc(out, func(a, b OpenAlarm) int {
		return cmp.Or(a.RaisedAt.Compare(b.RaisedAt), cmp.Compare(a.CrossingID, b.CrossingID), cmp.Compare(a.Occupancy, b.Occupancy))
	})
	return out
}

func todayCounts(cs []*Crossing, dayStart, now time.Time) TodayCounts {
	var t TodayCounts
	groups := map[string]int{}
	for _, c := range cs {
		for _, a := range c.Alerts {
			if !today(a.RaisedAt, dayStart, now) {
				continue
			}
			switch a.Type {
			case AlertFaceNoMatch:
				t.FaceMismatches++
			case AlertLookout, AlertPlate:
				t.LookoutHits++
			case AlertLostStolen:
				t.LostStolen++
			case AlertRPM:
				t.RPMAlarms++
				g := NotAdjudicated
				if adj := c.Adjudication(a.Occupancy); adj != nil {
					g = adj.Value.Code.Group()
				}
				groups[g]++
			}
		}
	}
	for _, g := range AdjudicationGroups() {
		t.ByGroup = append(t.ByGroup, GroupCount{Group: g.Name, Count: groups[g.Name]})
	}
	t.ByGroup = append(t.ByGroup, GroupCount{Group: NotAdjudicated, Count: groups[NotAdjudicated]})
	return t
}
