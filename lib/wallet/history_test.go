package wallet

import (
	"context"
	"testing"

	"github.com/gamegold/gg/lib/wire"
)

// TestTransactionsAmountWithoutFee: like bitcoind's listtransactions, a
// payment's Amount is what left the account for others, without the
// fee, which is reported apart; a receipt's is what arrived.
func TestTransactionsAmountWithoutFee(t *testing.T) {
	w, c, _ := startedWallet(t, 3)
	ctx := context.Background()
	sent, err := w.Send(ctx, "", []*wire.TxOut{{Value: int64(gg(1.5)), PkScript: extScript}}, TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sent.Fee <= 0 {
		t.Fatalf("fee %s", sent.Fee)
	}
	c.connect(nil, sent.Tx)
	hist, err := w.Transactions("", 0, 1)
	if err != nil || len(hist) != 1 || hist[0].TxID != sent.Tx.TxHash() {
		t.Fatalf("history %+v %v", hist, err)
	}
	h := hist[0]
	if h.Amount != -gg(1.5) || h.Fee != sent.Fee {
		t.Errorf("payment: amount %s fee %s, want -1.5 and %s", h.Amount, h.Fee, sent.Fee)
	}
	if h.Received-h.Sent != h.Amount-h.Fee {
		t.Errorf("received %s - sent %s is not amount %s - fee %s", h.Received, h.Sent, h.Amount, h.Fee)
	}

	// A payment between two accounts of the wallet: in the whole
	// wallet's view nothing left but the fee; in bob's a receipt.
	if _, err := w.CreateAccount("bob"); err != nil {
		t.Fatal(err)
	}
	bob, err := w.NewAddress("bob", false)
	if err != nil {
		t.Fatal(err)
	}
	move, err := w.Send(ctx, "", []*wire.TxOut{{Value: int64(gg(2)), PkScript: bob.PkScript()}}, TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	all, _ := w.Transactions(AllAccounts, 0, 1)
	if len(all) != 1 || all[0].Amount != 0 || all[0].Fee != move.Fee {
		t.Errorf("move in the whole wallet: %+v", all)
	}
	def, _ := w.Transactions("", 0, 1)
	if len(def) != 1 || def[0].Amount != -gg(2) {
		t.Errorf("move from default: %+v", def)
	}
	got, _ := w.Transactions("bob", 0, 1)
	if len(got) != 1 || got[0].Amount != gg(2) || got[0].Sent != 0 {
		t.Errorf("move to bob: %+v", got)
	}
}
