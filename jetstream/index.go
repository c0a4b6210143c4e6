package jetstream

import (
	"context"

	"github.com/portofentry/booth/records"
)

// NationalIndex is a hub node's national history index as the indexer and
// the services use it. The SQLite store implements it (cmd/hub adapts
// sqlitestore's national methods); it must apply a batch in one durable
// transaction and treat a message applied again as a no-op.
type NationalIndex interface {
	// ApplyNational stores msgs (refused ones only counted and recorded).
	ApplyNational(ctx context.Context, msgs []IndexedMessage) error
	// NationalApplied is the highest stream sequence applied (0: none).
	NationalApplied(ctx context.Context) (uint64, error)
	// NationalHistory answers a history look-up, newest first.
	NationalHistory(ctx context.Context, q HistoryQuery) ([]HistoryCrossing, error)
	// NationalCounts is what the index holds per port.
	NationalCounts(ctx context.Context) ([]PortCount, error)
}

// IndexedMessage is one CROSSINGS message for the index.
type IndexedMessage struct {
	StreamSeq uint64
	Port      string
	Event     records.Event
	// Refusal is why the biometric rule refused it ("" to index it).
	Refusal string
}

// PortCount is what an index holds of one port.
type PortCount struct {
	Port        string
	Messages    int64
	DistinctIDs int64
	Refused     int64
}

// HistoryQuery is a national history request (the body of a request on
// HistorySubject): a document (country and number), a surname and birth
// date, or a plate. ExcludePort leaves the asking port's own crossings out.
type HistoryQuery struct {
	Country     string `json:"country,omitempty"`
	Number      string `json:"number,omitempty"`
	Surname     string `json:"surname,omitempty"`
	BirthDate   string `json:"birth_date,omitempty"`
	Plate       string `json:"plate,omitempty"`
	ExcludePort string `json:"exclude_port,omitempty"`
	Limit       int    `json:"limit,omitempty"`
}

// Valid reports whether q names exactly one kind of key.
func (q HistoryQuery) Valid() bool {
	n := 0
	if q.Number != "" && q.Country != "" {
		n++
	}
	if q.Surname != "" && q.BirthDate != "" {
		n++
	}
	if q.Plate != "" {
		n++
	}
	return n == 1
}

// HistoryCrossing is one crossing in a national history reply.
type HistoryCrossing struct {
	Port       string `json:"port"`
	Lane       string `json:"lane"`
	CrossingID string `json:"crossing_id"`
	OpenedAt   string `json:"opened_at"` // RFC 3339, "" when the opening was not indexed
	Outcome    string `json:"outcome"`
}

// HistoryReply answers a HistoryQuery.
type HistoryReply struct {
	Crossings []HistoryCrossing `json:"crossings"`
	// Node is the hub node that answered; Error is set instead of
	// crossings when the look-up failed.
	Node  string `json:"node,omitempty"`
	Error string `json:"error,omitempty"`
}
