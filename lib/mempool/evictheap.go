package mempool

import "container/heap"

// The eviction index: a min-heap of package fee rates with lazy deletion.
// Whenever an entry's descendant aggregates change, a fresh record is
// pushed and the entry's version bumped; records whose version no longer
// matches (or whose entry left) are discarded when they reach the top.
// Finding the cheapest package is then O(log n) amortised instead of a
// scan of the whole pool, which matters when a full pool evicts on almost
// every arrival.

type evictRecord struct {
	e    *entry
	ver  uint64
	rate float64 // descFees / descSize when pushed
	seq  uint64
}

type evictHeap []evictRecord

func (h evictHeap) Len() int { return len(h) }
func (h evictHeap) Less(i, j int) bool {
	if h[i].rate != h[j].rate {
		return h[i].rate < h[j].rate
	}
	return h[i].seq > h[j].seq // ties: the most recent goes first
}
func (h evictHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *evictHeap) Push(x any)   { *h = append(*h, x.(evictRecord)) }
func (h *evictHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	old[len(old)-1] = evictRecord{}
	*h = old[:len(old)-1]
	return r
}

func packageRate(e *entry) float64 { return float64(e.descFees) / float64(e.descSize) }

// touch records that e's aggregates changed.
func (g *txGraph) touch(e *entry) {
	e.ver++
	if e.listing {
		return // never evicted for size (it has no descendants to carry)
	}
	heap.Push(&g.evict, evictRecord{e: e, ver: e.ver, rate: packageRate(e), seq: e.seq})
	if len(g.evict) > 2*len(g.entries)+1024 {
		g.rebuildEvict()
	}
}

func (g *txGraph) rebuildEvict() {
	h := make(evictHeap, 0, len(g.entries))
	for _, e := range g.entries {
		if e.listing {
			continue
		}
		h = append(h, evictRecord{e: e, ver: e.ver, rate: packageRate(e), seq: e.seq})
	}
	heap.Init(&h)
	g.evict = h
}

// worstPackage returns the entry whose package (itself plus descendants)
// has the lowest fee rate, the first to evict when the pool is over its
// cap. Ties go to the most recently added. Nil when the pool is empty.
func (g *txGraph) worstPackage() *entry {
	for len(g.evict) > 0 {
		top := g.evict[0]
		if g.entries[top.e.id()] == top.e && top.ver == top.e.ver {
			return top.e
		}
		heap.Pop(&g.evict)
	}
	return nil
}
