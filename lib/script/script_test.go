package script

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/wire"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		in   string
		want Flags
	}{
		{"", 0},
		{"NONE", 0},
		{"P2SH", FlagP2SH},
		{"P2SH,STRICTENC", FlagP2SH | FlagStrictEncoding},
		{" P2SH , WITNESS ", FlagP2SH | FlagWitness},
		{"CONST_SCRIPTCODE,LOW_S,NULLFAIL", FlagConstScriptCode | FlagLowS | FlagNullFail},
	}
	for _, tc := range tests {
		got, err := ParseFlags(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseFlags(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	// Every flag round-trips through its name.
	for _, fn := range flagNames {
		if got, err := ParseFlags(fn.flag.String()); err != nil || got != fn.flag {
			t.Errorf("round trip %s: %v %v", fn.name, got, err)
		}
	}
	if got, _ := ParseFlags(StandardFlags.String()); got != StandardFlags {
		t.Errorf("StandardFlags round trip: %v", got)
	}
}

func TestParseFlagsErrors(t *testing.T) {
	for _, in := range []string{"P2SH,BOGUS", "p2sh", "P2SH,,WITNESS", "WITNESS;P2SH", "STRICT_ENC"} {
		if _, err := ParseFlags(in); !errors.Is(err, ErrInvalidFlags) {
			t.Errorf("ParseFlags(%q) err = %v, want ErrInvalidFlags", in, err)
		}
	}
}

func TestFlagsString(t *testing.T) {
	if s := Flags(0).String(); s != "NONE" {
		t.Errorf("zero: %q", s)
	}
	if s := (FlagP2SH | FlagWitness | 1<<30).String(); s != "P2SH,WITNESS,0x40000000" {
		t.Errorf("got %q", s)
	}
}

func TestBuilderMinimalPushes(t *testing.T) {
	tests := []struct {
		name string
		b    *Builder
		want string
	}{
		{"empty data", NewBuilder().AddData(nil), "00"},
		{"small ints as data", NewBuilder().AddData([]byte{1}).AddData([]byte{16}).AddData([]byte{0x81}), "51604f"},
		{"byte 17", NewBuilder().AddData([]byte{17}), "0111"},
		{"byte 0", NewBuilder().AddData([]byte{0}), "0100"},
		{"75 bytes", NewBuilder().AddData(make([]byte, 75)), "4b" + strings.Repeat("00", 75)},
		{"76 bytes", NewBuilder().AddData(make([]byte, 76)), "4c4c" + strings.Repeat("00", 76)},
		{"256 bytes", NewBuilder().AddData(make([]byte, 256)), "4d0001" + strings.Repeat("00", 256)},
		{"int 0", NewBuilder().AddInt64(0), "00"},
		{"int -1", NewBuilder().AddInt64(-1), "4f"},
		{"int 16", NewBuilder().AddInt64(16), "60"},
		{"int 17", NewBuilder().AddInt64(17), "0111"},
		{"int -2", NewBuilder().AddInt64(-2), "0182"},
		{"int 128", NewBuilder().AddInt64(128), "028000"},
		{"int -128", NewBuilder().AddInt64(-128), "028080"},
		{"int 2^31", NewBuilder().AddInt64(1 << 31), "050000008000"},
		{"ops", NewBuilder().AddOps(OP_DUP, OP_HASH160), "76a9"},
	}
	for _, tc := range tests {
		got, err := tc.b.Script()
		if err != nil || hex.EncodeToString(got) != tc.want {
			t.Errorf("%s: got %x, %v; want %s", tc.name, got, err, tc.want)
		}
		// Minimal pushes pass MINIMALDATA: the script runs under it.
		e := engine{tx: &wire.MsgTx{TxIn: []*wire.TxIn{{}}}, flags: FlagMinimalData}
		if !IsPushOnly(got) {
			continue
		}
		if err := e.eval(got, sigVersionBase); err != nil {
			t.Errorf("%s: not minimal: %v", tc.name, err)
		}
	}
}

func TestBuilderErrors(t *testing.T) {
	if _, err := NewBuilder().AddData(make([]byte, 521)).AddOp(OP_DUP).Script(); !errors.Is(err, ErrPushSize) {
		t.Errorf("oversized push: %v", err)
	}
	b := NewBuilder()
	for range 21 {
		b.AddData(make([]byte, 500))
	}
	if _, err := b.Script(); !errors.Is(err, ErrScriptSize) {
		t.Errorf("oversized script: %v", err)
	}
}

func TestClassify(t *testing.T) {
	pkC := mustHex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
	pkU := mustHex("0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")
	h20, h32 := make([]byte, 20), make([]byte, 32)
	ms, _ := MultiSigScript(1, [][]byte{pkC, pkU})
	nd, _ := NullDataScript([]byte("hello"))
	tests := []struct {
		name   string
		script []byte
		want   Class
	}{
		{"p2pk compressed", append(append([]byte{33}, pkC...), OP_CHECKSIG), PubKeyTy},
		{"p2pk uncompressed", append(append([]byte{65}, pkU...), OP_CHECKSIG), PubKeyTy},
		{"p2pkh", PayToPubKeyHash(h20), PubKeyHashTy},
		{"p2sh", PayToScriptHash(h20), ScriptHashTy},
		{"p2wpkh", PayToWitnessPubKeyHash(h20), WitnessV0PubKeyHashTy},
		{"p2wsh", PayToWitnessScriptHash(h32), WitnessV0ScriptHashTy},
		{"multisig", ms, MultiSigTy},
		{"nulldata", nd, NullDataTy},
		{"bare op_return", []byte{OP_RETURN}, NullDataTy},
		{"witness v1", append([]byte{OP_1, 32}, h32...), WitnessUnknownTy},
		{"witness v16 2 bytes", []byte{OP_16, 2, 0, 0}, WitnessUnknownTy},
		// Negatives.
		{"empty", nil, NonStandard},
		{"witness v0 wrong length", append([]byte{OP_0, 21}, make([]byte, 21)...), NonStandard},
		{"p2pk bad prefix", append(append([]byte{33}, append([]byte{0x05}, pkC[1:]...)...), OP_CHECKSIG), NonStandard},
		{"p2pkh truncated", PayToPubKeyHash(h20)[:24], NonStandard},
		{"op_return non-push", []byte{OP_RETURN, OP_DUP}, NonStandard},
		{"multisig m>n", append(append([]byte{OP_2, 33}, pkC...), OP_1, OP_CHECKMULTISIG), NonStandard},
		{"multisig wrong n", append(append([]byte{OP_1, 33}, pkC...), OP_2, OP_CHECKMULTISIG), NonStandard},
		{"multisig bad key", []byte{OP_1, 3, 1, 2, 3, OP_1, OP_CHECKMULTISIG}, NonStandard},
		{"trailing garbage", append(PayToPubKeyHash(h20), OP_NOP), NonStandard},
	}
	for _, tc := range tests {
		if got := Classify(tc.script); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	if PubKeyHashTy.String() != "pubkeyhash" || Class(99).String() != "nonstandard" {
		t.Error("Class.String")
	}
}

func TestTemplates(t *testing.T) {
	pk := mustHex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
	ms, err := MultiSigScript(1, [][]byte{pk, pk})
	if err != nil {
		t.Fatal(err)
	}
	m, keys, ok := ExtractMultiSig(ms)
	if !ok || m != 1 || len(keys) != 2 || !bytes.Equal(keys[1], pk) {
		t.Fatalf("ExtractMultiSig: %d %v %v", m, keys, ok)
	}
	for _, bad := range []struct {
		m    int
		keys [][]byte
	}{{0, [][]byte{pk}}, {2, [][]byte{pk}}, {1, nil}, {1, [][]byte{pk[:32]}}, {1, make([][]byte, 17)}} {
		if _, err := MultiSigScript(bad.m, bad.keys); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("MultiSigScript(%d, %d keys): %v", bad.m, len(bad.keys), err)
		}
	}
	if s, err := NullDataScript(make([]byte, 80)); err != nil || len(s) != MaxDataCarrierSize {
		t.Errorf("80-byte null data: %d %v", len(s), err)
	}
	if _, err := NullDataScript(make([]byte, 81)); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("81-byte null data: %v", err)
	}
	v, prog, ok := ExtractWitnessProgram(PayToWitnessScriptHash(make([]byte, 32)))
	if !ok || v != 0 || len(prog) != 32 {
		t.Errorf("ExtractWitnessProgram: %d %x %v", v, prog, ok)
	}
	for _, bad := range [][]byte{{OP_0, 1, 0}, {OP_1NEGATE, 2, 0, 0}, {OP_0, 3, 0, 0}, append([]byte{OP_0, 41}, make([]byte, 41)...)} {
		if _, _, ok := ExtractWitnessProgram(bad); ok {
			t.Errorf("ExtractWitnessProgram(%x) accepted", bad)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("PayToPubKeyHash with a 19-byte hash did not panic")
		}
	}()
	PayToPubKeyHash(make([]byte, 19))
}

func TestHash160(t *testing.T) {
	if got := hex.EncodeToString(Hash160(nil)); got != "b472a266d0bd89c13706a4132ccfb16f7c3b9fcb" {
		t.Errorf("Hash160(empty) = %s", got)
	}
}

func TestIsUnspendable(t *testing.T) {
	if !IsUnspendable([]byte{OP_RETURN}) || !IsUnspendable(make([]byte, MaxScriptSize+1)) {
		t.Error("unspendable scripts not recognised")
	}
	if IsUnspendable(nil) || IsUnspendable(PayToWitnessPubKeyHash(make([]byte, 20))) || IsUnspendable(make([]byte, MaxScriptSize)) {
		t.Error("spendable script called unspendable")
	}
}

func TestIsPushOnly(t *testing.T) {
	for s, want := range map[string]bool{
		"":       true,
		"00":     true,
		"4f5060": true, // OP_1NEGATE OP_RESERVED OP_16
		"0201":   false,
		"61":     false,
		"4c":     false,
	} {
		if got := IsPushOnly(mustHex(s)); got != want {
			t.Errorf("IsPushOnly(%s) = %v", s, got)
		}
	}
}

func TestSigOpCounts(t *testing.T) {
	pk := mustHex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
	ms, _ := MultiSigScript(2, [][]byte{pk, pk, pk})
	p2sh := PayToScriptHash(Hash160(ms))
	sigScript, _ := NewBuilder().AddOp(OP_0).AddData(make([]byte, 72)).AddData(ms).Script()
	tests := []struct {
		name string
		got  int
		want int
	}{
		{"p2pkh", CountSigOps(PayToPubKeyHash(make([]byte, 20))), 1},
		{"multisig legacy counts 20", CountSigOps(ms), 20},
		{"checksigverify + multisigverify", CountSigOps([]byte{OP_CHECKSIGVERIFY, OP_1, OP_CHECKMULTISIGVERIFY}), 21},
		{"stops at bad push", CountSigOps([]byte{OP_CHECKSIG, OP_PUSHDATA1, 5, OP_CHECKSIG}), 1},
		{"pushed checksig byte does not count", CountSigOps([]byte{1, OP_CHECKSIG}), 0},
		{"p2sh accurate", CountP2SHSigOps(sigScript, p2sh), 3},
		{"p2sh non-push sigScript", CountP2SHSigOps(append([]byte{OP_NOP}, sigScript...), p2sh), 0},
		{"p2sh with non-p2sh output", CountP2SHSigOps(sigScript, ms), 0},
		{"p2sh empty sigScript", CountP2SHSigOps(nil, p2sh), 0},
		{"p2wpkh", CountWitnessSigOps(nil, PayToWitnessPubKeyHash(make([]byte, 20)), nil, ConsensusFlags), 1},
		{"p2wsh", CountWitnessSigOps(nil, PayToWitnessScriptHash(make([]byte, 32)), wire.TxWitness{{}, ms}, ConsensusFlags), 3},
		{"p2wsh empty witness", CountWitnessSigOps(nil, PayToWitnessScriptHash(make([]byte, 32)), nil, ConsensusFlags), 0},
		{"witness flag off", CountWitnessSigOps(nil, PayToWitnessPubKeyHash(make([]byte, 20)), nil, FlagP2SH), 0},
		{"p2sh-p2wpkh", CountWitnessSigOps(mustHex("160014"+strings.Repeat("00", 20)), PayToScriptHash(make([]byte, 20)), nil, ConsensusFlags), 1},
		{"p2sh non-witness", CountWitnessSigOps(sigScript, p2sh, nil, ConsensusFlags), 0},
		{"witness v1", CountWitnessSigOps(nil, append([]byte{OP_1, 32}, make([]byte, 32)...), wire.TxWitness{ms}, ConsensusFlags), 0},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

func TestDisasm(t *testing.T) {
	tests := []struct {
		script string
		want   string
	}{
		{"76a914" + strings.Repeat("ab", 20) + "88ac", "OP_DUP OP_HASH160 " + strings.Repeat("ab", 20) + " OP_EQUALVERIFY OP_CHECKSIG"},
		{"0014" + strings.Repeat("01", 20), "0 " + strings.Repeat("01", 20)},
		{"4f0051600102", "-1 0 1 16 2"},
		{"01810180", "-1 0"},
		{"b1b2b9baff50", "OP_CHECKLOCKTIMEVERIFY OP_CHECKSEQUENCEVERIFY OP_NOP10 OP_UNKNOWN OP_UNKNOWN OP_RESERVED"},
		{"6a0568656c6c6f", "OP_RETURN 68656c6c6f"},
		{"", ""},
	}
	for _, tc := range tests {
		got, err := Disasm(mustHex(tc.script))
		if err != nil || got != tc.want {
			t.Errorf("Disasm(%s) = %q, %v; want %q", tc.script, got, err, tc.want)
		}
	}
}

func TestDisasmErrors(t *testing.T) {
	for _, s := range []string{"4c", "4d01", "4e010000", "05aabb", "76ff0301"} {
		got, err := Disasm(mustHex(s))
		if !errors.Is(err, ErrMalformedPush) || !strings.HasSuffix(got, "[error]") {
			t.Errorf("Disasm(%s) = %q, %v", s, got, err)
		}
	}
}

func TestParseShortForm(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"0 1 -1 16 17 -2", "00514f600111" + "0182"},
		{"DUP OP_HASH160 0x14 0x" + strings.Repeat("00", 20) + " EQUALVERIFY CHECKSIG", "76a914" + strings.Repeat("00", 20) + "88ac"},
		{"'abc' ''", "0361626300"},
		{"NOP2 NOP3 CHECKLOCKTIMEVERIFY RESERVED", "b1b2b150"},
		{"  1\t\n2  ", "5152"},
		{"2147483648", "050000008000"},
	}
	for _, tc := range tests {
		got, err := ParseShortForm(tc.in)
		if err != nil || hex.EncodeToString(got) != tc.want {
			t.Errorf("ParseShortForm(%q) = %x, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

func TestParseShortFormErrors(t *testing.T) {
	for _, in := range []string{"BOGUS", "0x", "0xabc", "0xzz", "'abc", "99999999999999999999", "OP_1", "-", "dup"} {
		if _, err := ParseShortForm(in); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("ParseShortForm(%q) err = %v", in, err)
		}
	}
}

func TestScriptNum(t *testing.T) {
	for _, n := range []int64{0, 1, -1, 127, 128, -128, 255, 256, 32767, -32768, 1<<31 - 1, -(1<<31 - 1), 1 << 40, -(1 << 62)} {
		enc := numBytes(n)
		got, err := parseNum(enc, true, 9)
		if err != nil || got != n {
			t.Errorf("round trip %d: %x -> %d, %v", n, enc, got, err)
		}
	}
	for _, bad := range []string{"00", "80", "0100", "ff7f80"} {
		if _, err := parseNum(mustHex(bad), true, 4); !errors.Is(err, ErrNonMinimalNumber) || !errors.Is(err, ErrUnknown) {
			t.Errorf("non-minimal %s: %v", bad, err)
		}
	}
	if _, err := parseNum(make([]byte, 5), false, 4); !errors.Is(err, ErrNumberTooBig) {
		t.Errorf("too big: %v", err)
	}
	if n, _ := parseNum(mustHex("0080"), false, 4); n != 0 {
		t.Errorf("negative zero = %d", n)
	}
}

func TestErrorKinds(t *testing.T) {
	err := error(&Error{Code: ErrEvalFalse, Desc: "x"})
	if !errors.Is(err, ErrEvalFalse) || errors.Is(err, ErrVerify) || errors.Is(err, ErrUnknown) {
		t.Error("errors.Is on *Error")
	}
	if ErrEvalFalse.CoreName() != "EVAL_FALSE" || ErrNumberTooBig.CoreName() != "UNKNOWN_ERROR" || ErrKeyNotFound.CoreName() != "UNKNOWN_ERROR" {
		t.Error("CoreName")
	}
	for c := ErrorCode(0); c < numErrorCodes; c++ {
		if errorCodeNames[c] == "" {
			t.Errorf("code %d has no name", c)
		}
	}
	if ErrorCode(999).String() != "ErrorCode(999)" {
		t.Error("unknown code String")
	}
}

func TestVerifyInputIndex(t *testing.T) {
	tx := spendTx(1)
	for _, idx := range []int{-1, 1} {
		if err := VerifyInput(tx, idx, nil, 0, 0, nil, nil); !errors.Is(err, ErrInvalidIndex) {
			t.Errorf("index %d: %v", idx, err)
		}
	}
	if err := VerifyInput(nil, 0, nil, 0, 0, nil, nil); !errors.Is(err, ErrInvalidIndex) {
		t.Errorf("nil tx: %v", err)
	}
}

func TestLegacySigHashSpecialCases(t *testing.T) {
	tx := spendTx(2)
	one := append([]byte{1}, make([]byte, 31)...)
	if h := CalcSignatureHash(nil, SigHashSingle, tx, 1); !bytes.Equal(h, one) {
		t.Errorf("SIGHASH_SINGLE without output: %x", h)
	}
	if h := CalcSignatureHash(nil, SigHashAll, tx, 5); !bytes.Equal(h, one) {
		t.Errorf("index out of range: %x", h)
	}
	// OP_CODESEPARATOR is removed from the script code before hashing.
	a := CalcSignatureHash([]byte{OP_1, OP_CODESEPARATOR, OP_2}, SigHashAll, tx, 0)
	b := CalcSignatureHash([]byte{OP_1, OP_2}, SigHashAll, tx, 0)
	if !bytes.Equal(a, b) {
		t.Error("OP_CODESEPARATOR not removed")
	}
}

func TestFindAndDelete(t *testing.T) {
	tests := []struct{ script, sig, want string }{
		{"0302ff030302ff03", "02ff03", ""},
		{"0302ff030302ff0300", "02ff03", "00"},
		{"02ff03", "ff", "02ff03"},       // not at an instruction boundary
		{"0302ff03", "02ff", "0302ff03"}, // different data
		{"000051", "", "51"},             // the empty signature deletes OP_0s
		{"0302ff034c", "02ff03", "4c"},   // a broken trailing push is kept
	}
	for _, tc := range tests {
		got, _ := findAndDelete(mustHex(tc.script), mustHex(tc.sig))
		if hex.EncodeToString(got) != tc.want {
			t.Errorf("findAndDelete(%s, %s) = %x, want %s", tc.script, tc.sig, got, tc.want)
		}
	}
}
