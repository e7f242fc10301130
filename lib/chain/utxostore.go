package chain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// Bucket names; see doc.go for the formats.
var (
	bucketChainState = []byte("chainstate")
	bucketBlockIndex = []byte("blockindex")
	bucketBlockFiles = []byte("blockfiles")
	bucketMainChain  = []byte("mainchain")
	bucketUtxo       = []byte("utxo")

	keyBest = []byte("best")

	// Before the block files, blocks and undo data lived in these; a
	// database that still has them is migrated on open (migrate.go).
	bucketLegacyBlocks = []byte("blocks")
	bucketLegacyUndo   = []byte("undo")
)

var errCorrupt = errors.New("chain: corrupt database record")

// outpointKey is txid (internal byte order) || output index (uint32 BE).
func outpointKey(op wire.OutPoint) [36]byte {
	var k [36]byte
	copy(k[:32], op.Hash[:])
	binary.BigEndian.PutUint32(k[32:], op.Index)
	return k
}

// appendEntry serializes e: uvarint(height<<1 | coinbase), uvarint(amount),
// uvarint(len script) script, uvarint(len game) game.
func appendEntry(b []byte, e *UtxoEntry) []byte {
	hc := uint64(uint32(e.Height)) << 1
	if e.Coinbase {
		hc |= 1
	}
	b = binary.AppendUvarint(b, hc)
	b = binary.AppendUvarint(b, uint64(e.Amount))
	b = binary.AppendUvarint(b, uint64(len(e.PkScript)))
	b = append(b, e.PkScript...)
	b = binary.AppendUvarint(b, uint64(len(e.Game)))
	return append(b, e.Game...)
}

func readUvarint(b []byte) (uint64, []byte, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, errCorrupt
	}
	return v, b[n:], nil
}

func readBytes(b []byte) ([]byte, []byte, error) {
	n, rest, err := readUvarint(b)
	if err != nil || n > uint64(len(rest)) {
		return nil, nil, errCorrupt
	}
	if n == 0 {
		return nil, rest, nil
	}
	return append([]byte(nil), rest[:n]...), rest[n:], nil
}

// decodeEntry parses one serialized entry (copying every slice) and
// returns the rest of b.
func decodeEntry(b []byte) (*UtxoEntry, []byte, error) {
	hc, b, err := readUvarint(b)
	if err != nil || hc>>1 > 0xffffffff {
		return nil, nil, errCorrupt
	}
	amt, b, err := readUvarint(b)
	if err != nil || amt > uint64(MaxMoney) {
		return nil, nil, errCorrupt
	}
	e := &UtxoEntry{Height: int32(uint32(hc >> 1)), Coinbase: hc&1 == 1, Amount: int64(amt)}
	if e.PkScript, b, err = readBytes(b); err != nil {
		return nil, nil, err
	}
	if e.PkScript == nil {
		e.PkScript = []byte{}
	}
	if e.Game, b, err = readBytes(b); err != nil {
		return nil, nil, err
	}
	return e, b, nil
}

// blockUndo is what disconnecting a block needs: the outputs its
// transactions spent, in block order, and the game layer's undo bytes.
type blockUndo struct {
	spent []*UtxoEntry
	game  []byte
}

func (u *blockUndo) encode() []byte {
	b := binary.AppendUvarint(nil, uint64(len(u.spent)))
	for _, e := range u.spent {
		b = appendEntry(b, e)
	}
	b = binary.AppendUvarint(b, uint64(len(u.game)))
	return append(b, u.game...)
}

func decodeUndo(b []byte) (*blockUndo, error) {
	n, b, err := readUvarint(b)
	if err != nil || n > uint64(len(b)) {
		return nil, errCorrupt
	}
	u := &blockUndo{spent: make([]*UtxoEntry, n)}
	for i := range u.spent {
		if u.spent[i], b, err = decodeEntry(b); err != nil {
			return nil, err
		}
	}
	if u.game, b, err = readBytes(b); err != nil {
		return nil, err
	}
	if len(b) != 0 {
		return nil, errCorrupt
	}
	return u, nil
}

// utxoCache is a bounded read cache of confirmed entries in front of the
// utxo bucket. It only ever holds what the bucket holds; the write-back
// layer (utxocache.go) is looked at before it. Entries in it are never
// modified.
type utxoCache struct {
	mu  sync.Mutex
	m   map[wire.OutPoint]*UtxoEntry
	max int
}

