package keys

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/base58"

	"github.com/gamegold/gg/lib/chaincfg"
)

// oversized is a 2 MB string of valid base58 digits: an unbounded
// decoder converts all of it (quadratic) before the checksum fails.
var oversized = "9" + strings.Repeat("z", 2<<20)

// TestDecodeWIFTooLong: a WIF key longer than MaxWIFLen is refused as
// ErrTooLong (and ErrBadWIF) before base58 decoding; the old decoder
// answered a checksum error after the quadratic conversion.
func TestDecodeWIFTooLong(t *testing.T) {
	for _, s := range []string{oversized, strings.Repeat("z", MaxWIFLen+1)} {
		_, _, err := DecodeWIF(s, chaincfg.RegTestParams)
		if !errors.Is(err, ErrTooLong) || !errors.Is(err, ErrBadWIF) {
			t.Errorf("%d characters: err = %.120v, want ErrTooLong and ErrBadWIF", len(s), err)
		}
	}
}

// TestParseExtendedKeyTooLong: the same for xpub/xprv/tpub strings.
func TestParseExtendedKeyTooLong(t *testing.T) {
	for _, s := range []string{"tpub" + oversized, strings.Repeat("z", MaxExtendedKeyLen+1)} {
		if _, err := ParseExtendedKey(s); !errors.Is(err, ErrTooLong) {
			t.Errorf("%d characters: err = %.120v, want ErrTooLong", len(s), err)
		}
	}
}

// TestEncodedLenBounds: the bounds hold the longest strings of each kind
// (all-0xff payloads) and every network's real keys.
func TestEncodedLenBounds(t *testing.T) {
	if n := len(base58.CheckEncode(bytes.Repeat([]byte{0xff}, 33), 0xff)); n != MaxWIFLen {
		t.Errorf("longest WIF has %d characters, MaxWIFLen is %d", n, MaxWIFLen)
	}
	if n := len(base58.Encode(bytes.Repeat([]byte{0xff}, 82))); n != MaxExtendedKeyLen {
		t.Errorf("longest extended key has %d characters, MaxExtendedKeyLen is %d", n, MaxExtendedKeyLen)
	}
	priv, _ := Generate()
	for _, p := range chaincfg.Networks {
		s := EncodeWIF(priv, true, p)
		if _, _, err := DecodeWIF(s, p); err != nil {
			t.Errorf("%s WIF of %d characters: %v", p.Name, len(s), err)
		}
	}
	const tpub = "tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp"
	k, err := ParseExtendedKey(tpub)
	if err != nil || k.String() != tpub {
		t.Fatalf("ParseExtendedKey(tpub) = %v", err)
	}
	if _, err := ParseExtendedKey(tpub[:len(tpub)-1] + "q"); err == nil || errors.Is(err, ErrTooLong) {
		t.Errorf("bad checksum: err = %v", err)
	}
}

func BenchmarkDecodeWIFOversized(b *testing.B) {
	for range b.N {
		if _, _, err := DecodeWIF(oversized, chaincfg.RegTestParams); err == nil {
			b.Fatal("accepted")
		}
	}
}
