package seed

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// BIP39 with the English word list only, the one the wallet uses. The
// list is english.txt, embedded as it is published with BIP39
// (bitcoin/bips, bip-0039/english.txt; SHA-256 2f5eed53...dbda,
// TestEnglishWordList checks it): 2,048 words, sorted, one per line. It
// is split into words on first use, not at init: every binary that
// links the wallet (gg-node, gg-wallet, gg-tx ...) would otherwise build
// it on every start, client calls included (docs/performance.md, "Client
// start-up").

//go:embed english.txt
var EnglishText string

var (
	englishOnce  sync.Once
	englishWords []string
)

// EnglishList returns the 2,048 words of the English list, in order.
func EnglishList() []string {
	englishOnce.Do(func() { englishWords = strings.Fields(EnglishText) })
	return englishWords
}

// WordIndex returns w's index in the English list (sorted: a binary
// search, no map to build).
func WordIndex(w string) (int, bool) {
	list := EnglishList()
	i := sort.SearchStrings(list, w)
	return i, i < len(list) && list[i] == w
}

// MnemonicFromEntropy returns the English mnemonic of ent (16 to 32
// bytes, a multiple of 4): the entropy followed by the first len(ent)/4
// bits of its SHA-256, read 11 bits per word.
func MnemonicFromEntropy(ent []byte) (string, error) {
	n := len(ent)
	if n < MinEntropyBits/8 || n > MaxEntropyBits/8 || n%4 != 0 {
		return "", fmt.Errorf("%w: entropy of %d bytes, want 16 to 32 in steps of 4", ErrInvalidArgument, n)
	}
	sum := sha256.Sum256(ent)
	bits := append(append(make([]byte, 0, n+1), ent...), sum[0]) // the checksum is at most 8 bits
	words := (n*8 + n/4) / 11
	list := EnglishList()
	var b strings.Builder
	for i := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(list[readBits(bits, i*11, 11)])
	}
	return b.String(), nil
}

// EntropyFromMnemonic returns the entropy the English words encode (12,
// 15, 18, 21 or 24 of them, already normalized), checking every word and
// the checksum; its errors wrap ErrInvalidMnemonic.
func EntropyFromMnemonic(words []string) ([]byte, error) {
	switch len(words) {
	case 12, 15, 18, 21, 24:
	default:
		return nil, fmt.Errorf("%w: %d words, want 12, 15, 18, 21 or 24", ErrInvalidMnemonic, len(words))
	}
	total := len(words) * 11
	csBits := total / 33 // entropy bits = 32 × checksum bits
	n := (total - csBits) / 8
	bits := make([]byte, n+1)
	for i, w := range words {
		idx, ok := WordIndex(w)
		if !ok {
			return nil, fmt.Errorf("%w: word %d (%q) is not in the English list", ErrInvalidMnemonic, i+1, w)
		}
		writeBits(bits, i*11, 11, idx)
	}
	ent := bits[:n]
	sum := sha256.Sum256(ent)
	if readBits(bits[n:], 0, csBits) != readBits(sum[:], 0, csBits) {
		return nil, fmt.Errorf("%w: bad checksum (a word is wrong or out of place)", ErrInvalidMnemonic)
	}
	return ent, nil
}

// readBits returns the n bits of b from bit off on (most significant
// first), as an integer.
func readBits(b []byte, off, n int) int {
	v := 0
	for i := off; i < off+n; i++ {
		v = v<<1 | int(b[i/8]>>(7-i%8)&1)
	}
	return v
}

// writeBits sets the n bits of b from bit off on to v's low n bits (b's
// bits there are zero).
func writeBits(b []byte, off, n, v int) {
	for i := range n {
		if v>>(n-1-i)&1 == 1 {
			j := off + i
			b[j/8] |= 1 << (7 - j%8)
		}
	}
}

// NewEntropy returns bits bits of entropy from crypto/rand.
func NewEntropy(bits int) []byte {
	ent := make([]byte, bits/8)
	rand.Read(ent) // never fails (crypto/rand: it crashes the program instead)
	return ent
}

// Seed is BIP39's seed of a normalized mnemonic and a passphrase:
// PBKDF2-HMAC-SHA512, 2,048 rounds, salt "mnemonic" + passphrase, 64
// bytes. Neither is NFKD-normalized (as the wallet has always derived
// seeds: an ASCII phrase and passphrase, the usual case, are unchanged
// by it).
func Seed(mnemonic, passphrase string) ([]byte, error) {
	return pbkdf2.Key(sha512.New, mnemonic, []byte("mnemonic"+passphrase), 2048, 64)
}
