package index

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/gcs"
	"github.com/gamegold/gg/lib/store"
)

// FilterIndexName is the filter index's name.
const FilterIndexName = "cfbasic"

var (
	bucketFilters      = []byte("index-cfbasic")
	bucketFilterHashes = []byte("index-cfbasic-hash")
)

// Errors of the filter index's queries.
var (
	// ErrNotIndexed: the block is not in the index (unknown, not on the
	// active chain, or above the index's tip).
	ErrNotIndexed = errors.New("index: block not in the filter index")
	// ErrBadRange: the start height is above the stop block's.
	ErrBadRange = errors.New("index: start height above the stop block")
	// ErrRangeTooLarge: the range holds more blocks than allowed.
	ErrRangeTooLarge = errors.New("index: range too large")
)

// FilterIndex holds BIP158 basic filters and filter headers of the
// active chain's blocks (package documentation).
type FilterIndex struct {
	db *store.DB
}

var _ Index = (*FilterIndex)(nil)

// NewFilterIndex returns the filter index of db.
func NewFilterIndex(db *store.DB) *FilterIndex { return &FilterIndex{db: db} }

// Name implements Index.
func (x *FilterIndex) Name() string { return FilterIndexName }

// Init implements Index.
func (x *FilterIndex) Init(tx *store.Tx) error {
	for _, b := range [][]byte{bucketFilters, bucketFilterHashes} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

// Reset implements Index.
func (x *FilterIndex) Reset(tx *store.Tx) error {
	return resetBuckets(tx, bucketFilters, bucketFilterHashes)
}

func heightKey(h int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(h)) }

// FilterEntry is one block's record.
type FilterEntry struct {
	Height     int32
	Block      chainhash.Hash
	FilterHash chainhash.Hash
	Header     chainhash.Hash
	// Filter is the filter's serialization (only when asked for).
	Filter []byte
}

func decodeEntry(height int32, v []byte, withFilter bool) (FilterEntry, error) {
	if len(v) < 96+1 {
		return FilterEntry{}, fmt.Errorf("index %s: record at height %d of %d bytes: %w", FilterIndexName, height, len(v), errCorrupt)
	}
	e := FilterEntry{Height: height}
	copy(e.Block[:], v[0:32])
	copy(e.FilterHash[:], v[32:64])
	copy(e.Header[:], v[64:96])
	if withFilter {
		e.Filter = append([]byte(nil), v[96:]...)
	}
	return e, nil
}

// Connect implements Index: the block's filter, chained to the header
// below it.
func (x *FilterIndex) Connect(tx *store.Tx, b *Block) error {
	spent := make([][]byte, len(b.Spent))
	for i, e := range b.Spent {
		spent[i] = e.PkScript
	}
	f, err := gcs.BuildBasic(b.Block, spent)
	if err != nil {
		return err
	}
	fb := tx.Bucket(bucketFilters)
	var prev chainhash.Hash
	if b.Height > 0 {
		v := fb.Get(heightKey(b.Height - 1))
		if v == nil {
			return fmt.Errorf("no filter header at height %d below the block: %w", b.Height-1, errCorrupt)
		}
		pe, err := decodeEntry(b.Height-1, v, false)
		if err != nil {
			return err
		}
		if pe.Block != b.Block.Header.PrevBlock {
			return fmt.Errorf("height %d holds %v, the block's parent is %v: %w", b.Height-1, pe.Block, b.Block.Header.PrevBlock, errCorrupt)
		}
		prev = pe.Header
	}
	fh := f.Hash()
	hdr := gcs.Header(fh, prev)
	v := make([]byte, 0, 96+len(f.Bytes()))
	v = append(append(append(append(v, b.Hash[:]...), fh[:]...), hdr[:]...), f.Bytes()...)
	if err := fb.Put(heightKey(b.Height), v); err != nil {
		return err
	}
	return tx.Bucket(bucketFilterHashes).Put(b.Hash[:], heightKey(b.Height))
}

// Disconnect implements Index.
func (x *FilterIndex) Disconnect(tx *store.Tx, b *Block) error {
	fb := tx.Bucket(bucketFilters)
	v := fb.Get(heightKey(b.Height))
	if v == nil {
		return fmt.Errorf("no record at height %d: %w", b.Height, errCorrupt)
	}
	if e, err := decodeEntry(b.Height, v, false); err != nil {
		return err
	} else if e.Block != b.Hash {
		return fmt.Errorf("height %d holds %v, not %v: %w", b.Height, e.Block, b.Hash, errCorrupt)
	}
	if err := fb.Delete(heightKey(b.Height)); err != nil {
		return err
	}
	return tx.Bucket(bucketFilterHashes).Delete(b.Hash[:])
}

