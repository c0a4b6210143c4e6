package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Status is the answer to a status request (`hub status --json`).
type Status struct {
	Stream StreamStatus `json:"stream"`
	Ports  []PortStatus `json:"ports"`
	// Node is the hub node whose index counted distinct_event_ids.
	Node string `json:"node,omitempty"`
	// Error is set when the status could not be read.
	Error string `json:"error,omitempty"`
}

// StreamStatus describes CROSSINGS.
type StreamStatus struct {
	Name     string `json:"name"`
	Replicas int    `json:"replicas"`
	Leader   string `json:"leader"`
	Messages uint64 `json:"messages"`
}

// PortStatus is one port's share of CROSSINGS. Lag is the port stream's
// last sequence minus the hub's recorded source sequence (the sequence
// carried by the port's newest message in CROSSINGS): the real lag, where
// the source status can show 0 while stalled. PortLastSeq and Lag are -1
// when the port does not answer (cut off).
type PortStatus struct {
	Port             string `json:"port"`
	Events           uint64 `json:"events"`
	DistinctEventIDs int64  `json:"distinct_event_ids"`
	PortLastSeq      int64  `json:"port_last_seq"`
	HubSourceSeq     uint64 `json:"hub_source_seq"`
	Lag              int64  `json:"lag"`
	// Refused counts messages the biometric rule refused (alerts).
	Refused int64 `json:"refused"`
}

// Serve answers status and history requests in the queue group
// ServiceQueue until ctx ends.
func (h *HubNode) Serve(ctx context.Context, index NationalIndex) error {
	subs := make([]*nats.Subscription, 0, 2)
	defer func() {
		for _, s := range subs {
			_ = s.Unsubscribe()
		}
	}()
	s, err := h.nc.QueueSubscribe(StatusSubject, ServiceQueue, func(m *nats.Msg) {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		st, err := h.Status(rctx, index)
		if err != nil {
			st = Status{Error: err.Error(), Node: h.cfg.Name}
		}
		respond(m, st)
	})
	if err != nil {
		return fmt.Errorf("jetstream: serve %s: %w", StatusSubject, err)
	}
	subs = append(subs, s)
	s, err = h.nc.QueueSubscribe(HistorySubject, ServiceQueue, func(m *nats.Msg) {
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		respond(m, h.history(rctx, index, m.Data))
	})
	if err != nil {
		return fmt.Errorf("jetstream: serve %s: %w", HistorySubject, err)
	}
	subs = append(subs, s)
	<-ctx.Done()
	return nil
}

func respond(m *nats.Msg, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		data = []byte(`{"error":"encode reply"}`)
	}
	_ = m.Respond(data)
}

func (h *HubNode) history(ctx context.Context, index NationalIndex, body []byte) HistoryReply {
	var q HistoryQuery
	if err := json.Unmarshal(body, &q); err != nil {
		return HistoryReply{Node: h.cfg.Name, Error: "bad request: " + err.Error()}
	}
	if !q.Valid() {
		return HistoryReply{Node: h.cfg.Name, Error: "bad request: give a document (country and number), a surname and birth date, or a plate"}
	}
	cs, err := index.NationalHistory(ctx, q)
	if err != nil {
		h.log.Warn("national history", "err", err)
		return HistoryReply{Node: h.cfg.Name, Error: "look-up failed"}
	}
	if cs == nil {
		cs = []HistoryCrossing{}
	}
	return HistoryReply{Crossings: cs, Node: h.cfg.Name}
}

