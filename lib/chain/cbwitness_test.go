package chain

import (
	"testing"

	"github.com/gamegold/gg/lib/wire"
)

// TestCompleteCoinbaseWitness: only a coinbase with a commitment output
// and no witness gets the reserved value; the block hash stays.
func TestCompleteCoinbaseWitness(t *testing.T) {
	commit := append(append([]byte{}, witnessCommitmentPrefix...), make([]byte, 32)...)
	mk := func(outs ...[]byte) *wire.MsgBlock {
		cb := &wire.MsgTx{Version: 1, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex}, SignatureScript: []byte{1, 2}}}}
		for _, o := range outs {
			cb.TxOut = append(cb.TxOut, &wire.TxOut{PkScript: o})
		}
		return &wire.MsgBlock{Transactions: []*wire.MsgTx{cb}}
	}
	blk := mk([]byte{0x51}, commit)
	h := blk.BlockHash()
	if !CompleteCoinbaseWitness(blk) {
		t.Fatal("a commitment without a witness was left alone")
	}
	if w := blk.Transactions[0].TxIn[0].Witness; len(w) != 1 || len(w[0]) != 32 || w[0][0] != 0 {
		t.Fatalf("witness %x", w)
	}
	if blk.BlockHash() != h {
		t.Fatal("the block hash changed")
	}
	if CompleteCoinbaseWitness(blk) {
		t.Fatal("a coinbase that has its witness was changed")
	}
	if noCommit := mk([]byte{0x51}); CompleteCoinbaseWitness(noCommit) || len(noCommit.Transactions[0].TxIn[0].Witness) != 0 {
		t.Fatal("a coinbase without a commitment got a witness")
	}
	own := mk(commit)
	own.Transactions[0].TxIn[0].Witness = wire.TxWitness{{7}}
	if CompleteCoinbaseWitness(own) || len(own.Transactions[0].TxIn[0].Witness[0]) != 1 {
		t.Fatal("a miner's own (wrong) witness was replaced: the block must fail as sent")
	}
	if CompleteCoinbaseWitness(&wire.MsgBlock{}) {
		t.Fatal("an empty block changed")
	}
}
