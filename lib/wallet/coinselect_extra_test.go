package wallet

import "testing"

// TestSelectCoinsExtraFee: a replacement's extra fee (the fees of what it
// evicts) is funded like an output and paid as fee on top of the rate's.
func TestSelectCoinsExtraFee(t *testing.T) {
	const rate, target, base = 2000, 500_000, 100
	coins := selCoins(300_000, 400_000, 1_000_000)
	plain, err := selectCoins(coins, selectRequest{target: target, baseVSize: base, nOutputs: 1, rate: rate})
	if err != nil {
		t.Fatal(err)
	}
	for _, extra := range []int64{1, 1_000, 250_000} {
		sel, err := selectCoins(coins, selectRequest{target: target, baseVSize: base, nOutputs: 1, rate: rate, extraFee: extra})
		if err != nil {
			t.Fatal(err)
		}
		var in int64
		for _, c := range sel.coins {
			in += c.value
		}
		if in != target+sel.change+sel.fee {
			t.Errorf("extra %d: inputs %d ≠ outputs %d + change %d + fee %d", extra, in, target, sel.change, sel.fee)
		}
		if sel.fee < plain.fee+extra || sel.fee > plain.fee+extra+changeDust+feeFor(p2wpkhInputVSize+p2wpkhOutputVSize, rate) {
			t.Errorf("extra %d: fee %d, want about %d + %d", extra, sel.fee, plain.fee, extra)
		}
	}
	// Not enough for the extra fee: insufficient funds, not a short fee.
	if _, err := selectCoins(coins, selectRequest{target: target, baseVSize: base, nOutputs: 1, rate: rate, extraFee: 1_300_000}); err == nil {
		t.Error("an extra fee beyond the coins was funded")
	}
}
