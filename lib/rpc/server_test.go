package rpc

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// strictServer serves echo, a counting stop and an error-returning
// method without authentication.
func strictServer(t *testing.T, stops *atomic.Int32, fail error) string {
	t.Helper()
	s := NewServer(allowAll{}, Limits{MaxBodyBytes: 1 << 20, MaxBatch: 3}, nil)
	s.Register(
		Method{Name: "echo", Handler: func(_ context.Context, p json.RawMessage) (any, error) {
			var v any
			if err := ParseParams(p, []string{"value"}, 1, &v); err != nil {
				return nil, err
			}
			return v, nil
		}},
		Method{Name: "stop", Handler: func(context.Context, json.RawMessage) (any, error) {
			stops.Add(1)
			return "stopping", nil
		}},
		Method{Name: "fail", Handler: func(context.Context, json.RawMessage) (any, error) { return nil, fail }},
	)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts.URL
}

type allowAll struct{}

func (allowAll) Authenticate(string, string) (*Access, bool) { return FullAccess("test"), true }

// TestServerStrictRequests: duplicate keys, wrong shapes, versions and
// ids are invalid requests (-32600), per call in a batch; nothing runs.
func TestServerStrictRequests(t *testing.T) {
	var stops atomic.Int32
	url := strictServer(t, &stops, nil)
	cases := []struct {
		name, body string
		status     int
		want       string
	}{
		{"duplicate method", `{"id":1,"method":"echo","method":"stop","params":["x"]}`, 400, `{"result":null,"error":{"code":-32600,"message":"duplicate key \"method\" in request"},"id":1}`},
		{"duplicate escaped", `{"id":1,"method":"echo","\u006dethod":"stop","params":["x"]}`, 400, `duplicate key \"method\"`},
		{"member in other case", `{"id":1,"method":"echo","Method":"stop","params":["x"]}`, 400, `"code":-32600`},
		{"duplicate in params", `{"id":1,"method":"echo","params":{"value":"a","value":"b"}}`, 400, `duplicate key \"value\"`},
		{"duplicate empty key, nested", `{"id":1,"method":"echo","params":[{"":{"":0,"":0}}]}`, 400, `duplicate key \"\" in request`},
		{"duplicate id", `{"id":1,"id":2,"method":"stop"}`, 400, `"code":-32600`},
		{"params a string", `{"id":1,"method":"echo","params":"x"}`, 400, `{"result":null,"error":{"code":-32600,"message":"params must be an array or an object"},"id":1}`},
		{"params a number", `{"id":1,"method":"echo","params":5}`, 400, `"code":-32600`},
		{"method a number", `{"id":1,"method":5}`, 400, `{"result":null,"error":{"code":-32600,"message":"method must be a string"},"id":1}`},
		{"method null", `{"id":1,"method":null}`, 400, `"code":-32600`},
		{"id an object", `{"id":{"a":1},"method":"stop"}`, 400, `{"result":null,"error":{"code":-32600,"message":"id must be a string, a number or null"},"id":null}`},
		{"id an array", `{"id":[1],"method":"stop"}`, 400, `"code":-32600`},
		{"id a bool", `{"id":true,"method":"stop"}`, 400, `"code":-32600`},
		{"jsonrpc 3.0", `{"jsonrpc":"3.0","id":1,"method":"stop"}`, 400, `{"result":null,"error":{"code":-32600,"message":"jsonrpc must be \"1.0\" or \"2.0\""},"id":1}`},
		{"jsonrpc a number", `{"jsonrpc":2.0,"id":1,"method":"stop"}`, 400, `"code":-32600`},
		{"jsonrpc null", `{"jsonrpc":null,"id":1,"method":"stop"}`, 400, `"code":-32600`},
		{"not an object", `5`, 400, `{"result":null,"error":{"code":-32600,"message":"a request must be a JSON object"},"id":null}`},
		{"a string", `"stop"`, 400, `"code":-32600`},
		{"null", `null`, 400, `"code":-32600`},
		{"batch element not an object", `[1,{"id":2,"method":"echo","params":["a"]}]`, 200, `[{"result":null,"error":{"code":-32600,"message":"a request must be a JSON object"},"id":null},{"result":"a","error":null,"id":2}]`},
		{"batch element with duplicates", `[{"id":1,"method":"echo","method":"stop"},{"id":2,"method":"echo","params":["a"]}]`, 200, `[{"result":null,"error":{"code":-32600,"message":"duplicate key \"method\" in request"},"id":1},{"result":"a","error":null,"id":2}]`},
		{"batch too long", `[{"method":"stop"},{"method":"stop"},{"method":"stop"},{"method":"stop"}]`, 200, `"code":-32600`},
		{"parse error", `{"id":`, 500, `"code":-32700`},
		{"parse error in batch", `[{"id":1,"method":"stop"},{]`, 500, `"code":-32700`},
	}
	for _, c := range cases {
		status, body := post(t, url, "", "", c.body)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s; want %d containing %s", c.name, status, body, c.status, c.want)
		}
	}
	if n := stops.Load(); n != 0 {
		t.Errorf("stop ran %d times from refused requests", n)
	}
	good := []struct{ body, want string }{
		{`{"jsonrpc":"2.0","id":"a","method":"echo","params":["x"]}`, `{"result":"x","error":null,"id":"a"}`},
		{`{"jsonrpc":"1.0","id":-1.5e3,"method":"echo","params":["x"]}`, `"id":-1.5e3`},
		{`{"id":null,"method":"echo","params":{"value":"x"}}`, `{"result":"x","error":null,"id":null}`},
		{`{"method":"echo","params":["x"],"version":"1.1"}`, `{"result":"x","error":null,"id":null}`},
		{`{"method":"echo","params":["{\"a\":1,\"a\":2}"]}`, `"result":"{\"a\":1,\"a\":2}"`},
		{` {"method":"echo","params":[{"a":{"b":1},"b":{"b":2}}]} `, `"result":{"a":{"b":1},"b":{"b":2}}`},
	}
	for _, g := range good {
		if status, body := post(t, url, "", "", g.body); status != 200 || !strings.Contains(body, g.want) {
			t.Errorf("%s: %d %s; want 200 containing %s", g.body, status, body, g.want)
		}
	}
}

