package script

import (
	"bytes"
	"crypto/sha256"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/gamegold/gg/lib/wire"
)

// KeyDB supplies private keys for signing, looked up by the HASH160 of
// the public key. compressed tells which serialization of the public key
// the hash was taken of.
type KeyDB interface {
	GetKey(pubKeyHash160 []byte) (key *btcec.PrivateKey, compressed bool, found bool)
}

// KeyPairDB is an optional extension of KeyDB for stores that already
// hold each key's serialized public key (a wallet checks it against the
// address anyway): GetKeyPair returns it with the private key, and the
// signer uses it instead of computing the public key again (a point
// multiplication per signature). The signer still checks that pub
// hashes to the HASH160 asked for, and SignInput verifies the finished
// input, so a pub that does not belong to key makes the input incomplete
// rather than wrongly signed.
type KeyPairDB interface {
	KeyDB
	GetKeyPair(pubKeyHash160 []byte) (key *btcec.PrivateKey, pub []byte, found bool)
}

// ScriptDB supplies redeem scripts (by HASH160, for P2SH) and witness
// scripts (by SHA-256, for P2WSH).
type ScriptDB interface {
	GetScript(hash []byte) ([]byte, bool)
}

// RawTxInSignature signs input idx of tx with the legacy signature hash of
// subScript and returns the DER signature with the hash-type byte
// appended. Signatures are deterministic (RFC 6979) and low-S.
func RawTxInSignature(tx *wire.MsgTx, idx int, subScript []byte, hashType SigHashType, key *btcec.PrivateKey) ([]byte, error) {
	if tx == nil || idx < 0 || idx >= len(tx.TxIn) {
		return nil, scriptErrorf(ErrInvalidIndex, "input index %d out of range", idx)
	}
	h := calcSignatureHash(subScript, hashType, tx, idx)
	return append(ecdsa.Sign(key, h[:]).Serialize(), byte(hashType)), nil
}

// RawTxInWitnessSignature signs input idx of tx, which spends amount, with
// the BIP143 signature hash of subScript. hashes may be nil.
func RawTxInWitnessSignature(tx *wire.MsgTx, hashes *SigHashes, idx int, amount int64, subScript []byte, hashType SigHashType, key *btcec.PrivateKey) ([]byte, error) {
	h, err := CalcWitnessSignatureHash(subScript, hashes, hashType, tx, idx, amount)
	if err != nil {
		return nil, err
	}
	return append(ecdsa.Sign(key, h).Serialize(), byte(hashType)), nil
}

type signer struct {
	tx       *wire.MsgTx
	idx      int
	amount   int64
	hashType SigHashType
	kdb      KeyDB
	sdb      ScriptDB
	hashes   *SigHashes
	// sc, when set, receives each signature the signer made and checked
	// with its private key (ownSigValid), so the closing verification
	// finds it there.
	sc *SigCache
}

func (s *signer) sigHash(script []byte, hashType SigHashType, sv sigVersion) []byte {
	var h [32]byte
	if sv == sigVersionWitnessV0 {
		if s.hashes == nil {
			s.hashes = NewSigHashes(s.tx)
		}
		h = calcWitnessSignatureHash(script, s.hashes, hashType, s.tx, s.idx, s.amount)
	} else {
		h = calcSignatureHash(script, hashType, s.tx, s.idx)
	}
	return h[:]
}

// sign signs the script code with key, whose serialized public key is
// pk.
func (s *signer) sign(script []byte, key *btcec.PrivateKey, pk []byte, sv sigVersion) []byte {
	h := s.sigHash(script, s.hashType, sv)
	sig := ecdsa.Sign(key, h)
	der := sig.Serialize()
	if s.sc.stores() && ownSigValid(key, pk, h, sig) {
		k := sigCacheKey(h, der, pk)
		s.sc.add(&k)
	}
	return append(der, byte(s.hashType))
}

// keyForHash finds the key whose public key (in the serialization KeyDB
// names, or failing that the other one) hashes to hash.
func (s *signer) keyForHash(hash []byte) (*btcec.PrivateKey, []byte, bool) {
	if s.kdb == nil {
		return nil, nil, false
	}
	if kp, ok := s.kdb.(KeyPairDB); ok {
		key, pub, found := kp.GetKeyPair(hash)
		if !found || key == nil || !bytes.Equal(Hash160(pub), hash) {
			return nil, nil, false
		}
		return key, pub, true
	}
	key, compressed, found := s.kdb.GetKey(hash)
	if !found || key == nil {
		return nil, nil, false
	}
	pub := key.PubKey()
	forms := [][]byte{pub.SerializeUncompressed(), pub.SerializeCompressed()}
	if compressed {
		forms[0], forms[1] = forms[1], forms[0]
	}
	for _, pk := range forms {
		if bytes.Equal(Hash160(pk), hash) {
			return key, pk, true
		}
	}
	return nil, nil, false
}

