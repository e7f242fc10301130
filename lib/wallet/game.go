package wallet

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// The wallet's side of the game layer (lib/game): it annotates the coins
// it records with the game object their output carries (game.Annotate,
// the same function the chain and the mempool use), so it knows the
// producers and props each account owns — a coin is keyed by its
// outpoint, so recording a transaction twice (a rescan, a replayed block)
// changes nothing. It builds, signs and broadcasts the game transactions:
// producer registration and change, prop creation, transfer,
// destruction, sale listings and bids.
//
// Bids: the coins a live bid spends are Reserved in Balance (not
// spendable, not lost) and the bid's own outputs count nowhere until it
// settles. They come back without any manual step when the bid is
// replaced by a higher one (TxReplaced), when another transaction
// spending the same prop is mined (a conflict, seen in the block), or
// when the auction lapses at end + grace (BlockConnected); the bid is
// then conflicted or expired in the history.

// ErrNotOwned: the producer or prop is not carried by a coin of the
// account (or the wallet does not know it).
const ErrNotOwned = ErrorKind("not owned by this wallet account")

// ErrObjectBusy: the object's coin is already spent by a pending wallet
// transaction (a sale listing, or a change still in the mempool whose
// successor the wallet has not seen).
const ErrObjectBusy = ErrorKind("already spent by a pending transaction")

// GameOptions are the options of every game action.
type GameOptions struct {
	// Account pays the fees and receives new objects and change ("" is
	// the default account). The objects spent must belong to it.
	Account string
	// FeeRate in dust per 1000 virtual bytes (zero: the chain client's
	// estimate, at least MinRelayFeeRate).
	FeeRate amount.Amount
	// MaxFeeRate is the fee rate ceiling, as in TxOptions (zero:
	// amount.DefaultMaxFeeRate; amount.NoMaxFeeRate: none).
	MaxFeeRate amount.Amount
	// DryRun builds and signs the transaction but neither records nor
	// broadcasts it.
	DryRun bool
}

// txOptions are the fee options of o.
func (o GameOptions) txOptions() TxOptions {
	return TxOptions{FeeRate: o.FeeRate, MaxFeeRate: o.MaxFeeRate}
}

// GameTx is a game transaction the wallet built.
type GameTx struct {
	Tx   *wire.MsgTx
	TxID chainhash.Hash
	// Fee is what the transaction pays the miner: zero for a sale
	// listing, which is never mined (a bid on it pays the fee, and the
	// prop's gold goes on with the prop).
	Fee amount.Amount
	// Objects are the objects the transaction creates or moves, in
	// output order, with the output carrying each (Vouts[i]).
	Objects []game.Object
	Vouts   []uint32
	// Sent: recorded and accepted by the node (false for DryRun).
	Sent bool
}

// PropSpec is one prop of CreateProps.
type PropSpec struct {
	OID  string
	Gold int64 // dust, at least game.MinPropGold
	// PkScript receives the prop; nil means a new address of the account.
	PkScript []byte
}

// PropMoveSpec is one transfer of SendProps.
type PropMoveSpec struct {
	Prop     game.ID
	PkScript []byte // the new owner
}

// BidRequest is what Bid needs of an auction: the listing or current best
// bid (from the node's mempool), the seller's script (the prop's owner in
// the registry, which input 0 spends) and the prop's gold.
type BidRequest struct {
	Sale         *wire.MsgTx
	SellerScript []byte
	Gold         int64
	Price        int64
	// ReplacedFees are the fees of Sale and what spends it in the pool
	// (0 for a listing): the bid pays them on top of its own fee, as a
	// pool's replacement rules ask (BIP125 rules 3 and 4).
	ReplacedFees int64
}

// GameCoin is a coin of the wallet carrying a game object.
type GameCoin struct {
	Object   game.Object
	OutPoint wire.OutPoint
	Value    amount.Amount
	PkScript []byte
	Account  string
	Height   int32 // -1 unconfirmed
	// Spender is the pending wallet transaction spending the coin (a sale
	// listing or a bid on it, a transfer not mined yet), zero if none.
	Spender chainhash.Hash
	// OnSale: Spender is a sale listing or a bid on it.
	OnSale bool
}

