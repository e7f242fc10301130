package wallet

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/wire"
)

// Size estimates, in virtual bytes, for fee computation. A P2WPKH input
// is 41 bytes plus a witness of at most 1+73+34 bytes (a 72-byte DER
// signature with its hash type, and a compressed key): 272 weight units.
const (
	txOverheadVSize   = 11 // version, locktime, counts, segwit marker and flag (rounded up)
	p2wpkhInputVSize  = 68
	p2wpkhOutputVSize = 31
)

// MinRelayFeeRate is the fee-rate floor, in dust per 1000 virtual bytes.
const MinRelayFeeRate = 1000

// changeDust is the smallest change output worth making (the dust limit
// of a P2WPKH output at the default dust relay fee of 3000 dust/kvB);
// smaller change goes to the fee.
const changeDust = 294

// bnbMaxTries bounds the branch-and-bound search.
const bnbMaxTries = 100_000

// ErrInsufficientFunds is the kind of an InsufficientFundsError.
const ErrInsufficientFunds = ErrorKind("insufficient funds")

// InsufficientFundsError reports an overdraft: what the account's coins
// must pay (amounts plus fee, less the value of inputs the transaction
// already has) and what they can.
type InsufficientFundsError struct {
	// Need is what the account's coins must supply; Have what its
	// spendable coins hold (confirmed, plus its own unconfirmed change
	// when the selection tried it).
	Need, Have amount.Amount
	// Unconfirmed is what the account holds on top of Have in coins that
	// wait for a block (payments received, not yet mined): spendable
	// once confirmed. With it, Have counts confirmed coins only.
	Unconfirmed amount.Amount
	// Locked is what the account holds in time-locked coins on top of
	// Have; LockedUntil the height, or unix time, the first of them
	// unlocks at (0: a relative lock whose payment is unconfirmed).
	Locked      amount.Amount
	LockedUntil uint32
}

func (e *InsufficientFundsError) Error() string {
	msg := fmt.Sprintf("insufficient funds: need %s GG, have %s GG", e.Need, e.Have)
	switch {
	case e.Unconfirmed > 0 && e.Have+e.Unconfirmed >= e.Need:
		msg += fmt.Sprintf(" confirmed (%s GG unconfirmed: mine a block or wait for one)", e.Unconfirmed)
	case e.Unconfirmed > 0:
		msg += fmt.Sprintf(" confirmed (%s GG more unconfirmed)", e.Unconfirmed)
	}
	switch {
	case e.Locked > 0 && e.LockedUntil > 0:
		msg += fmt.Sprintf(" (%s GG more is time-locked: coin locked until %s)", e.Locked, FormatLockTime(e.LockedUntil))
	case e.Locked > 0:
		msg += fmt.Sprintf(" (%s GG more is time-locked until its payment confirms)", e.Locked)
	}
	return msg
}

// Is makes errors.Is(err, ErrInsufficientFunds) true.
func (e *InsufficientFundsError) Is(target error) bool { return target == ErrInsufficientFunds }

// dustRelayFeeRate is the relay policy's dust fee rate (dust/kvB), the
// mempool's default: an output worth less than the fee of creating and
// later spending it at this rate is not relayed.
const dustRelayFeeRate = 3000

// dustThreshold is the smallest relayable value of an output paying pk:
// (output size + the size of a later spend) at dustRelayFeeRate; 294 dust
// for P2WPKH, 546 for P2PKH. OP_RETURN outputs carry no value and have
// none.
func dustThreshold(pk []byte) int64 {
	if len(pk) > 0 && pk[0] == 0x6a {
		return 0
	}
	spend := int64(148)
	if isWitnessProgram(pk) {
		spend = 67
	}
	return (outputVSize(pk) + spend) * dustRelayFeeRate / 1000
}

func isWitnessProgram(pk []byte) bool {
	return len(pk) >= 4 && len(pk) <= 42 && int(pk[1]) == len(pk)-2 &&
		(pk[0] == 0 || (pk[0] >= 0x51 && pk[0] <= 0x60))
}

// countsExtraVSize is what the input and output counts add beyond the one
// byte each that txOverheadVSize assumes (CompactSize grows at 253).
func countsExtraVSize(nIn, nOut int) int64 {
	return int64(wire.CompactSizeLen(uint64(nIn)) + wire.CompactSizeLen(uint64(nOut)) - 2)
}

// feeFor is the fee of vsize virtual bytes at rate dust/kvB, rounded up.
func feeFor(vsize, rate int64) int64 { return (vsize*rate + 999) / 1000 }

// outputVSize is the size of an output paying pkScript.
func outputVSize(pkScript []byte) int64 {
	n := int64(len(pkScript))
	v := int64(1)
	switch {
	case n >= 0x10000:
		v = 5
	case n >= 0xfd:
		v = 3
	}
	return 8 + v + n
}

type selCoin struct {
	op       wire.OutPoint
	value    int64
	pkScript []byte
	// extra is the input's virtual size beyond a P2WPKH input's (a
	// time-lock script spend is larger).
	extra int64
}

// selectRequest describes what the inputs must pay for.
type selectRequest struct {
	target      int64 // sum of the outputs
	baseVSize   int64 // overhead (1-byte counts), outputs and preset inputs
	nPreset     int   // inputs already in the transaction
	nOutputs    int   // outputs already in the transaction
	preset      int64 // value of preset inputs
	rate        int64 // dust/kvB
	subtractFee bool  // the fee comes out of the outputs
	// extraFee is paid on top of the rate's fee (not with subtractFee):
	// the fees of the transactions a replacement evicts (BIP125 rule 3;
	// the rate's fee, at least the minimum relay rate, covers rule 4).
	extraFee int64
}

type selection struct {
	coins  []selCoin
	fee    int64
	change int64 // 0: no change output
}

// selectCoins picks coins for req: first a branch-and-bound search for a
// set that needs no change (its excess within the cost of making and
// later spending a change output, which then goes to the fee); failing
// that, the better of largest-first accumulation and the smallest single
// coin that covers everything, by least change. It returns
// *InsufficientFundsError when even every coin is not enough.
func selectCoins(coins []selCoin, req selectRequest) (selection, error) {
	extra := int64(0)
	if !req.subtractFee && req.extraFee > 0 {
		extra = req.extraFee
		req.target += extra // funded like an output, paid as fee
	}
	sel, err := selectCoinsRate(coins, req)
	if err == nil {
		sel.fee += extra
	}
	return sel, err
}

// selectSpendable is selectCoins over an account's coins: the confirmed
// ones first, then with its own unconfirmed change (which the wallet may
// spend). An overdraft reports the confirmed coins as Have and every
// unconfirmed coin — the change and pending, the payments received and
// not yet mined, which are not spent before a block confirms them — as
// Unconfirmed, so the message says when a block is the fix.
func selectSpendable(confirmed, change []selCoin, pending int64, req selectRequest) (selection, error) {
	sel, err := selectCoins(confirmed, req)
	var short *InsufficientFundsError
	if errors.As(err, &short) && len(change) > 0 {
		sel, err = selectCoins(append(slices.Clone(confirmed), change...), req)
	}
	if !errors.As(err, &short) {
		return sel, err
	}
	unconf := pending
	for _, c := range change {
		unconf += c.value
	}
	if unconf > 0 {
		var have int64
		for _, c := range confirmed {
			have += c.value
		}
		short.Have, short.Unconfirmed = amount.Amount(have), amount.Amount(unconf)
	}
	return sel, err
}

