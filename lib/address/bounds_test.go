package address

import (
	"errors"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
)

// oversized is the 2 MB "address" of issue 11 item 9: every character is
// a valid base58 digit, so an unbounded decoder does the whole quadratic
// conversion before it finds the checksum wrong.
var oversized = "1" + strings.Repeat("z", 2<<20)

// TestDecodeTooLong: an address longer than MaxLen is refused as
// ErrTooLong before any decoding (the old decoder converted all 2 MB and
// answered ErrChecksum with the whole input quoted in the message).
func TestDecodeTooLong(t *testing.T) {
	p := chaincfg.RegTestParams
	for name, s := range map[string]string{
		"base58 2 MB":       oversized,
		"bech32 2 MB":       p.Bech32HRP + "1" + strings.Repeat("q", 2<<20),
		"base58 MaxLen+1":   strings.Repeat("z", MaxLen+1),
		"bech32 MaxLen+1":   p.Bech32HRP + "1" + strings.Repeat("q", MaxLen-2),
		"other network hrp": "gg1" + strings.Repeat("q", 2<<20),
	} {
		_, err := Decode(s, p)
		if !errors.Is(err, ErrTooLong) {
			t.Errorf("%s: err = %.120v, want ErrTooLong", name, err)
			continue
		}
		if n := len(err.Error()); n > 100 {
			t.Errorf("%s: %d-byte error message echoes the input", name, n)
		}
	}
}

// TestDecodeAtMaxLen: the bound leaves every real address alone: a string
// of exactly MaxLen characters reaches the decoder (and fails there).
func TestDecodeAtMaxLen(t *testing.T) {
	p := chaincfg.RegTestParams
	for _, s := range []string{strings.Repeat("z", MaxLen), p.Bech32HRP + "1" + strings.Repeat("q", MaxLen-3)} {
		if len(s) != MaxLen {
			t.Fatalf("test string of %d characters", len(s))
		}
		if _, err := Decode(s, p); err == nil || errors.Is(err, ErrTooLong) {
			t.Errorf("%d characters: err = %v, want a decoding error", len(s), err)
		}
	}
}

// BenchmarkDecodeOversized shows the cost of refusing a 2 MB address
// (about 38 s of CPU before the bound).
func BenchmarkDecodeOversized(b *testing.B) {
	for range b.N {
		if _, err := Decode(oversized, chaincfg.RegTestParams); err == nil {
			b.Fatal("accepted")
		}
	}
}
