package chain

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/gamegold/gg/lib/blockfile"
	"github.com/gamegold/gg/lib/store"
)

// MinBlocksToKeep is how far below the tip pruning stops: a file goes
// only when every block (or undo record) in it is more than this many
// blocks below the tip, so the last MinBlocksToKeep blocks stay servable
// and a reorganisation of that depth can be undone.
const MinBlocksToKeep = 288

// MinPruneTarget is the smallest prune target a node accepts (550 MiB,
// as bitcoind): room for MinBlocksToKeep full blocks with their undo
// data and the file being written.
const MinPruneTarget = 550 << 20

// StorageInfo describes the block storage (getblockchaininfo's pruned,
// pruneheight, prune_target_size and size_on_disk).
type StorageInfo struct {
	// Pruned: pruning is on (Config.PruneTarget above zero).
	Pruned bool
	// PruneHeight is the lowest active-chain height whose block and undo
	// data are both kept (0 when nothing was pruned).
	PruneHeight int32
	// PruneTarget is Config.PruneTarget.
	PruneTarget int64
	// SizeOnDisk is the committed bytes of the block and undo files.
	SizeOnDisk int64
}

// StorageInfo reports the block storage's state.
func (c *Chain) StorageInfo() StorageInfo {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return StorageInfo{Pruned: c.cfg.PruneTarget > 0, PruneHeight: c.pruneHeight(), PruneTarget: c.cfg.PruneTarget,
		SizeOnDisk: c.files.blocks.TotalSize() + c.files.undo.TotalSize()}
}

// pruneHeight is the lowest active-chain height not pruned (under mu).
func (c *Chain) pruneHeight() int32 {
	for int(c.prunedBelow) < len(c.index.main) && c.index.main[c.prunedBelow].status&statusPruned != 0 {
		c.prunedBelow++
	}
	return c.prunedBelow
}

// maybePrune deletes files while the files pass Config.PruneTarget
// (under mu, after a commit). A failure is logged: the chain is
// consistent either way, the files only stay.
func (c *Chain) maybePrune() {
	if c.cfg.PruneTarget <= 0 {
		return
	}
	if err := c.prune(c.cfg.PruneTarget); err != nil {
		c.log.Warn("cannot prune the block files", "err", err)
	}
}

type pruneFile struct {
	kind byte
	num  uint32
	info blockfile.Info
}

// prune deletes the oldest prunable files until the rest fit target.
// One write transaction drops the positions into them from the block
// index records, flags those blocks statusPruned and drops the files'
// lengths; the files are
// deleted after it commits (a crash in between leaves files without a
// length, which the next open deletes).
func (c *Chain) prune(target int64) error {
	total := c.files.blocks.TotalSize() + c.files.undo.TotalSize()
	if total <= target {
		return nil
	}
	limit := c.index.tip().height - MinBlocksToKeep
	var cands []pruneFile
	for _, s := range []struct {
		kind  byte
		files *blockfile.Files
	}{{kindBlocks, c.files.blocks}, {kindUndo, c.files.undo}} {
		for n, fi := range s.files.Infos() {
			if n != s.files.Current() && fi.MaxHeight < limit {
				cands = append(cands, pruneFile{s.kind, n, fi})
			}
		}
	}
	slices.SortFunc(cands, func(a, b pruneFile) int {
		return cmp.Or(cmp.Compare(a.info.MaxHeight, b.info.MaxHeight), cmp.Compare(a.kind, b.kind), cmp.Compare(a.num, b.num))
	})
	var pick []pruneFile
	sets := map[byte]map[uint32]bool{kindBlocks: {}, kindUndo: {}}
	for _, f := range cands {
		if total <= target {
			break
		}
		pick = append(pick, f)
		sets[f.kind][f.num] = true
		total -= int64(f.info.Size)
	}
	if len(pick) == 0 {
		return nil
	}
	// Crash recovery replays the blocks after the utxo bucket's block:
	// flush before any of them can go.
	if c.utxoTip != nil && c.utxoTip != c.index.tip() {
		for _, f := range pick {
			if f.kind == kindBlocks && f.info.MaxHeight > c.utxoTip.height {
				if err := c.flushUtxos(); err != nil {
					return fmt.Errorf("chain: prune: %w", err)
				}
				break
			}
		}
	}
	// The blocks concerned, with what their records become.
	type change struct {
		n                 *blockNode
		blockPos, undoPos blockfile.Pos
	}
	var changes []change
	for _, n := range c.index.nodes {
		dropBlock := n.blockPos.Size != 0 && sets[kindBlocks][n.blockPos.File]
		dropUndo := n.undoPos.Size != 0 && sets[kindUndo][n.undoPos.File]
		if !dropBlock && !dropUndo {
			continue
		}
		ch := change{n, n.blockPos, n.undoPos}
		if dropBlock {
			ch.blockPos = blockfile.Pos{}
		}
		if dropUndo {
			ch.undoPos = blockfile.Pos{}
		}
		changes = append(changes, ch)
	}
	err := c.db.Update(func(tx *store.Tx) error {
		idxB := tx.Bucket(bucketBlockIndex)
		for _, ch := range changes {
			rec := *ch.n
			rec.status |= statusPruned
			rec.blockPos, rec.undoPos = ch.blockPos, ch.undoPos
			if err := idxB.Put(indexKey(&rec), indexValue(&rec)); err != nil {
				return err
			}
		}
		fb := tx.Bucket(bucketBlockFiles)
		for _, f := range pick {
			if err := fb.Delete(fileKey(f.kind, f.num)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("chain: prune: %w", err)
	}
	for _, ch := range changes {
		ch.n.status |= statusPruned
		ch.n.blockPos, ch.n.undoPos = ch.blockPos, ch.undoPos
	}
	var maxHeight int32
	for _, f := range pick {
		files := c.files.blocks
		if f.kind == kindUndo {
			files = c.files.undo
		}
		if err := files.Remove(f.num); err != nil {
			return fmt.Errorf("chain: prune: %w", err)
		}
		maxHeight = max(maxHeight, f.info.MaxHeight)
	}
	c.log.Info("pruned block files", "files", len(pick), "blocks", len(changes), "upToHeight", maxHeight,
		"pruneHeight", c.pruneHeight(), "sizeOnDisk", total)
	return nil
}
