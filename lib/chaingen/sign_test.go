package chaingen

import (
	"testing"

	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// TestSpendsVerify runs every kind of spend the generator makes through
// the real script engine under standard (strictest) flags.
func TestSpendsVerify(t *testing.T) {
	g := New(nil)
	alice := g.NewKey("alice")
	outs := []*wire.TxOut{{Value: 90, PkScript: OpTrueP2SH}}
	tests := []struct {
		name    string
		pk      []byte
		spend   func(s *SpendableOut) *wire.MsgTx
		wantErr bool
	}{
		{"P2SH(OP_TRUE)", OpTrueP2SH, func(s *SpendableOut) *wire.MsgTx { return g.CreateSpendTx(s, 10) }, false},
		{"P2WSH(OP_TRUE)", OpTrueP2WSH, func(s *SpendableOut) *wire.MsgTx { return g.CreateSpendTx(s, 10) }, false},
		{"OP_TRUE", OpTrueScript, func(s *SpendableOut) *wire.MsgTx { return g.CreateSpendTx(s, 10) }, false},
		{"P2WPKH", alice.P2WPKH(), func(s *SpendableOut) *wire.MsgTx { return g.CreateP2WPKHSpend(s, alice, outs) }, false},
		{"P2WPKH wrong signer", alice.P2WPKH(), func(s *SpendableOut) *wire.MsgTx { return g.CreateBadP2WPKHSpend(s, alice, outs) }, true},
		{"P2WPKH wrong amount", alice.P2WPKH(), func(s *SpendableOut) *wire.MsgTx {
			s2 := *s
			s2.Amount++
			return g.CreateP2WPKHSpend(&s2, alice, outs)
		}, true},
	}
	for i, tc := range tests {
		spend := &SpendableOut{PrevOut: wire.OutPoint{Index: uint32(i)}, Amount: 100, PkScript: tc.pk}
		spend.PrevOut.Hash[0] = 1
		tx := tc.spend(spend)
		for _, flags := range []script.Flags{script.ConsensusFlags, script.StandardFlags} {
			err := script.VerifyInput(tx, 0, tc.pk, 100, flags, nil, nil)
			if (err != nil) != tc.wantErr {
				t.Errorf("%s (flags %v): err %v, want error %v", tc.name, flags, err, tc.wantErr)
			}
		}
	}
}

func TestP2WPKHSpendErrors(t *testing.T) {
	g := New(nil)
	alice, bob := g.NewKey("alice"), g.NewKey("bob")
	defer func() {
		if recover() == nil {
			t.Error("spending bob's output with alice's key did not panic")
		}
	}()
	g.CreateP2WPKHSpend(&SpendableOut{Amount: 1, PkScript: bob.P2WPKH()}, alice, nil)
}
