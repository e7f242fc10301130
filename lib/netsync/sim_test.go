package netsync

import (
	"context"
	mrand "math/rand/v2"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/mining"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

var params = chaincfg.RegTestParams

// simNode is a full node on a SimNet: a real chain on bbolt, a mempool,
// a miner, the peer layer and sync.
type simNode struct {
	addr  netip.AddrPort
	chain *chain.Chain
	pool  *mempool.Pool
	miner *mining.CPUMiner
	host  *p2p.Host
	sync  *Manager
	net   *p2p.SimNet
}

func newSimNode(t *testing.T, net *p2p.SimNet, addr string, mod ...func(*p2p.Config)) *simNode {
	t.Helper()
	a := netip.MustParseAddrPort(addr)
	db, err := store.Open(filepath.Join(t.TempDir(), "chain.db"), store.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c, err := chain.New(chain.Config{DB: db, Params: params, SigCache: script.NewSigCache(10_000)})
	if err != nil {
		t.Fatal(err)
	}
	pool := mempool.New(mempool.Config{Params: params, Chain: c, Policy: mempool.Policy{AcceptNonStd: true}})
	n := &simNode{addr: a, chain: c, pool: pool, net: net}
	n.miner = mining.NewCPUMiner(mining.NewGenerator(params, c, pool, time.Now), c)
	n.sync = New(Config{Chain: c, Mempool: pool})
	cfg := p2p.Config{Params: params, Clock: net.Clock(), Dialer: net.Dialer(a), Protocol: n.sync,
		Services: msg.SFNodeNetwork | msg.SFNodeWitness, BestHeight: func() int32 { return c.Best().Height },
		Rand: mrand.New(mrand.NewPCG(uint64(a.Addr().As4()[3])<<16|uint64(a.Port()), 7)), ListenPort: a.Port()}
	for _, m := range mod {
		m(&cfg)
	}
	n.host = p2p.NewHost(cfg)
	n.sync.SetHost(n.host)
	net.Add(a, n.host)
	// Notifications reach sync on the loop, after the call that caused
	// them (as the TCP adapter posts them).
	c.Subscribe(func(note *chain.Notification) {
		if note.Type == chain.NTBlockConnected {
			blk := note.Block
			net.After(0, func() {
				if c.Best().Hash == blk.BlockHash() {
					n.sync.BlockConnected(blk)
				}
			})
		}
		pool.HandleNotification(note)
	})
	pool.Listen(mempool.Listener{OnAccept: func(d *mempool.TxDesc) { net.After(0, func() { n.sync.TxAccepted(d) }) }})
	return n
}

var payTo = chaingen.OpTrueP2WSH

func (n *simNode) mine(t *testing.T, k int) []chainhash.Hash {
	t.Helper()
	hs, err := n.miner.Generate(context.Background(), k, payTo)
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

func (n *simNode) height() int32 { return n.chain.Best().Height }

func newNet() *p2p.SimNet {
	net := p2p.NewSimNet(time.Now())
	net.Latency = func(a, b netip.AddrPort) time.Duration { return 20 * time.Millisecond }
	return net
}

// TestSyncFromPeers: a new node syncs 300 blocks from three peers at once
// and fetches from each of them.
func TestSyncFromPeers(t *testing.T) {
	net := newNet()
	a := newSimNode(t, net, "10.0.0.1:2200")
	a.mine(t, 300)
	b := newSimNode(t, net, "10.0.0.2:2200", func(c *p2p.Config) { c.AddNodes = []netip.AddrPort{a.addr} })
	c := newSimNode(t, net, "10.0.0.3:2200", func(c *p2p.Config) { c.AddNodes = []netip.AddrPort{a.addr} })
	if !net.RunUntil(func() bool { return b.height() == 300 && c.height() == 300 }, 5*time.Minute) {
		t.Fatalf("b at %d, c at %d", b.height(), c.height())
	}
	d := newSimNode(t, net, "10.0.0.4:2200", func(cfg *p2p.Config) {
		cfg.Connect = []netip.AddrPort{a.addr, b.addr, c.addr}
	})
	start := net.Now()
	if !net.RunUntil(func() bool { return d.height() == 300 }, 5*time.Minute) {
		t.Fatalf("d at %d", d.height())
	}
	t.Logf("300 blocks from three peers in %v of virtual time", net.Now().Sub(start))
	served := map[netip.AddrPort]int{}
	for _, src := range []*simNode{a, b, c} {
		for _, p := range src.host.Peers() {
			if p.Inbound && p.Addr.Addr() == d.addr.Addr() {
				served[src.addr] = blocksSentTo(src, p)
			}
		}
	}
	for addr, k := range served {
		if k == 0 {
			t.Errorf("%v served no block: the download is not spread (%v)", addr, served)
		}
	}
	if d.chain.Best().Hash != a.chain.Best().Hash {
		t.Fatal("different tips")
	}
}

// blocksSentTo counts the blocks src's link to p carried.
func blocksSentTo(src *simNode, p *p2p.Peer) int {
	return p2p.SimSent(p)[msg.CmdBlock]
}

// TestStallingPeer: a peer that announces headers and never serves the
// blocks does not stop the sync; it is disconnected after stalling twice.
func TestStallingPeer(t *testing.T) {
	net := newNet()
	a := newSimNode(t, net, "10.0.0.1:2200")
	a.mine(t, 200)
	s := newSimNode(t, net, "10.0.0.9:2200", func(c *p2p.Config) { c.AddNodes = []netip.AddrPort{a.addr} })
	if !net.RunUntil(func() bool { return s.height() == 200 }, 5*time.Minute) {
		t.Fatal("s did not sync")
	}
	// s now withholds blocks.
	p2p.SimDropFrom(net, s.addr, func(m msg.Message) bool { return m.Command() == msg.CmdBlock || m.Command() == msg.CmdCmpctBlock })
	d := newSimNode(t, net, "10.0.0.4:2200", func(cfg *p2p.Config) { cfg.Connect = []netip.AddrPort{s.addr, a.addr} })
	start := net.Now()
	if !net.RunUntil(func() bool { return d.height() == 200 }, 10*time.Minute) {
		t.Fatalf("d stuck at %d behind a stalling peer", d.height())
	}
	t.Logf("synced past a staller in %v of virtual time", net.Now().Sub(start))
	// The staller was asked for blocks, stalled twice and was dropped.
	if !net.RunUntil(func() bool {
		for _, p := range d.host.Peers() {
			if p.Addr == s.addr {
				return false
			}
		}
		return true
	}, time.Minute) {
		t.Fatal("the stalling peer is still connected")
	}
}

// TestRelay: a transaction sent to one node reaches the others' pools; a
// block mined with it reaches them, rebuilt from their pools.
func TestRelay(t *testing.T) {
	net := newNet()
	a := newSimNode(t, net, "10.0.0.1:2200")
	a.mine(t, 110)
	b := newSimNode(t, net, "10.0.0.2:2200", func(c *p2p.Config) { c.AddNodes = []netip.AddrPort{a.addr} })
	c := newSimNode(t, net, "10.0.0.3:2200", func(cfg *p2p.Config) { cfg.AddNodes = []netip.AddrPort{b.addr} })
	if !net.RunUntil(func() bool { return b.height() == 110 && c.height() == 110 }, 5*time.Minute) {
		t.Fatal("not synced")
	}
	// A spend of block 1's coinbase, sent to c.
	blk1, _ := a.chain.BlockByHash(mustHashAt(t, a.chain, 1))
	cb := blk1.Transactions[0]
	tx := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()}, Sequence: wire.MaxTxInSequenceNum,
		Witness: wire.TxWitness{chaingen.OpTrueScript}}},
		TxOut: []*wire.TxOut{{Value: cb.TxOut[0].Value - 10_000, PkScript: payTo}}}
	net.After(0, func() {
		if _, err := c.pool.ProcessTransaction(tx, false); err != nil {
			t.Errorf("c refused the tx: %v", err)
		}
	})
	if !net.RunUntil(func() bool { return a.pool.Have(tx.TxHash()) && b.pool.Have(tx.TxHash()) }, time.Minute) {
		t.Fatal("the transaction did not reach a and b")
	}
	// a mines it: b and c get the block (compact: they have the tx),
	// whether pushed (high bandwidth) or asked for (low bandwidth), never
	// whole and with nothing missing.
	nodes := []*simNode{a, b, c}
	before, bytesBefore := sentByAll(nodes), net.Bytes
	a.mine(t, 1)
	if !net.RunUntil(func() bool { return b.height() == 111 && c.height() == 111 }, time.Minute) {
		t.Fatal("the block did not reach b and c")
	}
	if b.pool.Have(tx.TxHash()) || c.pool.Have(tx.TxHash()) {
		t.Fatal("mined tx still in a pool")
	}
	after := sentByAll(nodes)
	t.Logf("one block with one tx relayed to two nodes: %d bytes", net.Bytes-bytesBefore)
	d := func(cmd string) int { return after[cmd] - before[cmd] }
	if d(msg.CmdCmpctBlock) < 2 || d(msg.CmdBlock) != 0 || d(msg.CmdGetBlockTxn) != 0 {
		t.Errorf("sent for the new block: %d cmpctblock, %d block, %d getblocktxn; want ≥ 2 compact blocks, nothing else",
			d(msg.CmdCmpctBlock), d(msg.CmdBlock), d(msg.CmdGetBlockTxn))
	}
}

