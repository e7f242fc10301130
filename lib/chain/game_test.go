package chain

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// gameEnv drives a chain with game transactions built by chaingen and
// signed with chaingen keys.
type gameEnv struct {
	t  testing.TB
	g  *chaingen.Generator
	tc *testChain
	n  int
}

func newGameEnv(t testing.TB) *gameEnv {
	e := &gameEnv{t: t, g: chaingen.New(chaincfg.RegTestParams), tc: openChain(t)}
	for range chaincfg.RegTestParams.CoinbaseMaturity + 10 {
		e.tc.mustAccept(t, e.g.NextBlock(e.name(), nil))
	}
	return e
}

func (e *gameEnv) name() string { e.n++; return fmt.Sprintf("b%d", e.n) }

// height is the height of the next block.
func (e *gameEnv) height() int32 { return e.g.NextHeight() }

// block builds the next block with txs without submitting it.
func (e *gameEnv) block(txs ...*wire.MsgTx) *wire.MsgBlock {
	return e.g.NextBlock(e.name(), nil, chaingen.AddTxs(txs...))
}

// mine connects a block holding txs.
func (e *gameEnv) mine(txs ...*wire.MsgTx) *wire.MsgBlock {
	e.t.Helper()
	blk := e.block(txs...)
	e.tc.mustAccept(e.t, blk)
	return blk
}

// refuse expects a block holding txs to break the game rule code and
// leaves the tip where it was.
func (e *gameEnv) refuse(code string, txs ...*wire.MsgTx) {
	e.t.Helper()
	tip := e.g.TipName()
	e.g.SetTip(tip)
	blk := e.block(txs...)
	e.g.SetTip(tip)
	_, _, err := e.tc.ProcessBlock(blk, BFNone)
	var re RuleError
	if !errors.Is(err, ErrGameRule) || !errors.As(err, &re) || re.Reason() != code {
		e.t.Fatalf("block with %s: got %v, want game rule %s", code, err, code)
	}
	if e.tc.Best().Hash != e.g.Tip().BlockHash() {
		e.t.Fatal("tip moved on a refused block")
	}
}

// refuseKind expects a block holding txs to fail with kind.
func (e *gameEnv) refuseKind(kind ErrorKind, txs ...*wire.MsgTx) {
	e.t.Helper()
	tip := e.g.TipName()
	blk := e.block(txs...)
	e.g.SetTip(tip)
	if _, _, err := e.tc.ProcessBlock(blk, BFNone); !errors.Is(err, kind) {
		e.t.Fatalf("got %v, want %v", err, kind)
	}
}

func (e *gameEnv) coin() chaingen.SpendableOut { return e.g.OldestCoinbaseOut() }

// gout describes output i of tx (mined or about to be, at the next
// height).
func gout(tx *wire.MsgTx, i uint32) chaingen.SpendableOut {
	return chaingen.SpendableOutFromTx(tx, i, -1)
}

