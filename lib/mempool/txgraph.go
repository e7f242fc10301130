package mempool

import (
	"bytes"
	"sort"
	"strconv"
	"time"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// TxDesc describes a pool transaction. A TxDesc handed out by the pool is
// never modified afterwards; treat it as read-only.
type TxDesc struct {
	Tx        *wire.MsgTx
	TxID      chainhash.Hash
	WTxID     chainhash.Hash // the witness hash (BIP339 relay, BIP152 short ids)
	Added     time.Time
	Height    int32 // tip height when the transaction was added
	Fee       int64 // actual fee in dust
	FeeDelta  int64 // operator adjustment (PrioritiseTransaction); mining uses Fee+FeeDelta
	VSize     int64
	Weight    int64
	SigOpCost int
	FeeRate   int64 // Fee per 1000 vbytes
}

// entry is a pool transaction with its in-pool links and the cached
// aggregates over itself and all its in-pool descendants, which drive
// eviction and the descendant limits.
type entry struct {
	desc     *TxDesc
	modFee   int64 // Fee + FeeDelta
	parents  map[chainhash.Hash]*entry
	children map[chainhash.Hash]*entry

	descCount int
	descSize  int64
	descFees  int64

	// spendsCoinbase: some input spends a confirmed coinbase output;
	// timeLocked: lock time or BIP68 sequence locks are in use. Both select
	// the transactions to re-check after a block is disconnected.
	spendsCoinbase bool
	timeLocked     bool
	usage          int64
	listing        bool      // a sale listing: no fee, never mined, outside the size cap
	game           *gameInfo // nil without a game record
	seq            uint64
	ver            uint64 // bumped on each aggregate change (eviction index)
}

func (e *entry) id() chainhash.Hash { return e.desc.TxID }

// txGraph holds the pool's transactions, who spends what, and the totals.
// It is not safe for concurrent use; the Pool's lock guards it.
type txGraph struct {
	entries  map[chainhash.Hash]*entry
	byWtxid  map[chainhash.Hash]*entry
	spenders map[wire.OutPoint]*entry
	bytes    int64 // sum of vsize
	fees     int64 // sum of actual fees
	usage    int64 // approximate memory
	// listings and listingUsage count the sale listings, which the size
	// cap and eviction leave alone (Policy.MaxListings and
	// MaxListingBytes bound them).
	listings     int
	listingUsage int64
	changes      uint64 // entries added and removed, ever
	seq          uint64
	evict        evictHeap
	game         gameIndex // the pool's game effects (the overlay on the chain's registries)
}

func newTxGraph() *txGraph {
	return &txGraph{
		entries:  make(map[chainhash.Hash]*entry),
		byWtxid:  make(map[chainhash.Hash]*entry),
		spenders: make(map[wire.OutPoint]*entry),
		game:     newGameIndex(),
	}
}

// word is the size of a pointer: struct and map overheads scale with it
// (a 32-bit build holds the same pool in less memory).
const word = strconv.IntSize / 8

// gameUsage approximates the heap bytes of a game effect: the records of
// the objects it touches (ids, names, owner scripts, map slots in the
// overlay index).
func gameUsage(gi *gameInfo) int64 {
	if gi == nil {
		return 0
	}
	// Fixed-size fields (ids, outpoints, amounts) in bytes, pointers,
	// slice and string headers and map slots in words.
	n := 96 + 4*word + int64(len(gi.objs))*(40+word)
	if e := gi.eff; e != nil {
		n += int64(len(e.Producers))*(240+18*word) + int64(len(e.Props))*(200+15*word) +
			int64(len(e.Contracts))*(320+24*word) + int64(len(e.ClaimNames)+len(e.FreeNames))*(48+6*word) +
			int64(len(e.Events))*(96+8*word)
	}
	return n
}

// estimateUsage approximates the heap bytes held for one transaction: its
// bytes, the decoded structures and the pool's index slots, in words.
func estimateUsage(tx *wire.MsgTx) int64 {
	n := int64(tx.SerializeSize()) + 50*word
	n += int64(len(tx.TxIn)) * 22 * word // TxIn struct + spender map slot
	n += int64(len(tx.TxOut)) * 6 * word
	return n
}

// add inserts e, linking it to in-pool parents and, after a reorg re-add,
// to in-pool children that already spend its outputs.
func (g *txGraph) add(e *entry) {
	id := e.id()
	g.seq++
	e.seq = g.seq
	e.parents = make(map[chainhash.Hash]*entry)
	e.children = make(map[chainhash.Hash]*entry)
	for _, in := range e.desc.Tx.TxIn {
		g.spenders[in.PreviousOutPoint] = e
		if p, ok := g.entries[in.PreviousOutPoint.Hash]; ok {
			e.parents[p.id()] = p
			p.children[id] = e
		}
	}
	for i := range e.desc.Tx.TxOut {
		if c, ok := g.spenders[wire.OutPoint{Hash: id, Index: uint32(i)}]; ok {
			e.children[c.id()] = c
			c.parents[id] = e
		}
	}
	g.entries[id] = e
	g.byWtxid[e.desc.WTxID] = e
	g.changes++
	g.game.add(e)
	g.bytes += e.desc.VSize
	g.fees += e.desc.Fee
	g.usage += e.usage
	if e.listing {
		g.listings++
		g.listingUsage += e.usage
	}

	if len(e.children) == 0 {
		e.descCount, e.descSize, e.descFees = 1, e.desc.VSize, e.modFee
		g.touch(e)
		for _, a := range g.ancestors(e) {
			a.descCount++
			a.descSize += e.desc.VSize
			a.descFees += e.modFee
			g.touch(a)
		}
		return
	}
	g.recompute(e)
	for _, a := range g.ancestors(e) {
		g.recompute(a)
	}
}

// remove takes e out of the pool alone. Children that stay lose their link
// (after a block, they now spend confirmed outputs).
func (g *txGraph) remove(e *entry) {
	id := e.id()
	if g.entries[id] != e {
		return
	}
	ancestors := g.ancestors(e)
	hadChildren := len(e.children) > 0
	for _, p := range e.parents {
		delete(p.children, id)
	}
	for _, c := range e.children {
		delete(c.parents, id)
	}
	for _, in := range e.desc.Tx.TxIn {
		if g.spenders[in.PreviousOutPoint] == e {
			delete(g.spenders, in.PreviousOutPoint)
		}
	}
	delete(g.entries, id)
	if g.byWtxid[e.desc.WTxID] == e {
		delete(g.byWtxid, e.desc.WTxID)
	}
	g.changes++
	g.game.remove(e)
	g.bytes -= e.desc.VSize
	g.fees -= e.desc.Fee
	g.usage -= e.usage
	if e.listing {
		g.listings--
		g.listingUsage -= e.usage
	}
	for _, a := range ancestors {
		if hadChildren {
			g.recompute(a)
			continue
		}
		a.descCount--
		a.descSize -= e.desc.VSize
		a.descFees -= e.modFee
		g.touch(a)
	}
}

// removeTree removes e and all its descendants, leaves first, and returns
// what it removed.
func (g *txGraph) removeTree(e *entry) []*entry {
	order := g.descendantsPostOrder(e)
	for _, d := range order {
		g.remove(d)
	}
	return order
}

// descendantsPostOrder lists e and its descendants, each after all of its
// own descendants.
func (g *txGraph) descendantsPostOrder(e *entry) []*entry {
	var out []*entry
	seen := make(map[*entry]bool)
	var visit func(n *entry)
	visit = func(n *entry) {
		seen[n] = true
		for _, c := range sortedEntries(n.children) {
			if !seen[c] {
				visit(c)
			}
		}
		out = append(out, n)
	}
	visit(e)
	return out
}

// ancestors lists e's in-pool ancestors (not e).
func (g *txGraph) ancestors(e *entry) []*entry {
	return walk(e, func(n *entry) map[chainhash.Hash]*entry { return n.parents })
}

// descendants lists e's in-pool descendants (not e).
func (g *txGraph) descendants(e *entry) []*entry {
	return walk(e, func(n *entry) map[chainhash.Hash]*entry { return n.children })
}

func walk(e *entry, next func(*entry) map[chainhash.Hash]*entry) []*entry {
	var out []*entry
	seen := map[*entry]bool{e: true}
	queue := []*entry{e}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, m := range next(n) {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
				queue = append(queue, m)
			}
		}
	}
	return out
}

