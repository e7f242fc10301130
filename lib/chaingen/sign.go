package chaingen

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// WitnessSignature returns a BIP143 SIGHASH_ALL signature (DER plus the
// hash-type byte) by k over input idx of tx, which spends a P2WPKH output
// of owner worth amount. Signing with a key other than owner gives a
// well-formed signature that fails verification. hashes may be nil.
func (k *Key) WitnessSignature(tx *wire.MsgTx, idx int, amount int64, owner *Key, hashes *script.SigHashes) []byte {
	if hashes == nil {
		hashes = script.NewSigHashes(tx)
	}
	h, err := script.CalcWitnessSignatureHash(owner.P2PKHScript(), hashes, script.SigHashAll, tx, idx, amount)
	if err != nil {
		panic(fmt.Sprintf("chaingen: witness sighash: %v", err))
	}
	sig := ecdsa.Sign(k.Priv, h).Serialize()
	return append(sig, byte(script.SigHashAll))
}

// CreateP2WPKHSpend returns a version-2 transaction spending spend, a
// P2WPKH output of key, to outs, signed by key.
func (g *Generator) CreateP2WPKHSpend(spend *SpendableOut, key *Key, outs []*wire.TxOut) *wire.MsgTx {
	return g.p2wpkhSpend(spend, key, key, outs)
}

// CreateBadP2WPKHSpend is CreateP2WPKHSpend with the signature made by a
// different key: the witness names key's public key, so the script fails
// only at the signature check.
func (g *Generator) CreateBadP2WPKHSpend(spend *SpendableOut, key *Key, outs []*wire.TxOut) *wire.MsgTx {
	return g.p2wpkhSpend(spend, key, NewKey("chaingen wrong signer"), outs)
}

func (g *Generator) p2wpkhSpend(spend *SpendableOut, owner, signer *Key, outs []*wire.TxOut) *wire.MsgTx {
	if !bytesEqual(spend.PkScript, owner.P2WPKH()) {
		panic(fmt.Sprintf("chaingen: output script %x is not P2WPKH of the key", spend.PkScript))
	}
	tx := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: spend.PrevOut, Sequence: wire.MaxTxInSequenceNum}}}
	for _, o := range outs {
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: o.Value, PkScript: append([]byte(nil), o.PkScript...)})
	}
	sig := signer.WitnessSignature(tx, 0, spend.Amount, owner, nil)
	tx.TxIn[0].Witness = wire.TxWitness{sig, append([]byte(nil), owner.PubKey...)}
	return tx
}

// SignedIn is one input of CreateSignedTx: the output it spends and, for
// a P2WPKH output, the key that signs it (nil for the anyone-can-spend
// scripts). HashType 0 means SIGHASH_ALL. Witness, when set, builds the
// input's witness instead (a P2WSH input such as a contract escrow); it
// runs once the transaction is complete, after the P2WPKH inputs are
// signed. NonFinal gives the input sequence 0xfffffffe, as
// CHECKLOCKTIMEVERIFY requires.
type SignedIn struct {
	Out      SpendableOut
	Key      *Key
	HashType script.SigHashType
	Witness  func(tx *wire.MsgTx, idx int, hashes *script.SigHashes) wire.TxWitness
	NonFinal bool
}

// CreateSignedTx returns a version-2 transaction spending ins to outs,
// every P2WPKH input signed by its key with its hash type (BIP143) and
// every anyone-can-spend input unlocked. Game transactions in consensus
// tests are built with it: the record output is just one of outs.
func (g *Generator) CreateSignedTx(ins []SignedIn, outs []*wire.TxOut) *wire.MsgTx {
	return g.CreateSignedTxLocked(0, ins, outs)
}

// CreateSignedTxLocked is CreateSignedTx with nLockTime lockTime.
func (g *Generator) CreateSignedTxLocked(lockTime uint32, ins []SignedIn, outs []*wire.TxOut) *wire.MsgTx {
	tx := &wire.MsgTx{Version: 2, LockTime: lockTime}
	for _, in := range ins {
		ti := &wire.TxIn{PreviousOutPoint: in.Out.PrevOut, Sequence: wire.MaxTxInSequenceNum}
		if in.NonFinal {
			ti.Sequence = wire.MaxTxInSequenceNum - 1
		}
		if in.Key == nil && in.Witness == nil {
			unlock(ti, in.Out.PkScript)
		}
		tx.TxIn = append(tx.TxIn, ti)
	}
	for _, o := range outs {
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: o.Value, PkScript: append([]byte(nil), o.PkScript...)})
	}
	hashes := script.NewSigHashes(tx)
	for i, in := range ins {
		if in.Key != nil && in.Witness == nil {
			in.Key.SignP2WPKHInput(tx, i, in.Out, in.HashType, hashes)
		}
	}
	for i, in := range ins {
		if in.Witness != nil {
			tx.TxIn[i].Witness = in.Witness(tx, i, hashes)
		}
	}
	return tx
}

// WitnessScriptSignature returns k's BIP143 signature (DER plus the
// hash-type byte) over input idx of tx, which spends a P2WSH output of
// witnessScript worth amount. hashType 0 means SIGHASH_ALL; hashes may
// be nil.
func (k *Key) WitnessScriptSignature(tx *wire.MsgTx, idx int, witnessScript []byte, amount int64,
	hashType script.SigHashType, hashes *script.SigHashes) []byte {
	if hashType == 0 {
		hashType = script.SigHashAll
	}
	if hashes == nil {
		hashes = script.NewSigHashes(tx)
	}
	h, err := script.CalcWitnessSignatureHash(witnessScript, hashes, hashType, tx, idx, amount)
	if err != nil {
		panic(fmt.Sprintf("chaingen: witness sighash: %v", err))
	}
	return append(ecdsa.Sign(k.Priv, h).Serialize(), byte(hashType))
}

// SignP2WPKHInput sets the witness of input idx of tx, which spends out
// (a P2WPKH output of k), to k's BIP143 signature with hashType (0 means
// SIGHASH_ALL) and public key. hashes may be nil; pass fresh ones after
// changing tx.
func (k *Key) SignP2WPKHInput(tx *wire.MsgTx, idx int, out SpendableOut, hashType script.SigHashType, hashes *script.SigHashes) {
	if !bytesEqual(out.PkScript, k.P2WPKH()) {
		panic(fmt.Sprintf("chaingen: output script %x is not P2WPKH of the key", out.PkScript))
	}
	if hashType == 0 {
		hashType = script.SigHashAll
	}
	if hashes == nil {
		hashes = script.NewSigHashes(tx)
	}
	h, err := script.CalcWitnessSignatureHash(k.P2PKHScript(), hashes, hashType, tx, idx, out.Amount)
	if err != nil {
		panic(fmt.Sprintf("chaingen: witness sighash: %v", err))
	}
	sig := append(ecdsa.Sign(k.Priv, h).Serialize(), byte(hashType))
	tx.TxIn[idx].Witness = wire.TxWitness{sig, append([]byte(nil), k.PubKey...)}
}
