package node

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
)

// socksProxy is a SOCKS5 server on 127.0.0.1 (no authentication, CONNECT
// only) that records what it was asked to reach; refuse makes it answer
// every request with "connection refused" (reply 5).
type socksProxy struct {
	l      net.Listener
	refuse bool
	mu     sync.Mutex
	asked  []string
}

func startSocksProxy(t *testing.T, refuse bool) *socksProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &socksProxy{l: l, refuse: refuse}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *socksProxy) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.asked...)
}

func (p *socksProxy) serve(c net.Conn) {
	defer c.Close()
	var hello [2]byte
	if _, err := io.ReadFull(c, hello[:]); err != nil || hello[0] != 5 {
		return
	}
	methods := make([]byte, hello[1])
	if _, err := io.ReadFull(c, methods); err != nil {
		return
	}
	c.Write([]byte{5, 0})
	var head [4]byte
	if _, err := io.ReadFull(c, head[:]); err != nil || head[1] != 1 {
		return
	}
	var host string
	switch head[3] {
	case 1:
		var a [4]byte
		io.ReadFull(c, a[:])
		host = netip.AddrFrom4(a).String()
	case 4:
		var a [16]byte
		io.ReadFull(c, a[:])
		host = netip.AddrFrom16(a).String()
	case 3:
		var l [1]byte
		io.ReadFull(c, l[:])
		b := make([]byte, l[0])
		io.ReadFull(c, b)
		host = string(b)
	default:
		return
	}
	var pb [2]byte
	if _, err := io.ReadFull(c, pb[:]); err != nil {
		return
	}
	target := net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(pb[:]))))
	p.mu.Lock()
	p.asked = append(p.asked, target)
	p.mu.Unlock()
	if p.refuse {
		c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	up, err := net.Dial("tcp", target)
	if err != nil {
		c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	defer up.Close()
	c.Write([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 0})
	go io.Copy(up, c)
	io.Copy(c, up)
}

// TestSocks5Proxy: with --proxy every outbound connection goes through
// the SOCKS5 proxy, and the node syncs through it; a proxy that cannot
// connect gives a clear error and no peer.
func TestSocks5Proxy(t *testing.T) {
	src := startP2PNode(t, t.TempDir())
	_, addr := benchKey()
	if _, err := src.Miner.Generate(context.Background(), 50, addr.PkScript()); err != nil {
		t.Fatal(err)
	}
	want := src.Chain.Best().Hash
	target := src.P2PAddrs()[0]

	proxy := startSocksProxy(t, false)
	n := startP2PNode(t, t.TempDir(), func(c *Config) {
		c.P2P.Proxy = proxy.l.Addr().String()
		c.P2P.Connect = []string{target}
	})
	waitUntil(t, "the sync through the proxy", 30*time.Second, func() bool { return n.Chain.Best().Hash == want })
	if got := proxy.requests(); len(got) == 0 || got[0] != target {
		t.Fatalf("the proxy was asked for %v, want %s", got, target)
	}
	// Behind the proxy the node keeps its address to itself: its one
	// peer, the one it dialled, does not dial back.
	for _, p := range (netBackend{n.net}).Peers() {
		if p.Addr != target || p.Inbound {
			t.Errorf("peer %s (inbound %v): want only %s, outbound", p.Addr, p.Inbound, target)
		}
	}

	// A peer named by host name is refused behind a proxy (its lookup
	// would not go through it), at start and in the addnode RPC.
	_, err := New(Config{Params: chaincfg.RegTestParams, DataDir: t.TempDir(), RPCListen: "127.0.0.1:0", NoWallet: true,
		P2P: P2PConfig{Listen: []string{"127.0.0.1:0"}, Proxy: proxy.l.Addr().String(), Connect: []string{"localhost:" + strings.Split(target, ":")[1]}}})
	if !errors.Is(err, ErrProxyName) {
		t.Fatalf("--connect by name behind a proxy: %v", err)
	}
	if err := (netBackend{n.net}).AddNode("localhost:1", "onetry"); err == nil || !strings.Contains(err.Error(), ErrProxyName.Error()) {
		t.Fatalf("addnode by name behind a proxy: %v", err)
	}

	// The refusing proxy: the dialer says why; the node has no peer.
	bad := startSocksProxy(t, true)
	_, err = socks5Dialer(bad.l.Addr().String())(context.Background(), "tcp", target)
	if err == nil || !strings.Contains(err.Error(), "could not connect (reply 5)") {
		t.Fatalf("dial through a refusing proxy: %v", err)
	}
	m := startP2PNode(t, t.TempDir(), func(c *Config) {
		c.P2P.Proxy = bad.l.Addr().String()
		c.P2P.Connect = []string{target}
	})
	waitUntil(t, "a connection attempt through the refusing proxy", 30*time.Second, func() bool { return len(bad.requests()) > 1 })
	if ps := (netBackend{m.net}).Peers(); len(ps) != 0 || m.Chain.Best().Height != 0 {
		t.Fatalf("peers %v, height %d: want none through a refusing proxy", ps, m.Chain.Best().Height)
	}
}

// TestSocks5DialerRefusesNames: the dialer takes only IP:port (peers
// behind a proxy are named by address); a host name is refused before
// the proxy is contacted, never passed to it for resolution.
func TestSocks5DialerRefusesNames(t *testing.T) {
	proxy := startSocksProxy(t, true)
	for _, addr := range []string{"localhost:8444", "peer.example:1", "not an address"} {
		_, err := socks5Dialer(proxy.l.Addr().String())(context.Background(), "tcp", addr)
		if err == nil {
			t.Errorf("dial %q through the proxy: no error", addr)
		}
	}
	// The proxy records a request before it answers, and the dialer
	// waits for the answer: what it was asked is complete here.
	_, err := socks5Dialer(proxy.l.Addr().String())(context.Background(), "tcp", "127.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), "reply 5") {
		t.Fatalf("dial by address through a refusing proxy: %v", err)
	}
	if got := proxy.requests(); len(got) != 1 || got[0] != "127.0.0.1:1" {
		t.Fatalf("the proxy was asked for %v, want only 127.0.0.1:1", got)
	}
}
