package wallet

import (
	"fmt"
	"strings"

	"github.com/tyler-smith/go-bip39"
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
		return "", fmt.Errorf("wallet: new mnemonic: %w: entropy must be 128 to 256 bits in steps of 32, got %d", ErrInvalidArgument, bits)
	}
	ent, err := bip39.NewEntropy(bits)
	if err != nil {
		return "", fmt.Errorf("wallet: new mnemonic: %w", err)
	}
	return bip39.NewMnemonic(ent)
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
		return fmt.Errorf("wallet: %w: too long: %d bytes, at most %d", ErrInvalidMnemonic, len(m), MaxMnemonicLen)
	}
	words := strings.Fields(NormalizeMnemonic(m))
	switch len(words) {
	case 12, 15, 18, 21, 24:
	default:
		return fmt.Errorf("wallet: %w: %d words, want 12, 15, 18, 21 or 24", ErrInvalidMnemonic, len(words))
	}
	for i, w := range words {
		if _, ok := bip39.GetWordIndex(w); !ok {
			return fmt.Errorf("wallet: %w: word %d (%q) is not in the English list", ErrInvalidMnemonic, i+1, w)
		}
	}
	if _, err := bip39.EntropyFromMnemonic(strings.Join(words, " ")); err != nil {
		return fmt.Errorf("wallet: %w: %v", ErrInvalidMnemonic, err)
	}
	return nil
}

// SeedFromMnemonic returns the 64-byte BIP39 seed of m and the optional
// seed passphrase ("25th word"). It validates m first (through
// bip39.NewSeedWithErrorChecking, never the unchecked NewSeed), so a
// mistyped word or a bad checksum is an error wrapping ErrInvalidMnemonic.
func SeedFromMnemonic(m, passphrase string) ([]byte, error) {
	if err := ValidateMnemonic(m); err != nil {
		return nil, err
	}
	seed, err := bip39.NewSeedWithErrorChecking(NormalizeMnemonic(m), passphrase)
	if err != nil {
		return nil, fmt.Errorf("wallet: %w: %v", ErrInvalidMnemonic, err)
	}
	return seed, nil
}