// sentByAll sums the messages every node sent, by command.
func sentByAll(nodes []*simNode) map[string]int {
	out := map[string]int{}
	for _, n := range nodes {
		for _, p := range n.host.Peers() {
			for cmd, k := range p2p.SimSent(p) {
				out[cmd] += k
			}
		}
	}
	return out
}

// TestTxBurst: a peer announces more transactions at once than may be in
// flight from it; the rest are asked for as answers come, and every one
// arrives.
func TestTxBurst(t *testing.T) {
	const n = 3*MaxTxInFlight + 17
	net := newNet()
	a := newSimNode(t, net, "10.0.0.1:2200")
	a.mine(t, 110)
	b := newSimNode(t, net, "10.0.0.2:2200", func(c *p2p.Config) { c.AddNodes = []netip.AddrPort{a.addr} })
	if !net.RunUntil(func() bool { return b.height() == 110 }, 5*time.Minute) {
		t.Fatal("not synced")
	}
	// Block 1's coinbase split into n outputs, confirmed.
	blk1, _ := a.chain.BlockByHash(mustHashAt(t, a.chain, 1))
	cb := blk1.Transactions[0]
	split := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()}, Sequence: wire.MaxTxInSequenceNum,
		Witness: wire.TxWitness{chaingen.OpTrueScript}}}}
	each := (cb.TxOut[0].Value - 100_000) / n
	for range n {
		split.TxOut = append(split.TxOut, &wire.TxOut{Value: each, PkScript: payTo})
	}
	var spends []*wire.MsgTx
	for i := range n {
		spends = append(spends, &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: split.TxHash(), Index: uint32(i)},
			Sequence: wire.MaxTxInSequenceNum, Witness: wire.TxWitness{chaingen.OpTrueScript}}},
			TxOut: []*wire.TxOut{{Value: each - 1000, PkScript: payTo}}})
	}
	net.After(0, func() {
		if _, err := a.pool.ProcessTransaction(split, false); err != nil {
			t.Errorf("a refused the split: %v", err)
		}
	})
	if !net.RunUntil(func() bool { return a.pool.Have(split.TxHash()) }, time.Minute) {
		t.Fatal("split not in a's pool")
	}
	net.After(0, func() { a.mine(t, 1) })
	if !net.RunUntil(func() bool { return b.height() == 111 }, time.Minute) {
		t.Fatal("the split's block did not reach b")
	}
	net.After(0, func() {
		for _, tx := range spends {
			if _, err := a.pool.ProcessTransaction(tx, false); err != nil {
				t.Errorf("a refused a spend: %v", err)
			}
		}
	})
	if !net.RunUntil(func() bool { return b.pool.Count() == n }, 5*time.Minute) {
		t.Fatalf("b has %d of the %d transactions", b.pool.Count(), n)
	}
}

