package wallet

import (
	"context"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/wire"
)

// foreignSale is the listing of a prop outside the wallet.
func foreignSale(t *testing.T) *wire.MsgTx {
	t.Helper()
	sale := wire.NewMsgTx(2)
	sale.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash{9}, Index: 1},
		Witness: wire.TxWitness{make([]byte, 72), make([]byte, 33)}, Sequence: wire.MaxTxInSequenceNum - 2})
	rec, err := game.RecordOutput(&game.Sale{Prop: game.ID{2}, BuyNow: 10e8, End: 500})
	if err != nil {
		t.Fatal(err)
	}
	sale.AddTxOut(rec)
	return sale
}

// TestGameBidRaisesOwnBid: an account that outbids itself may spend the
// coins its earlier bid reserved; the earlier bid is conflicted, and a
// bid the node refuses leaves the earlier one live.
func TestGameBidRaisesOwnBid(t *testing.T) {
	w, c, _ := startedWallet(t, 1) // one coin of 50 GG
	ctx := context.Background()
	sale := foreignSale(t)
	bid1, err := w.Bid(ctx, GameOptions{}, BidRequest{Sale: sale, SellerScript: extScript, Gold: 20_000, Price: 1e8})
	if err != nil {
		t.Fatal(err)
	}
	if b := mustBalance(t, w, ""); b.Reserved != gg(50) || b.Confirmed != 0 {
		t.Fatalf("after bid 1: %+v", b)
	}
	// Refused by the node: nothing changes, bid 1 stays live.
	c.rejectAll = errTest("game-bid-too-low: no")
	if _, err := w.Bid(ctx, GameOptions{}, BidRequest{Sale: bid1.Tx, SellerScript: extScript, Gold: 20_000, Price: 2e8}); err == nil {
		t.Fatal("refused bid reported sent")
	}
	c.rejectAll = nil
	if statusOf(t, w, bid1.TxID) != TxPending {
		t.Fatalf("bid 1 after a refused raise: %s", statusOf(t, w, bid1.TxID))
	}
	bid2, err := w.Bid(ctx, GameOptions{}, BidRequest{Sale: bid1.Tx, SellerScript: extScript, Gold: 20_000, Price: 3e8})
	if err != nil {
		t.Fatal(err)
	}
	if bid2.Tx.TxIn[1].PreviousOutPoint != bid1.Tx.TxIn[1].PreviousOutPoint {
		t.Error("the raise did not reuse the reserved coin")
	}
	if statusOf(t, w, bid1.TxID) != TxConflicted || statusOf(t, w, bid2.TxID) != TxPending {
		t.Errorf("statuses: bid1 %s bid2 %s", statusOf(t, w, bid1.TxID), statusOf(t, w, bid2.TxID))
	}
	if b := mustBalance(t, w, ""); b.Reserved != gg(50) || b.Total() != gg(50) {
		t.Errorf("after the raise: %+v", b)
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }
