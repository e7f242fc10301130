package chain

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// parallelInputs is the input count from which one transaction's scripts
// are checked on several goroutines. Its caller is the mempool, checking
// one transaction while an RPC client or a peer waits (blocks have their
// own parallel check over all their inputs): an ECDSA verification costs
// far more than starting a goroutine, so two inputs are already worth
// two cores.
const parallelInputs = 2

// ValidateTransactionScripts verifies every input script of tx against the
// outputs it spends, found in view, under flags. Inputs are checked in
// parallel when there are many, their signatures in batches (script.Batch).
// sc may be nil.
func ValidateTransactionScripts(tx *wire.MsgTx, view UtxoView, flags script.Flags, sc *script.SigCache) error {
	if tx.IsCoinBase() {
		return nil
	}
	// A missing input is reported before any script runs, whatever the
	// workers' order: the same transaction gets the same verdict each time.
	for i, in := range tx.TxIn {
		if view.LookupEntry(in.PreviousOutPoint) == nil {
			return ruleError(ErrMissingTxOut, "input %d: output %v missing or spent", i, in.PreviousOutPoint)
		}
	}
	var hashes *script.SigHashes
	if tx.HasWitness() {
		hashes = script.NewSigHashes(tx)
	}
	workers := min(runtime.NumCPU(), len(tx.TxIn)/parallelInputs+1)
	if workers <= 1 {
		b := script.GetBatch(sc)
		defer script.PutBatch(b)
		for i := range tx.TxIn {
			if err := verifyInput(b, tx, i, view, flags, hashes); err != nil {
				return err
			}
		}
		return flushBatch(b)
	}
	var (
		next    atomic.Int64
		failed  atomic.Bool
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	fail := func(err error) {
		errOnce.Do(func() { first = err })
		failed.Store(true)
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := script.GetBatch(sc)
			defer script.PutBatch(b)
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(tx.TxIn) {
					break
				}
				err := verifyInput(b, tx, i, view, flags, hashes)
				if err == nil && b.Full() {
					err = flushBatch(b)
				}
				if err != nil {
					fail(err)
					return
				}
			}
			if !failed.Load() {
				if err := flushBatch(b); err != nil {
					fail(err)
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// verifyInput adds input i of tx to b; a nil error holds only once b's
// Flush has passed too.
func verifyInput(b *script.Batch, tx *wire.MsgTx, i int, view UtxoView, flags script.Flags, hashes *script.SigHashes) error {
	in := tx.TxIn[i]
	e := view.LookupEntry(in.PreviousOutPoint)
	if e == nil {
		return ruleError(ErrMissingTxOut, "input %d: output %v missing or spent", i, in.PreviousOutPoint)
	}
	if err := b.Add(tx, i, e.PkScript, e.Amount, flags, hashes); err != nil {
		return scriptRuleError(tx, i, err)
	}
	return nil
}

// flushBatch verifies b's queued signatures.
func flushBatch(b *script.Batch) error {
	if tx, i, err := b.Flush(); err != nil {
		return scriptRuleError(tx, i, err)
	}
	return nil
}

func scriptRuleError(tx *wire.MsgTx, i int, err error) error {
	return RuleError{Kind: ErrScriptValidation,
		Description: "tx " + tx.TxHash().String() + " input " + itoa(i) + ": " + err.Error()}
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

// scriptChecker verifies block transactions' scripts on
// runtime.NumCPU() goroutines while the caller carries on with the
// sequential part of connecting the block (UTXO updates, undo data,
// database writes). Each transaction gets one SigHashes; each goroutine
// one script.Batch for the block, so its signatures are verified in
// batches and each public key it meets is parsed once per block.
type scriptChecker struct {
	jobs    chan scriptJob
	flags   script.Flags
	sc      *script.SigCache
	wg      sync.WaitGroup
	failed  atomic.Bool
	errOnce sync.Once
	err     error
	closed  bool
}

type scriptJob struct {
	tx    *wire.MsgTx
	prevs []*UtxoEntry // prevs[j] is the output input j spends
}

func newScriptChecker(ntx int, flags script.Flags, sc *script.SigCache) *scriptChecker {
	s := &scriptChecker{jobs: make(chan scriptJob, ntx), flags: flags, sc: sc}
	workers := min(runtime.NumCPU(), ntx)
	s.wg.Add(workers)
	for range workers {
		go func() {
			defer s.wg.Done()
			s.work()
		}()
	}
	return s
}

func (s *scriptChecker) work() {
	b := script.NewBatch(s.sc)
	fail := func(err error) {
		s.errOnce.Do(func() { s.err = err })
		s.failed.Store(true)
	}
	for j := range s.jobs {
		if s.failed.Load() {
			continue
		}
		var hashes *script.SigHashes
		if j.tx.HasWitness() {
			hashes = script.NewSigHashes(j.tx)
		}
		for i := range j.tx.TxIn {
			if err := b.Add(j.tx, i, j.prevs[i].PkScript, j.prevs[i].Amount, s.flags, hashes); err != nil {
				fail(scriptRuleError(j.tx, i, err))
				break
			}
		}
		if !s.failed.Load() && b.Full() {
			if err := flushBatch(b); err != nil {
				fail(err)
			}
		}
	}
	if !s.failed.Load() {
		if err := flushBatch(b); err != nil {
			fail(err)
		}
	}
}

// add queues a transaction. Its prevs must not change until wait returns.
func (s *scriptChecker) add(tx *wire.MsgTx, prevs []*UtxoEntry) {
	s.jobs <- scriptJob{tx, prevs}
}

// wait helps with the remaining jobs and returns the first failure.
func (s *scriptChecker) wait() error {
	if !s.closed {
		s.closed = true
		close(s.jobs)
		s.work()
	}
	s.wg.Wait()
	return s.err
}

// abort stops the workers without caring about the result.
func (s *scriptChecker) abort() {
	s.failed.Store(true)
	s.wait()
}
