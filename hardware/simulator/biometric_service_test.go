package simulator

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

func bioRequest(body []byte, withCert bool) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/v1/captures", bytes.NewReader(body))
	if withCert {
		r.TLS = &tls.ConnectionState{PeerCertificates: []*x509.Certificate{{Subject: pkix.Name{CommonName: "booth-01"}}}}
	}
	return r
}

func TestBiometricServiceAnswers(t *testing.T) {
	s := &BiometricService{log: slog.New(slog.DiscardHandler), refs: map[string]string{}, images: map[string]int{}}
	h := s.Handler()
	good, _ := json.Marshal(map[string]any{"capture_id": "c1", "crossing_id": "X1", "png": []byte("\x89PNG\r\n\x1a\nxx")})
	for _, tc := range []struct {
		name     string
		body     []byte
		cert     bool
		failNext int
		want     int
	}{
		{"no client certificate", good, false, 0, http.StatusUnauthorized},
		{"busy", good, true, 1, http.StatusServiceUnavailable},
		{"taken", good, true, 0, http.StatusCreated},
		{"taken again: same reference", good, true, 0, http.StatusOK},
		{"not JSON", []byte("{"), true, 0, http.StatusBadRequest},
		{"unknown field", []byte(`{"capture_id":"c2","crossing_id":"X","png":"iVBORw0KGgo=","x":1}`), true, 0, http.StatusBadRequest},
		{"not a PNG", []byte(`{"capture_id":"c2","crossing_id":"X","png":"AAAA"}`), true, 0, http.StatusBadRequest},
		{"no capture id", []byte(`{"crossing_id":"X","png":"iVBORw0KGgo="}`), true, 0, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.FailNext(tc.failNext)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, bioRequest(tc.body, tc.cert))
			if rec.Code != tc.want {
				t.Fatalf("status %d (%s), want %d", rec.Code, rec.Body, tc.want)
			}
		})
	}
	if ref, ok := s.Reference("c1"); !ok || ref != "BIO-000001" {
		t.Errorf("reference of c1 = %q, %v", ref, ok)
	}
}

func FuzzBiometricServiceBody(f *testing.F) {
	f.Add([]byte(`{"capture_id":"c1","crossing_id":"X1","png":"iVBORw0KGgo="}`))
	f.Add([]byte(`{"capture_id":"","png":null}`))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, body []byte) {
		s := &BiometricService{log: slog.New(slog.DiscardHandler), refs: map[string]string{}, images: map[string]int{}}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, bioRequest(body, true))
		switch rec.Code {
		case http.StatusCreated, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		if rec.Code == http.StatusCreated {
			var a BiometricAnswer
			if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil || a.Reference == "" {
				t.Fatalf("answer %q: %v", rec.Body, err)
			}
		}
	})
}
