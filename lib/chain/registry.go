package chain

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// Game registry buckets, numbered for the undo journal. See doc.go for
// the record formats.
const (
	regProducers  = iota // producer id -> producer record
	regNames             // folded name -> producer id
	regProps             // prop id -> prop record
	regOwner             // sha256(owner pkScript) || prop id -> empty (live props)
	regByProducer        // producer id || prop id -> empty (every prop ever created)
	regHistory           // object id || height u32 BE || tx index u32 BE -> event
	regContracts         // contract id -> contract record (contract.go)
	numRegBuckets
)

var regBucketNames = [numRegBuckets][]byte{
	[]byte("game-producers"), []byte("game-names"), []byte("game-props"),
	[]byte("game-props-by-owner"), []byte("game-props-by-producer"), []byte("game-history"),
	[]byte("game-contracts"),
}

var empty = []byte{}

// pendingWrite is an overlay value: del means the key is deleted.
type pendingWrite struct {
	val []byte
	del bool
}

// registry is the game registries as seen while validating one block: the
// database (as of the previous block) plus the block's own pending
// writes. It implements game.View, so each transaction of the block sees
// the effects of the ones before it. flush writes the pending state to
// the database and returns the undo journal.
type registry struct {
	tx      *store.Tx
	pending [numRegBuckets]map[string]pendingWrite
}

func newRegistry(tx *store.Tx) *registry {
	r := &registry{tx: tx}
	for i := range r.pending {
		r.pending[i] = make(map[string]pendingWrite)
	}
	return r
}

// get returns the current value (nil when absent). The slice may belong
// to the database: decode or copy it before the transaction ends.
func (r *registry) get(b int, key []byte) []byte {
	if w, ok := r.pending[b][string(key)]; ok {
		if w.del {
			return nil
		}
		return w.val
	}
	return r.tx.Bucket(regBucketNames[b]).Get(key)
}

func (r *registry) put(b int, key, val []byte) {
	r.pending[b][string(key)] = pendingWrite{val: val}
}

func (r *registry) del(b int, key []byte) {
	r.pending[b][string(key)] = pendingWrite{del: true}
}

// flush writes the pending state and returns the journal that undoes it:
// uvarint(n), then n entries of bucket number (1 byte) || uvarint(len key)
// || key || 0x00 (key was absent) or 0x01 || uvarint(len value) || value
// (the previous value). Entries are sorted by bucket and key; each key
// appears once, with its value from before the block. Writes that leave a
// key as it was are dropped.
func (r *registry) flush() ([]byte, error) {
	type entry struct {
		b   int
		key string
		w   pendingWrite
	}
	var entries []entry
	for b := range r.pending {
		for k, w := range r.pending[b] {
			entries = append(entries, entry{b, k, w})
		}
	}
	slices.SortFunc(entries, func(x, y entry) int {
		if x.b != y.b {
			return x.b - y.b
		}
		return bytes.Compare([]byte(x.key), []byte(y.key))
	})
	journal := make([]byte, 0, 64*len(entries)+1)
	var body []byte
	n := 0
	for _, e := range entries {
		bk := r.tx.Bucket(regBucketNames[e.b])
		key := []byte(e.key)
		prev := bk.Get(key)
		if e.w.del && prev == nil || !e.w.del && prev != nil && bytes.Equal(prev, e.w.val) {
			continue
		}
		n++
		body = append(body, byte(e.b))
		body = binary.AppendUvarint(body, uint64(len(key)))
		body = append(body, key...)
		if prev == nil {
			body = append(body, 0)
		} else {
			body = append(body, 1)
			body = binary.AppendUvarint(body, uint64(len(prev)))
			body = append(body, prev...)
		}
		var err error
		if e.w.del {
			err = bk.Delete(key)
		} else {
			err = bk.Put(key, e.w.val)
		}
		if err != nil {
			return nil, err
		}
	}
	journal = binary.AppendUvarint(journal, uint64(n))
	return append(journal, body...), nil
}

type journalEntry struct {
	b         int
	key, prev []byte // prev nil: the key was absent
}

// decodeJournal parses a journal and returns what follows it (the extra
// game hook's undo bytes).
func decodeJournal(b []byte) ([]journalEntry, []byte, error) {
	n, b, err := readUvarint(b)
	if err != nil || n > uint64(len(b)) {
		return nil, nil, errCorrupt
	}
	out := make([]journalEntry, n)
	for i := range out {
		if len(b) < 1 || int(b[0]) >= numRegBuckets {
			return nil, nil, errCorrupt
		}
		out[i].b = int(b[0])
		if out[i].key, b, err = readBytes(b[1:]); err != nil || len(out[i].key) == 0 {
			return nil, nil, errCorrupt
		}
		if len(b) < 1 || b[0] > 1 {
			return nil, nil, errCorrupt
		}
		present := b[0] == 1
		b = b[1:]
		if present {
			if out[i].prev, b, err = readBytes(b); err != nil {
				return nil, nil, err
			}
			if out[i].prev == nil {
				out[i].prev = empty
			}
		}
	}
	return out, b, nil
}

