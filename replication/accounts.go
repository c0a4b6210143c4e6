package replication

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/portofentry/booth/records"
)

// Port accounts down the link (docs/security.md): the port server keeps the
// port's officer accounts and its pepper; every workstation asks for the
// accounts changed since the version it holds, with the pepper, over the
// same mutual TLS as the feed, and caches them. The server counts failed
// sign-ins port-wide from the workstations' audit chains and refuses events
// whose officer is an account without a writing role.

// PathAccounts is GET ?after=V: the port accounts changed after version V
// and the port pepper.
const PathAccounts = "/v1/accounts"

// AccountsResponse is the 200 answer to GET /v1/accounts.
type AccountsResponse struct {
	// Pepper is the port pepper (32 bytes) the verifiers were made with.
	Pepper []byte `json:"pepper"`
	// Accounts changed after the version asked for, oldest change first.
	Accounts []records.PortAccount `json:"accounts"`
	// Version is the newest account version the server holds.
	Version int64 `json:"version"`
}

// AccountServerStore is a server store that keeps the port's accounts. A
// ServerStore without these methods serves no accounts (404) and applies no
// account rule.
type AccountServerStore interface {
	PortAccountsSince(ctx context.Context, after int64) ([]records.PortAccount, int64, error)
	PortPepper() ([]byte, error)
	// OfficerWrites reports whether badge is a port account and whether it
	// holds a writing role.
	OfficerWrites(ctx context.Context, badge string) (known, writes bool, err error)
	// RecordPortSignIns counts the sign-ins with port accounts in audit
	// entries (each entry once) and locks accounts port-wide.
	RecordPortSignIns(ctx context.Context, entries []records.AuditEntry) (locked []string, err error)
}

// AccountCacheStore is a workstation store that caches the port accounts.
// A PullerStore without these methods does not pull accounts.
type AccountCacheStore interface {
	AccountVersion(ctx context.Context) (int64, error)
	ApplyPortAccounts(ctx context.Context, u records.AccountsUpdate) (int, error)
}

func (s *Server) accounts() (AccountServerStore, bool) {
	a, ok := s.cfg.Store.(AccountServerStore)
	return a, ok
}

// handleAccounts serves the accounts and the pepper to any workstation
// certificate: every kind signs officers in.
func (s *Server) handleAccounts(w http.ResponseWriter, r *http.Request, id identity) {
	a, ok := s.accounts()
	if !ok {
		writeError(w, http.StatusNotFound, ErrorResponse{Error: CodeNotFound, Message: "this server keeps no officer accounts"})
		return
	}
	after, err := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if r.URL.Query().Get("after") == "" {
		after, err = 0, nil
	}
	if err != nil || after < 0 {
		writeError(w, http.StatusBadRequest, ErrorResponse{Error: CodeBadRequest, Message: "after must be a version >= 0"})
		return
	}
	accts, version, err := a.PortAccountsSince(r.Context(), after)
	if err != nil {
		s.log.Error("reading port accounts failed", "workstation", id.workstation, "err", err)
		writeError(w, http.StatusInternalServerError, ErrorResponse{Error: CodeInternal, Message: "the server could not read the accounts; retry"})
		return
	}
	pepper, err := a.PortPepper()
	if err != nil {
		s.log.Error("reading the port pepper failed", "err", err)
		writeError(w, http.StatusInternalServerError, ErrorResponse{Error: CodeInternal, Message: "the server could not read its pepper"})
		return
	}
	if accts == nil {
		accts = []records.PortAccount{}
	}
	writeJSON(w, http.StatusOK, AccountsResponse{Pepper: pepper, Accounts: accts, Version: version})
}

// refuseNonWriters returns why a batch must be refused when one of its
// events is an officer's whose port account holds no writing role (the
// fourth read-only layer: whatever the certificate), "" otherwise.
func (s *Server) refuseNonWriters(ctx context.Context, evs []records.Event) (string, error) {
	a, ok := s.accounts()
	if !ok {
		return "", nil
	}
	checked := map[string]bool{}
	for _, ev := range evs {
		if ev.Officer == "" || checked[ev.Officer] {
			continue
		}
		checked[ev.Officer] = true
		known, writes, err := a.OfficerWrites(ctx, ev.Officer)
		if err != nil {
			return "", err
		}
		if known && !writes {
			return fmt.Sprintf("event %s (%s) is by officer %s, whose account has no writing role", ev.ID, ev.Kind, ev.Officer), nil
		}
	}
	return "", nil
}

// countSignIns hands the audit entries the server now holds to the account
// store, which counts failed sign-ins port-wide. A failure is logged: the
// entries are stored, and a resend counts them then.
func (s *Server) countSignIns(ctx context.Context, workstation string, entries []records.AuditEntry, acked int64) {
	a, ok := s.accounts()
	if !ok {
		return
	}
	var held []records.AuditEntry
	for _, e := range entries {
		if e.Seq <= acked {
			held = append(held, e)
		}
	}
	locked, err := a.RecordPortSignIns(ctx, held)
	if err != nil {
		if !diskFull(err) {
			s.log.Error("counting sign-ins failed", "workstation", workstation, "err", err)
		}
		return
	}
	for _, b := range locked {
		s.log.Warn("port account locked after failed sign-ins across the port", "badge", b, "last_from", workstation)
	}
}

// Accounts fetches the port accounts changed after version after.
func (c *Client) Accounts(ctx context.Context, after int64) (AccountsResponse, error) {
	var resp AccountsResponse
	err := c.do(ctx, http.MethodGet, PathAccounts, url.Values{"after": {strconv.FormatInt(after, 10)}}, nil, &resp)
	return resp, err
}

// syncAccounts brings the workstation's account cache up to the server's
// after a successful feed poll; the answer also renews the cache's age. A
// server without accounts (404) is left alone; other failures are logged
// and retried at the next poll.
func (p *Puller) syncAccounts(ctx context.Context) {
	a, ok := p.cfg.Store.(AccountCacheStore)
	if !ok {
		return
	}
	v, err := a.AccountVersion(ctx)
	if err != nil {
		p.log.Error("reading the account cache failed", "err", err)
		return
	}
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := p.cfg.Client.Accounts(rctx, v)
	var se *StatusError
	switch {
	case err == nil:
	case errors.As(err, &se) && se.Status == http.StatusNotFound:
		return
	case errors.As(err, &se):
		p.log.Warn("the server refused the officer accounts", "err", err)
		return
	default:
		// Offline: the feed request reports the link state.
		p.log.Debug("fetching officer accounts failed", "err", err)
		return
	}
	n, err := a.ApplyPortAccounts(ctx, records.AccountsUpdate{Pepper: resp.Pepper, Accounts: resp.Accounts, HeardAt: time.Now()})
	if err != nil {
		if ctx.Err() == nil && !diskFull(err) {
			p.log.Error("applying officer accounts failed", "err", err)
		}
		return
	}
	if n > 0 {
		p.log.Info("officer accounts updated", "changed", n, "version", resp.Version)
	}
}
