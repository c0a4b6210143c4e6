package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/tui"
)

// hubStub answers at the port server's seam to the hub (the real hub path
// is cmd/portserver's TestNationalHistoryThroughThePortServer).
type hubStub struct {
	resp replication.NationalHistoryResponse
	err  error
	got  []replication.NationalQuery
}

func (h *hubStub) NationalHistory(ctx context.Context, q replication.NationalQuery) (replication.NationalHistoryResponse, error) {
	h.got = append(h.got, q)
	return h.resp, h.err
}

func TestStoreBackendNationalHistory(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srvStore, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "port.db"), sqlitestore.Options{Origin: "port-2608", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer srvStore.Close()
	local, err := replication.StartLocal(ctx, srvStore, filepath.Join(t.TempDir(), "pki"), log)
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	client, err := local.Client(replication.RolePrimary, "booth-1")
	if err != nil {
		t.Fatal(err)
	}
	q := tui.NationalQuery{Country: "MEX", Number: "G12345678", Officer: "B100", Limit: 2}

	// No port server at all, or a nil client: "not configured" at once.
	var none *replication.Client
	for _, b := range []*storeBackend{{}, {National: none}} {
		if _, err := b.NationalHistory(ctx, q); !errors.Is(err, tui.ErrNationalUnconfigured) {
			t.Fatalf("without a port server: %v", err)
		}
	}
	b := &storeBackend{National: client}
	// A port server without a hub.
	if _, err := b.NationalHistory(ctx, q); !errors.Is(err, tui.ErrNationalUnconfigured) {
		t.Fatalf("port server without a hub: %v", err)
	}
	// A hub that does not answer.
	stub := &hubStub{err: fmt.Errorf("%w: no hub node answers", replication.ErrNationalUnavailable)}
	local.Server.SetNational(stub)
	if _, err := b.NationalHistory(ctx, q); !errors.Is(err, tui.ErrNationalUnavailable) {
		t.Fatalf("hub down: %v", err)
	}
	// A hub that answers: other ports' crossings as history entries, at
	// most the limit asked.
	at := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	stub.err = nil
	stub.resp = replication.NationalHistoryResponse{Node: "hub-0", Crossings: []replication.NationalCrossing{
		{Port: "3104", Lane: "V02", CrossingID: "c1", OpenedAt: at, Outcome: "admitted"},
		{Port: "3104", Lane: "V01", CrossingID: "c2", OpenedAt: at.Add(-time.Hour), Outcome: "refused"},
		{Port: "2506", Lane: "P01", CrossingID: "c3", Outcome: ""},
	}}
	got, err := b.NationalHistory(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	want := []tui.HistoryEntry{
		{CrossingID: "c1", At: at, Port: "3104", Lane: "V02", Outcome: "admitted"},
		{CrossingID: "c2", At: at.Add(-time.Hour), Port: "3104", Lane: "V01", Outcome: "refused"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i].CrossingID != want[i].CrossingID || !got[i].At.Equal(want[i].At) || got[i].Port != want[i].Port ||
			got[i].Lane != want[i].Lane || got[i].Outcome != want[i].Outcome {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	last := stub.got[len(stub.got)-1]
	if last != (replication.NationalQuery{Country: "MEX", Number: "G12345678"}) {
		t.Errorf("the hub was asked %+v", last)
	}
	// The port server audited the look-ups it relayed, under the officer.
	entries, err := srvStore.QueryAudit(ctx, records.AuditQuery{Action: records.AuditActionSearch})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Officer != "B100" || entries[0].Subject != "national document:MEX/G12345678" {
		t.Errorf("port server audit: %+v", entries)
	}
}
