package script

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/internal/vectors"
	"github.com/gamegold/gg/lib/wire"
)

// loadVectors reads one of Bitcoin Core's vector files: from
// $GG_VECTORS, the shared folder beside the repository, or the copy the
// btcd module ships (lib/internal/vectors); none is a failure unless
// GG_SKIP_VECTORS=1.
func loadVectors(t *testing.T, name string) ([]json.RawMessage, vectors.Source) {
	t.Helper()
	b, src := vectors.Read(t, name)
	var rows []json.RawMessage
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return rows, src
}

// isComment reports whether a vector row is a single string.
func isComment(row json.RawMessage) bool {
	var a []any
	if json.Unmarshal(row, &a) != nil {
		return true
	}
	if len(a) == 1 {
		_, ok := a[0].(string)
		return ok
	}
	return false
}

type tally struct {
	name                    string
	passed, failed, skipped int
	notes                   []string // what the skipped or specially counted cases were
}

func (c *tally) report(t *testing.T) {
	t.Logf("%s: %d passed, %d failed, %d skipped", c.name, c.passed, c.failed, c.skipped)
	for _, n := range c.notes {
		t.Logf("%s: %s", c.name, n)
	}
	if c.failed > 0 {
		t.Fail()
	}
	if c.passed == 0 {
		t.Fatalf("%s: no vectors ran", c.name)
	}
}

// olderWitnessCleanstack reports a case of the btcd module's copy of
// script_tests.json that predates Core's renaming of one error: a witness
// script leaving more than one stack item was EVAL_FALSE there and is
// CLEANSTACK in Core since (and in the shared folder's copy, and here).
func olderWitnessCleanstack(src vectors.Source, witness bool, got, want string) bool {
	return src.Btcd && witness && want == "EVAL_FALSE" && got == "CLEANSTACK"
}

func mustParseFlags(t *testing.T, s string) Flags {
	t.Helper()
	f, err := ParseFlags(s)
	if err != nil {
		t.Fatalf("flags %q: %v", s, err)
	}
	return f
}

// creditingAndSpending builds the transaction pair Core's script tests
// evaluate: a coinbase-like transaction paying amount to pkScript, and a
// transaction spending it with sigScript and witness.
func creditingAndSpending(sigScript, pkScript []byte, witness wire.TxWitness, amount int64) *wire.MsgTx {
	credit := &wire.MsgTx{Version: 1,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript: []byte{OP_0, OP_0}, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: amount, PkScript: pkScript}},
	}
	return &wire.MsgTx{Version: 1,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: credit.TxHash()},
			SignatureScript: sigScript, Witness: witness, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: amount}},
	}
}

func TestVectorsScript(t *testing.T) {
	rows, src := loadVectors(t, vectors.ScriptTests)
	c := tally{name: src.String()}
	renamed := 0
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
				b, err := hex.DecodeString(item.(string))
				if err != nil {
					t.Fatalf("row %d: witness hex: %v", i, err)
				}
				witness = append(witness, b)
			}
			amount = int64(math.Round(w[len(w)-1].(float64) * 1e8))
			a = a[1:]
		}
		if len(a) < 4 {
			t.Fatalf("row %d: malformed %s", i, row)
		}
		sigText, pkText, flagText, want := a[0].(string), a[1].(string), a[2].(string), a[3].(string)
		sigScript, err := ParseShortForm(sigText)
		if err != nil {
			t.Fatalf("row %d: scriptSig %q: %v", i, sigText, err)
		}
		pkScript, err := ParseShortForm(pkText)
		if err != nil {
			t.Fatalf("row %d: scriptPubKey %q: %v", i, pkText, err)
		}
		flags := mustParseFlags(t, flagText)
		tx := creditingAndSpending(sigScript, pkScript, witness, amount)
		got := "OK"
		if err := VerifyInput(tx, 0, pkScript, amount, flags, nil, nil); err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("row %d: error %v is not *Error", i, err)
			}
			got = se.Code.CoreName()
		}
		if olderWitnessCleanstack(src, witness != nil, got, want) {
			renamed++
			got = want
		}
		if got != want {
			c.failed++
			t.Errorf("row %d: got %s, want %s: %s", i, got, want, row)
			continue
		}
		c.passed++
	}
	if renamed > 0 {
		c.notes = append(c.notes, fmt.Sprintf("%d passed with CLEANSTACK where this older copy names EVAL_FALSE (a witness script's unclean stack)", renamed))
	}
	c.report(t)
}

type txVector struct {
	prevOuts map[wire.OutPoint]prevOut
	txHex    string
	flags    Flags
}

