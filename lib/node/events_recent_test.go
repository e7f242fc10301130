package node

import (
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/rpc"
)

// TestFeedRecentBound: the events remembered for reorgs are bounded by
// count as well as by blocks; the newest block's are kept whatever their
// number, and forgetting a block gives its events back and uncounts them.
func TestFeedRecentBound(t *testing.T) {
	f := &eventFeed{recent: map[chainhash.Hash][]*rpc.HubEvent{}}
	block := func(i, n int) (chainhash.Hash, []*rpc.HubEvent) {
		evs := make([]*rpc.HubEvent, n)
		for k := range evs {
			evs[k] = &rpc.HubEvent{}
		}
		return chainhash.HashH([]byte{byte(i), byte(i >> 8)}), evs
	}
	var hashes []chainhash.Hash
	for i := range 30 {
		h, evs := block(i, 2_000)
		hashes = append(hashes, h)
		f.remember(h, evs)
		if f.recentEvents > maxRecentEvents {
			t.Fatalf("after block %d: %d events remembered, bound %d", i, f.recentEvents, maxRecentEvents)
		}
	}
	if len(f.order) != maxRecentEvents/2_000 {
		t.Fatalf("%d blocks remembered, want %d", len(f.order), maxRecentEvents/2_000)
	}
	if evs := f.forget(hashes[0]); evs != nil {
		t.Fatal("the oldest block's events were kept")
	}
	if evs := f.forget(hashes[29]); len(evs) != 2_000 || f.recentEvents != maxRecentEvents-2_000 {
		t.Fatalf("forget the newest: %d events back, %d counted", len(evs), f.recentEvents)
	}
	big, evs := block(100, maxRecentEvents+5)
	f.remember(big, evs)
	if len(f.order) != 1 || f.recentEvents != maxRecentEvents+5 {
		t.Fatalf("a block bigger than the bound: %d blocks, %d events; want it alone", len(f.order), f.recentEvents)
	}
	for i := range recentBlocks + 5 {
		h, evs := block(200+i, 1)
		f.remember(h, evs)
	}
	if len(f.order) != recentBlocks {
		t.Fatalf("%d small blocks remembered, bound %d", len(f.order), recentBlocks)
	}
}