// undoRegistries replays a journal backwards and returns the rest of the
// undo bytes.
func undoRegistries(tx *store.Tx, undo []byte) ([]byte, error) {
	if len(undo) == 0 {
		// Undo data written before the game registries existed.
		return nil, nil
	}
	entries, rest, err := decodeJournal(undo)
	if err != nil {
		return nil, fmt.Errorf("game undo journal: %w", err)
	}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		bk := tx.Bucket(regBucketNames[e.b])
		if e.prev == nil {
			err = bk.Delete(e.key)
		} else {
			err = bk.Put(e.key, e.prev)
		}
		if err != nil {
			return nil, err
		}
	}
	return rest, nil
}

// game.View.

func (r *registry) ProducerIDByName(folded string) (game.ID, bool, error) {
	v := r.get(regNames, []byte(folded))
	if v == nil {
		return game.ID{}, false, nil
	}
	if len(v) != 32 {
		return game.ID{}, false, fmt.Errorf("chain: producer name %q: %w", folded, errCorrupt)
	}
	return game.ID(v), true, nil
}

func (r *registry) Producer(id game.ID) (*game.Producer, error) {
	v := r.get(regProducers, id[:])
	if v == nil {
		return nil, nil
	}
	p, err := decodeProducer(id, v)
	if err != nil {
		return nil, fmt.Errorf("chain: producer %v: %w", id, err)
	}
	return p, nil
}

func (r *registry) Prop(id game.ID) (*game.Prop, error) {
	v := r.get(regProps, id[:])
	if v == nil {
		return nil, nil
	}
	p, err := decodeProp(id, v)
	if err != nil {
		return nil, fmt.Errorf("chain: prop %v: %w", id, err)
	}
	return p, nil
}

func ownerKey(owner []byte, id game.ID) []byte {
	h := sha256.Sum256(owner)
	return append(h[:], id[:]...)
}

func pairKey(a, b game.ID) []byte { return append(append(make([]byte, 0, 64), a[:]...), b[:]...) }

func historyKey(id game.ID, height int32, txIndex int) []byte {
	k := append(make([]byte, 0, 40), id[:]...)
	k = binary.BigEndian.AppendUint32(k, uint32(height))
	return binary.BigEndian.AppendUint32(k, uint32(txIndex))
}

// apply writes a transaction's effect (the txIndex-th of its block).
func (r *registry) apply(e *game.Effect, txIndex int) error {
	for _, n := range e.FreeNames {
		r.del(regNames, []byte(n))
	}
	for _, n := range e.ClaimNames {
		if len(e.Producers) != 1 {
			return errors.New("chain: game effect claims a name without exactly one producer")
		}
		id := e.Producers[0].ID
		r.put(regNames, []byte(n), append([]byte(nil), id[:]...))
	}
	for i := range e.Producers {
		p := &e.Producers[i]
		r.put(regProducers, append([]byte(nil), p.ID[:]...), encodeProducer(p))
	}
	for i := range e.Props {
		p := &e.Props[i]
		old, err := r.Prop(p.ID)
		if err != nil {
			return err
		}
		if old == nil {
			r.put(regByProducer, pairKey(p.Producer, p.ID), empty)
		} else if old.Status == game.PropLive {
			r.del(regOwner, ownerKey(old.Owner, p.ID))
		}
		if p.Status == game.PropLive {
			r.put(regOwner, ownerKey(p.Owner, p.ID), empty)
		}
		r.put(regProps, append([]byte(nil), p.ID[:]...), encodeProp(p))
	}
	for i := range e.Events {
		ev := &e.Events[i]
		r.put(regHistory, historyKey(ev.Object.ID, ev.Height, txIndex), encodeEvent(ev))
	}
	return r.applyContracts(e)
}

// Record formats.

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendOutPoint(b []byte, op wire.OutPoint) []byte {
	b = append(b, op.Hash[:]...)
	return binary.BigEndian.AppendUint32(b, op.Index)
}

func encodeProducer(p *game.Producer) []byte {
	b := make([]byte, 0, 128+len(p.URL))
	b = appendStr(b, p.Name)
	b = appendStr(b, p.URL)
	b = appendStr(b, p.IP)
	b = appendStr(b, p.Class)
	b = append(b, p.Share)
	b = appendOutPoint(b, p.Outpoint)
	b = binary.AppendUvarint(b, uint64(len(p.Owner)))
	b = append(b, p.Owner...)
	b = binary.AppendUvarint(b, uint64(p.Value))
	b = binary.BigEndian.AppendUint32(b, uint32(p.Height))
	return binary.BigEndian.AppendUint32(b, uint32(p.Updated))
}

func encodeProp(p *game.Prop) []byte {
	b := make([]byte, 0, 128+len(p.OID))
	b = append(b, p.Producer[:]...)
	b = appendStr(b, p.OID)
	b = binary.AppendUvarint(b, uint64(p.Gold))
	b = appendOutPoint(b, p.Outpoint)
	b = binary.AppendUvarint(b, uint64(len(p.Owner)))
	b = append(b, p.Owner...)
	b = append(b, byte(p.Status))
	b = binary.BigEndian.AppendUint32(b, uint32(p.Height))
	b = binary.BigEndian.AppendUint32(b, uint32(p.Updated))
	b = binary.AppendUvarint(b, uint64(p.LastPrice))
	if p.Status == game.PropEscrow {
		b = append(b, p.Contract[:]...) // escrowed props only: older records stay as they were
	}
	return b
}

