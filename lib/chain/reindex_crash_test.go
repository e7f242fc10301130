package chain

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
)

const reindexCrashDirEnv = "GG_CHAIN_REINDEX_CRASH_DIR"

// TestReindexCrashHelperProcess is the child of TestReindexCrash: it
// reindexes the chain in $GG_CHAIN_REINDEX_CRASH_DIR with fsync on, three
// blocks a batch, printing a line per batch, until it is killed or done.
func TestReindexCrashHelperProcess(t *testing.T) {
	dir := os.Getenv(reindexCrashDirEnv)
	if dir == "" {
		t.Skip("helper process of TestReindexCrash")
	}
	reindexBatchBlocks = 3
	db := openChildDB(dir)
	fmt.Println("READY")
	err := Reindex(context.Background(), Config{DB: db, Params: chaincfg.RegTestParams, SigCache: script.NewSigCache(1000)},
		func(h, tip int32) { fmt.Println("HEIGHT", h, tip) })
	if err != nil {
		childFatal(err)
	}
	fmt.Println("DONE")
	db.Close()
	os.Exit(0)
}

// TestReindexCrash builds a chain with game transactions and
// reorganisations (the crash sequence), then SIGKILLs a child process
// that reindexes it, at random moments, at least 12 times mid-reindex.
// After every kill the database either holds the reindex marker — New
// refuses it, and the height reached never goes backwards: each run
// resumes — or the complete state (not started yet, or finished), equal
// to the original. The last run finishes, and the UTXO-set and registry
// hashes, tips and main chain equal those before.
func TestReindexCrash(t *testing.T) {
	if os.Getenv(reindexCrashDirEnv) != "" {
		t.Skip("inside the helper")
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0x7267))
	t.Logf("seed %d", seed)
	dir := t.TempDir()
	{
		tc := openChainAt(t, dir)
		for _, b := range crashSequence(600) {
			if _, _, err := tc.ProcessBlock(b, BFNone); err != nil {
				t.Fatal(err)
			}
		}
		tc.close()
	}
	var want chainState
	{
		tc := openChainAtSync(t, dir)
		want = stateOf(t, tc.Chain)
		tc.close()
	}
	if len(want.tips) < 2 {
		t.Fatalf("the sequence left %d tips: no reorganisation to rebuild over", len(want.tips))
	}

	const minKills = 12
	var kills []int32 // heights reached at the kills that left a reindex in progress
	reached := int32(-1)
	finished := false
	for run := 0; !finished && run < 100; run++ {
		child := startCrashChild(t, "TestReindexCrashHelperProcess", reindexCrashDirEnv, dir)
		// Once enough kills are in, let the run finish. Otherwise every
		// fourth run dies at a random time from process start (sometimes
		// while opening or clearing), the others after a random number of
		// batches plus up to half a millisecond, often inside a commit.
		var timer <-chan time.Time
		batchesLeft := -1
		switch {
		case len(kills) >= minKills:
		case run%4 == 3:
			timer = time.After(time.Duration(rng.IntN(30)) * time.Millisecond)
		default:
			batchesLeft = 1 + rng.IntN(4)
		}
		done, killed := child.follow(t, run, timer, "HEIGHT", batchesLeft,
			func() time.Duration { return time.Duration(rng.IntN(500)) * time.Microsecond })

		// Reopen in this process and check.
		db, err := store.Open(filepath.Join(dir, "chain.db"), store.Options{Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		var height int32
		var pending bool
		if err := db.View(func(tx *store.Tx) error {
			var err error
			_, height, pending, err = reindexMarker(tx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if pending {
			if _, err := New(Config{DB: db, Params: chaincfg.RegTestParams}); !errors.Is(err, ErrReindexPending) {
				t.Fatalf("run %d: New on a half-built state: %v", run, err)
			}
			db.Close()
			if height < reached {
				t.Fatalf("run %d: reindex went back from height %d to %d", run, reached, height)
			}
			reached = height
			if killed {
				kills = append(kills, height)
			}
			continue
		}
		// No reindex in progress: not started, or finished.
		c, err := New(Config{DB: db, Params: chaincfg.RegTestParams})
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		tc := &testChain{Chain: c, db: db, dir: dir}
		if err := tc.checkConsistency(); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		want.compare(t, fmt.Sprintf("run %d (killed=%v)", run, killed), stateOf(t, tc.Chain))
		tc.close()
		if reached >= 0 {
			finished = true // a reindex was in progress and is now complete
		} else if done {
			t.Fatalf("run %d: the reindex finished before %d kills", run, minKills)
		}
	}
	if !finished || len(kills) < minKills {
		t.Fatalf("finished=%v after %d kills mid-reindex", finished, len(kills))
	}
	t.Logf("reindex crash test: %d kills mid-reindex at heights %v, the last run finished; state identical", len(kills), kills)
}
