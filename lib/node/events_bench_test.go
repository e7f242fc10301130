package node

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
)

// BenchmarkEventsBlockConnect connects 30 blocks of 2,000 signed
// transactions (heavyBlocks 201–230) with 0 or 100 WebSocket
// subscribers and reports the block-connect rate and the events
// delivered per second. "blocks" subscribers follow blocks and watch an
// address no transaction pays (a wallet's view: one event per block
// each); "alltxs" subscribers watch the address every transaction pays
// (2,001 events per block each).
func BenchmarkEventsBlockConnect(b *testing.B) {
	hc := heavyBlocks()
	payAddr, _ := address.FromPkScript(hc.key.P2WPKH(), chaincfg.RegTestParams)
	idle := address.NewP2WPKH(make([]byte, 20), chaincfg.RegTestParams)
	const first, last = 201, 230
	for _, bc := range []struct {
		name  string
		subs  int
		watch string
	}{
		{"subscribers=0", 0, ""},
		{"subscribers=100/blocks", 100, idle.String()},
		{"subscribers=100/alltxs", 100, payAddr.String()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var connect, deliver, feed time.Duration
			var events int64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				n, err := New(Config{Params: chaincfg.RegTestParams, DataDir: b.TempDir(), RPCListen: "127.0.0.1:0", NoSync: true,
					NoWallet: true, P2P: P2PConfig{Disabled: true}, RPCLimits: rpc.Limits{MaxConns: 256, MaxConnsPerIP: 256}})
				if err != nil {
					b.Fatal(err)
				}
				loadBlocks(b, n, hc.blocks[:first-1])
				c, err := rpc.Discover("", n.cfg.DataDir)
				if err != nil {
					b.Fatal(err)
				}
				var got atomic.Int64
				var wg sync.WaitGroup
				lastHash := hc.blocks[last-1].BlockHash().String()
				for range bc.subs {
					conn := benchSubscriber(b, c, bc.watch)
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							_, msg, err := conn.Read(context.Background())
							if err != nil {
								return
							}
							got.Add(1)
							if strings.Contains(string(msg), `"block.connected"`) && strings.Contains(string(msg), lastHash) {
								conn.CloseNow()
								return
							}
						}
					}()
				}
				feed0 := n.feed.noteNanos.Load()
				b.StartTimer()
				start := time.Now()
				loadBlocks(b, n, hc.blocks[first-1:last])
				connect += time.Since(start)
				wg.Wait()
				deliver += time.Since(start)
				b.StopTimer()
				events += got.Load()
				feed += time.Duration(n.feed.noteNanos.Load() - feed0)
				n.Close()
			}
			blocks := float64(b.N * (last - first + 1))
			b.ReportMetric(blocks/connect.Seconds(), "blocks/s")
			// The feed's synchronous share of connecting a block: the
			// only part of the events on the chain's path.
			b.ReportMetric(float64(feed.Milliseconds())/blocks, "feed-ms/block")
			b.ReportMetric(100*feed.Seconds()/connect.Seconds(), "feed-%")
			if bc.subs > 0 {
				b.ReportMetric(float64(events)/deliver.Seconds(), "events/s")
				b.ReportMetric(float64(events)/blocks/float64(bc.subs), "events/block/sub")
			}
		})
	}
}

// benchSubscriber dials the node's /ws and subscribes to blocks, and to
// the txs paying or spending watch.
func benchSubscriber(b *testing.B, c *rpc.Client, watch string) *websocket.Conn {
	b.Helper()
	req, _ := http.NewRequest("GET", c.URL, nil)
	req.SetBasicAuth(c.User, c.Pass)
	u := "ws://" + strings.TrimPrefix(c.URL, "http://") + "/ws"
	conn, _, err := websocket.Dial(context.Background(), u, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {req.Header.Get("Authorization")}}})
	if err != nil {
		b.Fatal(err)
	}
	conn.SetReadLimit(1 << 20)
	sub, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "subscribe",
		"params": map[string]any{"topics": []string{"blocks", "txs"}, "addresses": []string{watch}}})
	if err := conn.Write(context.Background(), websocket.MessageText, sub); err != nil {
		b.Fatal(err)
	}
	_, msg, err := conn.Read(context.Background())
	if err != nil || !strings.Contains(string(msg), `"subscription"`) {
		b.Fatal(fmt.Sprint("subscribe: ", string(msg), err))
	}
	return conn
}
