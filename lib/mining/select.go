package mining

import (
	"bytes"
	"container/heap"
	"math/bits"
	"sort"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/mempool"
)

// candidate is a pool transaction being considered for a template.
type candidate struct {
	desc   *mempool.TxDesc
	id     chainhash.Hash
	fee    int64 // fee plus the operator's delta
	weight int64
	sigops int

	parents  []*candidate
	children []*candidate
	nAnc     int // in-pool ancestors when selection started; orders packages

	// Aggregates over the candidate and its ancestors not yet selected.
	ancFee    int64
	ancWeight int64
	ancSigOps int

	state   candState
	version int // bumped whenever the aggregates change
}

type candState uint8

const (
	pending candState = iota
	selected
	excluded
)

// maxConsecutiveFailures stops selection once this many packages in a row
// did not fit into a nearly full block.
const maxConsecutiveFailures = 1000

// selectTxs picks pool transactions for a block at height whose parent has
// median time past mtp, in a valid block order.
func (g *Generator) selectTxs(height int32, mtp int64) []*candidate {
	if g.src == nil {
		return nil
	}
	descs := g.src.MiningDescs()
	if len(descs) == 0 {
		return nil
	}
	byID := make(map[chainhash.Hash]*candidate, len(descs))
	all := make([]*candidate, 0, len(descs))
	for _, d := range descs {
		id := d.TxID
		if id.IsZero() {
			id = d.Tx.TxHash()
		}
		if byID[id] != nil {
			continue
		}
		w := d.Weight
		if w <= 0 {
			w = int64(d.Tx.Weight())
		}
		c := &candidate{desc: d, id: id, fee: d.Fee + d.FeeDelta, weight: w, sigops: d.SigOpCost}
		byID[id] = c
		all = append(all, c)
	}
	for _, c := range all {
		seen := map[*candidate]bool{}
		for _, in := range c.desc.Tx.TxIn {
			p := byID[in.PreviousOutPoint.Hash]
			if p != nil && p != c && !seen[p] {
				seen[p] = true
				c.parents = append(c.parents, p)
				p.children = append(p.children, c)
			}
		}
	}
	g.excludeUnusable(all, height, mtp)
	for _, c := range all {
		if c.state != pending {
			continue
		}
		anc := ancestors(c, nil)
		c.nAnc = len(anc)
		c.ancFee, c.ancWeight, c.ancSigOps = c.fee, c.weight, c.sigops
		for _, a := range anc {
			c.ancFee += a.fee
			c.ancWeight += a.weight
			c.ancSigOps += a.sigops
		}
	}

	limitW := int64(g.MaxBlockWeight - CoinbaseReservedWeight)
	limitS := g.MaxSigOpCost - CoinbaseReservedSigOps
	var usedW int64
	usedS := 0
	h := &candHeap{}
	for _, c := range all {
		if c.state == pending {
			h.items = append(h.items, heapItem{c, c.version})
		}
	}
	heap.Init(h)
	var out []*candidate
	failures := 0
	for h.Len() > 0 {
		it := heap.Pop(h).(heapItem)
		c := it.c
		if c.state != pending || it.version != c.version {
			continue
		}
		if usedW+c.ancWeight > limitW || usedS+c.ancSigOps > limitS {
			excludeWithDescendants(c)
			failures++
			if failures > maxConsecutiveFailures && usedW > limitW-CoinbaseReservedWeight {
				break
			}
			continue
		}
		failures = 0
		pkg := append(ancestors(c, func(a *candidate) bool { return a.state == pending }), c)
		sort.SliceStable(pkg, func(i, j int) bool { return pkg[i].nAnc < pkg[j].nAnc })
		for _, p := range pkg {
			p.state = selected
			usedW += p.weight
			usedS += p.sigops
			out = append(out, p)
		}
		for _, p := range pkg {
			for _, d := range descendants(p) {
				if d.state != pending {
					continue
				}
				d.ancFee -= p.fee
				d.ancWeight -= p.weight
				d.ancSigOps -= p.sigops
				d.version++
				heap.Push(h, heapItem{d, d.version})
			}
		}
	}
	return out
}

// excludeUnusable drops transactions that are not final for the new
// block, sale listings and auction bids not final at height (bid below
// buy-now before the end, or past end + grace), contract fulfils and
// escrow claims at or past the contract's expiry, and transactions whose
// confirmed inputs the chain no longer has, with all their in-pool
// descendants.
func (g *Generator) excludeUnusable(all []*candidate, height int32, mtp int64) {
	for _, c := range all {
		if c.state != pending {
			continue
		}
		tx := c.desc.Tx
		if !chain.IsFinalizedTransaction(tx, height, mtp) {
			g.logger().Debug("skipping non-final transaction", "txid", c.id, "height", height)
			excludeWithDescendants(c)
			continue
		}
		if a, ok := mempool.AuctionOf(tx); ok && !a.Final(height, g.params) {
			g.logger().Debug("skipping sale not final", "txid", c.id, "height", height, "listing", a.Listing)
			excludeWithDescendants(c)
			continue
		}
		if g.contractExpired(c, height) {
			g.logger().Debug("skipping contract transaction past its expiry", "txid", c.id, "height", height)
			excludeWithDescendants(c)
			continue
		}
		if !g.confirmedInputsExist(c) {
			g.logger().Debug("skipping transaction with missing inputs", "txid", c.id)
			excludeWithDescendants(c)
		}
	}
}

// contractSource is the optional part of Chain that lists contracts;
// *chain.Chain has it.
type contractSource interface {
	Contract(id game.ID) (*game.Contract, error)
}

