package script

import (
	"github.com/btcsuite/btcd/btcec/v2"
)

// isValidSignatureEncoding is BIP66's strict DER check of a signature
// followed by its hash-type byte:
//
//	0x30 len 0x02 lenR R 0x02 lenS S hashtype
//
// R and S are positive, minimally encoded integers.
func isValidSignatureEncoding(sig []byte) bool {
	n := len(sig)
	if n < 9 || n > 73 {
		return false
	}
	if sig[0] != 0x30 || int(sig[1]) != n-3 {
		return false
	}
	lenR := int(sig[3])
	if 5+lenR >= n {
		return false
	}
	lenS := int(sig[5+lenR])
	if lenR+lenS+7 != n {
		return false
	}
	if sig[2] != 0x02 || lenR == 0 || sig[4]&0x80 != 0 {
		return false
	}
	if lenR > 1 && sig[4] == 0 && sig[5]&0x80 == 0 {
		return false
	}
	if sig[lenR+4] != 0x02 || lenS == 0 || sig[lenR+6]&0x80 != 0 {
		return false
	}
	if lenS > 1 && sig[lenR+6] == 0 && sig[lenR+7]&0x80 == 0 {
		return false
	}
	return true
}

// parseSigLax decodes an ECDSA signature (without hash-type byte) with the
// same leniency as the BER parser Bitcoin Core uses for signatures that
// predate BIP66: lengths may use long form, integers may carry padding and
// trailing garbage is ignored. ok is false only for structurally broken
// input. overflow reports an R or S that does not fit below the group
// order; such a signature never verifies.
func parseSigLax(in []byte) (r, s btcec.ModNScalar, overflow, ok bool) {
	pos := 0
	n := len(in)
	if pos == n || in[pos] != 0x30 {
		return r, s, false, false
	}
	pos++
	// Sequence length: skipped, even in long form.
	if pos == n {
		return r, s, false, false
	}
	lb := int(in[pos])
	pos++
	if lb&0x80 != 0 {
		lb -= 0x80
		if lb > n-pos {
			return r, s, false, false
		}
		pos += lb
	}
	readInt := func() (start, length int, ok bool) {
		if pos == n || in[pos] != 0x02 {
			return 0, 0, false
		}
		pos++
		if pos == n {
			return 0, 0, false
		}
		lb := int(in[pos])
		pos++
		var l uint64
		if lb&0x80 != 0 {
			lb -= 0x80
			if lb > n-pos {
				return 0, 0, false
			}
			for lb > 0 && in[pos] == 0 {
				pos++
				lb--
			}
			if lb >= 8 {
				return 0, 0, false
			}
			for lb > 0 {
				l = l<<8 | uint64(in[pos])
				pos++
				lb--
			}
		} else {
			l = uint64(lb)
		}
		if l > uint64(n-pos) {
			return 0, 0, false
		}
		start = pos
		pos += int(l)
		return start, int(l), true
	}
	rpos, rlen, ok1 := readInt()
	if !ok1 {
		return r, s, false, false
	}
	spos, slen, ok2 := readInt()
	if !ok2 {
		return r, s, false, false
	}
	for rlen > 0 && in[rpos] == 0 {
		rpos++
		rlen--
	}
	for slen > 0 && in[spos] == 0 {
		spos++
		slen--
	}
	if rlen > 32 || slen > 32 {
		return btcec.ModNScalar{}, btcec.ModNScalar{}, true, true
	}
	var buf [32]byte
	copy(buf[32-rlen:], in[rpos:rpos+rlen])
	if r.SetBytes(&buf) != 0 {
		overflow = true
	}
	buf = [32]byte{}
	copy(buf[32-slen:], in[spos:spos+slen])
	if s.SetBytes(&buf) != 0 {
		overflow = true
	}
	if overflow {
		return btcec.ModNScalar{}, btcec.ModNScalar{}, true, true
	}
	return r, s, false, true
}