func encodeEvent(e *game.Event) []byte {
	b := make([]byte, 0, 48)
	b = append(b, byte(e.Op), byte(e.Object.Kind))
	b = append(b, e.Txid[:]...)
	b = binary.BigEndian.AppendUint32(b, e.Vout)
	return binary.AppendUvarint(b, uint64(e.Price))
}

// recReader reads record fields, remembering the first error.
type recReader struct {
	b   []byte
	err error
}

func (r *recReader) bytes() []byte {
	if r.err != nil {
		return nil
	}
	var v []byte
	v, r.b, r.err = readBytes(r.b)
	return v
}

func (r *recReader) str() string { return string(r.bytes()) }

func (r *recReader) fixed(n int) []byte {
	if r.err != nil {
		return make([]byte, n)
	}
	if len(r.b) < n {
		r.err = errCorrupt
		return make([]byte, n)
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *recReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	v, r.b, r.err = readUvarint(r.b)
	return v
}

// amount reads a uvarint that must fit an int64 (a stored gold value or
// price).
func (r *recReader) amount() int64 {
	v := r.uvarint()
	if v > math.MaxInt64 {
		r.fail()
		return 0
	}
	return int64(v)
}

// fail marks the record corrupt (an unknown enum value, say).
func (r *recReader) fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
}

func (r *recReader) u32() uint32 { return binary.BigEndian.Uint32(r.fixed(4)) }

func (r *recReader) outPoint() wire.OutPoint {
	var op wire.OutPoint
	copy(op.Hash[:], r.fixed(32))
	op.Index = r.u32()
	return op
}

func (r *recReader) done() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = errCorrupt
	}
	return r.err
}

func decodeProducer(id game.ID, v []byte) (*game.Producer, error) {
	r := &recReader{b: v}
	p := &game.Producer{ID: id}
	p.Name, p.URL, p.IP, p.Class = r.str(), r.str(), r.str(), r.str()
	p.Share = r.fixed(1)[0]
	p.Outpoint = r.outPoint()
	p.Owner = r.bytes()
	p.Value = r.amount()
	p.Height, p.Updated = int32(r.u32()), int32(r.u32())
	return p, r.done()
}

func decodeProp(id game.ID, v []byte) (*game.Prop, error) {
	r := &recReader{b: v}
	p := &game.Prop{ID: id}
	copy(p.Producer[:], r.fixed(32))
	p.OID = r.str()
	p.Gold = r.amount()
	p.Outpoint = r.outPoint()
	p.Owner = r.bytes()
	p.Status = game.PropStatus(r.fixed(1)[0])
	switch p.Status {
	case game.PropLive, game.PropDestroyed, game.PropEscrow:
	default:
		r.fail()
	}
	p.Height, p.Updated = int32(r.u32()), int32(r.u32())
	p.LastPrice = r.amount()
	if p.Status == game.PropEscrow {
		copy(p.Contract[:], r.fixed(32))
	}
	return p, r.done()
}

func decodeEvent(k, v []byte) (game.Event, error) {
	var e game.Event
	if len(k) != 40 {
		return e, errCorrupt
	}
	r := &recReader{b: v}
	h := r.fixed(2)
	e.Op, e.Object.Kind = game.RecordType(h[0]), game.Kind(h[1])
	copy(e.Object.ID[:], k[:32])
	e.Height = int32(binary.BigEndian.Uint32(k[32:]))
	copy(e.Txid[:], r.fixed(32))
	e.Vout = r.u32()
	e.Price = r.amount()
	return e, r.done()
}

// checkGameTx runs the game rules on the txIndex-th transaction of a block
// at height (prevs: the entries its inputs spend) and applies its effect
// to reg.
func (c *Chain) checkGameTx(reg *registry, t *wire.MsgTx, txid chainhash.Hash, txIndex int, prevs []*UtxoEntry, height int32) error {
	var spent []game.Coin
	if txIndex > 0 {
		spent = make([]game.Coin, len(prevs))
		for j, e := range prevs {
			o, err := game.DecodeObject(e.Game)
			if err != nil {
				return fmt.Errorf("chain: annotation of %v input %d: %w", txid, j, err)
			}
			spent[j] = game.Coin{Value: e.Amount, PkScript: e.PkScript, Object: o}
		}
	}
	eff, err := game.CheckTx(t, txid, spent, height, reg, c.params, game.ModeBlock)
	if err != nil {
		var re *game.RuleError
		if errors.As(err, &re) {
			return ruleErrorReason(ErrGameRule, re.Code, "transaction %v: %s", txid, re.Error())
		}
		return err
	}
	if eff == nil {
		return nil
	}
	return reg.apply(eff, txIndex)
}
