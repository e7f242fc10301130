package wallet

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// TxOptions tune CreateTx, Send and Fund.
type TxOptions struct {
	// FeeRate in dust per 1000 virtual bytes; zero asks the chain client
	// (EstimateFee for 6 blocks), or uses MinRelayFeeRate without one.
	// Rates below MinRelayFeeRate are raised to it.
	FeeRate amount.Amount
	// MaxFeeRate is the ceiling on the fee rate, given or estimated
	// (dust per 1000 vbytes): above it the wallet refuses to build the
	// transaction (*FeeRateError). Zero means amount.DefaultMaxFeeRate,
	// amount.NoMaxFeeRate lifts it.
	MaxFeeRate amount.Amount
	// SubtractFeeFrom lists outputs that pay the fee, in equal shares
	// (the first one pays the remainder), instead of the wallet.
	SubtractFeeFrom []int
	// LockTime is the transaction's nLockTime (0: none).
	LockTime uint32
	// Sequence is every new input's nSequence; zero means 0xfffffffd
	// (final for lock time purposes, signalling replaceability).
	Sequence uint32
	// MinConf 0 allows spending the wallet's own unconfirmed change.
	// (Other unconfirmed coins are never spent.)
}

// FundedTx is a transaction built by the wallet.
type FundedTx struct {
	Tx          *wire.MsgTx
	Fee         amount.Amount
	ChangeIndex int // -1: no change output
	// PrevOuts are the outputs spent by each input, for signing and
	// display.
	PrevOuts []*wire.TxOut
}

// CreateTx builds and signs a transaction from account paying outputs:
// it selects coins (never ones carrying game objects, immature, locked,
// reserved or spent by a pending transaction), adds change to a fresh
// change address, and signs. It needs the wallet unlocked (ErrLocked
// otherwise). An overdraft is an *InsufficientFundsError
// (errors.Is ErrInsufficientFunds) and changes nothing.
func (w *Wallet) CreateTx(ctx context.Context, account string, outputs []*wire.TxOut, opts TxOptions) (*FundedTx, error) {
	if w.IsLocked() {
		return nil, fmt.Errorf("wallet: create tx: %w", ErrLocked)
	}
	w.sendMu.Lock()
	defer w.sendMu.Unlock()
	return w.createTx(ctx, account, outputs, opts)
}

func (w *Wallet) createTx(ctx context.Context, account string, outputs []*wire.TxOut, opts TxOptions) (*FundedTx, error) {
	tx := wire.NewMsgTx(2)
	tx.LockTime = opts.LockTime
	for _, o := range outputs {
		if o == nil {
			return nil, fmt.Errorf("wallet: create tx: %w: nil output", ErrInvalidArgument)
		}
		if min := dustThreshold(o.PkScript); o.Value < min {
			return nil, fmt.Errorf("wallet: create tx: %w: output %d: %s GG is below the dust threshold of %s GG for that address",
				ErrInvalidArgument, len(tx.TxOut), amount.Amount(o.Value), amount.Amount(min))
		}
		tx.AddTxOut(&wire.TxOut{Value: o.Value, PkScript: append([]byte(nil), o.PkScript...)})
	}
	if len(outputs) == 0 {
		return nil, fmt.Errorf("wallet: create tx: %w: no outputs", ErrInvalidArgument)
	}
	f, err := w.fund(ctx, account, tx, opts)
	if err != nil {
		return nil, fmt.Errorf("wallet: create tx: %w", err)
	}
	if err := w.signFunded(f); err != nil {
		return nil, fmt.Errorf("wallet: create tx: %w", err)
	}
	return f, nil
}

// Fund adds inputs from account and, if needed, a change output to tx
// (which may already have inputs of the wallet's coins), like bitcoind's
// fundrawtransaction. tx is modified in place and left unsigned.
func (w *Wallet) Fund(ctx context.Context, account string, tx *wire.MsgTx, opts TxOptions) (*FundedTx, error) {
	w.sendMu.Lock()
	defer w.sendMu.Unlock()
	f, err := w.fund(ctx, account, tx, opts)
	if err != nil {
		return nil, fmt.Errorf("wallet: fund: %w", err)
	}
	return f, nil
}

// ErrFeeTooHigh is the kind of a FeeRateError.
const ErrFeeTooHigh = ErrorKind("fee rate above the ceiling")

