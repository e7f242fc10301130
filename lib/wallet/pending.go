package wallet

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// ErrTxNotFound: no wallet transaction with that id.
const ErrTxNotFound = ErrorKind("transaction not in the wallet")

// ErrTxConfirmed: the operation needs an unconfirmed transaction.
const ErrTxConfirmed = ErrorKind("transaction is confirmed")

// Start connects the wallet to a chain client: it subscribes to its
// notifications, catches up (Resync) and rebroadcasts pending
// transactions. Stop (or Close) ends the subscription.
func (w *Wallet) Start(ctx context.Context, c ChainClient) error {
	if c == nil {
		return fmt.Errorf("wallet: start: %w: nil chain client", ErrInvalidArgument)
	}
	w.clMu.Lock()
	if w.client != nil {
		w.clMu.Unlock()
		return fmt.Errorf("wallet: start: %w: already started", ErrInvalidArgument)
	}
	w.client = c
	w.clMu.Unlock()
	unsub, err := c.Subscribe(context.WithoutCancel(ctx), w)
	if err != nil {
		w.clMu.Lock()
		w.client = nil
		w.clMu.Unlock()
		return fmt.Errorf("wallet: start: subscribe: %w", err)
	}
	w.clMu.Lock()
	w.unsub = unsub
	w.clMu.Unlock()
	if err := w.Resync(ctx); err != nil {
		return err
	}
	return nil
}

// Stop ends the chain subscription started by Start.
func (w *Wallet) Stop() {
	w.clMu.Lock()
	unsub := w.unsub
	w.client, w.unsub = nil, nil
	w.clMu.Unlock()
	if unsub != nil {
		unsub()
	}
}

// Resync brings the wallet up to the client's tip: if the block it
// last processed is no longer on the chain it rewinds to the fork
// (unconfirming its transactions above it), rescans from there (or from
// the birthday), then reconciles the pending transactions and
// rebroadcasts them, parents first.
func (w *Wallet) Resync(ctx context.Context) error {
	c := w.chainClient()
	if c == nil {
		return fmt.Errorf("wallet: resync: %w: no chain client", ErrInvalidArgument)
	}
	w.syncing.Lock()
	defer w.syncing.Unlock()
	if err := w.catchUp(ctx, c); err != nil {
		return fmt.Errorf("wallet: resync: %w", err)
	}
	if _, err := w.Rebroadcast(ctx); err != nil {
		return fmt.Errorf("wallet: resync: %w", err)
	}
	return nil
}

func (w *Wallet) catchUp(ctx context.Context, c ChainClient) error {
	_, best, err := c.BestBlock(ctx)
	if err != nil {
		return err
	}
	tip, err := w.Synced()
	if err != nil {
		return err
	}
	birthday, err := w.Birthday()
	if err != nil {
		return err
	}
	from := birthday
	if tip.Height >= 0 {
		fork, err := w.findFork(ctx, c, tip, best)
		if err != nil {
			return err
		}
		if fork < tip.Height {
			if err := w.rewind(ctx, c, fork); err != nil {
				return err
			}
		}
		from = max(fork+1, birthday)
	}
	if from > best {
		return nil
	}
	scripts, err := w.WatchedScripts()
	if err != nil {
		return err
	}
	var ops []wire.OutPoint
	if cs, err := w.Coins(AllAccounts); err == nil {
		for _, ci := range cs {
			ops = append(ops, ci.OutPoint)
		}
	}
	err = c.Rescan(ctx, from, scripts, ops, func(rb RescanBlock) error {
		b := rb.Block
		return w.connectBlock(&b)
	})
	if err != nil || tip.Height >= 0 {
		return err
	}
	// First sync of a new (restored) wallet: find its other accounts.
	_, err = w.discoverAccounts(ctx, c, from)
	return err
}