type prevOut struct {
	pkScript []byte
	amount   int64
}

// notImplemented are the verification flags of Core's vectors that name
// soft forks outside the protocol (docs/protocol.md: taproot is not part
// of it): a case asking for one is skipped and counted.
var notImplemented = []string{"TAPROOT"}

// needsNotImplemented reports the first flag of flagText in
// notImplemented, or "".
func needsNotImplemented(flagText string) string {
	for _, f := range strings.Split(flagText, ",") {
		if slices.Contains(notImplemented, strings.TrimSpace(f)) {
			return strings.TrimSpace(f)
		}
	}
	return ""
}

// parseTxVector parses a tx_valid/tx_invalid case; false for a malformed
// row, skip naming a flag of notImplemented the case needs.
func parseTxVector(t *testing.T, row json.RawMessage) (v txVector, ok bool, skip string) {
	var a []json.RawMessage
	if err := json.Unmarshal(row, &a); err != nil || len(a) != 3 {
		return txVector{}, false, ""
	}
	var ins [][]any
	if err := json.Unmarshal(a[0], &ins); err != nil {
		return txVector{}, false, ""
	}
	v = txVector{prevOuts: make(map[wire.OutPoint]prevOut)}
	for _, in := range ins {
		if len(in) < 3 || len(in) > 4 {
			t.Fatalf("bad input %v", in)
		}
		h, err := chainhash.NewHashFromStr(in[0].(string))
		if err != nil {
			t.Fatalf("prevout hash: %v", err)
		}
		idx := int64(in[1].(float64))
		pk, err := ParseShortForm(in[2].(string))
		if err != nil {
			t.Fatalf("prevout script %q: %v", in[2], err)
		}
		var amt int64
		if len(in) == 4 {
			amt = int64(in[3].(float64))
		}
		v.prevOuts[wire.OutPoint{Hash: h, Index: uint32(idx)}] = prevOut{pk, amt}
	}
	var flagText string
	if err := json.Unmarshal(a[1], &v.txHex); err != nil {
		t.Fatalf("tx: %v", err)
	}
	if err := json.Unmarshal(a[2], &flagText); err != nil {
		t.Fatalf("flags: %v", err)
	}
	if f := needsNotImplemented(flagText); f != "" {
		return v, true, f
	}
	v.flags = mustParseFlags(t, flagText)
	return v, true, ""
}

// skipTx counts a case needing a flag outside the protocol.
func (c *tally) skipTx(i int, flag string) {
	c.skipped++
	c.notes = append(c.notes, fmt.Sprintf("row %d skipped: it verifies with %s, not part of the protocol", i, flag))
}

// checkTxSanity is a minimal stand-in for Core's CheckTransaction, the
// context-free checks tx_invalid cases may rely on.
func checkTxSanity(tx *wire.MsgTx) error {
	const maxMoney = 21e6 * 1e8
	if len(tx.TxIn) == 0 {
		return errors.New("no inputs")
	}
	if len(tx.TxOut) == 0 {
		return errors.New("no outputs")
	}
	if tx.SerializeSizeStripped()*4 > 4000000 {
		return errors.New("oversize")
	}
	var total int64
	for _, o := range tx.TxOut {
		if o.Value < 0 || o.Value > maxMoney {
			return errors.New("output value out of range")
		}
		total += o.Value
		if total > maxMoney {
			return errors.New("total output value out of range")
		}
	}
	seen := make(map[wire.OutPoint]bool)
	for _, in := range tx.TxIn {
		if seen[in.PreviousOutPoint] {
			return errors.New("duplicate input")
		}
		seen[in.PreviousOutPoint] = true
	}
	if tx.IsCoinBase() {
		if n := len(tx.TxIn[0].SignatureScript); n < 2 || n > 100 {
			return errors.New("coinbase script size")
		}
	} else {
		for _, in := range tx.TxIn {
			if in.PreviousOutPoint.Index == wire.MaxPrevOutIndex && in.PreviousOutPoint.Hash.IsZero() {
				return errors.New("null prevout")
			}
		}
	}
	return nil
}

// errPrevoutMissing marks a vector whose prevout list lacks an input's
// spent output: a fault of the test data, not a verdict on the tx.
var errPrevoutMissing = errors.New("prevout missing from test")

