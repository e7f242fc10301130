package chain

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
)

// storedRecords is every block and undo record a chain holds, by hash.
type storedRecords struct {
	blocks, undo map[chainhash.Hash][]byte
}

func recordsOf(t testing.TB, c *Chain) storedRecords {
	t.Helper()
	r := storedRecords{map[chainhash.Hash][]byte{}, map[chainhash.Hash][]byte{}}
	c.mu.RLock()
	defer c.mu.RUnlock()
	for h, n := range c.index.nodes {
		if n.blockPos.Size != 0 {
			raw, err := c.rawBlockAt(h, n.height, n.blockPos, n.status)
			if err != nil {
				t.Fatal(err)
			}
			r.blocks[h] = raw
		}
		if n.undoPos.Size != 0 {
			raw, err := c.files.undo.Read(n.undoPos)
			if err != nil {
				t.Fatal(err)
			}
			r.undo[h] = raw
		}
	}
	return r
}

func (r storedRecords) compare(t testing.TB, what string, got storedRecords) {
	t.Helper()
	for _, s := range []struct {
		name       string
		want, have map[chainhash.Hash][]byte
	}{{"blocks", r.blocks, got.blocks}, {"undo records", r.undo, got.undo}} {
		if len(s.have) != len(s.want) {
			t.Fatalf("%s: %d %s, want %d", what, len(s.have), s.name, len(s.want))
		}
		for h, raw := range s.want {
			if !bytes.Equal(s.have[h], raw) {
				t.Fatalf("%s: %s of %v differ", what, s.name, h)
			}
		}
	}
}

// toLegacyLayout rewrites the closed chain in dir into the layout written
// before the block files: blocks and undo data in the "blocks" and
// "undo" buckets, 85-byte index records, no blockfiles bucket and no
// block files.
func toLegacyLayout(t testing.TB, dir string) {
	t.Helper()
	db := openDB(t, dir)
	blocks := openTestFiles(t, db, dir, kindBlocks)
	undo := openTestFiles(t, db, dir, kindUndo)
	err := db.Update(func(tx *store.Tx) error {
		lb, err := tx.CreateBucket(bucketLegacyBlocks)
		if err != nil {
			return err
		}
		lu, err := tx.CreateBucket(bucketLegacyUndo)
		if err != nil {
			return err
		}
		idx := tx.Bucket(bucketBlockIndex)
		type kv struct{ k, v []byte }
		var rewrite []kv
		err = idx.ForEach(func(k, v []byte) error {
			r, err := decodeIndexRecord(k, v)
			if err != nil {
				return err
			}
			h := chainhash.Hash(k[4:])
			if r.blockPos.Size != 0 {
				raw, err := blocks.Read(r.blockPos)
				if err != nil {
					return err
				}
				if err := lb.Put(h[:], raw); err != nil {
					return err
				}
			}
			if r.undoPos.Size != 0 {
				raw, err := undo.Read(r.undoPos)
				if err != nil {
					return err
				}
				if err := lu.Put(h[:], raw); err != nil {
					return err
				}
			}
			rewrite = append(rewrite, kv{bytes.Clone(k), bytes.Clone(v[:legacyIndexValueSize])})
			return nil
		})
		if err != nil {
			return err
		}
		for _, e := range rewrite {
			if err := idx.Put(e.k, e.v); err != nil {
				return err
			}
		}
		return tx.DeleteBucket(bucketBlockFiles)
	})
	blocks.Close()
	undo.Close()
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "blocks")); err != nil {
		t.Fatal(err)
	}
}

// legacyChain builds the crash sequence's first n blocks (game records,
// reorganisations) in dir, returns its state and records, and leaves it
// in the old layout.
func legacyChain(t testing.TB, dir string, n int) (chainState, storedRecords) {
	t.Helper()
	tc := openChainAt(t, dir)
	for _, b := range crashSequence(n) {
		if _, _, err := tc.ProcessBlock(b, BFNone); err != nil {
			t.Fatal(err)
		}
	}
	st, recs := stateOf(t, tc.Chain), recordsOf(t, tc.Chain)
	tc.close()
	if len(st.tips) < 2 {
		t.Fatalf("the sequence left %d tips: no side chain to migrate", len(st.tips))
	}
	toLegacyLayout(t, dir)
	return st, recs
}

func smallMigrateBatches(t testing.TB, n int) {
	old := migrateBatchBlocks
	migrateBatchBlocks = n
	t.Cleanup(func() { migrateBatchBlocks = old })
}