// recompute rebuilds e's descendant aggregates from the graph.
func (g *txGraph) recompute(e *entry) {
	e.descCount, e.descSize, e.descFees = 1, e.desc.VSize, e.modFee
	for _, d := range g.descendants(e) {
		e.descCount++
		e.descSize += d.desc.VSize
		e.descFees += d.modFee
	}
	g.touch(e)
}

// setModFee changes e's modified fee and every aggregate that includes it.
func (g *txGraph) setModFee(e *entry, modFee int64) {
	delta := modFee - e.modFee
	e.modFee = modFee
	e.descFees += delta
	g.touch(e)
	for _, a := range g.ancestors(e) {
		a.descFees += delta
		g.touch(a)
	}
}

// topoOrder returns all entries with every parent before its children;
// among entries of equal depth the order of addition is kept.
func (g *txGraph) topoOrder() []*entry {
	depth := make(map[*entry]int, len(g.entries))
	var d func(e *entry) int
	d = func(e *entry) int {
		if v, ok := depth[e]; ok {
			return v
		}
		depth[e] = 0 // the graph is acyclic; this only guards the recursion
		m := 0
		for _, p := range e.parents {
			if v := d(p) + 1; v > m {
				m = v
			}
		}
		depth[e] = m
		return m
	}
	out := make([]*entry, 0, len(g.entries))
	for _, e := range g.entries {
		d(e)
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if depth[out[i]] != depth[out[j]] {
			return depth[out[i]] < depth[out[j]]
		}
		return out[i].seq < out[j].seq
	})
	return out
}

// sortedEntries returns the map's entries ordered by txid, for
// deterministic walks.
func sortedEntries(m map[chainhash.Hash]*entry) []*entry {
	out := make([]*entry, 0, len(m))
	for _, e := range m {
		out = append(out, e)
	}
	if len(out) > 1 {
		sort.Slice(out, func(i, j int) bool {
			a, b := out[i].id(), out[j].id()
			return bytes.Compare(a[:], b[:]) < 0
		})
	}
	return out
}
