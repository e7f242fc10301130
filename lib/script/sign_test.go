package script

import (
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

type testKeys struct {
	keys       map[string]*btcec.PrivateKey
	compressed map[string]bool
	scripts    map[string][]byte
}

func newTestKeys() *testKeys {
	return &testKeys{keys: map[string]*btcec.PrivateKey{}, compressed: map[string]bool{}, scripts: map[string][]byte{}}
}

// key derives a deterministic private key from seed and registers it.
func (k *testKeys) key(seed byte, compressed bool) (*btcec.PrivateKey, []byte) {
	var b [32]byte
	b[31] = seed
	b[0] = 0x11
	priv, _ := btcec.PrivKeyFromBytes(b[:])
	pk := priv.PubKey().SerializeCompressed()
	if !compressed {
		pk = priv.PubKey().SerializeUncompressed()
	}
	h := string(Hash160(pk))
	k.keys[h] = priv
	k.compressed[h] = compressed
	return priv, pk
}

func (k *testKeys) GetKey(h []byte) (*btcec.PrivateKey, bool, bool) {
	key, ok := k.keys[string(h)]
	return key, k.compressed[string(h)], ok
}

func (k *testKeys) GetScript(h []byte) ([]byte, bool) {
	s, ok := k.scripts[string(h)]
	return s, ok
}

func (k *testKeys) addScript(s []byte) {
	k.scripts[string(Hash160(s))] = s
	h := sha256.Sum256(s)
	k.scripts[string(h[:])] = s
}

func spendTx(n int) *wire.MsgTx {
	tx := &wire.MsgTx{Version: 2}
	for i := range n {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{
			PreviousOutPoint: wire.OutPoint{Hash: chainhash.HashH([]byte{byte(i)}), Index: uint32(i)},
			Sequence:         wire.MaxTxInSequenceNum,
		})
	}
	tx.TxOut = []*wire.TxOut{{Value: 90000, PkScript: PayToWitnessPubKeyHash(make([]byte, 20))}}
	return tx
}

func sha(b []byte) []byte { h := sha256.Sum256(b); return h[:] }

func TestSignInput(t *testing.T) {
	k := newTestKeys()
	_, pkC := k.key(1, true)
	_, pkU := k.key(2, false)
	_, pk3 := k.key(3, true)
	_, pk4 := k.key(4, true)
	other := newTestKeys()
	other.key(9, true)

	ms, err := MultiSigScript(2, [][]byte{pkC, pk3, pk4})
	if err != nil {
		t.Fatal(err)
	}
	k.addScript(ms)
	p2wpkh := PayToWitnessPubKeyHash(Hash160(pkC))
	k.addScript(p2wpkh)
	p2wsh := PayToWitnessScriptHash(sha(ms))
	k.addScript(p2wsh)

	tests := []struct {
		name     string
		pkScript []byte
	}{
		{"p2pkh compressed", PayToPubKeyHash(Hash160(pkC))},
		{"p2pkh uncompressed", PayToPubKeyHash(Hash160(pkU))},
		{"p2pk", append(append([]byte{OP_DATA_33}, pkC...), OP_CHECKSIG)},
		{"p2wpkh", p2wpkh},
		{"p2sh-p2wpkh", PayToScriptHash(Hash160(p2wpkh))},
		{"bare multisig", ms},
		{"p2sh multisig", PayToScriptHash(Hash160(ms))},
		{"p2wsh multisig", p2wsh},
		{"p2sh-p2wsh multisig", PayToScriptHash(Hash160(p2wsh))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, ht := range []SigHashType{SigHashAll, SigHashSingle | SigHashAnyoneCanPay, SigHashNone} {
				tx := spendTx(2)
				const amount = 100000
				complete, err := SignInput(tx, 1, tc.pkScript, amount, ht, k, k, nil)
				if err != nil || !complete {
					t.Fatalf("hashtype %d: complete=%v err=%v", ht, complete, err)
				}
				if err := VerifyInput(tx, 1, tc.pkScript, amount, StandardFlags, nil, NewSigHashes(tx)); err != nil {
					t.Fatalf("hashtype %d: verify: %v", ht, err)
				}
				if ht != SigHashAll {
					continue
				}
				// Tampering with the signed output must break the signature.
				bad := tx.Copy()
				bad.TxOut[0].Value++
				if err := VerifyInput(bad, 1, tc.pkScript, amount, StandardFlags, nil, nil); err == nil {
					t.Fatal("tampered output still verifies")
				}
				// The wrong amount breaks witness signatures only.
				err = VerifyInput(tx, 1, tc.pkScript, amount+1, StandardFlags, nil, nil)
				if isWitnessSpend(tc.pkScript, k) && err == nil {
					t.Fatal("witness signature verifies with the wrong amount")
				}
			}
			// A key database without the key cannot sign.
			tx := spendTx(2)
			complete, err := SignInput(tx, 1, tc.pkScript, 100000, SigHashAll, other, k, nil)
			if complete || !errors.Is(err, ErrKeyNotFound) {
				t.Fatalf("wrong keys: complete=%v err=%v", complete, err)
			}
		})
	}
}

