package netsync

import (
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/wire"
)

// TestNotFoundBatched: notfound answers (exempt from the message rate)
// do not each rescan the peer's pending announcements; the slots they
// free are refilled once, on the next tick, and every pending
// announcement is still asked for.
func TestNotFoundBatched(t *testing.T) {
	net := newNet()
	n := newSimNode(t, net, "10.0.0.1:2200")
	n.mine(t, 1) // out of initial block download: transactions are asked for
	sp := newScriptPeer(t, net, "10.0.0.50:2200", n, 1)
	const announced = MaxTxInFlight + 50
	inv := &msg.Inv{Cmd: msg.CmdInv}
	for i := range announced {
		inv.List = append(inv.List, msg.InvVect{Type: msg.InvWTx, Hash: hashOf(i)})
	}
	sp.send(inv)
	if !net.RunUntil(func() bool { return len(sp.asked()) == MaxTxInFlight }, time.Minute) {
		t.Fatalf("asked for %d transactions, want %d", len(sp.asked()), MaxTxInFlight)
	}
	net.RunFor(time.Second)
	first := sp.asked()
	before := len(sp.received(msg.CmdGetData))
	var nfs []msg.Message
	for _, v := range first[:50] {
		nfs = append(nfs, &msg.Inv{Cmd: msg.CmdNotFound, List: []msg.InvVect{v}})
	}
	sp.send(nfs...)
	net.RunFor(2 * time.Second)
	getdatas := len(sp.received(msg.CmdGetData)) - before
	if getdatas > 2 {
		t.Errorf("%d getdata messages answered 50 notfounds: each notfound rescanned the pending announcements", getdatas)
	}
	if got := len(sp.asked()); got != announced {
		t.Errorf("asked for %d transactions in all, want every one of the %d announced", got, announced)
	}
}

// TestMempoolMessageOnce: a BIP35 mempool request is answered once per
// connection (each answer scans the whole pool); repeats are ignored.
func TestMempoolMessageOnce(t *testing.T) {
	net := newNet()
	n := newSimNode(t, net, "10.0.0.1:2200")
	n.mine(t, 101)
	tx := spendCoinbase(t, n, 1)
	net.After(0, func() {
		if _, err := n.pool.ProcessTransaction(tx, false); err != nil {
			t.Errorf("the pool refused the tx: %v", err)
		}
	})
	sp := newScriptPeer(t, net, "10.0.0.50:2200", n, 0)
	scans := countScans(n)
	for range 3 {
		sp.send(&msg.Empty{Cmd: msg.CmdMempool})
	}
	net.RunFor(10 * time.Second)
	if scans.scans != 1 {
		t.Errorf("3 mempool requests scanned the pool %d times, want 1", scans.scans)
	}
	announced := false
	for _, m := range sp.received(msg.CmdInv) {
		for _, v := range m.(*msg.Inv).List {
			announced = announced || v.Hash == tx.TxHash() || v.Hash == tx.WitnessHash()
		}
	}
	if !announced {
		t.Error("the pool's transaction was not announced")
	}
}

// spendCoinbase is a transaction spending the coinbase of n's block at
// height h (anyone-can-spend) less a fee.
func spendCoinbase(t *testing.T, n *simNode, h int32) *wire.MsgTx {
	t.Helper()
	blk, err := n.chain.BlockByHash(mustHashAt(t, n.chain, h))
	if err != nil {
		t.Fatal(err)
	}
	cb := blk.Transactions[0]
	return &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()}, Sequence: wire.MaxTxInSequenceNum,
		Witness: wire.TxWitness{chaingen.OpTrueScript}}},
		TxOut: []*wire.TxOut{{Value: cb.TxOut[0].Value - 10_000, PkScript: payTo}}}
}

// gotTx reports whether sp received transaction tx.
func (sp *scriptPeer) gotTx(tx *wire.MsgTx) bool {
	for _, m := range sp.received(msg.CmdTx) {
		if m.(*msg.Tx).Tx.TxHash() == tx.TxHash() {
			return true
		}
	}
	return false
}

// notFound reports whether sp was told the node lacks h.
func (sp *scriptPeer) notFound(h chainhash.Hash) bool {
	for _, m := range sp.received(msg.CmdNotFound) {
		for _, v := range m.(*msg.Inv).List {
			if v.Hash == h {
				return true
			}
		}
	}
	return false
}

// announced reports whether sp was sent an inv naming h.
func (sp *scriptPeer) announced(h chainhash.Hash) bool {
	for _, m := range sp.received(msg.CmdInv) {
		for _, v := range m.(*msg.Inv).List {
			if v.Hash == h {
				return true
			}
		}
	}
	return false
}

// TestGetDataTxPrivacy: a pool transaction is served only to a peer it
// was announced to, or once it has been in the pool for
// UnconditionalRelayDelay; asked for earlier, it is notfound — else
// getdata would tell who had it first, which the trickle hides.
func TestGetDataTxPrivacy(t *testing.T) {
	net := newNet()
	n := newSimNode(t, net, "10.0.0.1:2200")
	n.mine(t, 101)
	sp := newScriptPeer(t, net, "10.0.0.50:2200", n, 101)
	quiet := newScriptPeer(t, net, "10.0.0.51:2200", n, 101)
	quiet.send(&msg.FeeFilter{Rate: ibdFeeFilter}) // announce nothing to it
	net.RunFor(time.Second)
	tx := spendCoinbase(t, n, 1)
	ask := func(sp *scriptPeer) {
		sp.send(&msg.Inv{Cmd: msg.CmdGetData, List: []msg.InvVect{{Type: msg.InvWTx, Hash: tx.WitnessHash()}}})
	}
	net.After(0, func() {
		if _, err := n.pool.ProcessTransaction(tx, false); err != nil {
			t.Errorf("the pool refused the tx: %v", err)
		}
		ask(sp)
		ask(quiet)
	})
	net.RunFor(100 * time.Millisecond)
	for _, p := range []*scriptPeer{sp, quiet} {
		if p.gotTx(tx) || !p.notFound(tx.WitnessHash()) {
			t.Fatalf("%v: a transaction not announced to it was served (or not refused)", p.addr)
		}
	}
	if !net.RunUntil(func() bool { return sp.announced(tx.WitnessHash()) }, time.Minute) {
		t.Fatal("the transaction was not announced")
	}
	ask(sp)
	ask(quiet)
	net.RunFor(time.Second)
	if !sp.gotTx(tx) {
		t.Fatal("a transaction announced to the peer was not served")
	}
	// Announced by wtxid, asked by txid (an orphan's parent): served.
	sp.send(&msg.Inv{Cmd: msg.CmdGetData, List: []msg.InvVect{{Type: msg.InvWitnessTx, Hash: tx.TxHash()}}})
	net.RunFor(time.Second)
	if k := len(sp.received(msg.CmdTx)); k != 2 {
		t.Fatalf("%d tx messages, want 2: asked by txid after its wtxid was announced, it was not served", k)
	}
	if quiet.gotTx(tx) {
		t.Fatal("served to a peer it was not announced to, before the delay")
	}
	net.RunFor(UnconditionalRelayDelay)
	ask(quiet)
	net.RunFor(time.Second)
	if !quiet.gotTx(tx) {
		t.Fatalf("not served after %v in the pool", UnconditionalRelayDelay)
	}
}
