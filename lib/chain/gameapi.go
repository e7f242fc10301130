package chain

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/store"
)

// Read access to the game registries. Each method runs one bbolt read
// transaction, so its answer is one committed state of the chain; two
// calls may straddle a block connection. GameView gives a consistent view
// across calls.

// ErrStaleGameView is returned by a GameView's lookups once the tip has
// moved since the view was taken: take a new view and check again.
var ErrStaleGameView = errors.New("chain: game view is stale: the tip moved")

// Producer returns the registered producer id, or nil, nil.
func (c *Chain) Producer(id game.ID) (*game.Producer, error) {
	var p *game.Producer
	err := c.db.View(func(tx *store.Tx) error {
		var err error
		p, err = newRegistry(tx).Producer(id)
		return err
	})
	return p, err
}

// ProducerByName returns the producer holding name (compared case-folded),
// or nil, nil.
func (c *Chain) ProducerByName(name string) (*game.Producer, error) {
	var p *game.Producer
	err := c.db.View(func(tx *store.Tx) error {
		r := newRegistry(tx)
		id, ok, err := r.ProducerIDByName(game.FoldName(name))
		if err != nil || !ok {
			return err
		}
		p, err = r.Producer(id)
		return err
	})
	return p, err
}

// ProducerQuery filters and pages Producers. Zero fields do not filter;
// Limit 0 means no limit.
type ProducerQuery struct {
	Class  string // exact class, compared case-folded
	Owner  []byte // owner pkScript
	Offset int
	Limit  int
}

// Producers lists the producers matching q in order of their folded names,
// and the number of matches before paging.
func (c *Chain) Producers(q ProducerQuery) ([]game.Producer, int, error) {
	var out []game.Producer
	total := 0
	err := c.db.View(func(tx *store.Tx) error {
		r := newRegistry(tx)
		return tx.Bucket(regBucketNames[regNames]).ForEach(func(k, v []byte) error {
			if len(v) != 32 {
				return fmt.Errorf("chain: producer name %q: %w", k, errCorrupt)
			}
			p, err := r.Producer(game.ID(v))
			if err != nil {
				return err
			}
			if p == nil {
				return fmt.Errorf("chain: producer name %q names a missing producer: %w", k, errCorrupt)
			}
			if q.Class != "" && game.FoldName(p.Class) != game.FoldName(q.Class) {
				return nil
			}
			if q.Owner != nil && !bytes.Equal(p.Owner, q.Owner) {
				return nil
			}
			total++
			if total > q.Offset && (q.Limit <= 0 || len(out) < q.Limit) {
				out = append(out, *p)
			}
			return nil
		})
	})
	return out, total, err
}

// Prop returns the prop id (live or destroyed), or nil, nil.
func (c *Chain) Prop(id game.ID) (*game.Prop, error) {
	var p *game.Prop
	err := c.db.View(func(tx *store.Tx) error {
		var err error
		p, err = newRegistry(tx).Prop(id)
		return err
	})
	return p, err
}

// PropsByOwner lists the live props whose carrier pays to pkScript, in id
// order.
func (c *Chain) PropsByOwner(pkScript []byte) ([]game.Prop, error) {
	var out []game.Prop
	h := sha256.Sum256(pkScript)
	err := c.db.View(func(tx *store.Tx) error {
		r := newRegistry(tx)
		cur := tx.Bucket(regBucketNames[regOwner]).Cursor()
		for k, _ := cur.Seek(h[:]); k != nil && bytes.HasPrefix(k, h[:]); k, _ = cur.Next() {
			if len(k) != 64 {
				return fmt.Errorf("chain: owner index entry %x: %w", k, errCorrupt)
			}
			p, err := r.Prop(game.ID(k[32:]))
			if err != nil {
				return err
			}
			if p == nil {
				return fmt.Errorf("chain: owner index entry %x: %w", k, errCorrupt)
			}
			out = append(out, *p)
		}
		return nil
	})
	return out, err
}

// PropsByProducer lists the props producer id ever created (destroyed
// ones included, with their status), in id order, paged by offset and
// limit (0: no limit), and their total number.
func (c *Chain) PropsByProducer(id game.ID, offset, limit int) ([]game.Prop, int, error) {
	var out []game.Prop
	total := 0
	err := c.db.View(func(tx *store.Tx) error {
		r := newRegistry(tx)
		cur := tx.Bucket(regBucketNames[regByProducer]).Cursor()
		for k, _ := cur.Seek(id[:]); k != nil && bytes.HasPrefix(k, id[:]); k, _ = cur.Next() {
			if len(k) != 64 {
				return fmt.Errorf("chain: producer index entry %x: %w", k, errCorrupt)
			}
			total++
			if total <= offset || limit > 0 && len(out) >= limit {
				continue
			}
			p, err := r.Prop(game.ID(k[32:]))
			if err != nil {
				return err
			}
			if p == nil {
				return fmt.Errorf("chain: producer index entry %x: %w", k, errCorrupt)
			}
			out = append(out, *p)
		}
		return nil
	})
	return out, total, err
}

