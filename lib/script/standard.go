package script

import (
	"crypto/sha256"

	"golang.org/x/crypto/ripemd160" //nolint:staticcheck // HASH160 is consensus
)

// Hash160 returns RIPEMD160(SHA256(b)), the hash in P2PKH and P2SH scripts.
func Hash160(b []byte) []byte {
	h := hash160(b)
	return h[:]
}

// hash160 is Hash160 into an array.
func hash160(b []byte) [20]byte {
	s := sha256.Sum256(b)
	r := ripemd160.New()
	r.Write(s[:])
	var h [20]byte
	r.Sum(h[:0])
	return h
}

// Class is the standard template an output script matches.
type Class int

// Standard script classes.
const (
	NonStandard           Class = iota // no template
	PubKeyTy                           // <pubkey> OP_CHECKSIG
	PubKeyHashTy                       // OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG
	ScriptHashTy                       // OP_HASH160 <20> OP_EQUAL
	WitnessV0PubKeyHashTy              // OP_0 <20>
	WitnessV0ScriptHashTy              // OP_0 <32>
	MultiSigTy                         // m <pubkey>... n OP_CHECKMULTISIG
	NullDataTy                         // OP_RETURN <pushes>
	WitnessUnknownTy                   // OP_1..OP_16 <2..40 bytes>
)

var classNames = [...]string{
	NonStandard:           "nonstandard",
	PubKeyTy:              "pubkey",
	PubKeyHashTy:          "pubkeyhash",
	ScriptHashTy:          "scripthash",
	WitnessV0PubKeyHashTy: "witness_v0_keyhash",
	WitnessV0ScriptHashTy: "witness_v0_scripthash",
	MultiSigTy:            "multisig",
	NullDataTy:            "nulldata",
	WitnessUnknownTy:      "witness_unknown",
}

// String returns Bitcoin Core's name for the class, e.g. "pubkeyhash".
func (c Class) String() string {
	if c >= 0 && int(c) < len(classNames) {
		return classNames[c]
	}
	return "nonstandard"
}

func isP2SH(s []byte) bool {
	return len(s) == 23 && s[0] == OP_HASH160 && s[1] == OP_DATA_20 && s[22] == OP_EQUAL
}

func isP2PKH(s []byte) bool {
	return len(s) == 25 && s[0] == OP_DUP && s[1] == OP_HASH160 && s[2] == OP_DATA_20 &&
		s[23] == OP_EQUALVERIFY && s[24] == OP_CHECKSIG
}

func isP2WPKH(s []byte) bool { return len(s) == 22 && s[0] == OP_0 && s[1] == OP_DATA_20 }

func appendP2PKH(b, hash []byte) []byte {
	b = append(b, OP_DUP, OP_HASH160, OP_DATA_20)
	b = append(b, hash...)
	return append(b, OP_EQUALVERIFY, OP_CHECKSIG)
}

// validPubKeySize reports whether pk has the length its prefix byte calls
// for (Core's CPubKey::ValidSize): 33 for 0x02/0x03, 65 for 0x04/0x06/0x07.
func validPubKeySize(pk []byte) bool {
	if len(pk) == 0 {
		return false
	}
	switch pk[0] {
	case 0x02, 0x03:
		return len(pk) == 33
	case 0x04, 0x06, 0x07:
		return len(pk) == 65
	}
	return false
}

// ExtractWitnessProgram splits a witness output script (a version opcode
// OP_0..OP_16 followed by one direct push of 2 to 40 bytes) into its
// version and program.
func ExtractWitnessProgram(pkScript []byte) (version int, program []byte, ok bool) {
	n := len(pkScript)
	if n < 4 || n > 42 {
		return 0, nil, false
	}
	if !isSmallInt(pkScript[0]) {
		return 0, nil, false
	}
	if int(pkScript[1])+2 != n {
		return 0, nil, false
	}
	return smallIntValue(pkScript[0]), pkScript[2:], true
}

// ExtractMultiSig decodes a bare multisig script, m <pubkey>... n
// OP_CHECKMULTISIG, with 1 <= m <= n <= 16 and well-sized keys.
func ExtractMultiSig(pkScript []byte) (m int, pubkeys [][]byte, ok bool) {
	if len(pkScript) < 3 || pkScript[len(pkScript)-1] != OP_CHECKMULTISIG {
		return 0, nil, false
	}
	op, _, pc, _ := readOp(pkScript, 0)
	if op < OP_1 || op > OP_16 {
		return 0, nil, false
	}
	m = smallIntValue(op)
	end := len(pkScript) - 2
	for pc < end {
		op, data, next, ok := readOp(pkScript, pc)
		if !ok || op > OP_PUSHDATA4 || !validPubKeySize(data) {
			return 0, nil, false
		}
		pubkeys = append(pubkeys, data)
		pc = next
	}
	if pc != end {
		return 0, nil, false
	}
	nOp := pkScript[end]
	if nOp < OP_1 || nOp > OP_16 || smallIntValue(nOp) != len(pubkeys) || m > len(pubkeys) {
		return 0, nil, false
	}
	return m, pubkeys, true
}

