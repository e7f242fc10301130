package script

import (
	"bytes"
	"testing"

	"github.com/gamegold/gg/lib/wire"
)

func fuzzTx(sigScript []byte, witness wire.TxWitness) *wire.MsgTx {
	tx := spendTx(2)
	tx.TxIn[0].SignatureScript = sigScript
	tx.TxIn[0].Witness = witness
	tx.LockTime = 600000
	tx.TxIn[0].Sequence = 10
	return tx
}

func splitWitness(b []byte) wire.TxWitness {
	if len(b) == 0 {
		return nil
	}
	return wire.TxWitness(bytes.Split(b, []byte{0xfe, 0xfe}))
}

// FuzzVerifyInput: arbitrary scriptSig, pkScript and witness never panic,
// under any flags.
func FuzzVerifyInput(f *testing.F) {
	f.Add([]byte{OP_1}, []byte{OP_DUP, OP_HASH160}, []byte{}, uint32(StandardFlags))
	f.Add([]byte{}, PayToWitnessPubKeyHash(make([]byte, 20)), []byte{1, 2, 0xfe, 0xfe, 3}, uint32(ConsensusFlags))
	f.Add([]byte{0x16, 0, 0x14}, PayToScriptHash(make([]byte, 20)), []byte{}, uint32(ConsensusFlags))
	f.Add([]byte{OP_0, OP_0}, []byte{OP_0, OP_0, OP_0, OP_CHECKMULTISIG}, []byte{}, uint32(0))
	f.Fuzz(func(t *testing.T, sigScript, pkScript, witness []byte, flags uint32) {
		w := splitWitness(witness)
		tx := fuzzTx(sigScript, w)
		err := VerifyInput(tx, 0, pkScript, 1000, Flags(flags), nil, nil)
		if err == nil && Flags(flags)&FlagWitness != 0 {
			// A witness spend that verifies must do so with a cache too.
			if err2 := VerifyInput(tx, 0, pkScript, 1000, Flags(flags), NewSigCache(4), nil); err2 != nil {
				t.Fatalf("cache changed the verdict: %v", err2)
			}
		}
		CountSigOps(pkScript)
		CountP2SHSigOps(sigScript, pkScript)
		CountWitnessSigOps(sigScript, pkScript, w, Flags(flags))
		Classify(pkScript)
	})
}

// FuzzExecute runs arbitrary bytes as a script, legacy and witness.
func FuzzExecute(f *testing.F) {
	for _, s := range []string{"1 2 ADD 3 EQUAL", "IF 1 ELSE 0 ENDIF", "0 0 0 CHECKMULTISIG", "1 PICK ROLL 2ROT", "CODESEPARATOR 0 0 CHECKSIG"} {
		b, _ := ParseShortForm(s)
		f.Add(b, []byte{1, 0xfe, 0xfe, 0})
	}
	f.Fuzz(func(t *testing.T, script, stack []byte) {
		tx := fuzzTx(nil, nil)
		for _, sv := range []sigVersion{sigVersionBase, sigVersionWitnessV0} {
			e := engine{tx: tx, idx: 0, amount: 1, flags: StandardFlags &^ FlagConstScriptCode}
			e.stack = append(e.stack, splitWitness(stack)...)
			limit := max(len(e.stack), MaxStackSize+3)
			_ = e.eval(script, sv)
			if len(e.stack)+len(e.alt) > limit {
				t.Fatalf("stack grew to %d", len(e.stack))
			}
		}
	})
}

// FuzzParseShortForm: any text either fails cleanly or assembles.
func FuzzParseShortForm(f *testing.F) {
	for _, s := range []string{"0x41 0x04ab CHECKSIG 'abc' 1 -1 NOP2", "DUP HASH160 0x14 0x00", "'", "0x", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseShortForm(s)
		if err == nil {
			_, _ = Disasm(b)
		}
	})
}

// FuzzDisasm: disassembly never panics, and fails only on a broken push.
func FuzzDisasm(f *testing.F) {
	f.Add([]byte{OP_DUP, OP_HASH160, 20})
	f.Add([]byte{OP_PUSHDATA4, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, script []byte) {
		s, err := Disasm(script)
		// Every script that parses is disassembled without error.
		parses := true
		for pc := 0; pc < len(script); {
			_, _, next, ok := readOp(script, pc)
			if !ok {
				parses = false
				break
			}
			pc = next
		}
		if parses != (err == nil) {
			t.Fatalf("Disasm(%x) = %q, %v; parses=%v", script, s, err, parses)
		}
	})
}
