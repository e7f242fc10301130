package index

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// AddrIndexName is the address index's name.
const AddrIndexName = "addrindex"

var (
	bucketAddrHist = []byte("index-addr-hist")
	bucketAddrUtxo = []byte("index-addr-utxo")
	bucketAddrSum  = []byte("index-addr-sum")
)

// Key lengths of the address index's records.
const (
	scriptKeyLen = sha256.Size
	// AddrTxCursorLen is the length of a history position: height (4) ||
	// position in the block (4).
	AddrTxCursorLen = 8
	// AddrUTXOCursorLen is the length of an unspent output's position:
	// height (4) || txid (32) || output index (4).
	AddrUTXOCursorLen = 4 + chainhash.HashSize + 4
)

// ErrBadCursor: a page cursor of the wrong length.
var ErrBadCursor = errors.New("index: bad cursor")

// AddrIndex holds, per output script, the active chain's transactions
// that pay or spend it, its unspent outputs and its totals (package
// documentation).
type AddrIndex struct {
	db *store.DB
}

var _ Index = (*AddrIndex)(nil)

// NewAddrIndex returns the address index of db.
func NewAddrIndex(db *store.DB) *AddrIndex { return &AddrIndex{db: db} }

// Name implements Index.
func (x *AddrIndex) Name() string { return AddrIndexName }

var addrBuckets = [][]byte{bucketAddrHist, bucketAddrUtxo, bucketAddrSum}