func isNullData(s []byte) bool {
	return len(s) >= 1 && s[0] == OP_RETURN && IsPushOnly(s[1:])
}

// Classify returns the standard template pkScript matches, checked in
// Bitcoin Core's order.
func Classify(pkScript []byte) Class {
	if isP2SH(pkScript) {
		return ScriptHashTy
	}
	if v, prog, ok := ExtractWitnessProgram(pkScript); ok {
		switch {
		case v == 0 && len(prog) == 20:
			return WitnessV0PubKeyHashTy
		case v == 0 && len(prog) == 32:
			return WitnessV0ScriptHashTy
		case v != 0:
			return WitnessUnknownTy
		}
		return NonStandard
	}
	if isNullData(pkScript) {
		return NullDataTy
	}
	if n := len(pkScript); (n == 35 || n == 67) && pkScript[0] == byte(n-2) && pkScript[n-1] == OP_CHECKSIG &&
		validPubKeySize(pkScript[1:n-1]) {
		return PubKeyTy
	}
	if isP2PKH(pkScript) {
		return PubKeyHashTy
	}
	if _, _, ok := ExtractMultiSig(pkScript); ok {
		return MultiSigTy
	}
	return NonStandard
}

// IsUnspendable reports whether an output script can never be spent: it
// starts with OP_RETURN or exceeds MaxScriptSize. Such outputs need not
// enter the UTXO set.
func IsUnspendable(pkScript []byte) bool {
	return (len(pkScript) > 0 && pkScript[0] == OP_RETURN) || len(pkScript) > MaxScriptSize
}

func checkHashLen(b []byte, n int, what string) error {
	if len(b) != n {
		return scriptErrorf(ErrInvalidArgument, "%s must be %d bytes, got %d", what, n, len(b))
	}
	return nil
}

// PayToPubKeyHash returns OP_DUP OP_HASH160 <hash160> OP_EQUALVERIFY
// OP_CHECKSIG. It panics unless hash160 is 20 bytes.
func PayToPubKeyHash(hash160 []byte) []byte {
	mustLen(hash160, 20)
	return appendP2PKH(make([]byte, 0, 25), hash160)
}

// PayToScriptHash returns OP_HASH160 <hash160> OP_EQUAL. It panics unless
// hash160 is 20 bytes.
func PayToScriptHash(hash160 []byte) []byte {
	mustLen(hash160, 20)
	b := append(make([]byte, 0, 23), OP_HASH160, OP_DATA_20)
	b = append(b, hash160...)
	return append(b, OP_EQUAL)
}

// PayToWitnessPubKeyHash returns OP_0 <hash160>. It panics unless hash160
// is 20 bytes.
func PayToWitnessPubKeyHash(hash160 []byte) []byte {
	mustLen(hash160, 20)
	return append([]byte{OP_0, OP_DATA_20}, hash160...)
}

// PayToWitnessScriptHash returns OP_0 <sha256>. It panics unless sha256 is
// 32 bytes.
func PayToWitnessScriptHash(sha256 []byte) []byte {
	mustLen(sha256, 32)
	return append([]byte{OP_0, OP_DATA_32}, sha256...)
}

func mustLen(b []byte, n int) {
	if err := checkHashLen(b, n, "hash"); err != nil {
		panic(err)
	}
}

// MultiSigScript returns m <pubkey>... n OP_CHECKMULTISIG. It requires
// 1 <= m <= n <= 16 and 33- or 65-byte keys.
func MultiSigScript(m int, pubkeys [][]byte) ([]byte, error) {
	n := len(pubkeys)
	if n < 1 || n > 16 || m < 1 || m > n {
		return nil, scriptErrorf(ErrInvalidArgument, "multisig %d-of-%d: need 1 <= m <= n <= 16", m, n)
	}
	b := make([]byte, 0, 3+n*66)
	b = append(b, OP_1+byte(m-1))
	for i, pk := range pubkeys {
		if !isCompressedOrUncompressedPubKey(pk) {
			return nil, scriptErrorf(ErrInvalidArgument, "multisig public key %d is not a 33- or 65-byte key", i)
		}
		b = appendPush(b, pk)
	}
	return append(b, OP_1+byte(n-1), OP_CHECKMULTISIG), nil
}

// NullDataScript returns OP_RETURN <data>, a provably unspendable output
// carrying data. The script may be at most MaxDataCarrierSize bytes (so
// data at most 80), the standardness limit.
func NullDataScript(data []byte) ([]byte, error) {
	b, err := NewBuilder().AddOp(OP_RETURN).AddData(data).Script()
	if err != nil {
		return nil, err
	}
	if len(b) > MaxDataCarrierSize {
		return nil, scriptErrorf(ErrInvalidArgument, "null data script of %d bytes exceeds %d", len(b), MaxDataCarrierSize)
	}
	return b, nil
}