func mustHashAt(t *testing.T, c *chain.Chain, h int32) chainhash.Hash {
	t.Helper()
	hash, err := c.BlockHashByHeight(h)
	if err != nil {
		t.Fatal(err)
	}
	return hash
}

// TestQuiet: a synced node with nothing to do is quiet; a transaction
// it accepted makes it busy (announcements queued) until relay is done;
// after a block it is quiet again.
func TestQuiet(t *testing.T) {
	net := newNet()
	a := newSimNode(t, net, "10.0.0.1:2200")
	a.mine(t, 110)
	b := newSimNode(t, net, "10.0.0.2:2200", func(c *p2p.Config) { c.AddNodes = []netip.AddrPort{a.addr} })
	if !net.RunUntil(func() bool { return b.height() == 110 && a.sync.Quiet() && b.sync.Quiet() }, 5*time.Minute) {
		t.Fatalf("not synced and quiet: height %d, quiet %v %v", b.height(), a.sync.Quiet(), b.sync.Quiet())
	}
	for _, n := range []*simNode{a, b} {
		out := 0
		for _, p := range n.host.Peers() {
			if p.Ready() && !p.Inbound {
				out++
			}
		}
		if n.sync.ReadyOutbound() != out || (n == b && out == 0) {
			t.Fatalf("%v: %d ready outbound, the Host has %d", n.addr, n.sync.ReadyOutbound(), out)
		}
	}
	blk1, _ := a.chain.BlockByHash(mustHashAt(t, a.chain, 1))
	cb := blk1.Transactions[0]
	tx := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()}, Sequence: wire.MaxTxInSequenceNum,
		Witness: wire.TxWitness{chaingen.OpTrueScript}}},
		TxOut: []*wire.TxOut{{Value: cb.TxOut[0].Value - 10_000, PkScript: payTo}}}
	if _, err := b.pool.ProcessTransaction(tx, false); err != nil {
		t.Fatal(err)
	}
	net.RunFor(time.Millisecond) // the acceptance reaches sync
	if b.sync.Quiet() {
		t.Fatal("quiet with an announcement queued")
	}
	if !net.RunUntil(func() bool { return a.pool.Have(tx.TxHash()) && a.sync.Quiet() && b.sync.Quiet() }, time.Minute) {
		t.Fatal("the transaction did not reach a, or a node stayed busy")
	}
	a.mine(t, 1)
	if !net.RunUntil(func() bool { return b.height() == 111 && b.sync.Quiet() }, time.Minute) {
		t.Fatal("the block did not arrive, or b stayed busy")
	}
}

