package game

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

func privOf(s string) *btcec.PrivateKey {
	h := sha256.Sum256([]byte(s))
	k, _ := btcec.PrivKeyFromBytes(h[:])
	return k
}

var (
	privA, privB = privOf("contract party A"), privOf("contract party B")
	pubA, pubB   = privA.PubKey().SerializeCompressed(), privB.PubKey().SerializeCompressed()
	secretText   = "the secret of the contract vectors"
	secret       = func() []byte { h := sha256.Sum256([]byte(secretText)); return h[:] }() // 32 bytes
	secretHash   = sha256.Sum256(secret)
)

// escrowTerms are hash-locked terms: A stakes 50,000 dust and prop a.
func escrowTerms(a ID) *Terms {
	return &Terms{AKey: pubA, BKey: pubB, AGold: 50_000, AProps: []ID{a}, Memo: "deliver the castle",
		Hash: secretHash[:], Expiry: 100, Nonce: 1}
}

// swapTerms: A gives prop a, B pays 70,000 dust on chain.
func swapTerms(a ID) *Terms {
	return &Terms{AKey: pubA, BKey: pubB, AProps: []ID{a}, BGold: 70_000, Expiry: 100, Nonce: 2}
}

// Contract vectors, documented in docs/protocol.md ("Contracts"). The
// terms are escrowTerms(idOf("prop-a")).
var (
	termsVectorHex = hex.EncodeToString(pubA) + hex.EncodeToString(pubB) + "50c3000000000000" + "01" + idOf("prop-a").String() +
		"0000000000000000" + "00" + "12" + hex.EncodeToString([]byte("deliver the castle")) +
		"20" + hex.EncodeToString(secretHash[:]) + "64000000" + "0100000000000000"
	swapTermsVectorHex = hex.EncodeToString(pubA) + hex.EncodeToString(pubB) + "0000000000000000" + "01" + idOf("prop-a").String() +
		"7011010000000000" + "00" + "00" + "00" + "64000000" + "0200000000000000"
)

const (
	contractIDVector     = "12c54714055a9f69973d7b9995ad6cb607655634563f321a0fa144bcd94e30a6"
	swapContractIDVector = "77de9192d60a2260a1bd10f9c9812300b4101d2614553151f6cbb70ca12d982b"
	escrowPkScriptVector = "0020a3477edd440c9554ac2d567899b9a0eb72f923fc12b661c2f38d3a7fdadf0f9a"
	// OP_IF OP_SIZE 32 OP_EQUALVERIFY OP_SHA256 <hash> OP_EQUALVERIFY <b_key> OP_CHECKSIG OP_ELSE
	// OP_IF <100> OP_CLTV OP_DROP <a_key> OP_CHECKSIG OP_ELSE OP_2 <a_key> <b_key> OP_2 OP_CHECKMULTISIG
	// OP_ENDIF OP_ENDIF
	escrowScriptVector = "6382012088a820ce0d4571d51d8b93dbc157ee64e7df18df7b36a963aac627b3473f8c99d4dbcd88" +
		"2103f0528e85bf0fef972f496ef8a3b5383a93f6d434b2b3c7ab6800c2bd05b7437fac67" +
		"630164b175210361430c5696f08de8340e0141e1ac3a66458a79a2b523707765da93c5141c157dac67" +
		"52210361430c5696f08de8340e0141e1ac3a66458a79a2b523707765da93c5141c157d" +
		"2103f0528e85bf0fef972f496ef8a3b5383a93f6d434b2b3c7ab6800c2bd05b7437f52ae6868"
	// The same without a hash lock, expiry 300 (a two-byte number).
	noHashEscrowScriptVector = "63022c01b175210361430c5696f08de8340e0141e1ac3a66458a79a2b523707765da93c5141c157dac67" +
		"52210361430c5696f08de8340e0141e1ac3a66458a79a2b523707765da93c5141c157d" +
		"2103f0528e85bf0fef972f496ef8a3b5383a93f6d434b2b3c7ab6800c2bd05b7437f52ae68"
)

var contractVectors = []struct {
	name string
	rec  Record
	hex  string
}{
	{"contract-fulfil", &ContractFulfil{Terms: *escrowTerms(idOf("prop-a")), AChangeScript: wpkh("change"), AChangeValue: 7_000},
		"67670107" + termsVectorHex + "16" + hex.EncodeToString(wpkh("change")) + "581b000000000000" + "00"},
	{"contract-execute", &ContractExecute{Contract: idOf("contract"), Path: PathClaim,
		Moves: []PropMove{{Prop: idOf("prop-a"), Out: 1}}},
		"67670108" + idOf("contract").String() + "01" + "01" + idOf("prop-a").String() + "01"},
}

