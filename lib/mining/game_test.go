package mining_test

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/mining"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

func recOut(t testing.TB, r game.Record) *wire.TxOut {
	t.Helper()
	o, err := game.RecordOutput(r)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// gameProp registers a producer of alice and creates a prop of gold
// 20,000 for her, both mined through the generator; it returns the prop's
// carrier and id.
func gameProp(t *testing.T, e *env, name string, alice *chaingen.Key) (chaingen.SpendableOut, game.ID) {
	t.Helper()
	c := e.coin()
	reg := e.txgen.CreateSignedTx([]chaingen.SignedIn{{Out: *c}}, []*wire.TxOut{
		recOut(t, &game.ProducerRegister{Out: 1, ProducerInfo: game.ProducerInfo{Name: name}}),
		{Value: game.ProducerFee, PkScript: alice.P2WPKH()},
		{Value: c.Amount - game.ProducerFee - 1000, PkScript: chaingen.OpTrueP2WSH},
	})
	pid := game.ProducerID(reg.TxHash(), 1)
	cr := e.txgen.CreateSignedTx([]chaingen.SignedIn{{Out: *outOf(reg, 1), Key: alice}, {Out: *outOf(reg, 2)}}, []*wire.TxOut{
		recOut(t, &game.PropCreate{Producer: pid, ProducerOut: 1, Props: []game.NewProp{{Out: 2, OID: "sword"}}}),
		{Value: game.ProducerFee, PkScript: alice.P2WPKH()},
		{Value: 20_000, PkScript: alice.P2WPKH()},
		{Value: reg.TxOut[2].Value - 20_000 - 1000, PkScript: chaingen.OpTrueP2WSH},
	})
	e.accept(reg)
	e.accept(cr)
	mineAll(t, e, reg, cr)
	return chaingen.SpendableOutFromTx(cr, 2, -1), game.PropID(cr.TxHash(), 2)
}

// mineAll mines one block through the generator and checks it holds txs.
func mineAll(t *testing.T, e *env, txs ...*wire.MsgTx) {
	t.Helper()
	hashes, err := e.miner.Generate(context.Background(), 1, payTo)
	if err != nil {
		t.Fatal(err)
	}
	blk, err := e.chain.BlockByHash(hashes[0])
	if err != nil {
		t.Fatal(err)
	}
	in := map[chainhash.Hash]bool{}
	for _, id := range txids(blk) {
		in[id] = true
	}
	for _, tx := range txs {
		if !in[tx.TxHash()] {
			t.Fatalf("block %d lacks %s", e.chain.Best().Height, tx.TxHash())
		}
	}
}

// listAndBid lists the prop (signed SINGLE|ANYONECANPAY) and builds a bid
// of amount from a coinbase coin; output 3 of the bid is change.
func listAndBid(t *testing.T, e *env, prop chaingen.SpendableOut, seller *chaingen.Key, s *game.Sale, amount int64) (*wire.MsgTx, *wire.MsgTx) {
	list := e.txgen.CreateSignedTx([]chaingen.SignedIn{{Out: prop, Key: seller, HashType: script.SigHashSingle | script.SigHashAnyoneCanPay}},
		[]*wire.TxOut{recOut(t, s)})
	c := e.coin()
	bid := list.Copy()
	bid.TxOut = append(bid.TxOut, &wire.TxOut{Value: amount, PkScript: seller.P2WPKH()},
		&wire.TxOut{Value: prop.Amount, PkScript: chaingen.NewKey("buyer").P2WPKH()},
		&wire.TxOut{Value: c.Amount - amount - 1000, PkScript: chaingen.OpTrueP2WSH})
	bid.TxIn = append(bid.TxIn, &wire.TxIn{PreviousOutPoint: c.PrevOut, Sequence: wire.MaxTxInSequenceNum,
		SignatureScript: []byte{0x01, script.OP_TRUE}})
	return list, bid
}

// inTemplate reports whether a new template holds tx. A plain
// transaction put in the pool first must be in it: the selection itself
// left the sale out, not the coinbase-only fallback for an invalid block.
func inTemplate(t *testing.T, e *env, tx *wire.MsgTx) bool {
	t.Helper()
	plain := e.spend(e.coin(), 1000)
	e.accept(plain)
	tmpl, err := e.gen.NewBlockTemplate(payTo, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkTemplate(t, e, tmpl)
	found, plainIn := false, false
	for _, id := range txids(tmpl.Block) {
		found = found || id == tx.TxHash()
		plainIn = plainIn || id == plain.TxHash()
	}
	if !plainIn {
		t.Fatal("template without the plain pool transaction: the selection made an invalid block")
	}
	return found
}

// TestTemplateAuctions: listings never enter a template; a bid below
// buy-now waits for the end height (and only then may be spent in the
// pool); a buy-now bid goes in at once.
func TestTemplateAuctions(t *testing.T) {
	e := newEnv(t, 130, mempool.Policy{})
	alice := chaingen.NewKey("alice")
	prop, pid := gameProp(t, e, "alpha", alice)
	end := e.chain.Best().Height + 4
	list, bid := listAndBid(t, e, prop, alice, &game.Sale{Prop: pid, BuyNow: 100_000, End: uint32(end)}, 40_000)
	e.accept(list)
	if inTemplate(t, e, list) {
		t.Fatal("listing in a template")
	}
	e.accept(bid)
	// A bid below buy-now has no children in the pool before the end
	// (the pool refuses them: game-spends-unfinal-bid).
	for e.chain.Best().Height+1 < end {
		if inTemplate(t, e, bid) {
			t.Fatalf("bid below buy-now in the template at height %d, end %d", e.chain.Best().Height+1, end)
		}
		mineAll(t, e) // the bulk miner uses the same selection
		if !e.pool.Have(bid.TxHash()) {
			t.Fatalf("bid mined at height %d before the end %d", e.chain.Best().Height, end)
		}
	}
	kid := e.spend(outOf(bid, 3), 1000)
	e.accept(kid)
	if !inTemplate(t, e, bid) || !inTemplate(t, e, kid) {
		t.Fatalf("final bid or its child missing from the template at the end height %d", end)
	}
	mineAll(t, e, bid, kid)
	if p, err := e.chain.Prop(pid); err != nil || p == nil || p.LastPrice != 40_000 {
		t.Fatalf("prop after settlement: %+v, %v", p, err)
	}

	// A buy-now bid settles in the next block.
	prop2, pid2 := gameProp(t, e, "bravo", alice)
	_, buy := listAndBid(t, e, prop2, alice, &game.Sale{Prop: pid2, BuyNow: 60_000, End: uint32(e.chain.Best().Height + 10)}, 60_000)
	e.accept(buy)
	if !inTemplate(t, e, buy) {
		t.Fatal("buy-now bid missing from the template")
	}
	mineAll(t, e, buy)
}

// TestAuctionFinal covers the per-transaction filter the selection uses.
func TestAuctionFinal(t *testing.T) {
	s := &game.Sale{BuyNow: 100, End: 50}
	tests := []struct {
		name   string
		a      mempool.Auction
		height int32
		want   bool
	}{
		{"listing", mempool.Auction{Sale: s, Listing: true}, 60, false},
		{"low bid before the end", mempool.Auction{Sale: s, Bid: 99}, 49, false},
		{"low bid at the end", mempool.Auction{Sale: s, Bid: 99}, 50, true},
		{"buy-now bid before the end", mempool.Auction{Sale: s, Bid: 100}, 10, true},
		{"bid at end + grace", mempool.Auction{Sale: s, Bid: 99}, 50 + params.AuctionGrace, true},
		{"bid after end + grace", mempool.Auction{Sale: s, Bid: 100}, 51 + params.AuctionGrace, false},
	}
	for _, tt := range tests {
		if got := tt.a.Final(tt.height, params); got != tt.want {
			t.Errorf("%s: Final(%d) = %v, want %v", tt.name, tt.height, got, tt.want)
		}
	}
}

// TestTemplateContractExpiry: a fulfil or an escrow claim still in a pool
// when the template height reaches the contract's expiry (the pool has not
// caught up with the last block) stays out of the template, and the rest
// of the pool goes in (not the coinbase-only fallback).
func TestTemplateContractExpiry(t *testing.T) {
	e := newEnv(t, 130, mempool.Policy{})
	alice, bob := chaingen.NewKey("alice"), chaingen.NewKey("bob")
	secret := []byte("open sesame, thirty-two bytes...")
	hash := sha256.Sum256(secret)
	terms := func(expiry int32, nonce uint64) *game.Terms {
		tm := &game.Terms{AKey: alice.PubKey, BKey: bob.PubKey, AGold: 30_000, Memo: "test", Expiry: uint32(expiry), Nonce: nonce, Hash: hash[:]}
		game.CanonicalizeTerms(tm)
		return tm
	}
	fulfil := func(tm *game.Terms) *wire.MsgTx {
		outs, err := game.FulfilOutputs(&game.ContractFulfil{Terms: *tm}, nil)
		if err != nil {
			t.Fatal(err)
		}
		c := e.coin()
		outs = append(outs, &wire.TxOut{Value: c.Amount - int64(tm.AGold) - 1000, PkScript: chaingen.OpTrueP2WSH})
		return e.txgen.CreateSignedTx([]chaingen.SignedIn{{Out: *c}}, outs)
	}
	claim := func(tm *game.Terms, f *wire.MsgTx) *wire.MsgTx {
		id, _ := game.ContractID(tm)
		s, _ := game.EscrowScript(tm)
		esc := *outOf(f, 1)
		sign := func(tx *wire.MsgTx, idx int, hs *script.SigHashes) wire.TxWitness {
			w, err := game.ClaimWitness(tm, bob.WitnessScriptSignature(tx, idx, s, esc.Amount, 0, hs), secret)
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		return e.txgen.CreateSignedTx([]chaingen.SignedIn{{Out: esc, Witness: sign}}, []*wire.TxOut{
			recOut(t, &game.ContractExecute{Contract: id, Path: game.PathClaim}),
			{Value: esc.Amount - 1000, PkScript: bob.P2WPKH()},
		})
	}
	// A mined escrow to claim.
	next := e.chain.Best().Height + 1
	ctm := terms(next+2, 2)
	cf := fulfil(ctm)
	e.accept(cf)
	mineAll(t, e, cf)

	// A second pool on the chain that misses the next block.
	stale := *e
	stale.pool = mempool.New(mempool.Config{Params: params, Chain: e.chain, TimeSource: func() time.Time { return testNow }})
	stale.gen = mining.NewGenerator(params, e.chain, stale.pool, func() time.Time { return testNow })
	half := len(e.coins) / 2 // distinct coins for each
	stale.coins, e.coins = e.coins[:half], e.coins[half:]
	ftm := terms(e.chain.Best().Height+2, 1)
	f := fulfil(ftm)
	stale.accept(f)
	kid := stale.spend(outOf(f, 2), 1000)
	stale.accept(kid)
	cl := claim(ctm, cf)
	stale.accept(cl)
	if !inTemplate(t, &stale, f) || !inTemplate(t, &stale, cl) {
		t.Fatal("fulfil or claim missing from the template below the expiry")
	}
	mineAll(t, e)
	if h := e.chain.Best().Height + 1; h != int32(ftm.Expiry) || h != int32(ctm.Expiry) {
		t.Fatalf("template height %d, expiries %d %d", h, ftm.Expiry, ctm.Expiry)
	}
	for _, tx := range []*wire.MsgTx{f, kid, cl} {
		if !stale.pool.Have(tx.TxHash()) {
			t.Fatalf("tx %s left the stale pool", tx.TxHash())
		}
		if inTemplate(t, &stale, tx) {
			t.Fatalf("tx %s in a template at the expiry", tx.TxHash())
		}
	}
}
