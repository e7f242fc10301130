package mempool

import (
	"math/rand/v2"
	"time"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// orphan is a transaction held until its missing parents arrive.
type orphan struct {
	tx      *wire.MsgTx
	id      chainhash.Hash
	size    int
	expires time.Time
}

// orphanPool is bounded in count and per-transaction size; entries expire
// after a TTL and, when full, a random one makes room. It is indexed by
// the outpoints it spends so arriving parents find their children. Not
// safe for concurrent use.
type orphanPool struct {
	byID   map[chainhash.Hash]*orphan
	byPrev map[wire.OutPoint]map[chainhash.Hash]*orphan
	bytes  int

	max     int
	maxSize int
	ttl     time.Duration
	rng     *rand.Rand
}

func newOrphanPool(max, maxSize int, ttl time.Duration) *orphanPool {
	return &orphanPool{
		byID:    make(map[chainhash.Hash]*orphan),
		byPrev:  make(map[wire.OutPoint]map[chainhash.Hash]*orphan),
		max:     max,
		maxSize: maxSize,
		ttl:     ttl,
		rng:     rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
}

func (o *orphanPool) have(id chainhash.Hash) bool { _, ok := o.byID[id]; return ok }

func (o *orphanPool) count() int { return len(o.byID) }

// add stores tx. It refuses transactions above the size bound and makes
// room (expired first, then random) when full. It returns how many
// orphans were evicted.
func (o *orphanPool) add(tx *wire.MsgTx, id chainhash.Hash, now time.Time) (evicted int, err error) {
	if o.have(id) {
		return 0, nil
	}
	size := tx.SerializeSize()
	if size > o.maxSize {
		return 0, ruleError(ErrOrphanTooLarge, "orphan transaction "+id.String()+" is larger than the orphan size limit")
	}
	if o.max <= 0 {
		return 0, nil
	}
	evicted = o.expire(now)
	for len(o.byID) >= o.max {
		o.remove(o.randomID())
		evicted++
	}
	or := &orphan{tx: tx, id: id, size: size, expires: now.Add(o.ttl)}
	o.byID[id] = or
	o.bytes += size
	for _, in := range tx.TxIn {
		m := o.byPrev[in.PreviousOutPoint]
		if m == nil {
			m = make(map[chainhash.Hash]*orphan)
			o.byPrev[in.PreviousOutPoint] = m
		}
		m[id] = or
	}
	return evicted, nil
}

func (o *orphanPool) randomID() chainhash.Hash {
	n := o.rng.IntN(len(o.byID))
	for id := range o.byID {
		if n == 0 {
			return id
		}
		n--
	}
	panic("unreachable")
}

// remove drops one orphan; unknown ids are ignored.
func (o *orphanPool) remove(id chainhash.Hash) {
	or, ok := o.byID[id]
	if !ok {
		return
	}
	delete(o.byID, id)
	o.bytes -= or.size
	for _, in := range or.tx.TxIn {
		if m := o.byPrev[in.PreviousOutPoint]; m != nil {
			delete(m, id)
			if len(m) == 0 {
				delete(o.byPrev, in.PreviousOutPoint)
			}
		}
	}
}

// removeSpending drops every orphan that spends op (it conflicts with a
// block) and returns how many.
func (o *orphanPool) removeSpending(op wire.OutPoint) int {
	m := o.byPrev[op]
	n := 0
	for id := range m {
		o.remove(id)
		n++
	}
	return n
}

// expire drops orphans past their TTL.
func (o *orphanPool) expire(now time.Time) int {
	n := 0
	for id, or := range o.byID {
		if !now.Before(or.expires) {
			o.remove(id)
			n++
		}
	}
	return n
}

// childrenOf returns the orphans spending any output of the transaction
// id with nOut outputs, in a deterministic order.
func (o *orphanPool) childrenOf(id chainhash.Hash, nOut int) []*orphan {
	var out []*orphan
	seen := make(map[chainhash.Hash]bool)
	for i := 0; i < nOut; i++ {
		for cid, or := range o.byPrev[wire.OutPoint{Hash: id, Index: uint32(i)}] {
			if !seen[cid] {
				seen[cid] = true
				out = append(out, or)
			}
		}
	}
	sortOrphans(out)
	return out
}

func sortOrphans(s []*orphan) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && lessHash(s[j].id, s[j-1].id); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func lessHash(a, b chainhash.Hash) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
