package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/portofentry/booth/jetstream"
	"github.com/portofentry/booth/sqlitestore"
)

func runServe(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("serve", stderr)
	name := fs.String("name", "", "this node's name (its certificate NAME.crt in --pki)")
	data := fs.String("data", "", "data directory (JetStream files and the national index)")
	client := fs.String("client", "127.0.0.1:4222", "client listener host:port (status, history, LSS workstations)")
	cluster := fs.String("cluster", "", "cluster listener host:port (mutual TLS)")
	routes := fs.String("routes", "", "the other nodes' cluster URLs, comma-separated (tls://host:port)")
	leaf := fs.String("leaf", "", "leaf listener host:port for the ports (mutual TLS)")
	pki := fs.String("pki", "", "PKI directory: ca.crt, NAME.crt/key and the issued port-CODE.crt")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *name == "" || *data == "" || *cluster == "" || *leaf == "" || *pki == "" {
		return usageError(stderr, "serve: --name, --data, --cluster, --leaf and --pki are required")
	}
	log, err := logger(stderr, *level)
	if err != nil {
		return usageError(stderr, "serve: %v", err)
	}
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return fail(stderr, fmt.Errorf("serve: %w", err))
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	store, err := sqlitestore.Open(ctx, filepath.Join(*data, "index.db"), sqlitestore.Options{Origin: "hub-" + *name, Logger: log})
	if err != nil {
		return fail(stderr, fmt.Errorf("serve: national index: %w", err))
	}
	defer store.Close()
	var rs []string
	for _, r := range strings.Split(*routes, ",") {
		if r = strings.TrimSpace(r); r != "" {
			rs = append(rs, r)
		}
	}
	node, err := jetstream.StartHub(jetstream.HubConfig{Name: *name, DataDir: *data, Client: *client, Cluster: *cluster,
		Routes: rs, Leaf: *leaf, PKIDir: *pki, Logger: log})
	if err != nil {
		return fail(stderr, fmt.Errorf("serve: %w", err))
	}
	defer node.Close()
	// Scripts and tests read the addresses from this line.
	_ = json.NewEncoder(stdout).Encode(node.Addresses())
	log.Info("hub node started", "ports", node.Ports())
	if err := runNode(ctx, node, sqliteIndex{store}); err != nil {
		return fail(stderr, err)
	}
	log.Info("shutting down")
	return 0
}

// runNode places the streams (once the cluster can), then indexes
// CROSSINGS and answers the national services until ctx ends.
func runNode(ctx context.Context, node *jetstream.HubNode, index jetstream.NationalIndex) error {
	if err := node.EnsureStreams(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	var wg sync.WaitGroup
	ix := jetstream.NewIndexer(node, index, 0)
	wg.Go(func() { _ = ix.Run(ctx) })
	wg.Go(func() { _ = node.Serve(ctx, index) })
	wg.Wait()
	return nil
}
