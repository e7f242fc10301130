package wallet

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// unconfirmed is the height stored for transactions and coins not in a
// block.
const unconfirmed = ^uint32(0)

// Transaction record flags (doc.go).
const (
	txFlagPending    = 1 << 0 // unconfirmed, to rebroadcast
	txFlagConflicted = 1 << 1 // an input was spent by another transaction
	txFlagAbandoned  = 1 << 2 // given up by the user
	txFlagCoinbase   = 1 << 3
	txFlagExpired    = 1 << 4 // a sale listing or bid whose auction lapsed (game.go)
	knownTxFlags     = txFlagPending | txFlagConflicted | txFlagAbandoned | txFlagCoinbase | txFlagExpired
)

// Coin record flags (doc.go).
const (
	coinFlagCoinbase = 1 << 0
	coinFlagChange   = 1 << 1 // paid to a change address
	coinFlagLocked   = 1 << 2 // time-locked: LockUntil holds the lock
	coinFlagReserved = 1 << 3 // committed to a bid or contract (later issues)
	coinFlagGame     = 1 << 4 // carries a game object: never used for plain payments
	coinFlagRelative = 1 << 5 // with coinFlagLocked: LockUntil is a relative lock in blocks (CSV)
	knownCoinFlags   = coinFlagCoinbase | coinFlagChange | coinFlagLocked | coinFlagReserved | coinFlagGame | coinFlagRelative
)

type txRecord struct {
	Flags     uint8
	Height    uint32 // unconfirmed when not in a block
	Block     chainhash.Hash
	FirstSeen uint64 // unix seconds
	Tx        *wire.MsgTx
}

func (r *txRecord) confirmed() bool { return r.Height != unconfirmed }

func encodeTxRecord(r *txRecord) []byte {
	b := make([]byte, 0, 1+1+4+32+8+r.Tx.SerializeSize())
	b = append(b, recordV1, r.Flags)
	b = binary.BigEndian.AppendUint32(b, r.Height)
	b = append(b, r.Block[:]...)
	b = binary.BigEndian.AppendUint64(b, r.FirstSeen)
	return r.Tx.AppendTo(b)
}

func decodeTxRecord(b []byte) (*txRecord, error) {
	if len(b) < 1+1+4+32+8 || b[0] != recordV1 {
		return nil, fmt.Errorf("%w: transaction record of %d bytes", ErrCorrupt, len(b))
	}
	r := &txRecord{Flags: b[1], Height: binary.BigEndian.Uint32(b[2:6]), FirstSeen: binary.BigEndian.Uint64(b[38:46])}
	copy(r.Block[:], b[6:38])
	if r.Flags&^knownTxFlags != 0 {
		return nil, fmt.Errorf("%w: transaction flags %#x", ErrCorrupt, r.Flags)
	}
	tx, err := wire.DecodeTx(b[46:])
	if err != nil {
		return nil, fmt.Errorf("%w: stored transaction: %v", ErrCorrupt, err)
	}
	r.Tx = tx
	return r, nil
}

type coinRecord struct {
	Value     int64
	Height    uint32 // unconfirmed when the creating tx is not in a block
	Flags     uint8
	LockUntil uint32 // height (< 500,000,000) or unix time the coin is locked until
	PkScript  []byte
	GameID    []byte
}

func encodeCoin(c *coinRecord) []byte {
	w := &writer{b: make([]byte, 0, 1+8+4+1+4+2+len(c.PkScript)+2+len(c.GameID))}
	w.u8(recordV1)
	w.b = binary.BigEndian.AppendUint64(w.b, uint64(c.Value))
	w.u32(c.Height)
	w.u8(c.Flags)
	w.u32(c.LockUntil)
	w.bytes16(c.PkScript)
	w.bytes16(c.GameID)
	return w.b
}

func decodeCoin(b []byte) (*coinRecord, error) {
	r := &reader{b: b}
	r.version("coin")
	c := &coinRecord{}
	if v := r.take(8, "coin"); v != nil {
		c.Value = int64(binary.BigEndian.Uint64(v))
	}
	c.Height = r.u32("coin")
	c.Flags = r.u8("coin")
	c.LockUntil = r.u32("coin")
	c.PkScript = r.bytes16("coin")
	c.GameID = r.bytes16("coin")
	if err := r.done("coin"); err != nil {
		return nil, err
	}
	if c.Flags&^knownCoinFlags != 0 || c.Value < 0 {
		return nil, fmt.Errorf("%w: coin flags %#x value %d", ErrCorrupt, c.Flags, c.Value)
	}
	return c, nil
}

func opKey(op wire.OutPoint) []byte {
	k := make([]byte, 36)
	copy(k, op.Hash[:])
	binary.BigEndian.PutUint32(k[32:], op.Index)
	return k
}

func opFromKey(k []byte) wire.OutPoint {
	var op wire.OutPoint
	copy(op.Hash[:], k[:32])
	op.Index = binary.BigEndian.Uint32(k[32:36])
	return op
}

func getTx(tx *store.Tx, id chainhash.Hash) (*txRecord, error) {
	v := tx.Bucket(bktTxs).Get(id[:])
	if v == nil {
		return nil, nil
	}
	r, err := decodeTxRecord(v)
	if err != nil {
		return nil, fmt.Errorf("tx %s: %w", id, err)
	}
	return r, nil
}

func putTx(tx *store.Tx, id chainhash.Hash, r *txRecord) error {
	return tx.Bucket(bktTxs).Put(id[:], encodeTxRecord(r))
}