// keyForPubKey finds the private key of the serialized public key pk.
func (s *signer) keyForPubKey(pk []byte) (*btcec.PrivateKey, bool) {
	key, pub, ok := s.keyForHash(Hash160(pk))
	if !ok || !bytes.Equal(pub, pk) {
		return nil, false
	}
	return key, true
}

// signScript produces the stack items that satisfy script (P2PKH, P2PK or
// multisig), merging multisig signatures found in existing.
func (s *signer) signScript(script []byte, sv sigVersion, existing [][]byte) ([][]byte, error) {
	switch Classify(script) {
	case PubKeyHashTy:
		key, pk, ok := s.keyForHash(script[3:23])
		if !ok {
			return nil, scriptError(ErrKeyNotFound, "no key for the public key hash")
		}
		return [][]byte{s.sign(script, key, pk, sv), pk}, nil
	case PubKeyTy:
		pk := script[1 : len(script)-1]
		key, ok := s.keyForPubKey(pk)
		if !ok {
			return nil, scriptError(ErrKeyNotFound, "no key for the public key")
		}
		return [][]byte{s.sign(script, key, pk, sv)}, nil
	case MultiSigTy:
		return s.signMultiSig(script, sv, existing)
	}
	return nil, scriptErrorf(ErrUnsupportedScript, "cannot sign a %s script", Classify(script))
}

// signMultiSig merges the valid signatures in existing with new ones from
// the keys available, in public key order, up to the m required. The
// result is the dummy element, the signatures, and an empty placeholder
// for each signature still missing.
func (s *signer) signMultiSig(script []byte, sv sigVersion, existing [][]byte) ([][]byte, error) {
	m, pubkeys, _ := ExtractMultiSig(script)
	sigs := make([][]byte, len(pubkeys))
	have := 0
	for i, pk := range pubkeys {
		for _, cand := range existing {
			if len(cand) < 9 {
				continue
			}
			h := s.sigHash(script, SigHashType(cand[len(cand)-1]), sv)
			if verifyECDSA(cand[:len(cand)-1], pk, h) {
				sigs[i] = cand
				have++
				break
			}
		}
	}
	signed := false
	for i, pk := range pubkeys {
		if have >= m {
			break
		}
		if sigs[i] != nil {
			continue
		}
		if key, ok := s.keyForPubKey(pk); ok {
			sigs[i] = s.sign(script, key, pk, sv)
			have++
			signed = true
		}
	}
	if !signed && have < m && len(existing) == 0 {
		return nil, scriptError(ErrKeyNotFound, "no key for any multisig public key")
	}
	out := [][]byte{{}}
	n := 0
	for _, sig := range sigs {
		if sig != nil && n < m {
			out = append(out, sig)
			n++
		}
	}
	for ; n < m; n++ {
		out = append(out, []byte{})
	}
	return out, nil
}

// pushes returns the data pushed by a push-only script, or nil.
func pushes(script []byte) [][]byte {
	var out [][]byte
	for pc := 0; pc < len(script); {
		op, data, next, ok := readOp(script, pc)
		if !ok || op > OP_16 {
			return nil
		}
		switch {
		case op <= OP_PUSHDATA4:
			out = append(out, data)
		case op == OP_1NEGATE:
			out = append(out, []byte{0x81})
		case op >= OP_1:
			out = append(out, []byte{op - OP_1 + 1})
		}
		pc = next
	}
	return out
}

// withoutScript drops a trailing copy of script from items.
func withoutScript(items [][]byte, script []byte) [][]byte {
	if len(items) > 0 && bytes.Equal(items[len(items)-1], script) {
		return items[:len(items)-1]
	}
	return items
}

func pushScript(items ...[]byte) ([]byte, error) {
	b := NewBuilder()
	for _, it := range items {
		b.AddData(it)
	}
	return b.Script()
}