// hbChain connects a → b → c (each the next one's outbound peer) over
// 110 blocks and relays two more from a, so that b pushes compact blocks
// to c (c made b a high-bandwidth peer: b gave it a new tip first).
func hbChain(t *testing.T) (a, b, c *simNode, net *p2p.SimNet) {
	t.Helper()
	net = newNet()
	a = newSimNode(t, net, "10.0.0.1:2200")
	a.mine(t, 110)
	b = newSimNode(t, net, "10.0.0.2:2200", func(cfg *p2p.Config) { cfg.AddNodes = []netip.AddrPort{a.addr}; cfg.MaxOutbound = 1 })
	c = newSimNode(t, net, "10.0.0.3:2200", func(cfg *p2p.Config) { cfg.AddNodes = []netip.AddrPort{b.addr}; cfg.MaxOutbound = 1 })
	if !net.RunUntil(func() bool { return b.height() == 110 && c.height() == 110 }, 5*time.Minute) {
		t.Fatal("not synced")
	}
	for h := int32(111); h <= 112; h++ {
		a.mine(t, 1)
		if !net.RunUntil(func() bool { return c.height() == h }, time.Minute) {
			t.Fatalf("block %d did not reach c", h)
		}
	}
	for _, p := range b.host.Peers() {
		if p.Inbound && p.Addr.Addr() == c.addr.Addr() && p.CmpctHB {
			return a, b, c, net
		}
	}
	t.Fatal("c did not make b a high-bandwidth compact block peer")
	return
}

