package wallet

import (
	"encoding/binary"
	"fmt"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// syncHistory is how many recent (height, hash) pairs of processed blocks
// the wallet keeps, to find the fork point after a reorg it missed.
const syncHistory = 144

// keyBlockPrefix ‖ height u32 -> block hash 32, in the meta bucket: the
// recent blocks the wallet processed (the last syncHistory).
var keyBlockPrefix = []byte("blk/")

// SyncTip is the last block the wallet processed.
type SyncTip struct {
	Hash   chainhash.Hash
	Height int32 // -1: nothing processed yet
}

func readSynced(tx *store.Tx) SyncTip {
	v := tx.Bucket(bktMeta).Get(keySynced)
	if len(v) != 36 {
		return SyncTip{Height: -1}
	}
	t := SyncTip{Height: int32(binary.BigEndian.Uint32(v))}
	copy(t.Hash[:], v[4:])
	return t
}

func blockKey(height int32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), keyBlockPrefix...), uint32(height))
}

func writeSynced(tx *store.Tx, t SyncTip) error {
	meta := tx.Bucket(bktMeta)
	if t.Height < 0 {
		return meta.Delete(keySynced)
	}
	v := binary.BigEndian.AppendUint32(make([]byte, 0, 36), uint32(t.Height))
	if err := meta.Put(keySynced, append(v, t.Hash[:]...)); err != nil {
		return err
	}
	if err := meta.Put(blockKey(t.Height), t.Hash[:]); err != nil {
		return err
	}
	if t.Height >= syncHistory {
		return meta.Delete(blockKey(t.Height - syncHistory))
	}
	return nil
}

// recentBlock returns the hash the wallet processed at height, if kept.
func recentBlock(tx *store.Tx, height int32) (chainhash.Hash, bool) {
	var h chainhash.Hash
	v := tx.Bucket(bktMeta).Get(blockKey(height))
	if len(v) != 32 {
		return h, false
	}
	copy(h[:], v)
	return h, true
}

// Synced returns the last block the wallet processed.
func (w *Wallet) Synced() (SyncTip, error) {
	var t SyncTip
	err := w.view(func(tx *store.Tx) error { t = readSynced(tx); return nil })
	return t, err
}

// BlockConnected implements ChainHandler: it records the block's
// transactions that pay or spend the wallet, as confirmed, and moves the
// sync tip. Replaying a block already processed changes nothing.
func (w *Wallet) BlockConnected(b *Block) {
	if err := w.connectBlock(b); err != nil {
		w.log.Error("block connected", "hash", b.Hash, "height", b.Height, "err", err)
	}
}

// BlockDisconnected implements ChainHandler: it undoes BlockConnected.
// The block's transactions become unconfirmed (pending again), except
// coinbase transactions, which are removed with their coins.
func (w *Wallet) BlockDisconnected(b *Block) {
	if err := w.disconnectBlock(b); err != nil {
		w.log.Error("block disconnected", "hash", b.Hash, "height", b.Height, "err", err)
	}
}

// RelevantTx implements ChainHandler: a mempool transaction paying or
// spending the wallet is recorded as unconfirmed and pending. One that
// double-spends a pending wallet transaction replaced it in the
// mempool: the replaced one is marked conflicted.
func (w *Wallet) RelevantTx(t *wire.MsgTx) {
	// In process every mempool transaction arrives here: look first
	// (a read), so the irrelevant ones cost no database write.
	var relevant bool
	if err := w.view(func(tx *store.Tx) error {
		var err error
		relevant, err = mayConcern(tx, t)
		return err
	}); err != nil || !relevant {
		if err != nil {
			w.log.Error("relevant tx", "txid", t.TxHash(), "err", err)
		}
		return
	}
	err := w.update(func(tx *store.Tx) error {
		_, err := w.addTx(tx, t, nil)
		return err
	})
	if err != nil {
		w.log.Error("relevant tx", "txid", t.TxHash(), "err", err)
	}
}

