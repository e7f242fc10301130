package mempool

import (
	"testing"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// props creates n mined props of 20,000 dust for owner under producer
// name (registered for owner) and returns their carriers and ids.
func (h *gameHarness) props(name string, owner *chaingen.Key, n int) ([]chaingen.SpendableOut, []game.ID) {
	h.t.Helper()
	reg, pid := h.register(name, owner)
	h.mine(reg)
	prodOut := gout(reg, 1)
	golds := make([]int64, n)
	for i := range golds {
		golds[i] = 20_000
	}
	cr := h.create(&prodOut, owner, pid, owner, golds...)
	h.mine(cr)
	outs := make([]chaingen.SpendableOut, n)
	ids := make([]game.ID, n)
	for i := range outs {
		outs[i], ids[i] = gout(cr, uint32(2+i)), game.PropID(cr.TxHash(), uint32(2+i))
	}
	return outs, ids
}

// bidFrom is a bid on list funded by c, an anyone-can-spend P2WSH coin
// (a gchange output), change to output 3.
func (h *gameHarness) bidFrom(list *wire.MsgTx, bid int64, payTo []byte, gold int64, buyer *chaingen.Key, c chaingen.SpendableOut, fee int64) *wire.MsgTx {
	tx := list.Copy()
	tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: bid, PkScript: payTo},
		&wire.TxOut{Value: gold, PkScript: buyer.P2WPKH()}, gchange(c.Amount-bid-fee))
	tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: c.PrevOut, Sequence: wire.MaxTxInSequenceNum,
		Witness: wire.TxWitness{chaingen.OpTrueScript}})
	return tx
}

// TestAuctionPinning: an attacker's own auction with a bid below buy-now
// (B1: valid in pools, not minable before its end) cannot be the parent of
// a buy-now bid on someone else's prop (closing that auction in every
// pool while templates drop it) nor of a producer registration (holding
// the name for ~289 blocks); once B1 is final, its outputs are ordinary.
func TestAuctionPinning(t *testing.T) {
	h := newGameHarness(t)
	victimOut, victimID, _, _ := h.prop()
	mineOut, mineIDs := h.props("mallory", h.bob, 1)
	next := h.next()
	// The victim's sale.
	vlist := h.listing(victimOut, h.alice, &game.Sale{Prop: victimID, BuyNow: 100_000, End: uint32(next + 5)})
	h.accept(vlist)
	// The attacker lists its own prop with the latest end and bids on it.
	end := next + 2*h.params.AuctionPeriod
	mlist := h.listing(mineOut[0], h.bob, &game.Sale{Prop: mineIDs[0], BuyNow: 1_000_000, End: uint32(end)})
	h.accept(mlist)
	b1 := h.bid(mlist, 30_000, h.bob.P2WPKH(), 20_000, h.bob)
	h.accept(b1)
	change := gout(b1, 3)

	// Buy-now on the victim's prop from B1's change: refused.
	pin := h.bidFrom(vlist, 100_000, h.alice.P2WPKH(), 20_000, h.bob, change, 5000)
	h.rejectGame(pin, CodeUnfinalParent)
	// A producer name from B1's change: refused.
	c := change
	squat := h.gen.CreateSignedTx([]chaingen.SignedIn{{Out: c}}, []*wire.TxOut{
		h.recOut(&game.ProducerRegister{Out: 1, ProducerInfo: game.ProducerInfo{Name: "starfall"}}),
		{Value: game.ProducerFee, PkScript: h.bob.P2WPKH()},
		gchange(c.Amount - game.ProducerFee - 1000),
	})
	h.rejectGame(squat, CodeUnfinalParent)
	// The victim's auction stays open: an honest buy-now settles it.
	honest := h.bidFee(vlist, 100_000, h.alice.P2WPKH(), 20_000, h.carol, 2000)
	h.accept(honest)
	h.wantRemoved(RemoveReplaced, vlist)
	reg, _ := h.register("starfall", h.carol)
	h.accept(reg)

	// From the attacker's end height B1 is final: its change spends.
	h.mine(honest, reg)
	for h.next() < end {
		h.mine()
	}
	kid := h.spendOne(change, 1000)
	h.accept(kid)

	// A reorg that takes the height back below the end makes B1
	// unminable again: what spends it leaves the pool.
	tip := h.chain.Best().Hash
	if err := h.chain.InvalidateBlock(tip); err != nil {
		t.Fatal(err)
	}
	h.wantRemoved(RemoveReorg, kid)
	if !h.pool.Have(b1.TxHash()) {
		t.Fatal("the bid itself left the pool")
	}
}

// TestBidReplacementFee: each replacing bid pays at least the fees of
// what it evicts plus its own relay (BIP125 rules 3 and 4); 200
// replacements at the same fee were once all accepted.
func TestBidReplacementFee(t *testing.T) {
	h := newGameHarness(t)
	propOut, propID, _, _ := h.prop()
	seller := h.alice.P2WPKH()
	list := h.listing(propOut, h.alice, &game.Sale{Prop: propID, BuyNow: 10_000_000, End: uint32(h.next() + 5)})
	h.accept(list)
	// The listing counts 0: the first bid pays only the relay floor.
	prev := h.bidFee(list, 30_000, seller, 20_000, h.bob, 1000)
	h.accept(prev)
	fee := int64(1000)
	for i := 1; i <= 5; i++ {
		bid := int64(30_000 + i)
		same := h.bidFee(list, bid, seller, 20_000, h.bob, fee)
		h.reject(same, ErrInsufficientFee, "insufficient fee")
		d, _ := h.pool.Fetch(prev.TxHash())
		// One dust short of old fee + vsize at the minimum relay rate.
		short := h.bidFee(list, bid, seller, 20_000, h.bob, fee+feeForVSize(h.pool.Policy().MinRelayFeeRate, d.VSize)-1)
		if dd := short.SerializeSize(); dd != prev.SerializeSize() {
			t.Fatalf("bid sizes differ: %d %d", dd, prev.SerializeSize())
		}
		h.reject(short, ErrInsufficientFee, "insufficient fee")
		fee += feeForVSize(h.pool.Policy().MinRelayFeeRate, d.VSize)
		next := h.bidFee(list, bid, seller, 20_000, h.bob, fee)
		h.accept(next)
		h.wantRemoved(RemoveReplaced, prev)
		prev = next
	}
}

// TestBidTie: of two equal bids, every pool keeps the one whose txid sorts
// first as displayed, whichever arrived first (each paying enough to
// replace the other).
func TestBidTie(t *testing.T) {
	h := newGameHarness(t)
	propOut, propID, _, _ := h.prop()
	seller := h.alice.P2WPKH()
	list := h.listing(propOut, h.alice, &game.Sale{Prop: propID, BuyNow: 100_000, End: uint32(h.next() + 5)})
	second := h.bidFee(list, 40_000, seller, 20_000, h.bob, 5000)
	// An equal bid paying enough to replace it whose txid sorts first
	// (the fee varies the txid).
	c := h.coin()
	var first *wire.MsgTx
	for fee := int64(6000); first == nil && fee < 6100; fee++ {
		tx := list.Copy()
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: 40_000, PkScript: seller},
			&wire.TxOut{Value: 20_000, PkScript: h.carol.P2WPKH()}, gchange(c.Amount-40_000-fee))
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: c.PrevOut, Sequence: wire.MaxTxInSequenceNum,
			SignatureScript: []byte{0x01, script.OP_TRUE}})
		if txidFirst(tx.TxHash(), second.TxHash()) {
			first = tx
		}
	}
	if first == nil {
		t.Fatal("no equal bid with a txid sorting first in 100 tries")
	}
	for _, order := range [][2]*wire.MsgTx{{first, second}, {second, first}} {
		h.pool = h.newPool(Policy{})
		h.listen()
		h.accept(list)
		h.accept(order[0])
		if order[0] == first {
			h.rejectGame(order[1], game.CodeBidTooLow)
		} else {
			h.accept(order[1])
		}
		h.checkPool(first)
	}
}

