package p2p

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/p2p/msg"
)

var regtestMagic = chaincfg.RegTestParams.Net

// tcpNode is a Host on real sockets for tests.
type tcpNode struct {
	host   *Host
	tcp    *TCP
	addr   netip.AddrPort
	cancel context.CancelFunc
	done   chan struct{}
}

func startTCPNode(t *testing.T, mod ...func(*Config)) *tcpNode {
	t.Helper()
	tcp := NewTCP(regtestMagic, nil)
	la, err := tcp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ap := netip.MustParseAddrPort(la.String())
	cfg := Config{Params: chaincfg.RegTestParams, Dialer: tcp, ListenPort: ap.Port(), UserAgent: "/test/"}
	for _, m := range mod {
		m(&cfg)
	}
	h := NewHost(cfg)
	tcp.SetHost(h)
	ctx, cancel := context.WithCancel(context.Background())
	n := &tcpNode{host: h, tcp: tcp, addr: ap, cancel: cancel, done: make(chan struct{})}
	go func() { tcp.Run(ctx, 50*time.Millisecond); close(n.done) }()
	t.Cleanup(func() { cancel(); <-n.done })
	return n
}

// waitFor polls cond on the node's loop until it holds or the time is up.
func (n *tcpNode) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok := false
		n.tcp.Do(func() { ok = cond() })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func readyPeers(h *Host) int {
	k := 0
	for _, p := range h.Peers() {
		if p.Ready() {
			k++
		}
	}
	return k
}

func TestTCPHandshake(t *testing.T) {
	b := startTCPNode(t, func(c *Config) { c.BestHeight = func() int32 { return 12 } })
	// b adds a as a persistent peer through --addnode's path.
	a2 := startTCPNode(t, func(c *Config) { c.AddNodes = []netip.AddrPort{b.addr} })
	a2.waitFor(t, "handshake with b", func() bool { return readyPeers(a2.host) == 1 })
	b.waitFor(t, "inbound from a2", func() bool { return readyPeers(b.host) == 1 })
	var p *Peer
	a2.tcp.Do(func() { p = a2.host.Peers()[0] })
	if p.StartHeight != 12 || !p.Persistent {
		t.Fatalf("peer %+v", p)
	}
	sent, recv, ok := ConnStats(p)
	if !ok || sent == 0 || recv == 0 {
		t.Fatalf("byte counts %d %d %v", sent, recv, ok)
	}
}