// mayConcern reports whether addTx could record t: it is known, pays a
// wallet script or spends a wallet coin.
func mayConcern(tx *store.Tx, t *wire.MsgTx) (bool, error) {
	id := t.TxHash()
	if tx.Bucket(bktTxs).Get(id[:]) != nil {
		return false, nil // addTx ignores known ones without a block
	}
	for _, out := range t.TxOut {
		ar, err := getAddr(tx, out.PkScript)
		if err != nil || ar != nil {
			return ar != nil, err
		}
	}
	for _, in := range t.TxIn {
		if hasCoin(tx, in.PreviousOutPoint) {
			return true, nil
		}
	}
	return false, nil
}

var (
	_ ReplacementHandler = (*Wallet)(nil)
	_ DropHandler        = (*Wallet)(nil)
)

// TxReplaced implements ReplacementHandler: TxDropped(id, DropReplaced).
func (w *Wallet) TxReplaced(id chainhash.Hash) { w.TxDropped(id, DropReplaced) }

// TxDropped implements DropHandler: a pending wallet transaction that
// the mempool dropped for good is marked expired (DropLapsed) or
// conflicted (any other reason) with its wallet descendants; its coins
// vanish and the coins it spent are spendable again. Unknown, confirmed
// or already dropped transactions are ignored.
func (w *Wallet) TxDropped(id chainhash.Hash, why DropReason) {
	var pending bool
	_ = w.view(func(tx *store.Tx) error {
		pending = tx.Bucket(bktPending).Get(id[:]) != nil
		return nil
	})
	if !pending {
		return
	}
	flag := uint8(txFlagConflicted)
	if why == DropLapsed {
		flag = txFlagExpired
	}
	w.log.Info("mempool dropped transaction", "txid", id, "reason", why)
	err := w.update(func(tx *store.Tx) error { return w.dropTx(tx, id, flag) })
	if err != nil {
		w.log.Error("dropped tx", "txid", id, "reason", why, "err", err)
	}
}

func (w *Wallet) connectBlock(b *Block) error {
	return w.update(func(tx *store.Tx) error {
		return w.connectBlockTx(tx, b, false)
	})
}

// rescanBlock is connectBlock for a rescan: a block already processed is
// looked at again (for addresses or accounts added since), which addTx
// makes harmless for the transactions already recorded.
func (w *Wallet) rescanBlock(b *Block) error {
	return w.update(func(tx *store.Tx) error {
		return w.connectBlockTx(tx, b, true)
	})
}

func (w *Wallet) connectBlockTx(tx *store.Tx, b *Block, rescan bool) error {
	tip := readSynced(tx)
	if !rescan && tip.Height == b.Height && tip.Hash == b.Hash {
		return nil // replay of the tip
	}
	if h, ok := recentBlock(tx, b.Height); !rescan && ok && h == b.Hash && tip.Height > b.Height {
		return nil // replay of an older block already processed
	}
	if tip.Height >= 0 && b.Height > tip.Height+1 {
		// Blocks were skipped (a remote client that lost notifications):
		// the next Resync finds their transactions by rescanning.
		w.log.Warn("block notification skips blocks", "synced", tip.Height, "height", b.Height)
	}
	if err := putBlockTime(tx, b.Height, b.Header.Timestamp); err != nil {
		return err
	}
	for _, t := range b.Txs {
		if _, err := w.addTxMode(tx, t, b, rescan); err != nil {
			return err
		}
	}
	if err := w.expireSales(tx, b); err != nil {
		return err
	}
	if err := w.contractsBlock(tx, b); err != nil {
		return err
	}
	if b.Height >= tip.Height || tip.Height < 0 {
		return writeSynced(tx, SyncTip{Hash: b.Hash, Height: b.Height})
	}
	return nil
}

func (w *Wallet) disconnectBlock(b *Block) error {
	return w.update(func(tx *store.Tx) error {
		return w.disconnectBlockTx(tx, b)
	})
}

