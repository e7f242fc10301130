package p2p

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
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
	a := startTCPNode(t)
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
	_ = a
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
