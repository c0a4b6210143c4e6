package main

import (
	"context"
	"time"

	"github.com/portofentry/booth/jetstream"
	"github.com/portofentry/booth/sqlitestore"
)

// sqliteIndex adapts the SQLite store's national methods to
// jetstream.NationalIndex: the jetstream package owns the interface and
// never imports the store, so the command wires the two.
type sqliteIndex struct{ s *sqlitestore.Store }

func (x sqliteIndex) ApplyNational(ctx context.Context, msgs []jetstream.IndexedMessage) error {
	out := make([]sqlitestore.NationalMessage, len(msgs))
	for i, m := range msgs {
		out[i] = sqlitestore.NationalMessage{StreamSeq: m.StreamSeq, Port: m.Port, Event: m.Event, Refusal: m.Refusal}
	}
	return x.s.ApplyNational(ctx, out)
}

func (x sqliteIndex) NationalApplied(ctx context.Context) (uint64, error) {
	return x.s.NationalApplied(ctx)
}

func (x sqliteIndex) NationalHistory(ctx context.Context, q jetstream.HistoryQuery) ([]jetstream.HistoryCrossing, error) {
	cs, err := x.s.NationalHistory(ctx, sqlitestore.NationalQuery{Country: q.Country, Number: q.Number,
		Surname: q.Surname, BirthDate: q.BirthDate, Plate: q.Plate, ExcludePort: q.ExcludePort, Limit: q.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]jetstream.HistoryCrossing, len(cs))
	for i, c := range cs {
		out[i] = jetstream.HistoryCrossing{Port: c.Port, Lane: c.Lane, CrossingID: c.CrossingID, Outcome: c.Outcome}
		if !c.OpenedAt.IsZero() {
			out[i].OpenedAt = c.OpenedAt.Format(time.RFC3339)
		}
	}
	return out, nil
}

func (x sqliteIndex) NationalCounts(ctx context.Context) ([]jetstream.PortCount, error) {
	cs, err := x.s.NationalCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]jetstream.PortCount, len(cs))
	for i, c := range cs {
		out[i] = jetstream.PortCount{Port: c.Port, Messages: c.Messages, DistinctIDs: c.DistinctIDs, Refused: c.Refused}
	}
	return out, nil
}
