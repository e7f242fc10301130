package mempool

import (
	"errors"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/wire"
)

func TestOrphanResolution(t *testing.T) {
	h := newHarness(t, Policy{}, 115)
	coin := h.coin()
	parent := h.spend([]chaingen.SpendableOut{coin}, coin.Amount/2, coin.Amount/2-2000)
	child := h.spendOne(outOf(parent, 0), 1000)
	grandchild := h.spendOne(outOf(child, 0), 1000)
	bad := h.spendOne(outOf(parent, 1), -5) // overspends: dropped once checkable

	// Without orphans allowed a missing parent is an error and nothing is kept.
	h.reject(grandchild, ErrMissingInputs, "bad-txns-inputs-missingorspent")
	if h.pool.IsOrphan(grandchild.TxHash()) {
		t.Fatal("orphan kept although not allowed")
	}
	for _, tx := range []*wire.MsgTx{grandchild, child, bad} {
		descs, err := h.pool.ProcessTransaction(tx, true)
		if err != nil || descs != nil {
			t.Fatalf("orphan: %v, %d descs", err, len(descs))
		}
		if !h.pool.IsOrphan(tx.TxHash()) || h.pool.Have(tx.TxHash()) {
			t.Fatal("orphan not held apart from the pool")
		}
	}
	if h.pool.OrphanCount() != 3 || h.pool.Info().Orphans != 3 {
		t.Fatalf("orphan count %d", h.pool.OrphanCount())
	}
	descs := h.accept(parent)
	if len(descs) != 3 || descs[0].TxID != parent.TxHash() || descs[1].TxID != child.TxHash() || descs[2].TxID != grandchild.TxHash() {
		t.Fatalf("parent arrival accepted %d", len(descs))
	}
	h.checkPool(parent, child, grandchild)
	if h.pool.OrphanCount() != 0 {
		t.Fatalf("%d orphans left (the invalid one must go)", h.pool.OrphanCount())
	}
}

func TestOrphanLimits(t *testing.T) {
	h := newHarness(t, Policy{}, 115)
	h.pool = h.newPool(Policy{MaxOrphanTxs: 3, MaxOrphanTxSize: 300})
	missing := func(tag byte) *wire.MsgTx {
		tx := h.spendOne(h.coin(), 1000)
		tx.TxIn[0].PreviousOutPoint.Hash[0] ^= tag
		return tx
	}
	for i := 1; i <= 6; i++ {
		if _, err := h.pool.ProcessTransaction(missing(byte(i)), true); err != nil {
			t.Fatal(err)
		}
		if n := h.pool.OrphanCount(); n > 3 {
			t.Fatalf("%d orphans held, bound 3", n)
		}
	}
	big := missing(9)
	for i := 0; i < 10; i++ {
		big.TxOut[0].Value -= 1000
		big.TxOut = append(big.TxOut, &wire.TxOut{Value: 1000, PkScript: chaingen.OpTrueP2SH})
	}
	_, err := h.pool.ProcessTransaction(big, true)
	if !errors.Is(err, ErrOrphanTooLarge) || Reason(err) != "orphan" || h.pool.IsOrphan(big.TxHash()) {
		t.Fatalf("large orphan: %v", err)
	}

	t.Run("expiry", func(t *testing.T) {
		h.t = t
		h.pool = h.newPool(Policy{})
		coin := h.coin()
		parent := h.spendOne(coin, 1000)
		child := h.spendOne(outOf(parent, 0), 1000)
		if _, err := h.pool.ProcessTransaction(child, true); err != nil {
			t.Fatal(err)
		}
		h.clock = h.clock.Add(19 * time.Minute)
		h.pool.Expire(h.clock)
		if !h.pool.IsOrphan(child.TxHash()) {
			t.Fatal("orphan expired before 20 minutes")
		}
		h.clock = h.clock.Add(time.Minute)
		h.pool.Expire(h.clock)
		if h.pool.IsOrphan(child.TxHash()) {
			t.Fatal("orphan kept past 20 minutes")
		}
		if descs := h.accept(parent); len(descs) != 1 {
			t.Fatalf("expired orphan came back: %d accepted", len(descs))
		}
	})
}
