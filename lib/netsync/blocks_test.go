package netsync

import (
	"slices"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mempool"
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