// TestMigrateLegacy: a database of the old layout is migrated on open,
// in batches, and a migration interrupted after any batch resumes on the
// next open; at the end every block and undo record, the UTXO set, the
// registries and the tips equal the original, the old buckets are gone,
// progress was logged, and the chain goes on.
func TestMigrateLegacy(t *testing.T) {
	dir := t.TempDir()
	want, wantRecs := legacyChain(t, dir, 200)
	smallMigrateBatches(t, 7)
	stop := errors.New("interrupted")
	var stops []int
	for round := 0; ; round++ {
		if round > 100 {
			t.Fatal("migration never finished")
		}
		// Stop after 1, 2, 3, ... more batches.
		k := round + 1
		migrateHook = func(batch int) error {
			if batch >= k {
				return stop
			}
			return nil
		}
		var log bytes.Buffer
		db := openDB(t, dir)
		cfg := testConfig(db)
		cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
		c, err := New(cfg)
		migrateHook = nil
		if errors.Is(err, stop) {
			db.Close()
			stops = append(stops, k)
			continue
		}
		if err != nil {
			db.Close()
			t.Fatal(err)
		}
		tc := &testChain{Chain: c, db: db, dir: dir}
		if !strings.Contains(log.String(), "moving blocks into block files") || !strings.Contains(log.String(), "blocks moved into block files") {
			t.Fatalf("no progress logged:\n%s", log.String())
		}
		want.compare(t, "after migration", stateOf(t, c))
		wantRecs.compare(t, "after migration", recordsOf(t, c))
		if err := tc.checkConsistency(); err != nil {
			t.Fatal(err)
		}
		if err := db.View(func(tx *store.Tx) error {
			if tx.Bucket(bucketLegacyBlocks) != nil || tx.Bucket(bucketLegacyUndo) != nil {
				return errors.New("old buckets left")
			}
			return tx.Bucket(bucketBlockIndex).ForEach(func(k, v []byte) error {
				if len(v) != indexValueSize {
					return fmt.Errorf("index record of %d bytes left", len(v))
				}
				return nil
			})
		}); err != nil {
			t.Fatal(err)
		}
		tc.disconnectTip(t)
		tc.reconnect(t, want.best.Hash)
		tc.close()
		break
	}
	if len(stops) < 3 {
		t.Fatalf("interrupted only %d times", len(stops))
	}
	// Opened again, nothing is left to migrate.
	var log bytes.Buffer
	tc := openChainAt(t, dir, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&log, nil)) })
	if strings.Contains(log.String(), "moving blocks") {
		t.Fatalf("migrated twice:\n%s", log.String())
	}
	want.compare(t, "reopened", stateOf(t, tc.Chain))
}

const migrateCrashDirEnv = "GG_CHAIN_MIGRATE_CRASH_DIR"

// TestMigrateCrashHelperProcess is the child of TestMigrateCrash: it opens
// the old-layout chain in $GG_CHAIN_MIGRATE_CRASH_DIR with fsync on,
// one block a batch, printing a line per batch, until it is killed or
// done.
func TestMigrateCrashHelperProcess(t *testing.T) {
	dir := os.Getenv(migrateCrashDirEnv)
	if dir == "" {
		t.Skip("helper process of TestMigrateCrash")
	}
	migrateBatchBlocks = 1
	migrateHook = func(batch int) error { fmt.Println("BATCH", batch); return nil }
	db := openChildDB(dir)
	fmt.Println("READY")
	c, err := New(Config{DB: db, Params: chaincfg.RegTestParams, SigCache: script.NewSigCache(1000)})
	if err != nil {
		childFatal(err)
	}
	fmt.Println("DONE")
	c.Close()
	db.Close()
	os.Exit(0)
}

// TestMigrateCrash SIGKILLs a child process that migrates an old-layout
// chain, at random moments (6 times in -short, 30 with
// GG_CRASH_ROUNDS unset otherwise); after the last run every block and
// undo record and the chain state equal the original.
func TestMigrateCrash(t *testing.T) {
	if os.Getenv(migrateCrashDirEnv) != "" {
		t.Skip("inside the helper")
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0x6d67))
	t.Logf("seed %d", seed)
	dir := t.TempDir()
	want, wantRecs := legacyChain(t, dir, 300)
	minKills := 30
	if testing.Short() {
		minKills = 6
	}
	kills := 0
	done := false
	for run := 0; !done && run < 10*minKills; run++ {
		child := startCrashChild(t, "TestMigrateCrashHelperProcess", migrateCrashDirEnv, dir)
		left := -1
		var timer <-chan time.Time
		if kills < minKills {
			left = 1 + rng.IntN(6)
		}
		var killed bool
		done, killed = child.follow(t, run, timer, "BATCH", left,
			func() time.Duration { return time.Duration(rng.IntN(2000)) * time.Microsecond })
		if killed {
			kills++
		}
	}
	if !done {
		t.Fatal("the migration never finished")
	}
	if kills < minKills {
		t.Fatalf("only %d kills", kills)
	}
	tc := openChainAtSync(t, dir)
	defer tc.close()
	want.compare(t, "after the killed migration", stateOf(t, tc.Chain))
	wantRecs.compare(t, "after the killed migration", recordsOf(t, tc.Chain))
	if err := tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}
	t.Logf("migration crash test: %d kills", kills)
}
