package node

import (
	"bytes"
	"context"
	"encoding/json"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/gcs"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// lyingPeer is a scripted full peer over real TCP: it serves the
// headers and blocks of a real chain, and BIP157 filters built from them
// (coinbase-only blocks: no spent scripts) except that hide drops a
// script from every filter; its filter headers follow its filters, as a
// real liar's would.
type lyingPeer struct {
	chain *chain.Chain
	hide  []byte
	mu    sync.Mutex
	fh    map[chainhash.Hash]chainhash.Hash
	// peers and announced: like a real full peer it announces each new
	// tip (BIP130 headers), so the light node knows its height at once.
	peers     map[*p2p.Peer]bool
	announced chainhash.Hash
}

func (l *lyingPeer) filter(h chainhash.Hash) ([]byte, error) {
	blk, err := l.chain.BlockByHash(h)
	if err != nil {
		return nil, err
	}
	var elems [][]byte
	for _, e := range gcs.BasicElements(blk, nil) {
		if !bytes.Equal(e, l.hide) {
			elems = append(elems, e)
		}
	}
	f, err := gcs.Build(gcs.Basic, gcs.BlockKey(h), elems)
	if err != nil {
		return nil, err
	}
	return f.Bytes(), nil
}

func (l *lyingPeer) header(height int32) chainhash.Hash {
	prev := chainhash.Hash{}
	for h := int32(0); h <= height; h++ {
		hash, _ := l.chain.BlockHashByHeight(h)
		raw, _ := l.filter(hash)
		prev = gcs.Header(chainhash.DoubleHashH(raw), prev)
	}
	return prev
}

// The Host calls PeerReady, PeerGone, Tick and Receive on its loop.
func (l *lyingPeer) PeerReady(p *p2p.Peer) {
	if l.peers == nil {
		l.peers = map[*p2p.Peer]bool{}
	}
	l.peers[p] = true
}
func (l *lyingPeer) PeerGone(p *p2p.Peer) { delete(l.peers, p) }
func (l *lyingPeer) Tick(time.Time) {
	best := l.chain.Best()
	if best.Hash == l.announced {
		return
	}
	h, _, err := l.chain.HeaderByHash(best.Hash)
	if err != nil {
		return
	}
	l.announced = best.Hash
	for p := range l.peers {
		p.Send(&msg.Headers{List: []wire.BlockHeader{h}})
	}
}
func (l *lyingPeer) Receive(p *p2p.Peer, m msg.Message) {
	switch m := m.(type) {
	case *msg.GetHeaders:
		p.Send(&msg.Headers{List: l.chain.LocateHeaders(m.Locator, m.Stop, msg.MaxHeaders)})
	case *msg.Inv:
		if m.Cmd != msg.CmdGetData {
			return
		}
		for _, v := range m.List {
			if blk, err := l.chain.BlockByHash(v.Hash); err == nil {
				p.Send(&msg.Block{Block: blk})
			}
		}
	case *msg.GetCFilters:
		_, stop, err := l.chain.HeaderByHash(m.Stop)
		if err != nil {
			return
		}
		switch m.Cmd {
		case msg.CmdGetCFHeaders:
			r := &msg.CFHeaders{Stop: m.Stop}
			if m.StartHeight > 0 {
				r.PrevHeader = l.header(int32(m.StartHeight) - 1)
			}
			for h := int32(m.StartHeight); h <= stop; h++ {
				hash, _ := l.chain.BlockHashByHeight(h)
				raw, _ := l.filter(hash)
				r.FilterHashes = append(r.FilterHashes, chainhash.DoubleHashH(raw))
			}
			p.Send(r)
		case msg.CmdGetCFilters:
			for h := int32(m.StartHeight); h <= stop; h++ {
				hash, _ := l.chain.BlockHashByHeight(h)
				raw, _ := l.filter(hash)
				p.Send(&msg.CFilter{Block: hash, Filter: raw})
			}
		}
	}
}

// TestSPVLyingPeerBanned: a light node on an honest full node and a
// lying peer (real TCP both) whose filters hide the wallet's payment.
// The filter headers disagree at the paying block; the light node
// fetches it, finds the omission, bans the liar, and the hosted wallet
// finds the payment through the honest node.
func TestSPVLyingPeerBanned(t *testing.T) {
	params := chaincfg.RegTestParams
	full := startP2PNode(t, t.TempDir(), func(c *Config) { c.BlockFilterIndex = true })
	fullRPC, err := rpc.Discover("", full.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	outside := "rg1q2vfxp232rx0z9rzn0hay9jptagk8c86d8vuzf6"
	if err := fullRPC.Call(t.Context(), "generatetoaddress", nil, 5, outside); err != nil {
		t.Fatal(err)
	}

	// The light node's wallet and the address it is paid at.
	dir := t.TempDir()
	liar := &lyingPeer{chain: full.Chain}
	ltcp := p2p.NewTCP(params.Net, nil)
	la, err := ltcp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lhost := p2p.NewHost(p2p.Config{Params: params, Dialer: ltcp, Protocol: liar,
		Services: msg.SFNodeNetwork | msg.SFNodeWitness | msg.SFNodeCompactFilters})
	ltcp.SetHost(lhost)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); ltcp.Run(ctx, 50*time.Millisecond) }()
	t.Cleanup(func() { cancel(); <-done })

	s, err := NewSPV(Config{Params: params, DataDir: dir, RPCListen: "127.0.0.1:0", NoSync: true,
		WalletKDF: wallet.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1},
		P2P:       P2PConfig{Connect: []string{la.String(), full.P2PAddrs()[0]}, Tick: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	lc, err := rpc.Discover("", dir)
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "light node synced to 5", 20*time.Second, func() bool { _, h, _ := s.Light.Synced(); return h == 5 })
	if err := lc.Call(t.Context(), "wallet.create", nil, "pw"); err != nil {
		t.Fatal(err)
	}
	var addr string
	if err := lc.Call(t.Context(), "getnewaddress", &addr); err != nil {
		t.Fatal(err)
	}
	a, err := address.Decode(addr, params)
	if err != nil {
		t.Fatal(err)
	}
	liar.hide = a.PkScript()

	// The payment, and a block after it.
	if err := fullRPC.Call(t.Context(), "generatetoaddress", nil, 1, addr); err != nil {
		t.Fatal(err)
	}
	if err := fullRPC.Call(t.Context(), "generatetoaddress", nil, 1, outside); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "light node synced to 7", 20*time.Second, func() bool { _, h, _ := s.Light.Synced(); return h == 7 })
	liarAddr := netip.MustParseAddrPort(la.String())
	// The headers may reach 7 before the filter headers of the disputed
	// batch are compared (a lagging filter peer is waited for): wait for
	// the verdict, then check it is the liar alone.
	waitUntil(t, "the liar banned", 20*time.Second, func() bool { _, ok := s.Light.Banned()[liarAddr]; return ok })
	banned := s.Light.Banned()
	if _, ok := banned[liarAddr]; !ok || len(banned) != 1 {
		t.Fatalf("banned %v, want the liar %v only", banned, liarAddr)
	}
	if fh, err := s.Light.FilterHeader(7); err != nil || fh == liar.header(7) {
		t.Fatalf("the verified filter header at 7 is the liar's (%v)", err)
	}
	// The wallet finds its coinbase through the honest node.
	waitUntil(t, "wallet sees its payment", 20*time.Second, func() bool {
		var out json.RawMessage
		if err := lc.Call(t.Context(), "listtransactions", &out); err != nil {
			return false
		}
		return strings.Contains(string(out), `"height":6,`)
	})
}
