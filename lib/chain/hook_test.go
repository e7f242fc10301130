package chain

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// recordingHook is a tiny game layer: it keeps a per-height record in its
// own bucket, tags each coinbase output with the block height, and refuses
// the block it is told to reject.
type recordingHook struct {
	calls  []string
	reject chainhash.Hash
	ioFail chainhash.Hash // CheckBlock fails with a non-rule error for this block
}

var hookBucket = []byte("game-test")

func (h *recordingHook) CheckBlock(tx *store.Tx, blk *wire.MsgBlock, height int32, view *UtxoViewpoint) error {
	if blk.BlockHash() == h.reject {
		return fmt.Errorf("producer name taken: %w", ErrGameRule)
	}
	if blk.BlockHash() == h.ioFail {
		return errors.New("registry read: input/output error")
	}
	return nil
}

func (h *recordingHook) ConnectBlock(tx *store.Tx, blk *wire.MsgBlock, height int32, view *UtxoViewpoint) ([]byte, error) {
	b, err := tx.CreateBucketIfNotExists(hookBucket)
	if err != nil {
		return nil, err
	}
	hash := blk.BlockHash()
	if err := b.Put(heightKey(height), hash[:]); err != nil {
		return nil, err
	}
	cb := blk.Transactions[0]
	if e := view.LookupEntry(wire.OutPoint{Hash: cb.TxHash()}); e != nil {
		e.Game = []byte{byte(height)}
	}
	h.calls = append(h.calls, "connect")
	return append([]byte("undo:"), hash[:]...), nil
}

func (h *recordingHook) DisconnectBlock(tx *store.Tx, blk *wire.MsgBlock, height int32, undo []byte) error {
	hash := blk.BlockHash()
	if !bytes.Equal(undo, append([]byte("undo:"), hash[:]...)) {
		return errors.New("wrong undo bytes")
	}
	h.calls = append(h.calls, "disconnect")
	return tx.Bucket(hookBucket).Delete(heightKey(height))
}

func TestGameHook(t *testing.T) {
	g := newBlockGen()
	hook := &recordingHook{}
	tc := openChain(t, func(c *Config) { c.GameHook = hook })
	blks := g.chainOf(g.params.GenesisBlock, 3)
	tc.mustAccept(t, blks...)
	e, err := tc.FetchUtxoEntry(wire.OutPoint{Hash: blks[2].Transactions[0].TxHash()})
	if err != nil || e == nil || !bytes.Equal(e.Game, []byte{3}) {
		t.Fatalf("game annotation not persisted: %+v %v", e, err)
	}
	// A reorg hands the undo bytes back.
	side := g.chainOf(blks[0], 3)
	tc.mustAccept(t, side...)
	want := []string{"connect", "connect", "connect", "disconnect", "disconnect", "connect", "connect", "connect"}
	if len(hook.calls) != len(want) {
		t.Fatalf("calls = %v, want %v", hook.calls, want)
	}
	for i := range want {
		if hook.calls[i] != want[i] {
			t.Fatalf("calls = %v, want %v", hook.calls, want)
		}
	}
	tc.db.View(func(tx *store.Tx) error {
		v := tx.Bucket(hookBucket).Get(heightKey(3))
		if h := side[1].BlockHash(); !bytes.Equal(v, h[:]) {
			t.Error("game state not reorganised with the chain")
		}
		return nil
	})
	// A local failure of the game layer is not a verdict on the block: it
	// is refused for now, not remembered, and accepted once the hook works.
	flaky := g.next(side[2], nil, 0)
	hook.ioFail = flaky.BlockHash()
	if _, _, err := tc.ProcessBlock(flaky, BFNone); err == nil || isRuleError(err) {
		t.Fatalf("hook I/O error: %v, want a non-rule error", err)
	}
	if tc.Best().Hash != side[2].BlockHash() {
		t.Fatal("tip moved on a hook failure")
	}
	hook.ioFail = chainhash.Hash{}
	tc.mustAccept(t, flaky)
	side = append(side, flaky)

	// A game rule violation makes the block invalid.
	bad := g.next(side[3], nil, 0)
	hook.reject = bad.BlockHash()
	_, _, err = tc.ProcessBlock(bad, BFNone)
	checkRule(t, err, ErrGameRule, "bad-game-rule")
	if _, _, err := tc.ProcessBlock(bad, BFNone); !errors.Is(err, ErrKnownInvalid) {
		t.Fatalf("resubmitted: %v", err)
	}
}

