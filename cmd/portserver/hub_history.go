package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/portofentry/booth/jetstream"
	"github.com/portofentry/booth/replication"
)

// hubHistory answers a booth's national history look-up from the hub over
// the port's embedded leaf node (NATS request/reply to the hub nodes' queue
// group), leaving this port's own crossings out: the booth has those in its
// replica already.
type hubHistory struct {
	node *jetstream.PortNode
	// limit bounds the crossings asked for (0: the hub's default).
	limit int
}

var _ replication.NationalHistorian = hubHistory{}

// NationalHistory asks the hub within ctx. A cut leaf link answers
// "unavailable" at once instead of waiting for the timeout.
func (h hubHistory) NationalHistory(ctx context.Context, q replication.NationalQuery) (replication.NationalHistoryResponse, error) {
	var out replication.NationalHistoryResponse
	if !h.node.HubConnected() {
		return out, fmt.Errorf("%w: the link to the hub is down", replication.ErrNationalUnavailable)
	}
	r, err := jetstream.QueryHistory(ctx, h.node.Conn(), jetstream.HistoryQuery{Country: q.Country, Number: q.Number,
		Surname: q.Surname, BirthDate: q.BirthDate, Plate: q.Plate, ExcludePort: h.node.Code(), Limit: h.limit})
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = errors.New("the hub did not answer in time")
		}
		return out, fmt.Errorf("%w: %v", replication.ErrNationalUnavailable, err)
	}
	out.Node = r.Node
	out.Crossings = make([]replication.NationalCrossing, 0, len(r.Crossings))
	for _, c := range r.Crossings {
		if c.Port == h.node.Code() {
			continue // the hub was asked to leave them out; never show them twice
		}
		nc := replication.NationalCrossing{Port: c.Port, Lane: c.Lane, CrossingID: c.CrossingID, Outcome: c.Outcome}
		if c.OpenedAt != "" {
			if t, err := time.Parse(time.RFC3339, c.OpenedAt); err == nil {
				nc.OpenedAt = t
			}
		}
		out.Crossings = append(out.Crossings, nc)
	}
	return out, nil
}