func isWitnessSpend(pkScript []byte, k *testKeys) bool {
	switch Classify(pkScript) {
	case WitnessV0PubKeyHashTy, WitnessV0ScriptHashTy:
		return true
	case ScriptHashTy:
		r, _ := k.GetScript(pkScript[2:22])
		c := Classify(r)
		return c == WitnessV0PubKeyHashTy || c == WitnessV0ScriptHashTy
	}
	return false
}

// A signature made by the wrong key fails verification.
func TestSignInputWrongKey(t *testing.T) {
	k := newTestKeys()
	_, pk := k.key(1, true)
	wrong := newTestKeys()
	wkey, _ := wrong.key(2, true)
	// Pretend wkey belongs to pk's hash.
	wrong.keys[string(Hash160(pk))] = wkey
	wrong.compressed[string(Hash160(pk))] = true

	tx := spendTx(1)
	pkScript := PayToWitnessPubKeyHash(Hash160(pk))
	sig, err := RawTxInWitnessSignature(tx, nil, 0, 5000, PayToPubKeyHash(Hash160(pk)), SigHashAll, wkey)
	if err != nil {
		t.Fatal(err)
	}
	tx.TxIn[0].Witness = wire.TxWitness{sig, pk}
	if err := VerifyInput(tx, 0, pkScript, 5000, StandardFlags, nil, nil); !errors.Is(err, ErrNullFail) {
		t.Fatalf("standard: got %v, want NULLFAIL", err)
	}
	if err := VerifyInput(tx, 0, pkScript, 5000, ConsensusFlags, nil, nil); !errors.Is(err, ErrEvalFalse) {
		t.Fatalf("consensus: got %v, want EVAL_FALSE", err)
	}
	// SignInput refuses a key that does not match the hash it was asked for.
	complete, err := SignInput(tx, 0, pkScript, 5000, SigHashAll, wrong, nil, nil)
	if complete || !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("mismatched key: complete=%v err=%v", complete, err)
	}
}

// Two parties each holding one key of a 2-of-3 sign in turn, then a
// third signing again changes nothing.
func TestSignInputPartialMultiSig(t *testing.T) {
	all := newTestKeys()
	_, pk1 := all.key(1, true)
	_, pk2 := all.key(2, true)
	_, pk3u := all.key(3, false)
	_, pk3c := all.key(3, true)
	// Witness scripts take compressed keys only (policy); legacy ones may
	// mix in an uncompressed key.
	legacy, _ := MultiSigScript(2, [][]byte{pk1, pk2, pk3u})
	witness, _ := MultiSigScript(2, [][]byte{pk1, pk2, pk3c})
	for _, sc := range [][]byte{legacy, witness, PayToWitnessScriptHash(sha(witness))} {
		all.addScript(sc)
	}
	party := func(seed byte, compressed bool) *testKeys {
		p := newTestKeys()
		p.key(seed, compressed)
		p.scripts = all.scripts
		return p
	}
	for _, wrap := range []struct {
		name          string
		pkScript      []byte
		first, second *testKeys
	}{
		{"bare", legacy, party(3, false), party(1, true)},
		{"p2sh", PayToScriptHash(Hash160(legacy)), party(3, false), party(1, true)},
		{"p2wsh", PayToWitnessScriptHash(sha(witness)), party(3, true), party(1, true)},
		{"p2sh-p2wsh", PayToScriptHash(Hash160(PayToWitnessScriptHash(sha(witness)))), party(2, true), party(3, true)},
	} {
		t.Run(wrap.name, func(t *testing.T) {
			tx := spendTx(1)
			complete, err := SignInput(tx, 0, wrap.pkScript, 7000, SigHashAll, wrap.first, wrap.first, nil)
			if err != nil || complete {
				t.Fatalf("first signer: complete=%v err=%v", complete, err)
			}
			if err := VerifyInput(tx, 0, wrap.pkScript, 7000, ConsensusFlags, nil, nil); err == nil {
				t.Fatal("half-signed input verifies")
			}
			complete, err = SignInput(tx, 0, wrap.pkScript, 7000, SigHashAll, wrap.second, wrap.second, nil)
			if err != nil || !complete {
				t.Fatalf("second signer: complete=%v err=%v", complete, err)
			}
			if err := VerifyInput(tx, 0, wrap.pkScript, 7000, StandardFlags, nil, nil); err != nil {
				t.Fatalf("verify: %v", err)
			}
			before := tx.TxIn[0].SignatureScript
			complete, err = SignInput(tx, 0, wrap.pkScript, 7000, SigHashAll, all, all, nil)
			if err != nil || !complete {
				t.Fatalf("re-sign: complete=%v err=%v", complete, err)
			}
			if string(before) != string(tx.TxIn[0].SignatureScript) && wrap.name != "p2wsh" && wrap.name != "p2sh-p2wsh" {
				t.Fatal("re-signing a complete input changed it")
			}
		})
	}
}