// Init implements Index.
func (x *AddrIndex) Init(tx *store.Tx) error {
	for _, b := range addrBuckets {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

// Reset implements Index.
func (x *AddrIndex) Reset(tx *store.Tx) error { return resetBuckets(tx, addrBuckets...) }

// ScriptKey is the key the address index files pkScript under.
func ScriptKey(pkScript []byte) [scriptKeyLen]byte { return sha256.Sum256(pkScript) }

// indexed reports whether outputs paying pkScript are indexed: all but
// the provably unspendable (OP_RETURN records, oversized scripts).
func indexed(pkScript []byte) bool { return !script.IsUnspendable(pkScript) }

func histKey(sk *[scriptKeyLen]byte, height int32, pos int) []byte {
	k := append(make([]byte, 0, scriptKeyLen+8), sk[:]...)
	k = binary.BigEndian.AppendUint32(k, uint32(height))
	return binary.BigEndian.AppendUint32(k, uint32(pos))
}

func utxoKey(sk *[scriptKeyLen]byte, height int32, op wire.OutPoint) []byte {
	k := append(make([]byte, 0, scriptKeyLen+AddrUTXOCursorLen), sk[:]...)
	k = binary.BigEndian.AppendUint32(k, uint32(height))
	k = append(k, op.Hash[:]...)
	return binary.BigEndian.AppendUint32(k, op.Index)
}

// utxoValue is flags (1: coinbase) || uvarint amount.
func utxoValue(amount int64, coinbase bool) []byte {
	f := byte(0)
	if coinbase {
		f = 1
	}
	return binary.AppendUvarint([]byte{f}, uint64(amount))
}

// decodeUtxo reads a utxoValue.
func decodeUtxo(v []byte) (amount int64, coinbase bool, err error) {
	if len(v) < 2 || v[0] > 1 {
		return 0, false, errCorrupt
	}
	a, n := binary.Uvarint(v[1:])
	if n <= 0 || 1+n != len(v) || a > 1<<62 {
		return 0, false, errCorrupt
	}
	return int64(a), v[0] == 1, nil
}

// histValue is txid (32) || uvarint received || uvarint sent.
func histValue(txid *chainhash.Hash, received, sent int64) []byte {
	v := append(make([]byte, 0, chainhash.HashSize+18), txid[:]...)
	return binary.AppendUvarint(binary.AppendUvarint(v, uint64(received)), uint64(sent))
}

func decodeHist(v []byte) (txid chainhash.Hash, received, sent int64, err error) {
	if len(v) < chainhash.HashSize+2 {
		return txid, 0, 0, errCorrupt
	}
	copy(txid[:], v)
	v = v[chainhash.HashSize:]
	r, n := binary.Uvarint(v)
	if n <= 0 {
		return txid, 0, 0, errCorrupt
	}
	s, m := binary.Uvarint(v[n:])
	if m <= 0 || n+m != len(v) || r > 1<<62 || s > 1<<62 {
		return txid, 0, 0, errCorrupt
	}
	return txid, int64(r), int64(s), nil
}

// addrTouch is what a block does to a script: its totals' changes, and
// the transaction at hand's amounts.
type addrTouch struct {
	key                [scriptKeyLen]byte
	txs, utxos         int64
	received, sent     int64
	inTx               bool // the transaction at hand touches it
	txReceived, txSent int64
}

// addrBatch gathers one block's changes per script.
type addrBatch struct {
	byKey map[[scriptKeyLen]byte]*addrTouch
	inTx  []*addrTouch // scripts the current transaction touched, in order
}

func (a *addrBatch) touch(pk []byte) *addrTouch {
	k := ScriptKey(pk)
	t := a.byKey[k]
	if t == nil {
		t = &addrTouch{key: k}
		a.byKey[k] = t
	}
	if !t.inTx {
		t.inTx = true
		t.txReceived, t.txSent = 0, 0
		a.inTx = append(a.inTx, t)
	}
	return t
}

// Connect implements Index: each transaction's outputs join their
// scripts' unspent outputs, its inputs leave them, each script it
// touches gets a history line, and the totals follow.
func (x *AddrIndex) Connect(tx *store.Tx, b *Block) error {
	hist, utxo := tx.Bucket(bucketAddrHist), tx.Bucket(bucketAddrUtxo)
	a := &addrBatch{byKey: map[[scriptKeyLen]byte]*addrTouch{}}
	txids := b.TxHashes()
	k := 0
	for pos, t := range b.Block.Transactions {
		a.inTx = a.inTx[:0]
		if pos > 0 {
			for _, in := range t.TxIn {
				if k >= len(b.Spent) {
					return fmt.Errorf("%d spent outputs for more inputs: %w", len(b.Spent), errCorrupt)
				}
				e := b.Spent[k]
				k++
				if !indexed(e.PkScript) {
					continue
				}
				at := a.touch(e.PkScript)
				if err := utxo.Delete(utxoKey(&at.key, e.Height, in.PreviousOutPoint)); err != nil {
					return err
				}
				at.txSent += e.Amount
				at.utxos--
			}
		}
		for i, out := range t.TxOut {
			if !indexed(out.PkScript) {
				continue
			}
			at := a.touch(out.PkScript)
			op := wire.OutPoint{Hash: txids[pos], Index: uint32(i)}
			if err := utxo.Put(utxoKey(&at.key, b.Height, op), utxoValue(out.Value, pos == 0)); err != nil {
				return err
			}
			at.txReceived += out.Value
			at.utxos++
		}
		for _, at := range a.inTx {
			if err := hist.Put(histKey(&at.key, b.Height, pos), histValue(&txids[pos], at.txReceived, at.txSent)); err != nil {
				return err
			}
			at.txs++
			at.received += at.txReceived
			at.sent += at.txSent
			at.inTx = false
		}
	}
	if k != len(b.Spent) {
		return fmt.Errorf("%d spent outputs for %d inputs: %w", len(b.Spent), k, errCorrupt)
	}
	return a.applySums(tx)
}

// Disconnect implements Index: Connect undone, transaction by
// transaction from the last; the outputs the block spent return from
// b.Spent.
func (x *AddrIndex) Disconnect(tx *store.Tx, b *Block) error {
	hist, utxo := tx.Bucket(bucketAddrHist), tx.Bucket(bucketAddrUtxo)
	a := &addrBatch{byKey: map[[scriptKeyLen]byte]*addrTouch{}}
	txids := b.TxHashes()
	k := len(b.Spent)
	for pos := len(b.Block.Transactions) - 1; pos >= 0; pos-- {
		t := b.Block.Transactions[pos]
		a.inTx = a.inTx[:0]
		for i, out := range t.TxOut {
			if !indexed(out.PkScript) {
				continue
			}
			at := a.touch(out.PkScript)
			op := wire.OutPoint{Hash: txids[pos], Index: uint32(i)}
			if err := utxo.Delete(utxoKey(&at.key, b.Height, op)); err != nil {
				return err
			}
			at.txReceived += out.Value
			at.utxos--
		}
		if pos > 0 {
			k -= len(t.TxIn)
			if k < 0 {
				return fmt.Errorf("%d spent outputs for more inputs: %w", len(b.Spent), errCorrupt)
			}
			for j, in := range t.TxIn {
				e := b.Spent[k+j]
				if !indexed(e.PkScript) {
					continue
				}
				at := a.touch(e.PkScript)
				if err := utxo.Put(utxoKey(&at.key, e.Height, in.PreviousOutPoint), utxoValue(e.Amount, e.Coinbase)); err != nil {
					return err
				}
				at.txSent += e.Amount
				at.utxos++
			}
		}
		for _, at := range a.inTx {
			if err := hist.Delete(histKey(&at.key, b.Height, pos)); err != nil {
				return err
			}
			at.txs--
			at.received -= at.txReceived
			at.sent -= at.txSent
			at.inTx = false
		}
	}
	if k != 0 {
		return fmt.Errorf("%d spent outputs for %d inputs: %w", len(b.Spent), len(b.Spent)-k, errCorrupt)
	}
	return a.applySums(tx)
}

// AddrSummary is a script's totals over the active chain.
type AddrSummary struct {
	// Txs counts the transactions paying or spending the script.
	Txs int64
	// Received and Sent sum the outputs paying it and the outputs of it
	// spent; Balance is their difference.
	Received, Sent int64
	// UTXOs counts its unspent outputs.
	UTXOs int64
}

// Balance is what the script holds: received less sent.
func (s AddrSummary) Balance() int64 { return s.Received - s.Sent }

func encodeSummary(s AddrSummary) []byte {
	v := make([]byte, 0, 24)
	for _, n := range []int64{s.Txs, s.Received, s.Sent, s.UTXOs} {
		v = binary.AppendUvarint(v, uint64(n))
	}
	return v
}

func decodeSummary(v []byte) (AddrSummary, error) {
	var n [4]int64
	for i := range n {
		u, l := binary.Uvarint(v)
		if l <= 0 || u > 1<<62 {
			return AddrSummary{}, errCorrupt
		}
		n[i], v = int64(u), v[l:]
	}
	if len(v) != 0 {
		return AddrSummary{}, errCorrupt
	}
	return AddrSummary{Txs: n[0], Received: n[1], Sent: n[2], UTXOs: n[3]}, nil
}

// applySums adds the batch's changes to the scripts' totals; a script
// left with no transaction loses its record, as if never indexed.
func (a *addrBatch) applySums(tx *store.Tx) error {
	sums := tx.Bucket(bucketAddrSum)
	for k, d := range a.byKey {
		var s AddrSummary
		if v := sums.Get(k[:]); v != nil {
			var err error
			if s, err = decodeSummary(v); err != nil {
				return fmt.Errorf("totals of %x: %w", k, err)
			}
		}
		s.Txs += d.txs
		s.Received += d.received
		s.Sent += d.sent
		s.UTXOs += d.utxos
		if s.Txs < 0 || s.Received < 0 || s.Sent < 0 || s.UTXOs < 0 {
			return fmt.Errorf("totals of %x below zero: %w", k, errCorrupt)
		}
		if s.Txs == 0 {
			if err := sums.Delete(k[:]); err != nil {
				return err
			}
			continue
		}
		if err := sums.Put(k[:], encodeSummary(s)); err != nil {
			return err
		}
	}
	return nil
}

// AddrTip is the index's tip an answer was read at.
type AddrTip struct {
	Hash   chainhash.Hash
	Height int32 // -1: the index holds no block
}

// AddrTx is one line of a script's history.
type AddrTx struct {
	Txid   chainhash.Hash
	Block  chainhash.Hash
	Height int32
	// Position is the transaction's index in its block.
	Position uint32
	// Received sums the transaction's outputs paying the script, Sent
	// the outputs of the script it spends.
	Received, Sent int64
	// Cursor is the line's position, for a page starting after it.
	Cursor []byte
}

// AddrUTXO is one unspent output of a script.
type AddrUTXO struct {
	OutPoint wire.OutPoint
	Height   int32
	Amount   int64
	Coinbase bool
	Cursor   []byte
}

func (x *AddrIndex) view(fn func(tx *store.Tx, tip AddrTip) error) error {
	return x.db.View(func(tx *store.Tx) error {
		t, ok, err := readTip(tx, AddrIndexName)
		if err != nil {
			return err
		}
		tip := AddrTip{Height: -1}
		if ok {
			tip = AddrTip{Hash: t.Hash, Height: t.Height}
		}
		return fn(tx, tip)
	})
}

// Txs lists up to limit transactions paying or spending pkScript, in
// chain order (newest first when desc), after the line whose Cursor is
// after (nil: from the first), all read at the returned tip.
func (x *AddrIndex) Txs(pkScript, after []byte, limit int, desc bool) ([]AddrTx, AddrTip, error) {
	if after != nil && len(after) != AddrTxCursorLen {
		return nil, AddrTip{}, fmt.Errorf("history cursor of %d bytes: %w", len(after), ErrBadCursor)
	}
	sk := ScriptKey(pkScript)
	var out []AddrTx
	var tip AddrTip
	err := x.view(func(tx *store.Tx, t AddrTip) error {
		tip = t
		c := tx.Bucket(bucketAddrHist).Cursor()
		return pageScan(c, sk[:], after, desc, limit, func(k, v []byte) error {
			pos := k[scriptKeyLen:]
			e := AddrTx{Height: int32(binary.BigEndian.Uint32(pos)), Position: binary.BigEndian.Uint32(pos[4:]),
				Cursor: append([]byte(nil), pos...)}
			var err error
			if e.Txid, e.Received, e.Sent, err = decodeHist(v); err != nil {
				return fmt.Errorf("index %s: history record %x: %w", AddrIndexName, k, err)
			}
			h, ok := chain.MainHashInTx(tx, e.Height)
			if !ok {
				return fmt.Errorf("index %s: history at height %d above the chain: %w", AddrIndexName, e.Height, errCorrupt)
			}
			e.Block = h
			out = append(out, e)
			return nil
		})
	})
	return out, tip, err
}

// UTXOs lists up to limit unspent outputs paying pkScript, oldest
// first, after the one whose Cursor is after (nil: from the first).
func (x *AddrIndex) UTXOs(pkScript, after []byte, limit int) ([]AddrUTXO, AddrTip, error) {
	if after != nil && len(after) != AddrUTXOCursorLen {
		return nil, AddrTip{}, fmt.Errorf("utxo cursor of %d bytes: %w", len(after), ErrBadCursor)
	}
	sk := ScriptKey(pkScript)
	var out []AddrUTXO
	var tip AddrTip
	err := x.view(func(tx *store.Tx, t AddrTip) error {
		tip = t
		c := tx.Bucket(bucketAddrUtxo).Cursor()
		return pageScan(c, sk[:], after, false, limit, func(k, v []byte) error {
			pos := k[scriptKeyLen:]
			u := AddrUTXO{Height: int32(binary.BigEndian.Uint32(pos)), Cursor: append([]byte(nil), pos...)}
			copy(u.OutPoint.Hash[:], pos[4:])
			u.OutPoint.Index = binary.BigEndian.Uint32(pos[4+chainhash.HashSize:])
			var err error
			if u.Amount, u.Coinbase, err = decodeUtxo(v); err != nil {
				return fmt.Errorf("index %s: utxo record %x: %w", AddrIndexName, k, err)
			}
			out = append(out, u)
			return nil
		})
	})
	return out, tip, err
}

// Summary returns pkScript's totals (zero when the index never saw it).
func (x *AddrIndex) Summary(pkScript []byte) (AddrSummary, AddrTip, error) {
	sk := ScriptKey(pkScript)
	var s AddrSummary
	var tip AddrTip
	err := x.view(func(tx *store.Tx, t AddrTip) error {
		tip = t
		v := tx.Bucket(bucketAddrSum).Get(sk[:])
		if v == nil {
			return nil
		}
		var err error
		if s, err = decodeSummary(v); err != nil {
			return fmt.Errorf("index %s: totals of %x: %w", AddrIndexName, sk, err)
		}
		return nil
	})
	return s, tip, err
}

// Height is the index's tip height, -1 when it holds no block.
func (x *AddrIndex) Height() (int32, error) { return tipHeight(x.db, AddrIndexName) }

// pageScan calls fn for up to limit keys under prefix, in key order (or
// reverse), strictly after (or before, when desc) prefix||after.
func pageScan(c *bbolt.Cursor, prefix, after []byte, desc bool, limit int, fn func(k, v []byte) error) error {
	var k, v []byte
	switch {
	case !desc && after == nil:
		k, v = c.Seek(prefix)
	case !desc:
		from := append(append([]byte(nil), prefix...), after...)
		k, v = c.Seek(from)
		if k != nil && bytes.Equal(k, from) {
			k, v = c.Next()
		}
	default:
		// The first key past the range, then one back.
		var end []byte
		if after != nil {
			end = append(append([]byte(nil), prefix...), after...)
		} else {
			end = prefixEnd(prefix)
		}
		if end == nil {
			k, v = c.Last()
		} else if k, v = c.Seek(end); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	}
	for n := 0; k != nil && bytes.HasPrefix(k, prefix) && (limit <= 0 || n < limit); n++ {
		if err := fn(k, v); err != nil {
			return err
		}
		if desc {
			k, v = c.Prev()
		} else {
			k, v = c.Next()
		}
	}
	return nil
}

// prefixEnd is the least key above every key starting with prefix, nil
// when there is none (prefix all 0xff).
func prefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