func newUtxoCache(limit int) *utxoCache {
	return &utxoCache{m: make(map[wire.OutPoint]*UtxoEntry, min(max(limit, 0), 1<<16)), max: limit}
}

func (c *utxoCache) get(op wire.OutPoint) *UtxoEntry {
	c.mu.Lock()
	e := c.m[op]
	c.mu.Unlock()
	return e
}

// put caches e (which must not be modified afterwards).
func (c *utxoCache) put(op wire.OutPoint, e *UtxoEntry) {
	if c.max <= 0 {
		return
	}
	c.mu.Lock()
	if _, ok := c.m[op]; !ok && len(c.m) >= c.max {
		// Map iteration order is random: evict an arbitrary tenth.
		drop := max(c.max/10, 1)
		for k := range c.m {
			delete(c.m, k)
			if drop--; drop == 0 {
				break
			}
		}
	}
	c.m[op] = e
	c.mu.Unlock()
}

func (c *utxoCache) remove(op wire.OutPoint) {
	c.mu.Lock()
	delete(c.m, op)
	c.mu.Unlock()
}

func (c *utxoCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// fetchEntry returns the confirmed entry for op from the write-back
// layer, the read cache or the database (nil when absent or spent), under
// the chain's lock. The result is shared: copy before changing.
func (c *Chain) fetchEntry(tx *store.Tx, op wire.OutPoint) (*UtxoEntry, error) {
	if e, ok := c.layer.m[op]; ok {
		if e.IsSpent() {
			return nil, nil
		}
		return e, nil
	}
	if e := c.cache.get(op); e != nil {
		return e, nil
	}
	k := outpointKey(op)
	v := tx.Bucket(bucketUtxo).Get(k[:])
	if v == nil {
		return nil, nil
	}
	e, rest, err := decodeEntry(v)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("utxo %v: %w", op, errCorrupt)
	}
	c.cache.put(op, e)
	return e, nil
}

// loadEntry returns the view's entry for op, loading it from the cache or
// the database when the view has not seen op yet. Nil means missing or
// spent.
func (c *Chain) loadEntry(tx *store.Tx, view *UtxoViewpoint, op wire.OutPoint) (*UtxoEntry, error) {
	if e, ok := view.lookup(op); ok {
		if e.IsSpent() {
			return nil, nil
		}
		return e, nil
	}
	e, err := c.fetchEntry(tx, op)
	if err != nil || e == nil {
		return nil, err
	}
	cp := *e
	cp.state = 0
	view.entries[op] = &cp
	return &cp, nil
}

// writeView writes the view's modified entries to the utxo bucket.
func writeView(tx *store.Tx, view *UtxoViewpoint) error {
	b := tx.Bucket(bucketUtxo)
	var buf, arena []byte
	// keep copies b into arena: bbolt holds keys and values until commit,
	// and one allocation per 64 KiB beats two per output.
	keep := func(b []byte) []byte {
		if cap(arena)-len(arena) < len(b) {
			arena = make([]byte, 0, max(64<<10, len(b)))
		}
		n := len(arena)
		arena = append(arena, b...)
		return arena[n:len(arena):len(arena)]
	}
	for op, e := range view.entries {
		if e.state&entryModified == 0 {
			continue
		}
		k := outpointKey(op)
		if e.IsSpent() {
			if e.state&entryFresh != 0 {
				continue
			}
			if err := b.Delete(k[:]); err != nil {
				return err
			}
			continue
		}
		buf = appendEntry(buf[:0], e)
		if err := b.Put(keep(k[:]), keep(buf)); err != nil {
			return err
		}
	}
	return nil
}

// cacheView applies a committed view to the cache: spent entries leave it,
// new and restored ones enter it.
func (c *Chain) cacheView(view *UtxoViewpoint) {
	for op, e := range view.entries {
		if e.state&entryModified == 0 {
			continue
		}
		if e.IsSpent() {
			c.cache.remove(op)
			continue
		}
		cp := *e
		cp.state = 0
		if e.state&entryFresh != 0 {
			// New outputs still share memory with the caller's block.
			cp.PkScript = append([]byte(nil), e.PkScript...)
		}
		c.cache.put(op, &cp)
	}
}
