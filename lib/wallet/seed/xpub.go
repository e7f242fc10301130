package seed

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/base58"
	"golang.org/x/crypto/ripemd160" //nolint:staticcheck // BIP32 fingerprints are RIPEMD-160

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
)

// BIP32 public derivation, for views of a wallet from its account's
// extended public key (the explorer's xpub page): the parent's public
// key and chain code give the non-hardened children's public keys.

// extKeyLen is a serialized extended key: version 4, depth 1, parent
// fingerprint 4, child number 4, chain code 32, key 33.
const extKeyLen = 78

// MaxExtPubKeyLen bounds the text ParseExtPubKey decodes: the base58 of
// 82 bytes (the key and its checksum) is at most 112 characters.
const MaxExtPubKeyLen = 112

// ExtPubKey is a BIP32 extended public key.
type ExtPubKey struct {
	version  [4]byte
	depth    uint8
	parentFP [4]byte
	child    uint32
	chain    [32]byte
	pub      []byte              // compressed
	point    btcec.JacobianPoint // the key, affine (Z = 1): no square root per child
}

// ParseExtPubKey decodes s, an extended public key of network p (its
// version bytes p.HDPublicKeyID). A private key, another network's key,
// a bad checksum or a key that is not a point of the curve is an error
// wrapping ErrInvalidArgument.
func ParseExtPubKey(s string, p *chaincfg.Params) (*ExtPubKey, error) {
	if len(s) > MaxExtPubKeyLen {
		return nil, fmt.Errorf("extended public key: %w: %d characters, want at most %d", ErrInvalidArgument, len(s), MaxExtPubKeyLen)
	}
	b := base58.Decode(s)
	if len(b) != extKeyLen+4 {
		return nil, fmt.Errorf("extended public key: %w: not base58 of %d bytes", ErrInvalidArgument, extKeyLen+4)
	}
	if sum := chainhash.DoubleHashB(b[:extKeyLen]); !bytes.Equal(sum[:4], b[extKeyLen:]) {
		return nil, fmt.Errorf("extended public key: %w: bad checksum", ErrInvalidArgument)
	}
	k := &ExtPubKey{depth: b[4], child: binary.BigEndian.Uint32(b[9:13])}
	copy(k.version[:], b[:4])
	copy(k.parentFP[:], b[5:9])
	copy(k.chain[:], b[13:45])
	switch {
	case k.version == p.HDPrivateKeyID:
		return nil, fmt.Errorf("extended public key: %w: this is a private extended key: give the account's public one", ErrInvalidArgument)
	case k.version != p.HDPublicKeyID:
		return nil, fmt.Errorf("extended public key: %w: version bytes %x are not %s's", ErrInvalidArgument, k.version, p.Name)
	}
	pub, err := btcec.ParsePubKey(b[45:extKeyLen])
	if err != nil || b[45] != 2 && b[45] != 3 {
		return nil, fmt.Errorf("extended public key: %w: the key is not a compressed point of the curve", ErrInvalidArgument)
	}
	k.pub = pub.SerializeCompressed()
	pub.AsJacobian(&k.point)
	return k, nil
}

// String is the key's base58 serialization.
func (k *ExtPubKey) String() string {
	b := make([]byte, 0, extKeyLen+4)
	b = append(b, k.version[:]...)
	b = append(b, k.depth)
	b = append(b, k.parentFP[:]...)
	b = binary.BigEndian.AppendUint32(b, k.child)
	b = append(b, k.chain[:]...)
	b = append(b, k.pub...)
	sum := chainhash.DoubleHashB(b)
	return base58.Encode(append(b, sum[:4]...))
}

// Depth is the key's depth in its tree (3 for a BIP44 account).
func (k *ExtPubKey) Depth() uint8 { return k.depth }

// PubKey is the compressed public key.
func (k *ExtPubKey) PubKey() []byte { return bytes.Clone(k.pub) }

// Child derives the public key of non-hardened child i; a hardened
// index needs the private key (ErrInvalidArgument).
func (k *ExtPubKey) Child(i uint32) (*ExtPubKey, error) {
	if i >= HardenedKeyStart {
		return nil, fmt.Errorf("child %d: %w: a hardened child of a public key", i, ErrInvalidArgument)
	}
	if k.depth == 255 {
		return nil, fmt.Errorf("child %d: %w: depth 255 has no children", i, ErrInvalidArgument)
	}
	var data [37]byte
	copy(data[:33], k.pub)
	binary.BigEndian.PutUint32(data[33:], i)
	mac := hmac.New(sha512.New, k.chain[:])
	mac.Write(data[:])
	sum := mac.Sum(nil)
	var il btcec.ModNScalar
	if overflow := il.SetByteSlice(sum[:32]); overflow {
		return nil, ErrInvalidChild
	}
	var point, res btcec.JacobianPoint
	btcec.ScalarBaseMultNonConst(&il, &point)
	btcec.AddNonConst(&point, &k.point, &res)
	if (res.X.IsZero() && res.Y.IsZero()) || res.Z.IsZero() {
		return nil, ErrInvalidChild
	}
	res.ToAffine()
	c := &ExtPubKey{version: k.version, depth: k.depth + 1, child: i, point: res,
		pub: btcec.NewPublicKey(&res.X, &res.Y).SerializeCompressed()}
	copy(c.parentFP[:], hash160(k.pub)[:4])
	copy(c.chain[:], sum[32:])
	return c, nil
}

// hash160 is RIPEMD-160(SHA-256(b)): a key's fingerprint is its first 4
// bytes.
func hash160(b []byte) []byte {
	s := sha256.Sum256(b)
	r := ripemd160.New()
	r.Write(s[:])
	return r.Sum(nil)
}
