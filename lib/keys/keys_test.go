package keys

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcutil/base58"

	"github.com/gamegold/gg/lib/chaincfg"
)

func TestWIFRoundTrip(t *testing.T) {
	priv, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range chaincfg.Networks {
		for _, comp := range []bool{true, false} {
			s := EncodeWIF(priv, comp, p)
			got, c, err := DecodeWIF(s, p)
			if err != nil || c != comp || !bytes.Equal(got.Serialize(), priv.Serialize()) {
				t.Fatalf("%s comp=%v: %v", p.Name, comp, err)
			}
		}
	}
}

func TestDecodeWIFErrors(t *testing.T) {
	priv, _ := Generate()
	mainWIF := EncodeWIF(priv, true, chaincfg.MainNetParams)
	zero := base58.CheckEncode(append(make([]byte, 32), 1), chaincfg.MainNetParams.PrivateKeyID)
	over := base58.CheckEncode(append(bytes.Repeat([]byte{0xff}, 32), 1), chaincfg.MainNetParams.PrivateKeyID)
	short := base58.CheckEncode(make([]byte, 31), chaincfg.MainNetParams.PrivateKeyID)
	cases := []struct {
		name, s string
		want    error
	}{
		{"wrong network", mainWIF, ErrWrongNetwork},
		{"bad checksum", mainWIF[:len(mainWIF)-1] + "1", ErrBadWIF},
		{"zero key", zero, ErrKeyOutOfRange},
		{"key >= n", over, ErrKeyOutOfRange},
		{"short payload", short, ErrBadWIF},
	}
	for _, c := range cases {
		p := chaincfg.MainNetParams
		if c.name == "wrong network" {
			p = chaincfg.RegTestParams
		}
		if _, _, err := DecodeWIF(c.s, p); !errors.Is(err, c.want) {
			t.Errorf("%s: err %v, want %v", c.name, err, c.want)
		}
	}
}

func TestHash160(t *testing.T) {
	// hash160 of the empty string is a well-known constant.
	if got := hex.EncodeToString(Hash160(nil)); got != "b472a266d0bd89c13706a4132ccfb16f7c3b9fcb" {
		t.Fatalf("hash160('') = %s", got)
	}
}

func FuzzDecodeWIF(f *testing.F) {
	priv, _ := Generate()
	f.Add(EncodeWIF(priv, true, chaincfg.RegTestParams))
	f.Add(EncodeWIF(priv, false, chaincfg.MainNetParams))
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range chaincfg.Networks {
			k, comp, err := DecodeWIF(s, p)
			if err != nil {
				continue
			}
			if EncodeWIF(k, comp, p) != s {
				t.Fatalf("%q accepted but re-encodes differently", s)
			}
		}
	})
}