// PropHistory returns the history of a game object (a prop, or a
// producer), oldest first: one event per transaction that touched it.
func (c *Chain) PropHistory(id game.ID) ([]game.Event, error) {
	var out []game.Event
	err := c.db.View(func(tx *store.Tx) error {
		cur := tx.Bucket(regBucketNames[regHistory]).Cursor()
		for k, v := cur.Seek(id[:]); k != nil && bytes.HasPrefix(k, id[:]); k, v = cur.Next() {
			e, err := decodeEvent(k, v)
			if err != nil {
				return fmt.Errorf("chain: history entry %x: %w", k, err)
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// RegistryHash hashes every game registry bucket: SHA-256 over, per
// bucket in a fixed order, the bucket name, then every record in key
// order as uvarint(len key) || key || uvarint(len value) || value, then a
// 0xff separator. Equal hashes mean byte-identical registries.
func (c *Chain) RegistryHash() (chainhash.Hash, error) {
	var out chainhash.Hash
	err := c.db.View(func(tx *store.Tx) error {
		var err error
		out, err = registryHash(tx)
		return err
	})
	return out, err
}

func registryHash(tx *store.Tx) (chainhash.Hash, error) {
	h := sha256.New()
	var lb [binary.MaxVarintLen64]byte
	for _, name := range regBucketNames {
		h.Write(name)
		err := tx.Bucket(name).ForEach(func(k, v []byte) error {
			h.Write(binary.AppendUvarint(lb[:0], uint64(len(k))))
			h.Write(k)
			h.Write(binary.AppendUvarint(lb[:0], uint64(len(v))))
			h.Write(v)
			return nil
		})
		if err != nil {
			return chainhash.Hash{}, err
		}
		h.Write([]byte{0xff})
	}
	var out chainhash.Hash
	h.Sum(out[:0])
	return out, nil
}

// RegistryCounts are the sizes of the game registries.
type RegistryCounts struct {
	Producers int // registered producers
	LiveProps int // props live (neither destroyed nor in escrow)
	Props     int // every prop ever created
	Contracts int // contract records, whatever their state
}

// RegistryCounts counts the registries' records in one read transaction:
// bbolt's key counts, a walk of the buckets' pages that decodes no record.
func (c *Chain) RegistryCounts() (RegistryCounts, error) {
	var rc RegistryCounts
	err := c.db.View(func(tx *store.Tx) error {
		keys := func(b int) int { return tx.Bucket(regBucketNames[b]).Stats().KeyN }
		rc = RegistryCounts{Producers: keys(regProducers), LiveProps: keys(regOwner), Props: keys(regProps),
			Contracts: keys(regContracts)}
		return nil
	})
	return rc, err
}

// GameView is a read-only game.View of the registries at the tip the
// chain had when GameView was called. Each lookup runs its own short read
// transaction under the chain's read lock (so it waits while a block is
// being connected) and fails with ErrStaleGameView once the tip has
// moved, so a caller never mixes two chain states and never holds a
// database transaction open between calls. Mempool use: take a view,
// check a transaction with game.CheckTx at Height()+1, and on
// ErrStaleGameView take a new view and check again. Safe for concurrent
// use.
type GameView struct {
	c      *Chain
	tip    chainhash.Hash
	height int32
}

var _ game.View = (*GameView)(nil)

// GameView returns a view of the registries at the current tip.
func (c *Chain) GameView() *GameView {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t := c.index.tip()
	return &GameView{c: c, tip: t.hash, height: t.height}
}

// Tip returns the hash and height of the block the view reflects.
func (v *GameView) Tip() (chainhash.Hash, int32) { return v.tip, v.height }

// Height returns the height of the view's tip; transactions entering the
// mempool are checked at Height()+1.
func (v *GameView) Height() int32 { return v.height }

func (v *GameView) read(fn func(r *registry) error) error {
	v.c.mu.RLock()
	defer v.c.mu.RUnlock()
	if v.c.index.tip().hash != v.tip {
		return ErrStaleGameView
	}
	return v.c.db.View(func(tx *store.Tx) error { return fn(newRegistry(tx)) })
}

// ProducerIDByName implements game.View.
func (v *GameView) ProducerIDByName(folded string) (id game.ID, ok bool, err error) {
	err = v.read(func(r *registry) error {
		id, ok, err = r.ProducerIDByName(folded)
		return err
	})
	return id, ok, err
}

// Producer implements game.View.
func (v *GameView) Producer(id game.ID) (p *game.Producer, err error) {
	err = v.read(func(r *registry) error {
		p, err = r.Producer(id)
		return err
	})
	return p, err
}

// Prop implements game.View.
func (v *GameView) Prop(id game.ID) (p *game.Prop, err error) {
	err = v.read(func(r *registry) error {
		p, err = r.Prop(id)
		return err
	})
	return p, err
}

// Pages of the registries by key: each starts after the key of the
// previous page's last item (nil or "": from the first) and seeks to it
// with a bbolt cursor, so a page costs its own items, not the ones
// before it, and objects added or removed elsewhere in the order do not
// shift it. limit <= 0 means no limit.

// seeker is the part of a bbolt cursor seekAfter uses.
type seeker interface {
	Seek(seek []byte) (k, v []byte)
	Next() (k, v []byte)
}

// seekAfter positions cur at the first key that starts with prefix and
// sorts after prefix||after (the first key with the prefix when after is
// nil).
func seekAfter(cur seeker, prefix, after []byte) (k, v []byte) {
	from := append(append([]byte(nil), prefix...), after...)
	k, v = cur.Seek(from)
	if after != nil && k != nil && bytes.Equal(k, from) {
		k, v = cur.Next()
	}
	return k, v
}

// ProducersAfter lists up to limit producers in order of their folded
// names, starting after the folded name after ("" from the first).
func (c *Chain) ProducersAfter(after string, limit int) ([]game.Producer, error) {
	var out []game.Producer
	var from []byte
	if after != "" {
		from = []byte(after)
	}
	err := c.db.View(func(tx *store.Tx) error {
		r := newRegistry(tx)
		cur := tx.Bucket(regBucketNames[regNames]).Cursor()
		for k, v := seekAfter(cur, nil, from); k != nil && (limit <= 0 || len(out) < limit); k, v = cur.Next() {
			if len(v) != 32 {
				return fmt.Errorf("chain: producer name %q: %w", k, errCorrupt)
			}
			p, err := r.Producer(game.ID(v))
			if err != nil {
				return err
			}
			if p == nil {
				return fmt.Errorf("chain: producer name %q names a missing producer: %w", k, errCorrupt)
			}
			out = append(out, *p)
		}
		return nil
	})
	return out, err
}

// PropsByOwnerAfter lists up to limit live props whose carrier pays to
// pkScript, in id order, starting after the prop id after (nil: from the
// first).
func (c *Chain) PropsByOwnerAfter(pkScript []byte, after *game.ID, limit int) ([]game.Prop, error) {
	h := sha256.Sum256(pkScript)
	return c.propsAfter(regOwner, h[:], after, limit, "owner")
}

// PropsByProducerAfter lists up to limit props producer id ever created
// (destroyed ones included), in id order, starting after the prop id
// after (nil: from the first).
func (c *Chain) PropsByProducerAfter(id game.ID, after *game.ID, limit int) ([]game.Prop, error) {
	return c.propsAfter(regByProducer, id[:], after, limit, "producer")
}

// propsAfter pages an index bucket keyed prefix (32 bytes) || prop id.
func (c *Chain) propsAfter(bucket int, prefix []byte, after *game.ID, limit int, what string) ([]game.Prop, error) {
	var out []game.Prop
	var from []byte
	if after != nil {
		from = after[:]
	}
	err := c.db.View(func(tx *store.Tx) error {
		r := newRegistry(tx)
		cur := tx.Bucket(regBucketNames[bucket]).Cursor()
		for k, _ := seekAfter(cur, prefix, from); k != nil && bytes.HasPrefix(k, prefix) && (limit <= 0 || len(out) < limit); k, _ = cur.Next() {
			if len(k) != 64 {
				return fmt.Errorf("chain: %s index entry %x: %w", what, k, errCorrupt)
			}
			p, err := r.Prop(game.ID(k[32:]))
			if err != nil {
				return err
			}
			if p == nil {
				return fmt.Errorf("chain: %s index entry %x: %w", what, k, errCorrupt)
			}
			out = append(out, *p)
		}
		return nil
	})
	return out, err
}

// ContractsAfter lists up to limit on-chain contracts with key as a
// party (a_key or b_key; nil: every contract), in id order, starting
// after the contract id after (nil: from the first). There is no index
// by party: it reads the contracts after the cursor until the page is
// full.
func (c *Chain) ContractsAfter(key []byte, after *game.ID, limit int) ([]game.Contract, error) {
	var out []game.Contract
	var from []byte
	if after != nil {
		from = after[:]
	}
	err := c.db.View(func(tx *store.Tx) error {
		cur := tx.Bucket(regBucketNames[regContracts]).Cursor()
		for k, v := seekAfter(cur, nil, from); k != nil && (limit <= 0 || len(out) < limit); k, v = cur.Next() {
			if len(k) != 32 {
				return fmt.Errorf("chain: contract key %x: %w", k, errCorrupt)
			}
			ct, err := decodeContract(game.ID(k), v)
			if err != nil {
				return fmt.Errorf("chain: contract %x: %w", k, err)
			}
			if key != nil && !bytes.Equal(ct.Terms.AKey, key) && !bytes.Equal(ct.Terms.BKey, key) {
				continue
			}
			out = append(out, *ct)
		}
		return nil
	})
	return out, err
}
