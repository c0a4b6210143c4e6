package replication

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
)

func TestPKIIssueAndIdentity(t *testing.T) {
	p := newTestPKI(t)
	if err := InitCA(p.dir, "2604"); !errors.Is(err, ErrExists) {
		t.Fatalf("second init: err = %v, want ErrExists", err)
	}
	if _, _, err := Issue(p.dir, IssueRequest{Role: RolePrimary, Workstation: "booth-1"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Issue(p.dir, IssueRequest{Role: RolePrimary, Workstation: "booth-1"}); !errors.Is(err, ErrExists) {
		t.Fatalf("re-issue without overwrite: err = %v", err)
	}
	if st, err := os.Stat(filepath.Join(p.dir, "booth-1.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
	cert := loadCert(t, p, "booth-1")
	if ws, role, err := Identity(cert); err != nil || ws != "booth-1" || role != RolePrimary {
		t.Fatalf("identity = %q %q %v", ws, role, err)
	}
	if cert.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth {
		t.Fatalf("workstation certificate usage %v", cert.ExtKeyUsage)
	}
	if _, _, err := Issue(p.dir, IssueRequest{Role: RoleServer, Hosts: []string{"portserver.lan", "10.1.2.3"}, Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(p.dir, ServerCertFile))
	srvCert := parsePEMCert(t, raw)
	if err := srvCert.VerifyHostname("portserver.lan"); err != nil {
		t.Error(err)
	}
	if !hasIP(srvCert, "10.1.2.3") || !hasIP(srvCert, "127.0.0.1") {
		t.Errorf("server SANs %v", srvCert.IPAddresses)
	}

	tests := []struct {
		name string
		subj pkix.Name
	}{
		{"no role", pkix.Name{CommonName: "booth-1"}},
		{"two roles", pkix.Name{CommonName: "booth-1", OrganizationalUnit: []string{RolePrimary, RoleSupervisor}}},
		{"server role", pkix.Name{CommonName: "portserver", OrganizationalUnit: []string{RoleServer}}},
		{"bad id", pkix.Name{CommonName: "../x", OrganizationalUnit: []string{RolePrimary}}},
	}
	for _, tt := range tests {
		if _, _, err := Identity(&x509.Certificate{Subject: tt.subj}); err == nil {
			t.Errorf("%s: identity accepted", tt.name)
		}
	}
	for _, bad := range []IssueRequest{{Role: "admin", Workstation: "x"}, {Role: RolePrimary, Workstation: ""}, {Role: RolePrimary, Workstation: "a/b"}} {
		if _, _, err := Issue(p.dir, bad); err == nil {
			t.Errorf("issue %+v accepted", bad)
		}
	}
}

func hasIP(c *x509.Certificate, ip string) bool {
	for _, a := range c.IPAddresses {
		if a.Equal(net.ParseIP(ip)) {
			return true
		}
	}
	return false
}
