package wallethost

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
)

// TestParseFollow: the three names (and "" for auto) round-trip; any
// other is refused.
func TestParseFollow(t *testing.T) {
	for _, name := range []string{"auto", "events", "poll"} {
		f, err := ParseFollow(name)
		if err != nil || f.String() != name {
			t.Errorf("ParseFollow(%q) = %v, %v", name, f, err)
		}
	}
	if f, err := ParseFollow(""); err != nil || f != FollowAuto {
		t.Errorf("ParseFollow(\"\") = %v, %v; want auto", f, err)
	}
	for _, bad := range []string{"Auto", "websocket", "poll "} {
		if _, err := ParseFollow(bad); err == nil {
			t.Errorf("ParseFollow(%q) accepted", bad)
		}
	}
}

// TestServeWalletRefuses: the wallet service does not start without a
// node answering JSON-RPC, nor on a node of another network.
func TestServeWalletRefuses(t *testing.T) {
	ctx := context.Background()
	// Nothing listens on a port just closed.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://u:p@" + ln.Addr().String()
	ln.Close()
	if s, err := ServeWallet(ctx, WalletServerConfig{Params: chaincfg.RegTestParams, Dir: t.TempDir(), NodeURL: dead}); err == nil {
		s.Close()
		t.Fatal("served without a node")
	}
	// A node of another network.
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"jsonrpc":"2.0","id":1,"result":{"chain":"main","blocks":0}}`))
	})}
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	_, err = ServeWallet(ctx, WalletServerConfig{Params: chaincfg.RegTestParams, Dir: t.TempDir(), NodeURL: "http://u:p@" + ln.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), "is on main, not regtest") {
		t.Fatalf("node of another network: %v", err)
	}
}
