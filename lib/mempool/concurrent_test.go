package mempool

import (
	"sync"
	"testing"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/wire"
)

// fanOut confirms a transaction splitting a coinbase into n outputs paying
// pkScript and returns them.
func (h *harness) fanOut(n int, value int64, pkScript []byte) []chaingen.SpendableOut {
	h.t.Helper()
	coin := h.coin()
	tx := &wire.MsgTx{Version: 1}
	in := h.spendOne(coin, 0).TxIn[0]
	tx.TxIn = []*wire.TxIn{in}
	for i := 0; i < n; i++ {
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: value, PkScript: pkScript})
	}
	h.mine(tx)
	height := h.chain.Best().Height
	outs := make([]chaingen.SpendableOut, n)
	for i := range outs {
		outs[i] = chaingen.SpendableOutFromTx(tx, uint32(i), height)
	}
	return outs
}

// TestConcurrentProcessTransaction submits chains and double spends from
// several goroutines while blocks connect and readers poll, then checks
// the pool's invariants. Run with -race.
func TestConcurrentProcessTransaction(t *testing.T) {
	h := newHarness(t, Policy{}, 115)
	outs := h.fanOut(120, 1_000_000, chaingen.OpTrueP2SH)

	const workers = 4
	var parents, children []*wire.MsgTx
	for i := 0; i < 80; i++ {
		p := h.spendOne(outs[i], 1000)
		parents = append(parents, p)
		children = append(children, h.spendOne(outOf(p, 0), 1000))
	}
	// Double spends: two versions of each, submitted by different workers.
	var dsA, dsB []*wire.MsgTx
	for i := 80; i < 120; i++ {
		dsA = append(dsA, h.spendOne(outs[i], 1000))
		dsB = append(dsB, h.spendOne(outs[i], 1001))
	}
	// Mined while the workers run: some parents the pool may or may not
	// have seen yet, and conflicting spends of some double-spend outputs.
	var blockTxs []*wire.MsgTx
	for i := 0; i < 10; i++ {
		blockTxs = append(blockTxs, parents[i*8])
	}
	for i := 0; i < 5; i++ {
		blockTxs = append(blockTxs, h.spendOne(outs[80+i*8], 3000))
	}

	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < 80; i += workers {
				h.pool.ProcessTransaction(parents[i], true)
				h.pool.ProcessTransaction(children[i], true)
			}
			for i := w; i < 40; i += workers {
				h.pool.ProcessTransaction(dsA[i], true)
				h.pool.ProcessTransaction(dsB[(i+1)%40], true)
			}
		}(w)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 50; i++ {
			h.pool.Info()
			h.pool.TxIDs()
			h.pool.MiningDescs()
			h.pool.LookupEntry(wire.OutPoint{Hash: parents[i].TxHash()})
		}
	}()
	h.mine(blockTxs...) // connects while the workers run
	wg.Wait()
	// Orphans whose parents were mined or accepted late get another try.
	for i := range parents {
		h.pool.ProcessTransaction(children[i], true)
	}

	h.pool.mu.RLock()
	checkAggregates(t, h.pool.g)
	spent := map[wire.OutPoint]bool{}
	for _, e := range h.pool.g.entries {
		for _, in := range e.desc.Tx.TxIn {
			if spent[in.PreviousOutPoint] {
				t.Fatalf("outpoint %v spent twice in the pool", in.PreviousOutPoint)
			}
			spent[in.PreviousOutPoint] = true
		}
	}
	h.pool.mu.RUnlock()
	for _, tx := range blockTxs {
		if h.pool.Have(tx.TxHash()) {
			t.Fatalf("mined tx %s still in the pool", tx.TxHash())
		}
		for _, in := range tx.TxIn {
			if _, ok := h.pool.Spender(in.PreviousOutPoint); ok {
				t.Fatalf("pool spends %v, which the block spent", in.PreviousOutPoint)
			}
		}
	}
	for i := range parents {
		if i%8 != 0 && !h.pool.Have(parents[i].TxHash()) {
			t.Fatalf("parent %d missing", i)
		}
		if !h.pool.Have(children[i].TxHash()) {
			t.Fatalf("child %d missing", i)
		}
	}
	for i := 0; i < 40; i++ {
		n := 0
		for _, tx := range []*wire.MsgTx{dsA[i], dsB[i]} {
			if h.pool.Have(tx.TxHash()) {
				n++
			}
		}
		want := 1
		if i%8 == 0 && i < 40 {
			want = 0 // the block spent it
		}
		if n != want {
			t.Fatalf("double spend %d: %d versions in the pool, want %d", i, n, want)
		}
	}
}