// TestListingPolicy: a listing pays no fee in the pool's ranking (the
// prop's gold is not a fee), is never evicted for size nor counted toward
// the size cap, and is bounded in number per pool and per producer. Forty
// listings once pushed an honest 1,500-dust transaction out of a full
// pool.
func TestListingPolicy(t *testing.T) {
	h := newGameHarness(t)
	outs, ids := h.props("lister", h.alice, 45)
	other, otherIDs := h.props("second", h.bob, 2)
	next := h.next()
	honest := h.spendOne(h.coin(), 1500)
	h.pool = h.newPool(Policy{MaxPoolBytes: 2 * estimateUsage(honest), MaxListings: 41, MaxListingsPerProducer: 40, MaxListingBytes: 1 << 20})
	h.listen()
	h.accept(honest)
	for i := range 40 {
		list := h.listing(outs[i], h.alice, &game.Sale{Prop: ids[i], BuyNow: 100_000, End: uint32(next + 5)})
		h.accept(list)
		if d, _ := h.pool.Fetch(list.TxHash()); d.Fee != 0 {
			t.Fatalf("listing %d: fee %d", i, d.Fee)
		}
	}
	if !h.pool.Have(honest.TxHash()) {
		t.Fatal("listings pushed a paying transaction out of the pool")
	}
	descs := h.pool.MiningDescs()
	found := false
	for _, d := range descs {
		found = found || d.TxID == honest.TxHash()
	}
	if !found {
		t.Fatal("the paying transaction is not offered to templates")
	}
	// The per-producer cap, then the pool's.
	h.rejectGame(h.listing(outs[40], h.alice, &game.Sale{Prop: ids[40], BuyNow: 100_000, End: uint32(next + 5)}), CodeListingsFull)
	h.accept(h.listing(other[0], h.bob, &game.Sale{Prop: otherIDs[0], BuyNow: 100_000, End: uint32(next + 5)}))
	h.rejectGame(h.listing(other[1], h.bob, &game.Sale{Prop: otherIDs[1], BuyNow: 100_000, End: uint32(next + 5)}), CodeListingsFull)
	// A paying newcomer beyond the cap evicts the paying transaction, not
	// a listing.
	richer := h.spendOne(h.coin(), 5000)
	rich2 := h.spendOne(h.coin(), 5000)
	h.accept(richer)
	h.accept(rich2)
	if h.pool.Have(honest.TxHash()) || h.pool.Info().Size != 41+2 {
		t.Fatalf("pool after two richer transactions: honest kept %v, size %d", h.pool.Have(honest.TxHash()), h.pool.Info().Size)
	}
}

// TestListingBytesCap: listings are bounded by their estimated memory
// use as well as by count. MaxListingBytes (default a tenth of
// MaxPoolBytes) refuses the listing that would pass it
// ("game-listings-full"); paying transactions are not held to it.
// 10,000 listings of large P2WSH witnesses were ~120 MB outside the
// pool's cap.
func TestListingBytesCap(t *testing.T) {
	if d := DefaultPolicy(); d.MaxListingBytes != DefaultMaxPoolBytes/10 {
		t.Fatalf("default MaxListingBytes %d", d.MaxListingBytes)
	}
	if p := (Policy{MaxPoolBytes: 5000}).withDefaults(); p.MaxListingBytes != 500 {
		t.Fatalf("MaxListingBytes %d for MaxPoolBytes 5000", p.MaxListingBytes)
	}
	h := newGameHarness(t)
	outs, ids := h.props("lister", h.alice, 4)
	next := h.next()
	sale := func(i int) *wire.MsgTx {
		return h.listing(outs[i], h.alice, &game.Sale{Prop: ids[i], BuyNow: 100_000, End: uint32(next + 5)})
	}
	first := sale(0)
	h.accept(first)
	u := h.pool.g.listingUsage
	if u <= 0 {
		t.Fatalf("listing usage %d", u)
	}
	h.pool = h.newPool(Policy{MaxListingBytes: 2*u + u/2})
	h.listen()
	h.accept(first)
	h.accept(sale(1))
	h.rejectGame(sale(2), CodeListingsFull)
	h.accept(h.spendOne(h.coin(), 1500))
	// Room again once a listing leaves (its bid is mined).
	h.mine(h.bid(first, 100_000, h.alice.P2WPKH(), 20_000, h.bob)) // buy-now: final at once
	h.accept(sale(2))
}
