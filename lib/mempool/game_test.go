package mempool

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// gameHarness is a harness with keys and builders of signed game
// transactions (the same shapes as lib/chain's game tests).
type gameHarness struct {
	*harness
	alice, bob, carol *chaingen.Key

	mu      sync.Mutex
	removed map[chainhash.Hash]RemoveReason
}

func newGameHarness(t *testing.T) *gameHarness {
	h := &gameHarness{harness: newHarness(t, Policy{}, 120),
		alice: chaingen.NewKey("alice"), bob: chaingen.NewKey("bob"), carol: chaingen.NewKey("carol")}
	h.listen()
	return h
}

// listen records the removals the current pool reports.
func (h *gameHarness) listen() {
	h.removed = make(map[chainhash.Hash]RemoveReason)
	h.pool.Listen(Listener{OnRemove: func(d *TxDesc, r RemoveReason) {
		h.mu.Lock()
		h.removed[d.TxID] = r
		h.mu.Unlock()
	}})
}

// wantRemoved checks that each tx left the pool, reported with reason.
func (h *gameHarness) wantRemoved(reason RemoveReason, txs ...*wire.MsgTx) {
	h.t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, tx := range txs {
		if r, ok := h.removed[tx.TxHash()]; !ok || r != reason {
			h.t.Errorf("tx %s: removal %v (reported %v), want %v", tx.TxHash(), r, ok, reason)
		}
		if h.pool.Have(tx.TxHash()) {
			h.t.Errorf("tx %s still in the pool", tx.TxHash())
		}
	}
}

func (h *gameHarness) recOut(r game.Record) *wire.TxOut {
	h.t.Helper()
	o, err := game.RecordOutput(r)
	if err != nil {
		h.t.Fatal(err)
	}
	return o
}

func gchange(v int64) *wire.TxOut { return &wire.TxOut{Value: v, PkScript: chaingen.OpTrueP2WSH} }

// gout describes output i of tx.
func gout(tx *wire.MsgTx, i uint32) chaingen.SpendableOut {
	return chaingen.SpendableOutFromTx(tx, i, -1)
}

// register registers name for owner (producer at output 1).
func (h *gameHarness) register(name string, owner *chaingen.Key) (*wire.MsgTx, game.ID) {
	c := h.coin()
	tx := h.gen.CreateSignedTx([]chaingen.SignedIn{{Out: c}}, []*wire.TxOut{
		h.recOut(&game.ProducerRegister{Out: 1, ProducerInfo: game.ProducerInfo{Name: name}}),
		{Value: game.ProducerFee, PkScript: owner.P2WPKH()},
		gchange(c.Amount - game.ProducerFee - 1000),
	})
	return tx, game.ProducerID(tx.TxHash(), 1)
}

// rename moves producer id (output prod, key's) to name, same owner.
func (h *gameHarness) rename(prod chaingen.SpendableOut, key *chaingen.Key, id game.ID, name string) *wire.MsgTx {
	c := h.coin()
	return h.gen.CreateSignedTx([]chaingen.SignedIn{{Out: prod, Key: key}, {Out: c}}, []*wire.TxOut{
		h.recOut(&game.ProducerChange{Producer: id, Out: 1, ProducerInfo: game.ProducerInfo{Name: name}}),
		{Value: prod.Amount, PkScript: key.P2WPKH()},
		gchange(c.Amount - 1000),
	})
}

// create issues props of golds to `to` at outputs 2…; prod (nil: the
// producer is not spent) is the producer's carrier, continued at output 1.
func (h *gameHarness) create(prod *chaingen.SpendableOut, key *chaingen.Key, id game.ID, to *chaingen.Key, golds ...int64) *wire.MsgTx {
	c := h.coin()
	r := &game.PropCreate{Producer: id, ProducerOut: 1}
	outs := []*wire.TxOut{nil, {Value: game.ProducerFee, PkScript: key.P2WPKH()}}
	sum := int64(0)
	for i, g := range golds {
		r.Props = append(r.Props, game.NewProp{Out: uint32(2 + i), OID: fmt.Sprintf("item-%d", i)})
		outs = append(outs, &wire.TxOut{Value: g, PkScript: to.P2WPKH()})
		sum += g
	}
	outs[0] = h.recOut(r)
	ins := []chaingen.SignedIn{{Out: c}}
	if prod != nil {
		ins = append([]chaingen.SignedIn{{Out: *prod, Key: key}}, ins...)
	} else {
		sum += game.ProducerFee
	}
	outs = append(outs, gchange(c.Amount-sum-1000))
	return h.gen.CreateSignedTx(ins, outs)
}