// GameCoins lists the coins of account (AllAccounts: every one) that carry
// game objects: the producers and props it owns, confirmed or not.
func (w *Wallet) GameCoins(account string) ([]GameCoin, error) {
	var out []GameCoin
	err := w.view(func(tx *store.Tx) error {
		return w.scanCoins(tx, account, gameCoins, func(cv *coinView) error {
			if !cv.info.Game {
				return nil
			}
			obj, err := game.DecodeObject(cv.c.GameID)
			if err != nil || obj.IsZero() {
				return nil // an explicit MarkGameCoin tag, not a game object
			}
			gc := GameCoin{Object: obj, OutPoint: cv.op, Value: cv.info.Value, PkScript: cv.info.PkScript,
				Account: cv.info.Account, Height: cv.info.Height}
			if sp, ok := spender(tx, cv.op); ok {
				gc.Spender = sp
				if r, err := getTx(tx, sp); err == nil && r != nil {
					if rec, _, err := game.FindRecord(r.Tx); err == nil && rec != nil && rec.Type() == game.TypeSale {
						gc.OnSale = true
					}
				}
			}
			out = append(out, gc)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("wallet: game coins: %w", err)
	}
	return out, nil
}

// gameOutputs returns the objects tx's outputs carry and whether tx is a
// sale settlement (bid form), whose outputs are reserved while pending.
func gameOutputs(t *wire.MsgTx, id chainhash.Hash) ([]game.Object, bool) {
	objs := game.AnnotateTxid(t, id)
	if objs == nil {
		return nil, false
	}
	rec, _, err := game.FindRecord(t)
	return objs, err == nil && rec != nil && rec.Type() == game.TypeSale && len(t.TxOut) >= 3
}

// setGameFlags marks coin c, output idx of a transaction with annotation
// objs, as carrying its object; outputs of a pending bid are reserved
// (pendingBid), and no longer once it is mined.
func setGameFlags(c *coinRecord, objs []game.Object, idx int, bid, pending bool) {
	if idx < len(objs) && !objs[idx].IsZero() {
		c.Flags |= coinFlagGame
		c.GameID = objs[idx].Bytes()
	}
	if bid {
		if pending {
			c.Flags |= coinFlagReserved
		} else {
			c.Flags &^= coinFlagReserved
		}
	}
}

// liveBids returns the pending wallet transactions carrying a sale: true
// for a settlement (bid form), false for a listing.
func liveBids(tx *store.Tx) (map[chainhash.Hash]bool, error) {
	sales := map[chainhash.Hash]bool{}
	err := tx.Bucket(bktPending).ForEach(func(k, _ []byte) error {
		var id chainhash.Hash
		copy(id[:], k)
		r, err := getTx(tx, id)
		if err != nil || r == nil {
			return err
		}
		if rec, _, err := game.FindRecord(r.Tx); err == nil && rec != nil && rec.Type() == game.TypeSale {
			sales[id] = len(r.Tx.TxOut) >= 3
		}
		return nil
	})
	return sales, err
}

// gameBalance accounts for cv the game way, reporting whether it did:
// coins a live bid spends are reserved, the bid's own outputs count
// nowhere until it settles, and coins carrying game objects are Game
// value, not money (a prop on sale still counts for its seller).
func gameBalance(tx *store.Tx, cv *coinView, b *Balance, sales map[chainhash.Hash]bool) bool {
	i := &cv.info
	if len(sales) > 0 {
		if sales[cv.op.Hash] {
			return true
		}
		if i.SpentPending {
			if sp, ok := spender(tx, cv.op); ok {
				if bid, sale := sales[sp]; sale && (i.Game || bid) {
					if i.Game {
						b.Game += i.Value
					} else {
						b.Reserved += i.Value
					}
					return true
				}
			}
		}
	}
	if i.Game {
		if !i.SpentPending {
			b.Game += i.Value
		}
		return true
	}
	return false
}

// expireSales drops the pending sale listings and bids that lapsed with
// block height (end + grace below the next height: the mempool removes
// them then), and the pending bids whose prop a transaction of the block
// spent (another bid settled, or the seller moved it): their coins
// return.
func (w *Wallet) expireSales(tx *store.Tx, b *Block) error {
	type sale struct {
		id  chainhash.Hash
		in0 wire.OutPoint
		end uint32
	}
	var sales []sale
	err := tx.Bucket(bktPending).ForEach(func(k, _ []byte) error {
		var id chainhash.Hash
		copy(id[:], k)
		r, err := getTx(tx, id)
		if err != nil || r == nil || len(r.Tx.TxIn) == 0 {
			return err
		}
		rec, _, err := game.FindRecord(r.Tx)
		if err != nil || rec == nil || rec.Type() != game.TypeSale {
			return nil
		}
		sales = append(sales, sale{id, r.Tx.TxIn[0].PreviousOutPoint, rec.(*game.Sale).End})
		return nil
	})
	if err != nil || len(sales) == 0 {
		return err
	}
	spent := map[wire.OutPoint]chainhash.Hash{}
	for _, t := range b.Txs {
		id := t.TxHash()
		for _, in := range t.TxIn {
			spent[in.PreviousOutPoint] = id
		}
	}
	next := int64(b.Height) + 1
	for _, s := range sales {
		if sp, ok := spent[s.in0]; ok && sp != s.id {
			if err := w.dropTx(tx, s.id, txFlagConflicted); err != nil {
				return err
			}
			continue
		}
		if int64(s.end)+int64(w.params.AuctionGrace) < next {
			w.log.Info("sale lapsed", "txid", s.id, "end", s.end)
			if err := w.dropTx(tx, s.id, txFlagExpired); err != nil {
				return err
			}
		}
	}
	return nil
}

// ownedCoin is a game coin of the account found for an action.
type ownedCoin struct {
	op wire.OutPoint
	c  *coinRecord
}

// findObjects returns the coins of acct carrying objs, refusing objects the
// account does not own and coins already spent by a pending transaction.
func (w *Wallet) findObjects(tx *store.Tx, acct *accountRecord, objs []game.Object) ([]ownedCoin, error) {
	want := make(map[string]*gameRef, len(objs))
	for _, o := range objs {
		k := string(o.Bytes())
		if want[k] != nil {
			return nil, fmt.Errorf("%w: %s named twice", ErrInvalidArgument, o)
		}
		want[k] = &gameRef{}
	}
	if err := w.findGameCoins(tx, acct, want); err != nil {
		return nil, err
	}
	found := make([]ownedCoin, len(objs))
	for i, o := range objs {
		ref := want[string(o.Bytes())]
		switch {
		case ref.c.c == nil && ref.reserved:
			return nil, fmt.Errorf("%s %s: %w: reserved by a contract offer or a pending bid", o.Kind, o.ID, ErrObjectBusy)
		case ref.c.c == nil && ref.busy.IsZero():
			return nil, fmt.Errorf("%s %s: %w %q", o.Kind, o.ID, ErrNotOwned, acct.Name)
		case ref.c.c == nil:
			return nil, fmt.Errorf("%s %s: %w %s", o.Kind, o.ID, ErrObjectBusy, ref.busy)
		}
		found[i] = ref.c
	}
	return found, nil
}

// accountScan is one pass over an account's coins: the plain coins fee
// funding may use.
type accountScan struct {
	done              bool
	confirmed, unconf []selCoin // unconf: the account's unconfirmed change
	pending           int64     // unconfirmed payments received (not spent before mined)
}

type gameRef struct {
	c    ownedCoin      // c.c nil when busy or not found
	busy chainhash.Hash // the pending transaction spending it
	// reserved: committed to a contract offer (contract.go).
	reserved bool
}

// scanAccount fills g.scan, once per action: the plain coins of the
// account that may pay a game transaction's fee, in one walk of the coins
// bucket (which holds no game coins). It reads the coin records in place
// (their layout is in txrecords.go) and keeps only what it needs, because
// a wallet may hold many coins and every action reads them. Time-locked
// coins are left out entirely.
func (w *Wallet) scanAccount(tx *store.Tx, acct *accountRecord, g *gameBuild) error {
	if g.scan.done {
		return nil
	}
	g.scan.done = true
	// Sized after the last scan, and the scripts copied into shared
	// blocks: growing the list and copying each script alone cost as much
	// as the walk.
	g.scan.confirmed = make([]selCoin, 0, w.scanCap)
	defer func() { w.scanCap = len(g.scan.confirmed) + len(g.scan.confirmed)/8 }()
	var block []byte
	clone := func(b []byte) []byte {
		if len(block)+len(b) > cap(block) {
			block = make([]byte, 0, max(4096, len(b)))
		}
		n := len(block)
		block = append(block, b...)
		return block[n:len(block):len(block)]
	}
	tip := readSynced(tx).Height
	// The spends bucket (pending spends only, few) has the coins' keys:
	// one cursor walks it alongside the coins instead of a lookup per
	// coin.
	sc := tx.Bucket(bktSpends).Cursor()
	sk, sv := sc.First()
	spentBy := func(k []byte) []byte {
		for sk != nil && bytes.Compare(sk, k) < 0 {
			sk, sv = sc.Next()
		}
		if sk != nil && bytes.Equal(sk, k) {
			return sv
		}
		return nil
	}
	cur := tx.Bucket(bktCoins).Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		pk, flags, err := coinFields(k, v)
		if err != nil {
			return err
		}
		if flags&(coinFlagGame|coinFlagReserved|coinFlagLocked) != 0 || !isP2WPKH(pk) {
			continue
		}
		ar, err := w.cachedAddr(tx, pk)
		if err != nil {
			return err
		}
		if ar == nil || ar.Account != acct.Number || len(ar.PubKey) == 0 || ar.Flags&flagWatchOnly != 0 {
			continue
		}
		if sp := spentBy(k); len(sp) == 32 && (g.replaces.IsZero() || !bytes.Equal(sp, g.replaces[:])) {
			continue
		}
		height := binary.BigEndian.Uint32(v[9:13])
		if flags&coinFlagCoinbase != 0 && (height == unconfirmed || int64(tip)-int64(height)+1 <= int64(w.params.CoinbaseMaturity)) {
			continue
		}
		c := selCoin{op: opFromKey(k), value: int64(binary.BigEndian.Uint64(v[1:9])), pkScript: clone(pk)}
		switch {
		case height != unconfirmed:
			g.scan.confirmed = append(g.scan.confirmed, c)
		case flags&coinFlagChange != 0:
			g.scan.unconf = append(g.scan.unconf, c)
		default:
			g.scan.pending += c.value
		}
	}
	return nil
}

// coinFields reads a stored coin record's script and flags in place:
// 1 version ‖ value u64 ‖ height u32 ‖ flags u8 ‖ lock u32 ‖ pkScript
// bytes16 ‖ game id bytes16.
func coinFields(k, v []byte) (pk []byte, flags uint8, err error) {
	if len(k) != 36 || len(v) < 20 || v[0] != recordV1 {
		return nil, 0, fmt.Errorf("%w: coin record %x", ErrCorrupt, k)
	}
	n := int(binary.BigEndian.Uint16(v[18:20]))
	if len(v) < 22+n {
		return nil, 0, fmt.Errorf("%w: coin record %x", ErrCorrupt, k)
	}
	return v[20 : 20+n], v[13], nil
}

// findGameCoins fills want with the account's coins carrying each
// object: the unspent one, or else whether a pending transaction spends
// it (busy) or a contract offer or bid reserves it.
func (w *Wallet) findGameCoins(tx *store.Tx, acct *accountRecord, want map[string]*gameRef) error {
	if len(want) == 0 {
		return nil
	}
	idx := tx.Bucket(bktObjCoins).Cursor()
	coins, spends := tx.Bucket(bktGameCoins), tx.Bucket(bktSpends)
	for gid, ref := range want {
		for k, _ := idx.Seek([]byte(gid)); k != nil && bytes.HasPrefix(k, []byte(gid)); k, _ = idx.Next() {
			if len(k) != len(gid)+36 {
				continue // another object's id that starts with this one
			}
			ck := k[len(gid):]
			v := coins.Get(ck)
			if v == nil {
				return fmt.Errorf("%w: object index entry %x without its coin", ErrCorrupt, k)
			}
			pk, flags, err := coinFields(ck, v)
			if err != nil {
				return err
			}
			ar, err := w.cachedAddr(tx, pk)
			if err != nil {
				return err
			}
			if ar == nil || ar.Account != acct.Number {
				continue
			}
			if sp := spends.Get(ck); len(sp) == 32 {
				if ref.c.c == nil {
					copy(ref.busy[:], sp)
				}
				continue
			}
			if flags&coinFlagReserved != 0 {
				ref.reserved = true
				continue
			}
			c, err := decodeCoin(v)
			if err != nil {
				return err
			}
			ref.c = ownedCoin{op: opFromKey(ck), c: c}
		}
	}
	return nil
}

// gameBuild is a game transaction under construction: its record and
// carrier outputs, the game coins it spends (prevOuts, nil for a foreign
// input such as a bid's input 0) and how to finish it.
type gameBuild struct {
	tx       *wire.MsgTx
	prevOuts []*wire.TxOut
	// foreignVSize is the size of the foreign inputs beyond the P2WPKH
	// estimate counted for every preset input.
	foreignVSize int64
	// foreignValue is the value of the foreign inputs.
	foreignValue int64
	noFund       bool // a sale listing: no fee inputs, no change
	// replaces is the wallet's own live bid a new bid replaces: the coins
	// it spends may be spent again.
	replaces chainhash.Hash
	// broadcastFirst: a bid is recorded only once the node accepted it,
	// so a refused bid leaves the listing or the bid it would have
	// replaced in place in the wallet.
	broadcastFirst bool
	scan           accountScan
	objects        []game.Object
	vouts          []uint32
	// extraFee is paid on top of the fee rate's fee (a bid: the fees of
	// what it replaces).
	extraFee int64
}

// newAddr returns a fresh receive script of acct inside tx (for an
// account of imported keys, its first key's address: see ownScript).
func (w *Wallet) newAddr(tx *store.Tx, acct *accountRecord) ([]byte, error) {
	return w.ownScript(tx, acct, BranchReceive, nil)
}

// runGame builds (build fills g inside the database transaction), funds,
// signs and, unless DryRun, records and broadcasts a game transaction.
func (w *Wallet) runGame(ctx context.Context, what string, o GameOptions, build func(tx *store.Tx, acct *accountRecord, g *gameBuild) error) (*GameTx, error) {
	if w.IsLocked() {
		return nil, fmt.Errorf("wallet: %s: %w", what, ErrLocked)
	}
	if o.Account == AllAccounts {
		return nil, fmt.Errorf("wallet: %s: %w: name one account", what, ErrInvalidArgument)
	}
	rate, err := w.feeRate(ctx, o.txOptions())
	if err != nil {
		return nil, fmt.Errorf("wallet: %s: %w", what, err)
	}
	w.sendMu.Lock()
	g := &gameBuild{tx: wire.NewMsgTx(2)}
	var fee int64
	build1 := func(tx *store.Tx) error {
		acct, err := accountByName(tx, o.Account)
		if err != nil {
			return err
		}
		if acct.Kind == kindXpub {
			return fmt.Errorf("%w: %q", ErrWatchOnly, acct.Name)
		}
		if err := build(tx, acct, g); err != nil {
			return err
		}
		if _, _, err := game.FindRecord(g.tx); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidArgument, err)
		}
		if g.noFund {
			// A listing is never mined: its input (the prop) goes to
			// the winning bid, and the seller pays no fee.
			fee = 0
			return nil
		}
		fee, err = w.fundGame(tx, acct, g, rate, o.txOptions().ceiling())
		return err
	}
	// Build, fund, sign, check and record in one update: one commit (two
	// fsyncs) per action instead of two. Only an action spending a
	// time-locked coin is signed and recorded after the update (signed
	// false).
	signed, recorded := false, false
	err = w.update(func(tx *store.Tx) error {
		if err := build1(tx); err != nil {
			return err
		}
		ok, err := w.signGameTx(tx, g)
		if err != nil || !ok {
			return err
		}
		signed = true
		if _, _, err := game.CheckRecord(g.tx, w.params); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidArgument, err)
		}
		if o.DryRun || g.broadcastFirst {
			return nil
		}
		if _, err := w.addTx(tx, g.tx, nil); err != nil {
			return err
		}
		recorded = true
		return nil
	})
	if err == nil && !signed {
		err = w.signGame(g)
		if err == nil {
			// The record's stateless rules, with every output in place.
			if _, _, err = game.CheckRecord(g.tx, w.params); err != nil {
				err = fmt.Errorf("%w: %v", ErrInvalidArgument, err)
			}
		}
	}
	res := &GameTx{Tx: g.tx, TxID: g.tx.TxHash(), Fee: amount.Amount(fee), Objects: g.objects, Vouts: g.vouts}
	if err == nil && !o.DryRun && g.broadcastFirst {
		defer w.sendMu.Unlock()
		return w.broadcastThenRecord(ctx, what, res)
	}
	if err == nil && !o.DryRun && !recorded {
		err = w.update(func(tx *store.Tx) error {
			_, err := w.addTx(tx, g.tx, nil)
			return err
		})
	}
	w.sendMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("wallet: %s: %w", what, err)
	}
	if o.DryRun {
		return res, nil
	}
	c := w.chainClient()
	if c == nil {
		if uerr := w.update(func(tx *store.Tx) error { return w.forgetTx(tx, res.TxID) }); uerr != nil {
			w.log.Error("forget unsent tx", "txid", res.TxID, "err", uerr)
		}
		return nil, fmt.Errorf("wallet: %s: %w: no chain client (call Start first)", what, ErrInvalidArgument)
	}
	if err := c.Broadcast(ctx, g.tx); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			w.log.Warn("broadcast failed; kept pending", "txid", res.TxID, "err", err)
			res.Sent = true
			return res, nil
		}
		if uerr := w.update(func(tx *store.Tx) error { return w.forgetTx(tx, res.TxID) }); uerr != nil {
			w.log.Error("forget rejected tx", "txid", res.TxID, "err", uerr)
		}
		return nil, fmt.Errorf("wallet: %s: broadcast %s: %w", what, res.TxID, err)
	}
	res.Sent = true
	w.log.Info("game transaction sent", "what", what, "txid", res.TxID, "fee", res.Fee)
	return res, nil
}