// FeeRateError refuses a fee rate (given, or the chain client's estimate)
// above the wallet's ceiling. Rates are in dust per 1000 vbytes.
type FeeRateError struct {
	Rate, Max amount.Amount
	// Estimated: the rate is the chain client's estimate, not one the
	// caller gave.
	Estimated bool
	// Replaced is what a bid pays for the transactions it replaces
	// (BidRequest.ReplacedFees), included in Rate; zero otherwise.
	Replaced amount.Amount
}

func (e *FeeRateError) Error() string {
	return fmt.Sprintf("%s is above the ceiling of %s GG/kvB: raise the ceiling to pay it", e.What(), e.Max)
}

// What describes the refused rate: "fee rate R GG/kvB", with what makes
// it up when that is not a rate the caller gave.
func (e *FeeRateError) What() string {
	switch {
	case e.Replaced > 0:
		return fmt.Sprintf("fee rate %s GG/kvB (with %s GG for the transactions the bid replaces)", e.Rate, e.Replaced)
	case e.Estimated:
		return fmt.Sprintf("estimated fee rate %s GG/kvB", e.Rate)
	}
	return fmt.Sprintf("fee rate %s GG/kvB", e.Rate)
}

// Is makes errors.Is(err, ErrFeeTooHigh) true.
func (e *FeeRateError) Is(target error) bool { return target == ErrFeeTooHigh }

// feeRate is the rate a transaction pays: the one given, or the chain
// client's estimate, at least MinRelayFeeRate; above the ceiling it is a
// *FeeRateError.
func (w *Wallet) feeRate(ctx context.Context, opts TxOptions) (int64, error) {
	rate, estimated := int64(opts.FeeRate), false
	if rate <= 0 {
		if c := w.chainClient(); c != nil {
			if r, err := c.EstimateFee(ctx, 6); err == nil {
				rate, estimated = int64(r), true
			} else {
				w.log.Debug("fee estimate failed", "err", err)
			}
		}
	}
	rate = max(rate, MinRelayFeeRate)
	if ceiling := opts.ceiling(); ceiling > 0 && rate > int64(ceiling) {
		return 0, &FeeRateError{Rate: amount.Amount(rate), Max: ceiling, Estimated: estimated}
	}
	return rate, nil
}

// ceiling is the fee rate ceiling opts asks for; <= 0: none.
func (opts TxOptions) ceiling() amount.Amount {
	if opts.MaxFeeRate == 0 {
		return amount.DefaultMaxFeeRate
	}
	return opts.MaxFeeRate
}