// send moves prop id (carried by in, key's) to `to` with a fee-paying
// coin.
func (h *gameHarness) send(in chaingen.SpendableOut, key, to *chaingen.Key, id game.ID) *wire.MsgTx {
	c := h.coin()
	return h.gen.CreateSignedTx([]chaingen.SignedIn{{Out: in, Key: key}, {Out: c}}, []*wire.TxOut{
		h.recOut(&game.PropSend{Moves: []game.PropMove{{Prop: id, Out: 1}}}),
		{Value: in.Amount, PkScript: to.P2WPKH()},
		gchange(c.Amount - 1000),
	})
}

// destroy melts prop id (carried by in) into a plain coin.
func (h *gameHarness) destroy(in chaingen.SpendableOut, key *chaingen.Key, id game.ID) *wire.MsgTx {
	return h.gen.CreateSignedTx([]chaingen.SignedIn{{Out: in, Key: key}}, []*wire.TxOut{
		h.recOut(&game.PropDestroy{Props: []game.ID{id}}),
		{Value: in.Amount - 1000, PkScript: key.P2WPKH()},
	})
}

// listingHT is the seller's half of a sale with input 0 signed with ht.
func (h *gameHarness) listingHT(prop chaingen.SpendableOut, seller *chaingen.Key, s *game.Sale, ht script.SigHashType) *wire.MsgTx {
	return h.gen.CreateSignedTx([]chaingen.SignedIn{{Out: prop, Key: seller, HashType: ht}}, []*wire.TxOut{h.recOut(s)})
}

func (h *gameHarness) listing(prop chaingen.SpendableOut, seller *chaingen.Key, s *game.Sale) *wire.MsgTx {
	return h.listingHT(prop, seller, s, script.SigHashSingle|script.SigHashAnyoneCanPay)
}

// bid completes list: output 1 pays bid to payTo, output 2 carries the
// prop (gold) to buyer, output 3 is change of a coinbase coin (input 1);
// the fee is 1,000 dust.
func (h *gameHarness) bid(list *wire.MsgTx, bid int64, payTo []byte, gold int64, buyer *chaingen.Key) *wire.MsgTx {
	return h.bidFee(list, bid, payTo, gold, buyer, 1000)
}

// bidFee is bid with the given fee.
func (h *gameHarness) bidFee(list *wire.MsgTx, bid int64, payTo []byte, gold int64, buyer *chaingen.Key, fee int64) *wire.MsgTx {
	c := h.coin()
	tx := list.Copy()
	tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: bid, PkScript: payTo},
		&wire.TxOut{Value: gold, PkScript: buyer.P2WPKH()}, gchange(c.Amount-bid-fee))
	tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: c.PrevOut, Sequence: wire.MaxTxInSequenceNum,
		SignatureScript: []byte{0x01, script.OP_TRUE}})
	return tx
}

// rejectGame expects tx to be refused for the game rule code, with the
// error kinds and text a client relies on.
func (h *gameHarness) rejectGame(tx *wire.MsgTx, code string) {
	h.t.Helper()
	_, err := h.pool.ProcessTransaction(tx, false)
	switch {
	case err == nil:
		h.t.Fatalf("tx %s accepted, want %s", tx.TxHash(), code)
	case !errors.Is(err, ErrGameRule) || !errors.Is(err, game.ErrRule):
		h.t.Fatalf("tx %s: err %v, want an ErrGameRule and game.ErrRule", tx.TxHash(), err)
	case Reason(err) != code || game.Code(err) != code:
		h.t.Fatalf("tx %s: reason %q code %q (%v), want %q", tx.TxHash(), Reason(err), game.Code(err), err, code)
	case !strings.HasPrefix(err.Error(), code+": "):
		h.t.Fatalf("tx %s: text %q, want %q first", tx.TxHash(), err, code+": ")
	}
	if h.pool.Have(tx.TxHash()) {
		h.t.Fatalf("rejected tx %s is in the pool", tx.TxHash())
	}
}

