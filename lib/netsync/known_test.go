package netsync

import (
	"encoding/binary"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
)

func hashOf(i int) chainhash.Hash {
	var h chainhash.Hash
	binary.LittleEndian.PutUint64(h[:], uint64(i)+1)
	return h
}

func newTestPeerState() *peerState {
	return &peerState{knownInv: make(map[chainhash.Hash]struct{})}
}

// TestKnownInvBounded: a peer's known inventory holds the knownCap most
// recent hashes, forgets the oldest first, and a hash known again is not
// counted twice.
func TestKnownInvBounded(t *testing.T) {
	s := newTestPeerState()
	const extra = 1234
	for i := range knownCap + extra {
		s.know(hashOf(i))
		s.know(hashOf(i)) // again: no second slot
	}
	if n := len(s.knownInv); n != knownCap {
		t.Fatalf("%d hashes known, want the cap %d", n, knownCap)
	}
	for i := range extra {
		if s.knows(hashOf(i)) {
			t.Fatalf("hash %d still known: the oldest must go first", i)
		}
	}
	for i := extra; i < knownCap+extra; i++ {
		if !s.knows(hashOf(i)) {
			t.Fatalf("hash %d forgotten: the %d most recent must stay", i, knownCap)
		}
	}
	// Re-knowing a hash does not refresh it: it goes when its turn comes.
	s.know(hashOf(extra))
	s.know(hashOf(knownCap + extra))
	if s.knows(hashOf(extra)) {
		t.Fatal("the oldest hash survived an insertion at the cap")
	}
	if !s.knows(hashOf(extra+1)) || !s.knows(hashOf(knownCap+extra)) {
		t.Fatal("wrong hash evicted")
	}
}

// TestKnowAtCapAllocs: an insertion into a full known set costs no
// allocation (it used to copy the whole 20,000-entry list).
func TestKnowAtCapAllocs(t *testing.T) {
	s := newTestPeerState()
	for i := range knownCap {
		s.know(hashOf(i))
	}
	i := knownCap
	allocs := testing.AllocsPerRun(1000, func() {
		s.know(hashOf(i))
		i++
	})
	if allocs >= 0.5 {
		t.Fatalf("%.2f allocations per insertion at the cap, want none", allocs)
	}
}

// BenchmarkKnowAtCap: one insertion into a full known set (constant
// time: one map delete, one insert, one slot overwritten).
func BenchmarkKnowAtCap(b *testing.B) {
	s := newTestPeerState()
	for i := range knownCap {
		s.know(hashOf(i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.know(hashOf(knownCap + i))
	}
}
