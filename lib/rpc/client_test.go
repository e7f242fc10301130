package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestClientDiscover(t *testing.T) {
	dir := t.TempDir()
	c, _ := NewCookie(dir)
	ts, _ := testServer(t, &Auth{Cookie: c})
	u, _ := url.Parse(ts.URL)
	if err := os.WriteFile(filepath.Join(dir, AddrFile), []byte(u.Host+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cl, err := Discover("", dir)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := cl.Call(context.Background(), "echo", &got, "hello"); err != nil || got != "hello" {
		t.Fatalf("echo: %q %v", got, err)
	}
	var raw json.RawMessage
	if err := cl.Call(context.Background(), "echo", &raw, "x"); err != nil || string(raw) != `"x"` {
		t.Fatalf("raw: %s %v", raw, err)
	}
	err = cl.Call(context.Background(), "nope", nil)
	var re *Error
	if !errors.As(err, &re) || re.Code != CodeMethodNotFound {
		t.Fatalf("unknown method: %v", err)
	}
	// Explicit URL with credentials.
	_, pass, _ := ReadCookie(dir)
	cl2, _ := Discover("http://"+CookieUser+":"+pass+"@"+u.Host, "")
	if err := cl2.Call(context.Background(), "echo", &got, "y"); err != nil || got != "y" {
		t.Fatalf("explicit url: %v", err)
	}
	// Bad credentials.
	cl3, _ := Discover("http://x:y@"+u.Host, "")
	if err := cl3.Call(context.Background(), "echo", &got, "y"); err == nil {
		t.Fatal("bad credentials accepted")
	}
}

func TestClientNoNode(t *testing.T) {
	if _, err := Discover("", t.TempDir()); !errors.Is(err, ErrNoNode) {
		t.Fatalf("missing addr file: %v", err)
	}
	cl := NewClient("http://127.0.0.1:1", "", "")
	if err := cl.Call(context.Background(), "x", nil); !errors.Is(err, ErrNoNode) {
		t.Fatalf("unreachable: %v", err)
	}
}

// TestClientRefusals: a 429 (login backoff) and a 503 (too many
// connections) come back as ErrRefused with what to do.
func TestClientRefusals(t *testing.T) {
	alice, _ := NewUser("alice", "wonder")
	_, addr := echoServer(t, &Auth{Users: []User{alice}}, Limits{AuthFailures: 1, AuthBackoff: time.Minute}, nil)
	url := "http://" + addr
	if err := NewClient(url, "alice", "wrong").Call(context.Background(), "echo", nil, "x"); err == nil || !strings.Contains(err.Error(), "unauthorized") {
		t.Fatalf("wrong password: %v", err)
	}
	err := NewClient(url, "alice", "wonder").Call(context.Background(), "echo", nil, "x")
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "too many failed logins from this address, retry in 60 s") {
		t.Fatalf("while backing off: %v", err)
	}
	_, addr = echoServer(t, allowAll{}, Limits{MaxConns: 1}, nil)
	c, br := rawConn(t, addr) // holds the one connection
	if resp, _ := roundTrip(t, c, br, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 32\r\n\r\n"+padded(32)); resp.StatusCode != 200 {
		t.Fatalf("first connection: %d", resp.StatusCode)
	}
	err = NewClient("http://"+addr, "", "").Call(context.Background(), "echo", nil, "x")
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "node busy (too many connections), retry") {
		t.Fatalf("beyond the connections: %v", err)
	}
}

// TestEndpointURL: node URLs are parsed by net/url, not split by hand: a
// password may hold '@' or ':', percent-encoded or not, and the URL the
// client posts to carries no credentials.
func TestEndpointURL(t *testing.T) {
	for _, tc := range []struct {
		in, url, user, pass string
	}{
		{"127.0.0.1:8332", "http://127.0.0.1:8332", "", ""},
		{"http://127.0.0.1:8332/", "http://127.0.0.1:8332/", "", ""},
		{"https://node.example:443", "https://node.example:443", "", ""},
		{"alice:pw@127.0.0.1:1", "http://127.0.0.1:1", "alice", "pw"},
		{"http://alice:p@ss@127.0.0.1:1", "http://127.0.0.1:1", "alice", "p@ss"},
		{"http://alice:p%40ss%3Ax@127.0.0.1:1", "http://127.0.0.1:1", "alice", "p@ss:x"},
		{"http://alice:a:b@[::1]:1", "http://[::1]:1", "alice", "a:b"},
	} {
		c, err := Endpoint{URL: tc.in}.Client()
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if c.URL != tc.url || c.User != tc.user || c.Pass != tc.pass {
			t.Errorf("%s: %q %q %q, want %q %q %q", tc.in, c.URL, c.User, c.Pass, tc.url, tc.user, tc.pass)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"ftp://127.0.0.1:1", `bad node URL "ftp://127.0.0.1:1": want http:// or https://`},
		{"http://", `bad node URL "http://": no host`},
		{"http://:8332", `bad node URL "http://:8332": no host`},
		{"http://u:secret@127.0.0.1:1/?x=1", `bad node URL "http://u:xxxxx@127.0.0.1:1/?x=1": a node URL has no query or fragment`},
		{"http://127.0.0.1:port", `bad node URL "http://127.0.0.1:port": invalid port ":port" after host`},
	} {
		_, err := Endpoint{URL: tc.in}.Client()
		var ue *URLError
		if !errors.As(err, &ue) || err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", tc.in, err, tc.want)
		}
	}
}

