package index

import (
	"encoding/binary"
	"fmt"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
)

// TxIndexName is the transaction index's name.
const TxIndexName = "txindex"

var bucketTxs = []byte("index-tx")

// TxIndex finds the active-chain block holding a transaction (package
// documentation).
type TxIndex struct {
	db *store.DB
}

var _ Index = (*TxIndex)(nil)

// NewTxIndex returns the transaction index of db.
func NewTxIndex(db *store.DB) *TxIndex { return &TxIndex{db: db} }

// Name implements Index.
func (x *TxIndex) Name() string { return TxIndexName }

// Init implements Index.
func (x *TxIndex) Init(tx *store.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketTxs)
	return err
}

// Reset implements Index.
func (x *TxIndex) Reset(tx *store.Tx) error { return resetBuckets(tx, bucketTxs) }

// resetBuckets empties buckets (they stay).
func resetBuckets(tx *store.Tx, buckets ...[]byte) error {
	for _, b := range buckets {
		if err := tx.DeleteBucket(b); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(b); err != nil {
			return err
		}
	}
	return nil
}

// txRecord is height (uint32 BE) || position in the block (uvarint).
func txRecord(height int32, pos int) []byte {
	return binary.AppendUvarint(binary.BigEndian.AppendUint32(make([]byte, 0, 8), uint32(height)), uint64(pos))
}

func decodeTxRecord(v []byte) (height int32, pos uint32, err error) {
	if len(v) < 5 {
		return 0, 0, errCorrupt
	}
	p, n := binary.Uvarint(v[4:])
	if n <= 0 || 4+n != len(v) || p > 1<<31 {
		return 0, 0, errCorrupt
	}
	return int32(binary.BigEndian.Uint32(v)), uint32(p), nil
}

// Connect implements Index: every transaction of the block, the coinbase
// included.
func (x *TxIndex) Connect(tx *store.Tx, b *Block) error {
	bk := tx.Bucket(bucketTxs)
	for i, id := range b.TxHashes() {
		if err := bk.Put(id[:], txRecord(b.Height, i)); err != nil {
			return err
		}
	}
	return nil
}

// Disconnect implements Index: the block's transactions go, each only
// if the index places it in this block.
func (x *TxIndex) Disconnect(tx *store.Tx, b *Block) error {
	bk := tx.Bucket(bucketTxs)
	for _, id := range b.TxHashes() {
		v := bk.Get(id[:])
		if v == nil {
			continue
		}
		h, _, err := decodeTxRecord(v)
		if err != nil {
			return fmt.Errorf("tx %v: %w", id, err)
		}
		if h != b.Height {
			continue
		}
		if err := bk.Delete(id[:]); err != nil {
			return err
		}
	}
	return nil
}

// TxLocation is where a confirmed transaction is.
type TxLocation struct {
	Block  chainhash.Hash
	Height int32
	// Position is the transaction's index in the block (0: coinbase).
	Position uint32
}

// Locate finds the active-chain block holding txid; ok is false when the
// index does not hold it (unknown, unconfirmed, or above the index's
// tip while it catches up).
func (x *TxIndex) Locate(txid chainhash.Hash) (loc TxLocation, ok bool, err error) {
	err = x.db.View(func(tx *store.Tx) error {
		v := tx.Bucket(bucketTxs).Get(txid[:])
		if v == nil {
			return nil
		}
		h, pos, err := decodeTxRecord(v)
		if err != nil {
			return fmt.Errorf("index %s: tx %v: %w", TxIndexName, txid, err)
		}
		hash, onMain := chain.MainHashInTx(tx, h)
		if !onMain {
			return fmt.Errorf("index %s: tx %v at height %d above the chain: %w", TxIndexName, txid, h, errCorrupt)
		}
		loc, ok = TxLocation{Block: hash, Height: h, Position: pos}, true
		return nil
	})
	return loc, ok, err
}

// Height is the index's tip height, -1 when it holds no block.
func (x *TxIndex) Height() (int32, error) { return tipHeight(x.db, TxIndexName) }

// tipHeight is index name's tip height, -1 when it holds no block.
func tipHeight(db *store.DB, name string) (int32, error) {
	height := int32(-1)
	err := db.View(func(tx *store.Tx) error {
		t, ok, err := readTip(tx, name)
		if ok {
			height = t.Height
		}
		return err
	})
	return height, err
}