func recOut(t testing.TB, r game.Record) *wire.TxOut {
	o, err := game.RecordOutput(r)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func change(v int64) *wire.TxOut { return &wire.TxOut{Value: v, PkScript: chaingen.OpTrueP2WSH} }

// register returns a tx registering name for owner, funded by a
// coinbase output; the producer is output 1.
func (e *gameEnv) register(name string, owner *chaingen.Key) (*wire.MsgTx, game.ID) {
	c := e.coin()
	tx := e.g.CreateSignedTx([]chaingen.SignedIn{{Out: c}}, []*wire.TxOut{
		recOut(e.t, &game.ProducerRegister{Out: 1, ProducerInfo: game.ProducerInfo{Name: name, Class: "rpg", Share: 10}}),
		{Value: game.ProducerFee, PkScript: owner.P2WPKH()},
		change(c.Amount - game.ProducerFee - 1000),
	})
	return tx, game.ProducerID(tx.TxHash(), 1)
}

// changeTx moves producer id (carried by prod, owned by key) to newOwner
// under name.
func (e *gameEnv) changeTx(prod chaingen.SpendableOut, key *chaingen.Key, id game.ID, name string, newOwner *chaingen.Key) *wire.MsgTx {
	return e.g.CreateSignedTx([]chaingen.SignedIn{{Out: prod, Key: key}}, []*wire.TxOut{
		recOut(e.t, &game.ProducerChange{Producer: id, Out: 1, ProducerInfo: game.ProducerInfo{Name: name}}),
		{Value: prod.Amount, PkScript: newOwner.P2WPKH()},
	})
}

// create issues props of the given golds to `to` (outputs 2...); the
// producer continues at output 1.
func (e *gameEnv) create(prod chaingen.SpendableOut, key *chaingen.Key, id game.ID, to *chaingen.Key, golds ...int64) *wire.MsgTx {
	c := e.coin()
	r := &game.PropCreate{Producer: id, ProducerOut: 1}
	outs := []*wire.TxOut{nil, {Value: prod.Amount, PkScript: key.P2WPKH()}}
	sum := int64(0)
	for i, g := range golds {
		r.Props = append(r.Props, game.NewProp{Out: uint32(2 + i), OID: fmt.Sprintf("item-%d", i)})
		outs = append(outs, &wire.TxOut{Value: g, PkScript: to.P2WPKH()})
		sum += g
	}
	outs[0] = recOut(e.t, r)
	outs = append(outs, change(c.Amount-sum-1000))
	return e.g.CreateSignedTx([]chaingen.SignedIn{{Out: prod, Key: key}, {Out: c}}, outs)
}

// send moves props (carried by ins, signed by key) to `to`, keeping gold.
func (e *gameEnv) send(key *chaingen.Key, to *chaingen.Key, ins []chaingen.SpendableOut, ids []game.ID) *wire.MsgTx {
	r := &game.PropSend{}
	outs := []*wire.TxOut{nil}
	var sins []chaingen.SignedIn
	for i, in := range ins {
		sins = append(sins, chaingen.SignedIn{Out: in, Key: key})
		r.Moves = append(r.Moves, game.PropMove{Prop: ids[i], Out: uint32(1 + i)})
		outs = append(outs, &wire.TxOut{Value: in.Amount, PkScript: to.P2WPKH()})
	}
	outs[0] = recOut(e.t, r)
	return e.g.CreateSignedTx(sins, outs)
}

// listing is the seller's half of a sale: input 0 (the prop) signed
// SIGHASH_SINGLE|ANYONECANPAY over output 0 (the record).
func (e *gameEnv) listing(prop chaingen.SpendableOut, seller *chaingen.Key, s *game.Sale) *wire.MsgTx {
	return e.g.CreateSignedTx([]chaingen.SignedIn{{Out: prop, Key: seller, HashType: script.SigHashSingle | script.SigHashAnyoneCanPay}},
		[]*wire.TxOut{recOut(e.t, s)})
}

// bid completes a listing: output 1 pays bid to payTo, output 2 carries
// the prop (gold) to the buyer, a coinbase output funds it.
func (e *gameEnv) bid(list *wire.MsgTx, bid int64, payTo []byte, gold int64, buyer *chaingen.Key) *wire.MsgTx {
	c := e.coin()
	tx := list.Copy()
	tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: bid, PkScript: payTo}, &wire.TxOut{Value: gold, PkScript: buyer.P2WPKH()},
		change(c.Amount-bid-1000))
	in := &wire.TxIn{PreviousOutPoint: c.PrevOut, Sequence: wire.MaxTxInSequenceNum}
	in.Witness = wire.TxWitness{append([]byte(nil), chaingen.OpTrueScript...)}
	tx.TxIn = append(tx.TxIn, in)
	if string(c.PkScript) != string(chaingen.OpTrueP2WSH) {
		// Coinbase outputs pay P2SH(OP_TRUE).
		in.Witness = nil
		in.SignatureScript = []byte{0x01, script.OP_TRUE}
	}
	return tx
}

