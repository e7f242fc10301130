package rpc

import (
	"testing"

	"github.com/gamegold/gg/lib/amount"
)

// TestParseFeeRateExponent: a fee rate given as a JSON number in exponent
// notation (what Python's json writes for small floats) is read exactly;
// one that is not a whole number of dust, negative, out of range or with
// a huge exponent is refused, and so is an exponent in a string (strings
// are plain decimals) or in an amount (TestParseAmountParamErrors).
func TestParseFeeRateExponent(t *testing.T) {
	good := []struct {
		raw  string
		want amount.Amount
	}{
		{`1e-05`, 1000},
		{`1E-5`, 1000},
		{`1e-8`, 1},
		{`1.5e2`, 150 * amount.DustPerGG},
		{`2.1e7`, amount.MaxMoney},
		{`0.001e+3`, amount.DustPerGG},
		{`12345678e-8`, 12345678},
		{`0e10`, 0},
		{`100000000000e-19`, 1},
		{`0.1`, amount.DustPerGG / 10},
		{`"0.00001"`, 1000},
	}
	for _, g := range good {
		if a, err := parseFeeRate([]byte(g.raw), "x"); err != nil || a != g.want {
			t.Errorf("%s: %v, %v; want %v", g.raw, a, err, g.want)
		}
	}
	for _, bad := range []string{`1e-9`, `1.5e-8`, `-1e-5`, `2.2e7`, `1e400`, `1e-400`, `1e99999999999999999999`,
		`"1e-05"`, `"1E5"`, `123456789012345678901234567890123456789e-30`} {
		if a, err := parseFeeRate([]byte(bad), "x"); err == nil {
			t.Errorf("%s: read as %v, want an error", bad, a)
		} else if err.(*Error).Code != CodeInvalidParams {
			t.Errorf("%s: %v, want -32602", bad, err)
		}
	}
}