// broadcastThenRecord sends a bid and records it once the node accepted
// it (it then conflicts the listing or bid it replaced). Requires
// w.sendMu.
func (w *Wallet) broadcastThenRecord(ctx context.Context, what string, res *GameTx) (*GameTx, error) {
	c := w.chainClient()
	if c == nil {
		return nil, fmt.Errorf("wallet: %s: %w: no chain client (call Start first)", what, ErrInvalidArgument)
	}
	if err := c.Broadcast(ctx, res.Tx); err != nil {
		return nil, fmt.Errorf("wallet: %s: broadcast %s: %w", what, res.TxID, err)
	}
	res.Sent = true
	if err := w.update(func(tx *store.Tx) error {
		_, err := w.addTx(tx, res.Tx, nil)
		return err
	}); err != nil {
		return nil, fmt.Errorf("wallet: %s: %w", what, err)
	}
	return res, nil
}

// fundGame adds plain coins of acct and change so g's inputs pay its
// outputs and the fee at rate, plus g.extraFee; it returns the fee. The
// fee the rate asks plus g.extraFee must stay within ceiling (<= 0: no
// ceiling) for the transaction's size, else it is a *FeeRateError: rate
// itself was checked, but what a bid pays for the transactions it
// replaces, descendants others attached included, was not.
func (w *Wallet) fundGame(tx *store.Tx, acct *accountRecord, g *gameBuild, rate int64, ceiling amount.Amount) (int64, error) {
	var target, preset int64
	base := int64(txOverheadVSize) + int64(len(g.tx.TxIn))*p2wpkhInputVSize + g.foreignVSize
	for _, o := range g.tx.TxOut {
		target += o.Value
		base += outputVSize(o.PkScript)
	}
	preset = g.foreignValue
	for _, po := range g.prevOuts {
		if po != nil {
			preset += po.Value
		}
	}
	if err := w.scanAccount(tx, acct, g); err != nil {
		return 0, err
	}
	confirmed, unconf := g.scan.confirmed, g.scan.unconf
	req := selectRequest{target: target, baseVSize: base, nPreset: len(g.tx.TxIn), nOutputs: len(g.tx.TxOut),
		preset: preset, rate: rate, extraFee: g.extraFee}
	// A game action mostly needs only a fee (and some gold) from the
	// plain coins: the smallest confirmed coin covering it with change is
	// found in one pass, sparing coin selection a sort of every coin.
	var sel selection
	err := errNoShortcut
	need := target + g.extraFee - preset + feeFor(base+p2wpkhInputVSize+p2wpkhOutputVSize+countsExtraVSize(len(g.tx.TxIn)+1, len(g.tx.TxOut)+1), rate) + changeDust
	if i := smallestCovering(confirmed, need); i >= 0 {
		sel, err = selectCoins(confirmed[i:i+1], req)
	}
	if err != nil {
		sel, err = selectSpendable(confirmed, unconf, g.scan.pending, req)
	}
	if err != nil {
		return 0, err
	}
	if g.extraFee > 0 && ceiling > 0 {
		vsize, nOut := base, len(g.tx.TxOut)
		for _, c := range sel.coins {
			vsize += p2wpkhInputVSize + c.extra
		}
		if sel.change > 0 {
			vsize, nOut = vsize+p2wpkhOutputVSize, nOut+1
		}
		vsize += countsExtraVSize(len(g.tx.TxIn)+len(sel.coins), nOut)
		if fee := feeFor(vsize, rate) + g.extraFee; fee > feeFor(vsize, int64(ceiling)) {
			return 0, &FeeRateError{Rate: amount.Amount((fee*1000 + vsize - 1) / vsize), Max: ceiling, Replaced: amount.Amount(g.extraFee)}
		}
	}
	for _, c := range sel.coins {
		g.tx.AddTxIn(&wire.TxIn{PreviousOutPoint: c.op, Sequence: wire.MaxTxInSequenceNum - 2})
		g.prevOuts = append(g.prevOuts, &wire.TxOut{Value: c.value, PkScript: c.pkScript})
	}
	if sel.change > 0 {
		pk, err := w.ownScript(tx, acct, BranchChange, nil)
		if err != nil {
			return 0, err
		}
		g.tx.AddTxOut(&wire.TxOut{Value: sel.change, PkScript: pk})
	}
	return sel.fee, nil
}

