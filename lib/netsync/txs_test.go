package netsync

import (
	"testing"
	"time"

	"github.com/gamegold/gg/lib/p2p/msg"
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
