package rpc

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
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
