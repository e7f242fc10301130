package chain

import (
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

const (
	// MaxMoney is the most dust that can ever exist: 21 million GG.
	MaxMoney int64 = 21_000_000 * 100_000_000
	// MaxBlockSigOpsCost is the BIP141 limit on a block's signature
	// operation cost.
	MaxBlockSigOpsCost = 80000
	// MaxFutureBlockTime is how far past the local clock a block's
	// timestamp may be.
	MaxFutureBlockTime = 2 * time.Hour
	// MedianTimeBlocks is how many blocks the median time past spans.
	MedianTimeBlocks = 11
	// LockTimeThreshold separates lock times read as heights (below) from
	// lock times read as Unix times.
	LockTimeThreshold = 500_000_000
	// MinCoinbaseScriptLen and MaxCoinbaseScriptLen bound a coinbase's
	// signature script.
	MinCoinbaseScriptLen = 2
	MaxCoinbaseScriptLen = 100
)

// isNullOutPoint reports whether op is the coinbase's null prevout.
func isNullOutPoint(op *wire.OutPoint) bool {
	return op.Index == wire.MaxPrevOutIndex && op.Hash.IsZero()
}

// CheckTransactionSanity runs the context-free checks on a transaction:
// inputs and outputs present, stripped size within the block weight,
// output values in range (each and in sum), no input spent twice, a
// coinbase script of 2..100 bytes, and no null prevout outside a
// coinbase.
func CheckTransactionSanity(tx *wire.MsgTx) error {
	if len(tx.TxIn) == 0 {
		return ruleError(ErrNoTxInputs, "transaction has no inputs")
	}
	if len(tx.TxOut) == 0 {
		return ruleError(ErrNoTxOutputs, "transaction has no outputs")
	}
	if n := tx.SerializeSizeStripped(); n*wire.WitnessScaleFactor > wire.MaxBlockWeight {
		return ruleError(ErrTxTooBig, "transaction stripped size %d exceeds %d", n, wire.MaxBlockWeight/wire.WitnessScaleFactor)
	}
	var total int64
	for i, out := range tx.TxOut {
		switch {
		case out.Value < 0:
			return ruleErrorReason(ErrBadTxOutValue, "bad-txns-vout-negative", "output %d has negative value %d", i, out.Value)
		case out.Value > MaxMoney:
			return ruleErrorReason(ErrBadTxOutValue, "bad-txns-vout-toolarge", "output %d value %d exceeds %d", i, out.Value, MaxMoney)
		}
		total += out.Value
		if total > MaxMoney {
			return ruleErrorReason(ErrBadTxOutValue, "bad-txns-txouttotal-toolarge", "total output value exceeds %d", MaxMoney)
		}
	}
	if len(tx.TxIn) <= 8 {
		for i := 1; i < len(tx.TxIn); i++ {
			for j := 0; j < i; j++ {
				if tx.TxIn[i].PreviousOutPoint == tx.TxIn[j].PreviousOutPoint {
					return ruleError(ErrDuplicateTxInputs, "input %d spends %v again", i, tx.TxIn[i].PreviousOutPoint)
				}
			}
		}
	} else {
		seen := make(map[wire.OutPoint]struct{}, len(tx.TxIn))
		for i, in := range tx.TxIn {
			if _, dup := seen[in.PreviousOutPoint]; dup {
				return ruleError(ErrDuplicateTxInputs, "input %d spends %v again", i, in.PreviousOutPoint)
			}
			seen[in.PreviousOutPoint] = struct{}{}
		}
	}
	if tx.IsCoinBase() {
		if n := len(tx.TxIn[0].SignatureScript); n < MinCoinbaseScriptLen || n > MaxCoinbaseScriptLen {
			return ruleError(ErrBadCoinbaseScriptLen, "coinbase script is %d bytes, want %d..%d", n, MinCoinbaseScriptLen, MaxCoinbaseScriptLen)
		}
		return nil
	}
	for i, in := range tx.TxIn {
		if isNullOutPoint(&in.PreviousOutPoint) {
			return ruleError(ErrBadTxInput, "input %d spends the null outpoint", i)
		}
	}
	return nil
}

// CheckTransactionInputs checks tx's inputs against view for a
// transaction to be included at txHeight: every input exists unspent,
// coinbase outputs are mature, values are in range and the inputs cover
// the outputs. It returns the fee. A coinbase has no inputs to check and
// a fee of zero.
func CheckTransactionInputs(tx *wire.MsgTx, txHeight int32, view UtxoView, params *chaincfg.Params) (int64, error) {
	if tx.IsCoinBase() {
		return 0, nil
	}
	var totalIn int64
	for i, in := range tx.TxIn {
		e := view.LookupEntry(in.PreviousOutPoint)
		if e == nil {
			return 0, ruleError(ErrMissingTxOut, "input %d: output %v missing or spent", i, in.PreviousOutPoint)
		}
		if e.Coinbase {
			if depth := txHeight - e.Height; depth < params.CoinbaseMaturity {
				return 0, ruleError(ErrImmatureSpend, "input %d: coinbase output %v from height %d spent at height %d, needs %d confirmations",
					i, in.PreviousOutPoint, e.Height, txHeight, params.CoinbaseMaturity)
			}
		}
		if e.Amount < 0 || e.Amount > MaxMoney {
			return 0, ruleErrorReason(ErrBadTxOutValue, "bad-txns-inputvalues-outofrange", "input %d value %d out of range", i, e.Amount)
		}
		totalIn += e.Amount
		if totalIn > MaxMoney {
			return 0, ruleErrorReason(ErrBadTxOutValue, "bad-txns-inputvalues-outofrange", "total input value exceeds %d", MaxMoney)
		}
	}
	var totalOut int64
	for _, out := range tx.TxOut {
		totalOut += out.Value
	}
	if totalIn < totalOut {
		return 0, ruleError(ErrSpendTooHigh, "inputs %d < outputs %d", totalIn, totalOut)
	}
	return totalIn - totalOut, nil
}

// IsFinalizedTransaction reports whether tx may be included in a block at
// blockHeight whose lock-time clock reads blockTime (the median time past
// of its parent, BIP113).
func IsFinalizedTransaction(tx *wire.MsgTx, blockHeight int32, blockTime int64) bool {
	lt := int64(tx.LockTime)
	if lt == 0 {
		return true
	}
	limit := blockTime
	if lt < LockTimeThreshold {
		limit = int64(blockHeight)
	}
	if lt < limit {
		return true
	}
	for _, in := range tx.TxIn {
		if in.Sequence != wire.MaxTxInSequenceNum {
			return false
		}
	}
	return true
}

// SequenceLock is the BIP68 relative lock of a transaction: the last
// median time past and the last height at which it is still locked; -1
// means no lock of that kind.
type SequenceLock struct {
	Seconds     int64
	BlockHeight int32
}

// SequenceLockActive reports whether a transaction with lock may be
// included in a block at blockHeight whose parent has median time past
// medianTimePast. (The name follows btcd: true means the lock is
// satisfied.)
func SequenceLockActive(lock *SequenceLock, blockHeight int32, medianTimePast int64) bool {
	return lock.Seconds < medianTimePast && lock.BlockHeight < blockHeight
}

// GetSigOpCost returns tx's BIP141 signature operation cost: legacy
// sigops (inputs and outputs) times four, plus P2SH redeem script sigops
// times four when flags has FlagP2SH, plus witness sigops when flags has
// FlagWitness. Inputs are looked up in view.
func GetSigOpCost(tx *wire.MsgTx, view UtxoView, flags script.Flags) (int, error) {
	legacy := 0
	for _, in := range tx.TxIn {
		legacy += script.CountSigOps(in.SignatureScript)
	}
	for _, out := range tx.TxOut {
		legacy += script.CountSigOps(out.PkScript)
	}
	cost := legacy * wire.WitnessScaleFactor
	if tx.IsCoinBase() {
		return cost, nil
	}
	for i, in := range tx.TxIn {
		e := view.LookupEntry(in.PreviousOutPoint)
		if e == nil {
			return 0, ruleError(ErrMissingTxOut, "input %d: output %v missing or spent", i, in.PreviousOutPoint)
		}
		if flags&script.FlagP2SH != 0 {
			cost += script.CountP2SHSigOps(in.SignatureScript, e.PkScript) * wire.WitnessScaleFactor
		}
		cost += script.CountWitnessSigOps(in.SignatureScript, e.PkScript, in.Witness, flags)
	}
	return cost, nil
}

// legacySigOps counts a transaction's legacy sigops (no prevouts needed).
func legacySigOps(tx *wire.MsgTx) int {
	n := 0
	for _, in := range tx.TxIn {
		n += script.CountSigOps(in.SignatureScript)
	}
	for _, out := range tx.TxOut {
		n += script.CountSigOps(out.PkScript)
	}
	return n
}