var errNoShortcut = errors.New("no single coin")

// smallestCovering returns the index of the smallest coin worth at least
// need (ties: the first), or -1.
func smallestCovering(cs []selCoin, need int64) int {
	best := -1
	for i, c := range cs {
		if c.value >= need && (best < 0 || c.value < cs[best].value) {
			best = i
		}
	}
	return best
}

// signGame signs every input of g spending a wallet coin: SIGHASH_ALL,
// except a sale listing's input 0 (SIGHASH_SINGLE|ANYONECANPAY, so bids
// can add inputs and outputs around it). Foreign inputs keep their
// witness.
// keyPair is a script.KeyPairDB of one key, for one signer.
type keyPair struct {
	hash []byte
	priv *btcec.PrivateKey
	pub  []byte
}

func (k keyPair) GetKey(hash []byte) (*btcec.PrivateKey, bool, bool) {
	return k.priv, true, bytes.Equal(hash, k.hash)
}

func (k keyPair) GetKeyPair(hash []byte) (*btcec.PrivateKey, []byte, bool) {
	return k.priv, k.pub, bytes.Equal(hash, k.hash)
}

// signGameParallel signs the inputs of g on up to GOMAXPROCS goroutines
// when there are two or more and all are the wallet's P2WPKH coins (the
// usual game action: an object's coin and a fee coin), and reports true
// when it did. The key material is looked up first, in order, in tx
// (neither the database transaction nor the key cache is for concurrent
// use); then each input's private key, ECDSA signature and the check of
// the finished input (script.SignInput verifies it, against the
// address's public key) run in parallel, an input per goroutine at a
// time: a BIP143 digest reads
// only the midstate hashes, its own input and the outputs, and each
// signer writes only its own input's witness. Anything else (a foreign
// or time-locked input, a key not found, a locked wallet) returns false
// without signing, for the sequential path and its errors.
func (w *Wallet) signGameParallel(tx *store.Tx, g *gameBuild, hashes *script.SigHashes) (bool, error) {
	if len(g.prevOuts) < 2 {
		return false, nil
	}
	mats := make([]*keyMaterial, len(g.prevOuts))
	for i, po := range g.prevOuts {
		if po == nil || !isP2WPKH(po.PkScript) {
			return false, nil
		}
		if _, _, isLock := timeLockOf(tx, po.PkScript); isLock {
			return false, nil
		}
		m, err := w.keyMaterialTx(tx, po.PkScript[2:22])
		if err != nil || !m.compressed {
			return false, nil
		}
		mats[i] = m
	}
	errs := make([]error, len(g.prevOuts))
	signOne := func(i int) {
		po := g.prevOuts[i]
		ht := script.SigHashAll
		if g.noFund && i == 0 {
			ht = script.SigHashSingle | script.SigHashAnyoneCanPay
		}
		m := mats[i]
		priv, err := m.privKey()
		if err != nil {
			errs[i] = fmt.Errorf("wallet: sign input %d: %w", i, err)
			return
		}
		// The closing verification checks the signature against the
		// address's public key, whose hash the script checks: it fails
		// for a key that does not match, and only then does finish's
		// check run, to say so.
		complete, err := script.SignInputCache(g.tx, i, po.PkScript, po.Value, ht, keyPair{m.hash, priv, m.want}, nil, hashes, w.sigCache)
		switch {
		case err != nil:
			errs[i] = fmt.Errorf("wallet: sign input %d: %w", i, err)
		case !complete:
			if _, _, kerr := m.finish(); kerr != nil {
				errs[i] = fmt.Errorf("wallet: sign input %d: %w", i, kerr)
				return
			}
			errs[i] = fmt.Errorf("input %d: signature incomplete", i)
		}
	}
	// The calling goroutine signs too, taking inputs from the same
	// counter as the helpers: when waking a helper takes longer than
	// signing (an idle core of a virtual machine can take a quarter of
	// a millisecond), the caller has signed everything by the time the
	// helper starts, and the helper finds nothing left.
	var next atomic.Int32
	work := func() {
		for i := int(next.Add(1)) - 1; i < len(errs); i = int(next.Add(1)) - 1 {
			signOne(i)
		}
	}
	var wg sync.WaitGroup
	for range min(len(errs), runtime.GOMAXPROCS(0)) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return true, err
		}
	}
	return true, nil
}

