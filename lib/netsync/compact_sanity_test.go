package netsync

import (
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/wire"
)

// TestCompactBlockBodyChecked: a compact block that extends our tip but
// whose body breaks a rule of its own — a second coinbase, or a
// transaction list mutated without changing the merkle root (the last
// transaction repeated) — is never relayed ahead of validation to a
// high-bandwidth peer, and its sender loses the connection.
func TestCompactBlockBodyChecked(t *testing.T) {
	filler := func(b byte) *wire.MsgTx {
		return &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: [32]byte{b}, Index: 1}}},
			TxOut: []*wire.TxOut{{Value: 1000, PkScript: []byte{0x51}}}}
	}
	for name, munge := range map[string]func(*wire.MsgBlock){
		"second coinbase": func(b *wire.MsgBlock) {
			cb := b.Transactions[0].Copy()
			cb.TxIn[0].SignatureScript = append(cb.TxIn[0].SignatureScript, 0x51)
			b.Transactions = append(b.Transactions, cb)
		},
		"mutated list": func(b *wire.MsgBlock) {
			x, y := filler(1), filler(2)
			b.Transactions = append(b.Transactions, x, y, y) // same root as [cb x y]
		},
	} {
		t.Run(name, func(t *testing.T) {
			net := newNet()
			n := newSimNode(t, net, "10.0.0.1:2200")
			hb := newScriptPeer(t, net, "10.0.0.60:2200", n, 0)
			hb.send(&msg.SendCmpct{HighBandwidth: true, Version: 2})
			net.RunFor(time.Second)
			if p := hb.nodePeer(n); p == nil || !p.CmpctHB {
				t.Fatal("the high-bandwidth peer is not one")
			}
			// A recent block first: out of initial block download, the
			// node relays a compact block ahead of validation.
			g := chaingen.New(params)
			now := func(b *wire.MsgBlock) { b.Header.Timestamp = uint32(net.Now().Unix()) }
			if _, _, err := n.chain.ProcessBlock(g.NextBlock("good", nil, now), 0); err != nil {
				t.Fatal(err)
			}
			if n.chain.IsInitialBlockDownload() {
				t.Fatal("still in initial block download")
			}
			bad := g.NextBlock("bad", nil, func(b *wire.MsgBlock) { now(b); b.Header.Timestamp++; munge(b) })
			if root, _ := wire.BlockMerkleRoot(bad.Transactions); root != bad.Header.MerkleRoot {
				t.Fatal("the test block's merkle root does not match its transactions")
			}
			c := &msg.CmpctBlock{Header: bad.Header, Nonce: 3}
			for i, tx := range bad.Transactions {
				c.Prefilled = append(c.Prefilled, msg.PrefilledTx{Index: uint16(i), Tx: tx})
			}
			sp := newScriptPeer(t, net, "10.0.0.50:2200", n, 2)
			sp.send(c)
			net.RunFor(10 * time.Second)
			for _, m := range hb.received(msg.CmdCmpctBlock) {
				if m.(*msg.CmpctBlock).Header.BlockHash() == bad.BlockHash() {
					t.Errorf("the invalid block was relayed to the high-bandwidth peer")
				}
			}
			if sp.nodePeer(n) != nil {
				if name == "mutated list" {
					// Asked whole (as for a short-id collision): the whole
					// block then costs the connection.
					sp.send(&msg.Block{Block: bad})
					net.RunFor(10 * time.Second)
				}
				if sp.nodePeer(n) != nil {
					t.Errorf("the sender of the invalid block is still connected")
				}
			}
			if n.height() != 1 {
				t.Fatalf("height %d", n.height())
			}
		})
	}
}
