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