// prop sets up a mined producer "alpha" of alice and a mined prop of
// gold 20,000 owned by alice; it returns the prop's carrier and id and
// the producer's carrier and id.
func (h *gameHarness) prop() (chaingen.SpendableOut, game.ID, chaingen.SpendableOut, game.ID) {
	reg, pid := h.register("alpha", h.alice)
	h.mine(reg)
	prodOut := gout(reg, 1)
	cr := h.create(&prodOut, h.alice, pid, h.alice, 20_000)
	h.mine(cr)
	return gout(cr, 2), game.PropID(cr.TxHash(), 2), gout(cr, 1), pid
}

// view returns the pool's game view at the current tip.
func (h *gameHarness) view() *poolView {
	return &poolView{chain: h.chain.GameView(), g: h.pool.g}
}

// side builds the next block on the generator's tip with txs and hands
// it to the chain, which must keep it on a side branch.
func (h *gameHarness) side(txs ...*wire.MsgTx) {
	h.t.Helper()
	h.n++
	blk := h.gen.NextBlock(fmt.Sprintf("b%d", h.n), nil, chaingen.AddTxs(txs...))
	if main, orphan, err := h.chain.ProcessBlock(blk, chain.BFNone); err != nil || main || orphan {
		h.t.Fatalf("side block %d: main %v orphan %v err %v", h.n, main, orphan, err)
	}
}

func (h *gameHarness) next() int32 { return h.chain.Best().Height + 1 }

// TestGameRules checks each game rule the pool enforces, consensus and
// policy, against the chain's registries and the pool's.
func TestGameRules(t *testing.T) {
	h := newGameHarness(t)
	propOut, propID, prodOut, prodID := h.prop()
	beta, _ := h.register("beta", h.bob)
	h.accept(beta)
	next := h.next()
	sale := func(end int32) *game.Sale { return &game.Sale{Prop: propID, BuyNow: 100_000, End: uint32(end)} }
	period := h.params.AuctionPeriod

	tests := []struct {
		name string
		tx   func() *wire.MsgTx
		code string // "" accepted
	}{
		{"name taken in the chain", func() *wire.MsgTx { tx, _ := h.register("ALPHA", h.carol); return tx }, game.CodeNameTaken},
		{"name taken in the pool", func() *wire.MsgTx { tx, _ := h.register("Beta", h.carol); return tx }, game.CodeNameTaken},
		{"bad name", func() *wire.MsgTx { tx, _ := h.register("-bad", h.carol); return tx }, game.CodeBadName},
		{"malformed record", func() *wire.MsgTx {
			c := h.coin()
			return h.gen.CreateSignedTx([]chaingen.SignedIn{{Out: c}}, []*wire.TxOut{
				{PkScript: []byte{script.OP_RETURN, 4, 0x67, 0x67, 0x02, 0x01}}, gchange(c.Amount - 1000)})
		}, game.CodeBadRecord},
		{"prop create by a non-owner", func() *wire.MsgTx { return h.create(nil, h.bob, prodID, h.bob, 20_000) }, game.CodeObjectNotCarried},
		{"gold below 10,000", func() *wire.MsgTx { return h.create(&prodOut, h.alice, prodID, h.alice, 9_999) }, game.CodeGoldTooLow},
		{"prop spent without carrying", func() *wire.MsgTx {
			return h.gen.CreateSignedTx([]chaingen.SignedIn{{Out: propOut, Key: h.alice}},
				[]*wire.TxOut{{Value: propOut.Amount - 1000, PkScript: h.alice.P2WPKH()}})
		}, game.CodeObjectNoRecord},
		{"prop sent with other gold", func() *wire.MsgTx {
			tx := h.send(propOut, h.alice, h.bob, propID)
			tx.TxOut[1].Value--
			return h.gen.CreateSignedTx([]chaingen.SignedIn{{Out: propOut, Key: h.alice}, {Out: h.coin()}}, tx.TxOut)
		}, game.CodeGoldChanged},
		{"listing ending before the next block", func() *wire.MsgTx { return h.listing(propOut, h.alice, sale(next-1)) }, CodeSaleEnd},
		{"listing ending after 2 periods", func() *wire.MsgTx { return h.listing(propOut, h.alice, sale(next+2*period+1)) }, CodeSaleEnd},
		{"listing signed SIGHASH_ALL", func() *wire.MsgTx { return h.listingHT(propOut, h.alice, sale(next+5), script.SigHashAll) }, CodeSaleSigHash},
		{"listing signed SINGLE", func() *wire.MsgTx { return h.listingHT(propOut, h.alice, sale(next+5), script.SigHashSingle) }, CodeSaleSigHash},
		{"listing with buy-now at gold", func() *wire.MsgTx {
			return h.listing(propOut, h.alice, &game.Sale{Prop: propID, BuyNow: 20_000, End: uint32(next + 5)})
		}, game.CodeBadSale},
		{"prop create by the owner", func() *wire.MsgTx { return h.create(&prodOut, h.alice, prodID, h.bob, 10_000) }, ""},
		{"listing ending at the last height", func() *wire.MsgTx { return h.listing(propOut, h.alice, sale(next+2*period)) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			tx := tt.tx()
			if tt.code == "" {
				h.accept(tx)
				return
			}
			h.rejectGame(tx, tt.code)
		})
	}
}

