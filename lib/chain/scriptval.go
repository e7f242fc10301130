package chain

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// parallelInputs is the input count from which one transaction's scripts
// are checked on several goroutines.
const parallelInputs = 16

// ValidateTransactionScripts verifies every input script of tx against the
// outputs it spends, found in view, under flags. Inputs are checked in
// parallel when there are many. sc may be nil.
func ValidateTransactionScripts(tx *wire.MsgTx, view UtxoView, flags script.Flags, sc *script.SigCache) error {
	if tx.IsCoinBase() {
		return nil
	}
	var hashes *script.SigHashes
	if tx.HasWitness() {
		hashes = script.NewSigHashes(tx)
	}
	workers := min(runtime.NumCPU(), len(tx.TxIn)/parallelInputs+1)
	if workers <= 1 {
		for i := range tx.TxIn {
			if err := verifyInput(tx, i, view, flags, sc, hashes); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		next    atomic.Int64
		failed  atomic.Bool
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(tx.TxIn) {
					return
				}
				if err := verifyInput(tx, i, view, flags, sc, hashes); err != nil {
					errOnce.Do(func() { first = err })
					failed.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

func verifyInput(tx *wire.MsgTx, i int, view UtxoView, flags script.Flags, sc *script.SigCache, hashes *script.SigHashes) error {
	in := tx.TxIn[i]
	e := view.LookupEntry(in.PreviousOutPoint)
	if e == nil {
		return ruleError(ErrMissingTxOut, "input %d: output %v missing or spent", i, in.PreviousOutPoint)
	}
	return verifyInputEntry(tx, i, e, flags, sc, hashes)
}

func verifyInputEntry(tx *wire.MsgTx, i int, e *UtxoEntry, flags script.Flags, sc *script.SigCache, hashes *script.SigHashes) error {
	if err := script.VerifyInput(tx, i, e.PkScript, e.Amount, flags, sc, hashes); err != nil {
		return RuleError{Kind: ErrScriptValidation,
			Description: "tx " + tx.TxHash().String() + " input " + itoa(i) + ": " + err.Error()}
	}
	return nil
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}

// validateBlockScripts verifies the inputs of every non-coinbase
// transaction of txs on runtime.NumCPU() goroutines, one SigHashes per
// transaction, and returns the first failure. prevs[i][j] is the output
// input j of txs[i] spends.
func validateBlockScripts(txs []*wire.MsgTx, prevs [][]*UtxoEntry, flags script.Flags, sc *script.SigCache) error {
	if len(txs) <= 1 {
		return nil
	}
	work := txs[1:]
	prevs = prevs[1:]
	workers := min(runtime.NumCPU(), len(work))
	var (
		next    atomic.Int64
		failed  atomic.Bool
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	run := func() {
		defer wg.Done()
		for !failed.Load() {
			t := int(next.Add(1) - 1)
			if t >= len(work) {
				return
			}
			tx := work[t]
			var hashes *script.SigHashes
			if tx.HasWitness() {
				hashes = script.NewSigHashes(tx)
			}
			for i := range tx.TxIn {
				if err := verifyInputEntry(tx, i, prevs[t][i], flags, sc, hashes); err != nil {
					errOnce.Do(func() { first = err })
					failed.Store(true)
					return
				}
			}
		}
	}
	wg.Add(workers)
	for range workers - 1 {
		go run()
	}
	run()
	wg.Wait()
	return first
}
