package ggwallet

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gamegold/gg/lib/cli"
	"github.com/gamegold/gg/lib/rpc"
)

// TestBalanceRequests: gg-wallet balance is one HTTP request to a real
// rpc.Server (the network check and balance.all in one batch); against
// a node of another network it prints nothing and exits 2.
func TestBalanceRequests(t *testing.T) {
	dir := t.TempDir()
	cookie, err := rpc.NewCookie(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := rpc.NewServer(&rpc.Auth{Cookie: cookie}, rpc.Limits{}, nil)
	answer := func(v any) rpc.Handler {
		return func(context.Context, json.RawMessage) (any, error) { return v, nil }
	}
	srv.Register(rpc.Method{Name: "getblockchaininfo", Help: "test", Handler: answer(map[string]any{"chain": "regtest"})},
		rpc.Method{Name: "balance.all", Help: "test", Handler: answer(map[string]any{"confirmed": 1, "unconfirmed": 0,
			"immature": 0, "locked": 0, "reserved": 0, "total": 1, "game": 0})})
	var requests atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	u, _ := url.Parse(ts.URL)
	if err := os.WriteFile(filepath.Join(dir, rpc.AddrFile), []byte(u.Host+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		network string
		code    int
		stdout  string
	}{{"regtest", cli.ExitOK, `"total": 1`}, {"testnet", cli.ExitUsage, ""}} {
		requests.Store(0)
		var out, errb bytes.Buffer
		app := NewApp(cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb})
		code := cli.Run(app, []string{"gg-wallet", "--network=" + c.network, "--datadir", dir, "--json", "balance"})
		if code != c.code || requests.Load() != 1 || !strings.Contains(out.String(), c.stdout) || c.stdout == "" && out.Len() > 0 {
			t.Errorf("%s: exit %d, %d HTTP requests, stdout %q; want %d, 1, %q (stderr %q)",
				c.network, code, requests.Load(), out.String(), c.code, c.stdout, errb.String())
		}
	}
}
