package rpc

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// serveTest serves s on a loopback listener (Serve, or ServePublic with
// public) and returns its base URL.
func serveTest(t *testing.T, s *Server, public bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		if public {
			s.ServePublic(ln, PublicAccess())
		} else {
			s.Serve(ln)
		}
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String()
}

// send sends method to url with a body and headers (name, value pairs;
// "Host" sets the Host header) and returns the status, headers and body.
func send(t *testing.T, method, url, body string, hdr ...string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("op", "pw")
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// countingServer is a server with user op:pw and a method "poke" that
// counts its calls.
func countingServer(t *testing.T, limits Limits) (*Server, *atomic.Int32) {
	var calls atomic.Int32
	s := NewServer(&Auth{Users: []User{mustUser(t, "op", "pw")}}, limits, nil)
	s.Register(Method{Name: "poke", Handler: func(context.Context, json.RawMessage) (any, error) {
		calls.Add(1)
		return "poked", nil
	}})
	s.Handle(Route{Prefix: "/rest/", Perm: RESTPerm, Handler: func(w http.ResponseWriter, r *http.Request, a *Access) {
		io.WriteString(w, "rest")
	}})
	return s, &calls
}

// TestCrossOriginPOSTRefused: a JSON-RPC POST a browser marks as coming
// from another origin is refused before it runs, whatever its login; a
// same-origin one and one from a client that is not a browser run; no
// reply carries a CORS header, a preflight included.
func TestCrossOriginPOSTRefused(t *testing.T) {
	s, calls := countingServer(t, Limits{})
	base := serveTest(t, s, false)
	call := `{"method":"poke","id":1}`
	for _, hdr := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Origin", "http://evil.example"},
		{"Origin", "http://evil.example", "Content-Type", "text/plain"},
	} {
		code, h, body := send(t, "POST", base+"/", call, hdr...)
		if code != http.StatusForbidden || strings.Contains(body, "poked") {
			t.Errorf("POST with %v: %d %q, want 403", hdr, code, body)
		}
		if h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("POST with %v: CORS header %q", hdr, h.Get("Access-Control-Allow-Origin"))
		}
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("cross-origin calls ran %d times", n)
	}
	for _, hdr := range [][]string{nil, {"Sec-Fetch-Site", "same-origin"}, {"Origin", base}, {"Sec-Fetch-Site", "none"}} {
		if code, _, body := send(t, "POST", base+"/", call, hdr...); code != 200 || !strings.Contains(body, "poked") {
			t.Errorf("POST with %v: %d %q, want the call run", hdr, code, body)
		}
	}
	code, h, _ := send(t, "OPTIONS", base+"/", "", "Origin", "http://evil.example", "Access-Control-Request-Method", "POST")
	if code < 400 || h.Get("Access-Control-Allow-Origin") != "" || h.Get("Access-Control-Allow-Methods") != "" {
		t.Errorf("preflight: %d %v", code, h)
	}
	// A cross-origin GET of a read route is the browser's to refuse
	// reading (no CORS header); the server answers it.
	if code, h, _ := send(t, "GET", base+"/rest/x.json", "", "Sec-Fetch-Site", "cross-site"); code != 200 || h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("cross-site GET: %d %v", code, h)
	}
}

// TestForeignHostRefused: the RPC listener refuses a Host it does not
// know (DNS rebinding), before the login; IP literals, localhost and the
// configured names pass.
func TestForeignHostRefused(t *testing.T) {
	s, calls := countingServer(t, Limits{AllowedHosts: []string{"node.example", ".lan"}})
	base := serveTest(t, s, false)
	port := base[strings.LastIndexByte(base, ':'):]
	call := `{"method":"poke","id":1}`
	for _, host := range []string{"evil.example" + port, "evil.example", "node.example.evil" + port, "lan" + port, "localhost.evil" + port} {
		for _, m := range []string{"POST", "GET"} {
			code, _, body := send(t, m, base+"/", call, "Host", host)
			if code != http.StatusForbidden || !strings.Contains(body, "not allowed") {
				t.Errorf("%s with Host %s: %d %q, want 403", m, host, code, body)
			}
		}
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("foreign-host calls ran %d times", n)
	}
	for _, host := range []string{"127.0.0.1" + port, "localhost" + port, "LOCALHOST", "app.localhost" + port, "[::1]" + port,
		"192.168.1.20" + port, "node.example" + port, "Node.Example.", "box.lan" + port} {
		if code, _, body := send(t, "POST", base+"/", call, "Host", host); code != 200 || !strings.Contains(body, "poked") {
			t.Errorf("POST with Host %s: %d %q", host, code, body)
		}
	}
	for _, bad := range []string{"", "a/b", "*.lan", "x:80", "."} {
		if err := (Limits{AllowedHosts: []string{bad}}).Validate(); err == nil {
			t.Errorf("allowed host %q accepted", bad)
		}
	}
}

