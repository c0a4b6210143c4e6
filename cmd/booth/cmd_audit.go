package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/portofentry/booth/sqlitestore"
)

const auditUsage = `usage: booth audit verify [--config FILE] [--db FILE] [--ca FILE]

Re-computes the audit hash chain of every workstation in the database from
its first entry, then checks each chain against the latest checkpoint the
port server countersigned for it: the chain must still reach the signed seq
and have the signed hash there, so a cut tail or a rewritten prefix (even one
whose hashes were all recomputed) is found. The checkpoint's signer must be a
server certificate issued by the port CA (--ca, else the configuration's
port_server.ca; without either only the signature is checked).
Exit 0 and a summary when every chain verifies; exit 1 and the first bad
entry (origin, seq, id and the check that failed) when one does not.`

// runAudit implements `booth audit`.
func runAudit(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return runActions("audit", auditUsage, args, stdout, stderr, map[string]func([]string) int{
		"verify": func(args []string) int { return runAuditVerify(args, stdout, stderr) },
	})
}

func runAuditVerify(args []string, stdout, stderr io.Writer) int {
	fs, sf := maintenanceFlags("booth audit verify", auditUsage, stderr)
	caFile := fs.String("ca", "", "PEM file of the port CA that signs the port server's certificate (default: port_server.ca of the configuration)")
	if ok, code := parseMaintenanceFlags(fs, args, stderr, ""); !ok {
		return code
	}
	cfg, err := sf.resolve()
	if err != nil {
		return usageError(stderr, "audit verify: %v", err)
	}
	if *caFile == "" {
		*caFile = cfg.PortServer.CA
	}
	var opts sqlitestore.AuditVerifyOptions
	if *caFile != "" {
		if opts.Roots, err = loadRoots(*caFile); err != nil {
			return failf(stderr, "audit verify: %v", err)
		}
	}
	ctx := context.Background()
	s, err := openMaintenanceStore(ctx, cfg, true, stderr)
	if err != nil {
		return failf(stderr, "audit verify: %v", err)
	}
	defer s.Close()
	rep, err := s.VerifyAuditWith(ctx, opts)
	if err != nil {
		return failf(stderr, "audit verify: %v", err)
	}
	if !rep.OK {
		f := rep.Fault
		fmt.Fprintf(stdout, "audit chain BROKEN: %d entries verified before the first bad entry\n", rep.Entries)
		fmt.Fprintf(stdout, "first bad entry: origin %s seq %d id %s\n", f.Origin, f.Seq, f.ID)
		fmt.Fprintf(stdout, "failed check: %s: %s\n", f.Check, f.Detail)
		return 1
	}
	fmt.Fprintf(stdout, "audit chain OK: %d entries from %d workstation(s)\n", rep.Entries, len(rep.Chains))
	for _, c := range rep.Chains {
		fmt.Fprintf(stdout, "  %s: seq 1..%d, head %s\n", c.Origin, c.LastSeq, c.Head)
		switch a := c.Anchor; {
		case a == nil:
			fmt.Fprintf(stdout, "    not anchored: no checkpoint from the port server kept for this chain\n")
		case a.Trusted:
			fmt.Fprintf(stdout, "    anchored: seq %d countersigned by %s (port CA verified) at %s\n", a.Seq, a.Signer, a.At.Format(time.RFC3339))
		default:
			fmt.Fprintf(stdout, "    anchored: seq %d countersigned by %s at %s (signer not checked against a CA: give --ca)\n", a.Seq, a.Signer, a.At.Format(time.RFC3339))
		}
	}
	return 0
}

// loadRoots reads a PEM file of CA certificates.
func loadRoots(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read CA certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("CA certificate %s holds no PEM certificate", path)
	}
	return pool, nil
}
