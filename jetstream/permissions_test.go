package jetstream_test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// A port's leaf credentials reach the hub only on its own subjects: what it
// publishes on another port's subjects or on LSS answers never arrives.
func TestPortCannotPublishIntoAnotherPortsSubjects(t *testing.T) {
	pki := testPKI(t, 1, "2608", "3104")
	hub := startTestHub(t, pki, 1)
	port := startTestPort(t, "2608", pki, hub.leafURLs())
	hc := hub.nodes[0].node.Conn()
	got := make(chan string, 16)
	for _, subj := range []string{"port.3104.events", "port.3104.hub", "lss.answers.>", "port.2608.probe"} {
		if _, err := hc.Subscribe(subj, func(m *nats.Msg) { got <- m.Subject }); err != nil {
			t.Fatal(err)
		}
	}
	if err := hc.Flush(); err != nil {
		t.Fatal(err)
	}
	pc := port.node.Conn()
	deadline := time.Now().Add(15 * time.Second)
	for {
		for _, subj := range []string{"port.3104.events", "port.3104.hub", "lss.answers.3104", "lss.answers.2608", "port.2608.probe"} {
			if err := pc.Publish(subj, []byte("x")); err != nil {
				t.Fatal(err)
			}
		}
		_ = pc.Flush()
		select {
		case s := <-got:
			if s != "port.2608.probe" {
				time.Sleep(300 * time.Millisecond)
				for len(got) > 0 {
					t.Logf("also %s", <-got)
				}
				t.Fatalf("port 2608 published into %s at the hub", s)
			}
			// Its own subject arrived: the link and interest are up, and
			// everything sent before it was refused. One more round to be sure.
			time.Sleep(200 * time.Millisecond)
			for len(got) > 0 {
				if s := <-got; s != "port.2608.probe" {
					t.Fatalf("port 2608 published into %s at the hub", s)
				}
			}
			return
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the port's own subject never reached the hub")
		}
	}
}
