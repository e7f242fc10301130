package chain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/gamegold/gg/lib/blockfile"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// Block and undo files (lib/blockfile) beside the database, in
// Config.BlocksDir (default: "blocks" in the database's directory).
const (
	blockFilePrefix = "blk"
	undoFilePrefix  = "rev"
	// kinds, the first byte of a blockfiles key
	kindBlocks = 'b'
	kindUndo   = 'u'
)

var (
	blockFileMagic = [4]byte{'g', 'g', 'b', 'k'}
	undoFileMagic  = [4]byte{'g', 'g', 'u', 'n'}
)

// ErrPruned is returned for a block whose data (or undo data) was
// deleted by pruning (Config.PruneTarget).
var ErrPruned = errors.New("block data pruned")

// ErrReindexPruned is Reindex's refusal on a pruned chain: the blocks it
// would replay are gone.
var ErrReindexPruned = errors.New("chain: cannot reindex a pruned chain: its early blocks are deleted")

// blockFiles holds the two series of flat files.
type blockFiles struct {
	blocks, undo *blockfile.Files
}

func fileKey(kind byte, n uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte{kind}, n)
}

func (c *Chain) blocksDir() string {
	if c.cfg.BlocksDir != "" {
		return c.cfg.BlocksDir
	}
	return filepath.Join(filepath.Dir(c.db.Path()), "blocks")
}

// openFiles opens the block and undo files with the lengths the
// blockfiles bucket recorded, cutting off what was never committed.
func (c *Chain) openFiles() error {
	committed := map[byte]map[uint32]blockfile.Info{kindBlocks: {}, kindUndo: {}}
	err := c.db.View(func(tx *store.Tx) error {
		return tx.Bucket(bucketBlockFiles).ForEach(func(k, v []byte) error {
			if len(k) != 5 || committed[k[0]] == nil {
				return fmt.Errorf("chain: block file record %x: %w", k, errCorrupt)
			}
			fi, err := blockfile.DecodeInfo(v)
			if err != nil {
				return fmt.Errorf("chain: block file record %x: %w", k, err)
			}
			committed[k[0]][binary.BigEndian.Uint32(k[1:])] = fi
			return nil
		})
	})
	if err != nil {
		return err
	}
	dir := c.blocksDir()
	opts := blockfile.Options{Magic: blockFileMagic, MaxFileSize: c.cfg.BlockFileSize, NoSync: c.db.NoSync()}
	blocks, err := blockfile.Open(dir, blockFilePrefix, opts, committed[kindBlocks])
	if err != nil {
		return fmt.Errorf("chain: block files: %w", err)
	}
	opts.Magic = undoFileMagic
	undo, err := blockfile.Open(dir, undoFilePrefix, opts, committed[kindUndo])
	if err != nil {
		blocks.Close()
		return fmt.Errorf("chain: undo files: %w", err)
	}
	c.files = blockFiles{blocks: blocks, undo: undo}
	return nil
}

func (c *Chain) closeFiles() {
	if c.files.blocks != nil {
		c.files.blocks.Close()
		c.files.undo.Close()
	}
}

// update runs fn in a write transaction that may append to the block and
// undo files: before the commit it fsyncs what fn appended (unless the
// database runs without fsync) and records the files' new lengths, so
// the positions fn stored never point past what is on disk. After a
// failure the appended bytes are cut off again.
func (c *Chain) update(fn func(tx *store.Tx) error) error {
	noSync := c.db.NoSync()
	err := c.db.Update(func(tx *store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return c.recordFiles(tx, noSync)
	})
	if err != nil {
		if rerr := c.rollbackFiles(); rerr != nil {
			c.log.Error("cannot roll back the block files", "err", rerr)
		}
		return err
	}
	c.files.blocks.Commit()
	c.files.undo.Commit()
	return nil
}