// TestEndpointCredentials: the URL's password, else Pass, else the
// datadir's cookie; a cookie that cannot be read, with nothing else, is
// an error saying why.
func TestEndpointCredentials(t *testing.T) {
	dir := t.TempDir()
	if _, err := NewCookie(dir); err != nil {
		t.Fatal(err)
	}
	_, cookiePass, _ := ReadCookie(dir)
	for _, tc := range []struct {
		name       string
		ep         Endpoint
		user, pass string
	}{
		{"URL first", Endpoint{URL: "http://a:b@h:1", DataDir: dir, Pass: "c"}, "a", "b"},
		{"then Pass", Endpoint{URL: "http://a@h:1", DataDir: dir, Pass: "c"}, "a", "c"},
		{"Pass with user", Endpoint{URL: "h:1", Pass: "u:p:q"}, "u", "p:q"},
		{"then the cookie", Endpoint{URL: "h:1", DataDir: dir}, CookieUser, cookiePass},
		{"nothing", Endpoint{URL: "h:1"}, "", ""},
	} {
		c, err := tc.ep.Client()
		if err != nil || c.User != tc.user || c.Pass != tc.pass {
			t.Errorf("%s: %v %q %q, want %q %q", tc.name, err, c.User, c.Pass, tc.user, tc.pass)
		}
	}
	empty := t.TempDir()
	_, err := Endpoint{URL: "h:1", DataDir: empty}.Client()
	if !errors.Is(err, ErrNoCredentials) || !errors.Is(err, fs.ErrNotExist) ||
		err.Error() != "no RPC credentials: cookie file "+filepath.Join(empty, CookieFile)+" does not exist" {
		t.Errorf("missing cookie: %v", err)
	}
	_, err = Endpoint{URL: "http://alice@h:1", DataDir: dir}.Client()
	if !errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), `no password for user "alice"`) {
		t.Errorf("user without password, another user's cookie: %v", err)
	}
	_, err = Endpoint{DataDir: empty}.Client()
	if !errors.Is(err, ErrNoNode) || err.Error() != "no running node found: node address file "+filepath.Join(empty, AddrFile)+" does not exist" {
		t.Errorf("missing rpc.addr: %v", err)
	}
}

func TestFileError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&fs.PathError{Op: "open", Path: "/d/.cookie", Err: fs.ErrNotExist}, "cookie file /d/.cookie does not exist"},
		{&fs.PathError{Op: "open", Path: "/d/.cookie", Err: fs.ErrPermission}, "cannot read cookie file /d/.cookie: permission denied"},
		{&fs.PathError{Op: "read", Path: "/d/.cookie", Err: errors.New("is a directory")}, "cannot read cookie file /d/.cookie: is a directory"},
	} {
		if got := (&FileError{"cookie file", "/d/.cookie", tc.err}).Error(); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
}

// TestClientUnauthorized: a refused call names the credentials refused.
func TestClientUnauthorized(t *testing.T) {
	dir := t.TempDir()
	c, _ := NewCookie(dir)
	ts, _ := testServer(t, &Auth{Cookie: c})
	stale := t.TempDir()
	NewCookie(stale)
	for _, tc := range []struct {
		ep     Endpoint
		want   string
		cookie bool
	}{
		{Endpoint{URL: ts.URL, DataDir: stale}, "rpc: unauthorized at " + ts.URL + ": the node refused the cookie in " + filepath.Join(stale, CookieFile), true},
		{Endpoint{URL: ts.URL, Pass: "x", PassFrom: "GG_RPC_PASS"}, "rpc: unauthorized at " + ts.URL + `: the node refused the password of user "" (from GG_RPC_PASS)`, false},
		{Endpoint{URL: ts.URL}, "rpc: unauthorized at " + ts.URL + ": no credentials were sent", false},
	} {
		cl, err := tc.ep.Client()
		if err != nil {
			t.Fatal(err)
		}
		err = cl.Call(context.Background(), "echo", nil, "x")
		var ae *AuthError
		if !errors.Is(err, ErrUnauthorized) || !errors.As(err, &ae) || ae.Cookie != tc.cookie || err.Error() != tc.want {
			t.Errorf("%v, want %q (cookie %v)", err, tc.want, tc.cookie)
		}
	}
}

