package rpc

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

func TestTxJSON(t *testing.T) {
	p := chaincfg.RegTestParams
	addr := address.NewP2WPKH(bytes.Repeat([]byte{7}, 20), p)
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.HashH([]byte("x")), Index: 3},
		Witness: wire.TxWitness{{1, 2}, {3}}, Sequence: 0xfffffffd})
	tx.AddTxOut(&wire.TxOut{Value: 150_000_000, PkScript: addr.PkScript()})
	tx.AddTxOut(&wire.TxOut{Value: 0, PkScript: []byte{0x6a, 0x02, 0xbe, 0xef}})
	j := NewTxJSON(tx, p)
	if j.Txid != tx.TxHash().String() || j.Hash == j.Txid {
		t.Fatalf("ids: %s %s", j.Txid, j.Hash)
	}
	if j.Vout[0].ScriptPubKey.Address != addr.String() || j.Vout[0].ScriptPubKey.Type != "witness_v0_keyhash" {
		t.Fatalf("vout0: %+v", j.Vout[0].ScriptPubKey)
	}
	if j.Vout[0].Value != "1.50000000" || j.Vout[1].ScriptPubKey.Type != "nulldata" {
		t.Fatalf("vouts: %+v", j.Vout)
	}
	if *j.Vin[0].Vout != 3 || len(j.Vin[0].TxInWitness) != 2 {
		t.Fatalf("vin: %+v", j.Vin[0])
	}
	b, _ := json.Marshal(j)
	back, err := ParseTx(string(b))
	if err != nil || back.WitnessHash() != tx.WitnessHash() {
		t.Fatalf("ParseTx(JSON): %v", err)
	}
	back, err = ParseTx("  " + j.Hex + "\n")
	if err != nil || back.TxHash() != tx.TxHash() {
		t.Fatalf("ParseTx(hex): %v", err)
	}
}

func TestParseTxErrors(t *testing.T) {
	for _, s := range []string{"", "zz", "{", `{"txid":"00"}`, "0100"} {
		if _, err := ParseTx(s); err == nil {
			t.Errorf("ParseTx(%q) accepted", s)
		}
	}
	if _, err := ParseTx(`{"hex":"00"}`); err == nil || !strings.Contains(err.Error(), "decode") {
		t.Errorf("bad hex inside JSON: %v", err)
	}
}
