package chain

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// Defaults and floor of the write-back UTXO layer (Config.UtxoCacheBytes,
// UtxoFlushBlocks, UtxoFlushInterval).
const (
	DefaultUtxoCacheBytes    = 250 << 20
	MinUtxoCacheBytes        = 4 << 20
	DefaultUtxoFlushBlocks   = 1000
	DefaultUtxoFlushInterval = 10 * time.Minute
)

// keyUtxoTip, in the chainstate bucket, names the block the utxo bucket
// is consistent with: hash (32) || height (uint32 BE). Absent means the
// best record's block (a database written before the write-back layer,
// or just reindexed); New then writes it before anything else commits.
var keyUtxoTip = []byte("utxotip")

// entryBytes estimates what a layer entry costs in memory: the map slot
// (key, pointer, overhead), the UtxoEntry, its two slice headers and its
// Game bytes. Its script is in a slab, counted whole when allocated
// (keep): a spent entry's script stays in memory as long as its slab.
func entryBytes(e *UtxoEntry) int64 {
	return 160 + int64(len(e.Game))
}

// spentMarker is the layer's entry for an output to delete from the
// utxo bucket at the next flush. Shared; never modified.
var spentMarker = &UtxoEntry{state: entrySpent}

// utxoLayer is the write-back half of the UTXO cache: the outputs
// connected blocks created or spent since the last flush. An entry is
// unspent (entryFresh when the utxo bucket does not hold it, so spending
// it drops it without a trace) or spentMarker (the bucket's row goes at
// the flush). Lookups see it before the read cache and the bucket.
// Changed only under the chain's write lock, read under its read lock;
// entries are never modified once in it.
type utxoLayer struct {
	m      map[wire.OutPoint]*UtxoEntry
	bytes  int64     // sum of entryBytes over m, plus every slab's capacity
	blocks int       // blocks connected since the last flush
	since  time.Time // the last flush (or the start)
	slab   []byte    // output scripts are copied into 64 KiB slabs
}

func newUtxoLayer() *utxoLayer {
	return &utxoLayer{m: make(map[wire.OutPoint]*UtxoEntry), since: time.Now()}
}

func (l *utxoLayer) set(op wire.OutPoint, old, e *UtxoEntry) {
	if old != nil {
		l.bytes -= entryBytes(old)
	}
	l.m[op] = e
	l.bytes += entryBytes(e)
}

func (l *utxoLayer) del(op wire.OutPoint, old *UtxoEntry) {
	l.bytes -= entryBytes(old)
	delete(l.m, op)
}

// keep copies b into the current slab.
func (l *utxoLayer) keep(b []byte) []byte {
	if len(b) == 0 {
		return []byte{}
	}
	if cap(l.slab)-len(l.slab) < len(b) {
		l.slab = make([]byte, 0, max(64<<10, len(b)))
		l.bytes += int64(cap(l.slab)) // until the flush frees them all
	}
	n := len(l.slab)
	l.slab = append(l.slab, b...)
	return l.slab[n:len(l.slab):len(l.slab)]
}

// layerApply moves a committed view's changes into the layer (under the write
// lock, after the commit that did not flush).
func (c *Chain) layerApply(view *UtxoViewpoint) {
	l := c.layer
	for op, e := range view.entries {
		if e.state&entryModified == 0 {
			continue
		}
		old := l.m[op]
		if e.IsSpent() {
			c.cache.remove(op)
			switch {
			case old != nil && old.state&entryFresh != 0:
				// Created since the last flush: it never reaches disk.
				l.del(op, old)
			case e.state&entryFresh != 0, old != nil && old.IsSpent():
				// Created and spent in this view, or already marked.
			default:
				l.set(op, old, spentMarker)
			}
			continue
		}
		cp := &UtxoEntry{Amount: e.Amount, PkScript: l.keep(e.PkScript), Height: e.Height, Coinbase: e.Coinbase, Game: e.Game}
		// Fresh only when nothing on disk can hold op: the view found
		// nothing through the layer and the bucket, and the layer has no
		// deletion pending for it. Unsure means not fresh (a Put).
		if e.state&entryFresh != 0 && old == nil {
			cp.state = entryFresh
		} else {
			// The read cache holds only what the bucket holds, which
			// a fresh entry is not.
			c.cache.remove(op)
		}
		l.set(op, old, cp)
	}
}

