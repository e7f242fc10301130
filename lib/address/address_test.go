package address

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
)

func TestRoundTrip(t *testing.T) {
	h20 := bytes.Repeat([]byte{0x11}, 20)
	h32 := bytes.Repeat([]byte{0x22}, 32)
	for _, p := range chaincfg.Networks {
		for _, a := range []*Address{NewP2PKH(h20, p), NewP2SH(h20, p), NewP2WPKH(h20, p), NewP2WSH(h32, p)} {
			s := a.String()
			got, err := Decode(s, p)
			if err != nil {
				t.Fatalf("%s %v: %v", p.Name, a.Kind, err)
			}
			if got.Kind != a.Kind || !bytes.Equal(got.Hash, a.Hash) || got.String() != s {
				t.Errorf("%s: round trip %s -> %+v", p.Name, s, got)
			}
			back, ok := FromPkScript(a.PkScript(), p)
			if !ok || back.String() != s {
				t.Errorf("%s: FromPkScript(%x) = %v", p.Name, a.PkScript(), back)
			}
			if a.IsSegwit() && !strings.HasPrefix(s, p.Bech32HRP+"1") {
				t.Errorf("%s: segwit address %s lacks hrp %s", p.Name, s, p.Bech32HRP)
			}
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	main, reg := chaincfg.MainNetParams, chaincfg.RegTestParams
	good := NewP2WPKH(bytes.Repeat([]byte{1}, 20), reg).String()
	flipped := good[:len(good)-1] + string("qpzry9x8gf2tvdw0s3jn54khce6mua7l"[(strings.IndexByte("qpzry9x8gf2tvdw0s3jn54khce6mua7l", good[len(good)-1])+1)%32])
	mainPKH := NewP2PKH(bytes.Repeat([]byte{1}, 20), main).String()
	cases := []struct {
		name, s string
		p       *chaincfg.Params
		want    error
	}{
		{"regtest bech32 on main", good, main, ErrWrongNetwork},
		{"main base58 on regtest", mainPKH, reg, ErrWrongNetwork},
		{"bech32 checksum", flipped, reg, ErrChecksum},
		{"base58 checksum", mainPKH[:len(mainPKH)-1] + "z", main, ErrChecksum},
		{"garbage", "hello world", main, ErrUnknownFormat},
		{"empty", "", main, ErrUnknownFormat},
	}
	for _, c := range cases {
		if _, err := Decode(c.s, c.p); !errors.Is(err, c.want) {
			t.Errorf("%s: %q err = %v, want %v", c.name, c.s, err, c.want)
		}
	}
}

func TestFromPkScriptNonStandard(t *testing.T) {
	for _, pk := range [][]byte{nil, {0x6a, 0x01, 0x00}, {0x51}, bytes.Repeat([]byte{0}, 25)} {
		if a, ok := FromPkScript(pk, chaincfg.MainNetParams); ok {
			t.Errorf("%x gave address %s", pk, a)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, p := range chaincfg.Networks {
		f.Add(NewP2WPKH(bytes.Repeat([]byte{1}, 20), p).String())
		f.Add(NewP2PKH(bytes.Repeat([]byte{2}, 20), p).String())
	}
	f.Add("rg1")
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range chaincfg.Networks {
			a, err := Decode(s, p)
			if err != nil {
				continue
			}
			// An accepted address re-encodes to a string that decodes to the
			// same script (bech32 is case-insensitive, so compare scripts).
			back, err := Decode(a.String(), p)
			if err != nil || !bytes.Equal(back.PkScript(), a.PkScript()) {
				t.Fatalf("%q on %s: round trip %v", s, p.Name, err)
			}
		}
	})
}