func TestSignInputErrors(t *testing.T) {
	k := newTestKeys()
	_, pk := k.key(1, true)
	tx := spendTx(1)
	if _, err := SignInput(tx, 1, PayToPubKeyHash(Hash160(pk)), 0, SigHashAll, k, k, nil); !errors.Is(err, ErrInvalidIndex) {
		t.Errorf("index: %v", err)
	}
	if _, err := SignInput(tx, 0, []byte{OP_RETURN}, 0, SigHashAll, k, k, nil); !errors.Is(err, ErrUnsupportedScript) {
		t.Errorf("op_return: %v", err)
	}
	if _, err := SignInput(tx, 0, PayToScriptHash(make([]byte, 20)), 0, SigHashAll, k, k, nil); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("unknown redeem script: %v", err)
	}
	if _, err := SignInput(tx, 0, PayToScriptHash(make([]byte, 20)), 0, SigHashAll, k, nil, nil); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("nil script db: %v", err)
	}
	if _, err := RawTxInSignature(tx, 3, nil, SigHashAll, nil); !errors.Is(err, ErrInvalidIndex) {
		t.Errorf("raw index: %v", err)
	}
	if _, err := CalcWitnessSignatureHash(nil, nil, SigHashAll, tx, -1, 0); !errors.Is(err, ErrInvalidIndex) {
		t.Errorf("witness sighash index: %v", err)
	}
}

// The P2WPKH fast path must agree with the general interpreter.
func TestP2WPKHFastPathMatchesInterpreter(t *testing.T) {
	k := newTestKeys()
	_, pk := k.key(1, true)
	_, pkU := k.key(2, false)
	tx := spendTx(1)
	pkScript := PayToWitnessPubKeyHash(Hash160(pk))
	if ok, err := SignInput(tx, 0, pkScript, 1000, SigHashAll, k, nil, nil); !ok || err != nil {
		t.Fatal(ok, err)
	}
	good := tx.TxIn[0].Witness
	highS := flipS(good[0])
	zeroProg := PayToWitnessPubKeyHash(make([]byte, 20))
	uncompressed := PayToWitnessPubKeyHash(Hash160(pkU))
	cases := []struct {
		pkScript []byte
		witness  wire.TxWitness
	}{
		{pkScript, good},
		{pkScript, wire.TxWitness{good[0]}},
		{pkScript, wire.TxWitness{good[0], good[1], good[1]}},
		{pkScript, wire.TxWitness{{}, good[1]}},
		{pkScript, wire.TxWitness{good[0], pkU}},
		{pkScript, wire.TxWitness{good[0][:len(good[0])-1], good[1]}},
		{pkScript, wire.TxWitness{append(good[0][:len(good[0])-1:len(good[0])-1], 0x05), good[1]}},
		{pkScript, wire.TxWitness{highS, good[1]}},
		{pkScript, wire.TxWitness{make([]byte, 521), good[1]}},
		{pkScript, nil},
		{zeroProg, good},
		{uncompressed, wire.TxWitness{good[0], pkU}},
	}
	for _, flags := range []Flags{0, FlagP2SH | FlagWitness, ConsensusFlags, StandardFlags} {
		for i, c := range cases {
			tx.TxIn[0].Witness = c.witness
			fast := VerifyInput(tx, 0, c.pkScript, 1000, flags, nil, nil)
			e := engine{tx: tx, idx: 0, amount: 1000, flags: flags}
			slow := e.verify(nil, c.pkScript, c.witness)
			if codeOf(fast) != codeOf(slow) {
				t.Errorf("flags %v case %d: fast path %v, interpreter %v", flags, i, fast, slow)
			}
		}
	}
}