func TestTermsVectors(t *testing.T) {
	for _, v := range []struct {
		terms *Terms
		hex   string
	}{{escrowTerms(idOf("prop-a")), termsVectorHex}, {swapTerms(idOf("prop-a")), swapTermsVectorHex}} {
		enc, err := EncodeTerms(v.terms)
		if err != nil {
			t.Fatal(err)
		}
		if h := hex.EncodeToString(enc); h != v.hex {
			t.Errorf("terms:\n got %s\nwant %s", h, v.hex)
		}
		back, err := DecodeTerms(enc)
		if err != nil || !reflect.DeepEqual(back, v.terms) {
			t.Errorf("round trip %+v %v", back, err)
		}
		if err := CheckTerms(v.terms); err != nil {
			t.Error(err)
		}
	}
	id, _ := ContractID(escrowTerms(idOf("prop-a")))
	if id.String() != contractIDVector {
		t.Errorf("contract id %v, want %s", id, contractIDVector)
	}
	if id, _ := ContractID(swapTerms(idOf("prop-a"))); id.String() != swapContractIDVector {
		t.Errorf("swap contract id %v", id)
	}
	if pk, _ := EscrowPkScript(escrowTerms(idOf("prop-a"))); hex.EncodeToString(pk) != escrowPkScriptVector {
		t.Errorf("escrow pkScript %x", pk)
	}
	s, _ := EscrowScript(escrowTerms(idOf("prop-a")))
	if hex.EncodeToString(s) != escrowScriptVector {
		t.Errorf("escrow script %x", s)
	}
	ns, _ := EscrowScript(&Terms{AKey: pubA, BKey: pubB, AGold: 10_000, Expiry: 300})
	if hex.EncodeToString(ns) != noHashEscrowScriptVector {
		t.Errorf("no-hash escrow script %x", ns)
	}
	if escrowTerms(ID{}).IsSwap() || !swapTerms(ID{}).IsSwap() {
		t.Error("IsSwap")
	}
}

func TestContractRecordVectors(t *testing.T) {
	for _, v := range contractVectors {
		got, err := Encode(v.rec)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		if h := hex.EncodeToString(got); h != v.hex {
			t.Errorf("%s:\n got %s\nwant %s", v.name, h, v.hex)
		}
		back, err := Decode(got)
		if err != nil || !reflect.DeepEqual(back, v.rec) {
			t.Errorf("%s: round trip %+v %v", v.name, back, err)
		}
		if back.Type().String() != v.name {
			t.Errorf("%s: type name %q", v.name, back.Type())
		}
	}
}

func TestTermsDecodeErrors(t *testing.T) {
	good, _ := hex.DecodeString(termsVectorHex)
	ids := func(ids ...ID) string {
		s := hex.EncodeToString([]byte{byte(len(ids))})
		for _, id := range ids {
			s += id.String()
		}
		return s
	}
	keys := hex.EncodeToString(pubA) + hex.EncodeToString(pubB)
	tail := "0000000000000000" + "00" + "00" + "00" + "64000000" + "0100000000000000"
	many := "fd6500" + strings.Repeat(idOf("x").String(), 101)
	cases := map[string]string{
		"empty":             "",
		"truncated":         hex.EncodeToString(good[:len(good)-1]),
		"trailing":          hex.EncodeToString(good) + "00",
		"props unsorted":    keys + "50c3000000000000" + ids(ID{2}, ID{1}) + tail,
		"props duplicate":   keys + "50c3000000000000" + ids(ID{1}, ID{1}) + tail,
		"props too many":    keys + "50c3000000000000" + many + tail,
		"props non-minimal": keys + "50c3000000000000" + "fd0100" + ID{1}.String() + tail,
		"b_props unsorted":  keys + "50c3000000000000" + "00" + "0000000000000000" + ids(ID{2}, ID{1}) + "00" + "00" + "64000000" + "0100000000000000",
		"b_props duplicate": keys + "50c3000000000000" + "00" + "0000000000000000" + ids(ID{1}, ID{1}) + "00" + "00" + "64000000" + "0100000000000000",
		"hash non-minimal":  keys + "50c3000000000000" + "00" + "0000000000000000" + "00" + "00" + "fd2000" + strings.Repeat("05", 32) + "64000000" + "0100000000000000",
		"hash of 31":        keys + "50c3000000000000" + "00" + "0000000000000000" + "00" + "00" + "1f" + strings.Repeat("00", 31) + "64000000" + "0100000000000000",
		"memo control char": keys + "50c3000000000000" + "00" + "0000000000000000" + "00" + "0109" + "00" + "64000000" + "0100000000000000",
		"memo bad utf8":     keys + "50c3000000000000" + "00" + "0000000000000000" + "00" + "01ff" + "00" + "64000000" + "0100000000000000",
		"memo too long":     keys + "50c3000000000000" + "00" + "0000000000000000" + "00" + "fd0101" + strings.Repeat("61", 257) + "00" + "64000000" + "0100000000000000",
	}
	for name, h := range cases {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := DecodeTerms(b); Code(err) != CodeBadRecord {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The encoder refuses the same.
	bad := []*Terms{
		{AKey: pubA[:32], BKey: pubB},
		{AKey: pubA, BKey: pubB, AProps: []ID{{2}, {1}}},
		{AKey: pubA, BKey: pubB, BProps: []ID{{1}, {1}}},
		{AKey: pubA, BKey: pubB, Hash: []byte{1}},
		{AKey: pubA, BKey: pubB, Memo: strings.Repeat("m", 257)},
		{AKey: pubA, BKey: pubB, AProps: make([]ID, 101)},
	}
	for i, tm := range bad {
		if _, err := EncodeTerms(tm); Code(err) != CodeBadRecord {
			t.Errorf("bad terms %d encoded: %v", i, err)
		}
		if _, err := ContractID(tm); err == nil {
			t.Errorf("bad terms %d have an id", i)
		}
	}
}

func TestCheckTerms(t *testing.T) {
	offCurve := append([]byte{0x02}, bytes.Repeat([]byte{0xff}, 32)...)
	uncompressed := append([]byte{0x04}, pubA[1:]...)
	mod := func(f func(*Terms)) *Terms { tm := escrowTerms(idOf("a")); f(tm); return tm }
	ok := []*Terms{
		escrowTerms(idOf("a")), swapTerms(idOf("a")),
		mod(func(t *Terms) { t.AProps = nil }),                               // gold only
		mod(func(t *Terms) { t.AGold = 0 }),                                  // props only
		mod(func(t *Terms) { t.Hash = nil; t.BGold = 0 }),                    // pure escrow
		mod(func(t *Terms) { t.BProps = []ID{idOf("b")}; t.BGold = 10_000 }), // hash lock and B on chain
		mod(func(t *Terms) { t.Expiry = MaxExpiry }),
		mod(func(t *Terms) { t.AGold = 21e14 }),
	}
	for i, tm := range ok {
		if err := CheckTerms(tm); err != nil {
			t.Errorf("valid terms %d: %v", i, err)
		}
	}
	bad := map[string]*Terms{
		"a key off curve":     mod(func(t *Terms) { t.AKey = offCurve }),
		"b key uncompressed":  mod(func(t *Terms) { t.BKey = uncompressed }),
		"same keys":           mod(func(t *Terms) { t.BKey = pubA }),
		"A gives nothing":     mod(func(t *Terms) { t.AGold, t.AProps = 0, nil }),
		"a_gold dust":         mod(func(t *Terms) { t.AGold = MinContractGold - 1 }),
		"a_gold above max":    mod(func(t *Terms) { t.AGold = 21e14 + 1 }),
		"b_gold dust":         mod(func(t *Terms) { t.BGold = 1 }),
		"b_gold above max":    mod(func(t *Terms) { t.BGold = 1 << 63 }),
		"prop on both sides":  mod(func(t *Terms) { t.BProps = []ID{idOf("a")} }),
		"expiry 0":            mod(func(t *Terms) { t.Expiry = 0 }),
		"expiry is a time":    mod(func(t *Terms) { t.Expiry = MaxExpiry + 1 }),
		"expiry far too high": mod(func(t *Terms) { t.Expiry = 1<<32 - 1 }),
	}
	for name, tm := range bad {
		if err := CheckTerms(tm); Code(err) != CodeBadTerms || !errors.Is(err, ErrRule) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := CheckTerms(mod(func(t *Terms) { t.Hash = []byte{1, 2} })); Code(err) != CodeBadRecord {
		t.Errorf("short hash: %v", err)
	}
}

// escrowSpend is a transaction spending one escrow output of tm worth
// value at height-lock lockTime, paying to out.
func escrowSpend(lockTime uint32, seq uint32) *wire.MsgTx {
	tx := &wire.MsgTx{Version: 2, LockTime: lockTime}
	tx.TxIn = []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: chainhash.HashH([]byte("escrow")), Index: 1}, Sequence: seq}}
	tx.TxOut = []*wire.TxOut{out(40_000, wpkh("dest"))}
	return tx
}

