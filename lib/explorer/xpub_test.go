package explorer

import (
	"fmt"
	"testing"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/wallet/seed"
)

// TestXpubCache: the cached addresses are the derived ones, in order,
// whatever order they are asked in, and the cache holds at most
// xpubCacheKeys xpubs (the oldest dropped).
func TestXpubCache(t *testing.T) {
	const xpub = "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw"
	params := chaincfg.MainNetParams
	k, err := seed.ParseExtPubKey(xpub, params)
	if err != nil {
		t.Fatal(err)
	}
	var c xpubCache
	for _, n := range []int{5, 0, 3, 7} {
		for branch := range 2 {
			i, got, err := c.address(k, xpub, branch, n, params)
			if err != nil {
				t.Fatal(err)
			}
			bk, _ := k.Child(uint32(branch))
			ch, err := bk.Child(uint32(n))
			if err != nil {
				t.Fatal(err) // no invalid child among the first few
			}
			want := address.NewP2WPKH(keys.Hash160(ch.PubKey()), params).String()
			if i != uint32(n) || got != want {
				t.Errorf("branch %d child %d: %d %s, want %d %s", branch, n, i, got, n, want)
			}
		}
	}
	if l := len(c.m[xpub].addr[0]); l != 8 {
		t.Errorf("derived %d receive addresses, want 8", l)
	}
	// Other keys (the same key under other strings stand in for them).
	for j := range xpubCacheKeys {
		if _, _, err := c.address(k, fmt.Sprint("other", j), 0, 0, params); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.m) != xpubCacheKeys || len(c.order) != xpubCacheKeys {
		t.Errorf("the cache holds %d (%d in order), want %d", len(c.m), len(c.order), xpubCacheKeys)
	}
	if c.m[xpub] != nil {
		t.Error("the oldest xpub was not dropped")
	}
}
