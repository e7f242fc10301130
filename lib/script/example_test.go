package script_test

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

type oneKey struct{ key *btcec.PrivateKey }

func (k oneKey) GetKey(h []byte) (*btcec.PrivateKey, bool, bool) {
	pk := k.key.PubKey().SerializeCompressed()
	return k.key, true, string(script.Hash160(pk)) == string(h)
}

// Sign a P2WPKH input and verify it under the mempool policy.
func Example() {
	seed := chainhash.HashB([]byte("example key"))
	key, pub := btcec.PrivKeyFromBytes(seed)
	pkScript := script.PayToWitnessPubKeyHash(script.Hash160(pub.SerializeCompressed()))

	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: 0, Hash: chainhash.HashH([]byte("prev"))},
		Sequence: wire.MaxTxInSequenceNum})
	tx.AddTxOut(&wire.TxOut{Value: 49000, PkScript: pkScript})

	hashes := script.NewSigHashes(tx)
	complete, err := script.SignInput(tx, 0, pkScript, 50000, script.SigHashAll, oneKey{key}, nil, hashes)
	fmt.Println("signed:", complete, err)

	cache := script.NewSigCache(1000)
	fmt.Println("verify:", script.VerifyInput(tx, 0, pkScript, 50000, script.StandardFlags, cache, hashes))

	// The signature commits to the amount spent.
	err = script.VerifyInput(tx, 0, pkScript, 50001, script.StandardFlags, cache, hashes)
	fmt.Println("wrong amount is NULLFAIL:", errors.Is(err, script.ErrNullFail))
	// Output:
	// signed: true <nil>
	// verify: <nil>
	// wrong amount is NULLFAIL: true
}

func ExampleDisasm() {
	pk, _ := hex.DecodeString("76a914000102030405060708090a0b0c0d0e0f1011121388ac")
	asm, _ := script.Disasm(pk)
	fmt.Println(asm)
	fmt.Println(script.Classify(pk))
	// Output:
	// OP_DUP OP_HASH160 000102030405060708090a0b0c0d0e0f10111213 OP_EQUALVERIFY OP_CHECKSIG
	// pubkeyhash
}

func ExampleParseShortForm() {
	b, _ := script.ParseShortForm("1 2 ADD 3 EQUAL")
	fmt.Printf("%x\n", b)
	// Output: 5152935387
}

func ExampleBuilder() {
	b, err := script.NewBuilder().AddInt64(2).AddInt64(1000).AddOp(script.OP_CHECKSEQUENCEVERIFY).AddData([]byte{7}).Script()
	fmt.Printf("%x %v\n", b, err)
	// Output: 5202e803b257 <nil>
}

func ExampleParseFlags() {
	f, err := script.ParseFlags("P2SH,WITNESS")
	fmt.Println(f, err, f&script.FlagWitness != 0)
	_, err = script.ParseFlags("P2SH,BOGUS")
	fmt.Println(errors.Is(err, script.ErrInvalidFlags))
	// Output:
	// P2SH,WITNESS <nil> true
	// true
}