// TestServerErrorMessages: messages echo at most ~200 bytes of the input
// and carry the innermost error, not the library's context prefixes.
func TestServerErrorMessages(t *testing.T) {
	var stops atomic.Int32
	inner := errors.New("insufficient funds: need 2 GG, have 1 GG")
	wrapped := fmt.Errorf("wallet: send: %w", fmt.Errorf("wallet: create tx: %w", inner))
	cases := []struct {
		name string
		fail error
		body string
		want string // the whole message
	}{
		{"wrapped error", wrapped, `{"method":"fail"}`, "insufficient funds: need 2 GG, have 1 GG"},
		{"rpc error over a wrapped one", Errorf(CodeWallet, "%v", wrapped), `{"method":"fail"}`, "insufficient funds: need 2 GG, have 1 GG"},
		{"context kept around the cause", Errorf(CodeDeserialize, "TX decode failed: %v", fmt.Errorf("wire: read tx: %w", io.ErrUnexpectedEOF)), `{"method":"fail"}`, "TX decode failed: unexpected EOF"},
		{"detail after a kind", fmt.Errorf("wallet: import key: %w", fmt.Errorf("%w: %q", errors.New("invalid key"), "xyz")), `{"method":"fail"}`, `invalid key: "xyz"`},
		{"long method", nil, `{"method":"` + strings.Repeat("m", 100_000) + `"}`, "method not found: " + strings.Repeat("m", 200) + "…"},
		{"long method with spaces", nil, `{"method":"` + strings.Repeat("m ", 50_000) + `"}`, ""},
		{"long param name", nil, `{"method":"echo","params":{"` + strings.Repeat("p", 5000) + `":1}}`, `unknown param "` + strings.Repeat("p", 64) + `..."`},
	}
	for _, c := range cases {
		url := strictServer(t, &stops, c.fail)
		_, body := post(t, url, "", "", c.body)
		var r struct{ Error *Error }
		if err := json.Unmarshal([]byte(body), &r); err != nil || r.Error == nil {
			t.Errorf("%s: %.300s", c.name, body)
			continue
		}
		if len(r.Error.Message) > 320+len("…") {
			t.Errorf("%s: message of %d bytes: %.300s", c.name, len(r.Error.Message), r.Error.Message)
		}
		if c.want != "" && r.Error.Message != c.want {
			t.Errorf("%s: message %.400q, want %.400q", c.name, r.Error.Message, c.want)
		}
	}
}

