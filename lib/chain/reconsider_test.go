package chain

import (
	"errors"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// TestReconsiderBlock: invalidateblock on a block below the tip, then
// reconsiderblock on it, brings the whole branch back (the UTXO set as
// before, the disconnected blocks reconnected in order), and the cleared
// marks survive a restart; reconsidering an unknown block is an error and
// a valid block a no-op. An equal-work side branch that won meanwhile is
// left for the branch with more work.
func TestReconsiderBlock(t *testing.T) {
	g := newBlockGen()
	dir := t.TempDir()
	tc := openChainAt(t, dir)
	base := matureBase(g)
	tc.mustAccept(t, base...)
	cb := cbOut(base[0])
	b102 := g.next(base[len(base)-1], []*wire.MsgTx{spend([]spendOut{cb}, nil, 1000)}, cb.amount-1000)
	b103 := g.next(b102, nil, 0)
	b104 := g.next(b103, nil, 0)
	tc.mustAccept(t, b102, b103, b104)
	tip := tc.Best()
	want, _ := tc.utxoHash(t)

	if err := tc.InvalidateBlock(b103.BlockHash()); err != nil {
		t.Fatal(err)
	}
	if tc.Best().Height != 102 {
		t.Fatalf("after invalidating 103: height %d", tc.Best().Height)
	}
	var notes []*Notification
	tc.Subscribe(func(n *Notification) { notes = append(notes, n) })
	if err := tc.ReconsiderBlock(b104.BlockHash()); err != nil {
		t.Fatal(err)
	}
	if b := tc.Best(); b.Hash != tip.Hash || b.Height != tip.Height {
		t.Fatalf("after reconsider: tip %v at %d, want %v at %d", b.Hash, b.Height, tip.Hash, tip.Height)
	}
	if got, _ := tc.utxoHash(t); got != want {
		t.Fatal("UTXO set after reconsider differs from before invalidate")
	}
	var connected []chainhash.Hash
	for _, n := range notes {
		if n.Type == NTBlockConnected {
			connected = append(connected, n.Hash)
		}
	}
	if len(connected) != 2 || connected[0] != b103.BlockHash() || connected[1] != b104.BlockHash() {
		t.Fatalf("connected notifications %v, want 103 then 104", connected)
	}
	if err := tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}
	if err := tc.ReconsiderBlock(b104.BlockHash()); err != nil {
		t.Fatalf("reconsidering a valid block: %v", err)
	}
	var unknown chainhash.Hash
	unknown[0] = 1
	if err := tc.ReconsiderBlock(unknown); !errors.Is(err, ErrBlockNotFound) {
		t.Fatalf("unknown block: %v, want ErrBlockNotFound", err)
	}

	// The marks are cleared on disk too: invalidate, reconsider, restart.
	if err := tc.InvalidateBlock(b103.BlockHash()); err != nil {
		t.Fatal(err)
	}
	if err := tc.ReconsiderBlock(b103.BlockHash()); err != nil {
		t.Fatal(err)
	}
	tc.close()
	tc = openChainAt(t, dir)
	if b := tc.Best(); b.Hash != tip.Hash {
		t.Fatalf("after restart: tip at %d", b.Height)
	}
	if _, _, err := tc.ProcessBlock(b104, BFNone); errors.Is(err, ErrKnownInvalid) {
		t.Fatal("a reconsidered block is still known invalid after restart")
	}
}
