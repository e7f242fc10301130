package mempool

import (
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/wire"
)

// TestSizeCapEviction fills a three-transaction pool and checks which
// package goes, the rolling minimum fee, and its decay.
func TestSizeCapEviction(t *testing.T) {
	h := newHarness(t, Policy{}, 120)
	tx0 := h.spendOne(h.coin(), 0)
	v := int64(tx0.VSize())
	h.pool = h.newPool(Policy{MaxPoolBytes: 3 * estimateUsage(tx0)}) // every tx here has this size
	// withRate spends in at rate dust/kvB (every tx here has vsize v).
	withRate := func(in chaingen.SpendableOut, rate int64) *wire.MsgTx {
		tx := h.spendOne(in, rate*v/1000)
		if int64(tx.VSize()) != v {
			t.Fatalf("vsize %d, want %d", tx.VSize(), v)
		}
		return tx
	}
	r := func(rate int64) int64 { return feeRate(rate*v/1000, v) } // rate after rounding
	parent := withRate(h.coin(), 1000)                             // alone the cheapest...
	child := withRate(outOf(parent, 0), 20_000)                    // ...but its package pays 10,500
	cheap := withRate(h.coin(), 4000)
	h.accept(parent)
	h.accept(child)
	h.accept(cheap)
	if h.pool.Info().MinFeeRate != 1000 {
		t.Fatal("rolling minimum set before any eviction")
	}

	n1 := withRate(h.coin(), 8000)
	h.accept(n1)
	h.checkPool(parent, child, n1) // the 4,000 package went, not the 1,000 parent
	if got := h.pool.Info().MinFeeRate; got != r(4000)+1000 {
		t.Fatalf("rolling minimum %d, want 4000+1000", got)
	}

	h.reject(withRate(h.coin(), 4500), ErrMempoolMinFee, "mempool min fee not met")
	// Above the minimum, but the cheapest in a full pool: it evicts itself.
	h.reject(withRate(h.coin(), 5500), ErrPoolFull, "mempool full")
	h.checkPool(parent, child, n1)
	if got := h.pool.Info().MinFeeRate; got != r(5500)+1000 {
		t.Fatalf("rolling minimum %d, want 5500+1000", got)
	}

	n3 := withRate(h.coin(), 9000)
	h.accept(n3)
	h.checkPool(parent, child, n3)
	if got := h.pool.Info().MinFeeRate; got != r(8000)+1000 {
		t.Fatalf("rolling minimum %d, want 8000+1000", got)
	}

	h.clock = h.clock.Add(12 * time.Hour)
	if got, want := h.pool.Info().MinFeeRate, (r(8000)+1000+1)/2; got != want {
		t.Fatalf("after one half-life %d, want %d", got, want)
	}
	h.clock = h.clock.Add(48 * time.Hour)
	if got := h.pool.Info().MinFeeRate; got != 1000 {
		t.Fatalf("after decay %d, want the relay floor", got)
	}
	// Still full: a newcomer now needs only to beat the cheapest package.
	n4 := withRate(h.coin(), 10_000)
	h.accept(n4)
	h.checkPool(parent, child, n4)
}

func TestExpire(t *testing.T) {
	h := newHarness(t, Policy{Expiry: time.Hour}, 115)
	old := h.spendOne(h.coin(), 1000)
	h.accept(old)
	oldChild := h.spendOne(outOf(old, 0), 1000)
	h.clock = h.clock.Add(40 * time.Minute)
	h.accept(oldChild)
	young := h.spendOne(h.coin(), 1000)
	h.accept(young)
	if n := h.pool.Expire(h.clock.Add(10 * time.Minute)); n != 0 {
		t.Fatalf("expired %d too early", n)
	}
	if n := h.pool.Expire(h.clock.Add(30 * time.Minute)); n != 2 {
		t.Fatalf("expired %d, want the old tx and its child", n)
	}
	h.checkPool(young)
}
