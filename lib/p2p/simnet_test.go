package p2p

import (
	mrand "math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/wire"
)

func simPair(t *testing.T, n *SimNet) (a, b *Host, pa, pb *recProto) {
	t.Helper()
	pa, pb = &recProto{}, &recProto{}
	mk := func(addr string, p *recProto, seed uint64) *Host {
		ap := netip.MustParseAddrPort(addr)
		h := NewHost(Config{Params: chaincfg.RegTestParams, Clock: n.Clock(), Dialer: n.Dialer(ap), Protocol: p,
			ListenPort: ap.Port(), Rand: mrand.New(mrand.NewPCG(seed, 1)), Nonce: seed})
		n.Add(ap, h)
		return h
	}
	a, b = mk("10.0.0.1:2200", pa, 1), mk("10.0.0.2:2200", pb, 2)
	n.Connect(netip.MustParseAddrPort("10.0.0.1:2200"), netip.MustParseAddrPort("10.0.0.2:2200"))
	if !n.RunUntil(func() bool { return len(pa.ready) == 1 && len(pb.ready) == 1 }, time.Minute) {
		t.Fatal("no handshake")
	}
	return a, b, pa, pb
}

// TestSimNetIdleTicks: a Host that Quiet calls quiet is ticked only every
// IdleTickEvery; the others, and all without Quiet, every TickEvery.
func TestSimNetIdleTicks(t *testing.T) {
	n := NewSimNet(time.Unix(1_700_000_000, 0))
	a, _, pa, pb := simPair(t, n)
	n.IdleTickEvery = time.Second
	n.Quiet = func(h *Host) bool { return h == a }
	ta, tb := pa.ticks, pb.ticks
	n.RunFor(10 * time.Second)
	if got := pa.ticks - ta; got < 9 || got > 11 {
		t.Errorf("quiet Host ticked %d times in 10 s, want 10 (every second)", got)
	}
	if got := pb.ticks - tb; got < 99 || got > 101 {
		t.Errorf("busy Host ticked %d times in 10 s, want 100 (every 100 ms)", got)
	}
	n.Quiet = nil
	ta = pa.ticks
	n.RunFor(10 * time.Second)
	if got := pa.ticks - ta; got < 99 || got > 101 {
		t.Errorf("without Quiet a Host ticked %d times in 10 s, want 100", got)
	}
}

// TestSimNetSharedDecode: with ShareDecoded, the receivers of one
// transaction's payload get one decoded value; without it, or for
// another payload, their own.
func TestSimNetSharedDecode(t *testing.T) {
	for _, share := range []bool{true, false} {
		n := NewSimNet(time.Unix(1_700_000_000, 0))
		n.ShareDecoded = share
		a, _, _, pb := simPair(t, n)
		tx := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{Sequence: 1}}, TxOut: []*wire.TxOut{{Value: 5, PkScript: []byte{0x51}}}}
		other := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{Sequence: 2}}, TxOut: []*wire.TxOut{{Value: 5, PkScript: []byte{0x51}}}}
		p := a.Peers()[0]
		pb.got = nil
		p.Send(&msg.Tx{Tx: tx})
		p.Send(&msg.Tx{Tx: tx})
		p.Send(&msg.Tx{Tx: other})
		if !n.RunUntil(func() bool { return len(pb.got) == 3 }, time.Minute) {
			t.Fatalf("share %v: %d of 3 messages arrived", share, len(pb.got))
		}
		x, y, z := pb.got[0].(*msg.Tx).Tx, pb.got[1].(*msg.Tx).Tx, pb.got[2].(*msg.Tx).Tx
		if (x == y) != share {
			t.Errorf("share %v: the same payload decoded to one value: %v", share, x == y)
		}
		if x == z || z.TxHash() != other.TxHash() || x.TxHash() != tx.TxHash() {
			t.Errorf("share %v: another payload shares a value or a value is wrong", share)
		}
	}
}
