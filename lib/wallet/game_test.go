package wallet

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// gameLedger is a minimal node for the wallet's game transactions: a UTXO
// set with annotations and the registries, updated by game.CheckTx's
// Effects, so every transaction the wallet builds is checked against the
// consensus rules (and its signatures against the script engine) before
// the fake chain mines it.
type gameLedger struct {
	t         *testing.T
	utxo      map[wire.OutPoint]game.Coin
	producers map[game.ID]*game.Producer
	props     map[game.ID]*game.Prop
	names     map[string]game.ID
}

func newGameLedger(t *testing.T, c *fakeChain) *gameLedger {
	l := &gameLedger{t: t, utxo: map[wire.OutPoint]game.Coin{}, producers: map[game.ID]*game.Producer{},
		props: map[game.ID]*game.Prop{}, names: map[string]game.ID{}}
	for _, b := range c.blocks {
		for _, tx := range b.Txs {
			l.addOutputs(tx)
		}
	}
	return l
}

func (l *gameLedger) ProducerIDByName(f string) (game.ID, bool, error) {
	id, ok := l.names[f]
	return id, ok, nil
}
func (l *gameLedger) Producer(id game.ID) (*game.Producer, error) { return l.producers[id], nil }
func (l *gameLedger) Prop(id game.ID) (*game.Prop, error)         { return l.props[id], nil }
func (l *gameLedger) Contract(game.ID) (*game.Contract, error)    { return nil, nil }

func (l *gameLedger) addOutputs(tx *wire.MsgTx) {
	id := tx.TxHash()
	objs := game.AnnotateTxid(tx, id)
	for i, o := range tx.TxOut {
		c := game.Coin{Value: o.Value, PkScript: o.PkScript}
		if objs != nil {
			c.Object = objs[i]
		}
		l.utxo[wire.OutPoint{Hash: id, Index: uint32(i)}] = c
	}
}

// check validates tx at height in mode and, for ModeBlock, applies it.
func (l *gameLedger) check(tx *wire.MsgTx, height int32, mode game.Mode) error {
	l.t.Helper()
	spent := make([]game.Coin, len(tx.TxIn))
	hashes := script.NewSigHashes(tx)
	for i, in := range tx.TxIn {
		c, ok := l.utxo[in.PreviousOutPoint]
		if !ok {
			l.t.Fatalf("input %d spends unknown %s", i, in.PreviousOutPoint)
		}
		spent[i] = c
		if err := script.VerifyInput(tx, i, c.PkScript, c.Value, script.StandardFlags, nil, hashes); err != nil {
			l.t.Fatalf("input %d: %v", i, err)
		}
	}
	eff, err := game.CheckTx(tx, tx.TxHash(), spent, height, l, regtest, mode)
	if err != nil || mode != game.ModeBlock {
		return err
	}
	for _, in := range tx.TxIn {
		delete(l.utxo, in.PreviousOutPoint)
	}
	l.addOutputs(tx)
	if eff != nil {
		for _, n := range eff.FreeNames {
			delete(l.names, n)
		}
		for _, n := range eff.ClaimNames {
			l.names[n] = eff.Producers[0].ID
		}
		for _, p := range eff.Producers {
			l.producers[p.ID] = &p
		}
		for _, p := range eff.Props {
			l.props[p.ID] = &p
		}
	}
	return nil
}

// mine checks tx in a block at the next height and connects it.
func (l *gameLedger) mine(c *fakeChain, txs ...*wire.MsgTx) {
	l.t.Helper()
	for _, tx := range txs {
		if err := l.check(tx, c.tip().Height+1, game.ModeBlock); err != nil {
			l.t.Fatalf("block check of %s: %v", tx.TxHash(), err)
		}
	}
	c.connect(nil, txs...)
}

func gameObjects(t *testing.T, w *Wallet, acct string) map[game.Object]GameCoin {
	t.Helper()
	cs, err := w.GameCoins(acct)
	if err != nil {
		t.Fatal(err)
	}
	m := map[game.Object]GameCoin{}
	for _, c := range cs {
		m[c.Object] = c
	}
	return m
}

