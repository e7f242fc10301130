package node

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
)

// walletRoutesServer serves the wallet's routes as serveWallet(loginFree)
// adds them, on an RPC server of its own on 127.0.0.1, beside a stub
// /rest/ route and a stub sendrawtransaction, for the logins users.
func walletRoutesServer(t *testing.T, loginFree bool, users ...rpc.User) string {
	t.Helper()
	return walletRoutesServerLimits(t, loginFree, rpc.Limits{}, users...)
}

// walletRoutesServerLimits is walletRoutesServer with the server's limits.
func walletRoutesServerLimits(t *testing.T, loginFree bool, limits rpc.Limits, users ...rpc.User) string {
	t.Helper()
	var cfg Config
	cfg.Params = chaincfg.RegTestParams
	cfg.RPCLimits = limits
	n := &Node{cfg: cfg, log: slog.New(slog.DiscardHandler)}
	n.rpc = rpc.NewServer(&rpc.Auth{Users: users}, cfg.rpcLimits(), n.log)
	n.rpc.Register(rpc.Method{Name: "sendrawtransaction", Handler: func(context.Context, json.RawMessage) (any, error) {
		return "stubtxid", nil
	}})
	rest := rpc.Route{Prefix: "/rest/", Perm: rpc.RESTPerm, Handler: func(w http.ResponseWriter, r *http.Request, _ *rpc.Access) {
		io.WriteString(w, "rest "+r.URL.Path)
	}}
	n.rpc.Handle(rest)
	if err := n.serveWallet(loginFree, rest); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go n.rpc.Serve(ln)
	t.Cleanup(func() { n.rpc.Shutdown(context.Background()) })
	return "http://" + ln.Addr().String()
}

// walletRouteDo sends method path (body for a POST) as user:pw (none
// when user is empty) and returns the status.
func walletRouteDo(t *testing.T, base, method, path, user, pw string) (int, string) {
	t.Helper()
	code, _, b := walletRouteBody(t, base, method, path, user, pw, "00")
	return code, b
}

