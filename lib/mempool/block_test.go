package mempool

import (
	"fmt"
	"testing"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/wire"
)

func TestBlockConnected(t *testing.T) {
	h := newHarness(t, Policy{}, 120)
	c1, c2, c3, c4, c5 := h.coin(), h.coin(), h.coin(), h.coin(), h.coin()
	mined := h.spendOne(c1, 1000)
	minedChild := h.spendOne(outOf(mined, 0), 1000)
	bystander := h.spendOne(c2, 1000)
	loser := h.spendOne(c3, 1000)
	loserChild := h.spendOne(outOf(loser, 0), 1000)
	for _, tx := range []*wire.MsgTx{mined, minedChild, bystander, loser, loserChild} {
		h.accept(tx)
	}
	winner := h.spendOne(c3, 2000) // the block's double spend of c3

	// Orphans: one conflicting with the block, one waiting for a block tx.
	conflicting := h.spend([]chaingen.SpendableOut{c4, outOf(h.spendOne(h.coin(), 0), 0)}, c4.Amount)
	blockOnly := h.spendOne(c5, 1000)
	waiting := h.spendOne(outOf(blockOnly, 0), 1000)
	for _, tx := range []*wire.MsgTx{conflicting, waiting} {
		if _, err := h.pool.ProcessTransaction(tx, true); err != nil || !h.pool.IsOrphan(tx.TxHash()) {
			t.Fatalf("orphan setup: %v", err)
		}
	}
	c4spend := h.spendOne(c4, 1000)

	h.mine(mined, winner, c4spend, blockOnly)
	h.checkPool(minedChild, bystander, waiting)
	if h.pool.OrphanCount() != 0 {
		t.Fatalf("%d orphans left", h.pool.OrphanCount())
	}
	if d, _ := h.pool.Fetch(minedChild.TxHash()); d == nil {
		t.Fatal("child of a mined tx lost")
	}
	// The mined child now spends a confirmed output and is no one's child.
	h.pool.mu.RLock()
	np := len(h.pool.g.entries[minedChild.TxHash()].parents)
	h.pool.mu.RUnlock()
	if np != 0 {
		t.Fatal("mined parent still linked")
	}
	h.mine(minedChild, bystander, waiting)
	h.checkPool()
}

// TestBlockDisconnected reorganises one block away: its transaction that
// the new branch does not contain comes back (and its pool child is linked
// to it again); the one the new branch double-spends does not, and the
// pool child depending on it is dropped.
func TestBlockDisconnected(t *testing.T) {
	h := newHarness(t, Policy{}, 120)
	c1, c2, c3 := h.coin(), h.coin(), h.coin()
	back := h.spendOne(c1, 1000)
	gone := h.spendOne(c2, 1000)
	forkName := h.gen.TipName()
	h.mine(back, gone)
	backChild := h.spendOne(outOf(back, 0), 1000)
	goneChild := h.spendOne(outOf(gone, 0), 1000)
	bystander := h.spendOne(c3, 1000)
	for _, tx := range []*wire.MsgTx{backChild, goneChild, bystander} {
		h.accept(tx)
	}

	// A competing branch: one block double-spending c2, then one more.
	h.gen.SetTip(forkName)
	rival := h.spendOne(c2, 5000)
	for i, txs := range [][]*wire.MsgTx{{rival}, nil} {
		blk := h.gen.NextBlock(fmt.Sprintf("fork%d", i), nil, chaingen.AddTxs(txs...))
		if _, _, err := h.chain.ProcessBlock(blk, chain.BFRequested); err != nil {
			t.Fatal(err)
		}
	}
	if h.chain.Best().Hash != h.gen.Tip().BlockHash() {
		t.Fatal("the chain did not reorganise")
	}
	h.checkPool(back, backChild, bystander)
	h.pool.mu.RLock()
	linked := h.pool.g.entries[backChild.TxHash()].parents[back.TxHash()] != nil
	h.pool.mu.RUnlock()
	if !linked {
		t.Fatal("re-added parent not linked to its pool child")
	}
}

// TestReorgInvalidatesCoinbaseSpend is the acceptance case "a reorg that
// makes a mempool transaction invalid": the pool spends the coinbase of
// block 1; a longer branch from genesis replaces block 1, so the spend and
// its descendant must leave the pool.
func TestReorgInvalidatesCoinbaseSpend(t *testing.T) {
	h := newHarness(t, Policy{}, 100)
	cb := h.coin() // block 1's coinbase, mature for block 101
	if cb.Height != 1 {
		t.Fatalf("oldest coinbase at height %d", cb.Height)
	}
	spend := h.spendOne(cb, 1000)
	child := h.spendOne(outOf(spend, 0), 1000)
	h.accept(spend)
	h.accept(child)

	h.gen.SetTip("genesis")
	for i := 1; i <= 101; i++ {
		blk := h.gen.NextBlock(fmt.Sprintf("alt%d", i), nil)
		if _, _, err := h.chain.ProcessBlock(blk, chain.BFRequested); err != nil {
			t.Fatalf("alt block %d: %v", i, err)
		}
	}
	if b := h.chain.Best(); b.Hash != h.gen.Tip().BlockHash() || b.Height != 101 {
		t.Fatalf("tip %d, the chain did not reorganise", b.Height)
	}
	h.checkPool()
}

// TestBlockConnectedEmptyPool: with the pool empty, a block still hands
// an orphan waiting on one of its transactions to the pool (through the
// chain's notification, with its TxIDs, and through BlockConnected
// called directly), and a block meeting an empty pool and no orphans
// changes nothing.
func TestBlockConnectedEmptyPool(t *testing.T) {
	h := newHarness(t, Policy{}, 120)
	h.mine(h.spendOne(h.coin(), 1000)) // nothing in the pool, no orphans
	h.checkPool()

	parent := h.spendOne(h.coin(), 1000)
	child := h.spendOne(outOf(parent, 0), 1000)
	if _, err := h.pool.ProcessTransaction(child, true); err != nil || !h.pool.IsOrphan(child.TxHash()) {
		t.Fatalf("orphan setup: %v", err)
	}
	h.checkPool()
	h.mine(parent)
	h.checkPool(child)
	if h.pool.OrphanCount() != 0 {
		t.Fatalf("%d orphans left", h.pool.OrphanCount())
	}

	// BlockConnected called directly hashes the transactions itself; an
	// orphan whose parent it names but the chain has not confirmed stays
	// an orphan until the parent's block is connected.
	parent2 := h.spendOne(h.coin(), 1000)
	child2 := h.spendOne(outOf(parent2, 0), 1000)
	if _, err := h.pool.ProcessTransaction(child2, true); err != nil || !h.pool.IsOrphan(child2.TxHash()) {
		t.Fatalf("orphan setup: %v", err)
	}
	h.pool.BlockConnected(&wire.MsgBlock{Transactions: []*wire.MsgTx{parent2}})
	if !h.pool.IsOrphan(child2.TxHash()) {
		t.Fatal("orphan left before its parent is confirmed")
	}
	h.mine(parent2)
	h.checkPool(child, child2)
}