// Coins live in two buckets: coins for plain ones, gamecoins for those
// carrying a game object (coinFlagGame), each of the latter with an entry
// object id ‖ outpoint key in objcoins. getCoin, hasCoin, putCoin and
// deleteCoin keep the three in step; nothing else writes them.

func getCoin(tx *store.Tx, op wire.OutPoint) (*coinRecord, error) {
	k := opKey(op)
	v := tx.Bucket(bktCoins).Get(k)
	if v == nil {
		v = tx.Bucket(bktGameCoins).Get(k)
	}
	if v == nil {
		return nil, nil
	}
	c, err := decodeCoin(v)
	if err != nil {
		return nil, fmt.Errorf("coin %s: %w", op, err)
	}
	return c, nil
}

// hasCoin reports whether op is a coin of the wallet.
func hasCoin(tx *store.Tx, op wire.OutPoint) bool {
	k := opKey(op)
	return tx.Bucket(bktCoins).Get(k) != nil || tx.Bucket(bktGameCoins).Get(k) != nil
}

// putCoin stores c as op's coin, in the bucket its flags say, replacing
// any earlier record of op (in either bucket, with its index entry).
func putCoin(tx *store.Tx, op wire.OutPoint, c *coinRecord) error {
	k := opKey(op)
	if err := deleteCoinKey(tx, k); err != nil {
		return err
	}
	if c.Flags&coinFlagGame == 0 {
		return tx.Bucket(bktCoins).Put(k, encodeCoin(c))
	}
	if err := tx.Bucket(bktGameCoins).Put(k, encodeCoin(c)); err != nil {
		return err
	}
	if len(c.GameID) == 0 {
		return nil // an explicit MarkGameCoin tag without an object
	}
	return tx.Bucket(bktObjCoins).Put(objCoinKey(c.GameID, k), nil)
}

// deleteCoin removes op's coin, wherever it is.
func deleteCoin(tx *store.Tx, op wire.OutPoint) error { return deleteCoinKey(tx, opKey(op)) }

func deleteCoinKey(tx *store.Tx, k []byte) error {
	if err := tx.Bucket(bktCoins).Delete(k); err != nil {
		return err
	}
	gc := tx.Bucket(bktGameCoins)
	v := gc.Get(k)
	if v == nil {
		return nil
	}
	old, err := decodeCoin(v)
	if err != nil {
		return fmt.Errorf("coin %s: %w", opFromKey(k), err)
	}
	if len(old.GameID) > 0 {
		if err := tx.Bucket(bktObjCoins).Delete(objCoinKey(old.GameID, k)); err != nil {
			return err
		}
	}
	return gc.Delete(k)
}

// objCoinKey is an objcoins key: the object id, then the coin's key.
func objCoinKey(gameID, coinKey []byte) []byte {
	return append(append(make([]byte, 0, len(gameID)+len(coinKey)), gameID...), coinKey...)
}

// coinKinds selects the coin buckets a walk reads.
type coinKinds uint8

const (
	plainCoins coinKinds = 1 << iota
	gameCoins
	allCoins = plainCoins | gameCoins
)

// eachCoin calls fn with the key and record of every coin of the kinds
// asked, in outpoint order (the two buckets merged).
func eachCoin(tx *store.Tx, kinds coinKinds, fn func(k, v []byte) error) error {
	a, b := tx.Bucket(bktCoins).Cursor(), tx.Bucket(bktGameCoins).Cursor()
	var ka, va, kb, vb []byte
	if kinds&plainCoins != 0 {
		ka, va = a.First()
	}
	if kinds&gameCoins != 0 {
		kb, vb = b.First()
	}
	for ka != nil || kb != nil {
		switch c := compareKeys(ka, kb); {
		case c == 0:
			return fmt.Errorf("%w: coin %s in both coin buckets", ErrCorrupt, opFromKey(ka))
		case c < 0:
			if err := fn(ka, va); err != nil {
				return err
			}
			ka, va = a.Next()
		default:
			if err := fn(kb, vb); err != nil {
				return err
			}
			kb, vb = b.Next()
		}
	}
	return nil
}

// compareKeys orders two cursor keys, nil (an exhausted cursor) last.
func compareKeys(a, b []byte) int {
	switch {
	case b == nil:
		return -1
	case a == nil:
		return 1
	}
	return bytes.Compare(a, b)
}

// spender returns the txid recorded as spending op, if any.
func spender(tx *store.Tx, op wire.OutPoint) (chainhash.Hash, bool) {
	var h chainhash.Hash
	v := tx.Bucket(bktSpends).Get(opKey(op))
	if len(v) != 32 {
		return h, false
	}
	copy(h[:], v)
	return h, true
}

func txHeightKey(height uint32, id chainhash.Hash) []byte {
	k := binary.BigEndian.AppendUint32(make([]byte, 0, 36), height)
	return append(k, id[:]...)
}

// cltvLock returns the absolute lock of a script that starts
// "<n> OP_CHECKLOCKTIMEVERIFY" (the CLTV form of GameGold's locktype), or
// 0 for any other script.
func cltvLock(s []byte) uint32 {
	const opCLTV = 0xb1
	if len(s) < 2 {
		return 0
	}
	switch op := s[0]; {
	case op >= 0x51 && op <= 0x60: // OP_1..OP_16
		if s[1] == opCLTV {
			return uint32(op - 0x50)
		}
	case op >= 1 && op <= 5:
		n := int(op)
		if len(s) < 1+n+1 || s[1+n] != opCLTV || s[n]&0x80 != 0 {
			return 0
		}
		var v uint64
		for i := n; i >= 1; i-- {
			v = v<<8 | uint64(s[i])
		}
		if v > uint64(^uint32(0)) {
			return 0
		}
		return uint32(v)
	}
	return 0
}
