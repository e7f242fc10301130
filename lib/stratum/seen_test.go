package stratum

import "testing"

// TestJobSeenBound: a job remembers at most maxSeenPerJob accepted
// shares; past it new shares are refused as duplicates, and a repeat is
// refused as before.
func TestJobSeenBound(t *testing.T) {
	j := &job{seen: map[shareKey]struct{}{}}
	for i := range maxSeenPerJob {
		if !j.firstSeen(shareKey{nonce: uint32(i)}) {
			t.Fatalf("share %d refused below the bound", i)
		}
	}
	if j.firstSeen(shareKey{nonce: maxSeenPerJob}) {
		t.Fatal("a share past the bound was remembered")
	}
	if len(j.seen) != maxSeenPerJob {
		t.Fatalf("%d shares remembered, bound %d", len(j.seen), maxSeenPerJob)
	}
	if j.firstSeen(shareKey{nonce: 7}) || !j.wasSeen(shareKey{nonce: 7}) {
		t.Fatal("a repeated share was not refused")
	}
}
