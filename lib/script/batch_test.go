package script

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/gamegold/gg/lib/internal/vectors"
	"github.com/gamegold/gg/lib/wire"
)

// batchVerify verifies input idx of tx through a Batch: Add, then Flush.
func batchVerify(b *Batch, tx *wire.MsgTx, idx int, pkScript []byte, amount int64, flags Flags) error {
	if err := b.Add(tx, idx, pkScript, amount, flags, nil); err != nil {
		return err
	}
	ftx, fidx, err := b.Flush()
	if err != nil && (ftx != tx || fidx != idx) {
		return errors.New("flush blamed another input")
	}
	return err
}

// Every script vector gets the same verdict and error through a Batch as
// through VerifyInput: deferring the curve checks changes nothing, even
// for scripts that expect a signature to fail.
func TestBatchScriptVectors(t *testing.T) {
	rows, src := loadVectors(t, vectors.ScriptTests)
	b := NewBatch(nil)
	n := 0
	for i, row := range rows {
		if isComment(row) {
			continue
		}
		var a []any
		if err := json.Unmarshal(row, &a); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		var witness wire.TxWitness
		var amount int64
		if w, ok := a[0].([]any); ok {
			for _, item := range w[:len(w)-1] {
				b, _ := hex.DecodeString(item.(string))
				witness = append(witness, b)
			}
			amount = int64(math.Round(w[len(w)-1].(float64) * 1e8))
			a = a[1:]
		}
		sigScript, err1 := ParseShortForm(a[0].(string))
		pkScript, err2 := ParseShortForm(a[1].(string))
		if err1 != nil || err2 != nil {
			t.Fatalf("row %d: %v %v", i, err1, err2)
		}
		flags := mustParseFlags(t, a[2].(string))
		tx := creditingAndSpending(sigScript, pkScript, witness, amount)
		want := codeOf(VerifyInput(tx, 0, pkScript, amount, flags, nil, nil))
		if got := codeOf(batchVerify(b, tx, 0, pkScript, amount, flags)); got != want {
			t.Errorf("row %d: batch %s, VerifyInput %s: %s", i, got, want, row)
		}
		n++
	}
	t.Logf("%s: %d rows compared", src, n)
}

// The transaction vectors, valid and invalid, verified a whole
// transaction per Flush, reach VerifyInput's verdicts.
func TestBatchTxVectors(t *testing.T) {
	for _, name := range []string{vectors.TxValid, vectors.TxInvalid} {
		rows, src := loadVectors(t, name)
		b := NewBatch(NewSigCache(1000))
		n := 0
		for i, row := range rows {
			if isComment(row) {
				continue
			}
			v, ok, skip := parseTxVector(t, row)
			if !ok || skip != "" {
				continue
			}
			tx, err := wire.DecodeTxHex(v.txHex)
			if err != nil || checkTxSanity(tx) != nil {
				continue
			}
			hashes := NewSigHashes(tx)
			var want, got error
			for j, in := range tx.TxIn {
				po, ok := v.prevOuts[in.PreviousOutPoint]
				if !ok {
					break
				}
				if want == nil {
					want = VerifyInput(tx, j, po.pkScript, po.amount, v.flags, nil, hashes)
				}
				if got == nil {
					got = b.Add(tx, j, po.pkScript, po.amount, v.flags, hashes)
				}
			}
			if got == nil {
				_, _, got = b.Flush()
			} else {
				b.Flush()
			}
			if (got == nil) != (want == nil) {
				t.Errorf("%s row %d: batch %v, VerifyInput %v", src, i, got, want)
			}
			n++
		}
		t.Logf("%s: %d transactions compared", src, n)
	}
}

