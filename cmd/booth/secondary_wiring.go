package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
)

// A secondary workstation (`--role secondary`) runs no lane devices. It
// keeps its replica of the port's crossings with the feed puller, sends its
// own events (takes, findings, reachback, determinations) with the outbox
// sender, and shows the secondary screens over the replica. Every batch the
// puller applies is signalled to the screens (replicaChanges →
// forwardSecondary → Program.Send), so a new referral reaches the queue
// without a key press.

// isSecondary reports whether the workstation is a secondary one.
func isSecondary(cfg Config) bool { return cfg.Role == "secondary" }

// newSecondaryLink is newLink with the puller reporting every applied batch
// to changes.
func newSecondaryLink(store *sqlitestore.Store, client *replication.Client, logger *slog.Logger, changes *replicaChanges) (*replication.Link, error) {
	link, err := replication.NewLink(replication.LinkConfig{
		Sender: &replication.SenderConfig{Store: store, Client: client, Logger: logger},
		Puller: &replication.PullerConfig{Store: store, Client: client, Logger: logger, OnApplied: changes.applied},
	})
	if err != nil {
		return nil, fmt.Errorf("port server link: %w", err)
	}
	return link, nil
}

// newSecondaryStore builds the secondary screens' replica adapter. link may
// be nil (no port server configured), faces too (no photos).
func newSecondaryStore(store *sqlitestore.Store, link *replication.Link, faces *matcher) *secondaryStore {
	s := &secondaryStore{store: store}
	if link != nil {
		s.link = func() (string, time.Time) {
			st := link.Status()
			return linkText(st), st.LastOK
		}
	}
	if faces != nil {
		s.gallery = faces.Gallery
	}
	return s
}