// signGameTx is signGame inside the update that built g (w.mu held). It
// signs nothing and returns false when an input is time-locked: signGame
// signs those after the update.
func (w *Wallet) signGameTx(tx *store.Tx, g *gameBuild) (bool, error) {
	hashes := script.NewSigHashes(g.tx)
	for _, po := range g.prevOuts {
		if po == nil {
			continue
		}
		if tl, _, isLock := timeLockOf(tx, po.PkScript); isLock {
			if mine, err := ownsKey(tx, tl.PubKey); err != nil || mine {
				return false, err
			}
		}
	}
	if ok, err := w.signGameParallel(tx, g, hashes); ok || err != nil {
		return ok, err
	}
	for i, po := range g.prevOuts {
		if po == nil {
			continue
		}
		ht := script.SigHashAll
		if g.noFund && i == 0 {
			ht = script.SigHashSingle | script.SigHashAnyoneCanPay
		}
		complete, lock, err := w.signInputTx(tx, g.tx, i, po.PkScript, po.Value, ht, hashes)
		if err != nil {
			return false, err
		}
		if lock {
			return false, nil // not reached: checked above
		}
		if !complete {
			return false, fmt.Errorf("input %d: signature incomplete", i)
		}
	}
	return true, nil
}

func (w *Wallet) signGame(g *gameBuild) error {
	hashes := script.NewSigHashes(g.tx)
	for i, po := range g.prevOuts {
		if po == nil {
			continue
		}
		ht := script.SigHashAll
		if g.noFund && i == 0 {
			ht = script.SigHashSingle | script.SigHashAnyoneCanPay
		}
		complete, err := w.SignInput(g.tx, i, po.PkScript, po.Value, ht, hashes)
		if err != nil {
			return err
		}
		if !complete {
			return fmt.Errorf("input %d: signature incomplete", i)
		}
	}
	return nil
}

