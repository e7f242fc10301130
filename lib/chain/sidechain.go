package chain

import (
	"bytes"
	"container/heap"
	"math/big"

	"github.com/gamegold/gg/lib/chainhash"
)

// Which blocks are worth storing, and the headers kept without them.
//
// Storing a block costs disk and an fsync; a side-chain block forking
// from an early height costs its sender only the proof of work of its own
// bits. So an unsolicited block is stored only when its chain could win:
// the work of its own chain, or of the best known header it leads to,
// reaches the tip's (and the network's MinimumChainWork). Other blocks
// leave their header in memory (headersOnly, bounded, never written):
// enough to recognise their descendants, to report them in getchaintips
// as headers-only and to store them once a heavier chain needs them.

// worthStoring reports whether n's block should be stored. Only a node
// with children can lead to another header (a fresh one, not yet
// indexed, never does); whether it leads to the best header is one look
// at the cached best-header path, not a walk down from it. Requires c.mu
// held for writing (the cache may be refreshed).
func (c *Chain) worthStoring(n *blockNode, flags BehaviorFlags) bool {
	work := n.workSum
	if bh := c.bestHeader; bh != nil && bh != n && len(n.children) != 0 && bh.workSum.Cmp(work) > 0 {
		if p := c.bestHeaderPath(); int(n.height) < len(p) && p[n.height] == n {
			work = bh.workSum
		}
	}
	tipWork := c.index.tip().workSum
	if work.Cmp(tipWork) <= 0 && storedSiblings(n) >= MaxStoredSiblings {
		return false
	}
	if flags&BFRequested != 0 {
		return true
	}
	if min := c.params.MinimumChainWork; min != nil && work.Cmp(min) < 0 {
		return false
	}
	return work.Cmp(tipWork) >= 0
}

// MaxStoredSiblings bounds the stored blocks sharing one parent, unless
// a newcomer's chain has more work than the tip: the first ones seen win
// (as bitcoind prefers the first block of equal work). On regtest, where
// half of all hashes solve a block, a miner without long polling submits
// thousands of valid siblings at one height; requested blocks (submitblock)
// obey this bound too. A refused sibling keeps its header in memory and
// can be stored once its chain has the work.
const MaxStoredSiblings = 4

// storedSiblings counts the children of n's parent, other than n, whose
// block is stored.
func storedSiblings(n *blockNode) int {
	if n.parent == nil {
		return 0
	}
	k := 0
	for _, ch := range n.parent.children {
		if ch != n && ch.status&statusDataStored != 0 {
			k++
		}
	}
	return k
}

// linkData records that n's data is now stored: n (and the stored
// descendants that waited for it) can be connected once every ancestor's
// data is there; the candidates follow.
func (c *Chain) linkData(n *blockNode) {
	if n.haveChain || (n.parent != nil && !n.parent.haveChain) {
		return
	}
	queue := []*blockNode{n}
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		q.haveChain = true
		if !q.status.knownInvalid() {
			c.candidates[q] = struct{}{}
			if q.parent != nil {
				delete(c.candidates, q.parent)
			}
		}
		for _, ch := range q.children {
			if ch.status&statusDataStored != 0 && !ch.haveChain {
				queue = append(queue, ch)
			}
		}
	}
}

// recomputeCandidates rebuilds the candidate set from the index: every
// connectable, valid block without a connectable, valid child.
func (c *Chain) recomputeCandidates() {
	c.candidates = make(map[*blockNode]struct{})
	for _, n := range c.index.nodes {
		if !n.haveChain || n.status.knownInvalid() {
			continue
		}
		leaf := true
		for _, ch := range n.children {
			if ch.haveChain && !ch.status.knownInvalid() {
				leaf = false
				break
			}
		}
		if leaf {
			c.candidates[n] = struct{}{}
		}
	}
}

// noteHeader makes n the best header if it has more work than the current
// one.
func (c *Chain) noteHeader(n *blockNode) {
	if n.status.knownInvalid() {
		return
	}
	if c.bestHeader == nil || n.workSum.Cmp(c.bestHeader.workSum) > 0 {
		c.bestHeader = n
	}
}

// recomputeBestHeader finds the valid header with the most work (the
// active tip wins ties).
func (c *Chain) recomputeBestHeader() {
	best := c.index.tip()
	if best.status.knownInvalid() {
		best = nil
	}
	for _, n := range c.index.nodes {
		if n.status.knownInvalid() {
			continue
		}
		if best == nil || n.workSum.Cmp(best.workSum) > 0 {
			best = n
		}
	}
	c.bestHeader = best
}

