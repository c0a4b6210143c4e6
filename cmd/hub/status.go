package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/portofentry/booth/jetstream"
)

func runStatus(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("status", stderr)
	server := fs.String("server", "nats://127.0.0.1:4222", "a hub node's client URL")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	nc, err := nats.Connect(*server, nats.Name("hub status"), nats.Timeout(5*time.Second))
	if err != nil {
		return fail(stderr, fmt.Errorf("status: %w", err))
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := jetstream.QueryStatus(ctx, nc)
	if err != nil {
		return fail(stderr, fmt.Errorf("status: %w", err))
	}
	if *asJSON {
		_ = json.NewEncoder(stdout).Encode(st)
		return 0
	}
	printStatus(stdout, st)
	return 0
}

// printStatus writes the status as text: the stream, then a row per port.
func printStatus(w io.Writer, st jetstream.Status) {
	fmt.Fprintf(w, "stream %s  replicas %d  leader %s  messages %d  (index of %s)\n",
		st.Stream.Name, st.Stream.Replicas, orDash(st.Stream.Leader), st.Stream.Messages, st.Node)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "port\tevents\tdistinct ids\tport last seq\thub source seq\tlag\trefused\t")
	for _, p := range st.Ports {
		last, lag := fmt.Sprint(p.PortLastSeq), fmt.Sprint(p.Lag)
		if p.PortLastSeq < 0 {
			last, lag = "unreachable", "?"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%s\t%d\t\n", p.Port, p.Events, p.DistinctEventIDs, last, p.HubSourceSeq, lag, p.Refused)
	}
	_ = tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
