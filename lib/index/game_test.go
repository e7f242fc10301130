package index

import (
	"bytes"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/gcs"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// TestFilterGameOutputs pins what docs/protocol.md says a wallet finds of
// the game layer through filters: the carriers of a created prop and of
// the producer (P2WPKH outputs), the producer carrier spent, a sale's
// seller payment and bought prop — but not the OP_RETURN game record.
func TestFilterGameOutputs(t *testing.T) {
	key := func(s string) []byte { return script.PayToWitnessPubKeyHash(script.Hash160([]byte(s))) }
	producerOld, producerNew, propOwner, seller, buyer := key("producer"), key("producer next"), key("owner"), key("seller"), key("buyer")
	create := &game.PropCreate{Producer: game.ID{1}, ProducerOut: 1, Props: []game.NewProp{{Out: 2, OID: "sword"}}}
	createRec, err := game.RecordScript(create)
	if err != nil {
		t.Fatal(err)
	}
	sale := &game.Sale{Prop: game.ID{2}, BuyNow: 5e8, Reserve: 1e8, End: 100}
	saleRec, err := game.RecordScript(sale)
	if err != nil {
		t.Fatal(err)
	}
	if !game.IsRecordScript(createRec) || createRec[0] != script.OP_RETURN || !game.IsRecordScript(saleRec) {
		t.Fatalf("records are not OP_RETURN outputs: %x %x", createRec, saleRec)
	}
	in := []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash{9}}}}
	blk := &wire.MsgBlock{Transactions: []*wire.MsgTx{
		{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex}}}, TxOut: []*wire.TxOut{{Value: 1, PkScript: key("miner")}}},
		{Version: 2, TxIn: in, TxOut: []*wire.TxOut{{PkScript: createRec}, {Value: 1e8, PkScript: producerNew}, {Value: 1e5, PkScript: propOwner}}},
		{Version: 2, TxIn: in, TxOut: []*wire.TxOut{{PkScript: saleRec}, {Value: 2e8, PkScript: seller}, {Value: 1e5, PkScript: buyer}}},
	}}
	f, err := gcs.BuildBasic(blk, [][]byte{producerOld, seller})
	if err != nil {
		t.Fatal(err)
	}
	k := gcs.BlockKey(blk.BlockHash())
	for name, s := range map[string][]byte{"prop carrier": propOwner, "producer carrier": producerNew,
		"producer carrier spent": producerOld, "seller paid": seller, "prop bought": buyer} {
		if !f.Match(k, s) {
			t.Errorf("%s not in the filter", name)
		}
	}
	for name, s := range map[string][]byte{"PropCreate record": createRec, "Sale record": saleRec, "unrelated": key("nobody")} {
		if f.Match(k, s) {
			t.Errorf("%s in the filter", name)
		}
	}
	if el := gcs.BasicElements(blk, nil); bytes.Contains(bytes.Join(el, nil), createRec) {
		t.Error("the record script is an element")
	}
}
