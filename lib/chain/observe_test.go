package chain

import (
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/game"
)

// TestConnectObserver checks Config.ConnectObserver hears every commit
// that joins blocks to the active chain, with the number joined: one per
// block extending the tip, the whole branch at once on a reorganisation,
// and nothing for a block kept on a side chain or an invalidation that
// only disconnects.
func TestConnectObserver(t *testing.T) {
	var calls []int
	tc := openChain(t, func(cfg *Config) {
		cfg.ConnectObserver = func(blocks int, d time.Duration) {
			if d <= 0 {
				t.Errorf("connect of %d blocks took %v", blocks, d)
			}
			calls = append(calls, blocks)
		}
	})
	g := newBlockGen()
	genesis := g.blocks[tc.params.GenesisHash]
	main := g.chainOf(genesis, 2)
	tc.mustAccept(t, main...)
	if len(calls) != 2 || calls[0] != 1 || calls[1] != 1 {
		t.Fatalf("after two blocks on the tip: calls %v, want [1 1]", calls)
	}
	side := g.chainOf(genesis, 3)
	tc.mustAccept(t, side[:2]...) // as much work as the tip: no reorganisation
	if len(calls) != 2 {
		t.Fatalf("side-chain blocks observed as connected: calls %v", calls)
	}
	tc.mustAccept(t, side[2]) // more work: the three side blocks join at once
	if len(calls) != 3 || calls[2] != 3 {
		t.Fatalf("after the reorganisation: calls %v, want [1 1 3]", calls)
	}
	if err := tc.InvalidateBlock(side[2].BlockHash()); err != nil {
		t.Fatal(err)
	}
	// The old branch (two blocks) has as much work as what is left: the
	// tip only steps back, or the old branch returns; either way no call
	// may claim more blocks than joined.
	for _, n := range calls[3:] {
		if n != 2 {
			t.Fatalf("after invalidateblock: calls %v", calls)
		}
	}
}

// TestRegistryCounts counts producers, live props, every prop and
// contracts, and follows a block connecting and disconnecting.
func TestRegistryCounts(t *testing.T) {
	e := newContractEnv(t)
	want := func(step string, w RegistryCounts) {
		t.Helper()
		got, err := e.tc.RegistryCounts()
		if err != nil || got != w {
			t.Fatalf("%s: RegistryCounts = %+v, %v; want %+v", step, got, err, w)
		}
	}
	// One producer; three props, one of them B's.
	want("set up", RegistryCounts{Producers: 1, LiveProps: 3, Props: 3})
	aCoin := e.fund(e.a, 200_000)
	tm := e.terms(50_000, e.pa[:1], 0, []game.ID{e.pb}, true, e.height()+20)
	e.mine(e.fulfilTx(tm, aCoin, e.paOut[:1], []chaingen.SpendableOut{e.pbOut}, nil))
	// The fulfilment escrows A's prop (no longer live) and records the
	// contract.
	want("fulfilled", RegistryCounts{Producers: 1, LiveProps: 2, Props: 3, Contracts: 1})
	e.tc.disconnectTip(t)
	want("disconnected", RegistryCounts{Producers: 1, LiveProps: 3, Props: 3})
}
