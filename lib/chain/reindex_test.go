package chain

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// chainState is what a reindex must leave unchanged.
type chainState struct {
	best       BestState
	utxo, reg  chainhash.Hash
	utxos      uint64
	totalTxns  uint64
	tips       []TipInfo
	mainHashes []chainhash.Hash
}

func stateOf(t testing.TB, c *Chain) chainState {
	t.Helper()
	s := chainState{best: c.Best(), tips: c.Tips()}
	var err error
	if s.utxo, s.utxos, err = c.UtxoSetHash(); err != nil {
		t.Fatal(err)
	}
	if s.reg, err = c.RegistryHash(); err != nil {
		t.Fatal(err)
	}
	s.totalTxns = s.best.TotalTxns
	for h := int32(0); h <= s.best.Height; h++ {
		hash, err := c.BlockHashByHeight(h)
		if err != nil {
			t.Fatal(err)
		}
		s.mainHashes = append(s.mainHashes, hash)
	}
	return s
}

func (s chainState) compare(t testing.TB, what string, got chainState) {
	t.Helper()
	if got.best.Hash != s.best.Hash || got.best.Height != s.best.Height || got.totalTxns != s.totalTxns {
		t.Fatalf("%s: tip %v@%d (%d txs), want %v@%d (%d txs)", what, got.best.Hash, got.best.Height, got.totalTxns,
			s.best.Hash, s.best.Height, s.totalTxns)
	}
	if got.utxo != s.utxo || got.utxos != s.utxos {
		t.Fatalf("%s: UTXO set %v (%d entries), want %v (%d entries)", what, got.utxo, got.utxos, s.utxo, s.utxos)
	}
	if got.reg != s.reg {
		t.Fatalf("%s: registry hash %v, want %v", what, got.reg, s.reg)
	}
	if len(got.tips) != len(s.tips) {
		t.Fatalf("%s: %d tips, want %d", what, len(got.tips), len(s.tips))
	}
	for i := range s.tips {
		if got.tips[i] != s.tips[i] {
			t.Fatalf("%s: tip %d is %+v, want %+v", what, i, got.tips[i], s.tips[i])
		}
	}
	for h := range s.mainHashes {
		if got.mainHashes[h] != s.mainHashes[h] {
			t.Fatalf("%s: main chain differs at height %d", what, h)
		}
	}
}

// smallBatches makes Reindex commit every n blocks for the test.
func smallBatches(t testing.TB, n int32) {
	old := reindexBatchBlocks
	reindexBatchBlocks = n
	t.Cleanup(func() { reindexBatchBlocks = old })
}

