package node

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/p2p"
)

// startStoppable is startP2PNode for a node the test closes itself
// (Close is not to be called twice).
func startStoppable(t *testing.T, dir string, mod func(*Config)) (*Node, func()) {
	t.Helper()
	var n *Node
	closed := false
	n = startP2PNodeNoCleanup(t, dir, mod)
	stop := func() {
		if !closed {
			closed = true
			n.Close()
		}
	}
	t.Cleanup(stop)
	return n, stop
}

func startP2PNodeNoCleanup(t *testing.T, dir string, mod func(*Config)) *Node {
	t.Helper()
	cfg := Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoWallet: true, NoSync: true,
		P2P: P2PConfig{Listen: nil, BookSaveInterval: 100 * time.Millisecond}}
	mod(&cfg)
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func outboundPeers(n *Node) []string {
	var out []string
	n.net.tcp.Do(func() {
		for _, p := range n.net.host.Peers() {
			if !p.Inbound && p.Ready() {
				out = append(out, p.Addr.String())
			}
		}
	})
	return out
}

// TestP2PAnchors: over real TCP and files, a node that stops saves its
// outbound peer to anchors.json and, started again with an empty
// address book, dials it first (the file is consumed). With
// P2PConfig.NoAnchors (--anchors=false) the file is neither read nor
// written.
func TestP2PAnchors(t *testing.T) {
	a := startP2PNode(t, t.TempDir())
	aAddr := a.P2PAddrs()[0]
	dir := t.TempDir()
	path := filepath.Join(dir, p2p.AnchorsFile)
	b, stopB := startStoppable(t, dir, func(c *Config) { c.P2P.SeedNodes = []string{aAddr} })
	waitUntil(t, "b's outbound connection to a", 10*time.Second, func() bool { return len(outboundPeers(b)) == 1 })
	stopB()
	list := p2p.LoadAnchors(path, nil) // reads and deletes
	if len(list) != 1 || list[0] != netip.MustParseAddrPort(aAddr) {
		t.Fatalf("anchors after a clean shutdown: %v, want [%s]", list, aAddr)
	}
	if err := p2p.SaveAnchors(path, list); err != nil {
		t.Fatal(err)
	}
	// Started again without the book or a seed: only the anchor leads to a.
	os.Remove(filepath.Join(dir, p2p.AddrFile))
	b2, stopB2 := startStoppable(t, dir, func(c *Config) {})
	waitUntil(t, "b's reconnection to its anchor", 10*time.Second, func() bool {
		ps := outboundPeers(b2)
		return len(ps) == 1 && ps[0] == aAddr
	})
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("anchors.json still there after the start: %v", err)
	}
	stopB2()
	// --anchors=false: a file left there is not read, none is written.
	if err := p2p.SaveAnchors(path, list); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	os.Remove(filepath.Join(dir, p2p.AddrFile))
	b3, stopB3 := startStoppable(t, dir, func(c *Config) { c.P2P.NoAnchors = true; c.P2P.SeedNodes = []string{aAddr} })
	waitUntil(t, "b's connection to its seed", 10*time.Second, func() bool { return len(outboundPeers(b3)) == 1 })
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("--anchors=false consumed anchors.json: %v", err)
	}
	os.Remove(path)
	stopB3()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		after, _ := os.ReadFile(path)
		t.Fatalf("--anchors=false wrote anchors.json (%q; before %q)", after, before)
	}
}
