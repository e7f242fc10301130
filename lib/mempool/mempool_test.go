package mempool

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

func pushData(data []byte) []byte {
	b, err := script.NewBuilder().AddData(data).Script()
	if err != nil {
		panic(err)
	}
	return b
}

// TestProcessTransaction is the acceptance table: every policy and
// consensus rule the pool applies, each from its accepting and its
// rejecting side.
func TestProcessTransaction(t *testing.T) {
	h := newHarness(t, Policy{}, 170)
	tip := h.chain.Best().Height

	// A confirmed bare OP_TRUE output (non-standard to spend) and a
	// confirmed transaction (already known).
	nsFund := h.spend([]chaingen.SpendableOut{h.coin()}, 1_000_000, 1_000_000)
	nsFund.TxOut[1].PkScript = chaingen.OpTrueScript
	confirmed := h.spendOne(h.coin(), 1000)
	h.mine(nsFund, confirmed)
	tip++
	nsOut := chaingen.SpendableOutFromTx(nsFund, 1, tip)

	poolParent := h.spendOne(h.coin(), 1000)
	h.accept(poolParent)
	dup := h.spendOne(h.coin(), 1000)
	h.accept(dup)

	k1, k2, k3, k4 := chaingen.NewKey("1"), chaingen.NewKey("2"), chaingen.NewKey("3"), chaingen.NewKey("4")
	multi3, _ := script.MultiSigScript(1, [][]byte{k1.PubKey, k2.PubKey, k3.PubKey})
	multi4, _ := script.MultiSigScript(1, [][]byte{k1.PubKey, k2.PubKey, k3.PubKey, k4.PubKey})
	data83, err := script.NullDataScript(make([]byte, 80))
	if err != nil || len(data83) != 83 {
		t.Fatalf("null data script: %v len %d", err, len(data83))
	}
	data84 := append([]byte{script.OP_RETURN, 0x4c, 82}, make([]byte, 82)...)

	type mod func(tx *wire.MsgTx)
	one := func(fee int64, mods ...mod) func() *wire.MsgTx {
		return func() *wire.MsgTx {
			tx := h.spendOne(h.coin(), fee)
			for _, m := range mods {
				m(tx)
			}
			return tx
		}
	}
	addOut := func(v int64, pk []byte) mod {
		return func(tx *wire.MsgTx) {
			tx.TxOut[0].Value -= v
			tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: v, PkScript: pk})
		}
	}
	tests := []struct {
		name   string
		tx     func() *wire.MsgTx
		kind   error // nil: accepted
		reason string
	}{
		{"standard spend", one(1000), nil, ""},
		{"chained on a pool parent", func() *wire.MsgTx { return h.spendOne(outOf(poolParent, 0), 1000) }, nil, ""},
		{"output at the dust threshold", one(1000, addOut(540, chaingen.OpTrueP2SH)), nil, ""},
		{"83-byte data carrier", one(1000, addOut(0, data83)), nil, ""},
		{"1-of-3 bare multisig", one(1000, addOut(1000, multi3)), nil, ""},
		{"P2WPKH output", one(1000, addOut(294, k1.P2WPKH())), nil, ""},
		{"lock time at the tip is final", one(1000, func(tx *wire.MsgTx) { tx.LockTime = uint32(tip); tx.TxIn[0].Sequence = 0 }), nil, ""},
		{"satisfied relative lock", one(1000, func(tx *wire.MsgTx) { tx.Version = 2; tx.TxIn[0].Sequence = 5 }), nil, ""},

		{"coinbase", func() *wire.MsgTx { return h.gen.CreateCoinbaseTx(tip+1, 1000) }, ErrCoinbase, "coinbase"},
		{"no outputs", one(1000, func(tx *wire.MsgTx) { tx.TxOut = nil }), chain.ErrNoTxOutputs, ""},
		{"duplicate inputs", func() *wire.MsgTx {
			c := h.coin()
			return h.spend([]chaingen.SpendableOut{c, c}, c.Amount)
		}, chain.ErrDuplicateTxInputs, ""},
		{"version 0", one(1000, func(tx *wire.MsgTx) { tx.Version = 0 }), ErrVersion, "version"},
		{"version 3", one(1000, func(tx *wire.MsgTx) { tx.Version = 3 }), ErrVersion, "version"},
		{"weight above 400k", one(1000, addOut(1000, make([]byte, 100_001))), ErrTxWeight, "tx-size"},
		{"script sig too large", one(1000, func(tx *wire.MsgTx) {
			big := pushData(make([]byte, 500))
			pre := append(append(append(append([]byte(nil), big...), big...), big...), big...) // 2,012 bytes of pushes
			tx.TxIn[0].SignatureScript = append(pre, tx.TxIn[0].SignatureScript...)
		}), ErrScriptSigSize, "scriptsig-size"},
		{"script sig not push-only", one(1000, func(tx *wire.MsgTx) {
			tx.TxIn[0].SignatureScript = append([]byte{script.OP_DUP}, tx.TxIn[0].SignatureScript...)
		}), ErrScriptSigPushOnly, "scriptsig-not-pushonly"},
		{"bare OP_TRUE output", one(1000, addOut(1000, chaingen.OpTrueScript)), ErrScriptPubKey, "scriptpubkey"},
		{"unknown witness version output", one(1000, addOut(1000, append([]byte{script.OP_1, 32}, make([]byte, 32)...))), ErrScriptPubKey, "scriptpubkey"},
		{"bare multisig with 4 keys", one(1000, addOut(1000, multi4)), ErrScriptPubKey, "scriptpubkey"},
		{"84-byte data carrier", one(1000, addOut(0, data84)), ErrScriptPubKey, "scriptpubkey"},
		{"two data carriers", one(1000, addOut(0, data83), addOut(0, data83)), ErrMultiOpReturn, "multi-op-return"},
		{"dust P2SH output", one(1000, addOut(539, chaingen.OpTrueP2SH)), ErrDust, "dust"},
		{"dust P2WPKH output", one(1000, addOut(293, k1.P2WPKH())), ErrDust, "dust"},
		{"already in the pool", func() *wire.MsgTx { return dup }, ErrDuplicate, "txn-already-in-mempool"},
		{"already confirmed", func() *wire.MsgTx { return confirmed }, ErrAlreadyKnown, "txn-already-known"},
		{"missing input", one(1000, func(tx *wire.MsgTx) { tx.TxIn[0].PreviousOutPoint.Hash[0] ^= 0xff }), ErrMissingInputs, "bad-txns-inputs-missingorspent"},
		{"immature coinbase", func() *wire.MsgTx {
			return h.spendOne(h.gen.CoinbaseOutOf(h.gen.TipName()), 1000)
		}, chain.ErrImmatureSpend, "bad-txns-premature-spend-of-coinbase"},
		{"outputs above inputs", one(-1), chain.ErrSpendTooHigh, ""},
		{"non-final lock time", one(1000, func(tx *wire.MsgTx) { tx.LockTime = uint32(tip + 1); tx.TxIn[0].Sequence = 0 }), ErrNonFinal, "non-final"},
		{"relative lock not yet met", one(1000, func(tx *wire.MsgTx) { tx.Version = 2; tx.TxIn[0].Sequence = 500 }), ErrSequenceLocked, "non-BIP68-final"},
		{"zero fee", one(0), ErrMinRelayFee, "min relay fee not met"},
		{"fee just below relay", func() *wire.MsgTx {
			tx := h.spendOne(h.coin(), 0)
			fee := feeForVSize(1000, int64(tx.VSize())) - 1
			tx.TxOut[0].Value -= fee
			return tx
		}, ErrMinRelayFee, "min relay fee not met"},
		{"too many sigops", func() *wire.MsgTx {
			tx := h.spendOne(h.coin(), 100_000)
			for i := 0; i < 201; i++ {
				tx.TxOut[0].Value -= 1000
				tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: 1000, PkScript: multi3})
			}
			return tx
		}, ErrTooManySigOps, "bad-txns-too-many-sigops"},
		{"spends a non-standard output", func() *wire.MsgTx { return h.spendOne(nsOut, 1000) }, ErrNonStandardInputs, "bad-txns-nonstandard-inputs"},
		{"witness on a non-witness input", one(1000, func(tx *wire.MsgTx) { tx.TxIn[0].Witness = wire.TxWitness{{1}} }), ErrNonStandardWitness, "bad-witness-nonstandard"},
		{"policy-only script failure", one(1000, func(tx *wire.MsgTx) {
			tx.TxIn[0].SignatureScript = []byte{0x4c, 0x01, script.OP_TRUE} // non-minimal push
		}), ErrNonStandardScript, "non-mandatory-script-verify-flag"},
		{"consensus script failure", one(1000, func(tx *wire.MsgTx) {
			tx.TxIn[0].SignatureScript = pushData([]byte{script.OP_TRUE, script.OP_TRUE})
		}), chain.ErrScriptValidation, "mandatory-script-verify-flag-failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			tx := tt.tx()
			if tt.kind == nil {
				descs := h.accept(tx)
				if len(descs) != 1 || descs[0].TxID != tx.TxHash() {
					t.Fatalf("accepted %d descs", len(descs))
				}
				d := descs[0]
				if d.VSize != int64(tx.VSize()) || d.Weight != int64(tx.Weight()) || d.Height != h.chain.Best().Height || d.FeeRate != feeRate(d.Fee, d.VSize) || !d.Added.Equal(h.clock) {
					t.Fatalf("descriptor %+v", d)
				}
				return
			}
			h.reject(tx, tt.kind, tt.reason)
		})
	}
	h.t = t
	if got := h.pool.Count(); got != 2+8 {
		t.Fatalf("pool holds %d, want 10", got)
	}
	h.checkPool(h.txsInPool()...)
}