// runTxVector decodes the vector's transaction, applies the sanity checks
// and verifies every input with the vector's flags; nil means valid.
func runTxVector(v txVector) error {
	tx, err := wire.DecodeTxHex(v.txHex)
	if err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	if err := checkTxSanity(tx); err != nil {
		return fmt.Errorf("sanity: %w", err)
	}
	hashes := NewSigHashes(tx)
	for j, in := range tx.TxIn {
		po, ok := v.prevOuts[in.PreviousOutPoint]
		if !ok {
			return fmt.Errorf("input %d: %w", j, errPrevoutMissing)
		}
		if err := VerifyInput(tx, j, po.pkScript, po.amount, v.flags, nil, hashes); err != nil {
			return fmt.Errorf("input %d: %w", j, err)
		}
	}
	return nil
}

// The transaction vectors here use the old convention: the listed flags
// are the flags to verify with (Core before 0.21, where tx_valid entries
// read "P2SH" or "NONE"), not flags excluded from a full set.
func TestVectorsTxValid(t *testing.T) {
	rows, src := loadVectors(t, vectors.TxValid)
	c := tally{name: src.String()}
	for i, row := range rows {
		if isComment(row) {
			continue
		}
		v, ok, skip := parseTxVector(t, row)
		if !ok {
			t.Fatalf("row %d: malformed %s", i, row)
		}
		if skip != "" {
			c.skipTx(i, skip)
			continue
		}
		if err := runTxVector(v); err != nil {
			c.failed++
			t.Errorf("row %d: %v: %s", i, err, row)
			continue
		}
		c.passed++
	}
	c.report(t)
}

func TestVectorsTxInvalid(t *testing.T) {
	rows, src := loadVectors(t, vectors.TxInvalid)
	c := tally{name: src.String()}
	for i, row := range rows {
		if isComment(row) {
			continue
		}
		v, ok, skip := parseTxVector(t, row)
		if !ok {
			t.Fatalf("row %d: malformed %s", i, row)
		}
		if skip != "" {
			c.skipTx(i, skip)
			continue
		}
		err := runTxVector(v)
		if errors.Is(err, errPrevoutMissing) {
			t.Fatalf("row %d: %v", i, err)
		}
		if err == nil {
			c.failed++
			t.Errorf("row %d: accepted an invalid transaction: %s", i, row)
			continue
		}
		c.passed++
	}
	c.report(t)
}

func TestVectorsSighash(t *testing.T) {
	rows, src := loadVectors(t, vectors.SighashTests)
	c := tally{name: src.String()}
	for i, row := range rows {
		if isComment(row) {
			continue
		}
		var a []any
		if err := json.Unmarshal(row, &a); err != nil || len(a) != 5 {
			t.Fatalf("row %d: malformed %s", i, row)
		}
		tx, err := wire.DecodeTxHex(a[0].(string))
		if err != nil {
			c.failed++
			t.Errorf("row %d: decode: %v", i, err)
			continue
		}
		sub, err := hex.DecodeString(a[1].(string))
		if err != nil {
			t.Fatalf("row %d: script hex: %v", i, err)
		}
		idx := int(a[2].(float64))
		hashType := SigHashType(uint32(int32(a[3].(float64))))
		want := a[4].(string)
		h, err := chainhash.NewHash(CalcSignatureHash(sub, hashType, tx, idx))
		if err != nil {
			t.Fatal(err)
		}
		if got := h.String(); got != want {
			c.failed++
			t.Errorf("row %d: got %s, want %s", i, got, want)
			continue
		}
		c.passed++
	}
	c.report(t)
}

// TestVectorAllowances: the two allowances of the vector runners stay
// narrow: the older error name only for witness cases of the btcd copy,
// skips only for flags outside the protocol.
func TestVectorAllowances(t *testing.T) {
	btcd, shared := vectors.Source{Btcd: true}, vectors.Source{}
	for _, tc := range []struct {
		src       vectors.Source
		witness   bool
		got, want string
		ok        bool
	}{
		{btcd, true, "CLEANSTACK", "EVAL_FALSE", true},
		{shared, true, "CLEANSTACK", "EVAL_FALSE", false},
		{btcd, false, "CLEANSTACK", "EVAL_FALSE", false},
		{btcd, true, "EVAL_FALSE", "CLEANSTACK", false},
		{btcd, true, "OK", "EVAL_FALSE", false},
	} {
		if olderWitnessCleanstack(tc.src, tc.witness, tc.got, tc.want) != tc.ok {
			t.Errorf("%+v", tc)
		}
	}
	for flags, want := range map[string]string{"P2SH,WITNESS": "", "P2SH, TAPROOT": "TAPROOT", "TAPROOTX": "", "NONE": ""} {
		if got := needsNotImplemented(flags); got != want {
			t.Errorf("%q: %q, want %q", flags, got, want)
		}
	}
}