// isLowS reports whether the signature (without hash type) parses and has
// S <= N/2. An unparseable signature is not low-S; an overflowing one
// counts as the zero signature, which is.
func isLowS(sig []byte) bool {
	_, s, _, ok := parseSigLax(sig)
	if !ok {
		return false
	}
	return !s.IsOverHalfOrder()
}

// isDefinedHashType reports whether the last byte of sig is one of the six
// defined hash types.
func isDefinedHashType(sig []byte) bool {
	if len(sig) == 0 {
		return false
	}
	t := SigHashType(sig[len(sig)-1]) &^ SigHashAnyoneCanPay
	return t >= SigHashAll && t <= SigHashSingle
}

// checkSignatureEncoding applies the encoding rules selected by flags to a
// signature with its hash-type byte. The empty signature always passes: it
// is the compact way to provide a failing signature.
func checkSignatureEncoding(sig []byte, flags Flags) error {
	if len(sig) == 0 {
		return nil
	}
	if flags&(FlagDERSig|FlagLowS|FlagStrictEncoding) != 0 && !isValidSignatureEncoding(sig) {
		return scriptError(ErrSigDER, "signature is not strict DER")
	}
	if flags&FlagLowS != 0 && !isLowS(sig[:len(sig)-1]) {
		return scriptError(ErrSigHighS, "signature S value is above half the group order")
	}
	if flags&FlagStrictEncoding != 0 && !isDefinedHashType(sig) {
		return scriptErrorf(ErrSigHashType, "undefined signature hash type 0x%02x", sig[len(sig)-1])
	}
	return nil
}

func isCompressedOrUncompressedPubKey(pk []byte) bool {
	if len(pk) < 33 {
		return false
	}
	switch pk[0] {
	case 0x04:
		return len(pk) == 65
	case 0x02, 0x03:
		return len(pk) == 33
	}
	return false
}

func isCompressedPubKey(pk []byte) bool {
	return len(pk) == 33 && (pk[0] == 0x02 || pk[0] == 0x03)
}

// checkPubKeyEncoding applies STRICTENC and WITNESS_PUBKEYTYPE.
func checkPubKeyEncoding(pk []byte, flags Flags, witness bool) error {
	if flags&FlagStrictEncoding != 0 && !isCompressedOrUncompressedPubKey(pk) {
		return scriptError(ErrPubKeyType, "public key is neither compressed nor uncompressed")
	}
	if witness && flags&FlagWitnessPubKeyType != 0 && !isCompressedPubKey(pk) {
		return scriptError(ErrWitnessPubKeyType, "witness public key is not compressed")
	}
	return nil
}

// parseSigCompact decodes an ECDSA signature (without hash type) as
// parseSigLax does into R || S, 32 big-endian bytes each. It is false for
// a signature no backend may verify: structurally broken, or with R or S
// not below the group order (Core's parser maps those to the zero
// signature, which never verifies). R or S of zero passes here and fails
// in the backend.
func parseSigCompact(der []byte, out *[64]byte) bool {
	r, s, overflow, ok := parseSigLax(der)
	if !ok || overflow {
		return false
	}
	r.PutBytesUnchecked(out[:32])
	s.PutBytesUnchecked(out[32:])
	return true
}

// verifyECDSA checks a signature (without hash type) over hash with the
// serialized public key, accepting what Bitcoin Core's verifier accepts:
// compressed, uncompressed and hybrid keys, lax BER signatures, and high-S
// signatures (which Core normalises before verifying). It uses the
// backend the build selected.
func verifyECDSA(sig, pubKey, hash []byte) bool {
	var rs [64]byte
	var h [32]byte
	if len(hash) != len(h) || !parseSigCompact(sig, &rs) || !maybePubKey(pubKey) {
		return false
	}
	copy(h[:], hash)
	return verifyOne(pubKey, &rs, &h)
}
