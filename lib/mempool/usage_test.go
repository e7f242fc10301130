package mempool

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/wire"
)

// TestUsageEstimate: the pool's memory estimate (what MaxPoolBytes caps)
// is within a factor of the heap a pool really holds for its
// transactions, decoded as they arrive from peers or RPC. The review
// measured ~6.3× the serialized sizes; the estimate must follow.
func TestUsageEstimate(t *testing.T) {
	if raceEnabled {
		t.Skip("heap measurement under the race detector")
	}
	const n = 3000
	h := newHarness(t, Policy{}, 102)
	raws := make([][]byte, n)
	serialized := 0
	for i, tx := range benchTxs(h, n) {
		raws[i] = tx.Bytes()
		serialized += len(raws[i])
	}
	checkUsage(t, New(Config{Params: h.params, Chain: h.chain}), raws, serialized, fmt.Sprintf("%d txs", n))
}

// checkUsage accepts raws into p and compares the pool's usage estimate
// with the heap the transactions took: within 0.8–1.5×.
func checkUsage(t *testing.T, p *Pool, raws [][]byte, serialized int, what string) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, raw := range raws {
		tx, err := wire.DecodeTx(raw)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.ProcessTransaction(tx, false); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	est := p.Info().Usage
	t.Logf("%s: serialized %d B, estimated %d B (%.2f×), heap %d B (%.2f×), estimate/heap %.2f",
		what, serialized, est, float64(est)/float64(serialized), heap, float64(heap)/float64(serialized), float64(est)/float64(heap))
	if ratio := float64(est) / float64(heap); ratio < 0.8 || ratio > 1.5 {
		t.Errorf("estimate %d B is %.2f× the measured heap %d B (want 0.8–1.5×)", est, ratio, heap)
	}
	runtime.KeepAlive(p)
}

// TestUsageEstimateGame: the same for game transactions, whose effects
// (one record per prop created) the pool keeps too.
func TestUsageEstimateGame(t *testing.T) {
	if raceEnabled {
		t.Skip("heap measurement under the race detector")
	}
	h := &gameHarness{harness: newHarness(t, Policy{}, 150),
		alice: chaingen.NewKey("alice"), bob: chaingen.NewKey("bob"), carol: chaingen.NewKey("carol")}
	const producers, props = 12, 400
	var raws [][]byte
	serialized := 0
	for i := range producers {
		reg, pid := h.register(fmt.Sprintf("maker-%02d", i), h.alice)
		h.mine(reg)
		prodOut := gout(reg, 1)
		golds := make([]int64, props)
		for j := range golds {
			golds[j] = 20_000
		}
		raw := h.create(&prodOut, h.alice, pid, h.bob, golds...).Bytes()
		raws = append(raws, raw)
		serialized += len(raw)
	}
	p := New(Config{Params: h.params, Chain: h.chain, Policy: Policy{MinRelayFeeRate: 1}}) // the builder pays 1,000 dust
	checkUsage(t, p, raws, serialized, fmt.Sprintf("%d creates of %d props", producers, props))
}

// TestPoolMemoryCap: MaxPoolBytes bounds the memory a full pool holds,
// not the sum of virtual sizes (which let a "300 MB" pool hold ~1.9 GB).
func TestPoolMemoryCap(t *testing.T) {
	if raceEnabled {
		t.Skip("heap measurement under the race detector")
	}
	const n, limit = 3000, 1 << 20
	h := newHarness(t, Policy{}, 102)
	raws := make([][]byte, n)
	for i, tx := range benchTxs(h, n) {
		raws[i] = tx.Bytes()
	}
	p := New(Config{Params: h.params, Chain: h.chain, Policy: Policy{MaxPoolBytes: limit}, TimeSource: func() time.Time { return h.clock }})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, raw := range raws {
		tx, err := wire.DecodeTx(raw)
		if err != nil {
			t.Fatal(err)
		}
		p.ProcessTransaction(tx, false) // refusals for a low fee rate are expected once full
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	info := p.Info()
	t.Logf("cap %d B: %d of %d txs kept, %d vbytes, estimate %d B, heap %d B", limit, info.Size, n, info.Bytes, info.Usage, heap)
	if info.Usage > limit {
		t.Errorf("estimated use %d B above the cap %d B", info.Usage, limit)
	}
	if heap > limit*3/2 {
		t.Errorf("the full pool holds %d B of heap, above 1.5× the %d B cap", heap, limit)
	}
	runtime.KeepAlive(p)
}