// TestGameNames: names claimed in the pool are taken; a name freed only
// by a pool rename stays taken until the rename is mined; a block that
// claims a name evicts the pool transaction claiming it.
func TestGameNames(t *testing.T) {
	h := newGameHarness(t)
	reg, id := h.register("alpha", h.alice)
	h.mine(reg)
	ren := h.rename(gout(reg, 1), h.alice, id, "gamma")
	h.accept(ren)
	again, _ := h.register("alpha", h.bob)
	h.rejectGame(again, game.CodeNameTaken)
	gamma, _ := h.register("GAMMA", h.bob)
	h.rejectGame(gamma, game.CodeNameTaken)
	if p, err := h.view().Producer(id); err != nil || p == nil || p.Name != "gamma" {
		t.Fatalf("pool view of the producer: %+v, %v; want name gamma", p, err)
	}
	// Renaming back to its own chain name is allowed to the owner.
	back := h.rename(gout(ren, 1), h.alice, id, "Alpha")
	h.accept(back)

	h.mine(ren, back)
	h.checkPool()
	h.accept(gamma) // freed by a mined rename

	// A fee bump of a register keeps its name: the replaced claim does
	// not count against the replacement.
	c := h.coin()
	regFee := func(fee int64) *wire.MsgTx {
		return h.gen.CreateSignedTx([]chaingen.SignedIn{{Out: c}}, []*wire.TxOut{
			h.recOut(&game.ProducerRegister{Out: 1, ProducerInfo: game.ProducerInfo{Name: "zeta"}}),
			{Value: game.ProducerFee, PkScript: h.bob.P2WPKH()},
			gchange(c.Amount - game.ProducerFee - fee),
		})
	}
	low, high := regFee(1000), regFee(5000)
	h.accept(low)
	h.accept(high)
	h.wantRemoved(RemoveReplaced, low)
	h.checkPool(gamma, high)
	h.mine(gamma, high)

	// A block claiming a name the pool holds evicts the pool's claim
	// and its descendants.
	delta, did := h.register("delta", h.bob)
	h.accept(delta)
	child := h.create(ptr(gout(delta, 1)), h.bob, did, h.bob, 10_000)
	h.accept(child)
	rival, _ := h.register("DELTA", h.carol)
	h.mine(rival)
	h.wantRemoved(RemoveConflict, delta, child)
	h.checkPool()
}

func ptr[T any](v T) *T { return &v }

// TestGamePoolObjects builds on producers and props that exist only in
// the pool: outputs of pool parents carry their annotations, and the
// block of the whole chain of transactions is valid.
func TestGamePoolObjects(t *testing.T) {
	h := newGameHarness(t)
	reg, id := h.register("alpha", h.alice)
	h.accept(reg)
	cr := h.create(ptr(gout(reg, 1)), h.alice, id, h.bob, 15_000, 25_000)
	h.accept(cr)
	p0 := game.PropID(cr.TxHash(), 2)
	snd := h.send(gout(cr, 2), h.bob, h.carol, p0)
	h.accept(snd)
	if e := h.pool.LookupEntry(wire.OutPoint{Hash: snd.TxHash(), Index: 1}); e == nil || string(e.Game) != string(game.Object{Kind: game.KindProp, ID: p0}.Bytes()) {
		t.Fatalf("pool output of the send: %+v, want the prop's annotation", e)
	}
	p, err := h.view().Prop(p0)
	if err != nil || p == nil || string(p.Owner) != string(h.carol.P2WPKH()) || p.Gold != 15_000 {
		t.Fatalf("pool view of the prop: %+v, %v", p, err)
	}
	// Spending the prop without carrying it, from the pool.
	h.rejectGame(h.gen.CreateSignedTx([]chaingen.SignedIn{{Out: gout(snd, 1), Key: h.carol}},
		[]*wire.TxOut{{Value: 14_000, PkScript: h.carol.P2WPKH()}}), game.CodeObjectNoRecord)
	h.mine(reg, cr, snd)
	h.checkPool()
	if p, err := h.chain.Prop(p0); err != nil || p == nil || string(p.Owner) != string(h.carol.P2WPKH()) {
		t.Fatalf("chain's prop after mining: %+v, %v", p, err)
	}
}

