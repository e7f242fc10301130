package chain

import (
	"errors"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

func op(s string, i uint32) wire.OutPoint { return wire.OutPoint{Hash: hashOf(s), Index: i} }

func simpleTx(ins []wire.OutPoint, outs ...int64) *wire.MsgTx {
	tx := &wire.MsgTx{Version: 2}
	for _, o := range ins {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: o, Sequence: wire.MaxTxInSequenceNum})
	}
	for _, v := range outs {
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: v, PkScript: opTrue})
	}
	return tx
}

func coinbaseTx(height int32, value int64) *wire.MsgTx {
	return &wire.MsgTx{Version: 1,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript: coinbaseScript(height, 0), Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: value, PkScript: opTrue}}}
}

func TestCheckTransactionSanity(t *testing.T) {
	valid := []*wire.MsgTx{
		simpleTx([]wire.OutPoint{op("a", 0)}, 1),
		simpleTx([]wire.OutPoint{op("a", 0), op("a", 1)}, 0, MaxMoney),
		coinbaseTx(1, 50),
	}
	for i, tx := range valid {
		if err := CheckTransactionSanity(tx); err != nil {
			t.Errorf("valid tx %d: %v", i, err)
		}
	}
}

func TestCheckTransactionSanityErrors(t *testing.T) {
	many := make([]wire.OutPoint, 20)
	for i := range many {
		many[i] = op("m", uint32(i))
	}
	many[19] = many[3]
	cbShort := coinbaseTx(1, 1)
	cbShort.TxIn[0].SignatureScript = []byte{0x51}
	cbLong := coinbaseTx(1, 1)
	cbLong.TxIn[0].SignatureScript = make([]byte, 101)
	nullIn := simpleTx([]wire.OutPoint{op("a", 0), {Index: wire.MaxPrevOutIndex}}, 1)
	big := simpleTx([]wire.OutPoint{op("a", 0)}, 1)
	big.TxOut[0].PkScript = make([]byte, wire.MaxBlockWeight/4)
	tests := []struct {
		name   string
		tx     *wire.MsgTx
		kind   ErrorKind
		reason string
	}{
		{"no inputs", simpleTx(nil, 1), ErrNoTxInputs, "bad-txns-vin-empty"},
		{"no outputs", simpleTx([]wire.OutPoint{op("a", 0)}), ErrNoTxOutputs, "bad-txns-vout-empty"},
		{"negative output", simpleTx([]wire.OutPoint{op("a", 0)}, -1), ErrBadTxOutValue, "bad-txns-vout-negative"},
		{"output above max", simpleTx([]wire.OutPoint{op("a", 0)}, MaxMoney+1), ErrBadTxOutValue, "bad-txns-vout-toolarge"},
		{"sum above max", simpleTx([]wire.OutPoint{op("a", 0)}, MaxMoney, 1), ErrBadTxOutValue, "bad-txns-txouttotal-toolarge"},
		{"duplicate inputs", simpleTx([]wire.OutPoint{op("a", 0), op("a", 0)}, 1), ErrDuplicateTxInputs, "bad-txns-inputs-duplicate"},
		{"duplicate inputs (map)", simpleTx(many, 1), ErrDuplicateTxInputs, "bad-txns-inputs-duplicate"},
		{"coinbase script short", cbShort, ErrBadCoinbaseScriptLen, "bad-cb-length"},
		{"coinbase script long", cbLong, ErrBadCoinbaseScriptLen, "bad-cb-length"},
		{"null prevout", nullIn, ErrBadTxInput, "bad-txns-prevout-null"},
		{"oversize", big, ErrTxTooBig, "bad-txns-oversize"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckTransactionSanity(tc.tx)
			checkRule(t, err, tc.kind, tc.reason)
		})
	}
}

func checkRule(t *testing.T, err error, kind ErrorKind, reason string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("err = %v, want kind %q", err, kind)
	}
	var re RuleError
	if !errors.As(err, &re) {
		t.Fatalf("err %v is not a RuleError", err)
	}
	if reason != "" && re.Reason() != reason {
		t.Fatalf("reason = %q, want %q", re.Reason(), reason)
	}
}

func testView(entries map[wire.OutPoint]*UtxoEntry) *UtxoViewpoint {
	v := NewUtxoViewpoint()
	for op, e := range entries {
		v.AddEntry(op, e)
	}
	return v
}

