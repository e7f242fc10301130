package chain

import (
	"errors"
	"testing"

	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// spendingBlocks builds n blocks on parent; block i spends the coinbase
// of mature[i] into two outputs and output 0 of the previous block's
// transaction (so outputs are created and spent between flushes).
func spendingBlocks(g *blockGen, parent *wire.MsgBlock, mature []*wire.MsgBlock, n int) []*wire.MsgBlock {
	var out []*wire.MsgBlock
	var carry *spendOut
	for i := range n {
		ins := []spendOut{cbOut(mature[i])}
		total := ins[0].amount
		if carry != nil {
			ins = append(ins, *carry)
			total += carry.amount
		}
		tx := spend(ins, nil, total/2, total-total/2-1000)
		parent = g.next(parent, []*wire.MsgTx{tx}, 1000)
		o := outOf(tx, 0)
		carry = &o
		out = append(out, parent)
	}
	return out
}

// bucketEntry reads op straight from the utxo bucket.
func bucketEntry(t *testing.T, tc *testChain, op wire.OutPoint) []byte {
	t.Helper()
	var v []byte
	if err := tc.db.View(func(tx *store.Tx) error {
		k := outpointKey(op)
		v = append([]byte(nil), tx.Bucket(bucketUtxo).Get(k[:])...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(v) == 0 {
		return nil
	}
	return v
}

// crash drops the chain as a kill would: no flush, files and database
// closed under it.
func (tc *testChain) crash() {
	tc.mu.Lock()
	tc.closed = true
	tc.closeFiles()
	tc.mu.Unlock()
	tc.db.Close()
}

// TestUtxoCacheSpendOfCachedCreate: an output created and spent between
// two flushes is read from the cache while unspent and never written to
// the utxo bucket, nor left behind as a deletion.
func TestUtxoCacheSpendOfCachedCreate(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t)
	base := g.chainOf(g.params.GenesisBlock, 101)
	tc.mustAccept(t, base...)
	blks := spendingBlocks(g, base[100], base, 2)
	tc.mustAccept(t, blks[0])
	created := blks[0].Transactions[1]
	op := wire.OutPoint{Hash: created.TxHash(), Index: 0}
	e, err := tc.FetchUtxoEntry(op)
	if err != nil || e == nil || e.Amount != created.TxOut[0].Value {
		t.Fatalf("FetchUtxoEntry of a cached output = %+v, %v", e, err)
	}
	if v := bucketEntry(t, tc, op); v != nil {
		t.Fatalf("output created after the last flush is in the utxo bucket already")
	}
	tc.mustAccept(t, blks[1])
	if e, err := tc.FetchUtxoEntry(op); err != nil || e != nil {
		t.Fatalf("FetchUtxoEntry of a spent cached output = %+v, %v", e, err)
	}
	tc.mu.RLock()
	_, held := tc.layer.m[op]
	tc.mu.RUnlock()
	if held {
		t.Fatal("the cache keeps an entry (a deletion) for an output that never reached the utxo bucket")
	}
	if err := tc.FlushUtxoCache(); err != nil {
		t.Fatal(err)
	}
	if v := bucketEntry(t, tc, op); v != nil {
		t.Fatal("output created and spent between flushes reached the utxo bucket")
	}
	got, gotN := tc.utxoHash(t)
	want, wantN := replayHash(t, append(base, blks...))
	if got != want || gotN != wantN {
		t.Fatalf("UTXO set after the flush (%d entries) differs from a write-through replay (%d)", gotN, wantN)
	}
}

// TestUtxoCacheFlushTriggers: the cache flushes every UtxoFlushBlocks
// blocks and when its byte budget is passed, recording the flushed tip;
// in between the utxo bucket stays at the last flush.
func TestUtxoCacheFlushTriggers(t *testing.T) {
	g := newBlockGen()
	base := g.chainOf(g.params.GenesisBlock, 101)
	blks := spendingBlocks(g, base[100], base, 7)

	tc := openChain(t, func(c *Config) { c.UtxoFlushBlocks = 3 })
	tc.mustAccept(t, base...)
	if err := tc.FlushUtxoCache(); err != nil {
		t.Fatal(err)
	}
	for i, b := range blks {
		tc.mustAccept(t, b)
		entries, _, flushed := tc.UtxoCacheStats()
		wantFlushed := int32(101)
		if i >= 2 {
			wantFlushed = 101 + 3
		}
		if i >= 5 {
			wantFlushed = 101 + 6
		}
		if flushed != wantFlushed {
			t.Fatalf("after block %d: flushed height %d, want %d", 102+i, flushed, wantFlushed)
		}
		if (flushed == tc.Best().Height) != (entries == 0) {
			t.Fatalf("after block %d: %d entries cached, flushed height %d", 102+i, entries, flushed)
		}
	}

	// A budget smaller than one block's changes flushes every block.
	tc2 := openChain(t, func(c *Config) { c.UtxoCacheBytes = 1 })
	tc2.mustAccept(t, base...)
	tc2.mustAccept(t, blks...)
	if entries, _, flushed := tc2.UtxoCacheStats(); entries != 0 || flushed != tc2.Best().Height {
		t.Fatalf("over budget: %d entries cached, flushed height %d of %d", entries, flushed, tc2.Best().Height)
	}
	var rec []byte
	if err := tc2.db.View(func(tx *store.Tx) error {
		rec = append([]byte(nil), tx.Bucket(bucketChainState).Get(keyUtxoTip)...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	best := tc2.Best().Hash
	if len(rec) != 36 || string(rec[:32]) != string(best[:]) {
		t.Fatalf("utxo tip record %x does not name the tip %v", rec, best)
	}
}

// TestUtxoCacheReplayAfterCrash: a kill between flushes leaves the utxo
// bucket at the last flush; the next open replays the blocks after it
// from the block files, to exactly the set a clean run has, and a
// second crash right after changes nothing.
func TestUtxoCacheReplayAfterCrash(t *testing.T) {
	g := newBlockGen()
	base := g.chainOf(g.params.GenesisBlock, 101)
	blks := spendingBlocks(g, base[100], base, 6)
	dir := t.TempDir()
	tc := openChainAt(t, dir)
	tc.mustAccept(t, base...)
	tc.mustAccept(t, blks[:2]...)
	if err := tc.FlushUtxoCache(); err != nil {
		t.Fatal(err)
	}
	tc.mustAccept(t, blks[2:]...)
	tc.crash()

	tc = openChainAt(t, dir)
	if tc.replayed != 4 {
		t.Fatalf("replayed %d blocks at open, want 4", tc.replayed)
	}
	got, gotN := tc.utxoHash(t)
	want, wantN := replayHash(t, append(base, blks...))
	if got != want || gotN != wantN {
		t.Fatalf("UTXO set after the replay (%d entries) differs from a clean run (%d)", gotN, wantN)
	}
	tc.crash()
	tc = openChainAt(t, dir)
	if tc.replayed != 0 {
		t.Fatalf("replayed %d blocks after the replay's own flush, want 0", tc.replayed)
	}
	if got2, _ := tc.utxoHash(t); got2 != want {
		t.Fatal("UTXO set changed on a second open")
	}
}

// TestUtxoCacheReorgAcrossFlush: a reorganisation onto a branch that
// forks below the last flush, with blocks cached above it, undoes
// exactly (the set equals a clean run of the new branch), also after a
// crash right after it, and back again.
func TestUtxoCacheReorgAcrossFlush(t *testing.T) {
	g := newBlockGen()
	base := g.chainOf(g.params.GenesisBlock, 101)
	a := spendingBlocks(g, base[100], base, 5)
	b := spendingBlocks(g, a[0], base[1:], 6) // forks above a[0]
	dir := t.TempDir()
	tc := openChainAt(t, dir)
	tc.mustAccept(t, base...)
	tc.mustAccept(t, a[:2]...)
	if err := tc.FlushUtxoCache(); err != nil {
		t.Fatal(err)
	}
	tc.mustAccept(t, a[2:]...) // cached, on top of the flush at a[1]
	tc.mustAccept(t, b...)     // fork at a[0], below the flush
	if tc.Best().Hash != b[len(b)-1].BlockHash() {
		t.Fatal("no reorganisation onto the longer branch")
	}
	want, wantN := replayHash(t, append(append(append([]*wire.MsgBlock{}, base...), a[0]), b...))
	tc.crash()
	tc = openChainAt(t, dir)
	got, gotN := tc.utxoHash(t)
	if got != want || gotN != wantN {
		t.Fatalf("UTXO set after the reorganisation and a crash (%d entries) differs from a clean run (%d)", gotN, wantN)
	}
	// And back: the a-branch (stored, its UTXO changes undone) made
	// longer.
	a2 := append(append([]*wire.MsgBlock{}, a...), g.chainOf(a[4], 3)...)
	tc.mustAccept(t, a2[5:]...)
	if tc.Best().Hash != a2[len(a2)-1].BlockHash() {
		t.Fatal("no reorganisation back onto the a-branch")
	}
	got, gotN = tc.utxoHash(t)
	want, wantN = replayHash(t, append(append([]*wire.MsgBlock{}, base...), a2...))
	if got != want || gotN != wantN {
		t.Fatalf("UTXO set after reorganising back (%d entries) differs from a clean run (%d)", gotN, wantN)
	}
}

// TestUtxoCacheLegacyDatabase: a database without the utxo tip record
// (written before the cache) opens as consistent with its tip, records
// it, and a crash after more blocks replays from there.
func TestUtxoCacheLegacyDatabase(t *testing.T) {
	g := newBlockGen()
	base := g.chainOf(g.params.GenesisBlock, 101)
	blks := spendingBlocks(g, base[100], base, 3)
	dir := t.TempDir()
	tc := openChainAt(t, dir)
	tc.mustAccept(t, base...)
	tc.close()
	db := openDB(t, dir)
	if err := db.Update(func(tx *store.Tx) error { return tx.Bucket(bucketChainState).Delete(keyUtxoTip) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	tc = openChainAt(t, dir)
	if tc.replayed != 0 {
		t.Fatalf("replayed %d blocks of a database without the record", tc.replayed)
	}
	tc.mustAccept(t, blks...)
	tc.crash()
	tc = openChainAt(t, dir)
	if tc.replayed != 3 {
		t.Fatalf("replayed %d blocks, want 3", tc.replayed)
	}
	got, _ := tc.utxoHash(t)
	if want, _ := replayHash(t, append(base, blks...)); got != want {
		t.Fatal("UTXO set after the replay differs from a clean run")
	}
}

// TestUtxoCachePruneFlushes: pruning never deletes a block file holding
// blocks after the last flush (the replay after a crash needs them): it
// flushes first, so a crash after pruning reopens without a replay of
// pruned blocks.
func TestUtxoCachePruneFlushes(t *testing.T) {
	g := newBlockGen()
	blocks := g.chainOf(g.params.GenesisBlock, 400)
	dir := t.TempDir()
	tc := openChainAt(t, dir, func(c *Config) {
		c.BlockFileSize, c.PruneTarget = 2048, 8192
		c.UtxoFlushBlocks = 1 << 20
	})
	tc.mustAccept(t, blocks...)
	if tc.StorageInfo().PruneHeight == 0 {
		t.Fatal("nothing pruned")
	}
	_, _, flushed := tc.UtxoCacheStats()
	if ph := tc.StorageInfo().PruneHeight; flushed < ph-1 {
		t.Fatalf("blocks pruned up to height %d, the utxo bucket is at %d: a crash could not replay", ph, flushed)
	}
	tc.crash()
	tc = openChainAt(t, dir, func(c *Config) { c.BlockFileSize, c.PruneTarget = 2048, 8192 })
	got, _ := tc.utxoHash(t)
	if want, _ := replayHash(t, blocks); got != want {
		t.Fatal("UTXO set after a crash on a pruned chain differs from a clean run")
	}
}

// TestUtxoLayerCountsSlabs: the layer's size counts the script slabs
// whole, so outputs created and spent between flushes (whose scripts stay
// in their slabs) still count against --dbcache.
func TestUtxoLayerCountsSlabs(t *testing.T) {
	l := newUtxoLayer()
	script := make([]byte, 1000)
	var ops []wire.OutPoint
	for i := 0; i < 200; i++ {
		op := wire.OutPoint{Index: uint32(i)}
		e := &UtxoEntry{Amount: 1, PkScript: l.keep(script), state: entryFresh}
		l.set(op, nil, e)
		ops = append(ops, op)
	}
	for _, op := range ops {
		l.del(op, l.m[op])
	}
	if len(l.m) != 0 {
		t.Fatalf("%d entries left", len(l.m))
	}
	if l.bytes < 200*1000 {
		t.Errorf("layer size %d bytes with 200 KB of scripts still in its slabs", l.bytes)
	}
}

// setFlushChunk makes flushes write n entries per transaction for the
// rest of the test.
func setFlushChunk(t *testing.T, n int) {
	old := flushChunkEntries
	flushChunkEntries = n
	t.Cleanup(func() { flushChunkEntries = old })
}

// TestUtxoCacheChunkedFlushCrash: a kill between two chunks of a flush
// leaves the utxo bucket part old, part new, with "utxotip" still at the
// last complete flush; the next open replays from there to exactly the
// set of a clean run, for a kill after every chunk.
func TestUtxoCacheChunkedFlushCrash(t *testing.T) {
	g := newBlockGen()
	base := g.chainOf(g.params.GenesisBlock, 101)
	blks := spendingBlocks(g, base[100], base, 6)
	want, wantN := replayHash(t, append(base, blks...))
	setFlushChunk(t, 3)
	for stop := 0; stop < 4; stop++ {
		dir := t.TempDir()
		tc := openChainAt(t, dir)
		tc.mustAccept(t, base...)
		if err := tc.FlushUtxoCache(); err != nil {
			t.Fatal(err)
		}
		tc.mustAccept(t, blks...)
		if n, _, _ := tc.UtxoCacheStats(); n <= 3*(stop+1) {
			t.Fatalf("%d entries cached: no chunk after chunk %d", n, stop)
		}
		tc.flushStop = func(i int) bool { return i == stop }
		if err := tc.FlushUtxoCache(); !errors.Is(err, errFlushStopped) {
			t.Fatalf("flush stopped after chunk %d: %v", stop, err)
		}
		tc.crash()

		tc = openChainAt(t, dir)
		if tc.replayed != len(blks) {
			t.Fatalf("kill after chunk %d: replayed %d blocks at open, want %d", stop, tc.replayed, len(blks))
		}
		got, gotN := tc.utxoHash(t)
		if got != want || gotN != wantN {
			t.Fatalf("kill after chunk %d: UTXO set after the replay (%d entries) differs from a clean run (%d)", stop, gotN, wantN)
		}
		tc.close()
	}
}

// TestUtxoCacheReplayIdempotent: a flush that failed part way (the chain
// goes on) leaves rows of blocks after "utxotip" in the bucket, among
// them an output a later block spends; the replay after a crash must
// delete it, not take it for one the bucket cannot hold.
func TestUtxoCacheReplayIdempotent(t *testing.T) {
	g := newBlockGen()
	base := g.chainOf(g.params.GenesisBlock, 101)
	blks := spendingBlocks(g, base[100], base, 6)
	want, wantN := replayHash(t, append(base, blks...))
	dir := t.TempDir()
	tc := openChainAt(t, dir)
	tc.mustAccept(t, base...)
	if err := tc.FlushUtxoCache(); err != nil {
		t.Fatal(err)
	}
	tc.mustAccept(t, blks[:3]...)
	// Output 0 of block 104's transaction: created after "utxotip",
	// spent by block 105.
	carry := outOf(blks[2].Transactions[1], 0).op
	setFlushChunk(t, 1)
	tc.flushStop = func(int) bool { return bucketEntry(t, tc, carry) != nil }
	if err := tc.FlushUtxoCache(); !errors.Is(err, errFlushStopped) {
		t.Fatalf("flush not stopped with the output written: %v", err)
	}
	tc.flushStop = nil
	tc.mustAccept(t, blks[3:]...)
	if got, gotN := tc.utxoHash(t); got != want || gotN != wantN {
		// UtxoSetHash flushes: this checks the running chain.
		t.Fatalf("UTXO set after a stopped flush (%d entries) differs from a clean run (%d)", gotN, wantN)
	}
	tc.crash()

	// Again, crashing instead of the final flush.
	dir = t.TempDir()
	tc = openChainAt(t, dir)
	tc.mustAccept(t, base...)
	if err := tc.FlushUtxoCache(); err != nil {
		t.Fatal(err)
	}
	tc.mustAccept(t, blks[:3]...)
	tc.flushStop = func(int) bool { return bucketEntry(t, tc, carry) != nil }
	if err := tc.FlushUtxoCache(); !errors.Is(err, errFlushStopped) {
		t.Fatalf("flush not stopped with the output written: %v", err)
	}
	tc.flushStop = nil
	tc.mustAccept(t, blks[3:]...)
	tc.crash()
	tc = openChainAt(t, dir)
	if tc.replayed != len(blks) {
		t.Fatalf("replayed %d blocks at open, want %d", tc.replayed, len(blks))
	}
	if bucketEntry(t, tc, carry) != nil {
		t.Fatal("the replay left an output spent after \"utxotip\" in the utxo bucket")
	}
	if got, gotN := tc.utxoHash(t); got != want || gotN != wantN {
		t.Fatalf("UTXO set after the replay (%d entries) differs from a clean run (%d)", gotN, wantN)
	}
	tc.close()
}