func (w *Wallet) disconnectBlockTx(tx *store.Tx, b *Block) error {
	if err := w.contractsUndo(tx, b); err != nil {
		return err
	}
	for i := len(b.Txs) - 1; i >= 0; i-- {
		t := b.Txs[i]
		id := t.TxHash()
		r, err := getTx(tx, id)
		if err != nil {
			return err
		}
		if r == nil || !r.confirmed() || r.Block != b.Hash {
			continue // not ours, or already undone
		}
		if err := w.unconfirmTx(tx, id, r); err != nil {
			return err
		}
	}
	tip := readSynced(tx)
	if tip.Height >= b.Height {
		meta := tx.Bucket(bktMeta)
		if err := meta.Delete(blockKey(b.Height)); err != nil {
			return err
		}
		if err := deleteBlockTime(tx, b.Height); err != nil {
			return err
		}
		return writeSynced(tx, SyncTip{Hash: b.Header.PrevBlock, Height: b.Height - 1})
	}
	return nil
}

// unconfirmTx takes a confirmed wallet transaction out of its block:
// a coinbase is removed with its coins (and anything spending them is
// conflicted); another transaction becomes pending again, its coins
// unconfirmed and the wallet coins it spent restored, spent by it.
func (w *Wallet) unconfirmTx(tx *store.Tx, id chainhash.Hash, r *txRecord) error {
	if err := tx.Bucket(bktTxHeight).Delete(txHeightKey(r.Height, id)); err != nil {
		return err
	}
	if r.Tx.IsCoinBase() {
		for i := range r.Tx.TxOut {
			op := wire.OutPoint{Hash: id, Index: uint32(i)}
			if err := w.removeCoin(tx, op, txFlagConflicted); err != nil {
				return err
			}
		}
		return tx.Bucket(bktTxs).Delete(id[:])
	}
	r.Height, r.Block = unconfirmed, chainhash.Hash{}
	r.Flags |= txFlagPending
	if err := putTx(tx, id, r); err != nil {
		return err
	}
	if err := addPending(tx, id); err != nil {
		return err
	}
	for i := range r.Tx.TxOut {
		op := wire.OutPoint{Hash: id, Index: uint32(i)}
		c, err := getCoin(tx, op)
		if err != nil {
			return err
		}
		if c != nil {
			c.Height = unconfirmed
			if err := putCoin(tx, op, c); err != nil {
				return err
			}
		}
	}
	for _, in := range r.Tx.TxIn {
		op := in.PreviousOutPoint
		prev, err := getTx(tx, op.Hash)
		if err != nil {
			return err
		}
		if prev == nil || int(op.Index) >= len(prev.Tx.TxOut) {
			continue
		}
		out := prev.Tx.TxOut[op.Index]
		ar, err := getAddr(tx, out.PkScript)
		if err != nil {
			return err
		}
		if ar == nil {
			continue
		}
		c, err := w.newCoin(tx, out, ar, prev.Height, prev.Flags&txFlagCoinbase != 0)
		if err != nil {
			return err
		}
		objs, _ := gameOutputs(prev.Tx, op.Hash)
		setGameFlags(c, objs, int(op.Index), false, false)
		if err := putCoin(tx, op, c); err != nil {
			return err
		}
		if err := tx.Bucket(bktSpends).Put(opKey(op), id[:]); err != nil {
			return err
		}
	}
	return nil
}

// removeCoin deletes a coin, dropping (with flag) a pending transaction
// that spends it.
func (w *Wallet) removeCoin(tx *store.Tx, op wire.OutPoint, flag uint8) error {
	if sp, ok := spender(tx, op); ok {
		if err := w.dropTx(tx, sp, flag); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bktSpends).Delete(opKey(op)); err != nil {
		return err
	}
	return deleteCoin(tx, op)
}