// addHeaderOnly indexes n without its block, in memory only, and evicts
// the lightest such headers beyond MaxSideHeaders.
func (c *Chain) addHeaderOnly(n *blockNode) {
	c.index.add(n)
	c.headersOnly[n] = struct{}{}
	c.noteHeader(n)
	c.noteLeaf(n)
	c.trimSideHeaders()
}

// trimSideHeaders evicts the lightest side headers beyond MaxSideHeaders.
func (c *Chain) trimSideHeaders() {
	for len(c.headersOnly) > c.cfg.MaxSideHeaders {
		if !c.evictHeaderOnly() {
			break
		}
	}
}

// noteLeaf queues n for eviction if it is a side header without
// children. Callers note every node that may have become one: a side
// header added, or one whose last child left the index.
func (c *Chain) noteLeaf(n *blockNode) {
	if _, ok := c.headersOnly[n]; !ok || len(n.children) != 0 {
		return
	}
	heap.Push(&c.sideLeaves, n)
	// Entries go stale (a child arrived, the header was stored or
	// evicted) and are dropped when they come up; rebuild before they
	// outnumber the live ones.
	if len(c.sideLeaves) > 2*len(c.headersOnly)+64 {
		c.sideLeaves = c.sideLeaves[:0]
		for h := range c.headersOnly {
			if len(h.children) == 0 {
				c.sideLeaves = append(c.sideLeaves, h)
			}
		}
		heap.Init(&c.sideLeaves)
	}
}

// evictHeaderOnly forgets the side-header leaf with the least work (ties:
// the lowest hash, so the choice does not depend on map order), never the
// best header. It reports whether one was found. The leaves wait in a
// heap, so an eviction costs O(log n), not a scan of the store.
func (c *Chain) evictHeaderOnly() bool {
	var held *blockNode // the best header, back in the heap afterwards
	defer func() {
		if held != nil {
			heap.Push(&c.sideLeaves, held)
		}
	}()
	for len(c.sideLeaves) > 0 {
		n := heap.Pop(&c.sideLeaves).(*blockNode)
		c.evictVisits++
		if _, ok := c.headersOnly[n]; !ok || len(n.children) != 0 {
			continue // stale
		}
		if n == c.bestHeader {
			held = n
			continue
		}
		c.index.remove(n)
		delete(c.headersOnly, n)
		if n.parent != nil {
			c.noteLeaf(n.parent)
		}
		return true
	}
	return false
}

// leafHeap orders side headers lightest first (lighter).
type leafHeap []*blockNode

func (h leafHeap) Len() int           { return len(h) }
func (h leafHeap) Less(i, j int) bool { return lighter(h[i], h[j]) }
func (h leafHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *leafHeap) Push(x any)        { *h = append(*h, x.(*blockNode)) }
func (h *leafHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return n
}

func lighter(a, b *blockNode) bool {
	if d := a.workSum.Cmp(b.workSum); d != 0 {
		return d < 0
	}
	return bytes.Compare(a.hash[:], b.hash[:]) < 0
}

// checkCheckpoints refuses a header at a checkpoint's height with another
// hash, and one forking below the last checkpoint the index knows (every
// active-chain block below it is known, so a new header there is a fork).
func (c *Chain) checkCheckpoints(hash chainhash.Hash, prev *blockNode) error {
	height := prev.height + 1
	if err := CheckCheckpoint(c.params, hash, height); err != nil {
		return err
	}
	cps := c.params.Checkpoints
	for i := len(cps) - 1; i >= 0; i-- {
		if c.index.nodes[cps[i].Hash] == nil {
			continue
		}
		if height < cps[i].Height {
			return ruleError(ErrForkBeforeCheckpoint, "block %v at height %d forks below the checkpoint at height %d",
				hash, height, cps[i].Height)
		}
		break
	}
	return nil
}

// BestHeader returns the hash, height and chain work of the valid header
// with the most work, whether its blocks are stored or not (during
// headers-first sync it leads the tip).
func (c *Chain) BestHeader() (chainhash.Hash, int32, *big.Int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	bh := c.bestHeader
	if bh == nil {
		bh = c.index.tip()
	}
	return bh.hash, bh.height, new(big.Int).Set(bh.workSum)
}

// SideHeaders returns how many headers are kept in memory without their
// blocks.
func (c *Chain) SideHeaders() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.headersOnly)
}