func (e *gameEnv) regHash() chainhash.Hash {
	e.t.Helper()
	h, err := e.tc.RegistryHash()
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

func TestGameProducers(t *testing.T) {
	e := newGameEnv(t)
	alice, bob := chaingen.NewKey("alice"), chaingen.NewKey("bob")
	reg, pid := e.register("Acme", alice)
	e.mine(reg)
	p, err := e.tc.ProducerByName("ACME")
	if err != nil || p == nil || p.ID != pid || p.Name != "Acme" || p.Value != game.ProducerFee ||
		string(p.Owner) != string(alice.P2WPKH()) || p.Height != e.height()-1 {
		t.Fatalf("ProducerByName = %+v, %v", p, err)
	}
	if ent, _ := e.tc.FetchUtxoEntry(wire.OutPoint{Hash: reg.TxHash(), Index: 1}); ent == nil ||
		string(ent.Game) != string(game.Object{Kind: game.KindProducer, ID: pid}.Bytes()) {
		t.Fatalf("producer output annotation %+v", ent)
	}
	// Duplicate names: in one block, and across blocks (case-folded).
	d1, _ := e.register("dup1", alice)
	d2, _ := e.register("DUP1", bob)
	e.refuse(game.CodeNameTaken, d1, d2)
	again, _ := e.register("acme", bob)
	e.refuse(game.CodeNameTaken, again)
	// A stateless violation in a block.
	bad, _ := e.register("x", bob)
	e.refuse(game.CodeBadName, bad)
	// Rename frees the name; transfer to bob in the same change.
	ch := e.changeTx(gout(reg, 1), alice, pid, "Acme2", bob)
	e.mine(ch)
	p, _ = e.tc.Producer(pid)
	if p.Name != "Acme2" || string(p.Owner) != string(bob.P2WPKH()) || p.Outpoint != (wire.OutPoint{Hash: ch.TxHash(), Index: 1}) {
		t.Fatalf("after change %+v", p)
	}
	if q, _ := e.tc.ProducerByName("acme"); q != nil {
		t.Fatal("old name still held")
	}
	reg2, pid2 := e.register("acme", alice)
	e.mine(reg2)
	// The new owner changes it; the old owner's key no longer can (the
	// script fails).
	oldSig := e.g.CreateBadP2WPKHSpend(ptr(gout(ch, 1)), bob, []*wire.TxOut{
		recOut(t, &game.ProducerChange{Producer: pid, Out: 1, ProducerInfo: game.ProducerInfo{Name: "Acme3"}}),
		{Value: game.ProducerFee, PkScript: alice.P2WPKH()}})
	e.refuseKind(ErrScriptValidation, oldSig)
	ch2 := e.changeTx(gout(ch, 1), bob, pid, "acme2", bob)
	e.mine(ch2)
	// Spending the producer output without a record.
	plain := e.g.CreateP2WPKHSpend(ptr(gout(ch2, 1)), bob, []*wire.TxOut{{Value: game.ProducerFee, PkScript: bob.P2WPKH()}})
	e.refuse(game.CodeObjectNoRecord, plain)
	// A change naming another producer than the one spent.
	wrong := e.g.CreateSignedTx([]chaingen.SignedIn{{Out: gout(ch2, 1), Key: bob}}, []*wire.TxOut{
		recOut(t, &game.ProducerChange{Producer: pid2, Out: 1, ProducerInfo: game.ProducerInfo{Name: "zzzz"}}),
		{Value: game.ProducerFee, PkScript: bob.P2WPKH()}})
	e.refuse(game.CodeObjectNotCarried, wrong)
	// Listing.
	all, total, err := e.tc.Producers(ProducerQuery{})
	if err != nil || total != 2 || all[0].Name != "acme" || all[1].Name != "acme2" {
		t.Fatalf("Producers = %+v %d %v", all, total, err)
	}
	page, total, _ := e.tc.Producers(ProducerQuery{Offset: 1, Limit: 5})
	if total != 2 || len(page) != 1 || page[0].ID != pid {
		t.Fatalf("page %+v", page)
	}
	mine, _, _ := e.tc.Producers(ProducerQuery{Owner: alice.P2WPKH(), Class: "RPG"})
	if len(mine) != 1 || mine[0].ID != pid2 {
		t.Fatalf("by owner and class %+v", mine)
	}
	h, _ := e.tc.PropHistory(pid)
	if len(h) != 3 || h[0].Op != game.TypeProducerRegister || h[2].Op != game.TypeProducerChange || h[2].Txid != ch2.TxHash() {
		t.Fatalf("producer history %+v", h)
	}
}

func ptr[T any](v T) *T { return &v }

func TestGameProps(t *testing.T) {
	e := newGameEnv(t)
	alice, bob, carol := chaingen.NewKey("alice"), chaingen.NewKey("bob"), chaingen.NewKey("carol")
	reg, pid := e.register("Acme", alice)
	e.mine(reg)
	prod := gout(reg, 1)
	// Create by a non-owner: no producer input.
	c := e.coin()
	nonOwner := e.g.CreateSignedTx([]chaingen.SignedIn{{Out: c}}, []*wire.TxOut{
		recOut(t, &game.PropCreate{Producer: pid, ProducerOut: 1, Props: []game.NewProp{{Out: 2}}}),
		{Value: game.ProducerFee, PkScript: bob.P2WPKH()}, {Value: 20_000, PkScript: bob.P2WPKH()}, change(c.Amount - game.ProducerFee - 30_000)})
	e.refuse(game.CodeObjectNotCarried, nonOwner)
	// Gold below 10,000.
	e.refuse(game.CodeGoldTooLow, e.create(prod, alice, pid, bob, 20_000, 9_999))
	// Create three props for bob.
	cr := e.create(prod, alice, pid, bob, 20_000, 30_000, 40_000)
	e.mine(cr)
	prod = gout(cr, 1)
	ids := []game.ID{game.PropID(cr.TxHash(), 2), game.PropID(cr.TxHash(), 3), game.PropID(cr.TxHash(), 4)}
	pr, err := e.tc.Prop(ids[1])
	if err != nil || pr == nil || pr.Gold != 30_000 || pr.Producer != pid || pr.OID != "item-1" || pr.Status != game.PropLive ||
		string(pr.Owner) != string(bob.P2WPKH()) {
		t.Fatalf("Prop = %+v %v", pr, err)
	}
	if got, _ := e.tc.PropsByOwner(bob.P2WPKH()); len(got) != 3 {
		t.Fatalf("PropsByOwner = %d props", len(got))
	}
	// Spending a prop output without carrying it.
	drop := e.g.CreateP2WPKHSpend(ptr(gout(cr, 2)), bob, []*wire.TxOut{{Value: 19_000, PkScript: bob.P2WPKH()}})
	e.refuse(game.CodeObjectNoRecord, drop)
	// A send that changes the gold.
	up := e.send(bob, carol, []chaingen.SpendableOut{gout(cr, 2)}, ids[:1])
	up.TxOut[1].Value = 19_000
	up = e.g.CreateSignedTx([]chaingen.SignedIn{{Out: gout(cr, 2), Key: bob}}, up.TxOut)
	e.refuse(game.CodeGoldChanged, up)
	// A send that carries only one of the two props it spends.
	half := e.g.CreateSignedTx([]chaingen.SignedIn{{Out: gout(cr, 2), Key: bob}, {Out: gout(cr, 3), Key: bob}}, []*wire.TxOut{
		recOut(t, &game.PropSend{Moves: []game.PropMove{{Prop: ids[0], Out: 1}}}), {Value: 20_000, PkScript: carol.P2WPKH()},
		{Value: 30_000, PkScript: carol.P2WPKH()}})
	e.refuse(game.CodeObjectNotCarried, half)
	// Batch send two props to carol, then an in-block chain: carol sends
	// one on to alice in the same block.
	snd := e.send(bob, carol, []chaingen.SpendableOut{gout(cr, 2), gout(cr, 3)}, ids[:2])
	snd2 := e.send(carol, alice, []chaingen.SpendableOut{gout(snd, 2)}, ids[1:2])
	e.mine(snd, snd2)
	if got, _ := e.tc.PropsByOwner(carol.P2WPKH()); len(got) != 1 || got[0].ID != ids[0] {
		t.Fatalf("carol's props %+v", got)
	}
	if got, _ := e.tc.PropsByOwner(alice.P2WPKH()); len(got) != 1 || got[0].ID != ids[1] || got[0].Outpoint.Hash != snd2.TxHash() {
		t.Fatalf("alice's props %+v", got)
	}
	// Destroy: the gold becomes a plain coin; the id is never usable again.
	ds := e.g.CreateSignedTx([]chaingen.SignedIn{{Out: gout(snd, 1), Key: carol}}, []*wire.TxOut{
		recOut(t, &game.PropDestroy{Props: []game.ID{ids[0]}}), {Value: 19_000, PkScript: carol.P2WPKH()}})
	e.mine(ds)
	pr, _ = e.tc.Prop(ids[0])
	if pr.Status != game.PropDestroyed || pr.Updated != e.height()-1 {
		t.Fatalf("destroyed prop %+v", pr)
	}
	if got, _ := e.tc.PropsByOwner(carol.P2WPKH()); len(got) != 0 {
		t.Fatalf("destroyed prop still owned: %+v", got)
	}
	if ent, _ := e.tc.FetchUtxoEntry(wire.OutPoint{Hash: ds.TxHash(), Index: 1}); ent == nil || ent.Game != nil {
		t.Fatalf("melted coin annotated: %+v", ent)
	}
	// Reuse: the melted coin cannot carry the destroyed prop, by send or
	// by destroy.
	reuse := e.send(carol, bob, []chaingen.SpendableOut{gout(ds, 1)}, ids[:1])
	e.refuse(game.CodeObjectNotCarried, reuse)
	redo := e.g.CreateSignedTx([]chaingen.SignedIn{{Out: gout(ds, 1), Key: carol}}, []*wire.TxOut{
		recOut(t, &game.PropDestroy{Props: []game.ID{ids[0]}}), {Value: 18_000, PkScript: carol.P2WPKH()}})
	e.refuse(game.CodeObjectNotCarried, redo)
	// The melted coin spends like any other.
	e.mine(e.g.CreateP2WPKHSpend(ptr(gout(ds, 1)), carol, []*wire.TxOut{{Value: 18_000, PkScript: carol.P2WPKH()}}))
	// Indexes and history.
	byp, total, err := e.tc.PropsByProducer(pid, 0, 0)
	if err != nil || total != 3 || len(byp) != 3 {
		t.Fatalf("PropsByProducer = %d/%d %v", len(byp), total, err)
	}
	if page, total, _ := e.tc.PropsByProducer(pid, 2, 5); total != 3 || len(page) != 1 {
		t.Fatalf("PropsByProducer page %d/%d", len(page), total)
	}
	h, _ := e.tc.PropHistory(ids[0])
	if len(h) != 3 || h[0].Op != game.TypePropCreate || h[1].Op != game.TypePropSend || h[2].Op != game.TypePropDestroy ||
		h[2].Vout != game.DestroyedVout || h[0].Vout != 2 {
		t.Fatalf("prop history %+v", h)
	}
	h, _ = e.tc.PropHistory(ids[1])
	if len(h) != 3 || h[1].Height != h[2].Height || h[1].Txid != snd.TxHash() || h[2].Txid != snd2.TxHash() {
		t.Fatalf("in-block history %+v", h)
	}
}

func TestGameAuction(t *testing.T) {
	e := newGameEnv(t)
	alice, bob, carol := chaingen.NewKey("alice"), chaingen.NewKey("bob"), chaingen.NewKey("carol")
	grace := chaincfg.RegTestParams.AuctionGrace
	reg, pid := e.register("Acme", alice)
	e.mine(reg)
	cr := e.create(gout(reg, 1), alice, pid, bob, 20_000, 20_000, 20_000, 20_000)
	e.mine(cr)
	prop := func(i uint32) (chaingen.SpendableOut, game.ID) { return gout(cr, i), game.PropID(cr.TxHash(), i) }
	seller := bob.P2WPKH()

	// The listing itself can never be mined.
	p2, id2 := prop(2)
	end := uint32(e.height() + 5)
	sale := &game.Sale{Prop: id2, BuyNow: 100_000, Reserve: 30_000, End: end}
	list := e.listing(p2, bob, sale)
	e.refuse(game.CodeSaleListing, list)
	// Settlements that underpay or misdirect.
	e.refuse(game.CodeSellerNotPaid, e.bid(list, 100_000, carol.P2WPKH(), 20_000, carol))
	e.refuse(game.CodeBidTooLow, e.bid(list, 29_999, seller, 20_000, carol))
	e.refuse(game.CodeGoldChanged, e.bid(list, 100_000, seller, 19_999, carol))
	// Non-final: below buy-now before the end height.
	e.refuse(game.CodeAuctionNotFinal, e.bid(list, 99_999, seller, 20_000, carol))
	// Buy-now settles at once, with the seller's signature reused.
	buy := e.bid(list, 100_000, seller, 20_000, carol)
	e.mine(buy)
	pr, _ := e.tc.Prop(id2)
	if pr.LastPrice != 100_000 || string(pr.Owner) != string(carol.P2WPKH()) || pr.Outpoint != (wire.OutPoint{Hash: buy.TxHash(), Index: 2}) {
		t.Fatalf("after buy-now %+v", pr)
	}
	if ent, _ := e.tc.FetchUtxoEntry(wire.OutPoint{Hash: buy.TxHash(), Index: 2}); ent == nil ||
		string(ent.Game) != string(game.Object{Kind: game.KindProp, ID: id2}.Bytes()) {
		t.Fatal("bought prop not annotated")
	}
	if h, _ := e.tc.PropHistory(id2); len(h) != 2 || h[1].Op != game.TypeSale || h[1].Price != 100_000 {
		t.Fatalf("sale history %+v", h)
	}

	// A bid below buy-now settles from the end height on.
	p3, id3 := prop(3)
	end = uint32(e.height() + 1)
	list3 := e.listing(p3, bob, &game.Sale{Prop: id3, BuyNow: 100_000, End: end})
	low := e.bid(list3, 25_000, seller, 20_000, carol)
	e.refuse(game.CodeAuctionNotFinal, low)
	e.mine()
	e.mine(low) // at height end
	if pr, _ := e.tc.Prop(id3); pr.LastPrice != 25_000 || pr.Updated != int32(end) {
		t.Fatalf("end-height settlement %+v", pr)
	}
	// A bid below the prop's gold never settles.
	p4, id4 := prop(4)
	list4 := e.listing(p4, bob, &game.Sale{Prop: id4, BuyNow: 100_000, End: uint32(e.height())})
	e.refuse(game.CodeBidTooLow, e.bid(list4, 19_999, seller, 20_000, carol))
	// After end + grace the sale has lapsed.
	p5, id5 := prop(5)
	end = uint32(e.height())
	list5 := e.listing(p5, bob, &game.Sale{Prop: id5, BuyNow: 100_000, End: end})
	for int32(e.height()) <= int32(end)+grace {
		e.mine()
	}
	e.refuse(game.CodeAuctionExpired, e.bid(list5, 100_000, seller, 20_000, carol))
	// The seller may simply send the prop again.
	e.mine(e.send(bob, alice, []chaingen.SpendableOut{p5}, []game.ID{id5}))
}

// disconnectTip disconnects the active tip (nothing else is attached).
func (tc *testChain) disconnectTip(t testing.TB) {
	t.Helper()
	tc.mu.Lock()
	var notes []*Notification
	err := tc.connectBranch([]*blockNode{tc.index.tip()}, nil, nil, &notes)
	tc.unlockAndNotify(notes)
	if err != nil {
		t.Fatal(err)
	}
}

// reconnect connects the stored child h of the tip.
func (tc *testChain) reconnect(t testing.TB, h chainhash.Hash) {
	t.Helper()
	tc.mu.Lock()
	var notes []*Notification
	n := tc.index.nodes[h]
	err := tc.connectBranch(nil, []*blockNode{n}, nil, &notes)
	tc.unlockAndNotify(notes)
	if err != nil {
		t.Fatal(err)
	}
}

// TestGameReorg connects a game history block by block, recording the
// registry and UTXO hashes before each, then disconnects the blocks one
// by one (each must restore the recorded hashes exactly), reconnects
// them, reorganises onto a competing branch and back, and finally
// replays the main chain into a fresh chain: the registries are rebuilt
// byte for byte.
func TestGameReorg(t *testing.T) {
	e := newGameEnv(t)
	alice, bob, carol := chaingen.NewKey("alice"), chaingen.NewKey("bob"), chaingen.NewKey("carol")
	fork := e.g.TipName()
	type step struct {
		hash     chainhash.Hash
		reg, utx chainhash.Hash
	}
	var steps []step
	record := func(txs ...*wire.MsgTx) *wire.MsgBlock {
		u, _ := e.tc.utxoHash(t)
		reg := e.regHash()
		blk := e.mine(txs...)
		steps = append(steps, step{blk.BlockHash(), reg, u})
		return blk
	}
	reg, pid := e.register("Acme", alice)
	record(reg)
	ch := e.changeTx(gout(reg, 1), alice, pid, "Acme-Games", alice)
	record(ch)
	cr := e.create(gout(ch, 1), alice, pid, bob, 20_000, 25_000, 30_000)
	record(cr)
	ids := []game.ID{game.PropID(cr.TxHash(), 2), game.PropID(cr.TxHash(), 3), game.PropID(cr.TxHash(), 4)}
	snd := e.send(bob, carol, []chaingen.SpendableOut{gout(cr, 2), gout(cr, 3)}, ids[:2])
	reg2, _ := e.register("acme", bob) // the freed name, reused
	record(snd, reg2)
	list := e.listing(gout(snd, 1), carol, &game.Sale{Prop: ids[0], BuyNow: 50_000, End: uint32(e.height() + 10)})
	buy := e.bid(list, 50_000, carol.P2WPKH(), 20_000, bob)
	ds := e.g.CreateSignedTx([]chaingen.SignedIn{{Out: gout(snd, 2), Key: carol}}, []*wire.TxOut{
		recOut(t, &game.PropDestroy{Props: []game.ID{ids[1]}}), {Value: 25_000, PkScript: carol.P2WPKH()}})
	record(buy, ds)
	ch2 := e.changeTx(gout(cr, 1), alice, pid, "Acme-Two", carol) // rename again and transfer
	record(ch2)
	finalReg, finalUtxo := e.regHash(), func() chainhash.Hash { h, _ := e.tc.utxoHash(t); return h }()
	if p, _ := e.tc.ProducerByName("acme"); p == nil || p.ID == pid {
		t.Fatal("name reuse lost")
	}

	// One by one back to the fork.
	for i := len(steps) - 1; i >= 0; i-- {
		if e.tc.Best().Hash != steps[i].hash {
			t.Fatalf("step %d: tip is not the recorded block", i)
		}
		e.tc.disconnectTip(t)
		if got := e.regHash(); got != steps[i].reg {
			t.Fatalf("disconnecting block %d: registry hash %v, want %v", i, got, steps[i].reg)
		}
		if got, _ := e.tc.utxoHash(t); got != steps[i].utx {
			t.Fatalf("disconnecting block %d: utxo hash differs", i)
		}
	}
	if p, _ := e.tc.Producer(pid); p != nil {
		t.Fatal("producer survived the disconnection of its registration")
	}
	empty := e.regHash()
	// And forward again.
	for i, s := range steps {
		if got := e.regHash(); got != s.reg {
			t.Fatalf("reconnecting block %d: registry hash before it differs", i)
		}
		e.tc.reconnect(t, s.hash)
	}
	if e.regHash() != finalReg {
		t.Fatal("registry hash after reconnecting differs")
	}
	if err := e.tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}

	// A longer competing branch from the fork with its own game history
	// (the same name for another owner) replaces everything at once.
	mainTip := e.g.TipName()
	e.g.SetTip(fork)
	regB, pidB := e.register("Acme", carol)
	var side []*wire.MsgBlock
	side = append(side, e.block(regB))
	for range len(steps) {
		side = append(side, e.block())
	}
	for _, b := range side {
		if _, _, err := e.tc.ProcessBlock(b, BFRequested); err != nil {
			t.Fatal(err)
		}
	}
	if e.tc.Best().Hash != side[len(side)-1].BlockHash() {
		t.Fatal("no reorg onto the longer branch")
	}
	if p, _ := e.tc.ProducerByName("acme"); p == nil || p.ID != pidB {
		t.Fatalf("after reorg acme is %+v", p)
	}
	for _, id := range ids {
		if p, _ := e.tc.Prop(id); p != nil {
			t.Fatal("prop of the old branch survived the reorg")
		}
	}
	// Back to the original branch, extended by two blocks.
	e.g.SetTip(mainTip)
	e.mine()
	e.mine()
	if p, _ := e.tc.ProducerByName("acme"); p == nil || p.ID == pidB {
		t.Fatal("reorg back did not restore the original registries")
	}
	e.g.SetTip(mainTip)

	// Rebuilt identically: a fresh chain fed the main chain's blocks.
	fresh := openChain(t)
	var blocks []*wire.MsgBlock
	for h := int32(1); h <= e.tc.Best().Height; h++ {
		hash, _ := e.tc.BlockHashByHeight(h)
		blk, err := e.tc.BlockByHash(hash)
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, blk)
	}
	fresh.mustAccept(t, blocks...)
	a, _ := e.tc.RegistryHash()
	b, _ := fresh.RegistryHash()
	if a != b || a == empty {
		t.Fatalf("rebuilt registries differ: %v vs %v", a, b)
	}
	ua, _ := e.tc.utxoHash(t)
	ub, _ := fresh.utxoHash(t)
	if ua != ub {
		t.Fatal("rebuilt utxo set differs")
	}
	_ = finalUtxo
}