// TestGameAuction runs an auction in the pool: policy refusals, outbids
// evicting the previous bid with its descendants, buy-now closing it.
func TestGameAuction(t *testing.T) {
	h := newGameHarness(t)
	propOut, propID, _, _ := h.prop()
	seller := h.alice.P2WPKH()
	s := &game.Sale{Prop: propID, BuyNow: 100_000, Reserve: 30_000, End: uint32(h.next() + 5)}
	list := h.listing(propOut, h.alice, s)
	h.accept(list)
	if d, _ := h.pool.Fetch(list.TxHash()); d.Fee != 0 || d.FeeRate != 0 {
		t.Fatalf("listing fee %d (rate %d), want 0: the prop's gold %d goes to the buyer", d.Fee, d.FeeRate, propOut.Amount)
	}

	h.rejectGame(h.send(propOut, h.alice, h.bob, propID), CodePropOnSale)
	h.rejectGame(h.destroy(propOut, h.alice, propID), CodePropOnSale)
	h.rejectGame(h.listing(propOut, h.alice, &game.Sale{Prop: propID, BuyNow: 90_000, End: s.End}), CodePropOnSale)
	h.rejectGame(h.bid(list, 15_000, seller, 20_000, h.bob), game.CodeBidTooLow)             // below gold
	h.rejectGame(h.bid(list, 25_000, seller, 20_000, h.bob), game.CodeBidTooLow)             // below reserve
	h.rejectGame(h.bid(list, 40_000, h.bob.P2WPKH(), 20_000, h.bob), game.CodeSellerNotPaid) // pays the bidder

	b1 := h.bid(list, 40_000, seller, 20_000, h.bob)
	h.accept(b1)
	h.wantRemoved(RemoveReplaced, list)
	// A bid below buy-now cannot be mined before the end: nothing may
	// spend its outputs (the bidder's change, the prop it wins).
	h.rejectGame(h.spendOne(gout(b1, 3), 1000), CodeUnfinalParent)
	h.rejectGame(h.send(gout(b1, 2), h.bob, h.carol, propID), CodeUnfinalParent)
	if p, _ := h.view().Prop(propID); p == nil || string(p.Owner) != string(h.bob.P2WPKH()) {
		t.Fatalf("pool view after the bid: %+v", p)
	}
	// The bidder cannot withdraw by spending the bid's coin elsewhere.
	fund := chaingen.SpendableOut{PrevOut: b1.TxIn[1].PreviousOutPoint, PkScript: chaingen.OpTrueP2SH,
		Amount: b1.TxOut[1].Value + b1.TxOut[3].Value + 1000}
	h.rejectGame(h.spendOne(fund, 1000), CodePropOnSale)

	h.rejectGame(h.bid(list, 39_000, seller, 20_000, h.carol), game.CodeBidTooLow) // lower
	// A higher bid paying no more fee than the one it replaces: refused
	// (BIP125 rules 3 and 4), or bidding up would relay for free.
	h.reject(h.bid(list, 50_000, seller, 20_000, h.carol), ErrInsufficientFee, "insufficient fee")
	b2 := h.bidFee(list, 50_000, seller, 20_000, h.carol, 2000)
	h.accept(b2)
	h.wantRemoved(RemoveReplaced, b1)
	h.checkPool(b2)
	if p, _ := h.view().Prop(propID); p == nil || string(p.Owner) != string(h.carol.P2WPKH()) || p.Outpoint.Hash != b2.TxHash() {
		t.Fatalf("pool view after the outbid: %+v", p)
	}

	b3 := h.bidFee(list, 100_000, seller, 20_000, h.bob, 3000) // buy-now
	h.accept(b3)
	h.wantRemoved(RemoveReplaced, b2)
	h.rejectGame(h.bidFee(list, 120_000, seller, 20_000, h.carol, 9000), CodeAuctionClosed)
	// A buy-now bid can be mined at once: its outputs may be spent.
	kid := h.spendOne(gout(b3, 3), 1000)
	h.accept(kid)
	moved := h.send(gout(b3, 2), h.bob, h.carol, propID)
	h.accept(moved)
	if p, _ := h.view().Prop(propID); p == nil || string(p.Owner) != string(h.carol.P2WPKH()) {
		t.Fatalf("pool view after the buy-now bid and the move: %+v", p)
	}
	h.checkPool(b3, kid, moved)
}

