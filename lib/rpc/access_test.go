package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestAccessAllows(t *testing.T) {
	a := NewAccess("t", []string{"prop.*", "getblockcount", RESTPerm})
	for name, want := range map[string]bool{
		"prop.query": true, "prop.send": true, "getblockcount": true, RESTPerm: true,
		"prop": false, "props.x": false, "wallet.send": false, "getblock": false, EventsPerm: false,
	} {
		if got := a.Allows(name); got != want {
			t.Errorf("Allows(%q) = %v, want %v", name, got, want)
		}
	}
	if !NewAccess("all", nil).Allows("wallet.send") || !NewAccess("star", []string{"x", "*"}).Full() {
		t.Error("no grants or * should allow everything")
	}
	var nilAccess *Access
	if nilAccess.Allows("getblockcount") {
		t.Error("a nil Access allowed a method")
	}
	var live atomic.Bool
	live.Store(true)
	r := FullAccess("tok").WithLive(live.Load)
	if !r.Allows("getblockcount") || r.Revoked() {
		t.Fatal("a live token refused")
	}
	live.Store(false)
	if r.Allows("getblockcount") || !r.Revoked() || r.Full() {
		t.Fatal("a revoked token still allowed")
	}
}

// TestRoutes: a route answers only its methods, needs a login unless
// public, and checks its permission; other paths stay JSON-RPC.
func TestRoutes(t *testing.T) {
	auth := &Auth{Users: []User{mustUser(t, "reader", "pw", RESTPerm), mustUser(t, "caller", "pw", "getblockcount")}}
	s := NewServer(auth, Limits{}, nil)
	s.Handle(Route{Prefix: "/rest/", Perm: RESTPerm, Handler: func(w http.ResponseWriter, r *http.Request, a *Access) {
		io.WriteString(w, "rest "+a.Name+" "+r.URL.Path)
	}})
	s.Handle(Route{Prefix: "/metrics", Public: true, Handler: func(w http.ResponseWriter, r *http.Request, a *Access) {
		io.WriteString(w, "metrics")
	}})
	ts := httptest.NewServer(s)
	defer ts.Close()
	get := func(method, path, user string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		if user != "" {
			req.SetBasicAuth(user, "pw")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("GET", "/rest/chaininfo.json", "reader"); code != 200 || body != "rest reader /rest/chaininfo.json" {
		t.Errorf("reader: %d %q", code, body)
	}
	if code, body := get("GET", "/rest/chaininfo.json", "caller"); code != 403 || !strings.Contains(body, `"error"`) {
		t.Errorf("caller without rest: %d %q", code, body)
	}
	if code, _ := get("GET", "/rest/chaininfo.json", ""); code != 401 {
		t.Errorf("no login: %d", code)
	}
	if code, _ := get("POST", "/rest/chaininfo.json", "reader"); code != 405 {
		t.Errorf("POST on a GET route: %d", code)
	}
	if code, body := get("GET", "/metrics", ""); code != 200 || body != "metrics" {
		t.Errorf("public route: %d %q", code, body)
	}
	if code, _ := get("GET", "/metricsx", "reader"); code != 405 {
		t.Errorf("a path beside a route is JSON-RPC's (GET refused): %d", code)
	}
}

func mustUser(t *testing.T, name, pw string, methods ...string) User {
	t.Helper()
	u, err := NewUser(name, pw, methods...)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestServePublic: the public listener serves the routes its access
// allows without a login, 403 on the others, 404 on JSON-RPC; Shutdown
// stops it.
func TestServePublic(t *testing.T) {
	s := NewServer(&Auth{Users: []User{mustUser(t, "op", "pw")}}, Limits{}, nil)
	s.Handle(Route{Prefix: "/rest/", Perm: RESTPerm, Handler: func(w http.ResponseWriter, r *http.Request, a *Access) {
		io.WriteString(w, "rest as "+a.Name)
	}})
	s.Handle(Route{Prefix: "/metrics", Perm: MetricsPerm, Handler: func(w http.ResponseWriter, r *http.Request, a *Access) {
		io.WriteString(w, "metrics")
	}})
	s.Register(Method{Name: "secret", Handler: func(context.Context, json.RawMessage) (any, error) { return "x", nil }})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.ServePublic(ln, PublicAccess()) }()
	base := "http://" + ln.Addr().String()
	do := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := do("GET", "/rest/chaininfo.json", ""); code != 200 || body != "rest as public" {
		t.Errorf("public REST: %d %q", code, body)
	}
	if code, _ := do("GET", "/metrics", ""); code != 403 {
		t.Errorf("metrics on the public listener: %d, want 403", code)
	}
	if code, body := do("POST", "/", `{"method":"secret","id":1}`); code != 404 || strings.Contains(body, `"x"`) {
		t.Errorf("JSON-RPC on the public listener: %d %q", code, body)
	}
	if code, _ := do("POST", "/rest/chaininfo.json", ""); code != 405 {
		t.Errorf("POST to a REST route: %d, want 405", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("ServePublic after Shutdown: %v", err)
	}
}