// serveTCP serves s on an ephemeral port of 127.0.0.1 until the test
// ends and returns its address.
func serveTCP(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// rawConn dials addr over TCP with a hang guard: every read and write
// fails after 10 s rather than blocking the test.
func rawConn(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	return rawConnFrom(t, "127.0.0.1", addr)
}

// rawConnFrom is rawConn from a chosen loopback address (any 127.x.y.z
// reaches a listener on 127.0.0.1), to be another source.
func rawConnFrom(t *testing.T, from, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second)) // a hang guard, not a timing check
	return c, bufio.NewReader(c)
}

// expectClosed reads until the server closes the connection.
func expectClosed(t *testing.T, br *bufio.Reader, what string) {
	t.Helper()
	if b, err := io.ReadAll(br); err != nil || len(b) != 0 {
		t.Errorf("%s: connection left open (read %q, %v)", what, b, err)
	}
}

// TestServerUnauthorizedCloses: a 401 closes the keep-alive connection.
func TestServerUnauthorizedCloses(t *testing.T) {
	c, br := rawConn(t, serveTCP(t, NewServer(&Auth{}, Limits{}, nil)))
	body := `{"method":"echo","params":["x"]}`
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic eDp5\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !resp.Close {
		t.Errorf("status %d, close %v; want 401 and Connection: close", resp.StatusCode, resp.Close)
	}
	expectClosed(t, br, "after a 401")
}

// TestServerSlowUnauthenticatedBody: the server answers 401 from the
// headers and hangs up without waiting for the rest of the body.
func TestServerSlowUnauthenticatedBody(t *testing.T) {
	c, br := rawConn(t, serveTCP(t, NewServer(&Auth{}, Limits{}, nil)))
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{\"method\":")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer before the body ends: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", resp.StatusCode)
	}
	expectClosed(t, br, "unauthenticated body")
}

// echoServer is a server whose users are allowAll, with an echo method.
func echoServer(t *testing.T, auth Authenticator, l Limits, log *slog.Logger) (*Server, string) {
	t.Helper()
	s := NewServer(auth, l, log)
	s.Register(Method{Name: "echo", Handler: func(_ context.Context, p json.RawMessage) (any, error) {
		var v any
		err := ParseParams(p, []string{"value"}, 1, &v)
		return v, err
	}})
	return s, serveTCP(t, s)
}

// roundTrip sends a request on c and reads the answer.
func roundTrip(t *testing.T, c net.Conn, br *bufio.Reader, req string) (*http.Response, string) {
	t.Helper()
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	return readResponse(t, br)
}

func readResponse(t *testing.T, br *bufio.Reader) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, strings.TrimSpace(string(b))
}

// padded is a call of echo padded with spaces to n bytes.
func padded(n int) string {
	call := `{"method":"echo","params":["a"]}`
	return call + strings.Repeat(" ", n-len(call))
}

// TestServerInFlightBudget: request bodies held at once stay within
// MaxInFlight; a request beyond it is refused with 503, and the bytes come
// back when replies are written.
func TestServerInFlightBudget(t *testing.T) {
	s, addr := echoServer(t, allowAll{}, Limits{MaxBodyBytes: 1000, MaxInFlight: 2000}, nil)
	expect := "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n"
	// Two bodies of 1000 bytes announced: the server reserves them before
	// it asks for them (100 Continue).
	var held [2]net.Conn
	var heldR [2]*bufio.Reader
	for i := range held {
		held[i], heldR[i] = rawConn(t, addr)
		resp, _ := roundTrip(t, held[i], heldR[i], expect)
		if resp.StatusCode != http.StatusContinue {
			t.Fatalf("body %d: status %d, want 100", i, resp.StatusCode)
		}
	}
	if got := s.Stats().InFlightBytes; got != 2000 {
		t.Errorf("in flight %d bytes, want 2000", got)
	}
	// A third, declared or chunked, finds the budget spent.
	for _, req := range []string{expect,
		"POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n" + padded(32) + "\r\n0\r\n\r\n"} {
		c, br := rawConn(t, addr)
		resp, body := roundTrip(t, c, br, req)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !resp.Close {
			t.Errorf("beyond the budget: %d %q, Retry-After %q, close %v; want 503, a Retry-After and Connection: close",
				resp.StatusCode, body, resp.Header.Get("Retry-After"), resp.Close)
		}
		expectClosed(t, br, "refused for the budget")
	}
	// The held bodies complete; their bytes come back.
	for i := range held {
		if _, err := io.WriteString(held[i], padded(1000)); err != nil {
			t.Fatal(err)
		}
		if resp, body := readResponse(t, heldR[i]); resp.StatusCode != 200 || body != `{"result":"a","error":null,"id":null}` {
			t.Errorf("held body %d: %d %s", i, resp.StatusCode, body)
		}
	}
	if got := s.Stats().InFlightBytes; got != 0 {
		t.Errorf("in flight %d bytes after the replies, want 0", got)
	}
	c, br := rawConn(t, addr)
	if resp, _ := roundTrip(t, c, br, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n"+padded(1000)); resp.StatusCode != 200 {
		t.Errorf("after the budget came back: %d", resp.StatusCode)
	}
}

