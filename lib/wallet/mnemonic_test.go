package wallet

import (
	"errors"
	"strings"
	"testing"
)

func TestNewMnemonic(t *testing.T) {
	for _, c := range []struct{ bits, words int }{{128, 12}, {160, 15}, {192, 18}, {224, 21}, {256, 24}} {
		m, err := NewMnemonic(c.bits)
		if err != nil {
			t.Fatalf("%d bits: %v", c.bits, err)
		}
		if n := len(strings.Fields(m)); n != c.words {
			t.Errorf("%d bits: %d words, want %d", c.bits, n, c.words)
		}
		if err := ValidateMnemonic(m); err != nil {
			t.Errorf("%d bits: generated mnemonic invalid: %v", c.bits, err)
		}
	}
	a, _ := NewMnemonic(128)
	b, _ := NewMnemonic(128)
	if a == b {
		t.Error("two generated mnemonics are equal")
	}
}

func TestNewMnemonicErrors(t *testing.T) {
	for _, bits := range []int{0, 64, 96, 127, 129, 288, 512, -128} {
		if _, err := NewMnemonic(bits); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("NewMnemonic(%d) = %v, want ErrInvalidArgument", bits, err)
		}
	}
}

func TestValidateMnemonic(t *testing.T) {
	for _, m := range []string{
		testMnemonic,
		"  LEGAL winner thank year wave sausage worth useful legal winner thank yellow\n",
		"abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
	} {
		if err := ValidateMnemonic(m); err != nil {
			t.Errorf("ValidateMnemonic(%q) = %v", m, err)
		}
	}
}

func TestValidateMnemonicErrors(t *testing.T) {
	for _, c := range []struct{ name, m string }{
		{"empty", ""},
		{"garbage words", "garbage words"},
		{"11 words", "legal winner thank year wave sausage worth useful legal winner thank"},
		{"13 words", testMnemonic + " yellow"},
		{"unknown word", "legal winner thank year wave sausage worth useful legal winner thank yelloww"},
		{"bad checksum", "legal winner thank year wave sausage worth useful legal winner thank thank"},
		{"abandon x12 (bad checksum)", strings.Repeat("abandon ", 12)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := ValidateMnemonic(c.m); !errors.Is(err, ErrInvalidMnemonic) {
				t.Errorf("ValidateMnemonic = %v, want ErrInvalidMnemonic", err)
			}
			if _, err := SeedFromMnemonic(c.m, ""); !errors.Is(err, ErrInvalidMnemonic) {
				t.Errorf("SeedFromMnemonic = %v, want ErrInvalidMnemonic", err)
			}
		})
	}
}

func TestSeedFromMnemonicPassphrase(t *testing.T) {
	a, err := SeedFromMnemonic(testMnemonic, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := SeedFromMnemonic(testMnemonic, "TREZOR")
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 64 || string(a) == string(b) {
		t.Fatalf("seed length %d, or passphrase did not change the seed", len(a))
	}
}