// addRecord puts r's output at index 0 of g.
func (g *gameBuild) addRecord(r game.Record) error {
	out, err := game.RecordOutput(r)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidArgument, err)
	}
	g.tx.TxOut = append([]*wire.TxOut{out}, g.tx.TxOut...)
	return nil
}

func (g *gameBuild) spend(c ownedCoin) {
	g.tx.AddTxIn(&wire.TxIn{PreviousOutPoint: c.op, Sequence: wire.MaxTxInSequenceNum - 2})
	g.prevOuts = append(g.prevOuts, &wire.TxOut{Value: c.c.Value, PkScript: c.c.PkScript})
}

// carry appends a carrier output of obj (outputs are numbered as if the
// record, added last at index 0, were already there) and returns its
// index.
func (g *gameBuild) carry(obj game.Object, value int64, pk []byte) uint32 {
	g.tx.AddTxOut(&wire.TxOut{Value: value, PkScript: pk})
	vout := uint32(len(g.tx.TxOut)) // index once the record is prepended
	if !obj.IsZero() {
		g.objects = append(g.objects, obj)
		g.vouts = append(g.vouts, vout)
	}
	return vout
}

func checkCarrier(pk []byte, what string) error {
	if !game.IsCarrierScript(pk) {
		return fmt.Errorf("%w: %s must be a P2WPKH or P2WSH address", ErrInvalidArgument, what)
	}
	return nil
}

// RegisterProducer registers a producer with info: the record and a
// carrier of game.ProducerFee (1 GG, locked for as long as the producer
// exists) to a new address of the account, funded from its plain coins.
// GameTx.Objects[0] is the new producer.
func (w *Wallet) RegisterProducer(ctx context.Context, o GameOptions, info game.ProducerInfo) (*GameTx, error) {
	if err := game.CheckProducerInfo(&info); err != nil {
		return nil, fmt.Errorf("wallet: register producer: %w: %v", ErrInvalidArgument, err)
	}
	res, err := w.runGame(ctx, "register producer", o, func(tx *store.Tx, acct *accountRecord, g *gameBuild) error {
		pk, err := w.newAddr(tx, acct)
		if err != nil {
			return err
		}
		out := g.carry(game.Object{}, game.ProducerFee, pk)
		return g.addRecord(&game.ProducerRegister{Out: out, ProducerInfo: info})
	})
	if err != nil {
		return nil, err
	}
	id := game.ProducerID(res.TxID, 1)
	res.Objects, res.Vouts = []game.Object{{Kind: game.KindProducer, ID: id}}, []uint32{1}
	return res, nil
}