// TestServerConnLimits: connections beyond MaxConns, or beyond
// MaxConnsPerIP from one source, are answered 503 and closed; another
// source still gets in.
func TestServerConnLimits(t *testing.T) {
	call := "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 32\r\n\r\n" + padded(32)
	open := func(t *testing.T, from, addr string) {
		c, br := rawConnFrom(t, from, addr)
		if resp, _ := roundTrip(t, c, br, call); resp.StatusCode != 200 {
			t.Fatalf("connection from %s: %d", from, resp.StatusCode)
		}
	}
	refused := func(t *testing.T, from, addr, what string) {
		c, br := rawConnFrom(t, from, addr)
		resp, body := roundTrip(t, c, br, call)
		if resp.StatusCode != http.StatusServiceUnavailable || body != "too many connections" {
			t.Errorf("%s: %d %q, want 503 too many connections", what, resp.StatusCode, body)
		}
		expectClosed(t, br, what)
	}
	t.Run("total", func(t *testing.T) {
		s, addr := echoServer(t, allowAll{}, Limits{MaxConns: 2, MaxConnsPerIP: -1}, nil)
		open(t, "127.0.0.1", addr)
		open(t, "127.0.0.2", addr)
		if n := s.Stats().Conns; n != 2 {
			t.Errorf("%d connections open, want 2", n)
		}
		refused(t, "127.0.0.3", addr, "third connection")
	})
	t.Run("per source", func(t *testing.T) {
		_, addr := echoServer(t, allowAll{}, Limits{MaxConns: 10, MaxConnsPerIP: 1}, nil)
		open(t, "127.0.0.1", addr)
		refused(t, "127.0.0.1", addr, "second connection of a source")
		open(t, "127.0.0.2", addr)
	})
}

// fakeClock is the backoff's clock, moved by the test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// countingAuth counts password checks.
type countingAuth struct {
	Authenticator
	n atomic.Int32
}

func (a *countingAuth) Authenticate(user, pass string) (*Access, bool) {
	a.n.Add(1)
	return a.Authenticator.Authenticate(user, pass)
}

