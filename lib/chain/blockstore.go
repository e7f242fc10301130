package chain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

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
	for _, s := range []struct {
		name  string
		files *blockfile.Files
	}{{"block", blocks}, {"undo", undo}} {
		if cut, removed := s.files.Recovered(); cut > 0 || removed > 0 {
			c.log.Info("cut uncommitted data off the "+s.name+" files", "bytes", cut, "files", removed)
		}
	}
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
	err := c.db.Update(func(tx *store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		// The flag this commit runs with, read under the write lock
		// SetNoSync takes: read before the transaction, a switch to
		// fsync in between would commit the database with fsync and
		// leave the files' appends unsynced.
		return c.recordFiles(tx, tx.DB().NoSync)
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
// their lengths in it. The block and undo files are fsynced at the same
// time: each fsync mostly waits for the disk, and two in flight cost
// about one.
func (c *Chain) recordFiles(tx *store.Tx, noSync bool) error {
	b := tx.Bucket(bucketBlockFiles)
	kinds := []struct {
		kind  byte
		files *blockfile.Files
	}{{kindBlocks, c.files.blocks}, {kindUndo, c.files.undo}}
	changed := make([]map[uint32]blockfile.Info, len(kinds))
	errs := make([]error, len(kinds))
	var wg sync.WaitGroup
	for i, s := range kinds {
		if changed[i] = s.files.Changed(); len(changed[i]) == 0 {
			continue
		}
		s.files.SetNoSync(noSync)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.files.Sync()
		}()
	}
	wg.Wait()
	for i, s := range kinds {
		if errs[i] != nil {
			return fmt.Errorf("chain: %w", errs[i])
		}
		for n, fi := range changed[i] {
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

// appendHook, if set (crash tests), runs before each append to the
// block (kindBlocks) or undo (kindUndo) files.
var appendHook func(kind byte)

// storeBlock appends a block's serialization to the block files; the
// caller records the position in n's index record.
func (c *Chain) storeBlock(n *blockNode, raw []byte) (blockfile.Pos, error) {
	if appendHook != nil {
		appendHook(kindBlocks)
	}
	pos, err := c.files.blocks.Append(raw, n.height)
	if err != nil {
		return pos, fmt.Errorf("chain: store block %v: %w", n.hash, err)
	}
	return pos, nil
}

// storeUndo appends a block's undo data to the undo files; the caller
// records the position in n's index record.
func (c *Chain) storeUndo(n *blockNode, raw []byte) (blockfile.Pos, error) {
	if appendHook != nil {
		appendHook(kindUndo)
	}
	pos, err := c.files.undo.Append(raw, n.height)
	if err != nil {
		return pos, fmt.Errorf("chain: store undo data of %v: %w", n.hash, err)
	}
	return pos, nil
}

// readRecord reads a record; a file deleted by pruning is ErrPruned.
func readRecord(files *blockfile.Files, p blockfile.Pos) ([]byte, error) {
	raw, err := files.Read(p)
	if errors.Is(err, blockfile.ErrMissing) {
		return nil, fmt.Errorf("%w (%w)", ErrPruned, err)
	}
	return raw, err
}

// rawBlockAt reads a block at a known position (n's, under mu, or one
// copied from it).
func (c *Chain) rawBlockAt(h chainhash.Hash, height int32, p blockfile.Pos, status blockStatus) ([]byte, error) {
	if p.Size == 0 {
		if status&statusPruned != 0 {
			return nil, fmt.Errorf("chain: block %v at height %d: %w", h, height, ErrPruned)
		}
		return nil, fmt.Errorf("chain: block %v: %w", h, ErrBlockNotFound)
	}
	raw, err := readRecord(c.files.blocks, p)
	if err != nil {
		return nil, fmt.Errorf("chain: block %v: %w", h, err)
	}
	return raw, nil
}

// loadBlock reads and decodes n's stored block (under mu).
func (c *Chain) loadBlock(n *blockNode) (*wire.MsgBlock, error) {
	raw, err := c.rawBlockAt(n.hash, n.height, n.blockPos, n.status)
	if err != nil {
		return nil, err
	}
	blk, err := wire.DecodeBlock(raw)
	if err != nil {
		return nil, fmt.Errorf("chain: stored block %v: %w", n.hash, err)
	}
	return blk, nil
}

// loadUndo reads and decodes n's undo data (under mu).
func (c *Chain) loadUndo(n *blockNode) (*blockUndo, error) {
	if n.undoPos.Size == 0 {
		if n.status&statusPruned != 0 {
			return nil, fmt.Errorf("chain: undo data of %v: %w", n.hash, ErrPruned)
		}
		return nil, fmt.Errorf("chain: undo data of %v missing", n.hash)
	}
	raw, err := readRecord(c.files.undo, n.undoPos)
	if err != nil {
		return nil, fmt.Errorf("chain: undo data of %v: %w", n.hash, err)
	}
	u, err := decodeUndo(raw)
	if err != nil {
		return nil, fmt.Errorf("chain: undo data of %v: %w", n.hash, err)
	}
	return u, nil
}

// rawBlock reads a stored block for a caller outside the chain: the
// position under the read lock, the bytes after it. A block without
// data is ErrPruned when pruning deleted it, ErrBlockNotFound otherwise.
func (c *Chain) rawBlock(h chainhash.Hash) ([]byte, error) {
	c.mu.RLock()
	n := c.index.nodes[h]
	if n == nil {
		c.mu.RUnlock()
		return nil, fmt.Errorf("chain: block %v: %w", h, ErrBlockNotFound)
	}
	height, p, status := n.height, n.blockPos, n.status
	c.mu.RUnlock()
	return c.rawBlockAt(h, height, p, status)
}