// dropTx marks an unconfirmed transaction conflicted or abandoned, with
// everything spending its outputs: its coins disappear and the wallet
// coins it spent become spendable again. Confirmed transactions are left
// alone.
func (w *Wallet) dropTx(tx *store.Tx, id chainhash.Hash, flag uint8) error {
	r, err := getTx(tx, id)
	if err != nil || r == nil || r.confirmed() {
		return err
	}
	if r.Flags&(txFlagConflicted|txFlagAbandoned) != 0 && r.Flags&txFlagPending == 0 {
		r.Flags |= flag
		return putTx(tx, id, r)
	}
	r.Flags = r.Flags&^txFlagPending | flag
	if err := putTx(tx, id, r); err != nil {
		return err
	}
	if err := tx.Bucket(bktPending).Delete(id[:]); err != nil {
		return err
	}
	w.log.Info("transaction dropped", "txid", id, "conflicted", flag == txFlagConflicted)
	for i := range r.Tx.TxOut {
		if err := w.removeCoin(tx, wire.OutPoint{Hash: id, Index: uint32(i)}, flag); err != nil {
			return err
		}
	}
	for _, in := range r.Tx.TxIn {
		if sp, ok := spender(tx, in.PreviousOutPoint); ok && sp == id {
			if err := tx.Bucket(bktSpends).Delete(opKey(in.PreviousOutPoint)); err != nil {
				return err
			}
		}
	}
	return nil
}

