package mempool

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// harness is a real chain on a temporary bbolt file, a generator that
// builds its blocks, and a pool subscribed to the chain.
type harness struct {
	t      testing.TB
	params *chaincfg.Params
	db     *store.DB
	chain  *chain.Chain
	gen    *chaingen.Generator
	pool   *Pool
	clock  time.Time
	n      int // block name counter
}

// newHarness mines blocks on regtest (at least 101, so coinbase outputs
// are mature) and starts a pool with the given policy.
func newHarness(t testing.TB, pol Policy, blocks int) *harness {
	t.Helper()
	h := &harness{t: t, params: chaincfg.RegTestParams}
	db, err := store.Open(filepath.Join(t.TempDir(), "chain.db"), store.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h.db = db
	t.Cleanup(func() { db.Close() })
	c, err := chain.New(chain.Config{DB: db, Params: h.params})
	if err != nil {
		t.Fatal(err)
	}
	h.chain = c
	t.Cleanup(func() { c.Close() })
	h.gen = chaingen.New(h.params)
	h.clock = time.Unix(int64(h.params.GenesisBlock.Header.Timestamp), 0).Add(24 * time.Hour)
	for i := 0; i < blocks; i++ {
		h.mine()
	}
	h.pool = h.newPool(pol)
	return h
}

// newPool starts another pool on the harness chain (as after a restart).
func (h *harness) newPool(pol Policy) *Pool {
	p := New(Config{
		Params: h.params, Chain: h.chain, SigCache: script.NewSigCache(1000),
		Policy: pol, TimeSource: func() time.Time { return h.clock },
	})
	h.chain.Subscribe(func(n *chain.Notification) {
		if h.pool == p {
			p.HandleNotification(n)
		}
	})
	return p
}

// mine builds the next block on the generator's tip with txs and hands it
// to the chain, which must make it the new tip.
func (h *harness) mine(txs ...*wire.MsgTx) *wire.MsgBlock {
	h.t.Helper()
	h.n++
	blk := h.gen.NextBlock(fmt.Sprintf("b%d", h.n), nil, chaingen.AddTxs(txs...))
	main, orphan, err := h.chain.ProcessBlock(blk, chain.BFNone)
	if err != nil || !main || orphan {
		h.t.Fatalf("block %d: main %v orphan %v err %v", h.n, main, orphan, err)
	}
	return blk
}

// coin returns a fresh mature 50 GG P2SH(OP_TRUE) coinbase output.
func (h *harness) coin() chaingen.SpendableOut { return h.gen.OldestCoinbaseOut() }

// spend builds a version-1 transaction spending ins (anyone-can-spend) to
// P2SH(OP_TRUE) outputs of the given values.
func (h *harness) spend(ins []chaingen.SpendableOut, values ...int64) *wire.MsgTx {
	outs := make([]*wire.TxOut, len(values))
	for i, v := range values {
		outs[i] = &wire.TxOut{Value: v, PkScript: chaingen.OpTrueP2SH}
	}
	return h.gen.SpendTx(ins, outs)
}

// spendOne spends one output paying fee to a single output.
func (h *harness) spendOne(in chaingen.SpendableOut, fee int64) *wire.MsgTx {
	return h.spend([]chaingen.SpendableOut{in}, in.Amount-fee)
}

// outOf describes output i of a pool (unconfirmed) transaction.
func outOf(tx *wire.MsgTx, i uint32) chaingen.SpendableOut {
	return chaingen.SpendableOutFromTx(tx, i, -1)
}

// accept processes tx and fails the test unless it is accepted.
func (h *harness) accept(tx *wire.MsgTx) []*TxDesc {
	h.t.Helper()
	descs, err := h.pool.ProcessTransaction(tx, false)
	if err != nil {
		h.t.Fatalf("tx %s rejected: %v (%s)", tx.TxHash(), err, Reason(err))
	}
	return descs
}

// reject processes tx and checks the rejection's kind and reason.
func (h *harness) reject(tx *wire.MsgTx, kind error, reason string) {
	h.t.Helper()
	_, err := h.pool.ProcessTransaction(tx, false)
	if err == nil {
		h.t.Fatalf("tx %s accepted, want %v", tx.TxHash(), kind)
	}
	if !errors.Is(err, kind) {
		h.t.Fatalf("tx %s: err %v, want kind %v", tx.TxHash(), err, kind)
	}
	if reason != "" && Reason(err) != reason {
		h.t.Fatalf("tx %s: reason %q, want %q", tx.TxHash(), Reason(err), reason)
	}
	if kind != ErrDuplicate && h.pool.Have(tx.TxHash()) {
		h.t.Fatalf("rejected tx %s is in the pool", tx.TxHash())
	}
}

func (h *harness) checkPool(want ...*wire.MsgTx) {
	h.t.Helper()
	if h.pool.Count() != len(want) {
		h.t.Fatalf("pool has %d txs, want %d", h.pool.Count(), len(want))
	}
	for _, tx := range want {
		if !h.pool.Have(tx.TxHash()) {
			h.t.Fatalf("pool lacks %s", tx.TxHash())
		}
	}
	h.pool.mu.RLock()
	defer h.pool.mu.RUnlock()
	checkAggregates(h.t, h.pool.g)
}
