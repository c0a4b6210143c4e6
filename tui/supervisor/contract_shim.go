package supervisor

// TEMPORARY: mirrors of the records types H-sup-data is committing
// (issue12-contract.md); replaced by records.* once they land.

import (
	"fmt"
	"strings"
	"time"

	"github.com/portofentry/booth/records"
)

type Dashboard struct {
	At           time.Time
	Lanes        []LaneSummary
	Workstations []WorkstationLink
	OpenAlarms   []OpenAlarm
	Pending      []records.QueueEntry
	Today        TodayCounts
}
type LaneSummary struct {
	Lane, Port, Workstation string
	Mode                    records.Mode
	Open, Contact           bool
	LastHeartbeat           time.Time
	Officer                 string
	Locked                  bool
	State                   records.LaneState
	CrossingID              string
	StateSince              time.Time
	LastHour                int
	Sparkline               [8]int
	MedianPrimary           time.Duration
	Decided, Referred       int
	ReferralRate            float64
	Devices                 []records.DeviceStatus
	RPM                     RPMStats
}
type RPMStats struct {
	Occupancies, GammaAlarms, NeutronAlarms, GammaHigh, GammaLow, Neutron, Tamper, ExtendedOccupancy, CommFaults int
}
type WorkstationLink struct {
	Workstation, Role, Lane string
	State                   string
	LastSeen                time.Time
	Backlog                 int
	OldestUnsent            time.Time
	BacklogAge              time.Duration
	HeldSeq                 int64
	HeldReason              string
}
type OpenAlarm struct {
	CrossingID, Lane, Plate string
	Occupancy               int
	Text                    string
	RaisedAt                time.Time
	Age                     time.Duration
	LSSRequested            bool
	Code                    records.AdjudicationCode
	Group                   string
}
type TodayCounts struct {
	FaceMismatches, LookoutHits, RPMAlarms int
	ByGroup                                []GroupCount
}
type GroupCount struct {
	Group string
	Count int
}
type AuditQuery struct {
	Officer, Action, Origin string
	Since, Until            time.Time
	Limit                   int
}

func (q AuditQuery) String() string {
	return fmt.Sprintf("officer=%s action=%s since=%s until=%s", q.Officer, q.Action, q.Since, q.Until)
}

type SearchTerms struct {
	Document                  string
	Surname, Given, BirthDate string
	Plate, Region             string
	From, To                  time.Time
}

func (t SearchTerms) Validate() error { return nil }
func (t SearchTerms) String() string {
	var p []string
	if t.Document != "" {
		p = append(p, "document "+t.Document)
	}
	if t.Surname != "" {
		p = append(p, "name "+t.Surname+" born "+t.BirthDate)
	}
	if t.Plate != "" {
		p = append(p, "plate "+t.Plate)
	}
	return strings.Join(p, " ")
}
