package chain

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gamegold/gg/lib/wire"
)

// prunedChain connects n empty blocks to a chain with 2 KiB block files
// and an 8 KiB prune target.
func prunedChain(t *testing.T, dir string, n int) (*testChain, []*wire.MsgBlock, *blockGen) {
	t.Helper()
	g := newBlockGen()
	tc := openChainAt(t, dir, func(c *Config) { c.BlockFileSize, c.PruneTarget = 2048, 8192 })
	blocks := g.chainOf(g.params.GenesisBlock, n)
	tc.mustAccept(t, blocks...)
	return tc, blocks, g
}

// TestPrune: with a prune target, files whose blocks are all more than
// MinBlocksToKeep below the tip are deleted, oldest first; their blocks
// answer ErrPruned to every reader, the last MinBlocksToKeep blocks and
// their undo data stay (a reorganisation of a few blocks still works),
// the chain reopens consistent, and StorageInfo says so.
func TestPrune(t *testing.T) {
	dir := t.TempDir()
	tc, blocks, g := prunedChain(t, dir, 400)
	tip := tc.Best().Height
	info := tc.StorageInfo()
	if !info.Pruned || info.PruneTarget != 8192 || info.PruneHeight <= 0 || info.PruneHeight > tip-MinBlocksToKeep {
		t.Fatalf("StorageInfo %+v at tip %d", info, tip)
	}
	var onDisk int64
	ents, _ := os.ReadDir(filepath.Join(dir, "blocks"))
	for _, e := range ents {
		fi, _ := e.Info()
		onDisk += fi.Size()
	}
	if onDisk != info.SizeOnDisk {
		t.Fatalf("SizeOnDisk %d, files hold %d", info.SizeOnDisk, onDisk)
	}
	if _, err := os.Stat(filepath.Join(dir, "blocks", "blk00000.dat")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the first block file is still there: %v", err)
	}
	for i, b := range blocks {
		h := b.BlockHash()
		height := int32(i + 1)
		_, err := tc.BlockByHash(h)
		_, rawErr := tc.RawBlockByHash(h)
		_, spentErr := tc.SpentOutputs(h)
		switch {
		case height < info.PruneHeight:
			// Undo files fill more slowly: they may still be there.
			if !errors.Is(err, ErrPruned) || !errors.Is(rawErr, ErrPruned) || (spentErr != nil && !errors.Is(spentErr, ErrPruned)) {
				t.Fatalf("pruned block at %d: %v / %v / %v, want ErrPruned", height, err, rawErr, spentErr)
			}
		case height > tip-MinBlocksToKeep:
			if err != nil || rawErr != nil || spentErr != nil {
				t.Fatalf("block at %d, within %d of the tip: %v / %v / %v", height, MinBlocksToKeep, err, rawErr, spentErr)
			}
		}
	}
	if _, err := tc.BlockByHash(hashOf("unknown")); !errors.Is(err, ErrBlockNotFound) || errors.Is(err, ErrPruned) {
		t.Fatalf("unknown block: %v, want ErrBlockNotFound", err)
	}
	if err := tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}
	// A reorganisation of a few blocks needs the undo data kept.
	for range 3 {
		tc.disconnectTip(t)
	}
	for _, b := range blocks[len(blocks)-3:] {
		tc.reconnect(t, b.BlockHash())
	}
	if tc.Best().Height != tip {
		t.Fatalf("tip %d after the reorganisation, want %d", tc.Best().Height, tip)
	}
	info = tc.StorageInfo()
	tc.close()

	tc = openChainAt(t, dir, func(c *Config) { c.BlockFileSize, c.PruneTarget = 2048, 8192 })
	if got := tc.StorageInfo(); got.PruneHeight != info.PruneHeight || got.SizeOnDisk != info.SizeOnDisk {
		t.Fatalf("reopened: %+v, want %+v", got, info)
	}
	if err := tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}
	if _, err := tc.BlockByHash(blocks[0].BlockHash()); !errors.Is(err, ErrPruned) {
		t.Fatalf("reopened, pruned block: %v", err)
	}
	// More blocks prune more.
	more := g.chainOf(blocks[len(blocks)-1], 100)
	for _, b := range more {
		if _, _, err := tc.ProcessBlock(b, BFNone); err != nil {
			t.Fatal(err)
		}
	}
	if got := tc.StorageInfo(); got.PruneHeight <= info.PruneHeight {
		t.Fatalf("100 blocks later the prune height is still %d", got.PruneHeight)
	}
	if _, err := tc.SpentOutputs(blocks[0].BlockHash()); !errors.Is(err, ErrPruned) {
		t.Fatalf("undo data of block 1, 500 blocks below the tip: %v, want ErrPruned", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "blocks", "rev00000.dat")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the first undo file is still there: %v", err)
	}
	if err := tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}
}

// TestPruneErrors: a chain without a prune target deletes nothing and
// says so; Reindex refuses a pruned chain with ErrReindexPruned.
func TestPruneErrors(t *testing.T) {
	t.Run("off", func(t *testing.T) {
		g := newBlockGen()
		tc := openChain(t, func(c *Config) { c.BlockFileSize = 2048 })
		blocks := g.chainOf(g.params.GenesisBlock, 400)
		tc.mustAccept(t, blocks...)
		if info := tc.StorageInfo(); info.Pruned || info.PruneHeight != 0 {
			t.Fatalf("StorageInfo %+v without a prune target", info)
		}
		if _, err := tc.BlockByHash(blocks[0].BlockHash()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("reindex", func(t *testing.T) {
		dir := t.TempDir()
		tc, _, _ := prunedChain(t, dir, 400)
		tc.close()
		db := openDB(t, dir)
		defer db.Close()
		cfg := testConfig(db)
		cfg.BlockFileSize, cfg.PruneTarget = 2048, 8192
		if err := Reindex(context.Background(), cfg, nil); !errors.Is(err, ErrReindexPruned) {
			t.Fatalf("reindex of a pruned chain: %v, want ErrReindexPruned", err)
		}
		if pending, err := ReindexPending(db); err != nil || pending {
			t.Fatalf("the refused reindex left a marker: %v %v", pending, err)
		}
	})
}
