package chain

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// testKey is a deterministic secp256k1 key with its P2WPKH script.
type testKey struct {
	priv   *btcec.PrivateKey
	pub    []byte
	pkHash []byte
	pk     []byte // P2WPKH output script
}

func newTestKey(seed string) *testKey {
	d := sha256.Sum256([]byte("chain test key/" + seed))
	priv, _ := btcec.PrivKeyFromBytes(d[:])
	pub := priv.PubKey().SerializeCompressed()
	h := script.Hash160(pub)
	return &testKey{priv: priv, pub: pub, pkHash: h, pk: script.PayToWitnessPubKeyHash(h)}
}

// signP2WPKH fills in the witness of input idx, which spends amount
// locked to k's P2WPKH script.
func (k *testKey) signP2WPKH(tx *wire.MsgTx, hashes *script.SigHashes, idx int, amount int64) {
	code := script.PayToPubKeyHash(k.pkHash)
	h, err := script.CalcWitnessSignatureHash(code, hashes, script.SigHashAll, tx, idx, amount)
	if err != nil {
		panic(err)
	}
	sig := ecdsa.Sign(k.priv, h).Serialize()
	sig = append(sig, byte(script.SigHashAll))
	tx.TxIn[idx].Witness = wire.TxWitness{sig, k.pub}
}

// opTrue is the bare anyone-can-spend script.
var opTrue = []byte{script.OP_TRUE}

// opTrueP2WSH is P2WSH(OP_TRUE), spent with the witness {OP_TRUE}.
var opTrueP2WSH = func() []byte {
	h := sha256.Sum256(opTrue)
	return script.PayToWitnessScriptHash(h[:])
}()

// coinbaseScript is a BIP34 coinbase script for height plus an extra
// nonce push.
func coinbaseScript(height int32, extra uint64) []byte {
	b := script.NewBuilder().AddInt64(int64(height))
	var en [8]byte
	binary.LittleEndian.PutUint64(en[:], extra)
	s, err := b.AddData(en[:]).Script()
	if err != nil {
		panic(err)
	}
	return s
}

func hashOf(s string) chainhash.Hash { return chainhash.HashH([]byte(s)) }
