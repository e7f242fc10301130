package game_test

import (
	"fmt"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/wire"
)

// A producer registration: the record output plus the carrier holding
// the 1 GG fee; the producer's id derives from the carrier's outpoint.
func Example() {
	rec, err := game.RecordOutput(&game.ProducerRegister{Out: 1, ProducerInfo: game.ProducerInfo{Name: "Acme", Share: 15}})
	if err != nil {
		panic(err)
	}
	owner := append([]byte{0x00, 0x14}, make([]byte, 20)...) // P2WPKH
	tx := &wire.MsgTx{Version: 2,
		TxIn:  []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: chainhash.HashH([]byte("funds"))}}},
		TxOut: []*wire.TxOut{rec, {Value: game.ProducerFee, PkScript: owner}}}
	r, idx, err := game.CheckRecord(tx, nil)
	fmt.Println(r.Type(), idx, err)
	fmt.Printf("%x\n", rec.PkScript)
	objs := game.Annotate(tx)
	fmt.Println(objs[1].Kind, objs[1].ID == game.ProducerID(tx.TxHash(), 1))
	// Output:
	// producer-register 0 <nil>
	// 6a0e67670101010441636d650000000f
	// producer true
}

func ExampleDecode() {
	r, err := game.Decode([]byte{0x67, 0x67, 0x01, 0x04, 0x00})
	fmt.Println(r, game.Code(err))
	// Output:
	// <nil> game-bad-record
}
