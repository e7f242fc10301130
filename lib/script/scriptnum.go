package script

// Script numbers are little-endian sign-magnitude byte strings: the high
// bit of the last byte is the sign. Arithmetic operands are limited to 4
// bytes (lock-time operands to 5); results may be longer.

const (
	maxNumSize      = 4
	lockTimeNumSize = 5
)

// parseNum decodes a script number of at most maxLen bytes. With minimal
// set it rejects encodings that carry superfluous zero bytes.
func parseNum(v []byte, minimal bool, maxLen int) (int64, error) {
	n := len(v)
	if n > maxLen {
		return 0, scriptErrorf(ErrNumberTooBig, "numeric operand of %d bytes exceeds %d", n, maxLen)
	}
	if n == 0 {
		return 0, nil
	}
	if minimal && v[n-1]&0x7f == 0 && (n == 1 || v[n-2]&0x80 == 0) {
		return 0, scriptError(ErrNonMinimalNumber, "numeric operand is not minimally encoded")
	}
	var r int64
	for i := range n {
		r |= int64(v[i]) << (8 * i)
	}
	if v[n-1]&0x80 != 0 {
		return -(r &^ (int64(0x80) << (8 * (n - 1)))), nil
	}
	return r, nil
}

// smallNums holds the encodings of -1..16 so common results do not
// allocate. Stack elements are never modified in place, so sharing is safe.
var smallNums = func() [18][]byte {
	var t [18][]byte
	for i := -1; i <= 16; i++ {
		t[i+1] = appendNum(nil, int64(i))
	}
	t[1] = []byte{}
	return t
}()

// numBytes encodes n as a script number.
func numBytes(n int64) []byte {
	if n >= -1 && n <= 16 {
		return smallNums[n+1]
	}
	return appendNum(make([]byte, 0, 9), n)
}

// appendNum appends the minimal encoding of n (nothing for zero).
func appendNum(b []byte, n int64) []byte {
	if n == 0 {
		return b
	}
	neg := n < 0
	var abs uint64
	if neg {
		abs = uint64(-n)
	} else {
		abs = uint64(n)
	}
	for abs > 0 {
		b = append(b, byte(abs))
		abs >>= 8
	}
	last := len(b) - 1
	if b[last]&0x80 != 0 {
		if neg {
			b = append(b, 0x80)
		} else {
			b = append(b, 0x00)
		}
	} else if neg {
		b[last] |= 0x80
	}
	return b
}

// clampInt32 mirrors CScriptNum::getint: values outside int32 saturate.
func clampInt32(n int64) int {
	if n > 1<<31-1 {
		return 1<<31 - 1
	}
	if n < -(1 << 31) {
		return -(1 << 31)
	}
	return int(n)
}

// asBool is Core's CastToBool: false for any encoding of zero, including
// negative zero.
func asBool(v []byte) bool {
	for i, b := range v {
		if b != 0 {
			if i == len(v)-1 && b == 0x80 {
				return false
			}
			return true
		}
	}
	return false
}
