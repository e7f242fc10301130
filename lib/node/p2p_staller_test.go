package node

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/wire"
)

// stallingPeer listens on loopback as a scripted peer: it completes the
// handshake, answers getheaders with headers, answers pings, and never
// serves a block.
func stallingPeer(t *testing.T, headers []wire.BlockHeader) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	magic := chaincfg.RegTestParams.Net
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				send := func(m msg.Message) { msg.WriteMessage(c, magic, m) }
				for {
					m, _, err := msg.ReadMessage(c, magic)
					if err != nil {
						var me *msg.Error
						if ok := asMsgErr(err, &me); ok && me.Kind == msg.ErrUnknownCommand {
							continue
						}
						return
					}
					switch x := m.(type) {
					case *msg.Version:
						send(&msg.Version{Version: msg.ProtocolVersion, Services: msg.SFNodeNetwork | msg.SFNodeWitness, Nonce: 0x57a11,
							UserAgent: "/staller/", StartHeight: int32(len(headers))})
						send(&msg.Empty{Cmd: msg.CmdVerAck})
					case *msg.GetHeaders:
						send(&msg.Headers{List: headers})
					case *msg.Ping:
						send(&msg.Pong{Nonce: x.Nonce})
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}

// TestP2PStallingPeer: a peer over real TCP announces the whole chain
// and never serves a block; the node syncs from its other peer anyway,
// within a bounded time (the stall timeout moves the window's first block
// on), and ends with nothing asked of the staller.
func TestP2PStallingPeer(t *testing.T) {
	src := startP2PNode(t, t.TempDir())
	_, addr := benchKey()
	if _, err := src.Miner.Generate(context.Background(), 300, addr.PkScript()); err != nil {
		t.Fatal(err)
	}
	var headers []wire.BlockHeader
	for h := int32(1); h <= 300; h++ {
		hash, err := src.Chain.BlockHashByHeight(h)
		if err != nil {
			t.Fatal(err)
		}
		blk, err := src.Chain.BlockByHash(hash)
		if err != nil {
			t.Fatal(err)
		}
		headers = append(headers, blk.Header)
	}
	staller := stallingPeer(t, headers)
	want := src.Chain.Best().Hash
	// The staller first: it gets the first blocks of the window.
	n := startP2PNode(t, t.TempDir(), func(c *Config) { c.P2P.Connect = []string{staller, src.P2PAddrs()[0]} })
	waitUntil(t, "the sync despite the staller", 2*time.Minute, func() bool { return n.Chain.Best().Hash == want })
	waitUntil(t, "no block asked of the staller", time.Minute, func() bool {
		for _, p := range (netBackend{n.net}).Peers() {
			if p.Addr == staller && p.InFlight > 0 {
				return false
			}
		}
		return true
	})
}

func asMsgErr(err error, target **msg.Error) bool { return errors.As(err, target) }
