package chainhash

import (
	"encoding/hex"
	"testing"
)

func TestHashString(t *testing.T) {
	// Bitcoin's genesis block hash: internal order ends with the zeros.
	const disp = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
	h, err := NewHashFromStr(disp)
	if err != nil {
		t.Fatal(err)
	}
	if h[31] != 0 || h[0] != 0x6f {
		t.Fatalf("internal order wrong: %x", h[:])
	}
	if h.String() != disp {
		t.Fatalf("round trip: %s", h)
	}
	var u Hash
	if err := u.UnmarshalText([]byte(disp)); err != nil || u != h {
		t.Fatalf("UnmarshalText: %v %s", err, u)
	}
}

func TestHashErrors(t *testing.T) {
	for _, s := range []string{"", "00", "zz" + disp62()} {
		if _, err := NewHashFromStr(s); err == nil {
			t.Errorf("NewHashFromStr(%q) accepted", s)
		}
	}
	if _, err := NewHash(make([]byte, 31)); err == nil {
		t.Error("NewHash accepted 31 bytes")
	}
}

func disp62() string { return hex.EncodeToString(make([]byte, 31)) }

func TestDoubleHash(t *testing.T) {
	// sha256d("") is well known.
	want := "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456"
	if got := hex.EncodeToString(DoubleHashB(nil)); got != want {
		t.Fatalf("sha256d empty = %s", got)
	}
}