// lockedBuffer is a log sink written by the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServerAuthBackoff: a source that keeps failing must wait, doubling
// up to the cap, answered 429 without a password check; another source is
// not affected; the right password works again once the wait is over; the
// warnings are themselves rate-limited; a quiet source is forgotten.
func TestServerAuthBackoff(t *testing.T) {
	alice, _ := NewUser("alice", "wonder")
	auth := &countingAuth{Authenticator: &Auth{Users: []User{alice}}}
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	var logs lockedBuffer
	_, addr := echoServer(t, auth, Limits{AuthFailures: 3, AuthBackoff: time.Second, AuthBackoffMax: 4 * time.Second,
		AuthForget: 30 * time.Minute, Now: clock.Now}, slog.New(slog.NewTextHandler(&logs, nil)))
	login := func(from, pass string) (int, string) {
		c, br := rawConnFrom(t, from, addr)
		body := `{"method":"echo","params":["a"]}`
		resp, _ := roundTrip(t, c, br, fmt.Sprintf("POST / HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic %s\r\nContent-Length: %d\r\n\r\n%s",
			basic("alice", pass), len(body), body))
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	const attacker, other = "127.0.0.2", "127.0.0.3"
	steps := []struct {
		name       string
		advance    time.Duration
		from, pass string
		status     int
		retry      string
		checked    bool // the password was checked
	}{
		{"guess 1", 0, attacker, "a", 401, "", true},
		{"guess 2", 0, attacker, "b", 401, "", true},
		{"guess 3 starts the wait", 0, attacker, "c", 401, "", true},
		{"right password while waiting", 0, attacker, "wonder", 429, "1", false},
		{"another source", 0, other, "wonder", 200, "", true},
		{"another source's failure", 0, other, "x", 401, "", true},
		{"after the wait", time.Second, attacker, "wonder", 200, "", true},
		{"guess 4 doubles the wait", 0, attacker, "d", 401, "", true},
		{"waiting 2 s", 0, attacker, "e", 429, "2", false},
		{"guess 5", 2 * time.Second, attacker, "f", 401, "", true},
		{"still waiting", 3 * time.Second, attacker, "g", 429, "1", false},
		{"guess 6", time.Second, attacker, "h", 401, "", true},
		{"capped at 4 s", 0, attacker, "i", 429, "4", false},
		{"guess 7 after the warning interval", 2 * time.Minute, attacker, "j", 401, "", true},
		{"forgotten after a quiet half hour", 31 * time.Minute, attacker, "k", 401, "", true},
		{"a fresh budget", 0, attacker, "wonder", 200, "", true},
	}
	for _, st := range steps {
		clock.add(st.advance)
		before := auth.n.Load()
		status, retry := login(st.from, st.pass)
		if status != st.status || retry != st.retry {
			t.Errorf("%s: status %d, Retry-After %q; want %d, %q", st.name, status, retry, st.status, st.retry)
		}
		if checked := auth.n.Load() != before; checked != st.checked {
			t.Errorf("%s: password checked %v, want %v", st.name, checked, st.checked)
		}
	}
	warns := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(warns) != 2 || !strings.Contains(warns[0], "source=127.0.0.2 failures=3") ||
		!strings.Contains(warns[1], "failures=7") || !strings.Contains(warns[1], "held_back=3") {
		t.Errorf("warnings:\n%s\nwant two: at failure 3, then at 7 with 3 held back", logs.String())
	}
}

func basic(user, pass string) string {
	req, _ := http.NewRequest(http.MethodPost, "http://x", nil)
	req.SetBasicAuth(user, pass)
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Basic ")
}

// TestServerAuthSourcesBounded: the failure table holds at most
// AuthSources sources.
func TestServerAuthSourcesBounded(t *testing.T) {
	s, addr := echoServer(t, &Auth{}, Limits{AuthSources: 2}, nil)
	for _, from := range []string{"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"} {
		c, br := rawConnFrom(t, from, addr)
		if resp, _ := roundTrip(t, c, br, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}"); resp.StatusCode != 401 {
			t.Fatalf("%s: %d", from, resp.StatusCode)
		}
		if n := s.Stats().AuthSources; n > 2 {
			t.Fatalf("after %s: %d sources tracked, bound 2", from, n)
		}
	}
}

// TestAuthLimiterConcurrentChecks: a source with failures on record gets
// only as many checks at once as it has failures left, then one at a
// time, so parallel connections do not multiply its guesses.
func TestAuthLimiterConcurrentChecks(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := newAuthLimiter(Limits{AuthFailures: 3, Now: clock.Now}.withDefaults(), slog.New(slog.DiscardHandler))
	first, _, ok := l.begin("a")
	if !ok || first.counted {
		t.Fatalf("a source without failures: ok %v, counted %v", ok, first.counted)
	}
	l.end(first, false) // 1 failure: 2 left
	t1, _, ok1 := l.begin("a")
	t2, _, ok2 := l.begin("a")
	_, _, ok3 := l.begin("a")
	if !ok1 || !ok2 || ok3 {
		t.Fatalf("with 2 failures left: admitted %v %v %v, want two", ok1, ok2, ok3)
	}
	l.end(t1, false)
	l.end(t2, true)
	// 2 failures on record, 1 left: one check at a time.
	t4, _, ok4 := l.begin("a")
	if _, _, ok5 := l.begin("a"); !ok4 || ok5 {
		t.Fatalf("with 1 failure left: admitted %v %v, want one", ok4, ok5)
	}
	l.end(t4, false) // the third: the wait starts
	if _, wait, ok := l.begin("a"); ok || wait != time.Second {
		t.Fatalf("after the third failure: ok %v, wait %v", ok, wait)
	}
	if _, _, ok := l.begin("b"); !ok {
		t.Fatal("another source refused")
	}
}