func (w *Wallet) fund(ctx context.Context, account string, tx *wire.MsgTx, opts TxOptions) (*FundedTx, error) {
	if account == AllAccounts {
		return nil, fmt.Errorf("%w: name one account to spend from", ErrInvalidArgument)
	}
	if len(tx.TxOut) == 0 {
		return nil, fmt.Errorf("%w: no outputs", ErrInvalidArgument)
	}
	var target int64
	for i, o := range tx.TxOut {
		if o.Value <= 0 || o.Value > int64(amount.MaxMoney) {
			return nil, fmt.Errorf("%w: output %d value %d out of range", ErrInvalidArgument, i, o.Value)
		}
		target += o.Value
		if target > int64(amount.MaxMoney) {
			return nil, fmt.Errorf("%w: outputs total more than the money supply", ErrInvalidArgument)
		}
	}
	seen := map[int]bool{}
	for _, i := range opts.SubtractFeeFrom {
		if i < 0 || i >= len(tx.TxOut) || seen[i] {
			return nil, fmt.Errorf("%w: subtract-fee-from index %d", ErrInvalidArgument, i)
		}
		seen[i] = true
	}
	seq := opts.Sequence
	if seq == 0 {
		seq = wire.MaxTxInSequenceNum - 2
	}
	rate, err := w.feeRate(ctx, opts)
	if err != nil {
		return nil, err
	}
	var f *FundedTx
	err = w.update(func(dbtx *store.Tx) error {
		acct, err := accountByName(dbtx, account)
		if err != nil {
			return err
		}
		// Preset inputs must be the wallet's coins (of any account).
		presetOuts := make([]*wire.TxOut, len(tx.TxIn))
		var presetVal, presetExtra int64
		inTx := map[wire.OutPoint]bool{}
		tip := readSynced(dbtx).Height
		clk := newChainTime(dbtx, tip)
		// Time-lock script spends among the inputs: they set the lock
		// time, sequence and version below.
		locks := map[wire.OutPoint]timeLockScript{}
		for i, in := range tx.TxIn {
			c, err := getCoin(dbtx, in.PreviousOutPoint)
			if err != nil {
				return err
			}
			if c == nil {
				return fmt.Errorf("%w: input %d spends %s, not a wallet coin", ErrInvalidArgument, i, in.PreviousOutPoint)
			}
			if c.Flags&coinFlagLocked != 0 {
				if until, locked, rel := lockState(c, tip, clk); locked {
					return &TimeLockedError{OutPoint: in.PreviousOutPoint, Until: until, Tip: tip, MedianTime: clk.tipMedianTime(), Relative: rel}
				}
			}
			if t, ws, ok := timeLockOf(dbtx, c.PkScript); ok {
				locks[in.PreviousOutPoint] = t
				presetExtra += timeLockInputVSize(ws) - p2wpkhInputVSize
			}
			presetOuts[i] = &wire.TxOut{Value: c.Value, PkScript: c.PkScript}
			presetVal += c.Value
			inTx[in.PreviousOutPoint] = true
		}
		// One transaction's lock time is a height or a time: its own lock
		// time or a preset input's CLTV decides, else heights if a
		// released height-locked coin is a candidate; released CLTV coins
		// of the other kind are left to another transaction.
		decided, timeKind := tx.LockTime != 0, tx.LockTime >= lockTimeThreshold
		for _, t := range locks {
			if !t.Relative {
				decided, timeKind = true, t.N >= lockTimeThreshold
			}
		}
		cltvTime := map[wire.OutPoint]bool{} // released CLTV candidates: a time lock?
		base := int64(txOverheadVSize) + int64(len(tx.TxIn))*p2wpkhInputVSize + presetExtra
		for _, o := range tx.TxOut {
			base += outputVSize(o.PkScript)
		}
		var confirmed, unconf []selCoin
		var pending int64 // unconfirmed payments received
		var locked lockedFunds
		err = w.scanCoins(dbtx, acct.Name, plainCoins, func(cv *coinView) error {
			i := &cv.info
			if inTx[cv.op] || i.SpentPending || i.Game || i.Reserved || i.Immature || i.WatchOnly {
				return nil
			}
			sc := selCoin{op: cv.op, value: int64(i.Value), pkScript: i.PkScript}
			if !isP2WPKH(i.PkScript) || len(cv.ar.PubKey) == 0 {
				// A time-locked coin of the wallet's own key, once its
				// lock has ended.
				t, ws, ok := timeLockOf(dbtx, i.PkScript)
				if !ok {
					return nil
				}
				if mine, err := ownsKey(dbtx, t.PubKey); err != nil || !mine {
					return err
				}
				if i.Locked {
					locked.add(i)
					return nil
				}
				if !t.Relative {
					cltvTime[cv.op] = t.N >= lockTimeThreshold
				}
				locks[cv.op] = t
				sc.extra = timeLockInputVSize(ws) - p2wpkhInputVSize
			} else if i.Locked {
				return nil
			}
			switch {
			case i.Height >= 0:
				confirmed = append(confirmed, sc)
			case i.Change:
				unconf = append(unconf, sc)
			default:
				pending += sc.value
			}
			return nil
		})
		if err != nil {
			return err
		}
		if !decided {
			for _, isTime := range cltvTime {
				if !isTime {
					decided = true // heights
					break
				}
			}
			if !decided {
				timeKind = true
			}
		}
		otherKind := func(c selCoin) bool { isTime, ok := cltvTime[c.op]; return ok && isTime != timeKind }
		confirmed = slices.DeleteFunc(confirmed, otherKind)
		unconf = slices.DeleteFunc(unconf, otherKind)
		req := selectRequest{target: target, baseVSize: base, nPreset: len(tx.TxIn), nOutputs: len(tx.TxOut),
			preset: presetVal, rate: rate, subtractFee: len(opts.SubtractFeeFrom) > 0}
		sel, err := selectSpendable(confirmed, unconf, pending, req)
		var short *InsufficientFundsError
		if errors.As(err, &short) && locked.value > 0 {
			short.Locked, short.LockedUntil = locked.value, locked.until
		}
		if err != nil {
			return err
		}
		prevOuts := presetOuts
		for _, c := range sel.coins {
			tx.AddTxIn(&wire.TxIn{PreviousOutPoint: c.op, Sequence: seq})
			prevOuts = append(prevOuts, &wire.TxOut{Value: c.value, PkScript: c.pkScript})
		}
		if err := applyTimeLocks(tx, locks); err != nil {
			return err
		}
		if tx.LockTime != 0 && seq == wire.MaxTxInSequenceNum {
			return fmt.Errorf("%w: a lock time needs a non-final sequence", ErrInvalidArgument)
		}
		if req.subtractFee {
			var in int64
			for _, o := range prevOuts {
				in += o.Value
			}
			deduct := sel.fee - (in - target - sel.change)
			if deduct > 0 {
				if err := subtractFee(tx, opts.SubtractFeeFrom, deduct); err != nil {
					return err
				}
			}
		}
		changeIdx := -1
		if sel.change > 0 {
			pk, err := w.ownScript(dbtx, acct, BranchChange, nil)
			if err != nil {
				return err
			}
			changeIdx = len(tx.TxOut)
			tx.AddTxOut(&wire.TxOut{Value: sel.change, PkScript: pk})
		}
		f = &FundedTx{Tx: tx, Fee: amount.Amount(sel.fee), ChangeIndex: changeIdx, PrevOuts: prevOuts}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// lockedFunds sums the coins coin selection skipped for their time
// lock, for the insufficient-funds message.
type lockedFunds struct {
	value amount.Amount
	until uint32 // the earliest lock end (0: unconfirmed relative lock)
}

func (l *lockedFunds) add(i *CoinInfo) {
	// Heights (smaller numbers) before times: "the first" is a guess
	// across the two kinds.
	if l.value == 0 || (i.LockUntil != 0 && (l.until == 0 || i.LockUntil < l.until)) {
		l.until = i.LockUntil
	}
	l.value += i.Value
}

// applyTimeLocks makes tx satisfy the time-lock scripts its inputs
// spend: nLockTime at least every absolute lock with a non-final
// sequence on those inputs, and version 2 with nSequence = N for
// relative locks (N carries BIP68's time flag for a time lock). Absolute
// locks of a height and of a time cannot share one transaction.
func applyTimeLocks(tx *wire.MsgTx, locks map[wire.OutPoint]timeLockScript) error {
	for _, in := range tx.TxIn {
		t, ok := locks[in.PreviousOutPoint]
		if !ok {
			continue
		}
		if t.Relative {
			tx.Version = max(tx.Version, 2)
			in.Sequence = t.N
			continue
		}
		if tx.LockTime != 0 && (tx.LockTime >= lockTimeThreshold) != (t.N >= lockTimeThreshold) {
			return fmt.Errorf("%w: coin %s is locked until %s, which cannot share a transaction with lock time %d: spend it apart",
				ErrInvalidArgument, in.PreviousOutPoint, FormatLockTime(t.N), tx.LockTime)
		}
		tx.LockTime = max(tx.LockTime, t.N)
		if in.Sequence == wire.MaxTxInSequenceNum {
			in.Sequence = wire.MaxTxInSequenceNum - 2
		}
	}
	return nil
}

func subtractFee(tx *wire.MsgTx, idxs []int, fee int64) error {
	share := fee / int64(len(idxs))
	rem := fee - share*int64(len(idxs))
	for k, i := range idxs {
		d := share
		if k == 0 {
			d += rem
		}
		if tx.TxOut[i].Value-d <= changeDust {
			return fmt.Errorf("%w: output %d is too small to pay its share of the fee (%s GG)", ErrInvalidArgument, i, amount.Amount(d))
		}
		tx.TxOut[i].Value -= d
	}
	return nil
}

func isP2WPKH(s []byte) bool { return len(s) == 22 && s[0] == 0 && s[1] == 20 }

func (w *Wallet) signFunded(f *FundedTx) error {
	hashes := script.NewSigHashes(f.Tx)
	for i, po := range f.PrevOuts {
		complete, err := w.SignInput(f.Tx, i, po.PkScript, po.Value, script.SigHashAll, hashes)
		if err != nil {
			return err
		}
		if !complete {
			return fmt.Errorf("input %d: signature incomplete", i)
		}
	}
	return nil
}

// SignResult reports what Sign did.
type SignResult struct {
	Complete bool  // every input is signed
	Signed   []int // inputs the wallet signed
	Missing  []int // inputs it could not sign (unknown prevout or key)
}

// Sign signs the inputs of tx the wallet can (those spending outputs it
// knows, with keys it has), in place, like bitcoind's
// signrawtransactionwithwallet. prevOuts, if given, supply outputs the
// wallet does not know (by outpoint). A locked wallet is ErrLocked.
func (w *Wallet) Sign(tx *wire.MsgTx, prevOuts map[wire.OutPoint]*wire.TxOut) (SignResult, error) {
	if w.IsLocked() {
		return SignResult{}, fmt.Errorf("wallet: sign: %w", ErrLocked)
	}
	outs := make([]*wire.TxOut, len(tx.TxIn))
	err := w.view(func(dbtx *store.Tx) error {
		for i, in := range tx.TxIn {
			op := in.PreviousOutPoint
			if o, ok := prevOuts[op]; ok {
				outs[i] = o
				continue
			}
			c, err := getCoin(dbtx, op)
			if err != nil {
				return err
			}
			if c != nil {
				outs[i] = &wire.TxOut{Value: c.Value, PkScript: c.PkScript}
				continue
			}
			prev, err := getTx(dbtx, op.Hash)
			if err != nil {
				return err
			}
			if prev != nil && int(op.Index) < len(prev.Tx.TxOut) {
				outs[i] = prev.Tx.TxOut[op.Index]
			}
		}
		return nil
	})
	if err != nil {
		return SignResult{}, fmt.Errorf("wallet: sign: %w", err)
	}
	res := SignResult{Complete: true}
	hashes := script.NewSigHashes(tx)
	for i, o := range outs {
		if o == nil {
			res.Complete = false
			res.Missing = append(res.Missing, i)
			continue
		}
		complete, err := w.SignInput(tx, i, o.PkScript, o.Value, script.SigHashAll, hashes)
		if errors.Is(err, ErrLocked) {
			return SignResult{}, fmt.Errorf("wallet: sign: %w", ErrLocked)
		}
		if errors.Is(err, ErrTimeLocked) {
			// A spend the lock script can never accept: say why rather
			// than listing the input as unsignable.
			return SignResult{}, fmt.Errorf("wallet: sign: %w", err)
		}
		if err != nil || !complete {
			res.Complete = false
			res.Missing = append(res.Missing, i)
			continue
		}
		res.Signed = append(res.Signed, i)
	}
	return res, nil
}

// Send creates a transaction (CreateTx), records it as pending and
// broadcasts it through the chain client. If the node rejects it, the
// record is removed again and the error returned; if the node cannot be
// reached (context errors), it stays pending for the next rebroadcast.
func (w *Wallet) Send(ctx context.Context, account string, outputs []*wire.TxOut, opts TxOptions) (*FundedTx, error) {
	c := w.chainClient()
	if c == nil {
		return nil, fmt.Errorf("wallet: send: %w: no chain client (call Start first)", ErrInvalidArgument)
	}
	if w.IsLocked() {
		return nil, fmt.Errorf("wallet: send: %w", ErrLocked)
	}
	w.sendMu.Lock()
	f, err := w.createTx(ctx, account, outputs, opts)
	if err == nil {
		err = w.update(func(dbtx *store.Tx) error {
			_, err := w.addTx(dbtx, f.Tx, nil)
			return err
		})
	}
	w.sendMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("wallet: send: %w", err)
	}
	id := f.Tx.TxHash()
	if err := c.Broadcast(ctx, f.Tx); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			w.log.Warn("broadcast failed; kept pending", "txid", id, "err", err)
			return f, nil
		}
		if uerr := w.update(func(dbtx *store.Tx) error { return w.forgetTx(dbtx, id) }); uerr != nil {
			w.log.Error("forget rejected tx", "txid", id, "err", uerr)
		}
		return nil, fmt.Errorf("wallet: send: broadcast %s: %w", id, err)
	}
	w.log.Info("transaction sent", "txid", id, "fee", f.Fee)
	return f, nil
}

// forgetTx removes an unconfirmed transaction as if it had never been
// seen: its coins go, the coins it spent return.
func (w *Wallet) forgetTx(dbtx *store.Tx, id chainhash.Hash) error {
	r, err := getTx(dbtx, id)
	if err != nil || r == nil || r.confirmed() {
		return err
	}
	if err := w.dropTx(dbtx, id, txFlagAbandoned); err != nil {
		return err
	}
	return dbtx.Bucket(bktTxs).Delete(id[:])
}