func (h *harness) txsInPool() []*wire.MsgTx {
	var out []*wire.MsgTx
	for _, d := range h.pool.MiningDescs() {
		out = append(out, d.Tx)
	}
	return out
}

// TestPoolViews covers the read side: Fetch, TxIDs order, MiningDescs
// order, LookupEntry and Spender.
func TestPoolViews(t *testing.T) {
	h := newHarness(t, Policy{}, 115)
	coin := h.coin()
	a := h.spend([]chaingen.SpendableOut{coin}, coin.Amount/2, coin.Amount/2-2000)
	b := h.spendOne(outOf(a, 0), 1000)
	h.accept(a)
	h.accept(b)

	if d, ok := h.pool.Fetch(a.TxHash()); !ok || d.Fee != 2000 {
		t.Fatalf("Fetch(a) = %+v, %v", d, ok)
	}
	if _, ok := h.pool.Fetch(chainhash.Hash{1}); ok {
		t.Fatal("Fetch of an unknown id succeeded")
	}
	ids := h.pool.TxIDs()
	if len(ids) != 2 || bytes.Compare(ids[0][:], ids[1][:]) >= 0 {
		t.Fatalf("TxIDs not sorted: %v", ids)
	}
	md := h.pool.MiningDescs()
	if len(md) != 2 || md[0].TxID != a.TxHash() {
		t.Fatal("MiningDescs does not put the parent first")
	}
	if e := h.pool.LookupEntry(wire.OutPoint{Hash: a.TxHash(), Index: 1}); e == nil || e.Amount != coin.Amount/2-2000 || e.Height != UnconfirmedHeight {
		t.Fatalf("LookupEntry(a:1) = %+v", e)
	}
	if e := h.pool.LookupEntry(wire.OutPoint{Hash: a.TxHash(), Index: 0}); e != nil {
		t.Fatal("LookupEntry returns an output spent in the pool")
	}
	if e := h.pool.LookupEntry(wire.OutPoint{Hash: a.TxHash(), Index: 7}); e != nil {
		t.Fatal("LookupEntry returns a non-existent index")
	}
	if e := h.pool.LookupEntry(coin.PrevOut); e != nil {
		t.Fatal("LookupEntry returns a confirmed output")
	}
	if d, ok := h.pool.Spender(coin.PrevOut); !ok || d.TxID != a.TxHash() {
		t.Fatal("Spender(coin) is not a")
	}
	if _, ok := h.pool.Spender(wire.OutPoint{Hash: b.TxHash()}); ok {
		t.Fatal("Spender of an unspent output")
	}
	info := h.pool.Info()
	if info.Size != 2 || info.Bytes != int64(a.VSize()+b.VSize()) || info.TotalFee != 3000 || info.MinFeeRate != 1000 || info.MaxBytes != DefaultMaxPoolBytes || info.Usage <= 0 {
		t.Fatalf("Info = %+v", info)
	}
	h.pool.Remove(a.TxHash(), true)
	if h.pool.Count() != 0 {
		t.Fatal("Remove with descendants left transactions")
	}
}

