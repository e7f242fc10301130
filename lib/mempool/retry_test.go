package mempool

import (
	"errors"
	"testing"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/wire"
)

// hookChain runs a hook once, in the middle of a validation (between the
// pool-locked checks and the insertion), to move the tip under it.
type hookChain struct {
	*chain.Chain
	hook func()
}

func (c *hookChain) CalcSequenceLock(tx *wire.MsgTx, view chain.UtxoView, mempool bool) (*chain.SequenceLock, error) {
	if f := c.hook; f != nil {
		c.hook = nil
		f()
	}
	return c.Chain.CalcSequenceLock(tx, view, mempool)
}

// TestTipMovesDuringValidation checks that a block connected while a
// transaction's scripts are being verified makes the pool validate it
// again against the new tip.
func TestTipMovesDuringValidation(t *testing.T) {
	h := newHarness(t, Policy{}, 115)
	hc := &hookChain{Chain: h.chain}
	p := New(Config{Params: h.params, Chain: hc})
	h.pool = p
	h.chain.Subscribe(func(n *chain.Notification) {
		if h.pool == p {
			p.HandleNotification(n)
		}
	})

	// A block double-spending the input lands mid-validation: refused.
	coin := h.coin()
	tx := h.spendOne(coin, 1000)
	rival := h.spendOne(coin, 2000)
	hc.hook = func() { h.mine(rival) }
	_, err := p.ProcessTransaction(tx, false)
	if !errors.Is(err, ErrMissingInputs) {
		t.Fatalf("err %v, want missing inputs after the tip moved", err)
	}
	if p.Count() != 0 {
		t.Fatal("transaction conflicting with the new tip was inserted")
	}

	// An unrelated block mid-validation: accepted after the retry, with
	// the new tip's height.
	tx2 := h.spendOne(h.coin(), 1000)
	hc.hook = func() { h.mine() }
	descs, err := p.ProcessTransaction(tx2, false)
	if err != nil || len(descs) != 1 {
		t.Fatalf("unrelated block: %v", err)
	}
	if descs[0].Height != h.chain.Best().Height {
		t.Fatalf("desc height %d, tip %d: not revalidated", descs[0].Height, h.chain.Best().Height)
	}
}
