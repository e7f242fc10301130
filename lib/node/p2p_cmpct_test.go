package node

import (
	"context"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/wire"
)

// childBlock returns a valid empty block on parent (at parent's height
// +1), solved at the regtest proof-of-work limit.
func childBlock(t *testing.T, parent *wire.MsgBlock, height int32, tag byte) *wire.MsgBlock {
	t.Helper()
	cb := &wire.MsgTx{Version: 1, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
		SignatureScript: []byte{0x01, byte(height), tag}, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: chaincfg.RegTestParams.Subsidy(height), PkScript: chaingen.OpTrueP2WSH}}}
	blk := &wire.MsgBlock{Header: wire.BlockHeader{Version: 0x20000000, PrevBlock: parent.BlockHash(), Timestamp: parent.Header.Timestamp + 1,
		Bits: chaincfg.RegTestParams.PowLimitBits}, Transactions: []*wire.MsgTx{cb}}
	blk.Header.MerkleRoot, _ = wire.BlockMerkleRoot(blk.Transactions)
	chaingen.New(chaincfg.RegTestParams).Solve(blk)
	return blk
}

// until reads what the node sends until a pong with nonce (sent by the
// caller after the messages under test: the node handles a peer's
// messages in order) and returns it.
func (f *fakeConn) until(nonce uint64) []msg.Message {
	f.t.Helper()
	f.send(&msg.Ping{Nonce: nonce})
	f.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	defer f.c.SetReadDeadline(time.Time{})
	var got []msg.Message
	for {
		m, _, err := msg.ReadMessage(f.c, f.magic)
		if err != nil {
			f.t.Fatalf("reading from the node: %v", err)
		}
		if p, ok := m.(*msg.Pong); ok && p.Nonce == nonce {
			return got
		}
		got = append(got, m)
	}
}

func hbRequest(ms []msg.Message) bool {
	for _, m := range ms {
		if s, ok := m.(*msg.SendCmpct); ok && s.HighBandwidth {
			return true
		}
	}
	return false
}

// TestCompactBlockPeers: the node asks for high-bandwidth compact blocks
// only from a peer that announced compact block version 2 and gave it a
// new tip; a compact block nobody asked for is stored only if it leads,
// as any unrequested block.
func TestCompactBlockPeers(t *testing.T) {
	n := startP2PNode(t, t.TempDir())
	_, addr := benchKey()
	hs, err := n.Miner.Generate(context.Background(), 30, addr.PkScript())
	if err != nil {
		t.Fatal(err)
	}
	tipBlk, _ := n.Chain.BlockByHash(hs[len(hs)-1])
	height := n.Chain.Best().Height

	// A peer that never sent sendcmpct gives a new tip: no HB request.
	plain := dialFake(t, n, "127.0.0.41")
	plain.handshake()
	b1 := childBlock(t, tipBlk, height+1, 1)
	plain.send(&msg.Block{Block: b1})
	if hbRequest(plain.until(1)) {
		t.Fatal("asked a peer without compact block support for high-bandwidth compact blocks")
	}
	if n.Chain.Best().Hash != b1.BlockHash() {
		t.Fatal("the new block is not the tip")
	}

	// A version-2 peer that gives a new tip is asked.
	v2 := dialFake(t, n, "127.0.0.42")
	v2.handshake()
	v2.send(&msg.SendCmpct{Version: 2})
	b2 := childBlock(t, b1, height+2, 2)
	v2.send(&msg.Block{Block: b2})
	if !hbRequest(v2.until(2)) {
		t.Fatal("the compact-block peer that gave a new tip was not asked for high bandwidth")
	}

	// An unrequested compact block on b1's parent: a branch with less
	// work than the tip, not stored.
	parent, _ := n.Chain.BlockByHash(b1.Header.PrevBlock)
	side := childBlock(t, parent, height+1, 3)
	push := dialFake(t, n, "127.0.0.43")
	push.handshake()
	push.send(&msg.SendCmpct{Version: 2})
	push.send(&msg.CmpctBlock{Header: side.Header, Nonce: 7, Prefilled: []msg.PrefilledTx{{Index: 0, Tx: side.Transactions[0]}}})
	push.until(3)
	if _, _, err := n.Chain.HeaderByHash(side.BlockHash()); err != nil {
		t.Fatalf("the side block's header was not processed: %v", err)
	}
	if n.Chain.HaveBlock(side.BlockHash()) {
		t.Fatal("an unrequested low-work compact block was stored")
	}
	if n.Chain.Best().Hash != b2.BlockHash() {
		t.Fatal("the tip moved")
	}
}
