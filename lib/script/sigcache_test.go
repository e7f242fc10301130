package script

import (
	"fmt"
	"sync"
	"testing"
)

func TestSigCacheBounded(t *testing.T) {
	c := NewSigCache(10)
	for i := range 100 {
		k := sigCacheKey([]byte{byte(i)}, []byte("sig"), []byte("pk"))
		c.add(&k)
		if c.Len() > 10 {
			t.Fatalf("cache grew to %d", c.Len())
		}
	}
	if c.Len() != 10 {
		t.Fatalf("Len = %d, want 10", c.Len())
	}
	k := sigCacheKey([]byte{99}, []byte("sig"), []byte("pk"))
	if !c.contains(&k) {
		t.Error("most recent entry evicted")
	}
	// Re-adding an entry does not evict.
	c.add(&k)
	if c.Len() != 10 {
		t.Errorf("Len after re-add = %d", c.Len())
	}
}

func TestSigCacheDegenerate(t *testing.T) {
	var nilCache *SigCache
	k := sigCacheKey(nil, nil, nil)
	nilCache.add(&k)
	if nilCache.contains(&k) || nilCache.Len() != 0 {
		t.Error("nil cache stored an entry")
	}
	for _, n := range []int{0, -5} {
		c := NewSigCache(n)
		c.add(&k)
		if c.Len() != 0 || c.contains(&k) {
			t.Errorf("NewSigCache(%d) stored an entry", n)
		}
	}
	// The signature length is part of the key: moving a byte from the
	// signature to the key gives a different entry.
	a := sigCacheKey([]byte("h"), []byte("ab"), []byte("c"))
	b := sigCacheKey([]byte("h"), []byte("a"), []byte("bc"))
	if a == b {
		t.Error("ambiguous cache key")
	}
}

// Only valid signatures enter the cache; a hit replaces verification.
func TestSigCacheVerify(t *testing.T) {
	k := newTestKeys()
	_, pk := k.key(1, true)
	tx := spendTx(1)
	pkScript := PayToWitnessPubKeyHash(Hash160(pk))
	if ok, err := SignInput(tx, 0, pkScript, 1000, SigHashAll, k, nil, nil); !ok || err != nil {
		t.Fatal(ok, err)
	}
	c := NewSigCache(100)
	if err := VerifyInput(tx, 0, pkScript, 999, StandardFlags, c, nil); err == nil {
		t.Fatal("wrong amount verified")
	}
	if c.Len() != 0 {
		t.Fatal("invalid signature cached")
	}
	for range 2 {
		if err := VerifyInput(tx, 0, pkScript, 1000, StandardFlags, c, nil); err != nil {
			t.Fatal(err)
		}
		if c.Len() != 1 {
			t.Fatalf("Len = %d, want 1", c.Len())
		}
	}
}

func TestSigCacheConcurrent(t *testing.T) {
	k := newTestKeys()
	_, pk := k.key(1, true)
	tx := spendTx(4)
	pkScript := PayToWitnessPubKeyHash(Hash160(pk))
	hashes := NewSigHashes(tx)
	for i := range tx.TxIn {
		if ok, err := SignInput(tx, i, pkScript, 1000, SigHashAll, k, nil, hashes); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	c := NewSigCache(3)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				i := (g + j) % len(tx.TxIn)
				if err := VerifyInput(tx, i, pkScript, 1000, StandardFlags, c, hashes); err != nil {
					errs <- fmt.Errorf("input %d: %w", i, err)
					return
				}
				kk := sigCacheKey([]byte{byte(g), byte(j)}, nil, nil)
				c.add(&kk)
				_ = c.Len()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if c.Len() > 3 {
		t.Errorf("Len = %d exceeds bound", c.Len())
	}
}
