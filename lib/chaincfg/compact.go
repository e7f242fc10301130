package chaincfg

import "math/big"

// CompactToBig converts compact "bits" to a target: the low 23 bits are
// the mantissa, bit 23 the sign, the top byte the base-256 exponent.
func CompactToBig(c uint32) *big.Int {
	mant := c & 0x007fffff
	neg := c&0x00800000 != 0
	exp := uint(c >> 24)
	var n *big.Int
	if exp <= 3 {
		mant >>= 8 * (3 - exp)
		n = big.NewInt(int64(mant))
	} else {
		n = big.NewInt(int64(mant))
		n.Lsh(n, 8*(exp-3))
	}
	if neg {
		n.Neg(n)
	}
	return n
}

// BigToCompact converts a target to its canonical compact form.
func BigToCompact(n *big.Int) uint32 {
	if n.Sign() == 0 {
		return 0
	}
	var mant uint32
	exp := uint(len(n.Bytes()))
	if exp <= 3 {
		mant = uint32(n.Bits()[0])
		mant <<= 8 * (3 - exp)
	} else {
		t := new(big.Int).Rsh(n, 8*(exp-3))
		mant = uint32(t.Bits()[0])
	}
	if mant&0x00800000 != 0 {
		mant >>= 8
		exp++
	}
	c := uint32(exp<<24) | mant
	if n.Sign() < 0 {
		c |= 0x00800000
	}
	return c
}

// CalcWork returns the expected number of hashes for a block with bits:
// 2^256 / (target+1). Invalid (zero or negative) targets count as zero.
func CalcWork(bits uint32) *big.Int {
	t := CompactToBig(bits)
	if t.Sign() <= 0 {
		return new(big.Int)
	}
	num := new(big.Int).Lsh(big.NewInt(1), 256)
	return num.Div(num, t.Add(t, big.NewInt(1)))
}
