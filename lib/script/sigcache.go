package script

import (
	"crypto/sha256"
	"sync"
)

// SigCache remembers signature checks that succeeded, so a transaction
// verified on entry to the mempool is not verified again when its block
// connects. Entries are the SHA-256 of sighash || len(signature) (2 bytes) ||
// signature || public key (the length byte makes the split between
// signature and key unambiguous); only valid triples are stored, so a hit proves validity and a miss
// proves nothing. The cache holds at most maxEntries entries and evicts an
// arbitrary entry when full. It is safe for concurrent use; a nil *SigCache
// is a valid, always-empty cache.
type SigCache struct {
	mu         sync.RWMutex
	entries    map[[32]byte]struct{}
	maxEntries int
}

// NewSigCache returns a cache bounded to maxEntries entries. A size of 0 or
// less gives a cache that stores nothing.
func NewSigCache(maxEntries int) *SigCache {
	if maxEntries < 0 {
		maxEntries = 0
	}
	return &SigCache{entries: make(map[[32]byte]struct{}, min(maxEntries, 1<<16)), maxEntries: maxEntries}
}

// Len returns the number of cached entries.
func (c *SigCache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// stores reports whether the cache keeps entries (not nil, not sized 0).
func (c *SigCache) stores() bool { return c != nil && c.maxEntries > 0 }

func sigCacheKey(sigHash, sig, pubKey []byte) [32]byte {
	var buf [200]byte
	if n := len(sigHash) + 2 + len(sig) + len(pubKey); n <= len(buf) {
		b := append(buf[:0], sigHash...)
		b = append(b, byte(len(sig)), byte(len(sig)>>8))
		b = append(b, sig...)
		return sha256.Sum256(append(b, pubKey...))
	}
	h := sha256.New()
	h.Write(sigHash)
	h.Write([]byte{byte(len(sig)), byte(len(sig) >> 8)})
	h.Write(sig)
	h.Write(pubKey)
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (c *SigCache) contains(k *[32]byte) bool {
	if c == nil {
		return false
	}
	c.mu.RLock()
	_, ok := c.entries[*k]
	c.mu.RUnlock()
	return ok
}

func (c *SigCache) add(k *[32]byte) {
	if c == nil || c.maxEntries == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[*k]; ok {
		return
	}
	if len(c.entries) >= c.maxEntries {
		// Go randomises map iteration, so the first key met is an
		// arbitrary victim.
		for victim := range c.entries {
			delete(c.entries, victim)
			break
		}
	}
	c.entries[*k] = struct{}{}
}