// TestCompactRelayBeforeValidation: a compact block that extends the tip
// goes to high-bandwidth peers before the chain validates it (BIP152's
// high-bandwidth mode, as Core does once the header and merkle root
// check), not after.
func TestCompactRelayBeforeValidation(t *testing.T) {
	a, b, c, net := hbChain(t)
	var toC *p2p.Peer
	for _, p := range b.host.Peers() {
		if p.Inbound && p.Addr.Addr() == c.addr.Addr() {
			toC = p
		}
	}
	sentBefore := -1
	inner := b.sync.cfg.ProcessBlock
	b.sync.cfg.ProcessBlock = func(blk *wire.MsgBlock, flags chain.BehaviorFlags) (bool, bool, error) {
		if sentBefore < 0 {
			sentBefore = p2p.SimSent(toC)[msg.CmdCmpctBlock]
		}
		return inner(blk, flags)
	}
	had := p2p.SimSent(toC)[msg.CmdCmpctBlock]
	a.mine(t, 1)
	if !net.RunUntil(func() bool { return c.height() == 113 }, time.Minute) {
		t.Fatal("block 113 did not reach c")
	}
	if sentBefore != had+1 {
		t.Fatalf("compact blocks b had sent c when its chain took the block: %d, want %d (before validation)", sentBefore, had+1)
	}
	if got := p2p.SimSent(toC)[msg.CmdCmpctBlock]; got != had+1 {
		t.Fatalf("b sent c %d compact blocks for one block", got-had)
	}
}

// TestInvalidCompactBlockNotPunished: a block the chain rejects costs the
// peer nothing when it came as a compact block (a high-bandwidth peer
// relays before validating, BIP152), and the connection when it came
// whole.
func TestInvalidCompactBlockNotPunished(t *testing.T) {
	for _, compact := range []bool{true, false} {
		a, _, c, net := hbChain(t)
		if !compact {
			a, c = newFullPair(t, net, a)
		}
		bad := map[chainhash.Hash]bool{}
		inner := c.sync.cfg.ProcessBlock
		c.sync.cfg.ProcessBlock = func(blk *wire.MsgBlock, flags chain.BehaviorFlags) (bool, bool, error) {
			if bad[blk.BlockHash()] {
				return false, false, chain.RuleError{Kind: chain.ErrBadMerkleRoot, Description: "test: rejected"}
			}
			return inner(blk, flags)
		}
		peers := len(c.host.Peers())
		hs := a.mine(t, 1)
		bad[hs[0]] = true
		net.RunFor(30 * time.Second)
		if got := len(c.host.Peers()); (got == peers) != compact {
			t.Fatalf("compact %v: c has %d peers after the invalid block, had %d", compact, got, peers)
		}
	}
}

// newFullPair gives a fresh node that takes blocks from a whole (no
// compact blocks: it never hears sendcmpct).
func newFullPair(t *testing.T, net *p2p.SimNet, a *simNode) (*simNode, *simNode) {
	t.Helper()
	d := newSimNode(t, net, "10.0.0.4:2200", func(cfg *p2p.Config) { cfg.AddNodes = []netip.AddrPort{a.addr}; cfg.MaxOutbound = 1 })
	for _, l := range []*p2p.SimNet{net} {
		p2p.SimDropFrom(l, a.addr, func(m msg.Message) bool { return m.Command() == msg.CmdSendCmpct || m.Command() == msg.CmdCmpctBlock })
	}
	if !net.RunUntil(func() bool { return d.height() == a.height() }, 5*time.Minute) {
		t.Fatal("d not synced")
	}
	return a, d
}
