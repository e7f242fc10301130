//go:build libsecp256k1 && cgo

package script

import (
	"bytes"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// backendSeeds are (public key, DER signature without hash type, hash)
// triples around the edges where two secp256k1 implementations could
// disagree: high S, hybrid keys of either parity, coordinates at or past
// the field prime, points off the curve, lax DER, zero and overflowing R
// and S.
func backendSeeds(tb testing.TB) [][3][]byte {
	tb.Helper()
	var kb [32]byte
	kb[0], kb[31] = 0x5a, 0x17
	priv, _ := btcec.PrivKeyFromBytes(kb[:])
	hash := bytes.Repeat([]byte{0xab}, 32)
	der := ecdsa.Sign(priv, hash).Serialize()
	comp := priv.PubKey().SerializeCompressed()
	unc := priv.PubKey().SerializeUncompressed()
	hyb := append([]byte{0x06 | unc[64]&1}, unc[1:]...)
	hybWrong := append([]byte{0x07 ^ unc[64]&1}, unc[1:]...)
	high := flipS(append(der, 1))
	high = high[:len(high)-1]
	offCurve := append([]byte(nil), unc...)
	offCurve[64] ^= 1
	xOverP := append([]byte{0x02}, bytes.Repeat([]byte{0xff}, 32)...)
	noSqrt := append([]byte{0x03}, bytes.Repeat([]byte{0}, 31)...)
	noSqrt = append(noSqrt, 5)
	otherHash := bytes.Repeat([]byte{0xac}, 32)
	// Lax DER: long-form lengths and zero padding, which parseSigLax
	// takes before BIP66.
	r, s, _, _ := parseSigLax(der)
	rb, sb := r.Bytes(), s.Bytes()
	lax := append([]byte{0x30, 0x81, 0x48, 0x02, 0x81, 0x22, 0, 0}, rb[:]...)
	lax = append(append(lax, 0x02, 0x21, 0), sb[:]...)
	zeroR := append([]byte{0x30, 0x25, 0x02, 0x01, 0x00, 0x02, 0x20}, sb[:]...)
	zeroS := append(append([]byte{0x30, 0x25, 0x02, 0x20}, rb[:]...), 0x02, 0x01, 0x00)
	n := btcec.S256().N.Bytes()
	overR := append(append([]byte{0x30, 0x45, 0x02, 0x21, 0x00}, n...), append([]byte{0x02, 0x20}, sb[:]...)...)
	return [][3][]byte{
		{comp, der, hash}, {unc, der, hash}, {hyb, der, hash}, {hybWrong, der, hash},
		{comp, high, hash}, {unc, high, hash}, {comp, der, otherHash}, {comp, lax, hash},
		{offCurve, der, hash}, {xOverP, der, hash}, {noSqrt, der, hash},
		{comp, zeroR, hash}, {comp, zeroS, hash}, {comp, overR, hash},
		{comp[:32], der, hash}, {append([]byte{0x05}, comp[1:]...), der, hash},
	}
}

// verdicts returns btcec's and libsecp256k1's verdict on one check, made
// alone and in a batch of its own, after the shared parsing.
func verdicts(pk, der, hash []byte) (goOne, secpOne, goBatch, secpBatch bool) {
	var rs [64]byte
	var h [32]byte
	copy(h[:], hash)
	if !parseSigCompact(der, &rs) || !maybePubKey(pk) {
		return
	}
	goOne, secpOne = goVerifyOne(pk, &rs, &h), secpVerifyOne(pk, &rs, &h)
	var t keyTable
	checks := []sigCheck{{key: t.add(pk), sig: rs, hash: h}, {key: t.add(pk), sig: rs, hash: h}}
	ok := make([]bool, 2)
	goVerifyChecks(&t, checks, ok)
	goBatch = ok[0] && ok[1]
	secpVerifyChecks(&t, checks, ok)
	secpBatch = ok[0] && ok[1]
	return
}

// TestBackendsAgree: both backends give the same verdict on the edge
// cases, and the expected one where it is known.
func TestBackendsAgree(t *testing.T) {
	want := []bool{true, true, true, false, true, true, false, true, false, false, false, false, false, false, false, false}
	for i, c := range backendSeeds(t) {
		g1, s1, g2, s2 := verdicts(c[0], c[1], c[2])
		if g1 != s1 || g1 != g2 || g1 != s2 || g1 != want[i] {
			t.Errorf("case %d: btcec %v (batch %v), libsecp256k1 %v (batch %v), want %v", i, g1, g2, s1, s2, want[i])
		}
	}
}

// FuzzBackendsAgree is the differential test of the two signature
// backends: on any (public key, signature, hash) they agree.
func FuzzBackendsAgree(f *testing.F) {
	for _, c := range backendSeeds(f) {
		f.Add(c[0], c[1], c[2])
	}
	f.Fuzz(func(t *testing.T, pk, der, hash []byte) {
		g1, s1, g2, s2 := verdicts(pk, der, hash)
		if g1 != s1 || g1 != g2 || g1 != s2 {
			t.Fatalf("btcec %v (batch %v), libsecp256k1 %v (batch %v) on key %x sig %x hash %x", g1, g2, s1, s2, pk, der, hash)
		}
	})
}