// flushDue reports whether the layer, after a commit put its blocks in
// it, should be written out.
func (c *Chain) flushDue() bool {
	l := c.layer
	return l.bytes > c.cfg.UtxoCacheBytes ||
		l.blocks >= c.cfg.UtxoFlushBlocks ||
		time.Since(l.since) >= c.cfg.UtxoFlushInterval
}

// flushChunkEntries is how many layer entries one transaction of a flush
// writes (a variable for the crash test's child, which makes it small so
// that kills land between chunks). A transaction can only reuse pages
// freed by transactions committed before it: one transaction rewriting
// most of the utxo bucket needs its old and new pages at once and grows
// the file, chunks reuse the pages the chunk before them freed.
var flushChunkEntries = 16384

// errFlushStopped is what a flush returns when flushStop stops it.
var errFlushStopped = errors.New("flush stopped")

// writeChunk writes keys (sorted) from the layer to the utxo bucket.
func (c *Chain) writeChunk(tx *store.Tx, keys [][36]byte) error {
	l := c.layer
	b := tx.Bucket(bucketUtxo)
	arena := make([]byte, 0, 64*len(keys))
	for i := range keys {
		k := keys[i][:]
		e := l.m[keyOutpoint(k)]
		if e.IsSpent() {
			if err := b.Delete(k); err != nil {
				return err
			}
			continue
		}
		// bbolt holds keys and values until the commit: appending
		// never touches the bytes of the values already put (a grown
		// arena is a copy), so each value is a window on it.
		n := len(arena)
		arena = appendEntry(arena, e)
		if err := b.Put(k, arena[n:len(arena):len(arena)]); err != nil {
			return err
		}
	}
	return nil
}

func keyOutpoint(k []byte) wire.OutPoint {
	var op wire.OutPoint
	copy(op.Hash[:], k[:32])
	op.Index = binary.BigEndian.Uint32(k[32:])
	return op
}

func putUtxoTip(tx *store.Tx, tip *blockNode) error {
	v := binary.BigEndian.AppendUint32(append([]byte(nil), tip.hash[:]...), uint32(tip.height))
	return tx.Bucket(bucketChainState).Put(keyUtxoTip, v)
}

// layerFlushed empties the layer after the commit that wrote its last
// entries (and left the utxo bucket at tip). Its entries do not move to
// the read cache: they share 64 KiB script slabs, and the read cache's
// random eviction would leave slabs pinned by a few survivors each.
func (c *Chain) layerFlushed(tip *blockNode) {
	l := c.layer
	clear(l.m)
	l.bytes, l.blocks, l.since, l.slab = 0, 0, time.Now(), nil
	c.utxoTip = tip
}

// flushUtxos writes the layer to the utxo bucket, making the bucket
// consistent with the tip (under the write lock). It writes in key order,
// in transactions of flushChunkEntries entries; only the last records
// the tip in "utxotip", so a crash in between leaves the bucket a mix of
// the set at the old "utxotip" and changes of later active-chain blocks,
// which the replay from there brings to the tip (recoverUtxos). Entries
// leave the layer once their chunk committed: lookups see the layer, then
// the bucket, so they find every output at the tip throughout.
func (c *Chain) flushUtxos() error {
	tip := c.index.tip()
	if c.utxoTip == nil || len(c.layer.m) == 0 && c.utxoTip == tip {
		// Nil: a chain that never ran recoverUtxos (Reindex's), whose
		// layer stays empty.
		return nil
	}
	start := time.Now()
	l := c.layer
	n := len(l.m)
	keys := make([][36]byte, 0, n)
	for op := range l.m {
		keys = append(keys, outpointKey(op))
	}
	slices.SortFunc(keys, func(a, b [36]byte) int { return bytes.Compare(a[:], b[:]) })
	size := max(flushChunkEntries, 1)
	for i := 0; ; i++ {
		chunk := keys[:min(size, len(keys))]
		keys = keys[len(chunk):]
		last := len(keys) == 0
		if err := c.db.Update(func(tx *store.Tx) error {
			if err := c.writeChunk(tx, chunk); err != nil {
				return err
			}
			if last {
				return putUtxoTip(tx, tip)
			}
			return nil
		}); err != nil {
			return fmt.Errorf("chain: flush the utxo cache: %w", err)
		}
		if last {
			break
		}
		for _, k := range chunk {
			op := keyOutpoint(k[:])
			l.del(op, l.m[op])
		}
		if c.flushStop != nil && c.flushStop(i) {
			return errFlushStopped
		}
	}
	c.layerFlushed(tip)
	c.log.Debug("utxo cache flushed", "entries", n, "height", tip.height, "took", time.Since(start))
	return nil
}

