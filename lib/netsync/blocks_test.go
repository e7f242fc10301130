package netsync

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/wire"
)

// countingPool is a node's real pool that counts the whole-pool scans
// sync makes of it (compact block reconstruction, BIP35 answers).
type countingPool struct {
	*mempool.Pool
	scans int
}

func (c *countingPool) MiningDescs() []*mempool.TxDesc {
	c.scans++
	return c.Pool.MiningDescs()
}

func (c *countingPool) ForEachWtxid(f func(chainhash.Hash, *wire.MsgTx) bool) {
	c.scans++
	c.Pool.ForEachWtxid(f)
}

// countScans makes n's sync count its pool scans.
func countScans(n *simNode) *countingPool {
	cp := &countingPool{Pool: n.pool}
	n.sync.cfg.Mempool = cp
	return cp
}

// forkBlock is a valid block at height 1 on genesis that n does not have:
// a header of less work than n's tip once n has mined two blocks.
func forkBlock(t *testing.T) *wire.MsgBlock {
	t.Helper()
	g := chaingen.New(params)
	g.PayScript = []byte{0x51, 0x51} // not the miner's: a different block 1
	return g.NextBlock("fork1", nil)
}

// TestStaleCompactBlock: a compact block of a header with no more work
// than our tip is a header announcement: replayed, it is not rebuilt
// from the pool, and short-id collisions in it do not make us ask for
// (and store, as requested) a side-chain block.
func TestStaleCompactBlock(t *testing.T) {
	net := newNet()
	n := newSimNode(t, net, "10.0.0.1:2200")
	n.mine(t, 2)
	sp := newScriptPeer(t, net, "10.0.0.50:2200", n, 2)
	scans := countScans(n)
	fork := forkBlock(t)
	hash := fork.BlockHash()

	for range 3 {
		sp.send(compactOf(fork, 7))
	}
	net.RunFor(time.Second)
	if _, _, err := n.chain.HeaderByHash(hash); err != nil {
		t.Fatalf("the stale header was not indexed: %v", err)
	}
	if scans.scans != 0 {
		t.Errorf("a stale compact block replayed 3 times scanned the pool %d times", scans.scans)
	}

	// Colliding short ids: the peer would have us ask for the block and
	// store it whatever its work.
	c := &msg.CmpctBlock{Header: fork.Header, Nonce: 8, ShortIDs: []uint64{42, 42},
		Prefilled: []msg.PrefilledTx{{Index: 0, Tx: fork.Transactions[0]}}}
	sp.send(c)
	net.RunFor(time.Second)
	if slices.ContainsFunc(sp.asked(), func(v msg.InvVect) bool { return v.Hash == hash }) {
		sp.send(&msg.Block{Block: fork}) // as the peer would
		net.RunFor(time.Second)
		t.Errorf("a stale compact block with colliding short ids made the node ask for the block")
	}
	if n.chain.HaveBlock(hash) {
		t.Errorf("the stale side-chain block was stored")
	}
	if n.height() != 2 {
		t.Fatalf("height %d, want 2", n.height())
	}
}