func codeOf(err error) string {
	var se *Error
	if err == nil {
		return "OK"
	}
	if errors.As(err, &se) {
		return se.Code.String()
	}
	return err.Error()
}

// flipS turns a low-S DER signature into its high-S twin, N - S.
func flipS(sig []byte) []byte {
	r, s, _, _ := parseSigLax(sig[:len(sig)-1])
	s.Negate()
	rb, sb := r.Bytes(), s.Bytes()
	enc := func(b [32]byte) []byte {
		v := b[:]
		for len(v) > 1 && v[0] == 0 && v[1]&0x80 == 0 {
			v = v[1:]
		}
		if v[0]&0x80 != 0 {
			v = append([]byte{0}, v...)
		}
		return append([]byte{0x02, byte(len(v))}, v...)
	}
	body := append(enc(rb), enc(sb)...)
	out := append([]byte{0x30, byte(len(body))}, body...)
	return append(out, sig[len(sig)-1])
}

// pairKeys is a KeyPairDB that hands out a stored public key, right or
// wrong, with each private key.
type pairKeys struct {
	*testKeys
	pubs map[string][]byte
}

func (k pairKeys) GetKeyPair(h []byte) (*btcec.PrivateKey, []byte, bool) {
	key, ok := k.keys[string(h)]
	return key, k.pubs[string(h)], ok
}

// TestSignInputKeyPair: a KeyPairDB's stored public key is used as is
// (no recomputation) and still checked: one that does not hash to the
// address is not found, and one that hashes right but is not the
// private key's leaves the input incomplete (SignInput verifies it).
func TestSignInputKeyPair(t *testing.T) {
	k := newTestKeys()
	_, pk := k.key(1, true)
	h := string(Hash160(pk))
	pkScript := PayToWitnessPubKeyHash(Hash160(pk))

	good := pairKeys{k, map[string][]byte{h: pk}}
	tx := spendTx(1)
	if complete, err := SignInput(tx, 0, pkScript, 5000, SigHashAll, good, nil, nil); !complete || err != nil {
		t.Fatalf("good pair: complete=%v err=%v", complete, err)
	}
	if w := tx.TxIn[0].Witness; len(w) != 2 || string(w[1]) != string(pk) {
		t.Fatalf("witness %x", w)
	}

	_, other := k.key(2, true)
	badHash := pairKeys{k, map[string][]byte{h: other}}
	tx = spendTx(1)
	if complete, err := SignInput(tx, 0, pkScript, 5000, SigHashAll, badHash, nil, nil); complete || !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("pub of another hash: complete=%v err=%v", complete, err)
	}

	// The right public key with the wrong private key: signed, but the
	// check of the finished input fails.
	wkey, _ := newTestKeys().key(3, true)
	wrong := pairKeys{&testKeys{keys: map[string]*btcec.PrivateKey{h: wkey}, compressed: map[string]bool{h: true}}, map[string][]byte{h: pk}}
	tx = spendTx(1)
	if complete, err := SignInput(tx, 0, pkScript, 5000, SigHashAll, wrong, nil, nil); complete || err != nil {
		t.Fatalf("wrong private key: complete=%v err=%v, want incomplete", complete, err)
	}
}

// SignInputCache leaves the verification it ran in the cache, keyed so
// that verifying the same input again (as a mempool does) finds it.
func TestSignInputCache(t *testing.T) {
	k := newTestKeys()
	_, pk := k.key(1, true)
	sc := NewSigCache(100)

	tx := spendTx(1)
	p2wpkh := PayToWitnessPubKeyHash(Hash160(pk))
	complete, err := SignInputCache(tx, 0, p2wpkh, 5000, SigHashAll, k, k, nil, sc)
	if err != nil || !complete {
		t.Fatalf("p2wpkh: complete=%v err=%v", complete, err)
	}
	if sc.Len() != 1 {
		t.Fatalf("cache holds %d entries after a good signature, want 1", sc.Len())
	}
	// The same check again (RFC 6979 signatures are deterministic) adds
	// nothing: it is a hit.
	if err := VerifyInput(tx, 0, p2wpkh, 5000, StandardFlags, sc, nil); err != nil {
		t.Fatal(err)
	}
	if sc.Len() != 1 {
		t.Fatalf("cache holds %d entries after re-verifying, want 1", sc.Len())
	}
}