// TestGameLapse: a sale leaves the pool (RemoveLapsed, with descendants)
// once end + grace is below the next height, and the prop is usable again.
func TestGameLapse(t *testing.T) {
	h := newGameHarness(t)
	propOut, propID, _, _ := h.prop()
	end := h.next() + 1
	list := h.listing(propOut, h.alice, &game.Sale{Prop: propID, BuyNow: 100_000, End: uint32(end)})
	h.accept(list)
	b := h.bid(list, 30_000, h.alice.P2WPKH(), 20_000, h.bob)
	h.accept(b)
	// Mine (without the sale) until the next height is end + grace: the
	// bid could still settle there (and, final from the end height, its
	// outputs may be spent).
	for h.next() < end+h.params.AuctionGrace {
		h.mine()
	}
	kid := h.spendOne(gout(b, 3), 1000)
	h.accept(kid)
	h.checkPool(b, kid)
	h.mine()
	h.wantRemoved(RemoveLapsed, kid, b)
	h.checkPool()
	h.accept(h.send(propOut, h.alice, h.carol, propID))
}

// TestGameReorg: transactions of a disconnected block come back with
// their game effects, and the overlay keeps the pool's later state.
func TestGameReorg(t *testing.T) {
	h := newGameHarness(t)
	fork := h.gen.TipName()
	reg, id := h.register("alpha", h.alice)
	h.mine(reg)
	ren := h.rename(gout(reg, 1), h.alice, id, "omega")
	h.accept(ren)

	// A longer branch without reg: reg comes back to the pool, ren stays.
	h.gen.SetTip(fork)
	h.side()
	h.mine()
	h.checkPool(reg, ren)
	if p, err := h.view().Producer(id); err != nil || p == nil || p.Name != "omega" {
		t.Fatalf("pool view after the reorg: %+v, %v; want omega", p, err)
	}
	for _, name := range []string{"alpha", "omega"} {
		tx, _ := h.register(name, h.bob)
		h.rejectGame(tx, game.CodeNameTaken)
	}
	h.mine(reg, ren)
	h.checkPool()
	if p, _ := h.chain.ProducerByName("omega"); p == nil || p.ID != id {
		t.Fatalf("chain after mining: %+v", p)
	}

	// A name freed by a mined rename and claimed in the pool: once the
	// rename's block is disconnected, the chain holds the name again and
	// the claim leaves the pool.
	fork = h.gen.TipName()
	ren3 := h.rename(gout(ren, 1), h.alice, id, "kappa")
	h.mine(ren3)
	claim, _ := h.register("omega", h.bob)
	h.accept(claim)
	h.gen.SetTip(fork)
	h.side()
	h.mine()
	h.wantRemoved(RemoveReorg, claim)
	h.checkPool(ren3)
	h.mine(ren3)

	// A branch whose block claims the name: the re-added register and its
	// child leave the pool.
	reg2, id2 := h.register("sigma", h.alice)
	fork = h.gen.TipName()
	h.mine(reg2)
	ren2 := h.rename(gout(reg2, 1), h.alice, id2, "tauon")
	h.accept(ren2)
	h.gen.SetTip(fork)
	rival, _ := h.register("SIGMA", h.carol)
	h.side(rival)
	h.mine()
	h.checkPool()
	if p, _ := h.chain.ProducerByName("sigma"); p == nil || p.ID == id2 {
		t.Fatalf("chain holds %+v for sigma, want the rival", p)
	}
	tau, _ := h.register("tauon", h.bob)
	h.accept(tau)
}

