package chain

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gamegold/gg/lib/blockfile"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
)

// ErrReindexPending is returned by New while a Reindex that was
// interrupted (killed, cancelled or stopped by a failing block) has left
// the UTXO set, undo data and game registries half built. Run Reindex
// again: it resumes where the last committed batch ended.
var ErrReindexPending = errors.New("chain: an interrupted reindex must be finished first")

// keyReindex, in the chainstate bucket, marks a reindex in progress:
// target tip hash (32) || height of the last block rebuilt (uint32 BE).
// The UTXO set, undo data and registries are exactly those of the main
// chain up to that height; the block index, block data, height index and
// best record are those of the target tip.
var keyReindex = []byte("reindex")

// Batch bounds of Reindex: a batch is one write transaction, committed
// (with fsync) before the next starts. Variables so tests can force many
// small batches.
var (
	reindexBatchBlocks  int32 = 500
	reindexBatchEntries       = 200_000 // UTXO view entries held before a commit
)

func reindexValue(tip chainhash.Hash, height int32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), tip[:]...), uint32(height))
}

// reindexMarker reads the marker: ok is false when no reindex is in
// progress.
func reindexMarker(tx *store.Tx) (tip chainhash.Hash, height int32, ok bool, err error) {
	b := tx.Bucket(bucketChainState)
	if b == nil {
		return tip, 0, false, nil
	}
	v := b.Get(keyReindex)
	if v == nil {
		return tip, 0, false, nil
	}
	if len(v) != 36 {
		return tip, 0, false, fmt.Errorf("chain: reindex record: %w", errCorrupt)
	}
	copy(tip[:], v)
	return tip, int32(binary.BigEndian.Uint32(v[32:])), true, nil
}

// ReindexPending reports whether db holds the state of an unfinished
// Reindex (New then fails with ErrReindexPending).
func ReindexPending(db *store.DB) (bool, error) {
	var ok bool
	err := db.View(func(tx *store.Tx) error {
		var err error
		_, _, ok, err = reindexMarker(tx)
		return err
	})
	return ok, err
}

func (c *Chain) refuseHalfBuilt() error {
	return c.db.View(func(tx *store.Tx) error {
		_, h, ok, err := reindexMarker(tx)
		if err != nil || !ok {
			return err
		}
		return fmt.Errorf("%w (rebuilt up to height %d of %d)", ErrReindexPending, h, c.Best().Height)
	})
}

// Reindex rebuilds the UTXO set, the undo data and the game registries of
// cfg.DB from the stored blocks of the active chain, genesis up,
// validating every block again as ProcessBlock would (the proof of work,
// sanity, header context, BIP34 height, finality, inputs, scripts and game
// rules; not the future-time limit, which judges arrival). The block index,
// the block data, the height index and the best record are kept: the
// active chain stays as it is, and a block of it that fails validation
// stops the reindex with an error naming it.
//
// Call it on an opened database before New (with the same Config; a
// GameHook is refused because its state cannot be rebuilt). The work is
// committed in batches: a durable marker records the target tip and the
// height reached, so after a kill, a cancelled ctx or an error New refuses
// the half-built state (ErrReindexPending) and the next Reindex resumes at
// the height reached. progress, if not nil, is called after each batch
// with the height reached and the tip height.
func Reindex(ctx context.Context, cfg Config, progress func(height, tip int32)) error {
	if cfg.GameHook != nil {
		return errors.New("chain: reindex with a GameHook is not supported (its state cannot be rebuilt)")
	}
	c, err := open(cfg)
	if err != nil {
		return err
	}
	defer c.closeFiles()
	for _, n := range c.index.main {
		if n.status&statusPruned != 0 {
			return fmt.Errorf("%w (blocks below height %d)", ErrReindexPruned, c.pruneHeight())
		}
	}
	return c.reindex(ctx, progress)
}