// Rescan scans the client's main chain from fromHeight (negative: the
// birthday) to its tip for the wallet's transactions, recording them
// like BlockConnected (idempotently: known ones are not counted twice),
// and calls progress, if not nil, after each block with its height and
// the tip height. Then it discovers BIP44 accounts beyond the known ones
// (see discover.go; needs the wallet unlocked). It needs Start first.
func (w *Wallet) Rescan(ctx context.Context, fromHeight int32, progress func(height, tip int32)) error {
	c := w.chainClient()
	if c == nil {
		return fmt.Errorf("wallet: rescan: %w: no chain client", ErrInvalidArgument)
	}
	if fromHeight < 0 {
		b, err := w.Birthday()
		if err != nil {
			return fmt.Errorf("wallet: rescan: %w", err)
		}
		fromHeight = b
	}
	w.syncing.Lock()
	defer w.syncing.Unlock()
	scripts, err := w.WatchedScripts()
	if err != nil {
		return fmt.Errorf("wallet: rescan: %w", err)
	}
	err = c.Rescan(ctx, fromHeight, scripts, nil, func(rb RescanBlock) error {
		b := rb.Block
		if err := w.rescanBlock(&b); err != nil {
			return err
		}
		if progress != nil {
			progress(rb.Height, rb.Tip)
		}
		return nil
	})
	if err == nil {
		_, err = w.discoverAccounts(ctx, c, fromHeight)
	}
	if err != nil {
		return fmt.Errorf("wallet: rescan from %d: %w", fromHeight, err)
	}
	return nil
}

// findFork returns the height of the newest block the wallet processed
// that is still on the client's chain (-1: none known).
func (w *Wallet) findFork(ctx context.Context, c ChainClient, tip SyncTip, best int32) (int32, error) {
	for h := min(tip.Height, best); h >= 0 && h > tip.Height-syncHistory; h-- {
		var mine chainhash.Hash
		var ok bool
		_ = w.view(func(tx *store.Tx) error { mine, ok = recentBlock(tx, h); return nil })
		if !ok {
			continue
		}
		theirs, err := c.BlockHash(ctx, h)
		if err != nil {
			return 0, err
		}
		if theirs == mine {
			return h, nil
		}
	}
	return -1, nil
}