// openDB opens dir's chain database (fsync off).
func openDB(t testing.TB, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(dir, "chain.db"), store.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func testConfig(db *store.DB) Config {
	return Config{DB: db, Params: chaincfg.RegTestParams, SigCache: script.NewSigCache(10_000)}
}

// reindexDir reindexes dir's database and returns the progress calls.
func reindexDir(t testing.TB, dir string, ctx context.Context, onProgress func(height, tip int32)) ([][2]int32, error) {
	t.Helper()
	db := openDB(t, dir)
	defer db.Close()
	var calls [][2]int32
	err := Reindex(ctx, testConfig(db), func(h, tip int32) {
		calls = append(calls, [2]int32{h, tip})
		if onProgress != nil {
			onProgress(h, tip)
		}
	})
	return calls, err
}

// gameHistory builds, on a fresh chain, a main chain with producers,
// props, sends, a sale, a destruction and a reorganisation onto a
// competing branch and back, and leaves a stale side branch behind.
func gameHistory(t *testing.T) *gameEnv {
	e := newGameEnv(t)
	alice, bob, carol := chaingen.NewKey("alice"), chaingen.NewKey("bob"), chaingen.NewKey("carol")
	fork := e.g.TipName()
	reg, pid := e.register("Acme", alice)
	e.mine(reg)
	ch := e.changeTx(gout(reg, 1), alice, pid, "Acme-Games", alice)
	e.mine(ch)
	cr := e.create(gout(ch, 1), alice, pid, bob, 20_000, 25_000, 30_000)
	e.mine(cr)
	ids := []game.ID{game.PropID(cr.TxHash(), 2), game.PropID(cr.TxHash(), 3), game.PropID(cr.TxHash(), 4)}
	snd := e.send(bob, carol, []chaingen.SpendableOut{gout(cr, 2), gout(cr, 3)}, ids[:2])
	reg2, _ := e.register("acme", bob)
	e.mine(snd, reg2)
	list := e.listing(gout(snd, 1), carol, &game.Sale{Prop: ids[0], BuyNow: 50_000, End: uint32(e.height() + 10)})
	buy := e.bid(list, 50_000, carol.P2WPKH(), 20_000, bob)
	ds := e.g.CreateSignedTx([]chaingen.SignedIn{{Out: gout(snd, 2), Key: carol}}, []*wire.TxOut{
		recOut(t, &game.PropDestroy{Props: []game.ID{ids[1]}}), {Value: 25_000, PkScript: carol.P2WPKH()}})
	e.mine(buy, ds)
	mainTip := e.g.TipName()

	// A longer branch from the fork takes the name first...
	e.g.SetTip(fork)
	regB, pidB := e.register("Acme", carol)
	side := []*wire.MsgBlock{e.block(regB)}
	for range 5 {
		side = append(side, e.block())
	}
	for _, b := range side {
		if _, _, err := e.tc.ProcessBlock(b, BFRequested); err != nil {
			t.Fatal(err)
		}
	}
	if p, _ := e.tc.ProducerByName("acme"); p == nil || p.ID != pidB {
		t.Fatalf("no reorg onto the side branch: acme is %+v", p)
	}
	// ...and the original branch wins again.
	e.g.SetTip(mainTip)
	e.mine()
	e.mine(e.changeTx(gout(cr, 1), alice, pid, "Acme-Two", carol))
	if p, _ := e.tc.ProducerByName("acme"); p == nil || p.ID == pidB {
		t.Fatal("reorg back did not restore the registries")
	}
	return e
}

// TestReindex rebuilds a chain that saw game transactions and two
// reorganisations, in small batches: the UTXO set, the registries, the
// tips and the main chain come out identical, the undo data disconnects
// correctly, and the chain goes on accepting blocks.
func TestReindex(t *testing.T) {
	e := gameHistory(t)
	want := stateOf(t, e.tc.Chain)
	dir := e.tc.dir
	e.tc.close()

	smallBatches(t, 4)
	calls, err := reindexDir(t, dir, context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tipH := want.best.Height
	if len(calls) < 2 || calls[0] != [2]int32{0, tipH} || calls[len(calls)-1] != [2]int32{tipH, tipH} {
		t.Fatalf("progress calls %v", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] <= calls[i-1][0] || calls[i][0]-calls[i-1][0] > 4 {
			t.Fatalf("progress %v: batches of at most 4 blocks expected", calls)
		}
	}
	tc := openChainAt(t, dir)
	want.compare(t, "after reindex", stateOf(t, tc.Chain))
	if err := tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}
	if pending, err := ReindexPending(tc.db); err != nil || pending {
		t.Fatalf("ReindexPending = %v, %v after a finished reindex", pending, err)
	}
	// The rebuilt undo data disconnects the tip back to the state a
	// fresh replay gives, and the chain extends as before.
	tc.disconnectTip(t)
	tc.reconnect(t, want.best.Hash)
	want.compare(t, "after disconnect and reconnect", stateOf(t, tc.Chain))
	e.tc = tc
	e.mine(e.g.CreateSignedTx([]chaingen.SignedIn{{Out: e.coin()}}, []*wire.TxOut{change(1_000_000)}))
	if tc.Best().Height != tipH+1 {
		t.Fatal("chain does not extend after the reindex")
	}
}

// TestReindexResume stops a reindex half way (a cancelled context): New
// refuses the half-built state, and the next Reindex resumes where the
// first stopped and ends with the same state.
func TestReindexResume(t *testing.T) {
	e := gameHistory(t)
	want := stateOf(t, e.tc.Chain)
	dir := e.tc.dir
	e.tc.close()
	smallBatches(t, 5)

	ctx, cancel := context.WithCancel(context.Background())
	calls, err := reindexDir(t, dir, ctx, func(h, _ int32) {
		if h >= 50 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled reindex: %v", err)
	}
	stopped := calls[len(calls)-1][0]
	if stopped < 50 || stopped >= want.best.Height {
		t.Fatalf("stopped at %d", stopped)
	}
	db := openDB(t, dir)
	if pending, err := ReindexPending(db); err != nil || !pending {
		t.Fatalf("ReindexPending = %v, %v after a stopped reindex", pending, err)
	}
	_, err = New(testConfig(db))
	if !errors.Is(err, ErrReindexPending) {
		t.Fatalf("New on a half-built state: %v", err)
	}
	db.Close()

	calls, err = reindexDir(t, dir, context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if calls[0][0] != stopped {
		t.Fatalf("second run started at height %d, the first stopped at %d", calls[0][0], stopped)
	}
	tc := openChainAt(t, dir)
	want.compare(t, "after a resumed reindex", stateOf(t, tc.Chain))
	if err := tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}
}

// TestReindexErrors: a stored main-chain block that fails validation
// stops the reindex with an error naming it (never skipped), and the
// half-built state stays refused; a GameHook is refused up front.
func TestReindexErrors(t *testing.T) {
	g := newBlockGen()
	blocks := g.chainOf(g.params.GenesisBlock, 30)
	tc := openChain(t)
	tc.mustAccept(t, blocks...)
	dir := tc.dir
	tc.close()

	// Block 20 with a coinbase paying one dust more: same header, so the
	// same key, but the merkle root no longer matches.
	bad := blocks[19]
	badHash := bad.BlockHash()
	tampered := *bad
	cb := bad.Transactions[0].Copy()
	cb.TxOut[0].Value++
	tampered.Transactions = append([]*wire.MsgTx{cb}, bad.Transactions[1:]...)
	db := openDB(t, dir)
	putRecord(t, db, dir, kindBlocks, badHash, tampered.Bytes())
	db.Close()

	smallBatches(t, 3)
	calls, err := reindexDir(t, dir, context.Background(), nil)
	var re RuleError
	if err == nil || !errors.As(err, &re) || re.Kind != ErrBadMerkleRoot ||
		!strings.Contains(err.Error(), badHash.String()) || !strings.Contains(err.Error(), "height 20") {
		t.Fatalf("reindex over a bad block: %v", err)
	}
	if last := calls[len(calls)-1][0]; last >= 20 {
		t.Fatalf("progress went to %d past the bad block", last)
	}
	db = openDB(t, dir)
	defer db.Close()
	if _, err := New(testConfig(db)); !errors.Is(err, ErrReindexPending) {
		t.Fatalf("New after a failed reindex: %v", err)
	}

	cfg := testConfig(db)
	cfg.GameHook = &recordingHook{}
	if err := Reindex(context.Background(), cfg, nil); err == nil || !strings.Contains(err.Error(), "GameHook") {
		t.Fatalf("reindex with a hook: %v", err)
	}
}

// TestReindexRepairs damages the UTXO set (a coin lost, a coin
// invented), a registry record and the tip's undo data: the reindex
// rebuilds them as they were, and the tip disconnects again.
func TestReindexRepairs(t *testing.T) {
	e := gameHistory(t)
	want := stateOf(t, e.tc.Chain)
	dir := e.tc.dir
	tip := want.best.Hash
	e.tc.close()

	db := openDB(t, dir)
	if err := db.Update(func(tx *store.Tx) error {
		u := tx.Bucket(bucketUtxo)
		k, _ := u.Cursor().First()
		if err := u.Delete(k); err != nil {
			return err
		}
		if err := u.Put(make([]byte, 36), []byte{2, 100, 1, 0x51, 0}); err != nil {
			return err
		}
		p := tx.Bucket(regBucketNames[regProducers])
		k, _ = p.Cursor().First()
		if err := p.Put(k, []byte("garbage")); err != nil {
			return err
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	putRecord(t, db, dir, kindUndo, tip, []byte{0})
	var log bytes.Buffer
	cfg := testConfig(db)
	cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
	if err := Reindex(context.Background(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if !strings.Contains(log.String(), "unchanged=false") || !strings.Contains(log.String(), "reindex repaired") {
		t.Fatalf("no repair reported:\n%s", log.String())
	}
	tc := openChainAt(t, dir)
	want.compare(t, "after repairing", stateOf(t, tc.Chain))
	tc.disconnectTip(t)
	tc.reconnect(t, tip)
	want.compare(t, "after disconnect and reconnect", stateOf(t, tc.Chain))
}
