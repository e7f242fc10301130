package amount

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Amount is a quantity of dust, the smallest unit.
type Amount int64

const (
	// DustPerGG is the number of dust in one GG.
	DustPerGG Amount = 100_000_000
	// MaxMoney is the largest amount any output or sum may hold: 21 million GG.
	MaxMoney Amount = 21_000_000 * DustPerGG
)

// Fee rate ceilings, in dust per 1000 virtual bytes: one meaning for the
// wallet (TxOptions.MaxFeeRate) and the RPC server (maxfeerate).
const (
	// DefaultMaxFeeRate is the ceiling unless raised: 0.10 GG per 1000
	// vbytes (bitcoind's default maxfeerate), far above any fee market the
	// chain has seen and far below a typo (a rate given in dust, or in GG
	// per vbyte) or a runaway estimate.
	DefaultMaxFeeRate = DustPerGG / 10
	// NoMaxFeeRate as a ceiling lifts it: an explicit choice, never a
	// default.
	NoMaxFeeRate Amount = -1
)

// Errors returned by Parse.
var (
	ErrSyntax   = errors.New("amount: invalid syntax")
	ErrRange    = errors.New("amount: out of range")
	ErrPrecison = errors.New("amount: more than 8 decimal places")
	// ErrTooLong: the string is longer than MaxLen and is not read.
	ErrTooLong = errors.New("amount: too long")
)

// MaxLen bounds the strings Parse and ParseDust read: no amount they
// accept needs more than 18 characters ("000000021.00000000").
const MaxLen = 32

// Valid reports whether a is within [0, MaxMoney].
func (a Amount) Valid() bool { return a >= 0 && a <= MaxMoney }

// String formats a in GG with up to eight decimals and no trailing zeros
// beyond the first decimal, e.g. "1.5", "0.0001", "50.0".
func (a Amount) String() string {
	neg := a < 0
	u := uint64(a)
	if neg {
		u = uint64(-a)
	}
	whole, frac := u/uint64(DustPerGG), u%uint64(DustPerGG)
	s := strconv.FormatUint(whole, 10)
	fs := fmt.Sprintf("%08d", frac)
	fs = strings.TrimRight(fs, "0")
	if fs == "" {
		fs = "0"
	}
	if neg {
		return "-" + s + "." + fs
	}
	return s + "." + fs
}

// Format formats a in GG with exactly eight decimals, as bitcoind's JSON does.
func (a Amount) Format() string {
	neg := a < 0
	u := uint64(a)
	if neg {
		u = uint64(-a)
	}
	s := fmt.Sprintf("%d.%08d", u/uint64(DustPerGG), u%uint64(DustPerGG))
	if neg {
		return "-" + s
	}
	return s
}

// ToGG returns a as a float number of GG, for JSON output only.
func (a Amount) ToGG() float64 { return float64(a) / float64(DustPerGG) }

// Parse reads a non-negative decimal GG amount such as "1", "1.5" or
// "0.00000001". It never uses floating point and rejects more than eight
// decimals, signs, exponents, values above MaxMoney and strings longer
// than MaxLen.
func Parse(s string) (Amount, error) {
	if len(s) > MaxLen {
		return 0, ErrTooLong
	}
	if s == "" {
		return 0, ErrSyntax
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, ErrSyntax
	}
	if hasDot && frac == "" {
		return 0, ErrSyntax
	}
	if !allDigits(whole) || !allDigits(frac) {
		return 0, ErrSyntax
	}
	if len(frac) > 8 {
		return 0, ErrPrecison
	}
	if len(whole) > 9 { // > 999,999,999 GG is always out of range
		return 0, ErrRange
	}
	var w uint64
	if whole != "" {
		w, _ = strconv.ParseUint(whole, 10, 64)
	}
	f := uint64(0)
	if frac != "" {
		f, _ = strconv.ParseUint(frac+strings.Repeat("0", 8-len(frac)), 10, 64)
	}
	v := Amount(w*uint64(DustPerGG) + f)
	if v > MaxMoney {
		return 0, ErrRange
	}
	return v, nil
}

// ParseSigned is Parse for an amount that may be negative (a payment in a
// wallet's history): an optional leading "-", then what Parse accepts.
func ParseSigned(s string) (Amount, error) {
	neg := strings.HasPrefix(s, "-")
	v, err := Parse(strings.TrimPrefix(s, "-"))
	if err != nil {
		return 0, err
	}
	if neg {
		v = -v
	}
	return v, nil
}

// ParseDust reads an integer number of dust.
func ParseDust(s string) (Amount, error) {
	if len(s) > MaxLen {
		return 0, ErrTooLong
	}
	if !allDigits(s) || s == "" {
		return 0, ErrSyntax
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || Amount(v) > MaxMoney {
		return 0, ErrRange
	}
	return Amount(v), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