func TestCheckTransactionInputs(t *testing.T) {
	p := chaincfg.RegTestParams
	view := testView(map[wire.OutPoint]*UtxoEntry{
		op("a", 0):  {Amount: 100, PkScript: opTrue, Height: 5},
		op("cb", 0): {Amount: 5000, PkScript: opTrue, Height: 10, Coinbase: true},
	})
	tests := []struct {
		name    string
		tx      *wire.MsgTx
		height  int32
		fee     int64
		kind    ErrorKind
		wantErr bool
	}{
		{"fee", simpleTx([]wire.OutPoint{op("a", 0)}, 60), 6, 40, "", false},
		{"zero fee", simpleTx([]wire.OutPoint{op("a", 0)}, 100), 6, 0, "", false},
		{"mature coinbase", simpleTx([]wire.OutPoint{op("cb", 0)}, 4000), 110, 1000, "", false},
		{"coinbase tx", coinbaseTx(7, 1), 7, 0, "", false},
		{"immature coinbase", simpleTx([]wire.OutPoint{op("cb", 0)}, 4000), 109, 0, ErrImmatureSpend, true},
		{"missing", simpleTx([]wire.OutPoint{op("zz", 0)}, 1), 6, 0, ErrMissingTxOut, true},
		{"overspend", simpleTx([]wire.OutPoint{op("a", 0)}, 101), 6, 0, ErrSpendTooHigh, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fee, err := CheckTransactionInputs(tc.tx, tc.height, view, p)
			if tc.wantErr {
				checkRule(t, err, tc.kind, "")
				return
			}
			if err != nil || fee != tc.fee {
				t.Fatalf("fee, err = %d, %v; want %d", fee, err, tc.fee)
			}
		})
	}
	view.SpendEntry(op("a", 0))
	if _, err := CheckTransactionInputs(simpleTx([]wire.OutPoint{op("a", 0)}, 1), 6, view, p); !errors.Is(err, ErrMissingTxOut) {
		t.Fatalf("spent input: err = %v", err)
	}
}

