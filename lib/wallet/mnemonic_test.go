package wallet

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
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

// TestEnglishWordList: english.txt is BIP39's English list as published
// (bitcoin/bips bip-0039/english.txt, by its SHA-256), 2,048 distinct
// words in sorted order (wordIndex's binary search needs it), each
// found at its own index.
func TestEnglishWordList(t *testing.T) {
	const published = "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"
	if sum := sha256.Sum256([]byte(englishText)); hex.EncodeToString(sum[:]) != published {
		t.Fatalf("english.txt: SHA-256 %x, want %s (BIP39's english.txt)", sum, published)
	}
	list := englishList()
	if len(list) != 2048 {
		t.Fatalf("%d words, want 2048", len(list))
	}
	for i, w := range list {
		if i > 0 && list[i-1] >= w {
			t.Fatalf("word %d %q not after %q", i, w, list[i-1])
		}
		if j, ok := wordIndex(w); !ok || j != i {
			t.Errorf("wordIndex(%q) = %d, %v; want %d", w, j, ok, i)
		}
	}
	for _, w := range []string{"", "aaa", "abando", "abandonn", "Abandon", "zoo ", "zzz", "zoom"} {
		if i, ok := wordIndex(w); ok {
			t.Errorf("wordIndex(%q) = %d, found; want not found", w, i)
		}
	}
}

// TestMnemonicRoundTrip: every entropy size, random and all-ones,
// gives as many words as BIP39 says and comes back from them.
func TestMnemonicRoundTrip(t *testing.T) {
	for bits := MinEntropyBits; bits <= MaxEntropyBits; bits += 32 {
		for _, ent := range [][]byte{newEntropy(bits), bytes.Repeat([]byte{0xff}, bits/8)} {
			m, err := mnemonicFromEntropy(ent)
			if err != nil {
				t.Fatalf("%x: %v", ent, err)
			}
			words := strings.Fields(m)
			if len(words) != (bits+bits/32)/11 {
				t.Errorf("%d bits: %d words", bits, len(words))
			}
			back, err := entropyFromMnemonic(words)
			if err != nil || !bytes.Equal(back, ent) {
				t.Errorf("%q: entropy %x, %v; want %x", m, back, err, ent)
			}
		}
	}
}

func TestMnemonicFromEntropyErrors(t *testing.T) {
	for _, n := range []int{0, 4, 12, 15, 17, 30, 33, 36, 64} {
		if m, err := mnemonicFromEntropy(make([]byte, n)); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%d bytes: %q, %v; want ErrInvalidArgument", n, m, err)
		}
	}
}

// TestEntropyFromMnemonicErrors: a wrong word count, a word not in the
// list (named by its place) and a checksum that does not match, at every
// length, each an ErrInvalidMnemonic.
func TestEntropyFromMnemonicErrors(t *testing.T) {
	zoo := func(n int, last string) []string {
		return append(slices.Repeat([]string{"zoo"}, n-1), last)
	}
	for _, c := range []struct {
		name  string
		words []string
		want  string
	}{
		{"none", nil, "0 words"},
		{"11 words", zoo(11, "wrong"), "11 words"},
		{"13 words", zoo(13, "wrong"), "13 words"},
		{"25 words", zoo(25, "zoo"), "25 words"},
		{"unknown word", append([]string{"abandon", "zooo"}, zoo(10, "wrong")...), `word 2 ("zooo")`},
		{"upper case (not normalized)", zoo(12, "Wrong"), `word 12 ("Wrong")`},
		{"bad checksum 12", zoo(12, "zoo"), "bad checksum"},
		{"bad checksum 15", zoo(15, "zoo"), "bad checksum"},
		{"bad checksum 18", zoo(18, "zoo"), "bad checksum"},
		{"bad checksum 21", zoo(21, "zoo"), "bad checksum"},
		{"bad checksum 24", zoo(24, "zoo"), "bad checksum"},
		{"good 24 but a bit flipped", zoo(24, "voice"), "bad checksum"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ent, err := entropyFromMnemonic(c.words)
			if !errors.Is(err, ErrInvalidMnemonic) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("entropyFromMnemonic = %x, %v; want ErrInvalidMnemonic saying %q", ent, err, c.want)
			}
		})
	}
	// the valid neighbours of the last two cases are accepted
	for _, words := range [][]string{zoo(12, "wrong"), zoo(24, "vote")} {
		if _, err := entropyFromMnemonic(words); err != nil {
			t.Errorf("%v: %v", words, err)
		}
	}
}
