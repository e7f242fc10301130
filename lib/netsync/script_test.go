package netsync

import (
	mrand "math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/wire"
)

// scriptPeer is a peer a test drives by hand: a real Host on the SimNet
// (handshake, pings and addresses as any peer) without sync; the test
// writes its messages and reads what it received.
type scriptPeer struct {
	t      *testing.T
	net    *p2p.SimNet
	addr   netip.AddrPort
	host   *p2p.Host
	peer   *p2p.Peer // its end of the connection to the node
	gone   bool
	got    []msg.Message
	height int32 // its version's start height
	// onMsg, when set, sees each message as it arrives (a scripted
	// answer).
	onMsg func(m msg.Message)
}

type scriptProto struct{ sp *scriptPeer }

func (r scriptProto) PeerReady(p *p2p.Peer) { r.sp.peer = p }
func (r scriptProto) PeerGone(p *p2p.Peer) {
	if r.sp.peer == p {
		r.sp.gone = true
	}
}
func (r scriptProto) Receive(_ *p2p.Peer, m msg.Message) {
	r.sp.got = append(r.sp.got, m)
	if r.sp.onMsg != nil {
		r.sp.onMsg(m)
	}
}
func (r scriptProto) Tick(time.Time) {}

// newScriptPeer connects a scripted peer at addr to node n and runs the
// network until both ends are ready.
func newScriptPeer(t *testing.T, net *p2p.SimNet, addr string, n *simNode, height int32) *scriptPeer {
	t.Helper()
	a := netip.MustParseAddrPort(addr)
	sp := &scriptPeer{t: t, net: net, addr: a, height: height}
	sp.host = p2p.NewHost(p2p.Config{Params: params, Clock: net.Clock(), Dialer: net.Dialer(a), Protocol: scriptProto{sp},
		Services: msg.SFNodeNetwork | msg.SFNodeWitness, BestHeight: func() int32 { return sp.height },
		Rand: mrand.New(mrand.NewPCG(uint64(a.Addr().As4()[3]), 9)), Connect: []netip.AddrPort{n.addr}})
	net.Add(a, sp.host)
	if !net.RunUntil(func() bool { return sp.peer != nil && sp.nodePeer(n) != nil }, time.Minute) {
		t.Fatal("the scripted peer did not connect")
	}
	return sp
}

// nodePeer is n's peer for the scripted peer (ready, with sync state).
func (sp *scriptPeer) nodePeer(n *simNode) *p2p.Peer {
	for _, p := range n.host.Peers() {
		if p.Addr.Addr() == sp.addr.Addr() && p.Ready() && p.Data != nil {
			return p
		}
	}
	return nil
}

// send sends m to the node now.
func (sp *scriptPeer) send(ms ...msg.Message) {
	sp.net.After(0, func() {
		for _, m := range ms {
			sp.peer.Send(m)
		}
	})
}

// received returns the messages of command cmd received so far.
func (sp *scriptPeer) received(cmd string) []msg.Message {
	var out []msg.Message
	for _, m := range sp.got {
		if m.Command() == cmd {
			out = append(out, m)
		}
	}
	return out
}

// asked returns the inventory the peer was asked for by getdata.
func (sp *scriptPeer) asked() []msg.InvVect {
	var out []msg.InvVect
	for _, m := range sp.received(msg.CmdGetData) {
		out = append(out, m.(*msg.Inv).List...)
	}
	return out
}

// headersOf returns the headers of n's active chain from height from to
// height to.
func headersOf(t *testing.T, n *simNode, from, to int32) []wire.BlockHeader {
	t.Helper()
	var out []wire.BlockHeader
	for h := from; h <= to; h++ {
		hdr, _, err := n.chain.HeaderByHash(mustHashAt(t, n.chain, h))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, hdr)
	}
	return out
}

// blocksAsked returns the blocks the peer was asked for.
func (sp *scriptPeer) blocksAsked() []chainhash.Hash {
	var out []chainhash.Hash
	for _, v := range sp.asked() {
		switch v.Type {
		case msg.InvBlock, msg.InvWitnessBlock, msg.InvCmpctBlock:
			out = append(out, v.Hash)
		}
	}
	return out
}