// ChangeProducer replaces the details of producer id, which the account
// must own: it spends the producer's coin and carries the producer (same
// value) to newOwner, or, when newOwner is nil, to a new address of the
// account (an account of imported keys: the address holding it now). A
// newOwner outside the wallet is a transfer.
func (w *Wallet) ChangeProducer(ctx context.Context, o GameOptions, id game.ID, info game.ProducerInfo, newOwner []byte) (*GameTx, error) {
	if err := game.CheckProducerInfo(&info); err != nil {
		return nil, fmt.Errorf("wallet: change producer: %w: %v", ErrInvalidArgument, err)
	}
	if newOwner != nil {
		if err := checkCarrier(newOwner, "the new owner"); err != nil {
			return nil, fmt.Errorf("wallet: change producer: %w", err)
		}
	}
	obj := game.Object{Kind: game.KindProducer, ID: id}
	return w.runGame(ctx, "change producer", o, func(tx *store.Tx, acct *accountRecord, g *gameBuild) error {
		cs, err := w.findObjects(tx, acct, []game.Object{obj})
		if err != nil {
			return err
		}
		g.spend(cs[0])
		pk := newOwner
		if pk == nil {
			// A new address of the account; an account of imported keys
			// keeps the producer at the key holding it now.
			if pk, err = w.ownScript(tx, acct, BranchReceive, cs[0].c.PkScript); err != nil {
				return err
			}
		}
		out := g.carry(obj, cs[0].c.Value, pk)
		return g.addRecord(&game.ProducerChange{Producer: id, Out: out, ProducerInfo: info})
	})
}

// CreateProps creates props for producer, which the account must own:
// the producer's coin is spent and continues (same value and owner) at
// output 1; each prop gets a carrier of its gold, to its PkScript or a
// new address of the account. At most game.MaxBatch props.
// GameTx.Objects are the new props in order (carried by outputs 2...).
func (w *Wallet) CreateProps(ctx context.Context, o GameOptions, producer game.ID, props []PropSpec) (*GameTx, error) {
	if len(props) == 0 || len(props) > game.MaxBatch {
		return nil, fmt.Errorf("wallet: create props: %w: %d props, want 1 to %d", ErrInvalidArgument, len(props), game.MaxBatch)
	}
	for i, p := range props {
		if p.Gold < game.MinPropGold || p.Gold > int64(amount.MaxMoney) {
			return nil, fmt.Errorf("wallet: create props: %w: prop %d: gold %s GG is below the minimum of %s GG",
				ErrInvalidArgument, i, amount.Amount(p.Gold), amount.Amount(game.MinPropGold))
		}
		if len(p.OID) > game.MaxOIDLen {
			return nil, fmt.Errorf("wallet: create props: %w: prop %d: oid longer than %d bytes", ErrInvalidArgument, i, game.MaxOIDLen)
		}
		if p.PkScript != nil {
			if err := checkCarrier(p.PkScript, fmt.Sprintf("prop %d's owner", i)); err != nil {
				return nil, fmt.Errorf("wallet: create props: %w", err)
			}
		}
	}
	pobj := game.Object{Kind: game.KindProducer, ID: producer}
	res, err := w.runGame(ctx, "create props", o, func(tx *store.Tx, acct *accountRecord, g *gameBuild) error {
		cs, err := w.findObjects(tx, acct, []game.Object{pobj})
		if err != nil {
			return err
		}
		g.spend(cs[0])
		rec := &game.PropCreate{Producer: producer}
		rec.ProducerOut = g.carry(pobj, cs[0].c.Value, cs[0].c.PkScript)
		for _, p := range props {
			pk := p.PkScript
			if pk == nil {
				if pk, err = w.newAddr(tx, acct); err != nil {
					return err
				}
			}
			out := g.carry(game.Object{}, p.Gold, pk)
			rec.Props = append(rec.Props, game.NewProp{Out: out, OID: p.OID})
		}
		return g.addRecord(rec)
	})
	if err != nil {
		return nil, err
	}
	res.Objects, res.Vouts = nil, nil
	for i := range props {
		vout := uint32(2 + i)
		res.Objects = append(res.Objects, game.Object{Kind: game.KindProp, ID: game.PropID(res.TxID, vout)})
		res.Vouts = append(res.Vouts, vout)
	}
	return res, nil
}

// SendProps moves props the account owns to new owners, in one
// transaction (at most game.MaxBatch); each carrier keeps the prop's
// gold. The fee comes from the account's plain coins.
func (w *Wallet) SendProps(ctx context.Context, o GameOptions, moves []PropMoveSpec) (*GameTx, error) {
	if len(moves) == 0 || len(moves) > game.MaxBatch {
		return nil, fmt.Errorf("wallet: send props: %w: %d props, want 1 to %d", ErrInvalidArgument, len(moves), game.MaxBatch)
	}
	objs := make([]game.Object, len(moves))
	for i, m := range moves {
		if err := checkCarrier(m.PkScript, "the recipient"); err != nil {
			return nil, fmt.Errorf("wallet: send props: %w", err)
		}
		objs[i] = game.Object{Kind: game.KindProp, ID: m.Prop}
	}
	return w.runGame(ctx, "send props", o, func(tx *store.Tx, acct *accountRecord, g *gameBuild) error {
		cs, err := w.findObjects(tx, acct, objs)
		if err != nil {
			return err
		}
		rec := &game.PropSend{}
		for i, c := range cs {
			g.spend(c)
			out := g.carry(objs[i], c.c.Value, moves[i].PkScript)
			rec.Moves = append(rec.Moves, game.PropMove{Prop: moves[i].Prop, Out: out})
		}
		return g.addRecord(rec)
	})
}

