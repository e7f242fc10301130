package wallet

import (
	"errors"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/keys"
)

// TestParseXpubTooLong: an extended key longer than any real one is
// refused before base58 decoding (the old parser spent half a minute on
// 2 MB and answered a length error of its own).
func TestParseXpubTooLong(t *testing.T) {
	w := &Wallet{params: chaincfg.RegTestParams}
	for _, s := range []string{"tpub" + strings.Repeat("z", 2<<20), strings.Repeat("z", keys.MaxExtendedKeyLen+1)} {
		_, err := parseXpub(s, w)
		if !errors.Is(err, ErrInvalidKey) || !errors.Is(err, keys.ErrTooLong) {
			t.Errorf("%d characters: err = %.120v, want ErrInvalidKey and keys.ErrTooLong", len(s), err)
		}
	}
}

// TestValidateMnemonicTooLong: a mnemonic longer than MaxMnemonicLen is
// refused before it is split into words, with a short message (the old
// check split 2 MB into words and accepted a valid phrase drowned in
// white space).
func TestValidateMnemonicTooLong(t *testing.T) {
	for name, m := range map[string]string{
		"2 MB of words":        strings.Repeat("abandon ", 2<<20/8),
		"valid phrase, padded": testMnemonic + strings.Repeat(" ", 2<<20),
		"one over":             testMnemonic + strings.Repeat(" ", MaxMnemonicLen+1-len(testMnemonic)),
	} {
		err := ValidateMnemonic(m)
		if !errors.Is(err, ErrInvalidMnemonic) || !strings.Contains(err.Error(), "too long") || len(err.Error()) > 100 {
			t.Errorf("%s: err = %.120v, want a short ErrInvalidMnemonic naming the length", name, err)
		}
		if _, err := SeedFromMnemonic(m, ""); !errors.Is(err, ErrInvalidMnemonic) {
			t.Errorf("%s: SeedFromMnemonic err = %.120v", name, err)
		}
	}
	if m := testMnemonic + strings.Repeat(" ", MaxMnemonicLen-len(testMnemonic)); ValidateMnemonic(m) != nil {
		t.Errorf("a valid phrase of exactly MaxMnemonicLen bytes is refused: %v", ValidateMnemonic(m))
	}
}