// heightOf is the indexed height of block h.
func heightOf(tx *store.Tx, h chainhash.Hash) (int32, bool) {
	v := tx.Bucket(bucketFilterHashes).Get(h[:])
	if len(v) != 4 {
		return 0, false
	}
	return int32(binary.BigEndian.Uint32(v)), true
}

// ByHash returns block h's record, its filter included.
func (x *FilterIndex) ByHash(h chainhash.Hash) (FilterEntry, error) {
	var e FilterEntry
	err := x.db.View(func(tx *store.Tx) error {
		height, ok := heightOf(tx, h)
		if !ok {
			return fmt.Errorf("block %v: %w", h, ErrNotIndexed)
		}
		var err error
		e, err = decodeEntry(height, tx.Bucket(bucketFilters).Get(heightKey(height)), true)
		return err
	})
	return e, err
}

// Height is the index's tip height, -1 when it holds no block.
func (x *FilterIndex) Height() (int32, error) { return tipHeight(x.db, FilterIndexName) }

// Range returns the records of the active chain's blocks from height
// start up to the block stop, at most max of them (with their filters
// when withFilters), and the filter header below start (zero at
// genesis), all from one view of the index. BIP157 requests and the REST
// routes read it.
func (x *FilterIndex) Range(start int32, stop chainhash.Hash, max int, withFilters bool) ([]FilterEntry, chainhash.Hash, error) {
	var out []FilterEntry
	var prev chainhash.Hash
	err := x.db.View(func(tx *store.Tx) error {
		stopHeight, ok := heightOf(tx, stop)
		if !ok {
			return fmt.Errorf("stop block %v: %w", stop, ErrNotIndexed)
		}
		if start < 0 || start > stopHeight {
			return fmt.Errorf("start %d, stop block at %d: %w", start, stopHeight, ErrBadRange)
		}
		if n := int64(stopHeight) - int64(start) + 1; n > int64(max) {
			return fmt.Errorf("%d blocks, at most %d: %w", n, max, ErrRangeTooLarge)
		}
		fb := tx.Bucket(bucketFilters)
		if start > 0 {
			pe, err := decodeEntry(start-1, fb.Get(heightKey(start-1)), false)
			if err != nil {
				return err
			}
			prev = pe.Header
		}
		out = make([]FilterEntry, 0, stopHeight-start+1)
		c := fb.Cursor()
		h := start
		for k, v := c.Seek(heightKey(start)); k != nil && h <= stopHeight; k, v = c.Next() {
			if int32(binary.BigEndian.Uint32(k)) != h {
				return fmt.Errorf("record at height %d missing: %w", h, errCorrupt)
			}
			e, err := decodeEntry(h, v, withFilters)
			if err != nil {
				return err
			}
			out = append(out, e)
			h++
		}
		if h != stopHeight+1 || out[len(out)-1].Block != stop {
			return fmt.Errorf("records up to height %d missing: %w", stopHeight, errCorrupt)
		}
		return nil
	})
	if err != nil {
		return nil, chainhash.Hash{}, err
	}
	return out, prev, nil
}

// Checkpoints returns the filter headers at every interval-th height
// (interval, 2·interval, …) up to the active-chain block stop: BIP157's
// cfcheckpt.
func (x *FilterIndex) Checkpoints(stop chainhash.Hash, interval int32) ([]chainhash.Hash, error) {
	var out []chainhash.Hash
	err := x.db.View(func(tx *store.Tx) error {
		stopHeight, ok := heightOf(tx, stop)
		if !ok {
			return fmt.Errorf("stop block %v: %w", stop, ErrNotIndexed)
		}
		fb := tx.Bucket(bucketFilters)
		out = make([]chainhash.Hash, 0, stopHeight/interval)
		for h := interval; h <= stopHeight; h += interval {
			e, err := decodeEntry(h, fb.Get(heightKey(h)), false)
			if err != nil {
				return err
			}
			out = append(out, e.Header)
		}
		return nil
	})
	return out, err
}

// HeadersFrom returns the filter headers of up to count active-chain
// blocks from block from upward (fewer at the index's tip).
func (x *FilterIndex) HeadersFrom(from chainhash.Hash, count int) ([]chainhash.Hash, error) {
	var out []chainhash.Hash
	err := x.db.View(func(tx *store.Tx) error {
		height, ok := heightOf(tx, from)
		if !ok {
			return fmt.Errorf("block %v: %w", from, ErrNotIndexed)
		}
		c := tx.Bucket(bucketFilters).Cursor()
		h := height
		for k, v := c.Seek(heightKey(height)); k != nil && len(out) < count; k, v = c.Next() {
			if int32(binary.BigEndian.Uint32(k)) != h {
				return fmt.Errorf("record at height %d missing: %w", h, errCorrupt)
			}
			e, err := decodeEntry(h, v, false)
			if err != nil {
				return err
			}
			out = append(out, e.Header)
			h++
		}
		return nil
	})
	return out, err
}