// DestroyProps melts props the account owns: their gold, less the fee,
// returns to the account as a plain coin.
func (w *Wallet) DestroyProps(ctx context.Context, o GameOptions, ids []game.ID) (*GameTx, error) {
	if len(ids) == 0 || len(ids) > game.MaxBatch {
		return nil, fmt.Errorf("wallet: destroy props: %w: %d props, want 1 to %d", ErrInvalidArgument, len(ids), game.MaxBatch)
	}
	sorted := slices.Clone(ids)
	slices.SortFunc(sorted, func(a, b game.ID) int { return bytes.Compare(a[:], b[:]) })
	objs := make([]game.Object, len(sorted))
	for i, id := range sorted {
		objs[i] = game.Object{Kind: game.KindProp, ID: id}
	}
	return w.runGame(ctx, "destroy props", o, func(tx *store.Tx, acct *accountRecord, g *gameBuild) error {
		cs, err := w.findObjects(tx, acct, objs)
		if err != nil {
			return err
		}
		for _, c := range cs {
			g.spend(c)
		}
		return g.addRecord(&game.PropDestroy{Props: sorted})
	})
}

// Sale lists a prop the account owns at auction: input 0 spends the
// prop, signed SIGHASH_SINGLE|ANYONECANPAY, output 0 is the Sale record,
// nothing else (the listing form, which only lives in the mempool; bids
// build on it). buyNow must exceed the gold; end 0 means the next height
// plus the network's auction period (tip is the chain's height).
func (w *Wallet) Sale(ctx context.Context, o GameOptions, prop game.ID, buyNow, reserve int64, end uint32, tip int32) (*GameTx, error) {
	if end == 0 {
		end = uint32(tip + w.params.AuctionPeriod)
	}
	if buyNow <= 0 || reserve < 0 || reserve > buyNow {
		return nil, fmt.Errorf("wallet: sale: %w: want 0 <= reserve <= buy-now and buy-now > 0", ErrInvalidArgument)
	}
	if int64(end) <= int64(tip) {
		return nil, fmt.Errorf("wallet: sale: %w: end height %d is not above the tip %d", ErrInvalidArgument, end, tip)
	}
	obj := game.Object{Kind: game.KindProp, ID: prop}
	return w.runGame(ctx, "sale", o, func(tx *store.Tx, acct *accountRecord, g *gameBuild) error {
		cs, err := w.findObjects(tx, acct, []game.Object{obj})
		if err != nil {
			return err
		}
		if buyNow <= cs[0].c.Value {
			return fmt.Errorf("%w: the buy-now price %s GG must exceed the prop's gold %s GG",
				ErrInvalidArgument, amount.Amount(buyNow), amount.Amount(cs[0].c.Value))
		}
		g.spend(cs[0])
		g.noFund = true
		return g.addRecord(&game.Sale{Prop: prop, BuyNow: uint64(buyNow), Reserve: uint64(reserve), End: end})
	})
}

// Bid builds a bid on an auction from the listing or the current best
// bid r.Sale: it keeps input 0 (the prop, with the seller's witness) and
// output 0 (the record), pays r.Price to the seller's script at output 1
// and carries the prop (r.Gold) to a new address of the account at output
// 2, and funds the price and fee from the account's plain coins
// (SIGHASH_ALL). The node's mempool replaces the previous bid with it.
func (w *Wallet) Bid(ctx context.Context, o GameOptions, r BidRequest) (*GameTx, error) {
	if r.Sale == nil || len(r.Sale.TxIn) == 0 || len(r.Sale.TxOut) == 0 {
		return nil, fmt.Errorf("wallet: bid: %w: no sale transaction", ErrInvalidArgument)
	}
	rec, idx, err := game.FindRecord(r.Sale)
	if err != nil || rec == nil || rec.Type() != game.TypeSale || idx != 0 {
		return nil, fmt.Errorf("wallet: bid: %w: not a sale listing or bid", ErrInvalidArgument)
	}
	sale := rec.(*game.Sale)
	switch {
	case r.Price < r.Gold:
		return nil, fmt.Errorf("wallet: bid: %w: the bid %s GG is below the prop's gold %s GG", ErrInvalidArgument, amount.Amount(r.Price), amount.Amount(r.Gold))
	case r.Price < int64(sale.Reserve):
		return nil, fmt.Errorf("wallet: bid: %w: the bid %s GG is below the reserve %s GG", ErrInvalidArgument, amount.Amount(r.Price), amount.Amount(int64(sale.Reserve)))
	case len(r.Sale.TxOut) >= 2 && r.Price <= r.Sale.TxOut[1].Value:
		return nil, fmt.Errorf("wallet: bid: %w: the bid %s GG must exceed the best bid %s GG", ErrInvalidArgument, amount.Amount(r.Price), amount.Amount(r.Sale.TxOut[1].Value))
	}
	if err := checkCarrier(r.SellerScript, "the seller"); err != nil {
		return nil, fmt.Errorf("wallet: bid: %w", err)
	}
	in0 := r.Sale.TxIn[0]
	return w.runGame(ctx, "bid", o, func(tx *store.Tx, acct *accountRecord, g *gameBuild) error {
		g.tx.Version, g.tx.LockTime = r.Sale.Version, r.Sale.LockTime
		g.tx.AddTxIn(&wire.TxIn{PreviousOutPoint: in0.PreviousOutPoint, SignatureScript: in0.SignatureScript,
			Witness: slices.Clone(in0.Witness), Sequence: in0.Sequence})
		g.prevOuts = append(g.prevOuts, nil)
		g.foreignValue = r.Gold
		g.broadcastFirst = true
		g.extraFee = max(r.ReplacedFees, 0)
		if prev := r.Sale.TxHash(); tx.Bucket(bktPending).Get(prev[:]) != nil && len(r.Sale.TxOut) >= 3 {
			g.replaces = prev // our own bid (of any account)
		}
		g.foreignVSize = in0.VirtualSize() - p2wpkhInputVSize
		pk, err := w.newAddr(tx, acct)
		if err != nil {
			return err
		}
		g.tx.AddTxOut(r.Sale.TxOut[0])
		g.tx.AddTxOut(&wire.TxOut{Value: r.Price, PkScript: r.SellerScript})
		g.tx.AddTxOut(&wire.TxOut{Value: r.Gold, PkScript: pk})
		g.objects = []game.Object{{Kind: game.KindProp, ID: sale.Prop}}
		g.vouts = []uint32{2}
		return nil
	})
}