func (c *Chain) reindex(ctx context.Context, progress func(height, tip int32)) error {
	tip := c.index.tip()
	var done int32
	var target chainhash.Hash
	var pending bool
	if err := c.db.View(func(tx *store.Tx) error {
		var err error
		target, done, pending, err = reindexMarker(tx)
		return err
	}); err != nil {
		return err
	}
	var beforeUtxo, beforeReg chainhash.Hash
	var beforeN uint64
	compare := false // the state before is the tip's, to compare with the rebuilt one
	if pending {
		if target != tip.hash || done < 0 || done > tip.height {
			return fmt.Errorf("chain: reindex record names tip %v at height %d, the best block is %v: %w",
				target, done, tip.hash, errCorrupt)
		}
		c.log.Info("reindex resumed", "height", done, "tip", tip.hash, "tipHeight", tip.height)
	} else {
		// A utxo bucket behind the tip (a crash between flushes of the
		// write-back cache: utxotip names an earlier block) cannot be
		// compared with the rebuilt set.
		var behind bool
		if err := c.db.View(func(tx *store.Tx) error {
			v := tx.Bucket(bucketChainState).Get(keyUtxoTip)
			behind = len(v) >= chainhash.HashSize && !bytes.Equal(v[:chainhash.HashSize], tip.hash[:])
			return nil
		}); err != nil {
			return err
		}
		if behind {
			c.log.Info("reindex: the stored UTXO set was behind the tip (a crash between cache flushes)")
		}
		compare = !behind
		var err error
		if beforeUtxo, beforeN, err = c.utxoBucketHash(); err != nil {
			return err
		}
		if beforeReg, err = c.RegistryHash(); err != nil {
			return err
		}
		// The undo files go too: their records are rewritten.
		var dropped []*blockNode
		if err := c.db.Update(func(tx *store.Tx) error {
			dropped = dropped[:0]
			idxB := tx.Bucket(bucketBlockIndex)
			for _, n := range c.index.nodes {
				if n.undoPos.Size == 0 {
					continue
				}
				rec := *n
				rec.undoPos = blockfile.Pos{}
				if err := idxB.Put(indexKey(&rec), indexValue(&rec)); err != nil {
					return err
				}
				dropped = append(dropped, n)
			}
			for _, name := range append([][]byte{bucketUtxo}, regBucketNames[:]...) {
				if err := tx.DeleteBucket(name); err != nil {
					return fmt.Errorf("chain: reindex: clear %s: %w", name, err)
				}
				if _, err := tx.CreateBucket(name); err != nil {
					return fmt.Errorf("chain: reindex: clear %s: %w", name, err)
				}
			}
			fb := tx.Bucket(bucketBlockFiles)
			for n := range c.files.undo.Infos() {
				if err := fb.Delete(fileKey(kindUndo, n)); err != nil {
					return err
				}
			}
			// Rebuilt to the best record's block: the write-back
			// cache's record goes (absent means that block).
			if err := tx.Bucket(bucketChainState).Delete(keyUtxoTip); err != nil {
				return err
			}
			return tx.Bucket(bucketChainState).Put(keyReindex, reindexValue(tip.hash, 0))
		}); err != nil {
			return err
		}
		for _, n := range dropped {
			n.undoPos = blockfile.Pos{}
		}
		if err := c.files.undo.Reset(); err != nil {
			return fmt.Errorf("chain: reindex: %w", err)
		}
		c.log.Info("reindex started", "tip", tip.hash, "tipHeight", tip.height,
			"utxos", beforeN, "utxoHash", beforeUtxo, "registryHash", beforeReg)
	}
	if progress != nil {
		progress(done, tip.height)
	}
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("chain: reindex stopped at height %d of %d: %w", done, tip.height, err)
		}
		next, err := c.reindexBatch(ctx, done, tip)
		if err != nil {
			return err
		}
		done = next
		if progress != nil {
			progress(done, tip.height)
		}
		if done == tip.height {
			break
		}
	}
	afterUtxo, afterN, err := c.utxoBucketHash()
	if err != nil {
		return err
	}
	afterReg, err := c.RegistryHash()
	if err != nil {
		return err
	}
	attrs := []any{"height", tip.height, "tip", tip.hash, "utxos", afterN, "utxoHash", afterUtxo, "registryHash", afterReg}
	if !compare {
		// The state before the first run is gone, or was behind the
		// tip: nothing to compare.
		c.log.Info("reindex finished", attrs...)
		return nil
	}
	unchanged := afterUtxo == beforeUtxo && afterN == beforeN && afterReg == beforeReg
	c.log.Info("reindex finished", append(attrs, "unchanged", unchanged)...)
	if !unchanged {
		c.log.Warn("reindex repaired the chain state: the UTXO set or the game registries differed from the rebuilt ones",
			"utxosBefore", beforeN, "utxoHashBefore", beforeUtxo, "registryHashBefore", beforeReg)
	}
	return nil
}

