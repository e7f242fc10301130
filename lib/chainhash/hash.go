package chainhash

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// HashSize is the size in bytes of a Hash.
const HashSize = 32

// MaxHashStringSize is the length of a Hash in hex.
const MaxHashStringSize = HashSize * 2

// ErrHashStrSize is returned when a hash string has the wrong length.
var ErrHashStrSize = errors.New("chainhash: hash string must be 64 hex characters")

// Hash is a sha256d digest in internal byte order.
type Hash [HashSize]byte

// ZeroHash is the all-zero hash.
var ZeroHash Hash

// String returns the hash in display order (byte-reversed hex), as block
// explorers and RPC show it.
func (h Hash) String() string {
	var r [HashSize]byte
	for i := range HashSize {
		r[i] = h[HashSize-1-i]
	}
	return hex.EncodeToString(r[:])
}

// IsZero reports whether h is the zero hash.
func (h Hash) IsZero() bool { return h == ZeroHash }

// MarshalText encodes the hash in display order.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText decodes a display-order hex hash.
func (h *Hash) UnmarshalText(b []byte) error {
	v, err := NewHashFromStr(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// NewHash copies a 32-byte internal-order slice into a Hash.
func NewHash(b []byte) (Hash, error) {
	var h Hash
	if len(b) != HashSize {
		return h, fmt.Errorf("chainhash: invalid hash length %d, want %d", len(b), HashSize)
	}
	copy(h[:], b)
	return h, nil
}

// NewHashFromStr parses a display-order (byte-reversed) hex hash string.
func NewHashFromStr(s string) (Hash, error) {
	var h Hash
	if len(s) != MaxHashStringSize {
		return h, ErrHashStrSize
	}
	var b [HashSize]byte
	if _, err := hex.Decode(b[:], []byte(s)); err != nil {
		return h, fmt.Errorf("chainhash: %w", err)
	}
	for i := range HashSize {
		h[i] = b[HashSize-1-i]
	}
	return h, nil
}

// HashB returns sha256(b).
func HashB(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// HashH returns sha256(b) as a Hash.
func HashH(b []byte) Hash { return Hash(sha256.Sum256(b)) }

// DoubleHashB returns sha256(sha256(b)).
func DoubleHashB(b []byte) []byte {
	h := DoubleHashH(b)
	return h[:]
}

// DoubleHashH returns sha256(sha256(b)) as a Hash.
func DoubleHashH(b []byte) Hash {
	first := sha256.Sum256(b)
	return Hash(sha256.Sum256(first[:]))
}

// HashPair returns sha256d(a || b), the inner node of a merkle tree.
func HashPair(a, b *Hash) Hash {
	var buf [HashSize * 2]byte
	copy(buf[:HashSize], a[:])
	copy(buf[HashSize:], b[:])
	return DoubleHashH(buf[:])
}
