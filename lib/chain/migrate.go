package chain

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/gamegold/gg/lib/blockfile"
	"github.com/gamegold/gg/lib/store"
)

// Bounds of one migration batch (one write transaction, the files
// fsynced before it commits), and how often progress is logged.
// Variables so tests can force many small batches.
var (
	migrateBatchBlocks = 1000
	migrateBatchBytes  = 64 << 20
	migrateLogEvery    = 5 * time.Second
	// migrateHook, if set (tests), runs after each committed batch; an
	// error stops the migration there, as a kill would.
	migrateHook func(batch int) error
)

// migrateBlocks brings a database written before the block files up to
// date: blocks and undo data move from the buckets "blocks" and "undo"
// into the files, and every block index record is rewritten with the
// positions. It works in batches, in the block index's height order (so
// the files fill oldest first, as pruning expects): each appends its
// records, fsyncs the files, then commits one transaction that rewrites
// the index records, records the files' lengths and deletes the moved
// entries. A kill at any point loses nothing: what was not committed is
// cut off the files on the next open, and the records still in the old
// form are picked up again. The emptied buckets go with the last batch.
func (c *Chain) migrateBlocks() error {
	var legacyBuckets bool
	if err := c.db.View(func(tx *store.Tx) error {
		legacyBuckets = tx.Bucket(bucketLegacyBlocks) != nil || tx.Bucket(bucketLegacyUndo) != nil
		return nil
	}); err != nil {
		return err
	}
	if !legacyBuckets && len(c.legacyRecords) == 0 {
		return nil
	}
	nodes := make([]*blockNode, 0, len(c.legacyRecords))
	for n := range c.legacyRecords {
		nodes = append(nodes, n)
	}
	slices.SortFunc(nodes, func(a, b *blockNode) int {
		return cmp.Or(cmp.Compare(a.height, b.height), slices.Compare(a.hash[:], b.hash[:]))
	})
	total := len(nodes)
	start := time.Now()
	c.log.Info("moving blocks and undo data into block files", "records", total, "dir", c.blocksDir())
	moved, next, batch := 0, 0, 0
	lastLog := start
	type update struct {
		n                 *blockNode
		blockPos, undoPos blockfile.Pos
	}
	var updates []update
	for finished := false; !finished; {
		var at int
		err := c.update(func(tx *store.Tx) error {
			at, finished, updates = next, false, updates[:0]
			blocks, undo := tx.Bucket(bucketLegacyBlocks), tx.Bucket(bucketLegacyUndo)
			idxB := tx.Bucket(bucketBlockIndex)
			idxB.FillPercent = 1
			size := 0
			for ; at < len(nodes) && at-next < migrateBatchBlocks && size < migrateBatchBytes; at++ {
				rec := *nodes[at]
				if blocks != nil {
					if raw := blocks.Get(rec.hash[:]); raw != nil {
						var err error
						if rec.blockPos, err = c.storeBlock(&rec, raw); err != nil {
							return err
						}
						size += len(raw)
						if err := blocks.Delete(rec.hash[:]); err != nil {
							return err
						}
					}
				}
				if undo != nil {
					if raw := undo.Get(rec.hash[:]); raw != nil {
						var err error
						if rec.undoPos, err = c.storeUndo(&rec, raw); err != nil {
							return err
						}
						size += len(raw)
						if err := undo.Delete(rec.hash[:]); err != nil {
							return err
						}
					}
				}
				if err := idxB.Put(indexKey(&rec), indexValue(&rec)); err != nil {
					return err
				}
				updates = append(updates, update{nodes[at], rec.blockPos, rec.undoPos})
			}
			if at < len(nodes) {
				return nil
			}
			// Whatever is left belongs to no indexed block: nothing can
			// read it.
			for _, name := range [][]byte{bucketLegacyBlocks, bucketLegacyUndo} {
				b := tx.Bucket(name)
				if b == nil {
					continue
				}
				if left := b.Stats().KeyN; left > 0 {
					c.log.Warn("dropping records of blocks not in the block index", "bucket", string(name), "records", left)
				}
				if err := tx.DeleteBucket(name); err != nil {
					return err
				}
			}
			finished = true
			return nil
		})
		if err != nil {
			return fmt.Errorf("chain: moving blocks into block files (%d of %d done): %w", moved, total, err)
		}
		for _, u := range updates {
			u.n.blockPos, u.n.undoPos = u.blockPos, u.undoPos
			delete(c.legacyRecords, u.n)
		}
		next, moved, batch = at, at, batch+1
		if now := time.Now(); finished || now.Sub(lastLog) >= migrateLogEvery {
			lastLog = now
			c.log.Info("moving blocks into block files", "done", moved, "total", total, "elapsed", now.Sub(start).Round(time.Millisecond))
		}
		if migrateHook != nil && !finished {
			if err := migrateHook(batch); err != nil {
				return fmt.Errorf("chain: moving blocks into block files (%d of %d done): %w", moved, total, err)
			}
		}
	}
	c.legacyRecords = nil
	c.log.Info("blocks moved into block files", "records", total, "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}