// Status reads CROSSINGS, every port's stream across its leaf link and
// this node's index.
func (h *HubNode) Status(ctx context.Context, index NationalIndex) (Status, error) {
	st := Status{Node: h.cfg.Name, Ports: []PortStatus{}}
	stream, err := h.js.Stream(ctx, CrossingsStream)
	if err != nil {
		return st, fmt.Errorf("stream %s: %w", CrossingsStream, err)
	}
	info, err := stream.Info(ctx, jetstream.WithSubjectFilter("port.*.events"))
	if err != nil {
		return st, fmt.Errorf("stream %s: %w", CrossingsStream, err)
	}
	st.Stream = StreamStatus{Name: info.Config.Name, Replicas: info.Config.Replicas, Messages: info.State.Msgs}
	if info.Cluster != nil {
		st.Stream.Leader = info.Cluster.Leader
	}
	counts := map[string]PortCount{}
	if index != nil {
		cs, err := index.NationalCounts(ctx)
		if err != nil {
			return st, err
		}
		for _, c := range cs {
			counts[c.Port] = c
		}
	}
	codes := map[string]bool{}
	for _, c := range h.ports {
		codes[c] = true
	}
	for c := range counts {
		if c != "" {
			codes[c] = true
		}
	}
	sorted := make([]string, 0, len(codes))
	for c := range codes {
		sorted = append(sorted, c)
	}
	sort.Strings(sorted)
	for _, code := range sorted {
		ps := PortStatus{Port: code, Events: info.State.Subjects[PortSubject(code)],
			DistinctEventIDs: counts[code].DistinctIDs, Refused: counts[code].Refused, PortLastSeq: -1, Lag: -1}
		if m, err := stream.GetLastMsgForSubject(ctx, PortSubject(code)); err == nil {
			ps.HubSourceSeq = SourceSeq(m.Header.Get(sourceHeader))
		}
		if last, err := h.portLastSeq(ctx, code); err == nil {
			ps.PortLastSeq = int64(last)
			ps.Lag = int64(last) - int64(ps.HubSourceSeq)
		}
		st.Ports = append(st.Ports, ps)
	}
	return st, nil
}

// portLastSeq asks port code's own JetStream domain, across its leaf link,
// for its stream's last sequence.
func (h *HubNode) portLastSeq(ctx context.Context, code string) (uint64, error) {
	js, err := jetstream.NewWithDomain(h.nc, PortDomain(code))
	if err != nil {
		return 0, err
	}
	pctx, cancel := context.WithTimeout(ctx, 750*time.Millisecond)
	defer cancel()
	s, err := js.Stream(pctx, PortStream(code))
	if err != nil {
		return 0, err
	}
	info, err := s.Info(pctx)
	if err != nil {
		return 0, err
	}
	return info.State.LastSeq, nil
}

// SourceSeq is the source sequence in a Nats-Stream-Source header
// ("<stream> <seq> …"), 0 when there is none.
func SourceSeq(h string) uint64 {
	f := strings.Fields(h)
	if len(f) < 2 {
		return 0
	}
	n, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// QueryStatus asks the hub for its status.
func QueryStatus(ctx context.Context, nc *nats.Conn) (Status, error) {
	var st Status
	if err := request(ctx, nc, StatusSubject, struct{}{}, &st); err != nil {
		return st, err
	}
	if st.Error != "" {
		return st, fmt.Errorf("hub %s: %s", st.Node, st.Error)
	}
	return st, nil
}

// QueryHistory asks the hub for national history.
func QueryHistory(ctx context.Context, nc *nats.Conn, q HistoryQuery) (HistoryReply, error) {
	var r HistoryReply
	if err := request(ctx, nc, HistorySubject, q, &r); err != nil {
		return r, err
	}
	if r.Error != "" {
		return r, fmt.Errorf("hub %s: %s", r.Node, r.Error)
	}
	return r, nil
}

func request(ctx context.Context, nc *nats.Conn, subject string, req, reply any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	m, err := nc.RequestWithContext(ctx, subject, body)
	if err != nil {
		if errors.Is(err, nats.ErrNoResponders) {
			return fmt.Errorf("no hub node answers %s: %w", subject, err)
		}
		return fmt.Errorf("%s: %w", subject, err)
	}
	if err := json.Unmarshal(m.Data, reply); err != nil {
		return fmt.Errorf("%s: bad reply: %w", subject, err)
	}
	return nil
}
