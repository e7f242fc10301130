package wallet

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gamegold/gg/lib/wallet/seed"
)

// BIP39 lives in lib/wallet/seed (the browser wallet shares it without
// this package's database); these are the names the wallet and its
// tests use, with seed's error kinds mapped onto the wallet's.

var englishText = seed.EnglishText

func englishList() []string { return seed.EnglishList() }

func wordIndex(w string) (int, bool) { return seed.WordIndex(w) }

func mnemonicFromEntropy(ent []byte) (string, error) {
	m, err := seed.MnemonicFromEntropy(ent)
	return m, seedErr(err)
}

func entropyFromMnemonic(words []string) ([]byte, error) {
	ent, err := seed.EntropyFromMnemonic(words)
	return ent, seedErr(err)
}

func newEntropy(bits int) []byte { return seed.NewEntropy(bits) }

// seedErr rewraps an error of lib/wallet/seed with the wallet's kind of
// the same text (ErrInvalidMnemonic, ErrInvalidArgument).
func seedErr(err error) error {
	for _, k := range []struct {
		from seed.ErrorKind
		to   ErrorKind
	}{{seed.ErrInvalidMnemonic, ErrInvalidMnemonic}, {seed.ErrInvalidArgument, ErrInvalidArgument}} {
		if errors.Is(err, k.from) {
			msg := err.Error()
			if before, after, ok := strings.Cut(msg, string(k.from)); ok {
				return fmt.Errorf("%s%w%s", before, k.to, after)
			}
			return fmt.Errorf("%w: %s", k.to, msg)
		}
	}
	return err
}