// TestPublicRateLimit: the public listener answers a source PublicBurst
// requests at once, then 429 with Retry-After until the clock refills
// its bucket.
func TestPublicRateLimit(t *testing.T) {
	var mu sync.Mutex
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, _ := countingServer(t, Limits{PublicRate: 1, PublicBurst: 3, Now: clock})
	base := serveTest(t, s, true)
	for i := range 3 {
		if code, _, _ := send(t, "GET", base+"/rest/x.json", ""); code != 200 {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	code, h, _ := send(t, "GET", base+"/rest/x.json", "")
	if code != http.StatusTooManyRequests || h.Get("Retry-After") != "1" {
		t.Fatalf("request beyond the burst: %d Retry-After %q", code, h.Get("Retry-After"))
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if code, _, _ := send(t, "GET", base+"/rest/x.json", ""); code != 200 {
		t.Fatalf("after a second: %d", code)
	}
	if code, _, _ := send(t, "GET", base+"/rest/x.json", ""); code != http.StatusTooManyRequests {
		t.Fatalf("second request after a second: %d", code)
	}
}

// TestRateLimiterBounded: the limiter tracks at most PublicSources
// sources, dropping the least recent.
func TestRateLimiterBounded(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	rl := newRateLimiter(Limits{PublicRate: 1, PublicBurst: 1, PublicSources: 2, Now: func() time.Time { return now }})
	for _, src := range []string{"a", "b"} {
		if ok, _ := rl.allow(src); !ok {
			t.Fatalf("first request of %s refused", src)
		}
		now = now.Add(time.Millisecond)
	}
	if ok, wait := rl.allow("a"); ok || wait <= 0 {
		t.Fatalf("a's second request: %v %v", ok, wait)
	}
	rl.allow("c") // evicts b, the least recent
	if n := rl.tracked(); n != 2 {
		t.Fatalf("tracked %d sources, want 2", n)
	}
	if ok, _ := rl.allow("b"); !ok {
		t.Fatal("b, forgotten, starts with a full bucket")
	}
	if ok, _ := (&rateLimiter{rate: -1}).allow("x"); !ok {
		t.Fatal("a negative rate limits nothing")
	}
}

// TestForeignHostNonLoopback: on a listener that is not loopback (remote
// clients with rpcauth name the node as they like) a foreign Host is
// refused only to a browser's request (Origin, Sec-Fetch-*), which a
// DNS-rebinding page sends.
func TestForeignHostNonLoopback(t *testing.T) {
	s, calls := countingServer(t, Limits{})
	g := hostGuard{s: s, strict: false}
	post := func(hdr ...string) int {
		r := httptest.NewRequest("POST", "http://node.lan:2002/", strings.NewReader(`{"method":"poke","id":1}`))
		r.SetBasicAuth("op", "pw")
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		return w.Code
	}
	if code := post(); code != 200 || calls.Load() != 1 {
		t.Fatalf("a remote client naming the node: %d", code)
	}
	for _, hdr := range [][]string{{"Sec-Fetch-Site", "same-origin"}, {"Origin", "http://node.lan:2002"}, {"Sec-Fetch-Mode", "cors"}} {
		if code := post(hdr...); code != http.StatusForbidden {
			t.Errorf("a browser's request with %v: %d, want 403", hdr, code)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("browser calls ran")
	}
	if !loopbackAddr(&net.TCPAddr{IP: net.IPv6loopback}) || loopbackAddr(&net.TCPAddr{IP: net.IPv4(10, 0, 0, 1)}) {
		t.Fatal("loopbackAddr")
	}
}
