package mempool

import (
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// signP2WPKH fills input idx's witness for a P2WPKH output of key.
func signP2WPKH(tb testing.TB, tx *wire.MsgTx, idx int, amount int64, key *chaingen.Key) {
	hashes := script.NewSigHashes(tx)
	sighash, err := script.CalcWitnessSignatureHash(key.P2PKHScript(), hashes, script.SigHashAll, tx, idx, amount)
	if err != nil {
		tb.Fatal(err)
	}
	sig := append(ecdsa.Sign(key.Priv, sighash).Serialize(), byte(script.SigHashAll))
	tx.TxIn[idx].Witness = wire.TxWitness{sig, key.PubKey}
}

// benchTxs builds n signed 1-input 2-output P2WPKH transactions spending
// confirmed outputs of h's chain, all of one key.
func benchTxs(h *harness, n int) []*wire.MsgTx { return benchTxsKeys(h, n, 1) }

// benchTxsKeys is benchTxs with the outputs spent owned by nkeys keys in
// turn (nkeys = n: a key per transaction, as in a real pool's traffic).
func benchTxsKeys(h *harness, n, nkeys int) []*wire.MsgTx {
	keys := make([]*chaingen.Key, nkeys)
	for i := range keys {
		keys[i] = chaingen.NewKey(fmt.Sprint("bench", i))
	}
	var outs []chaingen.SpendableOut
	for len(outs) < n {
		m := min(1000, n-len(outs))
		tx := &wire.MsgTx{Version: 1}
		tx.TxIn = []*wire.TxIn{h.spendOne(h.coin(), 0).TxIn[0]}
		for i := 0; i < m; i++ {
			tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: 2_000_000, PkScript: keys[(len(outs)+i)%nkeys].P2WPKH()})
		}
		h.mine(tx)
		height := h.chain.Best().Height
		for i := 0; i < m; i++ {
			outs = append(outs, chaingen.SpendableOutFromTx(tx, uint32(i), height))
		}
	}
	txs := make([]*wire.MsgTx, n)
	for i, o := range outs {
		key := keys[i%nkeys]
		tx := &wire.MsgTx{Version: 2}
		tx.TxIn = []*wire.TxIn{{PreviousOutPoint: o.PrevOut, Sequence: wire.MaxTxInSequenceNum}}
		tx.TxOut = []*wire.TxOut{
			{Value: 1_000_000, PkScript: key.P2WPKH()},
			{Value: o.Amount - 1_000_000 - 5_000, PkScript: key.P2WPKH()},
		}
		signP2WPKH(h.t, tx, 0, o.Amount, key)
		txs[i] = tx
	}
	return txs
}

// BenchmarkProcessTransaction accepts 2,000 signed P2WPKH spends of
// confirmed outputs into an empty pool (fresh signature cache) per
// iteration, from one and from two goroutines. Besides tx/s it reports
// the process's CPU time per transaction (cpu-µs/tx), steadier than wall
// time on a shared machine. keys=1: all the transactions pay to and
// spend from one key (the signature backend's per-key work is done once
// and kept in the pooled batches' key tables; see docs/performance.md);
// keys=2000: a key per transaction, as a real pool's traffic mostly is.
func BenchmarkProcessTransaction(b *testing.B) {
	const n = 2000
	for _, nkeys := range []int{1, n} {
		h := newHarness(b, Policy{}, 102)
		txs := benchTxsKeys(h, n, nkeys)
		for _, workers := range []int{1, 2} {
			benchIntake(b, h, txs, nkeys, workers)
		}
	}
}

func benchIntake(b *testing.B, h *harness, txs []*wire.MsgTx, nkeys, workers int) {
	n := len(txs)
	{
		b.Run(fmt.Sprintf("keys=%d/goroutines=%d", nkeys, workers), func(b *testing.B) {
			b.ReportAllocs()
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				p := New(Config{Params: h.params, Chain: h.chain, SigCache: script.NewSigCache(10_000)})
				cpu0 := processCPU(b)
				b.StartTimer()
				var wg sync.WaitGroup
				errs := make(chan error, workers)
				for w := 0; w < workers; w++ {
					wg.Add(1)
					go func(w int) {
						defer wg.Done()
						for j := w; j < n; j += workers {
							if _, err := p.ProcessTransaction(txs[j], false); err != nil {
								errs <- err
								return
							}
						}
					}(w)
				}
				wg.Wait()
				cpu += processCPU(b) - cpu0
				close(errs)
				if err := <-errs; err != nil {
					b.Fatal(err)
				}
				if p.Count() != n {
					b.Fatalf("pool has %d", p.Count())
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "tx/s")
			b.ReportMetric(float64(cpu.Microseconds())/float64(n*b.N), "cpu-µs/tx")
		})
	}
}

// processCPU is the process's user plus system CPU time.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestBenchTxsValid keeps the benchmark's transactions honest: they are
// accepted, and a bad signature is refused by consensus.
func TestBenchTxsValid(t *testing.T) {
	h := newHarness(t, Policy{}, 102)
	txs := benchTxs(h, 20)
	for _, tx := range txs[:19] {
		h.accept(tx)
	}
	bad := txs[19].Copy()
	bad.TxOut[1].Value--
	if _, err := h.pool.ProcessTransaction(bad, false); err == nil || Reason(err) != "mandatory-script-verify-flag-failed" {
		t.Fatalf("tampered tx: %v (%s)", err, Reason(err))
	}
}
