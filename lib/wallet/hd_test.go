package wallet

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
)

func TestParsePath(t *testing.T) {
	h := uint32(HardenedKeyStart)
	for _, c := range []struct {
		in   string
		want []uint32
		out  string
	}{
		{"m", []uint32{}, "m"},
		{"m/0", []uint32{0}, "m/0"},
		{"m/44'/2018'/0'/0/5", []uint32{44 + h, 2018 + h, h, 0, 5}, "m/44'/2018'/0'/0/5"},
		{"m/1h/2H", []uint32{1 + h, 2 + h}, "m/1'/2'"},
		{"m/2147483647'", []uint32{2147483647 + h}, "m/2147483647'"},
		{"m/2147483647", []uint32{2147483647}, "m/2147483647"},
	} {
		got, err := ParsePath(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParsePath(%q) = %v, %v; want %v", c.in, got, err, c.want)
			continue
		}
		if s := FormatPath(got); s != c.out {
			t.Errorf("FormatPath(%v) = %q, want %q", got, s, c.out)
		}
	}
}

func TestParsePathErrors(t *testing.T) {
	for _, in := range []string{"", "M/0", "0/1", "m/", "m//1", "m/-1", "m/+1", "m/01", "m/2147483648",
		"m/4294967296", "m/1''", "m/x", "m/1'/", "m/'", "n/1"} {
		if _, err := ParsePath(in); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("ParsePath(%q) = %v, want ErrInvalidArgument", in, err)
		}
	}
}

func TestHDParams(t *testing.T) {
	seed := make([]byte, 32)
	for _, p := range chaincfg.Networks {
		m, err := NewMaster(seed, p)
		if err != nil {
			t.Fatal(err)
		}
		hp := HDParams(p)
		if !m.IsForNet(hp) || hp.HDCoinType != p.HDCoinType || hp.HDPrivateKeyID != p.HDPrivateKeyID {
			t.Errorf("%s: adapter does not carry the network's HD parameters", p.Name)
		}
		if p == chaincfg.MainNetParams && !strings.HasPrefix(m.String(), "xprv") {
			t.Errorf("main master key %s does not start with xprv", m)
		}
	}
	if _, err := NewMaster(make([]byte, 15), regtest); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("NewMaster(15-byte seed) = %v, want ErrInvalidArgument", err)
	}
	if _, err := NewMaster(make([]byte, 65), regtest); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("NewMaster(65-byte seed) = %v, want ErrInvalidArgument", err)
	}
}
