package wallet

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/binary"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// branchSecret is an account branch's private key material, kept while
// the wallet is unlocked, for deriving the branch's children (BIP32
// CKDpriv, non-hardened): I = HMAC-SHA512(chain code, serP(point(k)) ‖
// ser32(i)), child = parse256(I[:32]) + k mod n. It gives the child's
// private key alone: hdkeychain's ECPrivKey also computes the child's
// public key, a point multiplication a signer does not need (the
// address already holds it, and the signature check covers it).
type branchSecret struct {
	key   btcec.ModNScalar
	chain [32]byte
	pub   [33]byte
}

// newBranchSecret takes the material of the private extended key k.
func newBranchSecret(k *hdkeychain.ExtendedKey) (*branchSecret, error) {
	priv, err := k.ECPrivKey()
	if err != nil {
		return nil, err
	}
	b := &branchSecret{key: priv.Key}
	if cc := k.ChainCode(); len(cc) == len(b.chain) {
		copy(b.chain[:], cc)
	} else {
		return nil, fmt.Errorf("%w: chain code of %d bytes", ErrCorrupt, len(cc))
	}
	copy(b.pub[:], priv.PubKey().SerializeCompressed())
	priv.Zero()
	return b, nil
}

// child derives the private key of child i (i below HardenedKeyStart).
// An index whose key is invalid is hdkeychain.ErrInvalidChild.
func (b *branchSecret) child(i uint32) (*btcec.PrivateKey, error) {
	if i >= HardenedKeyStart {
		return nil, fmt.Errorf("%w: hardened child %d of a branch", ErrInvalidArgument, i)
	}
	var data [37]byte
	copy(data[:33], b.pub[:])
	binary.BigEndian.PutUint32(data[33:], i)
	mac := hmac.New(sha512.New, b.chain[:])
	mac.Write(data[:])
	sum := mac.Sum(nil)
	defer clear(sum)
	var k btcec.ModNScalar
	if overflow := k.SetByteSlice(sum[:32]); overflow {
		return nil, hdkeychain.ErrInvalidChild
	}
	k.Add(&b.key)
	if k.IsZero() {
		return nil, hdkeychain.ErrInvalidChild
	}
	return btcec.PrivKeyFromScalar(&k), nil
}

// zero overwrites the key material.
func (b *branchSecret) zero() {
	b.key.Zero()
	clear(b.chain[:])
	clear(b.pub[:])
}