// walletRouteBody is walletRouteDo with the body, returning the header.
func walletRouteBody(t *testing.T, base, method, path, user, pw, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/plain")
	if user != "" {
		req.SetBasicAuth(user, pw)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestWalletRoutesLogin: on an RPC listener that is not loopback the
// page's REST view needs a login allowed "rest" and the broadcast one
// allowed sendrawtransaction; on a loopback one both are login-free. The
// page itself is login-free either way.
func TestWalletRoutesLogin(t *testing.T) {
	mk := func(name string, methods ...string) rpc.User {
		u, err := rpc.NewUser(name, "pw", methods...)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	users := []rpc.User{mk("norest", "getblockcount"), mk("reader", rpc.RESTPerm), mk("sender", "sendrawtransaction")}
	type call struct {
		method, path, user string
		want               int
	}
	const read = "/wallet/rest/chaininfo.json"
	for _, tc := range []struct {
		loginFree bool
		calls     []call
	}{
		{false, []call{
			{http.MethodGet, "/wallet/", "", http.StatusOK},
			{http.MethodGet, read, "", http.StatusUnauthorized},
			{http.MethodGet, read, "norest", http.StatusForbidden},
			{http.MethodGet, read, "sender", http.StatusForbidden},
			{http.MethodGet, read, "reader", http.StatusOK},
			{http.MethodPost, BroadcastPath, "", http.StatusUnauthorized},
			{http.MethodPost, BroadcastPath, "norest", http.StatusForbidden},
			{http.MethodPost, BroadcastPath, "reader", http.StatusForbidden},
			{http.MethodPost, BroadcastPath, "sender", http.StatusOK},
		}},
		{true, []call{
			{http.MethodGet, "/wallet/", "", http.StatusOK},
			{http.MethodGet, read, "", http.StatusOK},
			{http.MethodPost, BroadcastPath, "", http.StatusOK},
		}},
	} {
		base := walletRoutesServer(t, tc.loginFree, users...)
		for _, c := range tc.calls {
			if code, b := walletRouteDo(t, base, c.method, c.path, c.user, "pw"); code != c.want {
				t.Errorf("login-free %v: %s %s as %q: %d %.200s, want %d", tc.loginFree, c.method, c.path, c.user, code, b, c.want)
			}
		}
	}
}

// TestWalletBroadcastLimits: a body just above MaxBroadcastBody (the hex
// of the largest standard transaction and a line end) is 413, one at it
// is taken; a broadcast the in-flight byte budget cannot hold is 503 with
// Retry-After before its body is read.
func TestWalletBroadcastLimits(t *testing.T) {
	if MaxBroadcastBody != 2*400_000+2 {
		t.Errorf("MaxBroadcastBody %d, want the hex of 400,000 bytes and a line end", MaxBroadcastBody)
	}
	base := walletRoutesServer(t, true)
	hex := strings.Repeat("00", (MaxBroadcastBody-2)/2)
	if code, _, b := walletRouteBody(t, base, http.MethodPost, BroadcastPath, "", "", hex+"\r\n"); code != http.StatusOK {
		t.Errorf("a body of %d bytes: %d %.200s, want 200", MaxBroadcastBody, code, b)
	}
	if code, _, b := walletRouteBody(t, base, http.MethodPost, BroadcastPath, "", "", hex+"00\n"); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a body of %d bytes: %d %.200s, want 413", MaxBroadcastBody+1, code, b)
	}
	// A budget of 1 MiB cannot hold a broadcast's charge.
	small := walletRoutesServerLimits(t, true, rpc.Limits{MaxBodyBytes: 1 << 20, MaxInFlight: 1 << 20})
	code, h, b := walletRouteBody(t, small, http.MethodPost, BroadcastPath, "", "", "00")
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") != "1" || !strings.Contains(b, "busy") {
		t.Errorf("over the in-flight budget: %d Retry-After %q %.200s, want 503", code, h.Get("Retry-After"), b)
	}
}

// TestWalletBestRoute: the page's REST view and the explorer's source
// pick a route as the RPC server does: the longest matching prefix, where
// one without a trailing "/" matches its own path only.
func TestWalletBestRoute(t *testing.T) {
	mk := func(name, prefix string) rpc.Route {
		return rpc.Route{Prefix: prefix, Handler: func(w http.ResponseWriter, _ *http.Request, _ *rpc.Access) { io.WriteString(w, name) }}
	}
	routes := []rpc.Route{mk("rest", "/rest/"), mk("exact", "/rest/mempool"), mk("dir", "/rest/mempool/")}
	for _, tc := range []struct{ path, want string }{
		{"/rest/mempool", "exact"},
		{"/rest/mempool/info.json", "dir"},
		{"/rest/mempoolx.json", "rest"},
		{"/rest/chaininfo.json", "rest"},
	} {
		rec := httptest.NewRecorder()
		serveRESTAs(rec, httptest.NewRequest(http.MethodGet, "/wallet"+tc.path, nil), routes, tc.path)
		if got := rec.Body.String(); got != tc.want {
			t.Errorf("wallet view %s: served by %q, want %q", tc.path, got, tc.want)
		}
		if _, b := restSource(routes).REST(context.Background(), tc.path); string(b) != tc.want {
			t.Errorf("explorer source %s: served by %q, want %q", tc.path, b, tc.want)
		}
	}
	if _, b := restSource(routes[1:2]).REST(context.Background(), "/rest/mempoolx"); !strings.Contains(string(b), "no such route") {
		t.Errorf("a prefix without a slash matched a longer path: %s", b)
	}
}

// TestPublicListenerNotFound: the public listener's 404 names what it
// serves: the wallet too, and POST /rest/tx only with --public-broadcast.
func TestPublicListenerNotFound(t *testing.T) {
	for _, broadcast := range []bool{false, true} {
		n := startWalletNode(t, t.TempDir(), func(c *Config) { c.PublicListen = "127.0.0.1:0"; c.PublicBroadcast = broadcast })
		pub, err := os.ReadFile(filepath.Join(n.dir, PublicAddrFile))
		if err != nil {
			n.node.Close()
			t.Fatal(err)
		}
		code, b := walletRouteDo(t, "http://"+strings.TrimSpace(string(pub)), http.MethodGet, "/nosuch", "", "")
		n.node.Close()
		if code != http.StatusNotFound || !strings.Contains(b, "not served on the public listener") || !strings.Contains(b, "/wallet/") ||
			!strings.Contains(b, "/explorer/") || strings.Contains(b, "/rest/tx") != broadcast {
			t.Errorf("--public-broadcast %v: GET /nosuch: %d %s, want 404 naming /wallet/ (and /rest/tx only with broadcast)", broadcast, code, b)
		}
	}
}
