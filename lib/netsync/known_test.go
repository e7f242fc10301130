package netsync

import (
	"encoding/binary"
	"runtime"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
)

func hashOf(i int) chainhash.Hash {
	var h chainhash.Hash
	binary.LittleEndian.PutUint64(h[:], uint64(i)+1)
	return h
}

func newTestPeerState() *peerState {
	return &peerState{known: knownFilter{k0: 0x0123456789abcdef, k1: 0xfedcba9876543210}}
}

// TestKnownInvBounded: a peer's known inventory always holds the
// knownRecent most recent hashes (no false negatives), forgets hashes
// older than twice that, and a hash known again is not counted twice.
func TestKnownInvBounded(t *testing.T) {
	s := newTestPeerState()
	const total = 5 * knownRecent
	for i := range total {
		s.know(hashOf(i))
		s.know(hashOf(i)) // again: no second insertion
		if i >= knownRecent && i%997 == 0 {
			for j := i - knownRecent + 1; j <= i; j += 7 {
				if !s.knows(hashOf(j)) {
					t.Fatalf("after %d insertions hash %d forgotten: the %d most recent must stay", i+1, j, knownRecent)
				}
			}
		}
	}
	if n := s.known.count(); n < knownRecent || n > 2*knownRecent {
		t.Fatalf("%d hashes held, want %d to %d", n, knownRecent, 2*knownRecent)
	}
	still := 0
	for i := range total - 2*knownRecent {
		if s.knows(hashOf(i)) {
			still++
		}
	}
	if still > 1 {
		t.Fatalf("%d of the %d oldest hashes still known: the oldest must go", still, total-2*knownRecent)
	}
}

// TestKnownInvFalsePositives: hashes never added are known at a rate far
// below what would matter for relay (a false positive skips one
// announcement to one peer, which hears of the transaction from its
// other peers): at most 5 in 400,000 with the filter full, against
// about 1 expected (2^-20 per generation).
func TestKnownInvFalsePositives(t *testing.T) {
	s := newTestPeerState()
	for i := range 2 * knownRecent {
		s.know(hashOf(i))
	}
	fp := 0
	for i := range 400_000 {
		if s.knows(hashOf(1_000_000 + i)) {
			fp++
		}
	}
	if fp > 5 {
		t.Fatalf("%d false positives in 400000 lookups", fp)
	}
	// A different key gives different false positives (the filter is
	// salted per node: nobody can make a transaction look known to
	// every node).
	a, b := newTestPeerState(), newTestPeerState()
	b.known.k0 ^= 1
	for i := range 64 {
		a.know(hashOf(i))
		b.know(hashOf(i))
	}
	if a.known.gens[0].bits[0] == b.known.gens[0].bits[0] && a.known.gens[0].bits[1] == b.known.gens[0].bits[1] {
		t.Fatal("two keys set the same bits")
	}
}

// TestKnownInvMemory: a peer's known inventory costs a bounded memory
// however much it is told (it used to cost about 2 MB a peer at its cap
// of 20,000 hashes: a map and a ring of whole hashes), and little for a
// peer that is told little.
func TestKnownInvMemory(t *testing.T) {
	const peers = 8
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	states := make([]*peerState, peers)
	for p := range states {
		states[p] = newTestPeerState()
		for i := range 4 * knownRecent {
			states[p].know(hashOf(p*10_000_000 + i))
		}
	}
	after := heap()
	per := (int64(after) - int64(before)) / peers
	runtime.KeepAlive(states)
	if bound := int64(knownMaxBytes + 16<<10); per > bound { // (the heap rounds large arrays up to pages)
		t.Fatalf("%d bytes of heap per peer after %d hashes, want at most %d", per, 4*knownRecent, bound)
	}
	small := newTestPeerState()
	for i := range 10 {
		small.know(hashOf(i))
	}
	if b := small.known.bytes(); b > 1024 {
		t.Fatalf("%d bytes for 10 hashes, want at most 1024", b)
	}
	t.Logf("%d bytes of heap per full peer (bound %d)", per, knownMaxBytes)
}

// TestKnowAtCapAllocs: an insertion into a full known set costs no
// allocation (a dropped generation's bits are reused).
func TestKnowAtCapAllocs(t *testing.T) {
	s := newTestPeerState()
	for i := range 4 * knownRecent {
		s.know(hashOf(i))
	}
	i := 4 * knownRecent
	allocs := testing.AllocsPerRun(3*knownRecent, func() {
		s.know(hashOf(i))
		i++
	})
	if allocs > 0 {
		t.Fatalf("%.4f allocations per insertion at the cap, want none", allocs)
	}
}

// BenchmarkKnowAtCap: one insertion into a full known set.
func BenchmarkKnowAtCap(b *testing.B) {
	s := newTestPeerState()
	for i := range 4 * knownRecent {
		s.know(hashOf(i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.know(hashOf(4*knownRecent + i))
	}
}

// count is the number of hashes held.
func (f *knownFilter) count() int {
	n := 0
	for _, g := range f.gens {
		n += g.n
	}
	return n
}

// bytes is the filter's bit arrays' size.
func (f *knownFilter) bytes() int {
	n := 0
	for _, g := range f.gens {
		n += 8 * len(g.bits)
	}
	if f.spare != nil {
		n += 8 * len(f.spare.bits)
	}
	return n
}
