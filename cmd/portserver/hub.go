package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"

	"github.com/portofentry/booth/jetstream"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
)

// nationalTier is the port server's link to the hub (docs/national.md): an
// embedded leaf node and the publisher that follows the store's feed.
// Without --hub there is none and nothing changes.
type nationalTier struct {
	node *jetstream.PortNode
	pub  *jetstream.Publisher
	wg   sync.WaitGroup
}

// startNationalTier starts the leaf node (its JetStream files beside the
// database, in DB.national/) and the publisher. It does not wait for the
// hub: a port cut off from the hub keeps working and catches up later.
func startNationalTier(ctx context.Context, store *sqlitestore.Store, hubURLs, pkiDir string, log *slog.Logger) (*nationalTier, error) {
	code := strings.TrimPrefix(store.Origin(), "port-")
	if pkiDir == "" {
		return nil, fmt.Errorf("--hub needs --hub-pki DIR (ca.crt and port-%s.crt/key from `hub pki issue --port %s`)", code, code)
	}
	tlsConf, err := jetstream.TLSConfig(pkiDir, jetstream.CertPort, code)
	if err != nil {
		return nil, fmt.Errorf("national tier: %w", err)
	}
	var urls []string
	for _, u := range strings.Split(hubURLs, ",") {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	node, err := jetstream.StartPort(ctx, jetstream.PortConfig{Code: code, StoreDir: store.Path() + ".national",
		HubURLs: urls, TLS: tlsConf, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("national tier: %w", err)
	}
	pub, err := jetstream.NewPublisher(jetstream.PublisherConfig{Node: node, Store: store, Logger: log})
	if err != nil {
		node.Close()
		return nil, fmt.Errorf("national tier: %w", err)
	}
	t := &nationalTier{node: node, pub: pub}
	t.wg.Go(func() { _ = pub.Run(ctx) })
	log.Info("national tier: leaf node started", "hub", urls, "port", code, "store", filepath.Base(store.Path())+".national")
	return t, nil
}

// history is the port server's way to the hub for booths' national
// history look-ups (hub_history.go); nil without a national tier.
func (t *nationalTier) history() replication.NationalHistorian {
	if t == nil {
		return nil
	}
	return hubHistory{node: t.node, limit: 50}
}

// notify wakes the publisher after a commit; it never blocks.
func (t *nationalTier) notify() {
	if t != nil {
		t.pub.Notify()
	}
}

// stop waits for the publisher (its context ends first) and stops the node.
func (t *nationalTier) stop() {
	if t == nil {
		return
	}
	t.wg.Wait()
	t.node.Close()
}