// TestClientCallNamed sends params as an object.
func TestClientCallNamed(t *testing.T) {
	dir := t.TempDir()
	c, _ := NewCookie(dir)
	ts, _ := testServer(t, &Auth{Cookie: c})
	cl, err := Endpoint{URL: ts.URL, DataDir: dir}.Client()
	if err != nil {
		t.Fatal(err)
	}
	var got string
	if err := cl.CallNamed(context.Background(), "echo", &got, map[string]any{"value": "named"}); err != nil || got != "named" {
		t.Fatalf("%q %v", got, err)
	}
	err = cl.CallNamed(context.Background(), "echo", &got, map[string]any{"bogus": 1})
	var re *Error
	if !errors.As(err, &re) || re.Code != CodeInvalidParams {
		t.Fatalf("unknown name: %v", err)
	}
}

// TestClientBatch: one HTTP request carries the calls; each gets its own
// result or JSON-RPC error, in the order given, named params too.
func TestClientBatch(t *testing.T) {
	dir := t.TempDir()
	c, _ := NewCookie(dir)
	ts, _ := testServer(t, &Auth{Cookie: c})
	requests := 0
	counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests++
		ts.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(counting.Close)
	u, _ := url.Parse(counting.URL)
	if err := os.WriteFile(filepath.Join(dir, AddrFile), []byte(u.Host+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cl, err := Discover("", dir)
	if err != nil {
		t.Fatal(err)
	}
	var a string
	var b json.RawMessage
	calls := []*BatchCall{
		{Method: "echo", Params: []any{"a"}, Out: &a},
		{Method: "nope"},
		{Method: "echo", Params: map[string]any{"value": "b"}, Out: &b},
	}
	if err := cl.Batch(context.Background(), calls); err != nil {
		t.Fatal(err)
	}
	var re *Error
	if requests != 1 || a != "a" || calls[0].Err != nil || string(b) != `"b"` || calls[2].Err != nil ||
		!errors.As(calls[1].Err, &re) || re.Code != CodeMethodNotFound {
		t.Fatalf("%d requests; %q %v; %v; %s %v", requests, a, calls[0].Err, calls[1].Err, b, calls[2].Err)
	}
}

// TestClientBatchErrors: a batch the node refuses as a whole (over its
// MaxBatch), a reply without an answer to a call, no node and refused
// credentials are the batch's error, and no call's outcome is set.
func TestClientBatchErrors(t *testing.T) {
	dir := t.TempDir()
	c, _ := NewCookie(dir)
	ts, _ := testServer(t, &Auth{Cookie: c}) // MaxBatch 3
	_, pass, _ := ReadCookie(dir)
	u, _ := url.Parse(ts.URL)
	cl := NewClient(ts.URL, CookieUser, pass)
	echo := func() []*BatchCall {
		var calls []*BatchCall
		for range 4 {
			calls = append(calls, &BatchCall{Method: "echo", Params: []any{"x"}, Out: new(string)})
		}
		return calls
	}
	calls := echo()
	var re *Error
	if err := cl.Batch(context.Background(), calls); !errors.As(err, &re) || re.Code != CodeInvalidRequest ||
		*calls[0].Out.(*string) != "" {
		t.Errorf("over MaxBatch: %v, first out %q", err, *calls[0].Out.(*string))
	}
	short := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`[{"jsonrpc":"2.0","id":1,"result":"x"}]`))
	}))
	t.Cleanup(short.Close)
	notBatch := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"jsonrpc":"2.0","id":1,"result":"x"}`))
	}))
	t.Cleanup(notBatch.Close)
	if err := NewClient(notBatch.URL, "", "").Batch(context.Background(), echo()[:2]); err == nil ||
		!strings.Contains(err.Error(), "bad batch response") || errors.As(err, &re) {
		t.Errorf("a reply that is not a batch's: %v", err)
	}
	calls = echo()[:2]
	if err := NewClient(short.URL, "", "").Batch(context.Background(), calls); err == nil ||
		!strings.Contains(err.Error(), "no answer to echo") || calls[0].Err != nil || *calls[0].Out.(*string) != "" {
		t.Errorf("a missing answer: %v", err)
	}
	if err := NewClient("http://127.0.0.1:1", "", "").Batch(context.Background(), echo()[:1]); !errors.Is(err, ErrNoNode) {
		t.Errorf("no node: %v", err)
	}
	var ae *AuthError
	if err := NewClient("http://"+u.Host, "x", "y").Batch(context.Background(), echo()[:1]); !errors.As(err, &ae) {
		t.Errorf("bad credentials: %v", err)
	}
}
