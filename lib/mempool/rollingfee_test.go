package mempool

import (
	"testing"
	"time"
)

func TestRollingFee(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	r := rollingFee{halfLife: 12 * time.Hour}
	tests := []struct {
		name string
		at   time.Duration
		want int64
	}{
		{"now", 0, 8000},
		{"one half-life", 12 * time.Hour, 4000},
		{"two half-lives", 24 * time.Hour, 2000},
		{"three", 36 * time.Hour, 1000},
		{"four: 500 is not below half of 1000", 48 * time.Hour, 500},
		{"five: below half the relay rate drops to zero", 60 * time.Hour, 0},
		{"the past does not grow it", -time.Hour, 8000},
	}
	r.bump(8000, t0, 1000)
	for _, tt := range tests {
		if got := r.at(t0.Add(tt.at), 1000); got != tt.want {
			t.Errorf("%s: rate %d, want %d", tt.name, got, tt.want)
		}
	}
	// A lower bump never lowers the current rate.
	r.bump(100, t0, 1000)
	if got := r.at(t0, 1000); got != 8000 {
		t.Errorf("lower bump changed the rate to %d", got)
	}
	var zero rollingFee
	if zero.at(t0, 1000) != 0 {
		t.Error("unset rolling fee is not zero")
	}
}

func TestFeeMath(t *testing.T) {
	tests := []struct{ rate, vsize, fee int64 }{
		{1000, 141, 141},
		{1000, 0, 0},
		{0, 500, 0},
		{1, 10, 1}, // rounds to at least one dust
		{3000, 182, 546},
	}
	for _, tt := range tests {
		if got := feeForVSize(tt.rate, tt.vsize); got != tt.fee {
			t.Errorf("feeForVSize(%d, %d) = %d, want %d", tt.rate, tt.vsize, got, tt.fee)
		}
	}
	if feeRate(141, 141) != 1000 || feeRate(5, 0) != 0 {
		t.Error("feeRate")
	}
	d := DefaultPolicy()
	if d.MinRelayFeeRate != 1000 || d.MaxPoolBytes != 300_000_000 || d.MaxAncestors != 25 || d.Expiry != 14*24*time.Hour || d.MaxSigOpCost != 16000 {
		t.Errorf("defaults: %+v", d)
	}
	custom := Policy{MinRelayFeeRate: 5, MaxTxVersion: 3}.withDefaults()
	if custom.MinRelayFeeRate != 5 || custom.MaxTxVersion != 3 || custom.DustRelayFeeRate != 3000 {
		t.Errorf("explicit fields overwritten: %+v", custom)
	}
}
