package script

import (
	"testing"
)

func benchP2WPKH(b *testing.B, cache *SigCache) {
	k := newTestKeys()
	_, pk := k.key(1, true)
	tx := spendTx(1)
	pkScript := PayToWitnessPubKeyHash(Hash160(pk))
	hashes := NewSigHashes(tx)
	if ok, err := SignInput(tx, 0, pkScript, 1000, SigHashAll, k, nil, hashes); !ok || err != nil {
		b.Fatal(ok, err)
	}
	if err := VerifyInput(tx, 0, pkScript, 1000, StandardFlags, cache, hashes); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := VerifyInput(tx, 0, pkScript, 1000, ConsensusFlags, cache, hashes); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyP2WPKH measures one P2WPKH input: full ECDSA
// verification (NoCache) and a warm signature cache hit (WarmCache).
func BenchmarkVerifyP2WPKH(b *testing.B) {
	b.Run("NoCache", func(b *testing.B) { benchP2WPKH(b, nil) })
	b.Run("WarmCache", func(b *testing.B) { benchP2WPKH(b, NewSigCache(1000)) })
}

// BenchmarkVerifyP2PKH measures a legacy P2PKH input through the
// interpreter.
func BenchmarkVerifyP2PKH(b *testing.B) {
	k := newTestKeys()
	_, pk := k.key(1, true)
	tx := spendTx(1)
	pkScript := PayToPubKeyHash(Hash160(pk))
	if ok, err := SignInput(tx, 0, pkScript, 1000, SigHashAll, k, nil, nil); !ok || err != nil {
		b.Fatal(ok, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifyInput(tx, 0, pkScript, 1000, StandardFlags, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewSigHashes(b *testing.B) {
	tx := spendTx(2)
	b.ReportAllocs()
	for b.Loop() {
		NewSigHashes(tx)
	}
}

// BenchmarkBatchP2WPKH verifies 64 P2WPKH inputs signed by 64 distinct
// keys through one Batch (one Flush), per input: the signature backend's
// batch cost (Backend names it), key parsing included, no cache.
func BenchmarkBatchP2WPKH(b *testing.B) {
	const n = 64
	k := newTestKeys()
	tx := spendTx(n)
	hashes := NewSigHashes(tx)
	scripts := make([][]byte, n)
	for i := range n {
		_, pk := k.key(byte(1+i), true)
		scripts[i] = PayToWitnessPubKeyHash(Hash160(pk))
		if ok, err := SignInput(tx, i, scripts[i], 1000, SigHashAll, k, nil, hashes); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		batch := NewBatch(nil)
		for i := range n {
			if err := batch.Add(tx, i, scripts[i], 1000, ConsensusFlags, hashes); err != nil {
				b.Fatal(err)
			}
		}
		if _, _, err := batch.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*b.N), "ns/input")
}