// SignInput signs input idx of tx, which spends amount locked by
// pkScript, with keys from kdb and scripts from sdb, and writes the
// signature script and witness into the input. Supported: P2PKH, P2PK,
// bare multisig, P2WPKH, P2SH (wrapping P2PKH, P2PK, multisig, P2WPKH or
// P2WSH) and P2WSH (wrapping P2PKH, P2PK or multisig).
//
// Multisig signing may be partial: signatures already in the input are
// kept (in public key order) and new ones added, up to the m required;
// missing ones are left as empty placeholders. complete reports whether
// the input now verifies under StandardFlags. hashes may be nil.
func SignInput(tx *wire.MsgTx, idx int, pkScript []byte, amount int64, hashType SigHashType, kdb KeyDB, sdb ScriptDB, hashes *SigHashes) (complete bool, err error) {
	return SignInputCache(tx, idx, pkScript, amount, hashType, kdb, sdb, hashes, nil)
}

// SignInputCache is SignInput whose closing verification runs through sc
// (nil: none). A process that verifies the same transaction again later,
// as a node's mempool does with a hosted wallet's transactions, then
// finds the checks that really ran here in the cache instead of repeating
// them; nothing is added to sc that did not verify. Each new signature is
// checked with the private key that made it (the same decision as an
// ECDSA verification, for about half its cost) and cached, so the closing
// verification runs every script rule but finds the signature check done.
func SignInputCache(tx *wire.MsgTx, idx int, pkScript []byte, amount int64, hashType SigHashType, kdb KeyDB, sdb ScriptDB, hashes *SigHashes, sc *SigCache) (complete bool, err error) {
	if tx == nil || idx < 0 || idx >= len(tx.TxIn) {
		return false, scriptErrorf(ErrInvalidIndex, "input index %d out of range", idx)
	}
	s := &signer{tx: tx, idx: idx, amount: amount, hashType: hashType, kdb: kdb, sdb: sdb, hashes: hashes, sc: sc}
	in := tx.TxIn[idx]
	lookup := func(hash []byte, check func([]byte) []byte, what string) ([]byte, error) {
		if sdb == nil {
			return nil, scriptErrorf(ErrKeyNotFound, "no %s: no script database", what)
		}
		sc, ok := sdb.GetScript(hash)
		if !ok || !bytes.Equal(check(sc), hash) {
			return nil, scriptErrorf(ErrKeyNotFound, "%s not found", what)
		}
		return sc, nil
	}
	sha := func(b []byte) []byte { h := sha256.Sum256(b); return h[:] }

	// signWitness fills the witness for a version 0 program.
	signWitness := func(program []byte) (wire.TxWitness, error) {
		if len(program) == 20 {
			var code [25]byte
			items, err := s.signScript(appendP2PKH(code[:0], program), sigVersionWitnessV0, nil)
			if err != nil {
				return nil, err
			}
			return items, nil
		}
		ws, err := lookup(program, sha, "witness script")
		if err != nil {
			return nil, err
		}
		existing := withoutScript(in.Witness, ws)
		items, err := s.signScript(ws, sigVersionWitnessV0, existing)
		if err != nil {
			return nil, err
		}
		return append(items, ws), nil
	}

	var sigScript []byte
	var witness wire.TxWitness
	switch class := Classify(pkScript); class {
	case PubKeyHashTy, PubKeyTy, MultiSigTy:
		items, err := s.signScript(pkScript, sigVersionBase, pushes(in.SignatureScript))
		if err != nil {
			return false, err
		}
		if sigScript, err = pushScript(items...); err != nil {
			return false, err
		}
	case WitnessV0PubKeyHashTy, WitnessV0ScriptHashTy:
		if witness, err = signWitness(pkScript[2:]); err != nil {
			return false, err
		}
	case ScriptHashTy:
		redeem, err := lookup(pkScript[2:22], Hash160, "redeem script")
		if err != nil {
			return false, err
		}
		switch rc := Classify(redeem); rc {
		case WitnessV0PubKeyHashTy, WitnessV0ScriptHashTy:
			if witness, err = signWitness(redeem[2:]); err != nil {
				return false, err
			}
			if sigScript, err = pushScript(redeem); err != nil {
				return false, err
			}
		case PubKeyHashTy, PubKeyTy, MultiSigTy:
			existing := withoutScript(pushes(in.SignatureScript), redeem)
			items, err := s.signScript(redeem, sigVersionBase, existing)
			if err != nil {
				return false, err
			}
			if sigScript, err = pushScript(append(items, redeem)...); err != nil {
				return false, err
			}
		default:
			return false, scriptErrorf(ErrUnsupportedScript, "cannot sign a P2SH %s redeem script", rc)
		}
	default:
		return false, scriptErrorf(ErrUnsupportedScript, "cannot sign a %s output", class)
	}
	in.SignatureScript = sigScript
	in.Witness = witness
	return VerifyInput(tx, idx, pkScript, amount, StandardFlags, sc, s.hashes) == nil, nil
}