func TestGameViewAndTemplate(t *testing.T) {
	e := newGameEnv(t)
	alice := chaingen.NewKey("alice")
	reg, pid := e.register("Acme", alice)
	// AddTxOuts annotates (the mempool's view of pool parents).
	v := NewUtxoViewpoint()
	v.AddTxOuts(reg, UnconfirmedHeight)
	if ent := v.LookupEntry(wire.OutPoint{Hash: reg.TxHash(), Index: 1}); ent == nil ||
		string(ent.Game) != string(game.Object{Kind: game.KindProducer, ID: pid}.Bytes()) {
		t.Fatalf("AddTxOuts annotation %+v", ent)
	}
	if ent := v.LookupEntry(wire.OutPoint{Hash: reg.TxHash(), Index: 2}); ent == nil || ent.Game != nil {
		t.Fatal("change output annotated")
	}
	// Block templates are checked against the game rules too, without
	// writing anything.
	before := e.regHash()
	dup, _ := e.register("ACME", alice)
	tip := e.g.TipName()
	tmpl := e.block(reg, dup)
	e.g.SetTip(tip)
	var re RuleError
	if err := e.tc.CheckConnectBlockTemplate(tmpl); !errors.As(err, &re) || re.Reason() != game.CodeNameTaken {
		t.Fatalf("template with duplicate names: %v", err)
	}
	good := e.block(reg)
	e.g.SetTip(tip)
	if err := e.tc.CheckConnectBlockTemplate(good); err != nil {
		t.Fatal(err)
	}
	if e.regHash() != before {
		t.Fatal("template check wrote the registries")
	}
	// GameView: consistent until the tip moves.
	gv := e.tc.GameView()
	if _, h := gv.Tip(); h != e.tc.Best().Height || gv.Height() != h {
		t.Fatal("view height")
	}
	if _, ok, err := gv.ProducerIDByName("acme"); ok || err != nil {
		t.Fatalf("name before mining: %v %v", ok, err)
	}
	eff, err := game.CheckTx(reg, reg.TxHash(), []game.Coin{{Value: 1, PkScript: chaingen.OpTrueP2SH}}, gv.Height()+1, gv, e.g.Params, game.ModePool)
	if err != nil || eff == nil || eff.Producers[0].ID != pid {
		t.Fatalf("CheckTx on the view: %+v %v", eff, err)
	}
	e.tc.mustAccept(t, good)
	e.g.SetTip(e.g.NameOf(good.BlockHash()))
	if _, err := gv.Producer(pid); !errors.Is(err, ErrStaleGameView) {
		t.Fatalf("stale view: %v", err)
	}
	if _, err := gv.Prop(pid); !errors.Is(err, ErrStaleGameView) {
		t.Fatalf("stale view: %v", err)
	}
	gv = e.tc.GameView()
	if id, ok, err := gv.ProducerIDByName("acme"); !ok || err != nil || id != pid {
		t.Fatalf("new view: %v %v %v", id, ok, err)
	}
	if p, err := gv.Producer(pid); p == nil || err != nil {
		t.Fatalf("new view producer: %v", err)
	}
	if p, err := gv.Prop(pid); p != nil || err != nil {
		t.Fatalf("producer id as prop: %v %v", p, err)
	}
}