// FlushUtxoCache writes the write-back UTXO cache to the database, so the
// stored UTXO set is that of the tip.
func (c *Chain) FlushUtxoCache() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	return c.flushUtxos()
}

// UtxoCacheStats reports the write-back layer: entries held (spent
// markers included), their estimated bytes, and the height the stored
// UTXO set is consistent with.
func (c *Chain) UtxoCacheStats() (entries int, bytes int64, flushedHeight int32) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.utxoTip != nil {
		flushedHeight = c.utxoTip.height
	}
	return len(c.layer.m), c.layer.bytes, flushedHeight
}

// recoverUtxos runs at start: when the utxo bucket is consistent with an
// earlier block than the tip (a crash between flushes), it re-applies the
// active chain's blocks after that one from the block files and flushes.
// Connecting a block changes the UTXO set by its contents alone (its
// inputs go, its spendable outputs come), so no validation and no undo
// data are needed; the game registries, indexes and block index were
// committed with each block and are at the tip already. A reorganisation
// flushes before its commit and records its new tip in it, so the
// recorded block is on the active chain; otherwise the database is
// corrupt. The bucket may hold changes of blocks after it (a crash
// between two chunks of a flush, or a failed flush before more blocks):
// the replay's changes are puts and deletes, harmless when already made.
func (c *Chain) recoverUtxos() error {
	tip := c.index.tip()
	var v []byte
	if err := c.db.View(func(tx *store.Tx) error {
		v = bytes.Clone(tx.Bucket(bucketChainState).Get(keyUtxoTip))
		return nil
	}); err != nil {
		return err
	}
	if v == nil {
		// Consistent with the best record's block: say so on disk
		// before a commit can leave the bucket behind it.
		if err := c.db.Update(func(tx *store.Tx) error { return putUtxoTip(tx, tip) }); err != nil {
			return err
		}
		c.utxoTip = tip
		return nil
	}
	if len(v) != 36 {
		return fmt.Errorf("chain: utxo tip record: %w", errCorrupt)
	}
	var h chainhash.Hash
	copy(h[:], v)
	from := c.index.nodes[h]
	if from == nil || from.height != int32(binary.BigEndian.Uint32(v[32:])) || !c.index.inMain(from) {
		return fmt.Errorf("chain: the UTXO set is that of block %v, not on the active chain (reindex): %w", h, errCorrupt)
	}
	c.utxoTip = from
	if from == tip {
		return nil
	}
	start := time.Now()
	for height := from.height + 1; height <= tip.height; height++ {
		n := c.index.main[height]
		blk, err := c.loadBlock(n)
		if err != nil {
			return fmt.Errorf("chain: replay block %v at height %d into the UTXO set: %w", n.hash, height, err)
		}
		view := NewUtxoViewpoint()
		for i, t := range blk.Transactions {
			if i > 0 {
				for _, in := range t.TxIn {
					view.SpendEntry(in.PreviousOutPoint)
				}
			}
			view.addTxOuts(t, t.TxHash(), height)
		}
		// A crash inside a chunked flush leaves changes of blocks
		// after "utxotip" in the bucket: nothing replayed is fresh
		// (known absent), so every replayed change is a put or a
		// delete, harmless when the bucket has it already.
		for _, e := range view.entries {
			e.state &^= entryFresh
		}
		c.layerApply(view)
	}
	c.replayed = int(tip.height - from.height)
	c.log.Info("utxo set replayed from the block files", "from", from.height, "to", tip.height,
		"blocks", c.replayed, "took", time.Since(start))
	return c.flushUtxos()
}
