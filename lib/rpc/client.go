package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
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

// ErrNoCredentials means a client has no credentials to send: none was
// given and the datadir's cookie file could not be read.
var ErrNoCredentials = errors.New("no RPC credentials")

// ErrUnauthorized means the node refused the client's credentials (HTTP
// 401); an *AuthError names them.
var ErrUnauthorized = errors.New("unauthorized")

// FileError is a file a client finds the node by (rpc.addr, .cookie, a
// password file) that could not be read; its message says why: missing,
// not readable (permissions), or what else failed.
type FileError struct {
	What, Path string // e.g. "cookie file", "/home/u/.gg/main/.cookie"
	Err        error
}

func (e *FileError) Error() string {
	switch {
	case errors.Is(e.Err, fs.ErrNotExist):
		return fmt.Sprintf("%s %s does not exist", e.What, e.Path)
	case errors.Is(e.Err, fs.ErrPermission):
		return fmt.Sprintf("cannot read %s %s: permission denied", e.What, e.Path)
	}
	err := e.Err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is in the message already
	}
	return fmt.Sprintf("cannot read %s %s: %v", e.What, e.Path, err)
}

func (e *FileError) Unwrap() error { return e.Err }

// AuthError is the node's refusal of a client's credentials (HTTP 401).
// It matches ErrUnauthorized.
type AuthError struct {
	URL    string
	Creds  string // what the node refused, as Client.Creds; "": nothing was sent
	Cookie bool   // the credentials came from a cookie file
}

func (e *AuthError) Error() string {
	why := "no credentials were sent"
	if e.Creds != "" {
		why = "the node refused " + e.Creds
	}
	return fmt.Sprintf("rpc: unauthorized at %s: %s", e.URL, why)
}

func (e *AuthError) Unwrap() error { return ErrUnauthorized }

// Client calls a gg-node over JSON-RPC.
type Client struct {
	URL        string
	User, Pass string
	// Creds names where User and Pass came from ("the cookie in
	// /x/.cookie", "the password of user \"alice\" (from GG_RPC_PASS)"),
	// for the error when the node refuses them.
	Creds string
	HTTP  *http.Client
	id    atomic.Int64
	// cookie: User and Pass came from a cookie file.
	cookie bool
}

// NewClient returns a client for url with basic-auth credentials.
func NewClient(url, user, pass string) *Client {
	return &Client{URL: url, User: user, Pass: pass, HTTP: &http.Client{Timeout: 5 * time.Minute}}
}

// Endpoint is where a client finds a node and its credentials.
type Endpoint struct {
	// URL is the node's address, http[s]://[user[:password]@]host:port or
	// host:port; empty: DataDir's rpc.addr.
	URL string
	// DataDir holds rpc.addr and the .cookie used when no password is
	// given; empty: no cookie.
	DataDir string
	// Pass is a password given apart from the URL (a password file, the
	// environment), used when the URL has none; PassFrom names its source
	// for errors. A Pass of "user:password" with no user in the URL gives
	// both, as a cookie file does.
	Pass, PassFrom string
}

// Client builds the endpoint's client. The credentials are, first found
// first: the URL's password, Pass, the datadir's cookie. A cookie that
// cannot be read when nothing else is given is an error (wrapping
// ErrNoCredentials and a *FileError), as a missing or unreadable rpc.addr
// is (wrapping ErrNoNode and a *FileError).
func (e Endpoint) Client() (*Client, error) {
	raw := e.URL
	if raw == "" {
		path := filepath.Join(e.DataDir, AddrFile)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNoNode, &FileError{"node address file", path, err})
		}
		raw = strings.TrimSpace(string(b))
	}
	u, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	user, pass, hasPass := "", "", false
	if u.User != nil {
		user = u.User.Username()
		pass, hasPass = u.User.Password()
		u.User = nil
	}
	c := NewClient(u.String(), user, pass)
	switch {
	case hasPass:
		c.Creds = fmt.Sprintf("the password of user %q (from the URL)", user)
	case e.Pass != "":
		c.Pass = e.Pass
		if user == "" {
			if u, p, ok := strings.Cut(e.Pass, ":"); ok {
				c.User, c.Pass = u, p
			}
		}
		c.Creds = fmt.Sprintf("the password of user %q", c.User)
		if e.PassFrom != "" {
			c.Creds += " (from " + e.PassFrom + ")"
		}
	case e.DataDir != "":
		u, p, err := ReadCookie(e.DataDir)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNoCredentials, err)
		}
		if user != "" && user != u {
			return nil, fmt.Errorf("%w: no password for user %q (the cookie in %s is %s's)", ErrNoCredentials, user,
				filepath.Join(e.DataDir, CookieFile), u)
		}
		c.User, c.Pass, c.cookie = u, p, true
		c.Creds = "the cookie in " + filepath.Join(e.DataDir, CookieFile)
	}
	return c, nil
}

// ParseURL parses a node URL: http:// or https://, or a bare host:port
// (http). It refuses other schemes, a missing host, a query or a fragment.
func ParseURL(raw string) (*url.URL, error) {
	s := raw
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &URLError{raw, err.Error()}
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, &URLError{raw, "want http:// or https://"}
	case u.Host == "" || u.Hostname() == "":
		return nil, &URLError{raw, "no host"}
	case u.RawQuery != "" || u.Fragment != "":
		return nil, &URLError{raw, "a node URL has no query or fragment"}
	}
	return u, nil
}

// URLError is a node URL that does not parse; Error never repeats a
// password in it.
type URLError struct{ URL, Reason string }

