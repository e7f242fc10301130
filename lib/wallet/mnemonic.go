package wallet

import (
	"fmt"

	"github.com/gamegold/gg/lib/wallet/seed"
)

// Entropy sizes accepted by NewMnemonic (BIP39: 128 to 256 bits in steps
// of 32, giving 12 to 24 words) and the longest text ValidateMnemonic
// reads (seed's).
const (
	MinEntropyBits     = seed.MinEntropyBits
	MaxEntropyBits     = seed.MaxEntropyBits
	DefaultEntropyBits = seed.DefaultEntropyBits
	MaxMnemonicLen     = seed.MaxMnemonicLen
)

// NewMnemonic returns a fresh English BIP39 mnemonic of bits bits of
// entropy (128, 160, 192, 224 or 256).
func NewMnemonic(bits int) (string, error) {
	m, err := seed.NewMnemonic(bits)
	if err != nil {
		return "", prefixed(seedErr(err))
	}
	return m, nil
}

// NormalizeMnemonic lowercases m and collapses runs of white space, the
// form the wallet stores and checks.
func NormalizeMnemonic(m string) string { return seed.NormalizeMnemonic(m) }

// ValidateMnemonic reports, as an error wrapping ErrInvalidMnemonic, why m
// is not a valid English BIP39 mnemonic: word count, an unknown word, or
// a checksum mismatch, or a text longer than MaxMnemonicLen.
func ValidateMnemonic(m string) error {
	if err := seed.ValidateMnemonic(m); err != nil {
		return prefixed(seedErr(err))
	}
	return nil
}

// SeedFromMnemonic returns the 64-byte BIP39 seed of m and the optional
// seed passphrase ("25th word"). It validates m first, never deriving a
// seed from an unchecked phrase, so a mistyped word or a bad checksum is
// an error wrapping ErrInvalidMnemonic.
func SeedFromMnemonic(m, passphrase string) ([]byte, error) {
	s, err := seed.SeedFromMnemonic(m, passphrase)
	if err != nil {
		return nil, prefixed(seedErr(err))
	}
	return s, nil
}

// prefixed adds the package's "wallet: " prefix to err.
func prefixed(err error) error { return fmt.Errorf("wallet: %w", err) }