func sign(t *testing.T, tx *wire.MsgTx, s []byte, value int64, k *btcec.PrivateKey) []byte {
	t.Helper()
	sig, err := script.RawTxInWitnessSignature(tx, nil, 0, value, s, script.SigHashAll, k)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// TestEscrowScriptPaths runs every witness builder through the script
// interpreter (policy flags, so MINIMALIF and CLEANSTACK hold too) and
// through EscrowPath.
func TestEscrowScriptPaths(t *testing.T) {
	const value = 50_000
	for _, tm := range []*Terms{escrowTerms(idOf("a")), {AKey: pubA, BKey: pubB, AGold: value, Expiry: 100}} {
		s, err := EscrowScript(tm)
		if err != nil {
			t.Fatal(err)
		}
		pk, _ := EscrowPkScript(tm)
		if !IsCarrierScript(pk) {
			t.Fatal("escrow pkScript is not P2WSH")
		}
		hashed := len(tm.Hash) != 0
		run := func(name string, tx *wire.MsgTx, w wire.TxWitness, wantPath ContractPath, valid bool) {
			t.Helper()
			tx.TxIn[0].Witness = w
			err := script.VerifyInput(tx, 0, pk, value, script.StandardFlags, nil, nil)
			if (err == nil) != valid {
				t.Errorf("hash %v %s: script %v, want valid %v", hashed, name, err, valid)
			}
			if err := script.VerifyInput(tx, 0, pk, value, script.ConsensusFlags, nil, nil); (err == nil) != valid {
				t.Errorf("hash %v %s: consensus script %v, want valid %v", hashed, name, err, valid)
			}
			p, err := EscrowPath(w, tm)
			if wantPath == 0 {
				if Code(err) != CodeEscrowWitness {
					t.Errorf("hash %v %s: path %v %v, want unclassified", hashed, name, p, err)
				}
			} else if p != wantPath || err != nil {
				t.Errorf("hash %v %s: path %v %v, want %v", hashed, name, p, err, wantPath)
			}
		}
		// Refund: from the lock time, non-final sequence.
		tx := escrowSpend(100, 0xfffffffe)
		w, _ := RefundWitness(tm, sign(t, tx, s, value, privA))
		run("refund", tx, w, PathRefund, true)
		tx = escrowSpend(99, 0xfffffffe)
		w, _ = RefundWitness(tm, sign(t, tx, s, value, privA))
		run("refund before expiry", tx, w, PathRefund, false)
		tx = escrowSpend(100, 0xffffffff)
		w, _ = RefundWitness(tm, sign(t, tx, s, value, privA))
		run("refund with final sequence", tx, w, PathRefund, false)
		tx = escrowSpend(100, 0xfffffffe)
		w, _ = RefundWitness(tm, sign(t, tx, s, value, privB))
		run("refund signed by B", tx, w, PathRefund, false)
		// Cooperative: any time.
		tx = escrowSpend(0, 0xffffffff)
		w, _ = CoopWitness(tm, sign(t, tx, s, value, privA), sign(t, tx, s, value, privB))
		run("cooperative", tx, w, PathCoop, true)
		w, _ = CoopWitness(tm, sign(t, tx, s, value, privB), sign(t, tx, s, value, privA))
		run("cooperative signatures swapped", tx, w, PathCoop, false)
		// Claim.
		tx = escrowSpend(0, 0xffffffff)
		if hashed {
			w, _ = ClaimWitness(tm, sign(t, tx, s, value, privB), secret)
			run("claim", tx, w, PathClaim, true)
			w, _ = ClaimWitness(tm, sign(t, tx, s, value, privB), []byte("wrong"))
			run("claim wrong preimage", tx, w, PathClaim, false)
			w, _ = ClaimWitness(tm, sign(t, tx, s, value, privA), secret)
			run("claim signed by A", tx, w, PathClaim, false)
			// Non-minimal selectors pass the consensus script but not
			// the game's classification.
			w, _ = ClaimWitness(tm, sign(t, tx, s, value, privB), secret)
			w[2] = []byte{0x02}
			tx.TxIn[0].Witness = w
			if err := script.VerifyInput(tx, 0, pk, value, script.ConsensusFlags, nil, nil); err != nil {
				t.Errorf("non-minimal selector: %v", err)
			}
			if _, err := EscrowPath(w, tm); Code(err) != CodeEscrowWitness {
				t.Errorf("non-minimal selector classified: %v", err)
			}
		} else if _, err := ClaimWitness(tm, []byte{1}, secret); Code(err) != CodeBadPath {
			t.Errorf("claim witness without hash lock: %v", err)
		}
		// Malformed layouts.
		for name, w := range map[string]wire.TxWitness{
			"empty":          {},
			"script only":    {s},
			"other script":   {[]byte{1}, []byte{1}, append(bytes.Clone(s[:len(s)-1]), 0x00)},
			"extra item":     append(wire.TxWitness{{}}, mustWitness(RefundWitness(tm, []byte{1}))...),
			"coop dummy set": func() wire.TxWitness { w, _ := CoopWitness(tm, []byte{1}, []byte{2}); w[0] = []byte{0}; return w }(),
		} {
			if p, err := EscrowPath(w, tm); Code(err) != CodeEscrowWitness {
				t.Errorf("hash %v %s: %v %v", hashed, name, p, err)
			}
		}
	}
}

func mustWitness(w wire.TxWitness, err error) wire.TxWitness {
	if err != nil {
		panic(err)
	}
	return w
}

// contractWorld is newWorld with A's and B's scripts.
func fulfilTx(t *testing.T, w *world, r *ContractFulfil, extra ...*wire.TxOut) *wire.MsgTx {
	t.Helper()
	outs, err := FulfilOutputs(r, func(id ID) (int64, error) {
		p, _ := w.v.Prop(id)
		if p == nil {
			return 20_000, nil
		}
		return p.Gold, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return mkTx(0, append(outs, extra...)...)
}

func TestContractFulfilExecute(t *testing.T) {
	w := newWorld()
	tm := escrowTerms(w.a)
	tm.BProps = []ID{w.b} // B gives prop b on chain at fulfil, A's stake waits for the secret
	id, _ := ContractID(tm)
	r := &ContractFulfil{Terms: *tm, AChangeScript: wpkh("a-change"), AChangeValue: 7_000, AReceiveScript: wpkh("a-recv")}
	tx := fulfilTx(t, w, r, out(1_000, wpkh("b-change")))
	spent := []Coin{plain(80_000), propCoin(w.a, w.alice), propCoin(w.b, w.bob), plain(5_000)}
	fit(tx, len(spent))
	if _, _, err := CheckRecord(tx, params); err != nil {
		t.Fatal(err)
	}
	escrowPk, _ := EscrowPkScript(tm)
	txid := tx.TxHash()
	wantObjs := []Object{{}, {KindContract, id}, {KindProp, w.a}, {}, {KindProp, w.b}, {}}
	if got := Annotate(tx); !reflect.DeepEqual(got, wantObjs) {
		t.Fatalf("fulfil annotation %v", got)
	}
	e, err := CheckTx(tx, txid, spent, 50, w.v, params, ModeBlock)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Contracts) != 1 || e.Contracts[0].ID != id || e.Contracts[0].State != ContractFulfilled ||
		!reflect.DeepEqual(e.Contracts[0].Escrow, []wire.OutPoint{{Hash: txid, Index: 1}, {Hash: txid, Index: 2}}) ||
		e.Contracts[0].Height != 50 || e.Contracts[0].FulfilTxid != txid {
		t.Fatalf("fulfil contract %+v", e.Contracts)
	}
	if len(e.Props) != 2 || e.Props[0].Status != PropEscrow || e.Props[0].Contract != id || !bytes.Equal(e.Props[0].Owner, escrowPk) ||
		e.Props[1].Status != PropLive || !bytes.Equal(e.Props[1].Owner, wpkh("a-recv")) || e.Props[1].Outpoint.Index != 4 {
		t.Fatalf("fulfil props %+v", e.Props)
	}
	if len(e.Events) != 3 || e.Events[0].Object != (Object{KindContract, id}) || e.Events[0].Vout != 1 {
		t.Fatalf("fulfil events %+v", e.Events)
	}
	w.v.apply(e)

	// The escrowed prop cannot be sent, destroyed or sold.
	for name, rtx := range map[string]*wire.MsgTx{
		"send":    recordTx(&PropSend{Moves: []PropMove{{Prop: w.a, Out: 1}}}, out(20_000, wpkh("x"))),
		"destroy": recordTx(&PropDestroy{Props: []ID{w.a}}, out(20_000, wpkh("x"))),
		"sale":    recordTx(&Sale{Prop: w.a, BuyNow: 90_000, End: 200}, out(90_000, escrowPk), out(20_000, wpkh("x"))),
	} {
		sp := []Coin{{Value: 20_000, PkScript: escrowPk, Object: Object{KindProp, w.a}}, plain(100_000)}
		fit(rtx, len(sp))
		if _, err := CheckTx(rtx, rtx.TxHash(), sp, 51, w.v, params, ModeBlock); Code(err) != CodePropInEscrow {
			t.Errorf("%s of an escrowed prop: %v", name, err)
		}
	}
	// A second fulfil of the same terms.
	tx2 := fulfilTx(t, w, r)
	sp2 := []Coin{plain(80_000), propCoin(w.a, w.alice), propCoin(w.b, w.bob)}
	fit(tx2, 3)
	tx2.TxIn[0].PreviousOutPoint.Index = 77
	if _, err := CheckTx(tx2, tx2.TxHash(), sp2, 51, w.v, params, ModeBlock); Code(err) != CodePropInEscrow && Code(err) != CodeContractExists {
		t.Errorf("second fulfil: %v", err)
	}

	// Execute: spend both escrow outputs.
	escrowCoins := []Coin{
		{Value: 50_000, PkScript: escrowPk, Object: Object{KindContract, id}},
		{Value: 20_000, PkScript: escrowPk, Object: Object{KindProp, w.a}},
	}
	exec := func(path ContractPath, wit func() wire.TxWitness, moves []PropMove, outs ...*wire.TxOut) *wire.MsgTx {
		x := recordTx(&ContractExecute{Contract: id, Path: path, Moves: moves}, outs...)
		x.TxIn = []*wire.TxIn{
			{PreviousOutPoint: wire.OutPoint{Hash: txid, Index: 1}, Witness: wit()},
			{PreviousOutPoint: wire.OutPoint{Hash: txid, Index: 2}, Witness: wit()},
		}
		return x
	}
	claimW := func() wire.TxWitness { return mustWitness(ClaimWitness(tm, []byte{0x30}, secret)) }
	refundW := func() wire.TxWitness { return mustWitness(RefundWitness(tm, []byte{0x30})) }
	coopW := func() wire.TxWitness { return mustWitness(CoopWitness(tm, []byte{0x30}, []byte{0x31})) }
	toB := []PropMove{{Prop: w.a, Out: 1}}
	pay := []*wire.TxOut{out(20_000, wpkh("b")), out(49_000, wpkh("b"))}
	good := map[string]struct {
		tx     *wire.MsgTx
		height int32
		state  ContractState
	}{
		"claim":            {exec(PathClaim, claimW, toB, pay...), 99, ContractExchanged},
		"refund at expiry": {exec(PathRefund, refundW, toB, pay...), 100, ContractRefunded},
		"refund later":     {exec(PathRefund, refundW, toB, pay...), 5000, ContractRefunded},
		"cooperative":      {exec(PathCoop, coopW, toB, pay...), 51, ContractSettled},
		"coop late":        {exec(PathCoop, coopW, toB, pay...), 5000, ContractSettled},
	}
	for name, g := range good {
		if got := Annotate(g.tx); !reflect.DeepEqual(got, []Object{{}, {KindProp, w.a}, {}}) {
			t.Errorf("%s: annotation %v", name, got)
		}
		e, err := CheckTx(g.tx, g.tx.TxHash(), escrowCoins, g.height, w.v, params, ModeBlock)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		c := e.Contracts[0]
		if c.State != g.state || c.SettleTxid != g.tx.TxHash() || c.SettleHeight != g.height || c.Path != pathOf(g.tx) {
			t.Errorf("%s: contract %+v", name, c)
		}
		if (c.Path == PathClaim) != bytes.Equal(c.Preimage, secret) {
			t.Errorf("%s: preimage %q", name, c.Preimage)
		}
		if len(e.Props) != 1 || e.Props[0].Status != PropLive || !e.Props[0].Contract.IsZero() || !bytes.Equal(e.Props[0].Owner, wpkh("b")) {
			t.Errorf("%s: props %+v", name, e.Props)
		}
	}
	// Reject side.
	onlyGG := exec(PathClaim, claimW, toB, pay...)
	onlyGG.TxIn = onlyGG.TxIn[:1]
	extraIn := exec(PathClaim, claimW, toB, pay...)
	extraIn.TxIn = append(extraIn.TxIn, &wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: 9}})
	mixed := exec(PathClaim, claimW, toB, pay...)
	mixed.TxIn[1].Witness = refundW()
	badLayout := exec(PathClaim, claimW, toB, pay...)
	badLayout.TxIn[0].Witness = wire.TxWitness{{1}, {1}}
	cases := []struct {
		name   string
		tx     *wire.MsgTx
		spent  []Coin
		height int32
		code   string
	}{
		{"claim at expiry", exec(PathClaim, claimW, toB, pay...), escrowCoins, 100, CodeContractExpired},
		{"claim after expiry", exec(PathClaim, claimW, toB, pay...), escrowCoins, 500, CodeContractExpired},
		{"refund before expiry", exec(PathRefund, refundW, toB, pay...), escrowCoins, 99, CodeContractNotExpired},
		{"record claim, witness refund", exec(PathClaim, refundW, toB, pay...), escrowCoins, 99, CodeEscrowPath},
		{"record refund, witness coop", exec(PathRefund, coopW, toB, pay...), escrowCoins, 200, CodeEscrowPath},
		{"record coop, witness claim", exec(PathCoop, claimW, toB, pay...), escrowCoins, 60, CodeEscrowPath},
		{"inputs on two paths", mixed, escrowCoins, 60, CodeEscrowPath},
		{"unknown witness layout", badLayout, escrowCoins, 60, CodeEscrowWitness},
		{"escrow carrier not spent", onlyGG, escrowCoins[:1], 60, CodeObjectNotCarried},
		{"another game coin spent", extraIn, append(append([]Coin{}, escrowCoins...), propCoin(w.b, w.alice)), 60, CodeObjectNotCarried},
		{"prop not moved", exec(PathClaim, claimW, nil, pay...), escrowCoins, 60, CodeObjectNotCarried},
		{"other prop moved", exec(PathClaim, claimW, []PropMove{{Prop: w.b, Out: 1}}, pay...), escrowCoins, 60, CodeObjectNotCarried},
		{"prop gold changed", exec(PathClaim, claimW, toB, out(19_000, wpkh("b")), out(49_000, wpkh("b"))), escrowCoins, 60, CodeGoldChanged},
		{"unknown contract", recordTx(&ContractExecute{Contract: idOf("ghost"), Path: PathCoop}), []Coin{plain(1)}, 60, CodeContractState},
		{"move to non-carrier", exec(PathClaim, claimW, toB, out(20_000, []byte{0x51}), out(1, wpkh("b"))), escrowCoins, 60, CodeBadCarrier},
	}
	for _, c := range cases {
		fit(c.tx, len(c.spent))
		if _, err := CheckTx(c.tx, c.tx.TxHash(), c.spent, c.height, w.v, params, ModeBlock); Code(err) != c.code || !errors.Is(err, ErrRule) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	// The escrow outputs must be the contract's: same coins, other outpoints.
	moved := exec(PathClaim, claimW, toB, pay...)
	moved.TxIn[1].PreviousOutPoint.Index = 3
	if _, err := CheckTx(moved, moved.TxHash(), escrowCoins, 60, w.v, params, ModeBlock); Code(err) != CodeEscrowNotSpent {
		t.Errorf("escrow outpoint not spent: %v", err)
	}
	// Settled: a second execute is refused.
	e, err = CheckTx(good["claim"].tx, good["claim"].tx.TxHash(), escrowCoins, 99, w.v, params, ModeBlock)
	if err != nil {
		t.Fatal(err)
	}
	w.v.apply(e)
	again := exec(PathCoop, coopW, toB, pay...)
	if _, err := CheckTx(again, again.TxHash(), escrowCoins, 99, w.v, params, ModeBlock); Code(err) != CodeContractState {
		t.Errorf("second execute: %v", err)
	}
}

func pathOf(tx *wire.MsgTx) ContractPath {
	r, _, _ := FindRecord(tx)
	return r.(*ContractExecute).Path
}

func TestContractSwap(t *testing.T) {
	w := newWorld()
	tm := swapTerms(w.a)
	id, _ := ContractID(tm)
	r := &ContractFulfil{Terms: *tm, AReceiveScript: wpkh("a-recv")}
	tx := fulfilTx(t, w, r)
	if !bytes.Equal(tx.TxOut[1].PkScript, P2WPKHOf(pubB)) || tx.TxOut[2].Value != 70_000 || len(tx.TxOut) != 3 {
		t.Fatalf("swap outputs %v", tx.TxOut)
	}
	spent := []Coin{propCoin(w.a, w.alice), plain(90_000)}
	fit(tx, 2)
	if got := Annotate(tx); !reflect.DeepEqual(got, []Object{{}, {KindProp, w.a}, {}}) {
		t.Fatalf("swap annotation %v", got)
	}
	e, err := CheckTx(tx, tx.TxHash(), spent, 10, w.v, params, ModeBlock)
	if err != nil {
		t.Fatal(err)
	}
	if c := e.Contracts[0]; c.ID != id || c.State != ContractExchanged || len(c.Escrow) != 0 {
		t.Fatalf("swap contract %+v", c)
	}
	if p := e.Props[0]; p.Status != PropLive || !bytes.Equal(p.Owner, P2WPKHOf(pubB)) || p.Outpoint.Index != 1 {
		t.Fatalf("swap prop %+v", p)
	}
	w.v.apply(e)
	// A swap has no escrow to execute.
	x := recordTx(&ContractExecute{Contract: id, Path: PathCoop})
	fit(x, 1)
	if _, err := CheckTx(x, x.TxHash(), []Coin{plain(1)}, 11, w.v, params, ModeBlock); Code(err) != CodeContractState {
		t.Errorf("execute of a swap: %v", err)
	}
}

func TestContractFulfilErrors(t *testing.T) {
	w := newWorld()
	tm := escrowTerms(w.a)
	r := &ContractFulfil{Terms: *tm, AChangeScript: wpkh("a-change"), AChangeValue: 7_000}
	spent := []Coin{plain(80_000), propCoin(w.a, w.alice)}
	base := func() *wire.MsgTx { return fulfilTx(t, w, r) }
	tweak := func(f func(*wire.MsgTx)) *wire.MsgTx { tx := base(); f(tx); return tx }
	withTerms := func(f func(*Terms), g func(*ContractFulfil)) *wire.MsgTx {
		rr := *r
		rr.Terms = cloneTerms(tm)
		if f != nil {
			f(&rr.Terms)
		}
		if g != nil {
			g(&rr)
		}
		return fulfilTx(t, w, &rr)
	}
	otherExpiry := cloneTerms(tm)
	otherExpiry.Expiry = 101
	otherPk, _ := EscrowPkScript(&otherExpiry)
	otherHash := cloneTerms(tm)
	otherHash.Hash = bytes.Repeat([]byte{7}, 32)
	otherHashPk, _ := EscrowPkScript(&otherHash)
	otherKey := cloneTerms(tm)
	otherKey.BKey = privOf("mallory").PubKey().SerializeCompressed()
	otherKeyPk, _ := EscrowPkScript(&otherKey)
	swapR := &ContractFulfil{Terms: *swapTerms(w.a), AReceiveScript: wpkh("a-recv")}
	cases := []struct {
		name   string
		tx     *wire.MsgTx
		spent  []Coin
		height int32
		code   string
	}{
		{"escrow amount low", tweak(func(tx *wire.MsgTx) { tx.TxOut[1].Value-- }), spent, 50, CodeBadFulfil},
		{"escrow amount high", tweak(func(tx *wire.MsgTx) { tx.TxOut[1].Value++ }), spent, 50, CodeBadFulfil},
		{"escrow with other expiry", tweak(func(tx *wire.MsgTx) { tx.TxOut[1].PkScript = otherPk }), spent, 50, CodeBadFulfil},
		{"escrow with other hash", tweak(func(tx *wire.MsgTx) { tx.TxOut[1].PkScript = otherHashPk }), spent, 50, CodeBadFulfil},
		{"escrow with other key", tweak(func(tx *wire.MsgTx) { tx.TxOut[1].PkScript = otherKeyPk }), spent, 50, CodeBadFulfil},
		{"prop carrier not the escrow", tweak(func(tx *wire.MsgTx) { tx.TxOut[2].PkScript = wpkh("b") }), spent, 50, CodeBadFulfil},
		{"prop carrier gold changed", tweak(func(tx *wire.MsgTx) { tx.TxOut[2].Value = 19_999 }), spent, 50, CodeGoldChanged},
		{"change amount", tweak(func(tx *wire.MsgTx) { tx.TxOut[3].Value = 7_001 }), spent, 50, CodeBadFulfil},
		{"change missing", tweak(func(tx *wire.MsgTx) { tx.TxOut = tx.TxOut[:3] }), spent, 50, CodeBadFulfil},
		{"record not output 0", tweak(func(tx *wire.MsgTx) { tx.TxOut[0], tx.TxOut[3] = tx.TxOut[3], tx.TxOut[0] }), spent, 50, CodeBadFulfil},
		{"at expiry", base(), spent, 100, CodeContractExpired},
		{"after expiry", base(), spent, 1000, CodeContractExpired},
		{"prop not spent", base(), []Coin{plain(80_000), plain(20_000)}, 50, CodeObjectNotCarried},
		{"extra prop spent", base(), []Coin{plain(80_000), propCoin(w.a, w.alice), propCoin(w.b, w.alice)}, 50, CodeObjectNotCarried},
		{"destroyed prop", withTerms(func(t *Terms) { t.AProps = []ID{w.d} }, nil), []Coin{plain(80_000), propCoin(w.d, w.alice)}, 50, CodeUnknownObject},
		{"bad terms", withTerms(func(t *Terms) { t.BKey = t.AKey }, nil), spent, 50, CodeBadTerms},
		{"change script without value", withTerms(nil, func(r *ContractFulfil) { r.AChangeValue = 0 }), spent, 50, CodeBadFulfil},
		{"change to p2pkh", withTerms(nil, func(r *ContractFulfil) { r.AChangeScript = script.PayToPubKeyHash(make([]byte, 20)) }), spent, 50, CodeBadFulfil},
		{"receive script without B part", withTerms(nil, func(r *ContractFulfil) { r.AReceiveScript = wpkh("x") }), spent, 50, CodeBadFulfil},
		{"swap without receive script", func() *wire.MsgTx {
			rr := *swapR
			rr.AReceiveScript = nil
			return mkTx(0, rec(&rr), out(20_000, P2WPKHOf(pubB)), out(70_000, wpkh("x")))
		}(), []Coin{propCoin(w.a, w.alice), plain(90_000)}, 50, CodeBadFulfil},
		{"swap pays B's part elsewhere", func() *wire.MsgTx {
			tx := fulfilTx(t, w, swapR)
			tx.TxOut[2].PkScript = wpkh("mallory")
			return tx
		}(), []Coin{propCoin(w.a, w.alice), plain(90_000)}, 50, CodeBadFulfil},
		{"swap pays B less", func() *wire.MsgTx {
			tx := fulfilTx(t, w, swapR)
			tx.TxOut[2].Value--
			return tx
		}(), []Coin{propCoin(w.a, w.alice), plain(90_000)}, 50, CodeBadFulfil},
		{"swap A's prop to another key", func() *wire.MsgTx {
			tx := fulfilTx(t, w, swapR)
			tx.TxOut[1].PkScript = P2WPKHOf(pubA)
			return tx
		}(), []Coin{propCoin(w.a, w.alice), plain(90_000)}, 50, CodeBadFulfil},
	}
	for _, c := range cases {
		fit(c.tx, len(c.spent))
		if _, err := CheckTx(c.tx, c.tx.TxHash(), c.spent, c.height, w.v, params, ModeBlock); Code(err) != c.code || !errors.Is(err, ErrRule) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	// Already fulfilled.
	id, _ := ContractID(tm)
	w.v.contracts[id] = &Contract{ID: id, State: ContractFulfilled, Height: 3}
	tx := base()
	fit(tx, 2)
	if _, err := CheckTx(tx, tx.TxHash(), spent, 50, w.v, params, ModeBlock); Code(err) != CodeContractExists {
		t.Errorf("second fulfil: %v", err)
	}
}

func TestContractRecordCodecErrors(t *testing.T) {
	fulfil, _ := hex.DecodeString(contractVectors[0].hex)
	exec, _ := hex.DecodeString(contractVectors[1].hex)
	withPath := func(p byte) []byte { b := bytes.Clone(exec); b[4+32] = p; return b }
	cases := map[string][]byte{
		"fulfil truncated":      fulfil[:len(fulfil)-1],
		"fulfil trailing":       append(bytes.Clone(fulfil), 0),
		"fulfil script too big": append(append(bytes.Clone(fulfil[:len(fulfil)-1]), 35), make([]byte, 35)...),
		"execute path 0":        withPath(0),
		"execute path 4":        withPath(4),
		"execute truncated":     exec[:len(exec)-1],
		"execute duplicate prop": func() []byte {
			b, _ := hex.DecodeString("67670108" + idOf("c").String() + "03" + "02" + idOf("p").String() + "01" + idOf("p").String() + "02")
			return b
		}(),
		"execute unsorted": func() []byte {
			b, _ := hex.DecodeString("67670108" + idOf("c").String() + "03" + "02" + idOf("p").String() + "02" + idOf("q").String() + "01")
			return b
		}(),
		"execute too many": func() []byte {
			b, _ := hex.DecodeString("67670108" + idOf("c").String() + "03" + "65")
			for i := range 101 {
				b = append(b, make([]byte, 32)...)
				b = append(b, byte(i+1))
			}
			return b
		}(),
	}
	for name, b := range cases {
		if _, err := Decode(b); Code(err) != CodeBadRecord {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, r := range map[string]Record{
		"path 0":           &ContractExecute{},
		"unsorted moves":   &ContractExecute{Path: 1, Moves: []PropMove{{Out: 2}, {Out: 1}}},
		"prop named twice": &ContractExecute{Path: 1, Moves: []PropMove{{Prop: ID{1}, Out: 1}, {Prop: ID{1}, Out: 2}}},
		"change script 35": &ContractFulfil{Terms: *escrowTerms(ID{}), AChangeScript: make([]byte, 35)},
		"bad terms":        &ContractFulfil{Terms: Terms{AKey: pubA}},
	} {
		if _, err := Encode(r); Code(err) != CodeBadRecord {
			t.Errorf("encode %s: %v", name, err)
		}
	}
	// Canonicalize sorts what Encode requires.
	r := &ContractFulfil{Terms: *escrowTerms(ID{})}
	r.Terms.AProps = []ID{{3}, {1}}
	r.Terms.BProps = []ID{{9}, {4}}
	x := &ContractExecute{Path: PathCoop, Moves: []PropMove{{Prop: ID{1}, Out: 5}, {Prop: ID{2}, Out: 2}}}
	Canonicalize(r)
	Canonicalize(x)
	if _, err := Encode(r); err != nil {
		t.Error(err)
	}
	if _, err := Encode(x); err != nil {
		t.Error(err)
	}
	tm := &Terms{AProps: []ID{{2}, {1}}}
	CanonicalizeTerms(tm)
	if tm.AProps[0] != (ID{1}) {
		t.Error("CanonicalizeTerms")
	}
}

func TestContractStrings(t *testing.T) {
	if KindContract.String() != "contract" || PropEscrow.String() != "escrow" || PathCoop.String() != "cooperative" ||
		ContractRefunded.String() != "refunded" || TypeContractExecute.String() != "contract-execute" {
		t.Error("names")
	}
	o, err := DecodeObject(Object{KindContract, ID{1}}.Bytes())
	if err != nil || o.Kind != KindContract {
		t.Errorf("contract annotation: %v %v", o, err)
	}
}

// TestEscrowPreimageSize: a claim needs a preimage of exactly 32 bytes,
// whatever the hash lock: the escrow script checks the size before the
// hash, so a cross-chain swap whose other side demands 32 bytes cannot be
// claimed here with a preimage the other chain refuses.
func TestEscrowPreimageSize(t *testing.T) {
	const value = 50_000
	for _, size := range []int{0, 1, 31, 32, 33, 64, 520} {
		pre := bytes.Repeat([]byte{0x5a}, size)
		h := sha256.Sum256(pre)
		tm := escrowTerms(idOf("a"))
		tm.Hash = h[:]
		s, err := EscrowScript(tm)
		if err != nil {
			t.Fatal(err)
		}
		pk, _ := EscrowPkScript(tm)
		tx := escrowSpend(0, 0xffffffff)
		w, err := ClaimWitness(tm, sign(t, tx, s, value, privB), pre)
		if err != nil {
			t.Fatal(err)
		}
		tx.TxIn[0].Witness = w
		valid := size == PreimageSize
		for _, flags := range []script.Flags{script.ConsensusFlags, script.StandardFlags} {
			if err := script.VerifyInput(tx, 0, pk, value, flags, nil, nil); (err == nil) != valid {
				t.Errorf("preimage of %d bytes (hash matches): %v, want valid %v", size, err, valid)
			}
		}
	}
}
