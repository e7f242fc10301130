package netsim

import (
	"fmt"
	"math/big"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// simChain is a node's chain: a header tree and the blocks' data, with
// validation replaced by a modelled delay (netsync.Chain). Every block is
// valid; a chain's work is its height (first seen wins a tie). Blocks
// validate one at a time, each taking warm or cold time per transaction
// (Scenario.ValidationWarmPerTx, ValidationColdPerTx).
type simChain struct {
	n       *simNode
	index   map[chainhash.Hash]*bnode
	tip     *bnode   // best connected block
	main    []*bnode // tip's chain by height
	bestHdr *bnode
	busy    time.Time // the node is validating until
}

type bnode struct {
	hash   chainhash.Hash
	hdr    wire.BlockHeader
	height int32
	parent *bnode
	kids   []*bnode
	blk    *wire.MsgBlock // nil until the data arrives
	valid  bool           // validated (connectable once its parent is)
	queued bool           // validation scheduled
	// warm is the number of its transactions that were in the pool
	// when it arrived.
	warm int
}

func newSimChain(n *simNode, genesis *wire.MsgBlock) *simChain {
	g := &bnode{hash: genesis.BlockHash(), hdr: genesis.Header, blk: genesis, valid: true}
	c := &simChain{n: n, index: map[chainhash.Hash]*bnode{g.hash: g}, tip: g, main: []*bnode{g}, bestHdr: g}
	return c
}

func work(h int32) *big.Int { return big.NewInt(int64(h) + 1) }

func (c *simChain) Best() chain.BestState {
	t := c.tip
	return chain.BestState{Hash: t.hash, Height: t.height, Bits: t.hdr.Bits, MedianTime: int64(t.hdr.Timestamp),
		Timestamp: int64(t.hdr.Timestamp), MinNextTime: int64(t.hdr.Timestamp) + 1, Work: work(t.height)}
}

func (c *simChain) BestHeader() (chainhash.Hash, int32, *big.Int) {
	return c.bestHdr.hash, c.bestHdr.height, work(c.bestHdr.height)
}

// addHeader indexes a header whose parent is known.
func (c *simChain) addHeader(h wire.BlockHeader) (*bnode, error) {
	hash := h.BlockHash()
	if b := c.index[hash]; b != nil {
		return b, nil
	}
	p := c.index[h.PrevBlock]
	if p == nil {
		return nil, chain.RuleError{Kind: chain.ErrPrevBlockNotFound, Description: fmt.Sprintf("header %v builds on unknown block %v", hash, h.PrevBlock)}
	}
	b := &bnode{hash: hash, hdr: h, height: p.height + 1, parent: p}
	c.index[hash] = b
	p.kids = append(p.kids, b)
	if b.height > c.bestHdr.height {
		c.bestHdr = b
		if sf := c.n.sim.selfish; c.n.attacker && !sf.publishing {
			c.n.sim.net.After(0, c.n.sim.selfishHeard) // the public chain grew
		}
	}
	return b, nil
}

func (c *simChain) ProcessHeaders(hdrs []wire.BlockHeader) (chain.HeaderResult, error) {
	var res chain.HeaderResult
	for i, h := range hdrs {
		if i > 0 && h.PrevBlock != hdrs[i-1].BlockHash() {
			return res, chain.RuleError{Kind: chain.ErrHeadersNotConnected, Description: "headers not connected"}
		}
		if b := c.index[h.BlockHash()]; b != nil {
			res.Skipped++
			res.Last, res.Height = b.hash, b.height
			continue
		}
		b, err := c.addHeader(h)
		if err != nil {
			return res, err
		}
		res.Added++
		res.Stored = true
		res.Last, res.Height = b.hash, b.height
	}
	return res, nil
}

// ProcessBlock takes a block's data; it is validated after the modelled
// delay and connected once its parent is (simNode.connected).
func (c *simChain) ProcessBlock(blk *wire.MsgBlock, _ chain.BehaviorFlags) (bool, bool, error) {
	hash := blk.BlockHash()
	if b := c.index[hash]; b != nil && b.blk != nil {
		return false, false, chain.RuleError{Kind: chain.ErrDuplicateBlock, Description: "block already known"}
	}
	if c.index[blk.Header.PrevBlock] == nil {
		return false, true, nil // an orphan
	}
	b, err := c.addHeader(blk.Header)
	if err != nil {
		return false, false, err
	}
	b.blk = blk
	for _, tx := range blk.Transactions[1:] {
		if _, ok := c.n.pool.byTxid[tx.TxHash()]; ok {
			b.warm++
		}
	}
	c.n.sim.blockArrived(c.n, b)
	// (Judged before schedule, which may make b the tip at once.)
	best := b.height > c.tip.height
	c.schedule(b)
	return best, false, nil
}

// schedule validates b once its parent has been validated. The real
// node validates on its event loop, which blocks it meanwhile; here the
// chain's state changes at once and the node is busy for the modelled
// time instead: nothing it sends leaves before it is done (Sim.transit),
// and the block counts as validated then.
func (c *simChain) schedule(b *bnode) {
	if b.queued || b.blk == nil || !b.parent.valid {
		return
	}
	b.queued = true
	s := c.n.sim
	ntx := len(b.blk.Transactions) - 1
	d := time.Duration(b.warm)*s.sc.ValidationWarmPerTx.Duration + time.Duration(ntx-b.warm)*s.sc.ValidationColdPerTx.Duration
	start := s.net.Now()
	if c.busy.After(start) {
		start = c.busy
	}
	c.busy = start.Add(d)
	c.validated(b, c.busy)
}

// validated marks b valid (its validation ends at done), makes it the
// tip if it has more work, and validates its children whose data is
// here.
func (c *simChain) validated(b *bnode, done time.Time) {
	b.valid = true
	c.n.sim.blockValid(c.n, b, done)
	if b.height > c.tip.height {
		c.setTip(b)
	}
	for _, k := range b.kids {
		c.schedule(k)
	}
}

// setTip moves the tip to b (a reorganisation when b is on another
// branch) and tells the node about each newly connected block.
func (c *simChain) setTip(b *bnode) {
	var path []*bnode
	for x := b; int(x.height) >= len(c.main) || c.main[x.height] != x; x = x.parent {
		path = append(path, x)
	}
	fork := path[len(path)-1].parent
	c.main = c.main[:fork.height+1]
	for i := len(path) - 1; i >= 0; i-- {
		c.main = append(c.main, path[i])
	}
	c.tip = b
	for i := len(path) - 1; i >= 0; i-- {
		c.n.connected(path[i])
	}
	if s := c.n.sim; s.faults.on {
		s.checkHeal()
		s.caughtUp(c.n)
	}
}

func (c *simChain) BlocksToFetch(max int, skip func(chainhash.Hash) bool) []chain.BlockRef {
	var path []*bnode
	for x := c.bestHdr; x != nil && (int(x.height) >= len(c.main) || c.main[x.height] != x); x = x.parent {
		path = append(path, x)
	}
	var out []chain.BlockRef
	for i := len(path) - 1; i >= 0 && len(out) < max; i-- {
		x := path[i]
		if x.blk != nil || (skip != nil && skip(x.hash)) {
			continue
		}
		out = append(out, chain.BlockRef{Hash: x.hash, Height: x.height})
	}
	return out
}

func (c *simChain) BlockLocator(from *chainhash.Hash) []chainhash.Hash {
	b := c.tip
	if from != nil {
		if x := c.index[*from]; x != nil {
			b = x
		}
	}
	var out []chainhash.Hash
	step := int32(1)
	for b != nil {
		out = append(out, b.hash)
		if len(out) >= 10 {
			step *= 2
		}
		for i := int32(0); i < step && b != nil; i++ {
			b = b.parent
		}
	}
	if g := c.main[0]; out[len(out)-1] != g.hash {
		out = append(out, g.hash)
	}
	return out
}

func (c *simChain) LocateHeaders(locator []chainhash.Hash, stop chainhash.Hash, max int) []wire.BlockHeader {
	start := int32(0)
	for _, h := range locator {
		if b := c.index[h]; b != nil && int(b.height) < len(c.main) && c.main[b.height] == b {
			start = b.height + 1
			break
		}
	}
	var out []wire.BlockHeader
	for h := start; int(h) < len(c.main) && len(out) < max; h++ {
		out = append(out, c.main[h].hdr)
		if c.main[h].hash == stop {
			break
		}
	}
	return out
}

func (c *simChain) HaveBlock(h chainhash.Hash) bool {
	b := c.index[h]
	return b != nil && b.blk != nil
}

func (c *simChain) BlockByHash(h chainhash.Hash) (*wire.MsgBlock, error) {
	if b := c.index[h]; b != nil && b.blk != nil {
		return b.blk, nil
	}
	return nil, chain.RuleError{Kind: chain.ErrBlockNotFound, Description: "block not found"}
}

func (c *simChain) RawBlockByHash(h chainhash.Hash) ([]byte, error) {
	blk, err := c.BlockByHash(h)
	if err != nil {
		return nil, err
	}
	return blk.Bytes(), nil
}

func (c *simChain) HeaderByHash(h chainhash.Hash) (wire.BlockHeader, int32, error) {
	if b := c.index[h]; b != nil {
		return b.hdr, b.height, nil
	}
	return wire.BlockHeader{}, 0, chain.RuleError{Kind: chain.ErrBlockNotFound, Description: "header not found"}
}

func (c *simChain) IsInitialBlockDownload() bool { return false }