func TestRegistryRecords(t *testing.T) {
	p := &game.Producer{ID: game.ID{1}, ProducerInfo: game.ProducerInfo{Name: "Acme", URL: "https://a.example", IP: "::1", Class: "rpg", Share: 49},
		Outpoint: wire.OutPoint{Hash: chainhash.Hash{9}, Index: 7}, Owner: []byte{0, 20, 1}, Value: game.ProducerFee, Height: 5, Updated: 9}
	back, err := decodeProducer(p.ID, encodeProducer(p))
	if err != nil || fmt.Sprint(*back) != fmt.Sprint(*p) {
		t.Fatalf("producer %+v %v", back, err)
	}
	pr := &game.Prop{ID: game.ID{2}, Producer: game.ID{1}, OID: "sword", Gold: 20_000, Outpoint: wire.OutPoint{Index: 3},
		Owner: []byte{0, 20}, Status: game.PropDestroyed, Height: 1, Updated: 2, LastPrice: 99}
	backp, err := decodeProp(pr.ID, encodeProp(pr))
	if err != nil || fmt.Sprint(*backp) != fmt.Sprint(*pr) {
		t.Fatalf("prop %+v %v", backp, err)
	}
	ev := game.Event{Object: game.Object{Kind: game.KindProp, ID: game.ID{2}}, Op: game.TypeSale, Height: 77, Txid: chainhash.Hash{4}, Vout: 2, Price: 5}
	backe, err := decodeEvent(historyKey(ev.Object.ID, 77, 3), encodeEvent(&ev))
	if err != nil || backe != ev {
		t.Fatalf("event %+v %v", backe, err)
	}
	// Truncated or padded records are corrupt, never a panic.
	for _, b := range [][]byte{nil, encodeProducer(p)[:10], append(encodeProducer(p), 0)} {
		if _, err := decodeProducer(p.ID, b); err == nil {
			t.Errorf("producer %x decoded", b)
		}
	}
	for _, b := range [][]byte{nil, encodeProp(pr)[:40], append(encodeProp(pr), 0)} {
		if _, err := decodeProp(pr.ID, b); err == nil {
			t.Errorf("prop %x decoded", b)
		}
	}
	// Unknown status bytes and gold or prices above MaxInt64 (which would
	// decode negative) are corrupt records.
	badStatus, badGold, badPrice := *pr, *pr, *pr
	badStatus.Status, badGold.Gold, badPrice.LastPrice = 9, -1, -5
	zeroStatus := *pr
	zeroStatus.Status = 0
	for _, q := range []*game.Prop{&badStatus, &zeroStatus, &badGold, &badPrice} {
		if _, err := decodeProp(q.ID, encodeProp(q)); !errors.Is(err, errCorrupt) {
			t.Errorf("prop %+v: err = %v, want errCorrupt", q, err)
		}
	}
	badValue := *p
	badValue.Value = -1
	if _, err := decodeProducer(p.ID, encodeProducer(&badValue)); !errors.Is(err, errCorrupt) {
		t.Errorf("producer value -1: err = %v, want errCorrupt", err)
	}
	badEv := ev
	badEv.Price = -1
	if _, err := decodeEvent(historyKey(ev.Object.ID, 77, 3), encodeEvent(&badEv)); !errors.Is(err, errCorrupt) {
		t.Errorf("event price -1: err = %v, want errCorrupt", err)
	}
	if _, err := decodeEvent(make([]byte, 39), encodeEvent(&ev)); err == nil {
		t.Error("short history key decoded")
	}
	for _, b := range [][]byte{{5}, {1, 9, 1, 'k', 0}, {1, 0, 0, 0}, {1, 0, 1, 'k', 2}, {1, 0, 1, 'k', 1, 5}} {
		if _, _, err := decodeJournal(b); err == nil {
			t.Errorf("journal %x decoded", b)
		}
	}
	j, rest, err := decodeJournal([]byte{2, 0, 1, 'k', 0, 3, 1, 'x', 1, 1, 'v', 'h', 'o', 'o', 'k'})
	if err != nil || len(j) != 2 || j[0].prev != nil || string(j[1].prev) != "v" || string(rest) != "hook" {
		t.Fatalf("journal %+v %q %v", j, rest, err)
	}
}

// TestPropIndexShortKey: a truncated owner or producer index key (a
// corrupt database) is reported as corrupt, not a panic.
func TestPropIndexShortKey(t *testing.T) {
	e := newGameEnv(t)
	alice, bob := chaingen.NewKey("alice"), chaingen.NewKey("bob")
	reg, pid := e.register("Acme", alice)
	e.mine(reg)
	h := sha256.Sum256(bob.P2WPKH())
	if err := e.tc.db.Update(func(tx *store.Tx) error {
		if err := tx.Bucket(regBucketNames[regOwner]).Put(append(h[:], 1, 2, 3), []byte{}); err != nil {
			return err
		}
		return tx.Bucket(regBucketNames[regByProducer]).Put(append(pid[:], 1, 2, 3), []byte{})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.tc.PropsByOwner(bob.P2WPKH()); !errors.Is(err, errCorrupt) {
		t.Fatalf("PropsByOwner err = %v, want errCorrupt", err)
	}
	for _, off := range []int{0, 5} {
		if _, _, err := e.tc.PropsByProducer(pid, off, 0); !errors.Is(err, errCorrupt) {
			t.Fatalf("PropsByProducer(offset %d) err = %v, want errCorrupt", off, err)
		}
	}
}