func TestIsFinalizedTransaction(t *testing.T) {
	tx := func(lt uint32, seq uint32) *wire.MsgTx {
		x := simpleTx([]wire.OutPoint{op("a", 0)}, 1)
		x.LockTime = lt
		x.TxIn[0].Sequence = seq
		return x
	}
	const nonFinal = 0
	tests := []struct {
		name   string
		tx     *wire.MsgTx
		height int32
		mtp    int64
		want   bool
	}{
		{"zero locktime", tx(0, nonFinal), 1, 0, true},
		{"height passed", tx(99, nonFinal), 100, 0, true},
		{"height equal", tx(100, nonFinal), 100, 0, false},
		{"height future final seqs", tx(1000, wire.MaxTxInSequenceNum), 100, 0, true},
		{"time passed", tx(LockTimeThreshold+10, nonFinal), 1, LockTimeThreshold + 11, true},
		{"time equal", tx(LockTimeThreshold+10, nonFinal), 1, LockTimeThreshold + 10, false},
		{"time ignores height", tx(LockTimeThreshold+10, nonFinal), 1 << 30, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsFinalizedTransaction(tc.tx, tc.height, tc.mtp); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSequenceLockActive(t *testing.T) {
	tests := []struct {
		name   string
		lock   SequenceLock
		height int32
		mtp    int64
		want   bool
	}{
		{"no lock", SequenceLock{-1, -1}, 1, 0, true},
		{"height reached", SequenceLock{-1, 10}, 11, 0, true},
		{"height not reached", SequenceLock{-1, 10}, 10, 0, false},
		{"time reached", SequenceLock{1000, -1}, 1, 1001, true},
		{"time not reached", SequenceLock{1000, -1}, 1, 1000, false},
		{"both, one short", SequenceLock{1000, 10}, 11, 999, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SequenceLockActive(&tc.lock, tc.height, tc.mtp); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestGetSigOpCost(t *testing.T) {
	k := newTestKey("sigops")
	redeem := []byte{script.OP_CHECKSIG, script.OP_CHECKSIG}
	p2sh := script.PayToScriptHash(script.Hash160(redeem))
	view := testView(map[wire.OutPoint]*UtxoEntry{
		op("wpkh", 0): {Amount: 10, PkScript: k.pk, Height: 1},
		op("p2sh", 0): {Amount: 10, PkScript: p2sh, Height: 1},
	})
	sigP2SH, _ := script.NewBuilder().AddData(redeem).Script()
	tx := simpleTx([]wire.OutPoint{op("wpkh", 0), op("p2sh", 0)}, 1)
	tx.TxIn[1].SignatureScript = sigP2SH
	tx.TxOut[0].PkScript = []byte{script.OP_CHECKSIG} // 1 legacy
	tests := []struct {
		name  string
		tx    *wire.MsgTx
		flags script.Flags
		want  int
	}{
		{"consensus", tx, script.ConsensusFlags, 4 + 2*4 + 1},
		{"legacy only", tx, 0, 4},
		{"coinbase", coinbaseTx(1, 1), script.ConsensusFlags, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := GetSigOpCost(tc.tx, view, tc.flags)
			if err != nil || got != tc.want {
				t.Fatalf("cost = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
	if _, err := GetSigOpCost(simpleTx([]wire.OutPoint{op("none", 0)}, 1), view, script.ConsensusFlags); !errors.Is(err, ErrMissingTxOut) {
		t.Fatalf("missing input: err = %v", err)
	}
}

func TestUtxoViewpoint(t *testing.T) {
	v := NewUtxoViewpoint()
	tx := simpleTx([]wire.OutPoint{op("a", 0)}, 5, 6)
	tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: 0, PkScript: []byte{script.OP_RETURN, 1, 1}})
	v.AddTxOuts(tx, 7)
	id := tx.TxHash()
	if e := v.LookupEntry(wire.OutPoint{Hash: id, Index: 1}); e == nil || e.Amount != 6 || e.Height != 7 || e.Coinbase {
		t.Fatalf("output 1 = %+v", e)
	}
	if e := v.LookupEntry(wire.OutPoint{Hash: id, Index: 2}); e != nil {
		t.Fatal("OP_RETURN output entered the view")
	}
	v.SpendEntry(wire.OutPoint{Hash: id, Index: 0})
	if v.LookupEntry(wire.OutPoint{Hash: id, Index: 0}) != nil {
		t.Fatal("spent entry still visible")
	}
	if e := v.Entries()[wire.OutPoint{Hash: id, Index: 0}]; e == nil || !e.IsSpent() {
		t.Fatal("spent entry not kept as spent in Entries")
	}
	v.SpendEntry(op("unknown", 0))
	if v.LookupEntry(op("unknown", 0)) != nil || len(v.Entries()) != 3 {
		t.Fatalf("spending unknown outpoint: %d entries", len(v.Entries()))
	}
	cb := coinbaseTx(3, 50)
	v.AddTxOuts(cb, 3)
	if e := v.LookupEntry(wire.OutPoint{Hash: cb.TxHash()}); e == nil || !e.Coinbase {
		t.Fatal("coinbase flag not set")
	}
	v.RemoveEntry(wire.OutPoint{Hash: cb.TxHash()})
	if v.LookupEntry(wire.OutPoint{Hash: cb.TxHash()}) != nil {
		t.Fatal("removed entry visible")
	}
}

func TestValidateTransactionScripts(t *testing.T) {
	k := newTestKey("scripts")
	other := newTestKey("other")
	for _, nIn := range []int{1, 40} {
		entries := map[wire.OutPoint]*UtxoEntry{}
		var ins []wire.OutPoint
		for i := range nIn {
			o := op("funding", uint32(i))
			ins = append(ins, o)
			entries[o] = &UtxoEntry{Amount: 1000, PkScript: k.pk, Height: 1}
		}
		view := testView(entries)
		tx := simpleTx(ins, 500)
		hashes := script.NewSigHashes(tx)
		for i := range nIn {
			k.signP2WPKH(tx, hashes, i, 1000)
		}
		sc := script.NewSigCache(100)
		if err := ValidateTransactionScripts(tx, view, script.ConsensusFlags, sc); err != nil {
			t.Fatalf("%d inputs: %v", nIn, err)
		}
		// A signature by the wrong key, a wrong amount and a missing
		// input all fail.
		bad := tx.Copy()
		other.signP2WPKH(bad, script.NewSigHashes(bad), nIn-1, 1000)
		if err := ValidateTransactionScripts(bad, view, script.ConsensusFlags, nil); !errors.Is(err, ErrScriptValidation) {
			t.Fatalf("%d inputs, wrong key: err = %v", nIn, err)
		}
		entries[ins[nIn-1]].Amount = 999
		if err := ValidateTransactionScripts(tx, testView(entries), script.ConsensusFlags, nil); !errors.Is(err, ErrScriptValidation) {
			t.Fatalf("%d inputs, wrong amount: err = %v", nIn, err)
		}
		delete(entries, ins[0])
		if err := ValidateTransactionScripts(tx, testView(entries), script.ConsensusFlags, nil); !errors.Is(err, ErrMissingTxOut) {
			t.Fatalf("%d inputs, missing: err = %v", nIn, err)
		}
	}
}