func TestGameProducerAndProps(t *testing.T) {
	w, c, _ := startedWallet(t, 3)
	l := newGameLedger(t, c)
	ctx := context.Background()
	before := mustBalance(t, w, "")

	// Invalid details are refused before anything is built.
	for _, info := range []game.ProducerInfo{{Name: "ab"}, {Name: "starfall", Share: 50}, {Name: "starfall", URL: "ftp://x"}, {Name: ".dot"}} {
		if _, err := w.RegisterProducer(ctx, GameOptions{}, info); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("register %+v: %v", info, err)
		}
	}
	reg, err := w.RegisterProducer(ctx, GameOptions{}, game.ProducerInfo{Name: "starfall", URL: "https://starfall.example", Share: 15})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.check(reg.Tx, c.tip().Height+1, game.ModePool); err != nil {
		t.Fatalf("register: %v", err)
	}
	pid := reg.Objects[0].ID
	if pid != game.ProducerID(reg.TxID, 1) || reg.Tx.TxOut[1].Value != game.ProducerFee {
		t.Fatalf("register: %+v", reg)
	}
	l.mine(c, reg.Tx)
	b := mustBalance(t, w, "")
	if b.Confirmed != before.Confirmed-game.ProducerFee-reg.Fee || b.Game != game.ProducerFee {
		t.Errorf("after register: %+v (fee %s)", b, reg.Fee)
	}
	if _, ok := gameObjects(t, w, "")[game.Object{Kind: game.KindProducer, ID: pid}]; !ok {
		t.Fatal("producer not tracked")
	}

	// Rename, then create three props (one below the gold floor refused).
	chg, err := w.ChangeProducer(ctx, GameOptions{}, pid, game.ProducerInfo{Name: "Starfall2", Class: "rpg"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.mine(c, chg.Tx)
	if _, ok := l.names["starfall"]; ok || l.names["starfall2"] != pid {
		t.Errorf("names after rename: %v", l.names)
	}
	if _, err := w.CreateProps(ctx, GameOptions{}, pid, []PropSpec{{OID: "x", Gold: game.MinPropGold - 1}}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("low gold: %v", err)
	}
	cr, err := w.CreateProps(ctx, GameOptions{}, pid, []PropSpec{{OID: "sword", Gold: 100_000}, {OID: "shield", Gold: 20_000}, {OID: "", Gold: 10_000}})
	if err != nil {
		t.Fatal(err)
	}
	l.mine(c, cr.Tx)
	objs := gameObjects(t, w, "")
	if len(objs) != 4 || len(cr.Objects) != 3 {
		t.Fatalf("objects after create: %d, result %d", len(objs), len(cr.Objects))
	}
	sword, shield, third := cr.Objects[0].ID, cr.Objects[1].ID, cr.Objects[2].ID
	if l.props[sword].OID != "sword" || l.props[sword].Gold != 100_000 {
		t.Errorf("registry: %+v", l.props[sword])
	}
	if got := mustBalance(t, w, "").Game; got != game.ProducerFee+130_000 {
		t.Errorf("game value %s", got)
	}

	// A non-owner (another account) cannot act on them.
	if _, err := w.CreateAccount("bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.CreateProps(ctx, GameOptions{Account: "bob"}, pid, []PropSpec{{Gold: 10_000}}); !errors.Is(err, ErrNotOwned) {
		t.Errorf("bob creates: %v", err)
	}

	// Send one away (to an outside script), destroy another: its gold
	// returns as a plain coin.
	snd, err := w.SendProps(ctx, GameOptions{}, []PropMoveSpec{{Prop: shield, PkScript: extScript}})
	if err != nil {
		t.Fatal(err)
	}
	bb := mustBalance(t, w, "")
	dst, err := w.DestroyProps(ctx, GameOptions{}, []game.ID{third})
	if err != nil {
		t.Fatal(err)
	}
	l.mine(c, snd.Tx, dst.Tx)
	objs = gameObjects(t, w, "")
	if _, ok := objs[game.Object{Kind: game.KindProp, ID: shield}]; ok {
		t.Error("sent prop still tracked")
	}
	if l.props[third].Status != game.PropDestroyed {
		t.Errorf("destroyed: %+v", l.props[third])
	}
	ab := mustBalance(t, w, "")
	if ab.Confirmed != bb.Confirmed+10_000-dst.Fee-snd.Fee {
		// snd's fee was already paid from confirmed coins before bb? no:
		// bb was taken after snd was recorded (pending); its change is
		// unconfirmed there.
		if ab.Confirmed+ab.Unconfirmed != bb.Confirmed+bb.Unconfirmed+10_000-dst.Fee {
			t.Errorf("destroy: before %+v after %+v fee %s", bb, ab, dst.Fee)
		}
	}
	// A dry run builds and signs but records nothing.
	dry, err := w.SendProps(ctx, GameOptions{DryRun: true}, []PropMoveSpec{{Prop: sword, PkScript: extScript}})
	if err != nil || dry.Sent {
		t.Fatalf("dry run: %v %+v", err, dry)
	}
	if err := l.check(dry.Tx, c.tip().Height+1, game.ModePool); err != nil {
		t.Errorf("dry run tx: %v", err)
	}
	if objs := gameObjects(t, w, ""); objs[game.Object{Kind: game.KindProp, ID: sword}].Spender != (chainhash.Hash{}) {
		t.Error("dry run recorded")
	}
}

func TestGameAuction(t *testing.T) {
	w, c, _ := startedWallet(t, 3)
	ctx := context.Background()
	for _, a := range []string{"bob", "carol"} {
		if _, err := w.CreateAccount(a); err != nil {
			t.Fatal(err)
		}
		addr, _ := w.NewAddress(a, false)
		f, err := w.Send(ctx, "", []*wire.TxOut{{Value: int64(gg(20)), PkScript: addr.PkScript()}}, TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		c.connect(nil, f.Tx)
	}
	l := newGameLedger(t, c)
	reg, err := w.RegisterProducer(ctx, GameOptions{}, game.ProducerInfo{Name: "auctioneer"})
	if err != nil {
		t.Fatal(err)
	}
	l.mine(c, reg.Tx)
	cr, err := w.CreateProps(ctx, GameOptions{}, reg.Objects[0].ID, []PropSpec{{OID: "gem", Gold: 50_000}})
	if err != nil {
		t.Fatal(err)
	}
	l.mine(c, cr.Tx)
	gem := cr.Objects[0].ID
	gemCoin := gameObjects(t, w, "")[cr.Objects[0]]
	seller := gemCoin.PkScript

	if _, err := w.Sale(ctx, GameOptions{}, gem, 50_000, 0, 0, c.tip().Height); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("buy-now not above gold: %v", err)
	}
	list, err := w.Sale(ctx, GameOptions{}, gem, int64(gg(5)), 0, 0, c.tip().Height)
	if err != nil {
		t.Fatal(err)
	}
	if list.Fee != 0 {
		t.Errorf("listing fee %s, want 0: the seller pays none (the prop's gold is %s)", list.Fee, amount.Amount(50_000))
	}
	if len(list.Tx.TxIn) != 1 || len(list.Tx.TxOut) != 1 || !game.IsListing(list.Tx) {
		t.Fatalf("listing shape: %d in %d out", len(list.Tx.TxIn), len(list.Tx.TxOut))
	}
	wit := list.Tx.TxIn[0].Witness
	if sig := wit[0]; sig[len(sig)-1] != byte(script.SigHashSingle|script.SigHashAnyoneCanPay) {
		t.Errorf("listing sighash %#x", sig[len(sig)-1])
	}
	if err := l.check(list.Tx, c.tip().Height+1, game.ModePool); err != nil {
		t.Fatalf("listing: %v", err)
	}
	end := list.Tx.TxOut[0]
	_ = end
	if !gameObjects(t, w, "")[cr.Objects[0]].OnSale {
		t.Error("prop not on sale")
	}

	// Bob bids 1 GG: his coins are reserved, not lost.
	bobBefore := mustBalance(t, w, "bob")
	req := BidRequest{Sale: list.Tx, SellerScript: seller, Gold: 50_000, Price: int64(gg(1))}
	bid1, err := w.Bid(ctx, GameOptions{Account: "bob"}, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.check(bid1.Tx, c.tip().Height+1, game.ModePool); err != nil {
		t.Fatalf("bid: %v", err)
	}
	bb := mustBalance(t, w, "bob")
	if bb.Reserved != bobBefore.Confirmed || bb.Confirmed != 0 || bb.Total() != bobBefore.Total() {
		t.Errorf("bob while bidding: %+v (before %+v)", bb, bobBefore)
	}
	if statusOf(t, w, list.TxID) != TxConflicted {
		t.Errorf("listing after the bid: %s", statusOf(t, w, list.TxID))
	}
	// A bid not above the best is refused by the wallet already.
	if _, err := w.Bid(ctx, GameOptions{Account: "carol"}, BidRequest{Sale: bid1.Tx, SellerScript: seller, Gold: 50_000, Price: int64(gg(1))}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("equal bid: %v", err)
	}
	// Carol outbids; the node evicts bob's bid (TxReplaced): his coins
	// come back without any step of his.
	bid2, err := w.Bid(ctx, GameOptions{Account: "carol"}, BidRequest{Sale: bid1.Tx, SellerScript: seller, Gold: 50_000, Price: int64(gg(2))})
	if err != nil {
		t.Fatal(err)
	}
	w.TxReplaced(bid1.TxID)
	if got := mustBalance(t, w, "bob"); got != bobBefore {
		t.Errorf("bob after outbid: %+v, want %+v", got, bobBefore)
	}
	if statusOf(t, w, bid1.TxID) != TxConflicted {
		t.Errorf("bid1 status %s", statusOf(t, w, bid1.TxID))
	}
	if r := mustBalance(t, w, "carol").Reserved; r != gg(20) {
		t.Errorf("carol reserved %s", r)
	}
	// Carol's bid is below buy-now: not final before the end height.
	if err := l.check(bid2.Tx, c.tip().Height+1, game.ModeBlock); game.Code(err) != game.CodeAuctionNotFinal {
		t.Errorf("early settlement: %v", err)
	}
	// The auction lapses unsettled at end + grace: the bid expires and
	// carol's coins return.
	sale := mustSale(t, list.Tx)
	for c.tip().Height+1 <= int32(sale.End)+regtest.AuctionGrace {
		c.connect(nil)
	}
	if statusOf(t, w, bid2.TxID) != TxExpired {
		t.Errorf("bid2 after lapse: %s", statusOf(t, w, bid2.TxID))
	}
	if cb := mustBalance(t, w, "carol"); cb.Reserved != 0 || cb.Confirmed != gg(20) {
		t.Errorf("carol after lapse: %+v", cb)
	}
	if gameObjects(t, w, "")[cr.Objects[0]].OnSale {
		t.Error("prop still on sale after the lapse")
	}

	// A new sale; bob bids the buy-now price and the bid is mined: the
	// prop is his, the seller is paid.
	list2, err := w.Sale(ctx, GameOptions{}, gem, int64(gg(3)), int64(gg(1)), 0, c.tip().Height)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Bid(ctx, GameOptions{Account: "bob"}, BidRequest{Sale: list2.Tx, SellerScript: seller, Gold: 50_000, Price: int64(gg(0.5))}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("bid below reserve: %v", err)
	}
	sellerBefore := mustBalance(t, w, "")
	win, err := w.Bid(ctx, GameOptions{Account: "bob"}, BidRequest{Sale: list2.Tx, SellerScript: seller, Gold: 50_000, Price: int64(gg(3))})
	if err != nil {
		t.Fatal(err)
	}
	l.mine(c, win.Tx)
	if _, ok := gameObjects(t, w, "bob")[cr.Objects[0]]; !ok {
		t.Error("bob does not own the prop")
	}
	if _, ok := gameObjects(t, w, "")[cr.Objects[0]]; ok {
		t.Error("seller still owns the prop")
	}
	sa := mustBalance(t, w, "")
	if sa.Confirmed != sellerBefore.Confirmed+gg(3) || sa.Game != sellerBefore.Game-50_000 {
		t.Errorf("seller after settlement: %+v (before %+v)", sa, sellerBefore)
	}
	if l.props[gem].LastPrice != int64(gg(3)) {
		t.Errorf("registry last price %d", l.props[gem].LastPrice)
	}
	if b := mustBalance(t, w, "bob"); b.Reserved != 0 || b.Game != 50_000 {
		t.Errorf("bob after settlement: %+v", b)
	}
}

// TestGameBidLosesToMinedBid: a bid from a wallet that missed the
// replacement is conflicted when another settlement of the prop is mined.
func TestGameBidLosesToMinedBid(t *testing.T) {
	w, c, _ := startedWallet(t, 2)
	ctx := context.Background()
	// The sale of a prop outside this wallet.
	sale := wire.NewMsgTx(2)
	propOut := wire.OutPoint{Hash: chainhash.Hash{7}, Index: 1}
	sale.AddTxIn(&wire.TxIn{PreviousOutPoint: propOut, Witness: wire.TxWitness{make([]byte, 72), make([]byte, 33)}, Sequence: wire.MaxTxInSequenceNum - 2})
	rec, _ := game.RecordOutput(&game.Sale{Prop: game.ID{1}, BuyNow: 5e8, End: 500})
	sale.AddTxOut(rec)
	bid, err := w.Bid(ctx, GameOptions{}, BidRequest{Sale: sale, SellerScript: extScript, Gold: 20_000, Price: 1e8})
	if err != nil {
		t.Fatal(err)
	}
	if r := mustBalance(t, w, "").Reserved; r == 0 {
		t.Fatal("nothing reserved")
	}
	other := wire.NewMsgTx(2)
	other.AddTxIn(&wire.TxIn{PreviousOutPoint: propOut})
	other.AddTxOut(&wire.TxOut{Value: 1, PkScript: extScript})
	c.connect(nil, other)
	if statusOf(t, w, bid.TxID) != TxConflicted {
		t.Errorf("bid status %s", statusOf(t, w, bid.TxID))
	}
	if b := mustBalance(t, w, ""); b.Reserved != 0 || b.Confirmed != gg(100) {
		t.Errorf("after the conflict: %+v", b)
	}
}

func mustSale(t *testing.T, tx *wire.MsgTx) *game.Sale {
	t.Helper()
	rec, _, err := game.FindRecord(tx)
	if err != nil || rec == nil {
		t.Fatalf("no sale record: %v", err)
	}
	return rec.(*game.Sale)
}

// TestGameSignKeyMismatch damages the address record of a producer's
// coin so its private key no longer matches the address: the parallel
// signer's closing verification fails and the action reports
// ErrCorrupt, with nothing broadcast or recorded.
func TestGameSignKeyMismatch(t *testing.T) {
	w, c, _ := startedWallet(t, 3)
	l := newGameLedger(t, c)
	ctx := context.Background()
	reg, err := w.RegisterProducer(ctx, GameOptions{}, game.ProducerInfo{Name: "keycheck"})
	if err != nil {
		t.Fatal(err)
	}
	l.mine(c, reg.Tx)
	pk := reg.Tx.TxOut[1].PkScript
	if err := w.update(func(tx *storeTx) error {
		r, err := getAddr(tx, pk)
		if err != nil || r == nil {
			t.Fatalf("producer address: %v %v", r, err)
		}
		r.Index++ // the key of the next index: not this address's
		return w.putAddr(tx, pk, r)
	}); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	sent := len(c.broadcast)
	c.mu.Unlock()
	before := mustBalance(t, w, "")
	_, err = w.CreateProps(ctx, GameOptions{}, reg.Objects[0].ID, []PropSpec{{OID: "x", Gold: 10_000}})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "does not match its address") {
		t.Fatalf("create with a mismatched key = %v, want ErrCorrupt", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.broadcast) != sent {
		t.Error("a transaction was broadcast")
	}
	if after := mustBalance(t, w, ""); after != before {
		t.Errorf("balance moved: %+v, was %+v", after, before)
	}
}