// contractExpired reports whether c fulfils a contract, or claims an
// escrow, whose expiry is at or below height: the game rules refuse both
// from the expiry ("game-contract-expired").
func (g *Generator) contractExpired(c *candidate, height int32) bool {
	r, _, err := game.FindRecord(c.desc.Tx)
	if err != nil || r == nil {
		return false
	}
	switch r := r.(type) {
	case *game.ContractFulfil:
		return int64(height) >= int64(r.Terms.Expiry)
	case *game.ContractExecute:
		if r.Path != game.PathClaim {
			return false
		}
		t := g.contractTerms(c, r.Contract)
		return t != nil && int64(height) >= int64(t.Expiry)
	}
	return false
}

// contractTerms returns the terms of contract id, fulfilled by a pool
// parent of c or on chain; nil when unknown.
func (g *Generator) contractTerms(c *candidate, id game.ID) *game.Terms {
	for _, p := range c.parents {
		r, _, err := game.FindRecord(p.desc.Tx)
		if err != nil {
			continue
		}
		if f, ok := r.(*game.ContractFulfil); ok {
			if fid, err := game.ContractID(&f.Terms); err == nil && fid == id {
				return &f.Terms
			}
		}
	}
	if cs, ok := g.chain.(contractSource); ok {
		if ct, err := cs.Contract(id); err == nil && ct != nil {
			return &ct.Terms
		}
	}
	return nil
}

// confirmedInputsExist reports whether every input not spending a pool
// parent is unspent at the chain tip.
func (g *Generator) confirmedInputsExist(c *candidate) bool {
	inPool := make(map[chainhash.Hash]bool, len(c.parents))
	for _, p := range c.parents {
		inPool[p.id] = true
	}
	needChain := false
	for _, in := range c.desc.Tx.TxIn {
		if !inPool[in.PreviousOutPoint.Hash] {
			needChain = true
			break
		}
	}
	if !needChain {
		return true
	}
	view, err := g.chain.FetchUtxoView(c.desc.Tx)
	if err != nil || view == nil {
		return false
	}
	for _, in := range c.desc.Tx.TxIn {
		if inPool[in.PreviousOutPoint.Hash] {
			continue
		}
		if view.LookupEntry(in.PreviousOutPoint) == nil {
			return false
		}
	}
	return true
}

// ancestors returns c's in-pool ancestors (not c) accepted by keep (all
// when keep is nil), without repeats.
func ancestors(c *candidate, keep func(*candidate) bool) []*candidate {
	var out []*candidate
	seen := map[*candidate]bool{c: true}
	stack := append([]*candidate(nil), c.parents...)
	for len(stack) > 0 {
		a := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[a] {
			continue
		}
		seen[a] = true
		if keep != nil && !keep(a) {
			continue
		}
		out = append(out, a)
		stack = append(stack, a.parents...)
	}
	return out
}

// descendants returns c's in-pool descendants (not c), without repeats.
func descendants(c *candidate) []*candidate {
	var out []*candidate
	seen := map[*candidate]bool{c: true}
	stack := append([]*candidate(nil), c.children...)
	for len(stack) > 0 {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[d] {
			continue
		}
		seen[d] = true
		out = append(out, d)
		stack = append(stack, d.children...)
	}
	return out
}

func excludeWithDescendants(c *candidate) {
	c.state = excluded
	for _, d := range descendants(c) {
		if d.state == pending {
			d.state = excluded
		}
	}
}

// heapItem is a snapshot of a candidate's aggregates; it is stale once
// the candidate's version moves on.
type heapItem struct {
	c       *candidate
	version int
}

// candHeap orders candidates best first: highest ancestor fee rate, then
// the smaller package, then the smaller txid (for determinism).
type candHeap struct{ items []heapItem }

func (h *candHeap) Len() int { return len(h.items) }
func (h *candHeap) Less(i, j int) bool {
	a, b := h.items[i].c, h.items[j].c
	if r := cmpRate(a.ancFee, a.ancWeight, b.ancFee, b.ancWeight); r != 0 {
		return r > 0
	}
	if a.ancWeight != b.ancWeight {
		return a.ancWeight < b.ancWeight
	}
	return bytes.Compare(a.id[:], b.id[:]) < 0
}
func (h *candHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *candHeap) Push(x any)    { h.items = append(h.items, x.(heapItem)) }
func (h *candHeap) Pop() any {
	n := len(h.items) - 1
	it := h.items[n]
	h.items = h.items[:n]
	return it
}

// cmpRate compares the fee rates f1/w1 and f2/w2 (weights positive)
// exactly, returning -1, 0 or +1.
func cmpRate(f1, w1, f2, w2 int64) int {
	if w1 <= 0 {
		w1 = 1
	}
	if w2 <= 0 {
		w2 = 1
	}
	s1, s2 := sign(f1), sign(f2)
	if s1 != s2 {
		if s1 > s2 {
			return 1
		}
		return -1
	}
	if s1 == 0 {
		return 0
	}
	// Same sign: compare |f1|*w2 with |f2|*w1, reversed for negatives.
	h1, l1 := bits.Mul64(abs(f1), uint64(w2))
	h2, l2 := bits.Mul64(abs(f2), uint64(w1))
	r := 0
	switch {
	case h1 != h2:
		r = cmpU(h1, h2)
	default:
		r = cmpU(l1, l2)
	}
	return r * s1
}

func sign(x int64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func abs(x int64) uint64 {
	if x < 0 {
		return uint64(-x)
	}
	return uint64(x)
}

func cmpU(a, b uint64) int {
	switch {
	case a > b:
		return 1
	case a < b:
		return -1
	}
	return 0
}