// recordFiles syncs the files written in this transaction and records
// their lengths in it.
func (c *Chain) recordFiles(tx *store.Tx, noSync bool) error {
	b := tx.Bucket(bucketBlockFiles)
	for _, s := range []struct {
		kind  byte
		files *blockfile.Files
	}{{kindBlocks, c.files.blocks}, {kindUndo, c.files.undo}} {
		changed := s.files.Changed()
		if len(changed) == 0 {
			continue
		}
		s.files.SetNoSync(noSync)
		if err := s.files.Sync(); err != nil {
			return fmt.Errorf("chain: %w", err)
		}
		for n, fi := range changed {
			if err := b.Put(fileKey(s.kind, n), fi.Encode()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Chain) rollbackFiles() error {
	return errors.Join(c.files.blocks.Rollback(), c.files.undo.Rollback())
}

// Sync makes everything committed durable: the block and undo files,
// then the database. A bulk load that turned the database's fsync off
// (store.DB.SetNoSync) ends with it, instead of the database's Sync.
func (c *Chain) Sync() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.files.blocks.SyncAll(); err != nil {
		return fmt.Errorf("chain: %w", err)
	}
	if err := c.files.undo.SyncAll(); err != nil {
		return fmt.Errorf("chain: %w", err)
	}
	return c.db.Sync()
}

// storeBlock appends a block's serialization to the block files and
// records its position.
func (c *Chain) storeBlock(tx *store.Tx, n *blockNode, raw []byte) error {
	pos, err := c.files.blocks.Append(raw, n.height)
	if err != nil {
		return fmt.Errorf("chain: store block %v: %w", n.hash, err)
	}
	return tx.Bucket(bucketBlockPos).Put(n.hash[:], pos.Encode())
}

// storeUndo appends a block's undo data to the undo files and records
// its position.
func (c *Chain) storeUndo(tx *store.Tx, n *blockNode, raw []byte) error {
	pos, err := c.files.undo.Append(raw, n.height)
	if err != nil {
		return fmt.Errorf("chain: store undo data of %v: %w", n.hash, err)
	}
	return tx.Bucket(bucketUndoPos).Put(n.hash[:], pos.Encode())
}

func lookupPos(tx *store.Tx, bucket []byte, h chainhash.Hash) (blockfile.Pos, bool, error) {
	v := tx.Bucket(bucket).Get(h[:])
	if v == nil {
		return blockfile.Pos{}, false, nil
	}
	p, err := blockfile.DecodePos(v)
	return p, err == nil, err
}

// readRecord reads a record; a file deleted by pruning is ErrPruned.
func readRecord(files *blockfile.Files, p blockfile.Pos) ([]byte, error) {
	raw, err := files.Read(p)
	if errors.Is(err, blockfile.ErrMissing) {
		return nil, fmt.Errorf("%w (%w)", ErrPruned, err)
	}
	return raw, err
}

// rawBlockTx reads a stored block inside tx.
func (c *Chain) rawBlockTx(tx *store.Tx, h chainhash.Hash) ([]byte, error) {
	p, ok, err := lookupPos(tx, bucketBlockPos, h)
	if err != nil {
		return nil, fmt.Errorf("chain: block %v: %w", h, err)
	}
	if !ok {
		return nil, fmt.Errorf("chain: block %v: %w", h, ErrBlockNotFound)
	}
	raw, err := readRecord(c.files.blocks, p)
	if err != nil {
		return nil, fmt.Errorf("chain: block %v: %w", h, err)
	}
	return raw, nil
}

// loadBlock reads and decodes a stored block inside tx.
func (c *Chain) loadBlock(tx *store.Tx, h chainhash.Hash) (*wire.MsgBlock, error) {
	raw, err := c.rawBlockTx(tx, h)
	if err != nil {
		return nil, err
	}
	blk, err := wire.DecodeBlock(raw)
	if err != nil {
		return nil, fmt.Errorf("chain: stored block %v: %w", h, err)
	}
	return blk, nil
}

// loadUndo reads and decodes a block's undo data inside tx.
func (c *Chain) loadUndo(tx *store.Tx, h chainhash.Hash) (*blockUndo, error) {
	p, ok, err := lookupPos(tx, bucketUndoPos, h)
	if err != nil {
		return nil, fmt.Errorf("chain: undo data of %v: %w", h, err)
	}
	if !ok {
		return nil, fmt.Errorf("chain: undo data of %v missing", h)
	}
	raw, err := readRecord(c.files.undo, p)
	if err != nil {
		return nil, fmt.Errorf("chain: undo data of %v: %w", h, err)
	}
	u, err := decodeUndo(raw)
	if err != nil {
		return nil, fmt.Errorf("chain: undo data of %v: %w", h, err)
	}
	return u, nil
}

// rawBlock reads a stored block outside any transaction: the position
// comes from a short read transaction, the bytes from the file after it.
// A block without a position is ErrPruned when pruning deleted it,
// ErrBlockNotFound otherwise.
func (c *Chain) rawBlock(h chainhash.Hash) ([]byte, error) {
	var p blockfile.Pos
	var ok bool
	err := c.db.View(func(tx *store.Tx) error {
		var err error
		p, ok, err = lookupPos(tx, bucketBlockPos, h)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("chain: block %v: %w", h, err)
	}
	if !ok {
		// The chain's lock only after the read transaction: a commit
		// that grows the database waits for open read transactions.
		c.mu.RLock()
		n := c.index.nodes[h]
		pruned := n != nil && n.status&statusPruned != 0
		c.mu.RUnlock()
		if pruned {
			return nil, fmt.Errorf("chain: block %v at height %d: %w", h, n.height, ErrPruned)
		}
		return nil, fmt.Errorf("chain: block %v: %w", h, ErrBlockNotFound)
	}
	raw, err := readRecord(c.files.blocks, p)
	if err != nil {
		return nil, fmt.Errorf("chain: block %v: %w", h, err)
	}
	return raw, nil
}
