package chain

import (
	"cmp"
	"fmt"
	"slices"
	"time"

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

// migrateBlocks moves the blocks and undo data of a database written
// before the block files (buckets "blocks" and "undo") into the files.
// It works in batches, in the block index's height order: each appends
// its blocks and undo records, fsyncs the files, then commits one
// transaction that records their positions and the files' lengths and
// deletes the moved entries. A kill at any point loses nothing: the
// entries not yet deleted are moved again on the next open, and what
// was appended after the last commit is cut off by the files' recovery.
// The empty buckets go in the last batch's transaction.
func (c *Chain) migrateBlocks() error {
	var legacy bool
	var total int
	if err := c.db.View(func(tx *store.Tx) error {
		b, u := tx.Bucket(bucketLegacyBlocks), tx.Bucket(bucketLegacyUndo)
		legacy = b != nil || u != nil
		if b != nil {
			total = b.Stats().KeyN
		}
		return nil
	}); err != nil {
		return err
	}
	if !legacy {
		return nil
	}
	nodes := make([]*blockNode, 0, len(c.index.nodes))
	for _, n := range c.index.nodes {
		if n.status&statusDataStored != 0 {
			nodes = append(nodes, n)
		}
	}
	slices.SortFunc(nodes, func(a, b *blockNode) int {
		return cmp.Or(cmp.Compare(a.height, b.height), slices.Compare(a.hash[:], b.hash[:]))
	})
	start := time.Now()
	c.log.Info("moving blocks and undo data into block files", "blocks", total, "dir", c.blocksDir())
	moved, next, batch := 0, 0, 0
	lastLog := start
	for finished := false; !finished; {
		var n, at int
		err := c.update(func(tx *store.Tx) error {
			n, at, finished = 0, next, false
			blocks, undo := tx.Bucket(bucketLegacyBlocks), tx.Bucket(bucketLegacyUndo)
			size := 0
			for ; at < len(nodes) && n < migrateBatchBlocks && size < migrateBatchBytes; at++ {
				node := nodes[at]
				if blocks != nil {
					if raw := blocks.Get(node.hash[:]); raw != nil {
						if err := c.storeBlock(tx, node, raw); err != nil {
							return err
						}
						size += len(raw)
						n++
						if err := blocks.Delete(node.hash[:]); err != nil {
							return err
						}
					}
				}
				if undo != nil {
					if raw := undo.Get(node.hash[:]); raw != nil {
						if err := c.storeUndo(tx, node, raw); err != nil {
							return err
						}
						size += len(raw)
						if err := undo.Delete(node.hash[:]); err != nil {
							return err
						}
					}
				}
			}
			if at < len(nodes) {
				return nil
			}
			// Whatever is left belongs to no indexed block: nothing can
			// read it.
			for _, name := range [][]byte{bucketLegacyBlocks, bucketLegacyUndo} {
				if tx.Bucket(name) == nil {
					continue
				}
				if left := tx.Bucket(name).Stats().KeyN; left > 0 {
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
			return fmt.Errorf("chain: moving blocks into block files (%d of %d moved): %w", moved, total, err)
		}
		next, moved, batch = at, moved+n, batch+1
		if now := time.Now(); finished || now.Sub(lastLog) >= migrateLogEvery {
			lastLog = now
			c.log.Info("moving blocks into block files", "moved", moved, "total", total, "elapsed", now.Sub(start).Round(time.Millisecond))
		}
		if migrateHook != nil {
			if err := migrateHook(batch); err != nil {
				return fmt.Errorf("chain: moving blocks into block files (%d of %d moved): %w", moved, total, err)
			}
		}
	}
	c.log.Info("blocks moved into block files", "blocks", moved, "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}
