package script

import (
	"bytes"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// ownSigValid reports whether sig, just made with key over hash, verifies
// under the serialized public key pub, as a verifier would decide it —
// using the private key to do it in two fixed-base multiplications
// (which run on precomputed tables) instead of a verifier's fixed-base
// plus variable-base one.
//
// A verifier computes w = s⁻¹, u1 = e·w, u2 = r·w and accepts when
// X = u1·G + u2·Q is not the point at infinity and X.x ≡ r (mod n). When
// Q = d·G, X = (u1 + u2·d)·G = (w·(e + r·d))·G exactly, so checking that
// pub encodes d·G and then that point's x coordinate decides the same
// question. Any doubt (a public key in another form, a zero scalar) is
// false: the caller then verifies the ordinary way.
func ownSigValid(key *btcec.PrivateKey, pub, hash []byte, sig *ecdsa.Signature) bool {
	if key == nil || sig == nil || len(hash) != 32 {
		return false
	}
	d := key.Key
	if d.IsZero() {
		return false
	}
	// pub must be d·G, in pub's own form.
	var q btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&d, &q)
	q.ToAffine()
	derived := btcec.NewPublicKey(&q.X, &q.Y)
	switch len(pub) {
	case btcec.PubKeyBytesLenCompressed:
		if !bytes.Equal(pub, derived.SerializeCompressed()) {
			return false
		}
	case 65: // uncompressed
		if !bytes.Equal(pub, derived.SerializeUncompressed()) {
			return false
		}
	default:
		return false
	}

	r, s := sig.R(), sig.S()
	if r.IsZero() || s.IsZero() {
		return false
	}
	var e btcec.ModNScalar
	e.SetByteSlice(hash) // reduced mod n, as the verifier reduces it
	var t btcec.ModNScalar
	t.Mul2(&r, &d).Add(&e).Mul(new(btcec.ModNScalar).InverseValNonConst(&s))
	if t.IsZero() {
		return false // X would be the point at infinity
	}
	var x btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&t, &x)
	if (x.X.IsZero() && x.Y.IsZero()) || x.Z.IsZero() {
		return false
	}
	x.ToAffine()
	var xb [32]byte
	x.X.Normalize().PutBytes(&xb)
	var xr btcec.ModNScalar
	xr.SetBytes(&xb) // x mod n
	return xr.Equals(&r)
}