// signedP2WPKH returns a transaction of n P2WPKH inputs worth 1000 each,
// input i signed by key seed 1+i%keys, and the output script of each.
func signedP2WPKH(t *testing.T, n, keys int) (*wire.MsgTx, [][]byte) {
	t.Helper()
	k := newTestKeys()
	tx := spendTx(n)
	hashes := NewSigHashes(tx)
	scripts := make([][]byte, n)
	for i := range n {
		_, pk := k.key(byte(1+i%keys), true)
		scripts[i] = PayToWitnessPubKeyHash(Hash160(pk))
		if ok, err := SignInput(tx, i, scripts[i], 1000, SigHashAll, k, nil, hashes); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	return tx, scripts
}

// A batch parses each distinct key once, however many inputs it signs.
func TestBatchParsesEachKeyOnce(t *testing.T) {
	tx, scripts := signedP2WPKH(t, 12, 3)
	b := NewBatch(nil)
	for i := range tx.TxIn {
		if err := b.Add(tx, i, scripts[i], 1000, ConsensusFlags, nil); err != nil {
			t.Fatal(err)
		}
	}
	if b.Pending() != 12 {
		t.Fatalf("Pending = %d, want 12", b.Pending())
	}
	if _, _, err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if b.keys.len() != 3 {
		t.Fatalf("key table holds %d keys, want 3", b.keys.len())
	}
	if b.Pending() != 0 {
		t.Fatalf("Pending after Flush = %d", b.Pending())
	}
}

// A signature in the cache is neither queued nor parsed: its key does not
// even enter the key table.
func TestBatchCacheHitQueuesNothing(t *testing.T) {
	tx, scripts := signedP2WPKH(t, 2, 2)
	c := NewSigCache(10)
	if err := VerifyInput(tx, 0, scripts[0], 1000, ConsensusFlags, c, nil); err != nil {
		t.Fatal(err)
	}
	b := NewBatch(c)
	if err := b.Add(tx, 0, scripts[0], 1000, ConsensusFlags, nil); err != nil {
		t.Fatal(err)
	}
	if b.Pending() != 0 || b.keys.len() != 0 {
		t.Fatalf("cached signature: %d queued, %d keys", b.Pending(), b.keys.len())
	}
	// The uncached one is queued, and cached once it verifies.
	if err := b.Add(tx, 1, scripts[1], 1000, ConsensusFlags, nil); err != nil {
		t.Fatal(err)
	}
	if b.Pending() != 1 {
		t.Fatalf("uncached signature: %d queued", b.Pending())
	}
	if _, _, err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if c.Len() != 2 {
		t.Fatalf("cache Len = %d, want 2", c.Len())
	}
}

// Bad inputs among good ones: Flush names the first bad one with
// VerifyInput's error, caches nothing for it, and the batch is usable
// afterwards.
func TestBatchRejects(t *testing.T) {
	tx, scripts := signedP2WPKH(t, 6, 2)
	good := tx.TxIn[3].Witness
	cases := []struct {
		name    string
		witness wire.TxWitness
		flags   Flags
		code    ErrorCode
	}{
		{"wrong key for the signature", wire.TxWitness{good[0], tx.TxIn[0].Witness[1]}, ConsensusFlags, ErrEqualVerify},
		{"signature of another input", wire.TxWitness{tx.TxIn[1].Witness[0], good[1]}, ConsensusFlags, ErrEvalFalse},
		{"same, under NULLFAIL", wire.TxWitness{tx.TxIn[1].Witness[0], good[1]}, StandardFlags, ErrNullFail},
		{"high S under LOW_S", wire.TxWitness{flipS(good[0]), good[1]}, StandardFlags, ErrSigHighS},
		{"truncated signature", wire.TxWitness{good[0][:20], good[1]}, ConsensusFlags, ErrSigDER},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := tx.Copy()
			bad.TxIn[3].Witness = c.witness
			cache := NewSigCache(100)
			b := NewBatch(cache)
			var err error
			for i := range bad.TxIn {
				if err = b.Add(bad, i, scripts[i], 1000, c.flags, nil); err != nil {
					if i != 3 {
						t.Fatalf("Add blamed input %d: %v", i, err)
					}
					break
				}
			}
			idx := 3
			if err == nil {
				_, idx, err = b.Flush()
			} else {
				b.Reset()
			}
			want := VerifyInput(bad, 3, scripts[3], 1000, c.flags, nil, nil)
			if !errors.Is(err, c.code) || idx != 3 || codeOf(err) != codeOf(want) {
				t.Fatalf("got input %d %v, want input 3 %v (VerifyInput: %v)", idx, err, c.code, want)
			}
			if b.Pending() != 0 {
				t.Fatalf("%d checks left after Flush or Reset", b.Pending())
			}
			// The batch goes on: the good transaction passes.
			for i := range tx.TxIn {
				if err := b.Add(tx, i, scripts[i], 1000, c.flags, nil); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := b.Flush(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A script that wants a signature to fail (<sig> <key> CHECKSIG NOT, no
// NULLFAIL) is valid with a bad signature and invalid with a good one,
// batched or not: the batch's optimistic run is redone.
func TestBatchExpectedFailure(t *testing.T) {
	k := newTestKeys()
	priv, pk := k.key(7, true)
	pkScript, err := NewBuilder().AddData(pk).AddOp(OP_CHECKSIG).AddOp(OP_NOT).Script()
	if err != nil {
		t.Fatal(err)
	}
	tx := spendTx(1)
	goodSig, err := RawTxInSignature(tx, 0, pkScript, SigHashAll, priv)
	if err != nil {
		t.Fatal(err)
	}
	badSig := append([]byte(nil), goodSig...)
	badSig[10] ^= 1
	for _, c := range []struct {
		sig  []byte
		want string
	}{{badSig, "OK"}, {flipS(badSig), "OK"}, {goodSig, ErrEvalFalse.String()}, {flipS(goodSig), ErrEvalFalse.String()}} {
		tx.TxIn[0].SignatureScript, err = NewBuilder().AddData(c.sig).Script()
		if err != nil {
			t.Fatal(err)
		}
		want := codeOf(VerifyInput(tx, 0, pkScript, 0, FlagP2SH|FlagDERSig, nil, nil))
		got := codeOf(batchVerify(NewBatch(NewSigCache(10)), tx, 0, pkScript, 0, FlagP2SH|FlagDERSig))
		if got != c.want || want != c.want {
			t.Errorf("batch %s, VerifyInput %s, want %s", got, want, c.want)
		}
	}
}

// A warm P2WPKH check (signature cached) allocates nothing per input.
func TestVerifyInputCachedAllocs(t *testing.T) {
	tx, scripts := signedP2WPKH(t, 1, 1)
	c := NewSigCache(10)
	hashes := NewSigHashes(tx)
	if err := VerifyInput(tx, 0, scripts[0], 1000, ConsensusFlags, c, hashes); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if err := VerifyInput(tx, 0, scripts[0], 1000, ConsensusFlags, c, hashes); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per cached verify, want 0", allocs)
	}
}

// NewSigHashes allocates only its result for a transaction of a few
// inputs.
func TestNewSigHashesAllocs(t *testing.T) {
	tx, _ := signedP2WPKH(t, 4, 1)
	if allocs := testing.AllocsPerRun(100, func() { NewSigHashes(tx) }); allocs != 1 {
		t.Fatalf("%v allocations, want 1", allocs)
	}
}
