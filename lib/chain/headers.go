package chain

import (
	"fmt"
	"math/big"
	"time"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// Headers-first: headers are validated and indexed before their blocks,
// so a syncing node knows the chain it downloads (and can fetch its blocks
// from several peers at once).

// HeaderResult reports what ProcessHeaders did.
type HeaderResult struct {
	Added   int            // new headers indexed
	Last    chainhash.Hash // the last header of the batch that is now known
	Height  int32          // its height
	Stored  bool           // the new headers were written to disk (their chain can win)
	Skipped int            // headers already known
}

// ProcessHeaders validates a batch of consecutive headers — the first
// building on a known header, each next on the one before — as a block's
// header is validated (proof of work, required bits, time, version,
// checkpoints), and indexes them without their blocks. Headers already
// known are skipped. The valid prefix of a batch is kept when a later
// header fails; the error is a RuleError.
//
// New headers are written to disk when the chain they extend could win
// (its work reaches the tip's and the network's MinimumChainWork, as for
// blocks, see ProcessBlock): a restart then resumes the sync. Lighter
// ones are kept in memory only, at most MaxSideHeaders of them.
func (c *Chain) ProcessHeaders(hdrs []wire.BlockHeader) (HeaderResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var res HeaderResult
	if c.closed {
		return res, ErrClosed
	}
	if len(hdrs) == 0 {
		return res, nil
	}
	var added []*blockNode
	var firstErr error
	for i := range hdrs {
		h := &hdrs[i]
		hash := h.BlockHash()
		if n := c.index.nodes[hash]; n != nil {
			if n.status.knownInvalid() {
				firstErr = ruleError(ErrKnownInvalid, "header %v is known to be invalid", hash)
				break
			}
			res.Skipped++
			res.Last, res.Height = hash, n.height
			continue
		}
		prev := c.index.nodes[h.PrevBlock]
		if prev == nil {
			if i == 0 {
				firstErr = ruleError(ErrPrevBlockNotFound, "header %v builds on unknown block %v", hash, h.PrevBlock)
			} else {
				firstErr = ruleError(ErrHeadersNotConnected, "header %d (%v) does not build on header %d", i, hash, i-1)
			}
			break
		}
		if err := c.checkHeader(h, hash, prev); err != nil {
			firstErr = err
			break
		}
		n := newBlockNode(h, prev)
		c.index.add(n)
		c.headersOnly[n] = struct{}{} // until written below
		c.noteHeader(n)
		added = append(added, n)
		res.Last, res.Height = hash, n.height
	}
	res.Added = len(added)
	if len(added) == 0 {
		return res, firstErr
	}
	last := added[len(added)-1]
	if c.worthStoring(last, BFNone) {
		if err := c.persistHeaders(last); err != nil {
			for i := len(added) - 1; i >= 0; i-- {
				c.index.remove(added[i])
				delete(c.headersOnly, added[i])
			}
			c.noteLeaf(added[0].parent)
			c.recomputeBestHeader()
			return HeaderResult{}, fmt.Errorf("chain: store headers: %w", err)
		}
		res.Stored = true
	} else {
		for _, n := range added {
			c.noteLeaf(n)
		}
		c.trimSideHeaders()
	}
	c.log.Debug("headers", "added", res.Added, "skipped", res.Skipped, "last", res.Last, "height", res.Height, "stored", res.Stored)
	return res, firstErr
}

// checkHeader runs the checks of a new header on a known parent: the
// ones acceptBlock runs before indexing a block.
func (c *Chain) checkHeader(h *wire.BlockHeader, hash chainhash.Hash, prev *blockNode) error {
	if err := checkProofOfWork(h, &hash, c.params.PowLimit, false); err != nil {
		return err
	}
	if err := c.checkHeaderTime(h); err != nil {
		return err
	}
	if prev.status.knownInvalid() {
		return ruleError(ErrInvalidAncestor, "header %v builds on invalid block %v", hash, prev.hash)
	}
	if err := c.checkHeaderContext(h, prev); err != nil {
		return err
	}
	return c.checkCheckpoints(hash, prev)
}

// persistHeaders writes n and its ancestors held in memory only to the
// block index (without data), in one commit.
func (c *Chain) persistHeaders(n *blockNode) error {
	var nodes []*blockNode
	for a := n; a != nil; a = a.parent {
		if _, ok := c.headersOnly[a]; !ok {
			break
		}
		nodes = append(nodes, a)
	}
	err := c.db.Update(func(tx *store.Tx) error {
		b := tx.Bucket(bucketBlockIndex)
		for _, a := range nodes {
			if err := b.Put(indexKey(a), indexValue(a)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, a := range nodes {
		delete(c.headersOnly, a)
	}
	return nil
}

// BlockRef names a block of the chain.
type BlockRef struct {
	Hash   chainhash.Hash
	Height int32
}

// BlocksToFetch returns up to max blocks of the best header chain, lowest
// first, whose data this node lacks: the blocks a sync downloads next.
// skip reports blocks already being fetched (nil: none); they are passed
// over without counting. The cost is the blocks it looks at above the
// tip, not the length of the header chain.
func (c *Chain) BlocksToFetch(max int, skip func(chainhash.Hash) bool) []BlockRef {
	c.mu.Lock() // the best-header path cache may be refreshed
	defer c.mu.Unlock()
	bh := c.bestHeader
	if bh == nil || max <= 0 {
		return nil
	}
	path := c.bestHeaderPath()
	// The fork: the highest height where the path meets the active chain.
	h := min(c.index.tip().height, bh.height)
	for h > 0 && c.index.main[h] != path[h] {
		h--
	}
	var out []BlockRef
	for h++; int(h) < len(path) && len(out) < max; h++ {
		n := path[h]
		if n.status&statusDataStored != 0 || n.status.knownInvalid() {
			continue
		}
		if skip != nil && skip(n.hash) {
			continue
		}
		out = append(out, BlockRef{n.hash, n.height})
	}
	return out
}

// bestHeaderPath returns the best header's chain indexed by height,
// genesis to the best header, updating the cached one from where it still
// agrees (appended headers cost only themselves). Requires c.mu.
func (c *Chain) bestHeaderPath() []*blockNode {
	bh := c.bestHeader
	p := c.bhPath
	if len(p) > 0 && p[len(p)-1] == bh {
		return p
	}
	if int(bh.height) >= len(p) {
		p = append(p, make([]*blockNode, int(bh.height)+1-len(p))...)
	} else {
		p = p[:bh.height+1]
	}
	for n := bh; n != nil && p[n.height] != n; n = n.parent {
		p[n.height] = n
	}
	c.bhPath = p
	return p
}

// BlockLocator returns a locator for the active chain's tip (or, when
// from is a known block, for that block): the ten last hashes one by one,
// then exponentially sparser back to genesis, genesis last.
func (c *Chain) BlockLocator(from *chainhash.Hash) []chainhash.Hash {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := c.index.tip()
	if from != nil {
		if f := c.index.nodes[*from]; f != nil {
			n = f
		}
	}
	var out []chainhash.Hash
	step := int32(1)
	for n != nil {
		out = append(out, n.hash)
		if n.height == 0 {
			break
		}
		h := n.height - step
		if h < 0 {
			h = 0
		}
		n = c.index.ancestor(n, h)
		if len(out) >= 10 {
			step *= 2
		}
	}
	return out
}

// LocateHeaders returns up to max headers of the active chain after the
// first locator hash on it (after genesis when none is), stopping after
// stop when stop is on the way.
func (c *Chain) LocateHeaders(locator []chainhash.Hash, stop chainhash.Hash, max int) []wire.BlockHeader {
	c.mu.RLock()
	defer c.mu.RUnlock()
	start := int32(0)
	for _, h := range locator {
		if n := c.index.nodes[h]; n != nil && c.index.inMain(n) {
			start = n.height
			break
		}
	}
	var out []wire.BlockHeader
	for h := start + 1; int(h) < len(c.index.main) && len(out) < max; h++ {
		n := c.index.main[h]
		out = append(out, n.header)
		if n.hash == stop {
			break
		}
	}
	return out
}

// IsInitialBlockDownload reports whether the node is still catching up:
// its tip's work is below the network's MinimumChainWork, or the tip is
// more than a day old. Once false it stays false (a stalled network does
// not put a synced node back into sync mode).
func (c *Chain) IsInitialBlockDownload() bool {
	if c.ibdDone.Load() {
		return false
	}
	best := c.Best()
	if min := c.params.MinimumChainWork; min != nil && best.Work.Cmp(min) < 0 {
		return true
	}
	if c.now().Sub(time.Unix(best.Timestamp, 0)) > maxTipAge {
		return true
	}
	c.ibdDone.Store(true)
	return false
}

// maxTipAge is how old a tip may be for the node to count as synced.
const maxTipAge = 24 * time.Hour

// SyncProgress reports the tip's and the best header's heights and work,
// for getblockchaininfo (headers, verificationprogress).
type SyncProgress struct {
	TipHeight, HeaderHeight int32
	TipWork, HeaderWork     *big.Int
}

// Progress returns the sync progress.
func (c *Chain) Progress() SyncProgress {
	c.mu.RLock()
	defer c.mu.RUnlock()
	tip := c.index.tip()
	bh := c.bestHeader
	if bh == nil || bh.workSum.Cmp(tip.workSum) < 0 {
		bh = tip
	}
	return SyncProgress{TipHeight: tip.height, HeaderHeight: bh.height,
		TipWork: new(big.Int).Set(tip.workSum), HeaderWork: new(big.Int).Set(bh.workSum)}
}