// fakePeer dials node from a chosen loopback address and speaks raw
// bytes.
func fakePeer(t *testing.T, node *tcpNode, from string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", node.addr.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedByPeer reports whether the node closed c (a read sees EOF or a
// reset within the time).
func closedByPeer(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

func handshake(t *testing.T, c net.Conn) {
	t.Helper()
	msg.WriteMessage(c, regtestMagic, &msg.Version{Version: msg.ProtocolVersion, Nonce: 77, UserAgent: "/fake/"})
	msg.WriteMessage(c, regtestMagic, &msg.Empty{Cmd: msg.CmdVerAck})
}

// TestTCPAdversarial: garbage, a wrong magic, an oversized length, a bad
// checksum and a malformed payload each end the connection; the node
// stays up; a malformed payload bans the address, the framing errors
// only add to the score.
func TestTCPAdversarial(t *testing.T) {
	node := startTCPNode(t)
	good := msg.Encode(regtestMagic, &msg.Ping{Nonce: 1})
	badSum := append([]byte(nil), good...)
	badSum[len(badSum)-1] ^= 0xff
	oversized := msg.AppendHeader(nil, regtestMagic, msg.CmdHeaders, nil)
	binary.LittleEndian.PutUint32(oversized[16:], 1<<30)
	malformed := append(msg.AppendHeader(nil, regtestMagic, msg.CmdHeaders, []byte{0xfd, 0x01, 0x00}), 0xfd, 0x01, 0x00)
	cases := []struct {
		name   string
		from   string
		bytes  []byte
		banned bool
	}{
		{"garbage", "127.0.0.11", bytes.Repeat([]byte{0x42}, 200), false},
		{"wrong magic", "127.0.0.12", msg.Encode(chaincfg.MainNetParams.Net, &msg.Ping{}), false},
		{"oversized", "127.0.0.13", oversized, false},
		{"bad checksum", "127.0.0.14", badSum, false},
		{"malformed payload", "127.0.0.15", malformed, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn := fakePeer(t, node, c.from)
			handshake(t, conn)
			conn.Write(c.bytes)
			if !closedByPeer(conn) {
				t.Fatal("connection kept")
			}
			node.waitFor(t, "the peer to leave", func() bool { return len(node.host.Peers()) == 0 })
			banned := false
			node.tcp.Do(func() { banned = node.host.Bans().Banned(netip.MustParseAddr(c.from), node.host.Now()) })
			if banned != c.banned {
				t.Fatalf("banned %v, want %v", banned, c.banned)
			}
		})
	}
	// The banned address cannot come back; others can.
	again := fakePeer(t, node, "127.0.0.15")
	if !closedByPeer(again) {
		t.Fatal("banned address reconnected")
	}
	ok := fakePeer(t, node, "127.0.0.11")
	handshake(t, ok)
	node.waitFor(t, "a framing offender's reconnect", func() bool { return readyPeers(node.host) == 1 })
}

// TestTCPSendQueueBound: a peer that never reads is disconnected once its
// queue passes the bound, instead of growing the node's memory.
func TestTCPSendQueueBound(t *testing.T) {
	node := startTCPNode(t)
	node.tcp.MaxSendQueue = 64 << 10
	conn := fakePeer(t, node, "127.0.0.21")
	handshake(t, conn)
	node.waitFor(t, "handshake", func() bool { return readyPeers(node.host) == 1 })
	big := &msg.Addr{}
	for i := range msg.MaxAddr {
		big.List = append(big.List, msg.TimedAddress{NetAddress: msg.NetAddress{Addr: netip.AddrFrom4([4]byte{1, 2, byte(i >> 8), byte(i)}), Port: 1}})
	}
	for i := 0; i < 200; i++ {
		gone := false
		node.tcp.Do(func() {
			ps := node.host.Peers()
			if len(ps) == 0 {
				gone = true
				return
			}
			ps[0].Send(big)
		})
		if gone {
			return
		}
	}
	node.waitFor(t, "the stalled peer's disconnection", func() bool { return len(node.host.Peers()) == 0 })
}

// blockingProto holds the loop in its first Receive until release closes.
type blockingProto struct {
	entered chan struct{}
	release chan struct{}
	got     []msg.Message
}

func (b *blockingProto) PeerReady(*Peer) {}
func (b *blockingProto) PeerGone(*Peer)  {}
func (b *blockingProto) Tick(time.Time)  {}
func (b *blockingProto) Receive(_ *Peer, m msg.Message) {
	if len(b.got) == 0 {
		close(b.entered)
		<-b.release
	}
	b.got = append(b.got, m)
}

// TestTCPReadAhead: while the loop handles a peer's message, the peer's
// next one is read ahead within the shared budget, and no more; the
// rest stay in the socket until the loop catches up, and all arrive in
// order.
func TestTCPReadAhead(t *testing.T) {
	proto := &blockingProto{entered: make(chan struct{}), release: make(chan struct{})}
	n := startTCPNode(t, func(c *Config) { c.Protocol = proto })
	c, err := net.Dial("tcp", n.addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	send := func(m msg.Message) {
		if _, err := msg.WriteMessage(c, regtestMagic, m); err != nil {
			t.Fatal(err)
		}
	}
	send(&msg.Version{Version: msg.ProtocolVersion, Nonce: 99, UserAgent: "/fake/"})
	send(&msg.Empty{Cmd: msg.CmdVerAck})
	n.waitFor(t, "the handshake", func() bool { return readyPeers(n.host) == 1 })
	var before uint64
	n.tcp.Do(func() { before, _, _ = connRecv(n.host) })
	const k = 10
	invs := make([]*msg.Inv, k)
	frame := 0
	for i := range invs {
		invs[i] = &msg.Inv{Cmd: msg.CmdInv, List: []msg.InvVect{{Type: msg.InvTx, Hash: [32]byte{byte(i)}}}}
		frame = msg.HeaderSize + len(msg.Payload(invs[i]))
		send(invs[i])
	}
	<-proto.entered
	// The loop is stuck in the first inv: the reader has the second
	// (within the budget) and waits; give it time to read more if it
	// wrongly would. Both payloads are reserved: the one the loop
	// handles and the one read ahead.
	time.Sleep(200 * time.Millisecond)
	if got := n.tcp.ahead.Load(); got != int64(2*(frame-msg.HeaderSize)) {
		t.Errorf("read-ahead reserve %d bytes, want two invs' payloads (%d)", got, 2*(frame-msg.HeaderSize))
	}
	after, _, _ := connRecvUnlocked(n.host)
	if read := after - before; read > uint64(2*frame) {
		t.Errorf("read %d bytes of %d-byte frames while the loop was busy: more than two messages", read, frame)
	}
	close(proto.release)
	n.waitFor(t, "every inv", func() bool { return len(proto.got) == k })
	for i, m := range proto.got {
		if inv := m.(*msg.Inv); inv.List[0].Hash[0] != byte(i) {
			t.Fatalf("message %d out of order", i)
		}
	}
	if got := n.tcp.ahead.Load(); got != 0 {
		t.Fatalf("read-ahead reserve %d after the loop caught up", got)
	}
}

// connRecv returns the bytes read from the host's one peer (on the loop).
func connRecv(h *Host) (uint64, uint64, bool) {
	for _, p := range h.Peers() {
		sent, recv, ok := ConnStats(p)
		return recv, sent, ok
	}
	return 0, 0, false
}

// connRecvUnlocked reads the counters while the loop is busy (they are
// atomics; the peer map is not changing: the loop is blocked).
func connRecvUnlocked(h *Host) (uint64, uint64, bool) { return connRecv(h) }

// TestTCPPeerSendState: a peer that does not read has bytes queued
// (SendQueued); once disconnected it is Closed, and a message sent to it
// then is dropped before it is encoded or queued.
func TestTCPPeerSendState(t *testing.T) {
	node := startTCPNode(t)
	conn := fakePeer(t, node, "127.0.0.22")
	handshake(t, conn)
	node.waitFor(t, "handshake", func() bool { return readyPeers(node.host) == 1 })
	big := &msg.Addr{}
	for i := range msg.MaxAddr {
		big.List = append(big.List, msg.TimedAddress{NetAddress: msg.NetAddress{Addr: netip.AddrFrom4([4]byte{1, 2, byte(i >> 8), byte(i)}), Port: 1}})
	}
	var p *Peer
	node.tcp.Do(func() { p = node.host.Peers()[0] })
	queued := 0
	for i := 0; i < 400 && queued == 0; i++ {
		node.tcp.Do(func() {
			if p.Closed() {
				t.Fatal("closed before the queue filled")
			}
			p.Send(big)
			queued = p.SendQueued()
		})
	}
	if queued == 0 {
		t.Fatal("nothing queued for a peer that does not read")
	}
	node.tcp.Do(func() {
		node.host.Disconnect(p, "test")
		if !p.Closed() {
			t.Error("not closed after Disconnect")
		}
		before := p.SendQueued()
		p.Send(big)
		if after := p.SendQueued(); after != before {
			t.Errorf("send to a closed peer queued %d bytes", after-before)
		}
	})
}

// TestTCPReadAheadBudget: every message's payload is reserved before it
// is read, the first one too; with the budget spent, a reader waits
// before reading a payload until the budget frees, then delivers.
func TestTCPReadAheadBudget(t *testing.T) {
	proto := &blockingProto{entered: make(chan struct{}), release: make(chan struct{})}
	n := startTCPNode(t, func(c *Config) { c.Protocol = proto })
	unblock := sync.OnceFunc(func() { close(proto.release) })
	t.Cleanup(unblock) // before the node stops, whatever fails
	c := fakePeer(t, n, "127.0.0.23")
	handshake(t, c)
	n.waitFor(t, "the handshake", func() bool { return readyPeers(n.host) == 1 })
	// The budget is spent elsewhere: the inv waits for it.
	if !n.tcp.acquire(ReadAheadBudget, nil) {
		t.Fatal("budget not free")
	}
	inv := &msg.Inv{Cmd: msg.CmdInv, List: []msg.InvVect{{Type: msg.InvTx, Hash: [32]byte{1}}}}
	payload := int64(len(msg.Payload(inv)))
	if _, err := msg.WriteMessage(c, regtestMagic, inv); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for n.tcp.aheadWaiting.Load() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the reader did not wait for the read-ahead budget")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case <-proto.entered:
		t.Fatal("a message read beyond the budget")
	default:
	}
	n.tcp.release(ReadAheadBudget)
	<-proto.entered
	// The loop handles it: its payload is reserved until it is done.
	if got := n.tcp.ahead.Load(); got != payload {
		t.Errorf("reserve %d bytes while the loop handles the only message, want its payload (%d)", got, payload)
	}
	unblock()
	n.waitFor(t, "the inv", func() bool { return len(proto.got) == 1 })
	if got := n.tcp.ahead.Load(); got != 0 {
		t.Fatalf("read-ahead reserve %d after the loop caught up", got)
	}
}

// TestTCPReadAheadIdleAnnouncers: more connections than the read-ahead
// budget has room for announce max-size payloads (headers only) and
// send nothing more; they hold only what they sent, so an honest peer
// still completes its handshake and has its ping answered. Finishing or
// closing the announcements returns every reserved byte.
func TestTCPReadAheadIdleAnnouncers(t *testing.T) {
	n := startTCPNode(t)
	// Announcements adding up to the whole budget, and two more.
	var sizes []int
	for rest := ReadAheadBudget; rest > 0; rest -= sizes[len(sizes)-1] {
		sizes = append(sizes, min(rest, msg.MaxPayload))
	}
	sizes = append(sizes, msg.MaxPayload, msg.MaxPayload)
	idle := len(sizes)
	conns := make([]net.Conn, idle)
	for i, size := range sizes {
		conns[i] = fakePeer(t, n, fmt.Sprintf("127.0.0.%d", 40+i))
		header := msg.AppendHeader(nil, regtestMagic, "gossip", make([]byte, size))
		if _, err := conns[i].Write(header); err != nil {
			t.Fatal(err)
		}
	}
	n.waitFor(t, "every announcement's header", func() bool {
		return n.tcp.BytesRecv.Load() >= uint64(idle*msg.HeaderSize)
	})

	// The honest peer: handshake, then a ping answered within the wait.
	c := fakePeer(t, n, "127.0.0.30")
	handshake(t, c)
	if _, err := msg.WriteMessage(c, regtestMagic, &msg.Ping{Nonce: 4242}); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		m, _, err := msg.ReadMessage(c, regtestMagic)
		if err != nil {
			t.Fatalf("honest peer not served while %d peers announce payloads of up to %d bytes: %v (read-ahead reserve %d, readers waiting %d)",
				idle, msg.MaxPayload, err, n.tcp.ahead.Load(), n.tcp.aheadWaiting.Load())
		}
		if p, ok := m.(*msg.Pong); ok && p.Nonce == 4242 {
			break
		}
	}

	// One announcer delivers its payload (an unknown command, dropped);
	// the others hang up: nothing stays reserved.
	if _, err := conns[0].Write(make([]byte, sizes[0])); err != nil {
		t.Fatal(err)
	}
	for _, a := range conns[1:] {
		a.Close()
	}
	n.waitFor(t, "the announcers' reserve back", func() bool { return n.tcp.ahead.Load() == 0 })
}