// rewind unconfirms every wallet transaction above fork whose block is
// no longer on the chain, and sets the sync tip to fork.
func (w *Wallet) rewind(ctx context.Context, c ChainClient, fork int32) error {
	type item struct {
		id     chainhash.Hash
		height uint32
	}
	var above []item
	err := w.view(func(tx *store.Tx) error {
		cur := tx.Bucket(bktTxHeight).Cursor()
		for k, _ := cur.Seek(u32key(uint32(fork + 1))); k != nil; k, _ = cur.Next() {
			if len(k) != 36 {
				return fmt.Errorf("%w: txheight key of %d bytes", ErrCorrupt, len(k))
			}
			var id chainhash.Hash
			copy(id[:], k[4:])
			above = append(above, item{id, binary.BigEndian.Uint32(k)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	hashes := map[uint32]chainhash.Hash{}
	for _, it := range above {
		if _, ok := hashes[it.height]; !ok {
			h, err := c.BlockHash(ctx, int32(it.height))
			if err != nil {
				h = chainhash.Hash{} // above the new tip
			}
			hashes[it.height] = h
		}
	}
	return w.update(func(tx *store.Tx) error {
		for i := len(above) - 1; i >= 0; i-- { // newest first
			it := above[i]
			r, err := getTx(tx, it.id)
			if err != nil {
				return err
			}
			if r == nil || !r.confirmed() || r.Block == hashes[it.height] {
				continue
			}
			if err := w.unconfirmTx(tx, it.id, r); err != nil {
				return err
			}
		}
		var t SyncTip
		t.Height = fork
		if fork >= 0 {
			t.Hash, _ = recentBlock(tx, fork)
		}
		for h := fork + 1; h < fork+1+syncHistory; h++ {
			if err := tx.Bucket(bktMeta).Delete(blockKey(h)); err != nil {
				return err
			}
			if err := deleteBlockTime(tx, h); err != nil {
				return err
			}
		}
		return writeSynced(tx, t)
	})
}

// PendingTx is an unconfirmed wallet transaction to rebroadcast.
type PendingTx struct {
	Tx  *wire.MsgTx
	Seq uint64 // insertion order
}

// Pending returns the pending transactions in dependency order: a
// transaction after every pending one it spends (Kahn's algorithm over
// the in-wallet edges), ties by insertion order.
func (w *Wallet) Pending() ([]PendingTx, error) {
	var all []PendingTx
	err := w.view(func(tx *store.Tx) error {
		return tx.Bucket(bktPending).ForEach(func(k, v []byte) error {
			var id chainhash.Hash
			copy(id[:], k)
			r, err := getTx(tx, id)
			if err != nil {
				return err
			}
			if r == nil || len(v) != 8 {
				return fmt.Errorf("%w: pending entry %s", ErrCorrupt, id)
			}
			all = append(all, PendingTx{Tx: r.Tx, Seq: binary.BigEndian.Uint64(v)})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("wallet: pending: %w", err)
	}
	return topoSort(all), nil
}

func topoSort(all []PendingTx) []PendingTx {
	sort.Slice(all, func(i, j int) bool { return all[i].Seq < all[j].Seq })
	idx := make(map[chainhash.Hash]int, len(all))
	for i, p := range all {
		idx[p.Tx.TxHash()] = i
	}
	indeg := make([]int, len(all))
	children := make([][]int, len(all))
	for i, p := range all {
		parents := map[int]bool{}
		for _, in := range p.Tx.TxIn {
			if j, ok := idx[in.PreviousOutPoint.Hash]; ok && j != i && !parents[j] {
				parents[j] = true
				children[j] = append(children[j], i)
				indeg[i]++
			}
		}
	}
	// Ready set kept ordered by insertion sequence (index order).
	var ready []int
	for i := range all {
		if indeg[i] == 0 {
			ready = append(ready, i)
		}
	}
	out := make([]PendingTx, 0, len(all))
	done := make([]bool, len(all))
	for len(ready) > 0 {
		sort.Ints(ready)
		i := ready[0]
		ready = ready[1:]
		done[i] = true
		out = append(out, all[i])
		for _, ch := range children[i] {
			if indeg[ch]--; indeg[ch] == 0 {
				ready = append(ready, ch)
			}
		}
	}
	for i := range all { // a cycle cannot happen with real txids; keep them anyway
		if !done[i] {
			out = append(out, all[i])
		}
	}
	return out
}

// Rebroadcast submits every pending transaction to the chain client,
// parents first, and returns how many it accepted. Failures are logged
// and the transactions kept pending (conflicts are found from blocks).
func (w *Wallet) Rebroadcast(ctx context.Context) (int, error) {
	c := w.chainClient()
	if c == nil {
		return 0, fmt.Errorf("wallet: rebroadcast: %w: no chain client", ErrInvalidArgument)
	}
	pend, err := w.Pending()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range pend {
		if err := c.Broadcast(ctx, p.Tx); err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return n, err
			}
			w.log.Warn("rebroadcast refused", "txid", p.Tx.TxHash(), "err", err)
			continue
		}
		n++
	}
	return n, nil
}

// Abandon gives up an unconfirmed transaction and its descendants: they
// are marked abandoned, their outputs disappear and the coins they spent
// are spendable again. Abandoning a transaction still in the node's
// mempool only makes sense if it will not confirm.
func (w *Wallet) Abandon(id chainhash.Hash) error {
	err := w.update(func(tx *store.Tx) error {
		r, err := getTx(tx, id)
		if err != nil {
			return err
		}
		switch {
		case r == nil:
			return fmt.Errorf("%w: %s", ErrTxNotFound, id)
		case r.confirmed():
			return fmt.Errorf("%w: %s", ErrTxConfirmed, id)
		}
		return w.dropTx(tx, id, txFlagAbandoned)
	})
	if err != nil {
		return fmt.Errorf("wallet: abandon: %w", err)
	}
	return nil
}

// TxStatus is a wallet transaction's state.
type TxStatus string

// Transaction states.
const (
	TxConfirmed  TxStatus = "confirmed"
	TxPending    TxStatus = "pending"
	TxConflicted TxStatus = "conflicted"
	TxAbandoned  TxStatus = "abandoned"
	TxExpired    TxStatus = "expired" // a sale listing or bid whose auction lapsed
)

// TxSummary is a line of history, from one account's point of view.
type TxSummary struct {
	TxID          chainhash.Hash
	Status        TxStatus
	Height        int32 // -1 unconfirmed
	BlockHash     chainhash.Hash
	Confirmations int32
	FirstSeen     int64 // unix seconds
	Coinbase      bool
	// Received is what the transaction paid the account; Sent what it
	// spent of the account's coins. Amount is the account's gain without
	// the fee, as in bitcoind's listtransactions: Received - Sent + Fee
	// when the account paid every input (and so the fee; negative for a
	// payment), else Received - Sent.
	Received, Sent, Amount amount.Amount
	// Fee is known when every input is the wallet's (else -1).
	Fee amount.Amount
	// Labels of the account's addresses the transaction pays.
	Labels []string
	Tx     *wire.MsgTx
}

// Transactions returns account's history (AllAccounts: the whole
// wallet's), newest first: unconfirmed transactions by first-seen time,
// then by height; skip and count page through it (count <= 0: all).
func (w *Wallet) Transactions(account string, skip, count int) ([]TxSummary, error) {
	if skip < 0 {
		return nil, fmt.Errorf("wallet: transactions: %w: negative skip", ErrInvalidArgument)
	}
	var out []TxSummary
	err := w.view(func(tx *store.Tx) error {
		acctNum := int64(-1)
		if account != AllAccounts {
			a, err := accountByName(tx, account)
			if err != nil {
				return err
			}
			acctNum = int64(a.Number)
		}
		tip := readSynced(tx).Height
		// Unconfirmed: from the txs bucket (flags), newest first.
		var unconf []*txRecord
		var ids []chainhash.Hash
		err := tx.Bucket(bktTxs).ForEach(func(k, v []byte) error {
			if len(v) < 6 || v[2] != 0xff || v[3] != 0xff || v[4] != 0xff || v[5] != 0xff {
				return nil // confirmed: listed below by height
			}
			r, err := decodeTxRecord(v)
			if err != nil {
				return err
			}
			var id chainhash.Hash
			copy(id[:], k)
			unconf = append(unconf, r)
			ids = append(ids, id)
			return nil
		})
		if err != nil {
			return err
		}
		order := make([]int, len(unconf))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return unconf[order[a]].FirstSeen > unconf[order[b]].FirstSeen })
		skipped := 0
		emit := func(id chainhash.Hash, r *txRecord) (bool, error) {
			s, ok, err := w.summarise(tx, id, r, acctNum, tip)
			if err != nil || !ok {
				return true, err
			}
			if skipped < skip {
				skipped++
				return true, nil
			}
			out = append(out, s)
			return count <= 0 || len(out) < count, nil
		}
		for _, i := range order {
			more, err := emit(ids[i], unconf[i])
			if err != nil || !more {
				return err
			}
		}
		cur := tx.Bucket(bktTxHeight).Cursor()
		for k, _ := cur.Last(); k != nil; k, _ = cur.Prev() {
			var id chainhash.Hash
			copy(id[:], k[4:])
			r, err := getTx(tx, id)
			if err != nil {
				return err
			}
			if r == nil {
				continue
			}
			more, err := emit(id, r)
			if err != nil || !more {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("wallet: transactions: %w", err)
	}
	return out, nil
}

func (w *Wallet) summarise(tx *store.Tx, id chainhash.Hash, r *txRecord, acctNum int64, tip int32) (TxSummary, bool, error) {
	s := TxSummary{TxID: id, Height: -1, FirstSeen: int64(r.FirstSeen), Coinbase: r.Flags&txFlagCoinbase != 0, Tx: r.Tx, Fee: -1}
	switch {
	case r.confirmed():
		s.Status, s.Height, s.BlockHash = TxConfirmed, int32(r.Height), r.Block
		if tip >= s.Height {
			s.Confirmations = tip - s.Height + 1
		}
	case r.Flags&txFlagExpired != 0:
		s.Status = TxExpired
	case r.Flags&txFlagConflicted != 0:
		s.Status = TxConflicted
	case r.Flags&txFlagAbandoned != 0:
		s.Status = TxAbandoned
	default:
		s.Status = TxPending
	}
	relevant := false
	mine := func(pk []byte) (*addrRecord, error) {
		ar, err := getAddr(tx, pk)
		if err != nil || ar == nil || (acctNum >= 0 && int64(ar.Account) != acctNum) {
			return nil, err
		}
		return ar, nil
	}
	var outSum int64
	for _, o := range r.Tx.TxOut {
		outSum += o.Value
		ar, err := mine(o.PkScript)
		if err != nil {
			return s, false, err
		}
		if ar != nil {
			relevant = true
			s.Received += amount.Amount(o.Value)
			if ar.Label != "" {
				s.Labels = append(s.Labels, ar.Label)
			}
		}
	}
	inSum, allKnown := int64(0), !s.Coinbase
	if !s.Coinbase {
		for _, in := range r.Tx.TxIn {
			op := in.PreviousOutPoint
			prev, err := getTx(tx, op.Hash)
			if err != nil {
				return s, false, err
			}
			if prev == nil || int(op.Index) >= len(prev.Tx.TxOut) {
				allKnown = false
				continue
			}
			po := prev.Tx.TxOut[op.Index]
			inSum += po.Value
			ar, err := mine(po.PkScript)
			if err != nil {
				return s, false, err
			}
			if ar != nil {
				relevant = true
				s.Sent += amount.Amount(po.Value)
			}
		}
	}
	s.Amount = s.Received - s.Sent
	if allKnown {
		s.Fee = amount.Amount(inSum - outSum)
		if s.Sent > 0 && int64(s.Sent) == inSum {
			// The account paid every input, so the fee: like bitcoind,
			// the amount is what went to others, the fee apart.
			s.Amount += s.Fee
		}
	}
	return s, relevant, nil
}
