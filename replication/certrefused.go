package replication

import (
	"crypto/tls"
	"errors"
	"net"
	"strings"
)

// certRefused reports whether err is a TLS handshake that failed on a
// certificate: the port server refused this workstation's (revoked, expired
// or from another CA: the server answers with a bad-certificate alert), or
// this workstation could not verify the server's. Neither goes away by
// retrying, so the link shows it as an error, not as offline.
func certRefused(err error) bool {
	if err == nil {
		return false
	}
	var verify *tls.CertificateVerificationError
	if errors.As(err, &verify) {
		return true
	}
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "remote error" || op.Err == nil {
		return false
	}
	// The alert's type is not exported; its text is fixed by RFC 8446.
	switch msg := op.Err.Error(); {
	case strings.HasSuffix(msg, "bad certificate"), strings.HasSuffix(msg, "certificate revoked"),
		strings.HasSuffix(msg, "certificate expired"), strings.HasSuffix(msg, "unknown certificate authority"),
		strings.HasSuffix(msg, "certificate required"), strings.HasSuffix(msg, "unsupported certificate"),
		strings.HasSuffix(msg, "unknown certificate"):
		return true
	}
	return false
}

// certRefusedText words a certificate refusal for the header, short enough
// to fit beside the devices; the full error is in the component's log.
func certRefusedText(err error) string {
	var verify *tls.CertificateVerificationError
	if errors.As(err, &verify) {
		return "server certificate not trusted (port_server.ca)"
	}
	return "certificate refused by the port server (revoked?)"
}