func TestReorgInvalidScriptBlame(t *testing.T) {
	// A two-block branch whose first block has a bad signature: the first
	// block is the invalid one, and the second is only an invalid
	// descendant.
	g := newBlockGen()
	tc := openChain(t)
	key, thief := newTestKey("blame"), newTestKey("blame-thief")
	base := matureBase(g)
	tc.mustAccept(t, base...)
	fund := spend([]spendOut{cbOut(base[0])}, nil, 90_000)
	fund.TxOut[0].PkScript = key.pk
	f := g.next(base[len(base)-1], []*wire.MsgTx{fund}, cbOut(base[0]).amount-90_000)
	tc.mustAccept(t, f)
	a1 := g.next(f, nil, 0)
	tc.mustAccept(t, a1)
	steal := spend([]spendOut{outOf(fund, 0)}, nil, 80_000)
	thief.signP2WPKH(steal, script.NewSigHashes(steal), 0, 90_000)
	b1 := g.next(f, []*wire.MsgTx{steal}, 10_000)
	b2 := g.next(b1, []*wire.MsgTx{spend([]spendOut{cbOut(base[1])}, nil, cbOut(base[1]).amount+1)}, 0)
	tc.mustAccept(t, b1) // side chain, not validated yet
	_, _, err := tc.ProcessBlock(b2, BFNone)
	checkRule(t, err, ErrScriptValidation, "mandatory-script-verify-flag-failed")
	if tc.Best().Hash != a1.BlockHash() {
		t.Fatal("tip moved")
	}
	tc.mu.RLock()
	s1, s2 := tc.index.nodes[b1.BlockHash()].status, tc.index.nodes[b2.BlockHash()].status
	tc.mu.RUnlock()
	if s1&statusValidateFailed == 0 || s2&statusInvalidAncestor == 0 || s2&statusValidateFailed != 0 {
		t.Fatalf("statuses b1=%08b b2=%08b", s1, s2)
	}
}

func TestChainConcurrentReads(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t)
	blks := g.chainOf(g.params.GenesisBlock, 60)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				b := tc.Best()
				tc.FetchUtxoEntry(wire.OutPoint{Hash: blks[0].Transactions[0].TxHash()})
				tc.Tips()
				tc.HaveBlock(b.Hash)
				tc.BlockHashByHeight(b.Height)
				if _, _, err := tc.UtxoSetHash(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	// Subscribers read the chain while other goroutines submit blocks.
	var seen []int32
	tc.Subscribe(func(n *Notification) {
		tc.FetchUtxoEntry(wire.OutPoint{Hash: n.Hash})
		tc.Tips()
		if n.Type == NTBlockConnected {
			seen = append(seen, n.Height)
		}
	})
	side := g.chainOf(g.params.GenesisBlock, 30)
	var sub sync.WaitGroup
	for _, list := range [][]*wire.MsgBlock{blks, side} {
		sub.Add(1)
		go func() {
			defer sub.Done()
			for _, b := range list {
				if _, _, err := tc.ProcessBlock(b, BFRequested); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	sub.Wait()
	close(stop)
	wg.Wait()
	if tc.Best().Hash != blks[59].BlockHash() {
		t.Fatal("wrong tip")
	}
	if seen[len(seen)-1] != 60 {
		t.Fatalf("connected notifications end at %d", seen[len(seen)-1])
	}
}

// TestHookFailureKeepsHeaderPlace: a block whose header was known fails
// to connect for a local reason; its header goes back where it was: to
// memory when it was kept in memory only, nowhere new when it was stored
// (persisted headers are not memory-only side headers).
func TestHookFailureKeepsHeaderPlace(t *testing.T) {
	g := newBlockGen()
	blks := g.chainOf(g.params.GenesisBlock, 3)
	for _, tt := range []struct {
		name   string
		stored bool
	}{{"stored header", true}, {"memory header", false}} {
		t.Run(tt.name, func(t *testing.T) {
			hook := &recordingHook{}
			p := *chaincfg.RegTestParams
			if !tt.stored {
				p.MinimumChainWork = new(big.Int).Mul(chaincfg.CalcWork(p.PowLimitBits), big.NewInt(100))
			}
			tc := openChain(t, func(c *Config) { c.GameHook = hook; c.Params = &p })
			res, err := tc.ProcessHeaders(headersOf(blks))
			if err != nil || res.Stored != tt.stored {
				t.Fatalf("headers: %+v %v", res, err)
			}
			side := 0
			if !tt.stored {
				side = 3
			}
			if n := tc.SideHeaders(); n != side {
				t.Fatalf("%d side headers before, want %d", n, side)
			}
			hook.ioFail = blks[0].BlockHash()
			if _, _, err := tc.ProcessBlock(blks[0], BFRequested); err == nil || isRuleError(err) {
				t.Fatalf("hook I/O error: %v, want a non-rule error", err)
			}
			if n := tc.SideHeaders(); n != side {
				t.Fatalf("%d side headers after a local failure, want %d", n, side)
			}
			hook.ioFail = chainhash.Hash{}
			tc.mustAccept(t, blks...)
			if tc.Best().Height != 3 || tc.SideHeaders() != 0 {
				t.Fatalf("tip %d, %d side headers", tc.Best().Height, tc.SideHeaders())
			}
		})
	}
}

// TestGameHookWritesThrough: a chain with a GameHook keeps no write-back
// UTXO layer (the replay after a crash could not redo the hook's Game
// fields), so the annotated outputs are in the utxo bucket as soon as
// their block is committed.
func TestGameHookWritesThrough(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t, func(c *Config) { c.GameHook = &recordingHook{}; c.UtxoCacheBytes = 64 << 20 })
	blks := g.chainOf(g.params.GenesisBlock, 3)
	tc.mustAccept(t, blks...)
	key := outpointKey(wire.OutPoint{Hash: blks[2].Transactions[0].TxHash()})
	tc.db.View(func(tx *store.Tx) error {
		if tx.Bucket(bucketUtxo).Get(key[:]) == nil {
			t.Error("the hooked block's coinbase output is not in the utxo bucket after its commit: the UTXO changes were cached")
		}
		return nil
	})
}
