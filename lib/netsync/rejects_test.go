package netsync

import (
	"testing"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/wire"
)

// noBlocks stands in for block validation where a test needs none.
func noBlocks(*wire.MsgBlock, chain.BehaviorFlags) (bool, bool, error) { return false, false, nil }

// TestRejectsBounded: the rejected transaction ids kept between blocks
// are bounded (a peer's rejected transactions, exempt from the message
// rate, used to grow them until the next block); the most recent ones
// are still known.
func TestRejectsBounded(t *testing.T) {
	m := New(Config{ProcessBlock: noBlocks})
	const n = 3 * maxRejects
	for i := range n {
		m.reject(hashOf(i))
	}
	known := 0
	for i := range n {
		if m.rejected(hashOf(i)) {
			known++
		}
	}
	if known > maxRejects {
		t.Fatalf("%d rejections remembered, want at most %d", known, maxRejects)
	}
	for i := n - maxRejects/2; i < n; i++ {
		if !m.rejected(hashOf(i)) {
			t.Fatalf("rejection %d of %d forgotten: the last %d must stay", i, n, maxRejects/2)
		}
	}
	if m.rejected(hashOf(0)) {
		t.Fatal("the oldest rejection is still remembered")
	}
}
