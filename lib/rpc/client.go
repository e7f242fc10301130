package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// AddrFile is the datadir file in which gg-node writes its RPC address.
const AddrFile = "rpc.addr"

// ErrNoNode means no node address could be found or reached.
var ErrNoNode = errors.New("no running node found")

// ErrRefused means the node turned the request away before running it,
// for a while: the address is backing off after failed logins (HTTP 429),
// or the node has too many connections or request bytes at once (503).
var ErrRefused = errors.New("rpc: request refused")

// Client calls a gg-node over JSON-RPC.
type Client struct {
	URL        string
	User, Pass string
	HTTP       *http.Client
	id         atomic.Int64
}

// NewClient returns a client for url with basic-auth credentials.
func NewClient(url, user, pass string) *Client {
	return &Client{URL: url, User: user, Pass: pass, HTTP: &http.Client{Timeout: 5 * time.Minute}}
}

// Discover builds a client from an explicit URL (may carry user:pass@) or,
// when url is empty, from the datadir's rpc.addr and .cookie files.
func Discover(url, datadir string) (*Client, error) {
	user, pass := "", ""
	if url == "" {
		b, err := os.ReadFile(filepath.Join(datadir, AddrFile))
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %v", ErrNoNode, filepath.Join(datadir, AddrFile), err)
		}
		url = "http://" + strings.TrimSpace(string(b))
	}
	if !strings.Contains(url, "://") {
		url = "http://" + url
	}
	if at := strings.Index(url, "@"); at > 0 {
		scheme, rest, _ := strings.Cut(url, "://")
		cred, host, _ := strings.Cut(rest, "@")
		user, pass, _ = strings.Cut(cred, ":")
		url = scheme + "://" + host
	}
	if user == "" && datadir != "" {
		if u, p, err := ReadCookie(datadir); err == nil {
			user, pass = u, p
		}
	}
	return NewClient(url, user, pass), nil
}

// Call invokes method with positional params and decodes the result into
// out (which may be nil, or a *json.RawMessage to keep it raw). A JSON-RPC
// error comes back as *Error.
func (c *Client) Call(ctx context.Context, method string, out any, params ...any) error {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": c.id.Add(1), "method": method, "params": params})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.User != "" || c.Pass != "" {
		req.SetBasicAuth(c.User, c.Pass)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("%w at %s: %v", ErrNoNode, c.URL, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return fmt.Errorf("rpc: unauthorized at %s (wrong credentials or stale cookie)", c.URL)
	case http.StatusTooManyRequests:
		return fmt.Errorf("%w at %s: too many failed logins from this address, retry in %s s", ErrRefused, c.URL, resp.Header.Get("Retry-After"))
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("rpc: read response: %w", err)
	}
	if resp.StatusCode == http.StatusServiceUnavailable && !json.Valid(raw) {
		return fmt.Errorf("%w at %s: node busy (%s), retry", ErrRefused, c.URL, bytes.TrimSpace(raw))
	}
	var r struct {
		Result json.RawMessage `json:"result"`
		Error  *Error          `json:"error"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("rpc: HTTP %d: bad response: %s", resp.StatusCode, bytes.TrimSpace(raw))
	}
	if r.Error != nil {
		return r.Error
	}
	if out == nil {
		return nil
	}
	if rm, ok := out.(*json.RawMessage); ok {
		*rm = append((*rm)[:0], r.Result...)
		return nil
	}
	return json.Unmarshal(r.Result, out)
}
