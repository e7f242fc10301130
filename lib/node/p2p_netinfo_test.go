package node

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/rpc"
)

// TestP2PNetworkInfo: getnetworkinfo's subversion is the user agent the
// node sends peers, and getconnectioncount and getnetworkinfo count the
// same connections getpeerinfo lists.
func TestP2PNetworkInfo(t *testing.T) {
	dir := t.TempDir()
	a := startP2PNode(t, dir, func(c *Config) { c.Version = "1.2.3-test" })
	b := startP2PNode(t, t.TempDir(), func(c *Config) { c.P2P.Listen = nil }) // not dialled back: one connection
	if err := (netBackend{b.net}).AddNode(a.P2PAddrs()[0], "onetry"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the connection", 10*time.Second, func() bool { return len((netBackend{a.net}).Peers()) == 1 })
	c, err := rpc.Discover("", dir)
	if err != nil {
		t.Fatal(err)
	}
	var ni rpc.NetworkInfo
	if err := c.Call(t.Context(), "getnetworkinfo", &ni); err != nil {
		t.Fatal(err)
	}
	if want := "/gg-node:1.2.3-test/"; ni.Version != want {
		t.Errorf("subversion %q, want %q", ni.Version, want)
	}
	if ni.Connections != 1 || ni.ConnectionsIn != 1 || ni.ConnectionsOut != 0 {
		t.Errorf("connections %d (in %d, out %d), want 1 inbound", ni.Connections, ni.ConnectionsIn, ni.ConnectionsOut)
	}
	var count json.RawMessage
	if err := c.Call(t.Context(), "getconnectioncount", &count); err != nil {
		t.Fatal(err)
	}
	if string(count) != "1" {
		t.Errorf("getconnectioncount %s, want 1", count)
	}
	// The subversion b's peer entry shows for a is the same string.
	var peers []rpc.PeerInfo
	cb, err := rpc.Discover("", b.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := cb.Call(t.Context(), "getpeerinfo", &peers); err != nil {
		t.Fatal(err)
	}
	if len(peers) != 1 || peers[0].SubVer != ni.Version {
		t.Errorf("b sees %+v, want one peer with subver %q", peers, ni.Version)
	}
}