// copyChain gives n the blocks of src's chain (heights 1 to src's tip)
// directly, without a connection.
func copyChain(t *testing.T, src, n *simNode) {
	t.Helper()
	for h := int32(1); h <= src.height(); h++ {
		blk, err := src.chain.BlockByHash(mustHashAt(t, src.chain, h))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := n.chain.ProcessBlock(blk, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// nextBlockWithTx mines on src (not connected to anyone) a block with a
// transaction only src's pool had.
func nextBlockWithTx(t *testing.T, src *simNode) *wire.MsgBlock {
	t.Helper()
	tx := spendCoinbase(t, src, src.height()-100)
	if _, err := src.pool.ProcessTransaction(tx, false); err != nil {
		t.Fatal(err)
	}
	blk, err := src.chain.BlockByHash(src.mine(t, 1)[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(blk.Transactions) != 2 {
		t.Fatalf("the block has %d transactions, want the coinbase and the spend", len(blk.Transactions))
	}
	return blk
}

// TestPushedCompactBlockRequested: a pushed compact block waiting for its
// missing transactions counts as requested from its peer: the next ticks
// do not ask for the same block again, and its completion ends the
// request.
func TestPushedCompactBlockRequested(t *testing.T) {
	net := newNet()
	src := newSimNode(t, net, "10.0.0.2:2200")
	src.mine(t, 101)
	n := newSimNode(t, net, "10.0.0.1:2200")
	copyChain(t, src, n)
	blk := nextBlockWithTx(t, src)
	hash := blk.BlockHash()
	sp := newScriptPeer(t, net, "10.0.0.50:2200", n, 101)
	sp.send(compactOf(blk, 7))
	if !net.RunUntil(func() bool { return len(sp.received(msg.CmdGetBlockTxn)) == 1 }, time.Minute) {
		t.Fatal("no getblocktxn for the missing transaction")
	}
	net.RunFor(3 * time.Second) // ticks: fetchBlocks runs
	if slices.ContainsFunc(sp.asked(), func(v msg.InvVect) bool { return v.Hash == hash }) {
		t.Fatal("the block being completed was asked for again")
	}
	if r := n.sync.requested[hash]; r == nil || r.peer != sp.nodePeer(n) {
		t.Fatal("the block being completed is not recorded as requested from its peer")
	}
	gbt := sp.received(msg.CmdGetBlockTxn)[0].(*msg.GetBlockTxn)
	sp.send(&msg.BlockTxn{Block: hash, Txs: []*wire.MsgTx{blk.Transactions[gbt.Indexes[0]]}})
	if !net.RunUntil(func() bool { return n.height() == 102 }, time.Minute) {
		t.Fatalf("height %d after blocktxn, want 102", n.height())
	}
	if len(n.sync.requested) != 0 {
		t.Fatalf("%d block requests left after the block connected", len(n.sync.requested))
	}
}

// TestBlocksOnlyFromPeersThatHaveThem: blocks are asked only of peers
// whose headers (or blocks, or announcements) show they have them: not
// of one that merely claims a height in its version, nor of one whose
// headers are a lighter fork (beyond the fork point).
func TestBlocksOnlyFromPeersThatHaveThem(t *testing.T) {
	net := newNet()
	a := newSimNode(t, net, "10.0.0.1:2200")
	a.mine(t, 50)
	// f shares a's first 10 blocks and mines 30 of its own: a fork of
	// height 40, lighter than a's 50.
	f := newSimNode(t, net, "10.0.0.3:2200")
	for h := int32(1); h <= 10; h++ {
		blk, _ := a.chain.BlockByHash(mustHashAt(t, a.chain, h))
		if _, _, err := f.chain.ProcessBlock(blk, 0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.miner.Generate(context.Background(), 30, []byte{0x51, 0x51}); err != nil {
		t.Fatal(err)
	}
	net.Remove(f.addr)
	d := newSimNode(t, net, "10.0.0.4:2200")
	liar := newScriptPeer(t, net, "10.0.0.50:2200", d, 1000) // claims 1,000 blocks, sends nothing
	forked := newScriptPeer(t, net, "10.0.0.51:2200", d, 40)
	// d knows a's headers (the best chain) when the forked peer's arrive.
	net.After(0, func() {
		if _, err := d.chain.ProcessHeaders(headersOf(t, a, 1, 50)); err != nil {
			t.Error(err)
		}
	})
	forked.send(&msg.Headers{List: headersOf(t, f, 1, 40)})
	net.RunFor(time.Second)
	net.After(0, func() { d.host.DialOnce(a.addr) })
	if !net.RunUntil(func() bool { return d.height() == 50 }, 10*time.Minute) {
		t.Fatalf("d at %d", d.height())
	}
	if got := liar.blocksAsked(); len(got) != 0 {
		t.Errorf("the peer that only claimed a height was asked for %d blocks", len(got))
	}
	for _, h := range forked.blocksAsked() {
		if height, err := a.chain.BlockHeightByHash(h); err == nil && height > 10 {
			t.Errorf("the forked peer was asked for block %d of a chain it forked from at 10", height)
		}
	}
}

// TestNotFoundBlockAskedAgain: a block a peer answered notfound for is
// asked of it again after AvoidTimeout when no other peer has it (one
// --connect peer): a single notfound does not stop the sync for the
// rest of the connection.
func TestNotFoundBlockAskedAgain(t *testing.T) {
	net := newNet()
	src := newSimNode(t, net, "10.0.0.1:2200")
	src.mine(t, 20)
	net.Remove(src.addr)
	d := newSimNode(t, net, "10.0.0.4:2200")
	missing := mustHashAt(t, src.chain, 7)
	refused := 0
	var sp *scriptPeer
	sp = newScriptPeer(t, net, "10.0.0.50:2200", d, 20)
	sp.onMsg = func(m msg.Message) {
		switch x := m.(type) {
		case *msg.GetHeaders:
			sp.peer.Send(&msg.Headers{List: headersOf(t, src, 1, 20)})
		case *msg.Inv:
			if x.Cmd != msg.CmdGetData {
				return
			}
			for _, v := range x.List {
				if v.Hash == missing && refused == 0 {
					refused++
					sp.peer.Send(&msg.Inv{Cmd: msg.CmdNotFound, List: []msg.InvVect{v}})
					continue
				}
				if blk, err := src.chain.BlockByHash(v.Hash); err == nil {
					sp.peer.Send(&msg.Block{Block: blk})
				}
			}
		}
	}
	sp.send(&msg.Headers{List: headersOf(t, src, 1, 20)})
	if !net.RunUntil(func() bool { return d.height() == 20 }, 5*time.Minute) {
		t.Fatalf("d stuck at %d after one notfound for block 7 from its only peer", d.height())
	}
	if refused != 1 {
		t.Fatalf("block 7 refused %d times, want 1", refused)
	}
}

// countingChain is a node's real chain that counts the headers sync
// hands it.
type countingChain struct {
	*chain.Chain
	headers int
}

func (c *countingChain) ProcessHeaders(hdrs []wire.BlockHeader) (chain.HeaderResult, error) {
	c.headers += len(hdrs)
	return c.Chain.ProcessHeaders(hdrs)
}

// TestHeadersFromOnePeer: a node syncing from three peers downloads the
// headers from one of them; the others are asked once it has no more
// (each then sends our best header, which shows it has our chain), and
// the blocks still come from all three.
func TestHeadersFromOnePeer(t *testing.T) {
	net := newNet()
	a := newSimNode(t, net, "10.0.0.1:2200")
	a.mine(t, 300)
	b := newSimNode(t, net, "10.0.0.2:2200")
	c := newSimNode(t, net, "10.0.0.3:2200")
	copyChain(t, a, b)
	copyChain(t, a, c)
	d := newSimNode(t, net, "10.0.0.4:2200", func(cfg *p2p.Config) {
		cfg.Connect = []netip.AddrPort{a.addr, b.addr, c.addr}
	})
	cc := &countingChain{Chain: d.chain}
	d.sync.cfg.Chain = cc
	if !net.RunUntil(func() bool { return d.height() == 300 }, 5*time.Minute) {
		t.Fatalf("d at %d", d.height())
	}
	// One download of 300, then a header or so from each other
	// connection (the sources also dial d back).
	if cc.headers >= 2*300 {
		t.Errorf("%d headers processed for a 300-block chain: downloaded from more than one peer", cc.headers)
	}
	for _, src := range []*simNode{a, b, c} {
		for _, p := range src.host.Peers() {
			if p.Addr.Addr() == d.addr.Addr() && blocksSentTo(src, p) == 0 {
				t.Errorf("%v served no block", src.addr)
			}
		}
	}
}

// TestNoGetHeadersWhileOutstanding: block announcements from a peer
// whose answer to getheaders is still outstanding do not send more
// getheaders.
func TestNoGetHeadersWhileOutstanding(t *testing.T) {
	net := newNet()
	d := newSimNode(t, net, "10.0.0.4:2200")
	sp := newScriptPeer(t, net, "10.0.0.50:2200", d, 10) // never answers getheaders
	net.RunFor(time.Second)
	if k := len(sp.received(msg.CmdGetHeaders)); k != 1 {
		t.Fatalf("%d getheaders at the handshake, want 1", k)
	}
	for i := range 5 {
		sp.send(&msg.Inv{Cmd: msg.CmdInv, List: []msg.InvVect{{Type: msg.InvBlock, Hash: hashOf(1000 + i)}}})
	}
	net.RunFor(time.Second)
	if k := len(sp.received(msg.CmdGetHeaders)); k != 1 {
		t.Fatalf("%d getheaders after 5 block announcements with one outstanding, want 1", k)
	}
}

// TestHeadersPeerHandoff: when the one peer headers are downloaded from
// does not answer, the headers sync moves to another peer after
// HeadersTimeout, and the node syncs.
func TestHeadersPeerHandoff(t *testing.T) {
	net := newNet()
	a := newSimNode(t, net, "10.0.0.1:2200")
	a.mine(t, 50)
	d := newSimNode(t, net, "10.0.0.4:2200")
	silent := newScriptPeer(t, net, "10.0.0.50:2200", d, 50) // the first peer: the headers peer
	net.After(0, func() { d.host.DialOnce(a.addr) })
	net.RunFor(time.Second)
	if d.sync.headersPeer != silent.nodePeer(d) {
		t.Fatal("the first peer is not the headers peer")
	}
	if !net.RunUntil(func() bool { return d.height() == 50 }, HeadersTimeout+time.Minute) {
		t.Fatalf("d at %d: the headers sync did not move on from a silent peer", d.height())
	}
	if k := len(silent.received(msg.CmdGetHeaders)); k != 1 {
		t.Errorf("the silent peer got %d getheaders, want 1", k)
	}
}
