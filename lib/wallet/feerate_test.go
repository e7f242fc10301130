package wallet

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/wire"
)

// TestFeeRateCeiling: a fee rate above the ceiling (0.10 GG/kvB by
// default, or TxOptions.MaxFeeRate) is refused before anything is built,
// with an error naming the rate and the ceiling; the ceiling can be
// raised or lifted explicitly. The report's case: fundrawtransaction
// with feeRate 500 (GG/kvB) set a 90.6 GG fee on a 2 GG payment.
func TestFeeRateCeiling(t *testing.T) {
	ctx := context.Background()
	w, _, _ := startedWallet(t, 3)
	unfunded := func() *wire.MsgTx {
		tx := wire.NewMsgTx(2)
		tx.AddTxOut(&wire.TxOut{Value: int64(gg(2)), PkScript: extScript})
		return tx
	}
	for _, c := range []struct {
		name      string
		rate, max amount.Amount
	}{
		{"report's 500 GG/kvB", gg(500), 0},
		{"just above the default", amount.DefaultMaxFeeRate + 1, 0},
		{"above an explicit ceiling", gg(0.02), gg(0.01)},
	} {
		t.Run(c.name, func(t *testing.T) {
			tx := unfunded()
			before := mustBalance(t, w, "")
			_, err := w.Fund(ctx, "", tx, TxOptions{FeeRate: c.rate, MaxFeeRate: c.max})
			var fe *FeeRateError
			if !errors.Is(err, ErrFeeTooHigh) || !errors.As(err, &fe) {
				t.Fatalf("Fund at %s GG/kvB = %v, want ErrFeeTooHigh", c.rate, err)
			}
			wantMax := c.max
			if wantMax == 0 {
				wantMax = amount.DefaultMaxFeeRate
			}
			if fe.Rate != c.rate || fe.Max != wantMax {
				t.Fatalf("FeeRateError %+v, want rate %s max %s", fe, c.rate, wantMax)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.rate.String()+" GG/kvB") || !strings.Contains(msg, wantMax.String()+" GG/kvB") {
				t.Fatalf("message %q does not name the rate %s and the ceiling %s", msg, c.rate, wantMax)
			}
			if len(tx.TxIn) != 0 || len(tx.TxOut) != 1 {
				t.Fatalf("refused Fund changed the transaction: %d inputs, %d outputs", len(tx.TxIn), len(tx.TxOut))
			}
			if _, err := w.CreateTx(ctx, "", unfunded().TxOut, TxOptions{FeeRate: c.rate, MaxFeeRate: c.max}); !errors.Is(err, ErrFeeTooHigh) {
				t.Fatalf("CreateTx = %v, want ErrFeeTooHigh", err)
			}
			if _, err := w.Send(ctx, "", unfunded().TxOut, TxOptions{FeeRate: c.rate, MaxFeeRate: c.max}); !errors.Is(err, ErrFeeTooHigh) {
				t.Fatalf("Send = %v, want ErrFeeTooHigh", err)
			}
			if after := mustBalance(t, w, ""); after != before {
				t.Fatalf("balance moved: %+v -> %+v", before, after)
			}
		})
	}
	// At the ceiling, under a raised one, and with none: paid as asked.
	for _, c := range []struct {
		name      string
		rate, max amount.Amount
	}{
		{"at the default", amount.DefaultMaxFeeRate, 0},
		{"under a raised ceiling", gg(1), gg(2)},
		{"no ceiling", gg(500), amount.NoMaxFeeRate},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := w.Fund(ctx, "", unfunded(), TxOptions{FeeRate: c.rate, MaxFeeRate: c.max})
			if err != nil {
				t.Fatalf("Fund: %v", err)
			}
			if want := feeFor(int64(f.Tx.SerializeSizeStripped()), int64(c.rate)); int64(f.Fee) < want {
				t.Fatalf("fee %s below the rate's %s", f.Fee, amount.Amount(want))
			}
		})
	}
}

