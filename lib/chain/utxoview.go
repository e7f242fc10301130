package chain

import (
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// UnconfirmedHeight is the Height the mempool gives entries created by
// unconfirmed transactions.
const UnconfirmedHeight int32 = 0x7fffffff

// UtxoEntry is one unspent transaction output.
type UtxoEntry struct {
	Amount   int64
	PkScript []byte
	Height   int32 // height of the block holding the creating tx (UnconfirmedHeight in the mempool)
	Coinbase bool
	Game     []byte // opaque game-object annotation, persisted with the entry

	state entryState
}

type entryState uint8

const (
	entrySpent    entryState = 1 << iota // spent in this view
	entryModified                        // differs from the confirmed state the view was loaded from
	entryFresh                           // created in this view (absent from the database)
)

// IsSpent reports whether the entry was spent in the view holding it.
func (e *UtxoEntry) IsSpent() bool { return e.state&entrySpent != 0 }

// Clone returns a deep copy of the entry (nil for nil).
func (e *UtxoEntry) Clone() *UtxoEntry {
	if e == nil {
		return nil
	}
	c := *e
	c.PkScript = append([]byte(nil), e.PkScript...)
	if e.Game != nil {
		c.Game = append([]byte(nil), e.Game...)
	}
	return &c
}

// UtxoView is a read-only source of unspent outputs.
type UtxoView interface {
	// LookupEntry returns the unspent output op, or nil when it is unknown
	// or spent. Callers must not modify the entry.
	LookupEntry(op wire.OutPoint) *UtxoEntry
}

// UtxoViewpoint is an in-memory set of outputs used while validating
// blocks and by the mempool. It is not safe for concurrent mutation;
// concurrent lookups are fine.
type UtxoViewpoint struct {
	entries map[wire.OutPoint]*UtxoEntry
}

// NewUtxoViewpoint returns an empty view.
func NewUtxoViewpoint() *UtxoViewpoint {
	return &UtxoViewpoint{entries: make(map[wire.OutPoint]*UtxoEntry)}
}

// LookupEntry returns the unspent entry for op, or nil when the view does
// not hold it or holds it as spent.
func (v *UtxoViewpoint) LookupEntry(op wire.OutPoint) *UtxoEntry {
	e := v.entries[op]
	if e == nil || e.IsSpent() {
		return nil
	}
	return e
}

// lookup returns whatever the view holds for op, spent or not.
func (v *UtxoViewpoint) lookup(op wire.OutPoint) (*UtxoEntry, bool) {
	e, ok := v.entries[op]
	return e, ok
}

// AddEntry puts entry (owned by the view from now on) under op, replacing
// anything held.
func (v *UtxoViewpoint) AddEntry(op wire.OutPoint, entry *UtxoEntry) {
	entry.state = entryModified
	v.entries[op] = entry
}

// AddTxOuts adds every spendable output of tx as created at height, each
// with the game object tx's record puts on it (game.Annotate) as its Game
// annotation. Provably unspendable outputs (OP_RETURN, oversized scripts)
// are skipped.
func (v *UtxoViewpoint) AddTxOuts(tx *wire.MsgTx, height int32) {
	v.addTxOuts(tx, tx.TxHash(), height)
}

func (v *UtxoViewpoint) addTxOuts(tx *wire.MsgTx, txid chainhash.Hash, height int32) {
	cb := tx.IsCoinBase()
	objs := game.AnnotateTxid(tx, txid)
	for i, out := range tx.TxOut {
		if script.IsUnspendable(out.PkScript) {
			continue
		}
		op := wire.OutPoint{Hash: txid, Index: uint32(i)}
		state := entryModified | entryFresh
		if old, ok := v.entries[op]; ok && old.state&entryFresh == 0 {
			// Re-creating something the database holds (as spent in this
			// view): the database row must be rewritten, not skipped.
			state = entryModified
		}
		e := &UtxoEntry{Amount: out.Value, PkScript: out.PkScript, Height: height, Coinbase: cb, state: state}
		if objs != nil {
			e.Game = objs[i].Bytes()
		}
		v.entries[op] = e
	}
}

// SpendEntry marks op spent. Unknown outpoints get a spent marker, so
// later lookups in this view return nil.
func (v *UtxoViewpoint) SpendEntry(op wire.OutPoint) {
	e := v.entries[op]
	if e == nil {
		v.entries[op] = &UtxoEntry{state: entrySpent | entryModified}
		return
	}
	e.state |= entrySpent | entryModified
}

// RemoveEntry forgets op entirely (neither unspent nor spent).
func (v *UtxoViewpoint) RemoveEntry(op wire.OutPoint) { delete(v.entries, op) }

// Entries returns the view's map, including entries marked spent (see
// UtxoEntry.IsSpent). Callers must not modify it.
func (v *UtxoViewpoint) Entries() map[wire.OutPoint]*UtxoEntry { return v.entries }
