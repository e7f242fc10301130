package mempool

import (
	"errors"
	"testing"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/wire"
)

func TestReplacement(t *testing.T) {
	h := newHarness(t, Policy{}, 120)
	coin := h.coin()
	orig := h.spendOne(coin, 1000)
	child := h.spendOne(outOf(orig, 0), 1000)
	grandchild := h.spendOne(outOf(child, 0), 1000)
	h.accept(orig)
	h.accept(child)
	h.accept(grandchild)
	other := h.accept(h.spendOne(h.coin(), 1000))[0].Tx

	// Evicting all three costs 3000 dust; a same-size replacement must
	// add its own relay fee (vsize dust at 1000/kvB) on top.
	relay := int64(orig.VSize())
	h.reject(h.spendOne(coin, 3000), ErrInsufficientFee, "insufficient fee")
	h.reject(h.spendOne(coin, 3000+relay-1), ErrInsufficientFee, "insufficient fee")
	// Higher absolute fee but a lower fee rate than the direct conflict.
	big := h.spendOne(coin, 0)
	for i := 0; i < 60; i++ {
		big.TxOut[0].Value -= 1000
		big.TxOut = append(big.TxOut, &wire.TxOut{Value: 1000, PkScript: chaingen.OpTrueP2SH})
	}
	big.TxOut[0].Value -= 3000 + relay
	if feeRate(3000+relay, int64(big.VSize())) >= feeRate(1000, int64(orig.VSize())) {
		t.Fatal("test setup: big replacement's fee rate is not lower")
	}
	h.reject(big, ErrInsufficientFee, "insufficient fee")
	// Spending an output of a transaction it would evict.
	sc := h.spend([]chaingen.SpendableOut{coin, outOf(child, 0)}, coin.Amount+outOf(child, 0).Amount-100_000)
	h.reject(sc, ErrSpendsConflicting, "bad-txns-spends-conflicting-tx")
	h.checkPool(orig, child, grandchild, other)

	repl := h.spendOne(coin, 3000+relay)
	h.accept(repl)
	h.checkPool(repl, other)
	if d, ok := h.pool.Spender(coin.PrevOut); !ok || d.TxID != repl.TxHash() {
		t.Fatal("the replacement does not own the outpoint")
	}

	t.Run("too many evictions", func(t *testing.T) {
		h.t = t
		h.pool = h.newPool(Policy{MaxReplacementEvictions: 2})
		coin := h.coin()
		a := h.spendOne(coin, 1000)
		b := h.spendOne(outOf(a, 0), 1000)
		c := h.spendOne(outOf(b, 0), 1000)
		h.accept(a)
		h.accept(b)
		h.accept(c)
		h.reject(h.spendOne(coin, 100_000), ErrTooManyReplaced, "too many potential replacements")
		h.pool.Remove(c.TxHash(), false)
		h.accept(h.spendOne(coin, 100_000))
		if h.pool.Count() != 1 {
			t.Fatalf("pool has %d after replacing a+b", h.pool.Count())
		}
	})
	t.Run("replacement disabled", func(t *testing.T) {
		h.t = t
		h.pool = h.newPool(Policy{NoReplacement: true})
		coin := h.coin()
		h.accept(h.spendOne(coin, 1000))
		h.reject(h.spendOne(coin, 100_000), ErrConflict, "txn-mempool-conflict")
	})
	t.Run("custom policy", func(t *testing.T) {
		h.t = t
		var seen *Replacement
		veto := errors.New("vetoed")
		h.pool = New(Config{Params: h.params, Chain: h.chain, Replacement: replacementFunc(func(r *Replacement) error {
			seen = r
			return veto
		})})
		coin := h.coin()
		a := h.spendOne(coin, 1000)
		b := h.spendOne(outOf(a, 0), 1000)
		h.accept(a)
		h.accept(b)
		_, err := h.pool.ProcessTransaction(h.spendOne(coin, 50_000), false)
		if !errors.Is(err, veto) {
			t.Fatalf("err %v, want the policy's", err)
		}
		if seen == nil || len(seen.Conflicts) != 1 || len(seen.Evicted) != 2 || seen.EvictedModFees != 2000 || seen.ModFee != 50_000 {
			t.Fatalf("policy saw %+v", seen)
		}
	})
}

type replacementFunc func(*Replacement) error

func (f replacementFunc) CheckReplacement(r *Replacement) error { return f(r) }

// TestEvictionFees: BIP125's rules 3 and 4 as FeeReplacement and a bid
// share them: at least the fees of what is evicted, plus the
// replacement's own relay at the minimum relay fee rate. At a zero relay
// rate an equal fee is enough, for bids and other replacements alike.
func TestEvictionFees(t *testing.T) {
	tx := &TxDesc{VSize: 200}
	for _, tt := range []struct {
		fee, evicted, rate int64
		ok                 bool
	}{
		{1200, 1000, 1000, true},
		{1199, 1000, 1000, false}, // one dust short of the relay
		{1000, 1000, 1000, false},
		{999, 1000, 1000, false},
		{1000, 1000, 0, true}, // BIP125: "at least" the evicted fees
		{999, 1000, 0, false},
		{1, 0, 1, true}, // a relay fee rounds up to one dust
		{0, 0, 1, false},
	} {
		r := &Replacement{Tx: tx, ModFee: tt.fee, EvictedModFees: tt.evicted, MinRelayFeeRate: tt.rate}
		err := FeeReplacement{}.CheckReplacement(r)
		if (err == nil) != tt.ok || (err != nil && (!errors.Is(err, ErrInsufficientFee) || Reason(err) != "insufficient fee")) {
			t.Errorf("fee %d evicting %d at rate %d: %v, want ok %v", tt.fee, tt.evicted, tt.rate, err, tt.ok)
		}
	}
}
