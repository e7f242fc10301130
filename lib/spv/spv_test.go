package spv

import (
	"bytes"
	mrand "math/rand/v2"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

var params = chaincfg.RegTestParams

// walletScript is the script the tests' wallet watches.
var walletScript = script.PayToWitnessPubKeyHash(bytes.Repeat([]byte{7}, 20))

// payWallet adds an output paying walletScript to the coinbase.
func payWallet(b *wire.MsgBlock) {
	b.Transactions[0].TxOut = append(b.Transactions[0].TxOut, &wire.TxOut{Value: 0, PkScript: walletScript})
}

// buildChain returns genesis and n blocks; the blocks at the heights in
// paid pay walletScript.
func buildChain(g *chaingen.Generator, prefix string, n int, paid map[int32]bool) []*wire.MsgBlock {
	var out []*wire.MsgBlock
	for i := 0; i < n; i++ {
		h := g.NextHeight()
		var m []func(*wire.MsgBlock)
		if paid[h] {
			m = append(m, payWallet)
		}
		out = append(out, g.NextBlock(prefix+itoa(int(h)), nil, m...))
	}
	return out
}

func itoa(i int) string {
	return string([]byte{byte('0' + i/100%10), byte('0' + i/10%10), byte('0' + i%10)})
}

type simEnv struct {
	t   *testing.T
	net *p2p.SimNet
}

func newSimEnv(t *testing.T) *simEnv {
	start := time.Unix(int64(params.GenesisBlock.Header.Timestamp), 0).Add(24 * time.Hour)
	return &simEnv{t: t, net: p2p.NewSimNet(start)}
}

func (e *simEnv) server(addr string, s *testServer) netip.AddrPort {
	a := netip.MustParseAddrPort(addr)
	h := p2p.NewHost(p2p.Config{Params: params, Clock: e.net.Clock(), Protocol: s, ListenPort: a.Port(),
		Services: msg.SFNodeNetwork | msg.SFNodeWitness | msg.SFNodeCompactFilters,
		Rand:     mrand.New(mrand.NewPCG(uint64(a.Port()), 1))})
	s.host = h
	e.net.Add(a, h)
	return a
}

func (e *simEnv) light(connect ...netip.AddrPort) (*Node, *p2p.Host) {
	db, err := Open(filepath.Join(e.t.TempDir(), "spv.db"), true)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	a := netip.MustParseAddrPort("10.0.0.100:2200")
	n, err := New(Config{Params: params, DB: db, Clock: e.net.Clock()})
	if err != nil {
		e.t.Fatal(err)
	}
	h := p2p.NewHost(p2p.Config{Params: params, Clock: e.net.Clock(), Dialer: e.net.Dialer(a), Protocol: n, Connect: connect,
		Rand: mrand.New(mrand.NewPCG(9, 9))})
	n.SetHost(h)
	e.net.Add(a, h)
	return n, h
}

// syncedTo runs the network until n's verified tip is hash.
func (e *simEnv) syncedTo(n *Node, hash chainhash.Hash) {
	e.t.Helper()
	ok := e.net.RunUntil(func() bool {
		v, _, _ := n.Synced()
		return v == hash
	}, 10*time.Minute)
	if !ok {
		v, vh, hh := n.Synced()
		e.t.Fatalf("not synced to %v: verified %v at %d, headers at %d", hash, v, vh, hh)
	}
}

// fetchFilters queues a filter run and runs the network until it ends.
func (e *simEnv) fetchFilters(n *Node, from, to int32) []Filter {
	e.t.Helper()
	n.mu.Lock()
	f := &filterFetch{from: from, avoid: map[*p2p.Peer]bool{}, done: make(chan struct{})}
	for h := from; h <= to; h++ {
		f.hashes = append(f.hashes, n.hc.main[h].hash)
	}
	done := f.done
	n.fetchs = append(n.fetchs, f)
	n.mu.Unlock()
	if !e.net.RunUntil(func() bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	}, 10*time.Minute) {
		e.t.Fatal("filters not fetched")
	}
	if f.err != nil {
		e.t.Fatalf("filters: %v", f.err)
	}
	var out []Filter
	for i, raw := range f.out {
		out = append(out, Filter{Height: from + int32(i), Hash: f.hashes[i], Bytes: raw})
	}
	return out
}

