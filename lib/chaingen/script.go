package chaingen

import (
	"crypto/sha256"
	"encoding/binary"

	"golang.org/x/crypto/ripemd160" //nolint:staticcheck // HASH160 is consensus-defined
)

// The few opcodes the generator writes itself. They mirror lib/script's
// values; the core generator does not import lib/script so it can be used
// by tests of that package's consumers without it.
const (
	opFalse     = 0x00
	opPushData1 = 0x4c
	opPushData2 = 0x4d
	opPushData4 = 0x4e
	op1Negate   = 0x4f
	opTrue      = 0x51
	opReturn    = 0x6a
	opEqual     = 0x87
	opHash160   = 0xa9
	opCheckSig  = 0xac
)

// hash160 is RIPEMD160(SHA256(b)).
func hash160(b []byte) []byte {
	s := sha256.Sum256(b)
	h := ripemd160.New()
	h.Write(s[:])
	return h.Sum(nil)
}

// appendPush appends the canonical (smallest) push of data.
func appendPush(s, data []byte) []byte {
	n := len(data)
	switch {
	case n == 0:
		return append(s, opFalse)
	case n == 1 && data[0] >= 1 && data[0] <= 16:
		return append(s, opTrue-1+data[0])
	case n == 1 && data[0] == 0x81:
		return append(s, op1Negate)
	case n <= 75:
		s = append(s, byte(n))
	case n <= 0xff:
		s = append(s, opPushData1, byte(n))
	case n <= 0xffff:
		s = append(s, opPushData2)
		s = binary.LittleEndian.AppendUint16(s, uint16(n))
	default:
		s = append(s, opPushData4)
		s = binary.LittleEndian.AppendUint32(s, uint32(n))
	}
	return append(s, data...)
}

// scriptNum encodes n as a minimal script number (little-endian magnitude,
// sign in the top bit of the last byte).
func scriptNum(n int64) []byte {
	if n == 0 {
		return nil
	}
	neg := n < 0
	m := uint64(n)
	if neg {
		m = uint64(-n)
	}
	var out []byte
	for m > 0 {
		out = append(out, byte(m))
		m >>= 8
	}
	if out[len(out)-1]&0x80 != 0 {
		if neg {
			out = append(out, 0x80)
		} else {
			out = append(out, 0)
		}
	} else if neg {
		out[len(out)-1] |= 0x80
	}
	return out
}

// appendInt appends n the way Bitcoin's "CScript() << n" does: OP_0,
// OP_1NEGATE and OP_1..OP_16 for small values, a minimal number push
// otherwise. BIP34 compares a coinbase's script prefix with exactly this.
func appendInt(s []byte, n int64) []byte {
	switch {
	case n == 0:
		return append(s, opFalse)
	case n == -1:
		return append(s, op1Negate)
	case n >= 1 && n <= 16:
		return append(s, byte(opTrue-1+n))
	}
	d := scriptNum(n)
	return append(append(s, byte(len(d))), d...)
}

// CoinbaseScript returns a BIP34 coinbase input script: the height as
// Bitcoin's script builder writes it, then the 8-byte little-endian extra
// nonce as one push.
func CoinbaseScript(height int32, extraNonce uint64) []byte {
	s := appendInt(nil, int64(height))
	var en [8]byte
	binary.LittleEndian.PutUint64(en[:], extraNonce)
	return appendPush(s, en[:])
}

// OpTrueScript is the bare script OP_TRUE.
var OpTrueScript = []byte{opTrue}

// OpTrueP2SH is P2SH(OP_TRUE): spent by a script signature that pushes
// OP_TRUE's one-byte serialization.
var OpTrueP2SH = p2sh(OpTrueScript)

// OpTrueP2WSH is P2WSH(OP_TRUE): spent by a witness holding only the
// script OP_TRUE.
var OpTrueP2WSH = p2wsh(OpTrueScript)

func p2sh(redeem []byte) []byte {
	s := []byte{opHash160, 20}
	s = append(s, hash160(redeem)...)
	return append(s, opEqual)
}

func p2wsh(witnessScript []byte) []byte {
	h := sha256.Sum256(witnessScript)
	return append([]byte{opFalse, 32}, h[:]...)
}

// P2WPKHScript returns the version-0 pay-to-witness-pubkey-hash script for
// a 20-byte key hash.
func P2WPKHScript(keyHash []byte) []byte {
	return append([]byte{opFalse, 20}, keyHash...)
}

// OpReturnScript returns OP_RETURN followed by one canonical push of data.
func OpReturnScript(data []byte) []byte {
	return appendPush([]byte{opReturn}, data)
}

// RepeatOpScript returns a script made of op repeated n times; with
// OP_CHECKSIG it is the cheapest way to reach a legacy sigop count.
func RepeatOpScript(op byte, n int) []byte {
	s := make([]byte, n)
	for i := range s {
		s[i] = op
	}
	return s
}

// OpCheckSig is the OP_CHECKSIG opcode, for RepeatOpScript.
const OpCheckSig = opCheckSig

// witnessCommitmentHeader starts a BIP141 commitment output script:
// OP_RETURN, a 36-byte push, and the 4-byte tag aa21a9ed.
var witnessCommitmentHeader = []byte{opReturn, 0x24, 0xaa, 0x21, 0xa9, 0xed}

// isWitnessCommitment reports whether pkScript has the shape of a BIP141
// witness commitment.
func isWitnessCommitment(pkScript []byte) bool {
	if len(pkScript) < 38 {
		return false
	}
	for i, b := range witnessCommitmentHeader {
		if pkScript[i] != b {
			return false
		}
	}
	return true
}