func (e *URLError) Error() string { return fmt.Sprintf("bad node URL %q: %s", Redact(e.URL), e.Reason) }

// Redact replaces the password in a URL-like string with "xxxxx".
func Redact(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		scheme, rest = "", raw
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return raw
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return raw
	}
	out := user + ":xxxxx" + rest[at:]
	if ok {
		out = scheme + "://" + out
	}
	return out
}

// Discover builds a client from an explicit URL (may carry user:pass@) or,
// when url is empty, from the datadir's rpc.addr and .cookie files (see
// Endpoint.Client).
func Discover(url, datadir string) (*Client, error) {
	return Endpoint{URL: url, DataDir: datadir}.Client()
}

// Call invokes method with positional params and decodes the result into
// out (which may be nil, or a *json.RawMessage to keep it raw). A JSON-RPC
// error comes back as *Error.
func (c *Client) Call(ctx context.Context, method string, out any, params ...any) error {
	if params == nil {
		params = []any{}
	}
	return c.call(ctx, method, out, params)
}

// CallNamed invokes method with named params (a JSON object), as Call.
func (c *Client) CallNamed(ctx context.Context, method string, out any, params map[string]any) error {
	if params == nil {
		params = map[string]any{}
	}
	return c.call(ctx, method, out, params)
}

func (c *Client) call(ctx context.Context, method string, out any, params any) error {
	body, err := json.Marshal(clientRequest{"2.0", c.id.Add(1), method, params})
	if err != nil {
		return err
	}
	raw, status, err := c.post(ctx, body)
	if err != nil {
		return err
	}
	var r clientReply
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("rpc: HTTP %d: bad response: %s", status, bytes.TrimSpace(raw))
	}
	return r.decode(out)
}

// clientRequest is a JSON-RPC request as a client sends it.
type clientRequest struct {
	JSONRPC string `json:"jsonrpc"`
	ID      int64  `json:"id"`
	Method  string `json:"method"`
	Params  any    `json:"params"`
}

// clientReply is a JSON-RPC reply as a client reads it.
type clientReply struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *Error          `json:"error"`
}

// decode returns the reply's error, or decodes its result into out as
// Call does.
func (r *clientReply) decode(out any) error {
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

// post sends one request body and returns the reply's body and HTTP
// status; a refused login, a refused request and no answer are errors.
func (c *Client) post(ctx context.Context, body []byte) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.User != "" || c.Pass != "" {
		req.SetBasicAuth(c.User, c.Pass)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%w at %s: %v", ErrNoNode, c.URL, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		creds := c.Creds
		if creds == "" && (c.User != "" || c.Pass != "") {
			creds = fmt.Sprintf("the password of user %q", c.User)
		}
		return nil, 0, &AuthError{URL: c.URL, Creds: creds, Cookie: c.cookie}
	case http.StatusTooManyRequests:
		return nil, 0, fmt.Errorf("%w at %s: too many failed logins from this address, retry in %s s", ErrRefused, c.URL, resp.Header.Get("Retry-After"))
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, 0, fmt.Errorf("rpc: read response: %w", err)
	}
	if resp.StatusCode == http.StatusServiceUnavailable && !json.Valid(raw) {
		return nil, 0, fmt.Errorf("%w at %s: node busy (%s), retry", ErrRefused, c.URL, bytes.TrimSpace(raw))
	}
	return raw, resp.StatusCode, nil
}

// BatchCall is one call of a Client.Batch: Method and Params (positional
// []any, named map[string]any; nil, or a nil slice or map: none) go out, Out receives the
// result as Call's out does, and Err is the call's JSON-RPC error (an
// *Error), nil when it succeeded.
type BatchCall struct {
	Method string
	Params any
	Out    any
	Err    error
}

// Batch makes calls in one HTTP request, a JSON-RPC batch, which the node
// runs in order; each call's outcome is set in it. The error returned is
// the request's: no node, refused credentials, a refused request, a batch
// the node refused as a whole (wrapping its *Error: too many calls), or
// a reply that is not one answer per call; then no call's outcome is set.
func (c *Client) Batch(ctx context.Context, calls []*BatchCall) error {
	reqs := make([]clientRequest, len(calls))
	for i, bc := range calls {
		params := bc.Params
		switch p := params.(type) {
		case nil:
			params = []any{}
		case []any:
			if p == nil {
				params = []any{}
			}
		case map[string]any:
			if p == nil {
				params = map[string]any{}
			}
		}
		reqs[i] = clientRequest{"2.0", c.id.Add(1), bc.Method, params}
	}
	body, err := json.Marshal(reqs)
	if err != nil {
		return err
	}
	raw, status, err := c.post(ctx, body)
	if err != nil {
		return err
	}
	var replies []clientReply
	if err := json.Unmarshal(raw, &replies); err != nil {
		var one clientReply
		if json.Unmarshal(raw, &one) == nil && one.Error != nil {
			return fmt.Errorf("rpc: batch refused: %w", one.Error)
		}
		return fmt.Errorf("rpc: HTTP %d: bad batch response: %s", status, bytes.TrimSpace(raw))
	}
	byID := make(map[string]*clientReply, len(replies))
	for i := range replies {
		byID[string(replies[i].ID)] = &replies[i]
	}
	got := make([]*clientReply, len(calls))
	for i, r := range reqs {
		if got[i] = byID[strconv.FormatInt(r.ID, 10)]; got[i] == nil {
			return fmt.Errorf("rpc: HTTP %d: the batch's reply has no answer to %s (id %d)", status, r.Method, r.ID)
		}
	}
	for i, bc := range calls {
		bc.Err = got[i].decode(bc.Out)
	}
	return nil
}