// TestPackageLimits checks the ancestor and descendant bounds.
func TestPackageLimits(t *testing.T) {
	h := newHarness(t, Policy{MaxAncestors: 3, MaxDescendants: 3}, 115)
	coin := h.coin()
	a := h.spend([]chaingen.SpendableOut{coin}, coin.Amount/2, coin.Amount/2-2000)
	b := h.spendOne(outOf(a, 0), 1000)
	c := h.spendOne(outOf(b, 0), 1000)
	h.accept(a)
	h.accept(b)
	h.accept(c)
	h.reject(h.spendOne(outOf(c, 0), 1000), ErrTooLongChain, "too-long-mempool-chain")
	// a now has 3 descendants-inclusive... a's other output: its package
	// would reach 4.
	h.reject(h.spendOne(outOf(a, 1), 1000), ErrTooLongChain, "too-long-mempool-chain")
	h.checkPool(a, b, c)

	t.Run("size", func(t *testing.T) {
		h.t = t
		h.pool = h.newPool(Policy{MaxAncestorSize: 150})
		coin := h.coin()
		x := h.spendOne(coin, 1000)
		h.accept(x)
		h.reject(h.spendOne(outOf(x, 0), 1000), ErrTooLongChain, "too-long-mempool-chain")
	})
}

func TestPrioritiseTransaction(t *testing.T) {
	h := newHarness(t, Policy{}, 115)
	tx := h.spendOne(h.coin(), 0)
	h.pool.PrioritiseTransaction(tx.TxHash(), 5000)
	d := h.accept(tx)[0]
	if d.Fee != 0 || d.FeeDelta != 5000 {
		t.Fatalf("desc fee %d delta %d", d.Fee, d.FeeDelta)
	}
	h.pool.PrioritiseTransaction(tx.TxHash(), -5000)
	if d, _ := h.pool.Fetch(tx.TxHash()); d.FeeDelta != 0 {
		t.Fatalf("delta after reset %d", d.FeeDelta)
	}
	h.checkPool(tx)
	if !errors.Is(ErrDust, ErrDust) || ErrDust.Reason() != "dust" || Reason(errors.New("x")) != "error" {
		t.Fatal("error helpers")
	}
}