// TestTCPReadAheadGrowth: payloads reserved as they arrive could leave
// the budget held by readers that each wait for more of it; a message
// whose reading has begun therefore completes beyond the budget, one at
// a time, while new messages still wait for it. Two peers send 1 MB
// with two read steps of budget left: both are read, then a ping each.
func TestTCPReadAheadGrowth(t *testing.T) {
	n := startTCPNode(t)
	a := fakePeer(t, n, "127.0.0.24")
	b := fakePeer(t, n, "127.0.0.25")
	handshake(t, a)
	handshake(t, b)
	n.waitFor(t, "both handshakes", func() bool { return readyPeers(n.host) == 2 })
	hold := int64(ReadAheadBudget - 2*msg.ReadChunk)
	if !n.tcp.acquire(hold, nil) {
		t.Fatal("budget not free")
	}
	released := false
	t.Cleanup(func() {
		if !released {
			n.tcp.release(hold)
		}
	})
	big := msg.AppendHeader(nil, regtestMagic, "gossip", make([]byte, 1<<20))
	big = append(big, make([]byte, 1<<20)...)
	for i, c := range []net.Conn{a, b} {
		go func() {
			c.Write(big)
			msg.WriteMessage(c, regtestMagic, &msg.Ping{Nonce: uint64(100 + i)})
		}()
	}
	for i, c := range []net.Conn{a, b} {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			m, _, err := msg.ReadMessage(c, regtestMagic)
			if err != nil {
				t.Fatalf("peer %d: no pong after its 1 MB message with %d bytes of budget free: %v (reserve %d, readers waiting %d)",
					i, 2*msg.ReadChunk, err, n.tcp.ahead.Load(), n.tcp.aheadWaiting.Load())
			}
			if p, ok := m.(*msg.Pong); ok && p.Nonce == uint64(100+i) {
				break
			}
		}
	}
	// Past the budget by at most one message, and all of it returned.
	if peak := n.tcp.aheadPeak.Load(); peak > ReadAheadBudget+msg.MaxPayload {
		t.Errorf("read-ahead reserve reached %d bytes, more than the budget and one message (%d)", peak, ReadAheadBudget+msg.MaxPayload)
	}
	n.tcp.release(hold)
	released = true
	n.waitFor(t, "the reserve back", func() bool { return n.tcp.ahead.Load() == 0 })
}