// TestLightNodeSyncs: headers and filter headers from two honest peers;
// the filters found by the wallet's script are exactly the paying
// blocks (no false positives at this size), and a fetched block matches.
func TestLightNodeSyncs(t *testing.T) {
	e := newSimEnv(t)
	g := chaingen.New(params)
	paid := map[int32]bool{5: true, 17: true}
	chain := append([]*wire.MsgBlock{params.GenesisBlock}, buildChain(g, "a", 30, paid)...)
	s1, s2 := newTestServer(params.GenesisBlock, nil), newTestServer(params.GenesisBlock, nil)
	s1.setChain(chain)
	s2.setChain(chain)
	a1, a2 := e.server("10.0.0.1:2200", s1), e.server("10.0.0.2:2200", s2)
	n, _ := e.light(a1, a2)
	e.syncedTo(n, chain[30].BlockHash())
	if fh, _ := n.FilterHeader(30); fh != s1.fheads[30] {
		t.Fatalf("filter header %v, want %v", fh, s1.fheads[30])
	}
	var hits []int32
	for _, f := range e.fetchFilters(n, 0, 30) {
		if f.Match([][]byte{walletScript}) {
			hits = append(hits, f.Height)
		}
	}
	if len(hits) != 2 || hits[0] != 5 || hits[1] != 17 {
		t.Fatalf("matching heights %v, want [5 17]", hits)
	}
	if len(n.Banned()) != 0 {
		t.Fatalf("banned %v", n.Banned())
	}
}

// TestLightNodeBansLyingFilterPeer: a peer whose filters (and so filter
// headers) omit the wallet's output at height 12 disagrees with the
// honest one; the light node fetches block 12, finds the omission and
// bans the liar, keeps the honest filter headers, and the wallet's
// payment is found.
func TestLightNodeBansLyingFilterPeer(t *testing.T) {
	e := newSimEnv(t)
	g := chaingen.New(params)
	chain := append([]*wire.MsgBlock{params.GenesisBlock}, buildChain(g, "a", 20, map[int32]bool{12: true})...)
	honest := newTestServer(params.GenesisBlock, nil)
	liar := newTestServer(params.GenesisBlock, func(h int32, elems [][]byte) [][]byte {
		var out [][]byte
		for _, x := range elems {
			if !bytes.Equal(x, walletScript) {
				out = append(out, x)
			}
		}
		return out
	})
	honest.setChain(chain)
	liar.setChain(chain)
	ah, al := e.server("10.0.0.1:2200", honest), e.server("10.0.0.2:2200", liar)
	n, _ := e.light(al, ah)
	e.syncedTo(n, chain[20].BlockHash())
	banned := n.Banned()
	if _, ok := banned[al]; !ok || len(banned) != 1 {
		t.Fatalf("banned %v, want only the liar %v", banned, al)
	}
	if fh, _ := n.FilterHeader(20); fh != honest.fheads[20] {
		t.Fatalf("filter header at 20 is not the honest one")
	}
	fs := e.fetchFilters(n, 12, 12)
	if !fs[0].Match([][]byte{walletScript}) {
		t.Fatal("the payment at 12 is not found")
	}
	// The liar stays out: its reconnection is refused.
	e.net.RunFor(10 * time.Second)
	for _, p := range n.Peers() {
		if p.Addr == al {
			t.Fatal("the liar is connected again")
		}
	}
}

// TestLightNodeBansWrongFilter: filter headers agree (one peer), but a
// filter served later does not hash to its header: the server is banned.
func TestLightNodeBansWrongFilter(t *testing.T) {
	e := newSimEnv(t)
	g := chaingen.New(params)
	chain := append([]*wire.MsgBlock{params.GenesisBlock}, buildChain(g, "a", 10, map[int32]bool{4: true})...)
	s := newTestServer(params.GenesisBlock, nil)
	s.setChain(chain)
	a := e.server("10.0.0.1:2200", s)
	n, _ := e.light(a)
	e.syncedTo(n, chain[10].BlockHash())
	s.mu.Lock()
	s.filters[4] = []byte{0} // an empty filter: hides the payment
	s.mu.Unlock()
	n.mu.Lock()
	f := &filterFetch{from: 4, hashes: []chainhash.Hash{chain[4].BlockHash()}, avoid: map[*p2p.Peer]bool{}, done: make(chan struct{})}
	n.fetchs = append(n.fetchs, f)
	n.mu.Unlock()
	e.net.RunFor(5 * time.Second)
	if _, ok := n.Banned()[a]; !ok {
		t.Fatalf("the server of a wrong filter is not banned: %v", n.Banned())
	}
}