// TestGamePersist: a listing and the bid that replaced it survive a
// restart through the mempool file: the bid is restored (alone, or after
// its listing when the file holds both).
func TestGamePersist(t *testing.T) {
	h := newGameHarness(t)
	propOut, propID, _, _ := h.prop()
	s := &game.Sale{Prop: propID, BuyNow: 100_000, End: uint32(h.next() + 5)}
	list := h.listing(propOut, h.alice, s)
	h.accept(list)
	b := h.bid(list, 30_000, h.alice.P2WPKH(), 20_000, h.bob)
	h.accept(b)
	path := filepath.Join(t.TempDir(), "mempool.dat")
	if _, err := h.pool.Save(path); err != nil {
		t.Fatal(err)
	}
	h.pool = h.newPool(Policy{})
	if acc, failed, err := h.pool.Load(path); err != nil || acc != 1 || failed != 0 {
		t.Fatalf("Load: %d accepted, %d failed, %v", acc, failed, err)
	}
	h.checkPool(b)

	// A file with the listing first, then the bid.
	both := filepath.Join(t.TempDir(), "both.dat")
	recs := []fileRecord{{tx: list, added: h.clock}, {tx: b, added: h.clock}}
	if err := os.WriteFile(both, encodeFile(h.params.Net, recs), 0o600); err != nil {
		t.Fatal(err)
	}
	h.pool = h.newPool(Policy{})
	if acc, failed, err := h.pool.Load(both); err != nil || acc != 2 || failed != 0 {
		t.Fatalf("Load listing+bid: %d accepted, %d failed, %v", acc, failed, err)
	}
	h.checkPool(b)
	// A lower bid saved after a better one is refused on reload.
	low := h.bid(list, 25_000, h.alice.P2WPKH(), 20_000, h.carol)
	h.rejectGame(low, game.CodeBidTooLow)
}

// TestGameStandardRecord: a game record output is standard up to the
// record limit; a plain data carrier keeps its 83-byte limit.
func TestGameStandardRecord(t *testing.T) {
	pol := DefaultPolicy()
	big := &game.PropCreate{ProducerOut: 1}
	outs := []*wire.TxOut{nil, {Value: game.ProducerFee, PkScript: chaingen.OpTrueP2WSH}}
	for i := range 100 {
		big.Props = append(big.Props, game.NewProp{Out: uint32(2 + i), OID: "item"})
		outs = append(outs, &wire.TxOut{Value: game.MinPropGold, PkScript: chaingen.OpTrueP2WSH})
	}
	rec, err := game.RecordOutput(big)
	if err != nil {
		t.Fatal(err)
	}
	outs[0] = rec
	tx := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{}}, TxOut: outs}
	if len(rec.PkScript) <= script.MaxDataCarrierSize {
		t.Fatalf("record of %d bytes does not test the limit", len(rec.PkScript))
	}
	if err := checkTxStandard(tx, int64(tx.Weight()), &pol); err != nil {
		t.Fatalf("record output of %d bytes: %v", len(rec.PkScript), err)
	}
	plain := append([]byte{script.OP_RETURN, script.OP_PUSHDATA1, 100}, make([]byte, 100)...)
	tx.TxOut[0] = &wire.TxOut{PkScript: plain}
	if err := checkTxStandard(tx, int64(tx.Weight()), &pol); !errors.Is(err, ErrScriptPubKey) {
		t.Fatalf("plain data carrier of %d bytes: %v, want %v", len(plain), err, ErrScriptPubKey)
	}
	// A record and one plain carrier may go together; two plain ones not.
	small := []byte{script.OP_RETURN, 1, 0}
	outs[0] = rec
	tx.TxOut = append(outs, &wire.TxOut{PkScript: small})
	if err := checkTxStandard(tx, int64(tx.Weight()), &pol); err != nil {
		t.Fatalf("record and a data carrier: %v", err)
	}
	tx.TxOut = append(tx.TxOut, &wire.TxOut{PkScript: small})
	if err := checkTxStandard(tx, int64(tx.Weight()), &pol); !errors.Is(err, ErrMultiOpReturn) {
		t.Fatalf("two data carriers: %v", err)
	}
}
