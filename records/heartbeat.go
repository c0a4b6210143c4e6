package records

import (
	"time"
)

// The workstation heartbeat: what a workstation reports about itself to
// the port server every few seconds, and what a supervisor's dashboard
// shows per lane. Unlike the lane journal it is state, not a record: the
// server keeps the latest heartbeat of each workstation.

// LaneState is what a lane is doing.
type LaneState string

// Lane states.
const (
	// LaneClosed: nobody is signed in at the lane's booth.
	LaneClosed LaneState = "closed"
	// LaneIdle: an officer is signed in and no vehicle is at the booth.
	LaneIdle LaneState = "idle"
	// LaneVehicle: a vehicle is at the booth; its readings are coming in.
	LaneVehicle LaneState = "vehicle"
	// LaneDeciding: the vehicle's checks are done and it waits for the
	// officer's decision.
	LaneDeciding LaneState = "deciding"
	// LaneNoContact: the port server has not heard from the booth lately.
	LaneNoContact LaneState = "no_contact"
)

// Label is the state as a supervisor reads it.
func (s LaneState) Label() string {
	switch s {
	case LaneClosed:
		return "closed"
	case LaneIdle:
		return "idle"
	case LaneVehicle:
		return "vehicle at booth"
	case LaneDeciding:
		return "waiting for a decision"
	case LaneNoContact:
		return "no contact"
	}
	return string(s)
}

// DeviceStatus is one device's health as a heartbeat reports it. State is
// connected, disconnected or faulty.
type DeviceStatus struct {
	Device    string    `json:"device"`
	State     string    `json:"state"`
	Since     time.Time `json:"since,omitzero"`
	LastFrame time.Time `json:"last_frame,omitzero"`
	Errors    int       `json:"errors,omitempty"`
	LastError string    `json:"last_error,omitempty"`
}

// Heartbeat is a workstation's report about itself. Workstation, Role and
// ReceivedAt are set by the port server (from the certificate and its own
// clock); the workstation fills the rest.
type Heartbeat struct {
	Workstation string `json:"workstation"`
	Role        string `json:"role"`
	Port        string `json:"port,omitempty"`
	Lane        string `json:"lane,omitempty"`
	Mode        Mode   `json:"mode,omitempty"`
	// Officer is the badge signed in ("" nobody); Locked: the screen is
	// locked with that officer's session.
	Officer  string `json:"officer,omitempty"`
	Locked   bool   `json:"locked,omitempty"`
	ReadOnly bool   `json:"read_only,omitempty"`
	// State is the lane's state, CrossingID the vehicle at the booth and
	// StateSince when the state began (the crossing's opening).
	State      LaneState      `json:"state,omitempty"`
	CrossingID string         `json:"crossing_id,omitempty"`
	StateSince time.Time      `json:"state_since,omitzero"`
	Devices    []DeviceStatus `json:"devices,omitempty"`
	// Backlog and OldestUnsent are the workstation's own view of what it
	// has not yet sent (events and journal entries).
	Backlog      int       `json:"backlog,omitempty"`
	OldestUnsent time.Time `json:"oldest_unsent,omitzero"`
	At           time.Time `json:"at"`                   // workstation clock
	ReceivedAt   time.Time `json:"received_at,omitzero"` // server clock
}

// PortStatus is what the port server knows of its workstations: the
// latest heartbeat of each and its replication status. A supervisor
// console keeps a copy (FetchedAt says when it was taken).
type PortStatus struct {
	At           time.Time           `json:"at"`
	FetchedAt    time.Time           `json:"fetched_at,omitzero"`
	Heartbeats   []Heartbeat         `json:"heartbeats"`
	Workstations []WorkstationStatus `json:"workstations"`
}

// VehicleAtBoothWindow bounds how long an open crossing counts as the
// vehicle at the booth: an older one was abandoned (a card read from a
// passing car) and no longer makes the lane busy.
const VehicleAtBoothWindow = 15 * time.Minute

// LaneStateOf derives a lane's state from its crossings at now: the newest
// crossing of the lane still at primary (open, not referred, not decided)
// and opened within VehicleAtBoothWindow is the vehicle at the booth; it
// waits for a decision once every traveller in it has been checked against
// the reference data (LaneDeciding), else its readings are still coming
// (LaneVehicle). No such crossing: LaneIdle. The caller decides whether the
// lane is open at all (an officer signed in).
func LaneStateOf(lane string, crossings []*Crossing, now time.Time) (state LaneState, crossingID string, since time.Time) {
	var cur *Crossing
	for _, c := range crossings {
		if c == nil || c.Lane != lane || c.Status != StatusOpen || c.Referral != nil || len(c.Determinations) > 0 {
			continue
		}
		if c.OpenedAt.IsZero() || now.Sub(c.OpenedAt) > VehicleAtBoothWindow || c.OpenedAt.After(now.Add(time.Minute)) {
			continue
		}
		if cur == nil || c.OpenedAt.After(cur.OpenedAt) || (c.OpenedAt.Equal(cur.OpenedAt) && c.ID > cur.ID) {
			cur = c
		}
	}
	if cur == nil {
		return LaneIdle, "", time.Time{}
	}
	checked := len(cur.Travelers) > 0
	for _, t := range cur.Travelers {
		if !t.Checked {
			checked = false
		}
	}
	if checked {
		return LaneDeciding, cur.ID, cur.OpenedAt
	}
	return LaneVehicle, cur.ID, cur.OpenedAt
}
