package wire_test

import (
	"fmt"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// Build a one-input, one-output transaction, encode it and read it back.
func Example() {
	prev, _ := chainhash.NewHashFromStr("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b")
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: prev, Index: 0}, Sequence: wire.MaxTxInSequenceNum})
	tx.AddTxOut(&wire.TxOut{Value: 100_000, PkScript: []byte{0x51}})
	raw := tx.Bytes()
	back, err := wire.DecodeTx(raw)
	fmt.Println(len(raw), err, back.TxHash() == tx.TxHash())
	// Output: 61 <nil> true
}
