package mempool

import (
	"testing"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// TestForEachWtxid: every pool transaction is visited once, with its
// witness hash; returning false stops the scan; orphans are not pool
// transactions.
func TestForEachWtxid(t *testing.T) {
	h := newHarness(t, Policy{}, 115)
	coin := h.coin()
	a := h.spend([]chaingen.SpendableOut{coin}, coin.Amount/2, coin.Amount/2-2000)
	b := h.spendOne(outOf(a, 0), 1000)
	c := h.spendOne(outOf(a, 1), 1000)
	orphan := h.spendOne(outOf(b, 0), 1000) // its parent not yet in the pool
	h.accept(a)
	if _, err := h.pool.ProcessTransaction(orphan, true); err != nil {
		t.Fatal(err)
	}
	h.accept(c)
	want := map[chainhash.Hash]*wire.MsgTx{a.WitnessHash(): a, c.WitnessHash(): c}
	seen := map[chainhash.Hash]int{}
	h.pool.ForEachWtxid(func(w chainhash.Hash, tx *wire.MsgTx) bool {
		seen[w]++
		if want[w] != tx {
			t.Errorf("wtxid %s visited with the wrong transaction", w)
		}
		return true
	})
	if len(seen) != len(want) {
		t.Fatalf("visited %d transactions, want %d (the orphan is not one)", len(seen), len(want))
	}
	for w, k := range seen {
		if k != 1 {
			t.Errorf("wtxid %s visited %d times", w, k)
		}
	}
	calls := 0
	h.pool.ForEachWtxid(func(chainhash.Hash, *wire.MsgTx) bool {
		calls++
		return false
	})
	if calls != 1 {
		t.Fatalf("the scan went on after f returned false: %d calls", calls)
	}
}
