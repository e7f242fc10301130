package wallet

import (
	"bytes"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/script"
)

// waitAhead waits until no derivation runs.
func waitAhead(c *aheadCache) { c.wg.Wait() }

func testBranchKey(t *testing.T) *hdkeychain.ExtendedKey {
	t.Helper()
	seed := bytes.Repeat([]byte{7}, 32)
	m, err := NewMaster(seed, chaincfg.RegTestParams)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := m.Neuter()
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// TestAheadCache checks the cache hands out exactly the keys a direct
// derivation gives, drops what the horizon passed, and starts over when
// the horizon moves back (a rolled-back update) or past what is ready.
func TestAheadCache(t *testing.T) {
	bk := testBranchKey(t)
	want := func(i uint32) []byte {
		p, err := childPub(bk, i)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	var c aheadCache
	if _, ok := c.take(bk, 0); ok {
		t.Fatal("take from an empty cache")
	}
	c.refill(bk, 5)
	waitAhead(&c)
	for i := uint32(5); i < 5+aheadHigh/2; i++ {
		got, ok := c.take(bk, i)
		if !ok || !bytes.Equal(got, want(i)) {
			t.Fatalf("take %d = %x %v, want %x", i, got, ok, want(i))
		}
	}
	// Skipping ahead within what is ready drops the keys in between.
	i := uint32(5 + aheadHigh/2 + 3)
	if got, ok := c.take(bk, i); !ok || !bytes.Equal(got, want(i)) {
		t.Fatalf("take %d after a skip = %x %v", i, got, ok)
	}
	if _, ok := c.take(bk, i-1); ok {
		t.Fatal("a key behind the horizon was still held")
	}
	// Behind: a rolled-back horizon starts over there.
	c.refill(bk, 2)
	waitAhead(&c)
	for i := uint32(2); i < 2+aheadLow; i++ {
		if got, ok := c.take(bk, i); !ok || !bytes.Equal(got, want(i)) {
			t.Fatalf("take %d after moving back = %x %v", i, got, ok)
		}
	}
	// Past what is ready: a miss, then a refill from there.
	if _, ok := c.take(bk, 1000); ok {
		t.Fatal("take far past the ready keys")
	}
	c.refill(bk, 1001)
	waitAhead(&c)
	if got, ok := c.take(bk, 1001); !ok || !bytes.Equal(got, want(1001)) {
		t.Fatalf("take 1001 = %x %v", got, ok)
	}
	// The end of the non-hardened range is respected.
	c.refill(bk, hdkeychain.HardenedKeyStart-2)
	waitAhead(&c)
	c.mu.Lock()
	ab := c.branches[bk]
	if n := len(ab.pubs); n != 2 {
		t.Errorf("%d keys ready at the end of the range, want 2", n)
	}
	c.mu.Unlock()
	c.close()
	c.refill(bk, 0)
	if _, ok := c.take(bk, 0); ok {
		t.Error("take after close")
	}
}

// TestAheadAddresses hands out many receive and change addresses (the
// background derivation serving most of them) and checks each against
// a derivation from the account's extended public key.
func TestAheadAddresses(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	info, err := w.Account("")
	if err != nil {
		t.Fatal(err)
	}
	acct, err := hdkeychain.NewKeyFromString(info.Xpub)
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	for i := range uint32(150) {
		for _, change := range []bool{false, true} {
			branch := uint32(BranchReceive)
			if change {
				branch = uint32(BranchChange)
			}
			bk, err := acct.Derive(branch)
			if err != nil {
				t.Fatal(err)
			}
			child, err := bk.Derive(i)
			if err != nil {
				t.Fatal(err)
			}
			pub, err := child.ECPubKey()
			if err != nil {
				t.Fatal(err)
			}
			a, err := w.NewAddress("", change)
			if err != nil {
				t.Fatal(err)
			}
			if want := script.PayToWitnessPubKeyHash(keys.Hash160(pub.SerializeCompressed())); !bytes.Equal(a.PkScript(), want) {
				t.Fatalf("address %d/%d = %x, want %x", branch, i, a.PkScript(), want)
			}
		}
		if i%16 == 15 {
			waitAhead(&w.ahead) // let the background catch up, so it serves some
		}
		w.ahead.mu.Lock()
		for _, ab := range w.ahead.branches {
			hits += len(ab.pubs)
		}
		w.ahead.mu.Unlock()
	}
	if hits == 0 {
		t.Error("the background derivation never had a key ready")
	}
}
