package seed

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/gamegold/gg/lib/chaincfg"
)

// BIP32 private derivation, for the browser wallet: lib/wallet derives
// with btcutil/hdkeychain, whose package (with btcutil's x509, network
// and file code) would double the WebAssembly module. This is the
// derivation alone, on btcec; lib/h5wallet's tests check that a
// mnemonic gives the addresses lib/wallet gives.

// HardenedKeyStart is the first hardened child index (2^31).
const HardenedKeyStart = 0x80000000

// PurposeBIP44 is the first index of an account's path.
const PurposeBIP44 = 44

// ErrInvalidChild: the child's key is invalid (probability about
// 2^-127); BIP32 says to skip to the next index.
var ErrInvalidChild = errors.New("the child key is invalid: use the next index")

// ExtKey is a BIP32 extended private key: the key and the chain code.
type ExtKey struct {
	key   btcec.ModNScalar
	chain [32]byte
}

// MasterKey returns the BIP32 master key of seed (16 to 64 bytes).
func MasterKey(seed []byte) (*ExtKey, error) {
	if len(seed) < 16 || len(seed) > 64 {
		return nil, fmt.Errorf("master key: %w: seed of %d bytes, want 16 to 64", ErrInvalidArgument, len(seed))
	}
	mac := hmac.New(sha512.New, []byte("Bitcoin seed"))
	mac.Write(seed)
	return split(mac.Sum(nil), nil)
}

// split makes the key of I = IL ‖ IR: IL (+ parent, when given) mod n
// and the chain code IR.
func split(sum []byte, parent *btcec.ModNScalar) (*ExtKey, error) {
	defer clear(sum)
	k := &ExtKey{}
	if overflow := k.key.SetByteSlice(sum[:32]); overflow {
		return nil, ErrInvalidChild
	}
	if parent != nil {
		k.key.Add(parent)
	}
	if k.key.IsZero() {
		return nil, ErrInvalidChild
	}
	copy(k.chain[:], sum[32:])
	return k, nil
}

// Child derives child i (hardened from HardenedKeyStart on).
func (k *ExtKey) Child(i uint32) (*ExtKey, error) {
	var data [37]byte
	if i >= HardenedKeyStart {
		b := k.key.Bytes()
		copy(data[1:33], b[:])
		clear(b[:])
	} else {
		copy(data[:33], k.PubKey())
	}
	binary.BigEndian.PutUint32(data[33:], i)
	mac := hmac.New(sha512.New, k.chain[:])
	mac.Write(data[:])
	clear(data[:])
	return split(mac.Sum(nil), &k.key)
}

// Path derives k along idx.
func (k *ExtKey) Path(idx []uint32) (*ExtKey, error) {
	for _, i := range idx {
		c, err := k.Child(i)
		if err != nil {
			return nil, err
		}
		k = c
	}
	return k, nil
}

// PrivKey is the key as btcec's.
func (k *ExtKey) PrivKey() *btcec.PrivateKey { return btcec.PrivKeyFromScalar(&k.key) }

// PubKey is the compressed public key.
func (k *ExtKey) PubKey() []byte { return k.PrivKey().PubKey().SerializeCompressed() }

// Zero clears the key.
func (k *ExtKey) Zero() { k.key.Zero(); clear(k.chain[:]) }

// AccountPath returns the BIP44 path of account n on p:
// m/44'/coin'/n'.
func AccountPath(p *chaincfg.Params, n uint32) []uint32 {
	return []uint32{PurposeBIP44 + HardenedKeyStart, p.HDCoinType + HardenedKeyStart, n + HardenedKeyStart}
}
