package seed

import (
	"fmt"
	"strings"
)

// Entropy sizes accepted by NewMnemonic (BIP39: 128 to 256 bits in steps
// of 32, giving 12 to 24 words).
const (
	MinEntropyBits     = 128
	MaxEntropyBits     = 256
	DefaultEntropyBits = 256
	// MaxMnemonicLen bounds the text ValidateMnemonic reads, bytes: a
	// 24-word English phrase is at most 215, so this leaves room for any
	// white space a person types and refuses megabytes before splitting
	// them into words.
	MaxMnemonicLen = 1024
)

// NewMnemonic returns a fresh English BIP39 mnemonic of bits bits of
// entropy (128, 160, 192, 224 or 256).
func NewMnemonic(bits int) (string, error) {
	if bits < MinEntropyBits || bits > MaxEntropyBits || bits%32 != 0 {
		return "", fmt.Errorf("new mnemonic: %w: entropy must be 128 to 256 bits in steps of 32, got %d", ErrInvalidArgument, bits)
	}
	m, err := MnemonicFromEntropy(NewEntropy(bits))
	if err != nil {
		return "", fmt.Errorf("new mnemonic: %w", err)
	}
	return m, nil
}

// NormalizeMnemonic lowercases m and collapses runs of white space, the
// form the wallet stores and checks.
func NormalizeMnemonic(m string) string {
	return strings.Join(strings.Fields(strings.ToLower(m)), " ")
}

// ValidateMnemonic reports, as an error wrapping ErrInvalidMnemonic, why m
// is not a valid English BIP39 mnemonic: word count, an unknown word, or
// a checksum mismatch, or a text longer than MaxMnemonicLen.
func ValidateMnemonic(m string) error {
	if len(m) > MaxMnemonicLen {
		return fmt.Errorf("%w: too long: %d bytes, at most %d", ErrInvalidMnemonic, len(m), MaxMnemonicLen)
	}
	if _, err := EntropyFromMnemonic(strings.Fields(NormalizeMnemonic(m))); err != nil {
		return err
	}
	return nil
}

// SeedFromMnemonic returns the 64-byte BIP39 seed of m and the optional
// seed passphrase ("25th word"). It validates m first, never deriving a
// seed from an unchecked phrase, so a mistyped word or a bad checksum is
// an error wrapping ErrInvalidMnemonic.
func SeedFromMnemonic(m, passphrase string) ([]byte, error) {
	if err := ValidateMnemonic(m); err != nil {
		return nil, err
	}
	seed, err := Seed(NormalizeMnemonic(m), passphrase)
	if err != nil {
		return nil, fmt.Errorf("seed from mnemonic: %w", err)
	}
	return seed, nil
}