// selectCoinsRate is selectCoins at the request's fee rate alone.
func selectCoinsRate(coins []selCoin, req selectRequest) (selection, error) {
	inFee := feeFor(p2wpkhInputVSize, req.rate)
	changeFee := feeFor(p2wpkhOutputVSize, req.rate)
	// effective value of a coin: what it adds after paying for itself.
	ev := func(c selCoin) int64 {
		if req.subtractFee {
			return c.value
		}
		if c.extra != 0 {
			return c.value - feeFor(p2wpkhInputVSize+c.extra, req.rate)
		}
		return c.value - inFee
	}
	pool := make([]selCoin, 0, len(coins))
	var haveAll int64
	for _, c := range coins {
		haveAll += c.value
		if ev(c) > 0 {
			pool = append(pool, c)
		}
	}
	slices.SortFunc(pool, func(a, b selCoin) int {
		if c := cmp.Compare(b.value, a.value); c != 0 {
			return c
		}
		if c := bytes.Compare(a.op.Hash[:], b.op.Hash[:]); c != 0 {
			return c
		}
		return cmp.Compare(a.op.Index, b.op.Index)
	})
	baseFee := feeFor(req.baseVSize, req.rate)
	need := req.target - req.preset // from the coins, in effective value
	if !req.subtractFee {
		need += baseFee
	}
	finish := func(sel []selCoin) (selection, error) {
		var sum, extra int64
		for _, c := range sel {
			sum += c.value
			extra += c.extra
		}
		vsize := req.baseVSize + int64(len(sel))*p2wpkhInputVSize + extra
		nIn := req.nPreset + len(sel)
		feeNoChange := feeFor(vsize+countsExtraVSize(nIn, req.nOutputs), req.rate)
		feeChange := feeFor(vsize+p2wpkhOutputVSize+countsExtraVSize(nIn, req.nOutputs+1), req.rate)
		in := sum + req.preset
		var change int64
		if req.subtractFee {
			change = in - req.target
			fee := feeNoChange
			if change >= changeDust+changeFee {
				fee = feeChange
				// change stays as is; the fee comes out of the outputs
			} else {
				// Leftover below dust pays part of the fee.
				fee = max(fee, change)
				change = 0
			}
			return selection{coins: sel, fee: fee, change: change}, nil
		}
		change = in - req.target - feeChange
		if change >= changeDust {
			return selection{coins: sel, fee: feeChange, change: change}, nil
		}
		if in-req.target < feeNoChange {
			// Only possible with hundreds of inputs or outputs, where the
			// counts' CompactSize grows past what the search budgeted.
			return selection{}, &InsufficientFundsError{Need: amount.Amount(req.target + feeNoChange - req.preset), Have: amount.Amount(sum)}
		}
		return selection{coins: sel, fee: in - req.target}, nil
	}
	if need <= 0 {
		return finish(nil)
	}
	var total int64
	for _, c := range pool {
		total += ev(c)
	}
	if total < need {
		n := int64(len(coins))
		needAll := req.target
		if !req.subtractFee {
			needAll += feeFor(req.baseVSize+max(n, 1)*p2wpkhInputVSize, req.rate)
		}
		// Both sides without the preset inputs: Have is then what the
		// account's coins hold, a figure its balance shows.
		return selection{}, &InsufficientFundsError{Need: amount.Amount(needAll - req.preset), Have: amount.Amount(haveAll)}
	}
	// Branch and bound: an exact match within costOfChange.
	costOfChange := changeFee + inFee
	if sel := bnb(pool, ev, need, need+costOfChange); sel != nil {
		return finish(sel)
	}
	// Fallback: the target now includes a change output.
	needChange := need
	if !req.subtractFee {
		needChange += changeFee
	}
	var lf []selCoin
	var acc int64
	for _, c := range pool {
		if acc >= needChange {
			break
		}
		lf = append(lf, c)
		acc += ev(c)
	}
	if acc < needChange {
		return finish(pool) // everything: just enough without change
	}
	// Smallest single coin covering the target, scanning from the small end.
	best := lf
	bestSum := acc
	for i := len(pool) - 1; i >= 0; i-- {
		if ev(pool[i]) >= needChange {
			if s := ev(pool[i]); s < bestSum || (s == bestSum && len(best) > 1) {
				best, bestSum = []selCoin{pool[i]}, s
			}
			break
		}
	}
	return finish(best)
}

// bnb searches pool (sorted by value, descending) depth first for a
// subset whose effective value lies in [lo, hi], keeping the one with the
// least excess. It gives up after bnbMaxTries steps.
func bnb(pool []selCoin, ev func(selCoin) int64, lo, hi int64) []selCoin {
	n := len(pool)
	vals := make([]int64, n)
	rest := make([]int64, n+1) // rest[i] = sum of vals[i:]
	for i := n - 1; i >= 0; i-- {
		vals[i] = ev(pool[i])
		rest[i] = rest[i+1] + vals[i]
	}
	var (
		cur      []int
		bestSet  []int
		bestWste = int64(-1)
		tries    int
	)
	var walk func(i int, sum int64) bool
	walk = func(i int, sum int64) bool {
		tries++
		if tries > bnbMaxTries {
			return false
		}
		if sum > hi {
			return true
		}
		if sum >= lo {
			if waste := sum - lo; bestWste < 0 || waste < bestWste {
				bestWste = waste
				bestSet = append(bestSet[:0], cur...)
			}
			return bestWste != 0
		}
		if i == n || sum+rest[i] < lo {
			return true
		}
		cur = append(cur, i)
		if !walk(i+1, sum+vals[i]) {
			cur = cur[:len(cur)-1]
			return false
		}
		cur = cur[:len(cur)-1]
		// Skip equal values: omitting one of several equal coins gives the
		// same sums as omitting another.
		j := i + 1
		for j < n && vals[j] == vals[i] {
			j++
		}
		return walk(j, sum)
	}
	walk(0, 0)
	if bestSet == nil {
		return nil
	}
	out := make([]selCoin, len(bestSet))
	for k, i := range bestSet {
		out[k] = pool[i]
	}
	return out
}