// TestServerCallOutlivesTimeouts: a call that runs longer than the read
// and write timeouts (a long poll) still answers, for a declared and a
// chunked body: the write timeout runs from the end of the call, the read
// timeout ends with the body.
func TestServerCallOutlivesTimeouts(t *testing.T) {
	const short = 20 * time.Millisecond
	s := NewServer(allowAll{}, Limits{ReadTimeout: short, WriteTimeout: short, ReadHeaderTimeout: short}, nil)
	s.Register(Method{Name: "wait", Handler: func(ctx context.Context, _ json.RawMessage) (any, error) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(10 * short): // outlasts both timeouts by design
			return "waited", nil
		}
	}})
	addr := serveTCP(t, s)
	var out string
	if err := NewClient("http://"+addr, "", "").Call(context.Background(), "wait", &out); err != nil || out != "waited" {
		t.Fatalf("long call: %q %v", out, err)
	}
}

// TestServerShutdownBeforeServe: a Shutdown that comes before Serve (a
// node closing while its server goroutine has not started yet) still
// stops it: Serve closes the listener and returns at once.
func TestServerShutdownBeforeServe(t *testing.T) {
	s := NewServer(allowAll{}, Limits{}, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Serve after Shutdown: %v", err)
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Fatal("listener still open")
	}
}

// TestServerAuthBackoffCookie: while a source backs off after failed
// passwords, a request with the valid cookie (a 256-bit secret) still
// gets in; a password, right or wrong, and a stale cookie are still
// refused with 429 without a check.
func TestServerAuthBackoffCookie(t *testing.T) {
	dir := t.TempDir()
	cookie, err := NewCookie(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := ReadCookie(dir)
	if err != nil {
		t.Fatal(err)
	}
	alice, _ := NewUser("alice", "wonder")
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	_, addr := echoServer(t, &Auth{Cookie: cookie, Users: []User{alice}},
		Limits{AuthFailures: 2, AuthBackoff: time.Minute, Now: clock.Now}, nil)
	login := func(user, pass string) int {
		c, br := rawConn(t, addr)
		body := `{"method":"echo","params":["a"]}`
		resp, _ := roundTrip(t, c, br, fmt.Sprintf("POST / HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic %s\r\nContent-Length: %d\r\n\r\n%s",
			basic(user, pass), len(body), body))
		return resp.StatusCode
	}
	steps := []struct {
		name, user, pass string
		status           int
	}{
		{"a stale cookie fails", CookieUser, strings.Repeat("0", 64), 401},
		{"a wrong password starts the wait", "alice", "guess", 401},
		{"the valid cookie while waiting", CookieUser, secret, 200},
		{"the right password while waiting", "alice", "wonder", 429},
		{"a wrong password while waiting", "alice", "guess", 429},
		{"a stale cookie while waiting", CookieUser, strings.Repeat("0", 64), 429},
		{"the valid cookie again", CookieUser, secret, 200},
	}
	for _, st := range steps {
		if status := login(st.user, st.pass); status != st.status {
			t.Errorf("%s: status %d, want %d", st.name, status, st.status)
		}
	}
}

// TestServerBatchReplyBudget: a batch's replies count against the
// in-flight byte budget as they are made; once it is spent the calls left
// are not run and each is answered -7 with its id, a call that ran keeps
// its reply, and the bytes come back once the reply is written.
func TestServerBatchReplyBudget(t *testing.T) {
	var runs atomic.Int32
	s := NewServer(allowAll{}, Limits{MaxBodyBytes: 1000, MaxInFlight: 2000}, nil)
	s.Register(Method{Name: "big", Handler: func(context.Context, json.RawMessage) (any, error) {
		runs.Add(1)
		return strings.Repeat("x", 600), nil
	}})
	addr := serveTCP(t, s)
	var calls []string
	for i := range 10 {
		calls = append(calls, fmt.Sprintf(`{"id":%d,"method":"big"}`, i))
	}
	body := "[" + strings.Join(calls, ",") + "]"
	c, br := rawConn(t, addr)
	resp, reply := roundTrip(t, c, br, fmt.Sprintf("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n%s", len(body), body))
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %.300s", resp.StatusCode, reply)
	}
	var out []struct {
		Result *string
		Error  *Error
		ID     int
	}
	if err := json.Unmarshal([]byte(reply), &out); err != nil || len(out) != 10 {
		t.Fatalf("reply of %d calls (%v): %.300s", len(out), err, reply)
	}
	// The body (~230 bytes) and three replies of ~640 fill 2000 bytes.
	const ran = 3
	if n := runs.Load(); n != ran {
		t.Errorf("%d calls ran, want %d", n, ran)
	}
	for i, r := range out {
		switch {
		case r.ID != i:
			t.Errorf("reply %d has id %d", i, r.ID)
		case i < ran && (r.Result == nil || len(*r.Result) != 600 || r.Error != nil):
			t.Errorf("call %d ran: want its result, got %+v", i, r)
		case i >= ran && (r.Result != nil || r.Error == nil || r.Error.Code != CodeOutOfMemory ||
			!strings.Contains(r.Error.Message, "not run")):
			t.Errorf("call %d: want -7 not run, got %+v", i, r)
		}
	}
	if got := s.Stats().InFlightBytes; got != 0 {
		t.Errorf("in flight %d bytes after the reply, want 0", got)
	}
	// A batch within the budget is answered whole.
	small := "[" + strings.Join(calls[:2], ",") + "]"
	runs.Store(0)
	if resp, reply := roundTrip(t, c, br, fmt.Sprintf("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n%s", len(small), small)); resp.StatusCode != 200 ||
		strings.Contains(reply, "error\":{") || runs.Load() != 2 {
		t.Errorf("a batch within the budget: %d, %d runs: %.300s", resp.StatusCode, runs.Load(), reply)
	}
}