func addPending(tx *store.Tx, id chainhash.Hash) error {
	b := tx.Bucket(bktPending)
	if b.Get(id[:]) != nil {
		return nil
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	return b.Put(id[:], binary.BigEndian.AppendUint64(nil, seq))
}

// newCoin builds the coin record of out, paid to the wallet address ar.
func (w *Wallet) newCoin(tx *store.Tx, out *wire.TxOut, ar *addrRecord, height uint32, coinbase bool) (*coinRecord, error) {
	c := &coinRecord{Value: out.Value, Height: height, PkScript: append([]byte(nil), out.PkScript...)}
	if coinbase {
		c.Flags |= coinFlagCoinbase
	}
	if ar.Branch == BranchChange {
		c.Flags |= coinFlagChange
	}
	if ar.Flags&flagScript != 0 {
		var key []byte
		if _, prog, ok := script.ExtractWitnessProgram(out.PkScript); ok && len(prog) == 32 {
			key = prog
		} else if len(out.PkScript) == 23 {
			key = out.PkScript[2:22]
		}
		if key != nil {
			if s := tx.Bucket(bktScripts).Get(key); s != nil {
				if flags, until := lockOf(s); flags != 0 {
					c.Flags |= flags
					c.LockUntil = until
				}
			}
		}
	}
	return c, nil
}

// addTx records t if it pays or spends the wallet: confirmed in b, or
// unconfirmed (b nil). It reports whether t is the wallet's.
func (w *Wallet) addTx(tx *store.Tx, t *wire.MsgTx, b *Block) (bool, error) {
	return w.addTxMode(tx, t, b, false)
}

// addTxMode is addTx; with rescan set, a transaction already recorded in
// the same block is processed again, so outputs to addresses learnt
// since (imports, discovered accounts) become coins. Coins it re-creates
// that were spent later are deleted again when the rescan reaches their
// spender, which it processes again too (a rescan runs to the tip).
func (w *Wallet) addTxMode(tx *store.Tx, t *wire.MsgTx, b *Block, rescan bool) (bool, error) {
	id := t.TxHash()
	r, err := getTx(tx, id)
	if err != nil {
		return false, err
	}
	if r != nil && b == nil {
		return true, nil // known already (mempool replay, or confirmed)
	}
	if r != nil && b != nil && r.confirmed() && r.Block == b.Hash && !rescan {
		return true, nil // replay of the same block
	}
	coinbase := t.IsCoinBase()
	objs, bid := gameOutputs(t, id)
	type mineOut struct {
		idx int
		ar  *addrRecord
	}
	var outs []mineOut
	for i, out := range t.TxOut {
		ar, err := getAddr(tx, out.PkScript)
		if err != nil {
			return false, err
		}
		if ar != nil {
			outs = append(outs, mineOut{i, ar})
		}
	}
	var spends []wire.OutPoint
	if !coinbase {
		for _, in := range t.TxIn {
			if hasCoin(tx, in.PreviousOutPoint) {
				spends = append(spends, in.PreviousOutPoint)
			}
		}
	}
	if r == nil && len(outs) == 0 && len(spends) == 0 {
		return false, nil
	}
	now := uint64(w.now().Unix())
	if r == nil {
		r = &txRecord{Height: unconfirmed, FirstSeen: now, Tx: t.Copy()}
	}
	height := unconfirmed
	if b != nil {
		height = uint32(b.Height)
		if r.confirmed() { // moved to another block without a disconnect
			if err := tx.Bucket(bktTxHeight).Delete(txHeightKey(r.Height, id)); err != nil {
				return false, err
			}
		}
		r.Height, r.Block = height, b.Hash
		r.Flags &^= txFlagPending | txFlagConflicted | txFlagAbandoned
		if err := tx.Bucket(bktPending).Delete(id[:]); err != nil {
			return false, err
		}
		if err := tx.Bucket(bktTxHeight).Put(txHeightKey(height, id), nil); err != nil {
			return false, err
		}
	} else {
		r.Flags |= txFlagPending
		if err := addPending(tx, id); err != nil {
			return false, err
		}
	}
	if coinbase {
		r.Flags |= txFlagCoinbase
	}
	if err := putTx(tx, id, r); err != nil {
		return false, err
	}
	for _, op := range spends {
		if sp, ok := spender(tx, op); ok && sp != id {
			// Another wallet transaction spent this coin: t replaced it
			// (mempool) or beat it into a block.
			if err := w.dropTx(tx, sp, txFlagConflicted); err != nil {
				return false, err
			}
		}
		if b != nil {
			if err := tx.Bucket(bktSpends).Delete(opKey(op)); err != nil {
				return false, err
			}
			if err := deleteCoin(tx, op); err != nil {
				return false, err
			}
		} else if err := tx.Bucket(bktSpends).Put(opKey(op), id[:]); err != nil {
			return false, err
		}
	}
	for _, o := range outs {
		op := wire.OutPoint{Hash: id, Index: uint32(o.idx)}
		c, err := w.newCoin(tx, t.TxOut[o.idx], o.ar, height, coinbase)
		if err != nil {
			return false, err
		}
		if old, err := getCoin(tx, op); err != nil {
			return false, err
		} else if old != nil {
			c.Flags |= old.Flags & (coinFlagGame | coinFlagReserved)
			c.GameID = old.GameID
		}
		setGameFlags(c, objs, o.idx, bid, b == nil)
		if err := putCoin(tx, op, c); err != nil {
			return false, err
		}
		if err := w.markUsedTx(tx, t.TxOut[o.idx].PkScript, o.ar); err != nil {
			return false, err
		}
	}
	return true, nil
}

// markUsedTx moves the used mark of ar's chain past it and extends the
// lookahead (MarkUsed inside a database transaction).
func (w *Wallet) markUsedTx(tx *store.Tx, pkScript []byte, r *addrRecord) error {
	if r.Branch == BranchImported {
		return nil
	}
	acct, err := getAccount(tx, r.Account)
	if err != nil {
		return err
	}
	b := &acct.Branches[r.Branch]
	if r.Index+1 <= b.Used {
		return nil
	}
	b.Used = r.Index + 1
	if b.Issued < b.Used {
		b.Issued = b.Used
	}
	if err := w.extend(tx, acct, r.Branch); err != nil {
		return err
	}
	return putAccount(tx, acct)
}

// MarkGameCoin flags a coin as carrying a game object, so coin selection
// never spends it in a plain payment. (Later issues set the flag from the
// output's game record; this is the explicit hook.)
func (w *Wallet) MarkGameCoin(op wire.OutPoint, objectID []byte) error {
	return w.update(func(tx *store.Tx) error {
		c, err := getCoin(tx, op)
		if err != nil {
			return err
		}
		if c == nil {
			return fmt.Errorf("wallet: mark game coin: %w: no coin %s", ErrInvalidArgument, op)
		}
		c.Flags |= coinFlagGame
		c.GameID = append([]byte(nil), objectID...)
		return putCoin(tx, op, c)
	})
}