// reindexBatch connects the active chain's blocks after height done in
// one write transaction and returns the height reached. The marker moves
// with them, and goes when the tip is reached.
func (c *Chain) reindexBatch(ctx context.Context, done int32, tip *blockNode) (int32, error) {
	view := NewUtxoViewpoint()
	var next int32
	var total uint64
	var undoPos []blockfile.Pos // of the blocks after done, applied once committed
	err := c.update(func(tx *store.Tx) error {
		next, total, undoPos = done, 0, undoPos[:0]
		idxB := tx.Bucket(bucketBlockIndex)
		type pendingCheck struct {
			node *blockNode
			wait func() error
		}
		var checks []pendingCheck
		defer func() {
			for _, pc := range checks {
				pc.wait()
			}
		}()
		mainB := tx.Bucket(bucketMainChain)
		for next < tip.height && next-done < reindexBatchBlocks && len(view.entries) < reindexBatchEntries {
			if next > done && ctx.Err() != nil {
				break // commit what is done
			}
			n := c.index.main[next+1]
			if v := mainB.Get(heightKey(n.height)); !bytes.Equal(v, n.hash[:]) {
				return fmt.Errorf("chain: reindex: height index at %d is %x, the active chain has %v: %w", n.height, v, n.hash, errCorrupt)
			}
			blk, err := c.loadBlock(n)
			if err != nil {
				return fmt.Errorf("chain: reindex: %w", err)
			}
			if h := blk.BlockHash(); h != n.hash {
				return fmt.Errorf("chain: reindex: stored block %v at height %d hashes to %v: %w", n.hash, n.height, h, errCorrupt)
			}
			fail := func(err error) error {
				// An earlier block of the batch may have failed its
				// scripts: that one is the first bad block.
				for len(checks) > 0 {
					pc := checks[0]
					checks = checks[1:]
					if perr := pc.wait(); perr != nil {
						return fmt.Errorf("chain: reindex: block %v at height %d: %w", pc.node.hash, pc.node.height, perr)
					}
				}
				return fmt.Errorf("chain: reindex: block %v at height %d: %w", n.hash, n.height, err)
			}
			txids, err := checkBlockSanity(blk, n.hash, c.params, BFNone)
			if err != nil {
				return fail(err)
			}
			if err := c.checkHeaderContext(&blk.Header, n.parent); err != nil {
				return fail(err)
			}
			if err := checkBlockContext(blk, n.parent); err != nil {
				return fail(err)
			}
			undo, wait, err := c.checkConnectBlock(tx, n, blk, txids, view, true)
			if err != nil {
				return fail(err)
			}
			checks = append(checks, pendingCheck{n, wait})
			rec := *n
			if rec.undoPos, err = c.storeUndo(n, undo.encode()); err != nil {
				return err
			}
			if err := idxB.Put(indexKey(&rec), indexValue(&rec)); err != nil {
				return err
			}
			undoPos = append(undoPos, rec.undoPos)
			total += uint64(len(blk.Transactions))
			next++
		}
		if err := writeView(tx, view); err != nil {
			return err
		}
		st := tx.Bucket(bucketChainState)
		if next == tip.height {
			if err := st.Delete(keyReindex); err != nil {
				return err
			}
		} else if err := st.Put(keyReindex, reindexValue(tip.hash, next)); err != nil {
			return err
		}
		// Everything is written; the commit waits for the scripts.
		for len(checks) > 0 {
			pc := checks[0]
			checks = checks[1:]
			if err := pc.wait(); err != nil {
				return fmt.Errorf("chain: reindex: block %v at height %d: %w", pc.node.hash, pc.node.height, err)
			}
		}
		return nil
	})
	if err != nil {
		return done, err
	}
	for i, p := range undoPos {
		c.index.main[done+1+int32(i)].undoPos = p
	}
	c.cacheView(view)
	c.log.Debug("reindex batch", "from", done+1, "to", next, "txs", total)
	return next, nil
}