// TestLimitsValidate: a negative limit is refused where "off" makes no
// sense (a request body, a batch, the failure table) and accepted where
// it turns the limit off; NewServer refuses what Validate refuses.
func TestLimitsValidate(t *testing.T) {
	bad := []struct {
		name string
		l    Limits
		msg  string
	}{
		{"body", Limits{MaxBodyBytes: -1}, "request body"},
		{"batch", Limits{MaxBatch: -1}, "batch"},
		{"forget", Limits{AuthForget: -time.Second}, "forget"},
		{"sources", Limits{AuthSources: -1}, "sources"},
	}
	for _, b := range bad {
		err := b.l.Validate()
		if !errors.Is(err, ErrBadLimit) || !strings.Contains(err.Error(), b.msg) {
			t.Errorf("%s: %v, want ErrBadLimit naming %q", b.name, err, b.msg)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: NewServer accepted the limits", b.name)
				}
			}()
			NewServer(allowAll{}, b.l, nil)
		}()
	}
	off := Limits{Timeout: -1, ReadHeaderTimeout: -1, ReadTimeout: -1, WriteTimeout: -1, IdleTimeout: -1,
		MaxConns: -1, MaxConnsPerIP: -1, MaxInFlight: -1, AuthFailures: -1, AuthBackoff: -1, AuthBackoffMax: -1}
	for _, l := range []Limits{{}, off, {MaxBodyBytes: 1, MaxBatch: 1, AuthForget: 1, AuthSources: 1}} {
		if err := l.Validate(); err != nil {
			t.Errorf("%+v: %v", l, err)
		}
	}
}

// TestServerAuthBackoffOff: a negative AuthBackoff turns the login
// backoff off, as documented: failures never make a source wait.
func TestServerAuthBackoffOff(t *testing.T) {
	alice, _ := NewUser("alice", "wonder")
	s, addr := echoServer(t, &Auth{Users: []User{alice}}, Limits{AuthFailures: 1, AuthBackoff: -time.Second}, nil)
	for i := range 5 {
		c, br := rawConn(t, addr)
		resp, _ := roundTrip(t, c, br, fmt.Sprintf("POST / HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic %s\r\nContent-Length: 2\r\n\r\n{}", basic("alice", "guess")))
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d, want 401 (no backoff)", i+1, resp.StatusCode)
		}
	}
	if n := s.Stats().AuthSources; n != 0 {
		t.Errorf("%d sources tracked with the backoff off", n)
	}
}
