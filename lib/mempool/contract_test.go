package mempool

import (
	"crypto/sha256"
	"testing"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

var contractSecret = []byte("open sesame, thirty-two bytes...")

// goldTerms are hash-locked terms where alice stakes 30,000 dust and bob
// gives nothing on chain.
func (h *gameHarness) goldTerms(expiry int32, nonce uint64) *game.Terms {
	hash := sha256.Sum256(contractSecret)
	t := &game.Terms{AKey: h.alice.PubKey, BKey: h.bob.PubKey, AGold: 30_000, Memo: "test",
		Expiry: uint32(expiry), Nonce: nonce, Hash: hash[:]}
	game.CanonicalizeTerms(t)
	return t
}

// fulfil funds the escrow of t (output 1) from a coinbase coin; output 2
// is change.
func (h *gameHarness) fulfil(t *game.Terms) *wire.MsgTx {
	h.t.Helper()
	outs, err := game.FulfilOutputs(&game.ContractFulfil{Terms: *t}, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	c := h.coin()
	outs = append(outs, gchange(c.Amount-int64(t.AGold)-1000))
	return h.gen.CreateSignedTx([]chaingen.SignedIn{{Out: c}}, outs)
}

// claim is bob's claim of the escrow fulfil funded, with the preimage.
func (h *gameHarness) claim(t *game.Terms, fulfil *wire.MsgTx) *wire.MsgTx {
	h.t.Helper()
	id, _ := game.ContractID(t)
	s, err := game.EscrowScript(t)
	if err != nil {
		h.t.Fatal(err)
	}
	esc := gout(fulfil, 1)
	sign := func(tx *wire.MsgTx, idx int, hs *script.SigHashes) wire.TxWitness {
		w, err := game.ClaimWitness(t, h.bob.WitnessScriptSignature(tx, idx, s, esc.Amount, 0, hs), contractSecret)
		if err != nil {
			h.t.Fatal(err)
		}
		return w
	}
	return h.gen.CreateSignedTx([]chaingen.SignedIn{{Out: esc, Witness: sign}}, []*wire.TxOut{
		h.recOut(&game.ContractExecute{Contract: id, Path: game.PathClaim}),
		{Value: esc.Amount - 1000, PkScript: h.bob.P2WPKH()},
	})
}

// TestGameContractDuplicate: the pool sees the contracts its fulfils
// create, so a second fulfil of the same contract is refused; a block
// fulfilling a contract evicts the pool's fulfil of it; the index is
// exact on removal.
func TestGameContractDuplicate(t *testing.T) {
	h := newGameHarness(t)
	tm := h.goldTerms(h.next()+10, 1)
	f1 := h.fulfil(tm)
	h.accept(f1)
	id, _ := game.ContractID(tm)
	if c, err := h.view().Contract(id); err != nil || c == nil || c.FulfilTxid != f1.TxHash() {
		t.Fatalf("pool view of the contract: %+v, %v", c, err)
	}
	h.rejectGame(h.fulfil(tm), game.CodeContractExists)
	// The pool's fulfil can be claimed before it is mined.
	cl := h.claim(tm, f1)
	h.accept(cl)
	if c, _ := h.view().Contract(id); c == nil || c.State != game.ContractExchanged || c.SettleTxid != cl.TxHash() {
		t.Fatalf("pool view after the claim: %+v", c)
	}
	h.checkPool(f1, cl)

	// Removed from the pool: the contract is free again.
	h.pool.Remove(f1.TxHash(), true)
	if len(h.pool.g.game.contracts) != 0 {
		t.Fatalf("contract index after removal: %v", h.pool.g.game.contracts)
	}
	f2 := h.fulfil(tm)
	h.accept(f2)
	kid := h.spendOne(gout(f2, 2), 1000)
	h.accept(kid)

	// Another fulfil of the contract mined (not from the pool): the
	// pool's one leaves with its descendants.
	h.mine(h.fulfil(tm))
	h.wantRemoved(RemoveConflict, f2, kid)
	h.checkPool()
	if len(h.pool.g.game.contracts) != 0 {
		t.Fatalf("contract index after the block: %v", h.pool.g.game.contracts)
	}
	h.rejectGame(h.fulfil(tm), game.CodeContractExists)
}

// TestGameContractExpiry: a fulfil and a claim in the pool leave
// (RemoveLapsed, with descendants) once the next height reaches the
// contract's expiry.
func TestGameContractExpiry(t *testing.T) {
	h := newGameHarness(t)
	// A fulfil accepted at expiry - 1 and not mined.
	tm := h.goldTerms(h.next()+1, 1)
	f := h.fulfil(tm)
	h.accept(f)
	kid := h.spendOne(gout(f, 2), 1000)
	h.accept(kid)
	h.mine()
	if h.next() != int32(tm.Expiry) {
		t.Fatalf("next height %d, expiry %d", h.next(), tm.Expiry)
	}
	h.wantRemoved(RemoveLapsed, f, kid)
	h.checkPool()
	h.rejectGame(h.fulfil(tm), game.CodeContractExpired)

	// A claim of a mined escrow, accepted two blocks before the expiry.
	tm = h.goldTerms(h.next()+3, 2)
	f = h.fulfil(tm)
	h.mine(f)
	cl := h.claim(tm, f)
	h.accept(cl)
	h.mine()
	h.checkPool(cl)
	h.mine()
	if h.next() != int32(tm.Expiry) {
		t.Fatalf("next height %d, expiry %d", h.next(), tm.Expiry)
	}
	h.wantRemoved(RemoveLapsed, cl)
	h.checkPool()
	h.rejectGame(h.claim(tm, f), game.CodeContractExpired)
}
