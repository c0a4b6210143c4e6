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

func runHistory(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("history", stderr)
	server := fs.String("server", "nats://127.0.0.1:4222", "a hub node's client URL")
	doc := fs.String("doc", "", "document number (with --country)")
	country := fs.String("country", "", "issuing country, ISO alpha-3 (with --doc)")
	name := fs.String("name", "", "surname (with --dob)")
	dob := fs.String("dob", "", "birth date YYYY-MM-DD (with --name)")
	plate := fs.String("plate", "", "licence plate")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	q := jetstream.HistoryQuery{Country: *country, Number: *doc, Surname: *name, BirthDate: *dob, Plate: *plate}
	if (*doc == "") != (*country == "") || (*name == "") != (*dob == "") || !q.Valid() {
		return usageError(stderr, "history: give --doc with --country, --name with --dob, or --plate (exactly one)")
	}
	if *dob != "" {
		if _, err := time.Parse("2006-01-02", *dob); err != nil {
			return usageError(stderr, "history: --dob %q: want YYYY-MM-DD", *dob)
		}
	}
	nc, err := nats.Connect(*server, nats.Name("hub history"), nats.Timeout(5*time.Second))
	if err != nil {
		return fail(stderr, fmt.Errorf("history: %w", err))
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r, err := jetstream.QueryHistory(ctx, nc, q)
	if err != nil {
		return fail(stderr, fmt.Errorf("history: %w", err))
	}
	if *asJSON {
		_ = json.NewEncoder(stdout).Encode(struct {
			Crossings []jetstream.HistoryCrossing `json:"crossings"`
		}{r.Crossings})
		return 0
	}
	if len(r.Crossings) == 0 {
		fmt.Fprintln(stdout, "no crossings")
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "opened\tport\tlane\toutcome\tcrossing")
	for _, c := range r.Crossings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", orDash(c.OpenedAt), c.Port, c.Lane, orDash(c.Outcome), c.CrossingID)
	}
	_ = tw.Flush()
	return 0
}
