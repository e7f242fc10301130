package keys

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"golang.org/x/crypto/ripemd160" //nolint:staticcheck // Bitcoin's hash160 needs it

	"github.com/gamegold/gg/lib/chaincfg"
)

// Errors from DecodeWIF and ParseExtendedKey.
var (
	ErrBadWIF        = errors.New("keys: invalid WIF private key")
	ErrWrongNetwork  = errors.New("keys: WIF key belongs to another network")
	ErrKeyOutOfRange = errors.New("keys: private key out of range")
	// ErrTooLong: the string is longer than any key of its kind; it is
	// refused before base58 decoding, whose cost is the square of the
	// length.
	ErrTooLong = errors.New("keys: encoded key too long")
	// ErrBadExtendedKey: a well-encoded extended key BIP32 calls invalid.
	ErrBadExtendedKey = errors.New("keys: invalid extended key")
)

// Longest base58check strings of each kind: the base58 length of an
// all-0xff payload (version, key, checksum), which no leading zero byte
// can exceed.
const (
	// MaxWIFLen bounds a WIF key: 1 + 33 + 4 bytes, 52 characters.
	MaxWIFLen = 52
	// MaxExtendedKeyLen bounds a BIP32 extended key (xpub, tprv, ...):
	// 78 + 4 bytes, 112 characters.
	MaxExtendedKeyLen = 112
)

// Generate returns a new random private key.
func Generate() (*btcec.PrivateKey, error) { return btcec.NewPrivateKey() }

// Hash160 returns ripemd160(sha256(b)).
func Hash160(b []byte) []byte {
	s := sha256.Sum256(b)
	h := ripemd160.New()
	h.Write(s[:])
	return h.Sum(nil)
}

// PubKeyHash returns hash160 of the compressed public key.
func PubKeyHash(pub *btcec.PublicKey) []byte { return Hash160(pub.SerializeCompressed()) }

// EncodeWIF encodes a private key for network p; compressed marks that the
// matching public key is used in compressed form (the default everywhere).
func EncodeWIF(priv *btcec.PrivateKey, compressed bool, p *chaincfg.Params) string {
	payload := priv.Serialize()
	if compressed {
		payload = append(payload, 0x01)
	}
	return base58.CheckEncode(payload, p.PrivateKeyID)
}

// DecodeWIF parses a WIF key for network p. A string longer than
// MaxWIFLen is ErrTooLong (and ErrBadWIF).
func DecodeWIF(s string, p *chaincfg.Params) (priv *btcec.PrivateKey, compressed bool, err error) {
	if len(s) > MaxWIFLen {
		return nil, false, fmt.Errorf("%w: %w: %d characters, at most %d", ErrBadWIF, ErrTooLong, len(s), MaxWIFLen)
	}
	payload, ver, err := base58.CheckDecode(s)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrBadWIF, err)
	}
	switch {
	case len(payload) == 33 && payload[32] == 0x01:
		compressed = true
	case len(payload) == 32:
	default:
		return nil, false, fmt.Errorf("%w: payload length %d", ErrBadWIF, len(payload))
	}
	if ver != p.PrivateKeyID {
		return nil, false, fmt.Errorf("%w: version byte 0x%02x, %s uses 0x%02x", ErrWrongNetwork, ver, p.Name, p.PrivateKeyID)
	}
	var k btcec.ModNScalar
	if overflow := k.SetByteSlice(payload[:32]); overflow || k.IsZero() {
		return nil, false, ErrKeyOutOfRange
	}
	priv, _ = btcec.PrivKeyFromBytes(payload[:32])
	return priv, compressed, nil
}

// ParseExtendedKey decodes a BIP32 extended key string (any network's,
// public or private) with hdkeychain, after refusing one longer than
// MaxExtendedKeyLen as ErrTooLong. It also refuses, as
// ErrBadExtendedKey, what BIP32 (test vector 5) calls invalid and
// hdkeychain lets through: a version no network of chaincfg uses, a
// private version on a public key or the reverse, and a master key
// (depth 0) with a parent fingerprint or a child index.
func ParseExtendedKey(s string) (*hdkeychain.ExtendedKey, error) {
	if len(s) > MaxExtendedKeyLen {
		return nil, fmt.Errorf("%w: extended key of %d characters, at most %d", ErrTooLong, len(s), MaxExtendedKeyLen)
	}
	k, err := hdkeychain.NewKeyFromString(s)
	if err != nil {
		return nil, err
	}
	var ver [4]byte
	copy(ver[:], k.Version())
	known := false
	for _, p := range chaincfg.Networks {
		switch ver {
		case p.HDPrivateKeyID:
			known = true
			if !k.IsPrivate() {
				return nil, fmt.Errorf("%w: a private key's version on a public key", ErrBadExtendedKey)
			}
		case p.HDPublicKeyID:
			known = true
			if k.IsPrivate() {
				return nil, fmt.Errorf("%w: a public key's version on a private key", ErrBadExtendedKey)
			}
		}
	}
	if !known {
		return nil, fmt.Errorf("%w: unknown version %x", ErrBadExtendedKey, ver)
	}
	if k.Depth() == 0 && (k.ParentFingerprint() != 0 || k.ChildIndex() != 0) {
		return nil, fmt.Errorf("%w: a master key (depth 0) with a parent fingerprint or child index", ErrBadExtendedKey)
	}
	return k, nil
}