// TestLightNodeFollowsReorg: a heavier branch from height 4 replaces the
// best chain; the filter headers above the fork are dropped and
// verified again on the new branch.
func TestLightNodeFollowsReorg(t *testing.T) {
	e := newSimEnv(t)
	g := chaingen.New(params)
	chain := append([]*wire.MsgBlock{params.GenesisBlock}, buildChain(g, "a", 8, nil)...)
	s := newTestServer(params.GenesisBlock, nil)
	s.setChain(chain)
	a := e.server("10.0.0.1:2200", s)
	n, _ := e.light(a)
	e.syncedTo(n, chain[8].BlockHash())
	g.SetTip("a004")
	branch := append(append([]*wire.MsgBlock(nil), chain[:5]...), buildChain(g, "b", 6, map[int32]bool{6: true})...)
	s.setChain(branch)
	s.announce()
	e.syncedTo(n, branch[10].BlockHash())
	if _, h := n.Tip(); h != 10 {
		t.Fatalf("tip height %d, want 10", h)
	}
	if fh, _ := n.FilterHeader(6); fh != s.fheads[6] {
		t.Fatal("filter header at 6 is not the new branch's")
	}
	if _, hash, _ := n.Header(6); hash != branch[6].BlockHash() {
		t.Fatal("height 6 is not on the new branch")
	}
}

// TestLightNodeRefusesBadHeader: a header that breaks the header rules
// (a timestamp before the median time past) costs the peer its connection and is not stored.
func TestLightNodeRefusesBadHeader(t *testing.T) {
	e := newSimEnv(t)
	g := chaingen.New(params)
	good := buildChain(g, "a", 3, nil)
	bad := g.NextBlock("bad", nil, func(b *wire.MsgBlock) { b.Header.Timestamp = params.GenesisBlock.Header.Timestamp })
	s := newTestServer(params.GenesisBlock, nil)
	s.setChain(append([]*wire.MsgBlock{params.GenesisBlock}, append(good, bad)...))
	a := e.server("10.0.0.1:2200", s)
	n, h := e.light(a)
	e.net.RunFor(5 * time.Second)
	if _, tip := n.Tip(); tip != 3 {
		t.Fatalf("tip %d, want 3 (the bad header refused)", tip)
	}
	for _, p := range h.Peers() {
		if p.Score() < p2p.BanScore && p.Addr == a && p.Ready() {
			t.Fatalf("peer that sent a bad header still connected with score %d", p.Score())
		}
	}
}

// TestLightNodeLaggingPeer: a filter peer that lacks the newest blocks
// is not asked for their filter headers (it would not answer, and the
// batch would wait RequestTimeout for it): the batch goes to the peer
// that has them after FilterPeerGrace.
func TestLightNodeLaggingPeer(t *testing.T) {
	e := newSimEnv(t)
	g := chaingen.New(params)
	chain := append([]*wire.MsgBlock{params.GenesisBlock}, buildChain(g, "a", 10, nil)...)
	ahead, behind := newTestServer(params.GenesisBlock, nil), newTestServer(params.GenesisBlock, nil)
	ahead.setChain(chain)
	behind.setChain(chain[:9])
	n, _ := e.light(e.server("10.0.0.1:2200", ahead), e.server("10.0.0.2:2200", behind))
	if !e.net.RunUntil(func() bool { _, h, _ := n.Synced(); return h == 10 }, RequestTimeout/2) {
		_, h, _ := n.Synced()
		t.Fatalf("verified tip %d after %v, want 10", h, RequestTimeout/2)
	}
	if len(n.Banned()) != 0 {
		t.Fatalf("banned %v", n.Banned())
	}
}