// TestFeeRateCeilingEstimate: an estimate above the ceiling (a chain
// client's runaway answer) is refused like an explicit rate, and says
// it was estimated.
func TestFeeRateCeilingEstimate(t *testing.T) {
	ctx := context.Background()
	w, c, _ := startedWallet(t, 3)
	c.mu.Lock()
	c.estimate = gg(3)
	c.mu.Unlock()
	_, err := w.Send(ctx, "", []*wire.TxOut{{Value: int64(gg(2)), PkScript: extScript}}, TxOptions{})
	var fe *FeeRateError
	if !errors.As(err, &fe) || !fe.Estimated || fe.Rate != gg(3) || !strings.Contains(err.Error(), "estimated") {
		t.Fatalf("Send with a 3 GG/kvB estimate = %v, want an estimated FeeRateError", err)
	}
	if _, err := w.Send(ctx, "", []*wire.TxOut{{Value: int64(gg(2)), PkScript: extScript}}, TxOptions{MaxFeeRate: gg(5)}); err != nil {
		t.Fatalf("Send under a raised ceiling: %v", err)
	}
}

// TestFeeRateCeilingGame: game actions and contracts go through the same
// ceiling (GameOptions.MaxFeeRate).
func TestFeeRateCeilingGame(t *testing.T) {
	ctx := context.Background()
	w, _, _ := startedWallet(t, 3)
	info := game.ProducerInfo{Name: "starfall", URL: "https://starfall.example", Share: 15}
	if _, err := w.RegisterProducer(ctx, GameOptions{FeeRate: gg(500)}, info); !errors.Is(err, ErrFeeTooHigh) {
		t.Fatalf("register at 500 GG/kvB = %v, want ErrFeeTooHigh", err)
	}
	if _, err := w.PublishContract(ctx, GameOptions{FeeRate: gg(500)}, ContractSpec{AGold: int64(gg(1))}, nil); !errors.Is(err, ErrFeeTooHigh) {
		t.Fatalf("publish contract at 500 GG/kvB = %v, want ErrFeeTooHigh", err)
	}
	if _, err := w.RegisterProducer(ctx, GameOptions{FeeRate: gg(0.5), MaxFeeRate: amount.NoMaxFeeRate, DryRun: true}, info); err != nil {
		t.Fatalf("register with no ceiling: %v", err)
	}
}

// TestFeeRateCeilingBidReplacedFees: a bid pays the fees of what it
// replaces on top of its own, and that total goes through the ceiling
// too: a current bid with a high-fee child attached makes the next bid
// refused (*FeeRateError, the rate counting the replaced fees) rather
// than silently paying far above the ceiling; a lifted or raised ceiling
// lets it through.
func TestFeeRateCeilingBidReplacedFees(t *testing.T) {
	ctx := context.Background()
	w, _, _ := startedWallet(t, 1) // one coin of 50 GG
	before := mustBalance(t, w, "")
	req := BidRequest{Sale: foreignSale(t), SellerScript: extScript, Gold: 20_000, Price: 1e8, ReplacedFees: int64(gg(1))}
	_, err := w.Bid(ctx, GameOptions{FeeRate: 1000}, req)
	var fe *FeeRateError
	if !errors.Is(err, ErrFeeTooHigh) || !errors.As(err, &fe) || fe.Max != amount.DefaultMaxFeeRate || fe.Rate <= gg(1) || fe.Estimated {
		t.Fatalf("bid replacing 1 GG of fees = %v (%+v), want a FeeRateError above 1 GG/kvB under the default ceiling", err, fe)
	}
	if !strings.Contains(err.Error(), "(with 1.0 GG for the transactions the bid replaces) is above the ceiling of 0.1 GG/kvB") {
		t.Errorf("message %q does not say what the rate holds", err)
	}
	if after := mustBalance(t, w, ""); after != before {
		t.Errorf("a refused bid changed the balance: %+v, was %+v", after, before)
	}
	for _, ceiling := range []amount.Amount{amount.NoMaxFeeRate, gg(100)} {
		if _, err := w.Bid(ctx, GameOptions{FeeRate: 1000, MaxFeeRate: ceiling, DryRun: true}, req); err != nil {
			t.Errorf("bid under the ceiling %s: %v", ceiling, err)
		}
	}
	req.ReplacedFees = 5000
	if _, err := w.Bid(ctx, GameOptions{FeeRate: 1000, DryRun: true}, req); err != nil {
		t.Errorf("bid replacing small fees: %v", err)
	}
}
