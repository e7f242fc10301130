package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// Block is what an index is given of a block joining or leaving the
// active chain.
type Block struct {
	Block  *wire.MsgBlock
	Hash   chainhash.Hash
	Height int32
	// Spent are the outputs the block's inputs spend, in block order
	// (none for the coinbase).
	Spent []*chain.UtxoEntry

	txids []chainhash.Hash // TxHashes' cache
}

// TxHashes are the block's txids in block order, computed once for all
// the indexes given the block.
func (b *Block) TxHashes() []chainhash.Hash {
	if b.txids == nil {
		b.txids = make([]chainhash.Hash, len(b.Block.Transactions))
		for i, tx := range b.Block.Transactions {
			b.txids[i] = tx.TxHash()
		}
	}
	return b.txids
}

// Index is one optional index. Its methods run inside the given write
// transaction; they must only touch the index's own buckets.
type Index interface {
	// Name is stable: it keys the index's tip and names it in logs and
	// getindexinfo.
	Name() string
	// Init creates the index's buckets if they are missing.
	Init(tx *store.Tx) error
	// Reset drops everything the index holds (its buckets stay).
	Reset(tx *store.Tx) error
	// Connect adds a block on top of the index's tip.
	Connect(tx *store.Tx, b *Block) error
	// Disconnect removes the block at the index's tip.
	Disconnect(tx *store.Tx, b *Block) error
}

var bucketTips = []byte("index-tips")

// Tip is an index's last block.
type Tip struct {
	Hash   chainhash.Hash
	Height int32
}

// errCorrupt marks an index record that cannot be read.
var errCorrupt = errors.New("index: corrupt record")

// readTip reads an index's tip; ok is false when it holds no block.
func readTip(tx *store.Tx, name string) (Tip, bool, error) {
	b := tx.Bucket(bucketTips)
	if b == nil {
		return Tip{}, false, nil
	}
	v := b.Get([]byte(name))
	if v == nil {
		return Tip{}, false, nil
	}
	if len(v) != 36 {
		return Tip{}, false, fmt.Errorf("index %s: tip record of %d bytes: %w", name, len(v), errCorrupt)
	}
	var t Tip
	copy(t.Hash[:], v)
	t.Height = int32(binary.BigEndian.Uint32(v[32:]))
	return t, true, nil
}

func writeTip(tx *store.Tx, name string, t Tip, ok bool) error {
	b := tx.Bucket(bucketTips)
	if !ok {
		return b.Delete([]byte(name))
	}
	return b.Put([]byte(name), binary.BigEndian.AppendUint32(append([]byte(nil), t.Hash[:]...), uint32(t.Height)))
}

// Manager runs the indexes: it is the chain's Indexer and catches
// indexes up.
type Manager struct {
	db      *store.DB
	indexes []Index
	log     *slog.Logger

	mu      sync.Mutex
	synced  map[string]bool
	allDone chan struct{} // closed once every index caught up
}

var _ chain.Indexer = (*Manager)(nil)

// New creates the indexes' buckets in db and returns their Manager.
// logger may be nil (silent).
func New(db *store.DB, logger *slog.Logger, indexes ...Index) (*Manager, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m := &Manager{db: db, indexes: indexes, log: logger, synced: map[string]bool{}, allDone: make(chan struct{})}
	seen := map[string]bool{}
	for _, x := range indexes {
		if seen[x.Name()] {
			return nil, fmt.Errorf("index: %s given twice", x.Name())
		}
		seen[x.Name()] = true
	}
	err := db.Update(func(tx *store.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketTips); err != nil {
			return err
		}
		for _, x := range indexes {
			if err := x.Init(tx); err != nil {
				return fmt.Errorf("index %s: init: %w", x.Name(), err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(indexes) == 0 {
		close(m.allDone)
	}
	return m, nil
}

// Indexes are the managed indexes.
func (m *Manager) Indexes() []Index { return m.indexes }

// ConnectBlock implements chain.Indexer: each index whose tip is blk's
// parent takes the block.
func (m *Manager) ConnectBlock(tx *store.Tx, blk *wire.MsgBlock, hash chainhash.Hash, height int32, spent []*chain.UtxoEntry) error {
	b := &Block{Block: blk, Hash: hash, Height: height, Spent: spent}
	for _, x := range m.indexes {
		tip, ok, err := readTip(tx, x.Name())
		if err != nil {
			return err
		}
		if !ok || tip.Hash != blk.Header.PrevBlock {
			continue // behind: CatchUp brings it here
		}
		if err := x.Connect(tx, b); err != nil {
			return fmt.Errorf("index %s: connect %v at height %d: %w", x.Name(), hash, height, err)
		}
		if err := writeTip(tx, x.Name(), Tip{hash, height}, true); err != nil {
			return err
		}
	}
	return nil
}

// DisconnectBlock implements chain.Indexer: each index whose tip is the
// block gives it up.
func (m *Manager) DisconnectBlock(tx *store.Tx, blk *wire.MsgBlock, hash chainhash.Hash, height int32, spent []*chain.UtxoEntry) error {
	b := &Block{Block: blk, Hash: hash, Height: height, Spent: spent}
	for _, x := range m.indexes {
		tip, ok, err := readTip(tx, x.Name())
		if err != nil {
			return err
		}
		if !ok || tip.Hash != hash {
			continue
		}
		if err := x.Disconnect(tx, b); err != nil {
			return fmt.Errorf("index %s: disconnect %v at height %d: %w", x.Name(), hash, height, err)
		}
		if err := writeTip(tx, x.Name(), Tip{blk.Header.PrevBlock, height - 1}, height > 0); err != nil {
			return err
		}
	}
	return nil
}

// Reset drops every index's data and tip (before a reindex); CatchUp
// rebuilds them.
func Reset(db *store.DB, indexes ...Index) error {
	return db.Update(func(tx *store.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketTips); err != nil {
			return err
		}
		for _, x := range indexes {
			if err := x.Init(tx); err != nil {
				return fmt.Errorf("index %s: init: %w", x.Name(), err)
			}
			if err := x.Reset(tx); err != nil {
				return fmt.Errorf("index %s: reset: %w", x.Name(), err)
			}
			if err := writeTip(tx, x.Name(), Tip{}, false); err != nil {
				return err
			}
		}
		return nil
	})
}

// Status is an index's state, as getindexinfo reports it.
type Status struct {
	Name string
	// Height is the index's tip height, -1 when it holds no block.
	Height int32
	// Synced: the index caught up with the chain once since the node
	// started, and the chain keeps it at the tip since.
	Synced bool
}

// Status reports every index.
func (m *Manager) Status() ([]Status, error) {
	out := make([]Status, 0, len(m.indexes))
	err := m.db.View(func(tx *store.Tx) error {
		for _, x := range m.indexes {
			tip, ok, err := readTip(tx, x.Name())
			if err != nil {
				return err
			}
			s := Status{Name: x.Name(), Height: -1}
			if ok {
				s.Height = tip.Height
			}
			m.mu.Lock()
			s.Synced = m.synced[x.Name()]
			m.mu.Unlock()
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// Synced is closed once every index has caught up with the chain.
func (m *Manager) Synced() <-chan struct{} { return m.allDone }

func (m *Manager) markSynced(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.synced[name] {
		return
	}
	m.synced[name] = true
	for _, x := range m.indexes {
		if !m.synced[x.Name()] {
			return
		}
	}
	close(m.allDone)
}
