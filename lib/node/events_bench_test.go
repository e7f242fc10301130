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

// BenchmarkEventsBlockConnect connects 15 blocks of 2,000 signed
// transactions (heavyBlocks 201–215) on fresh nodes with 0 or 100
// WebSocket subscribers and reports, per case, the block-connect rate,
// the events delivered per second and the feed's synchronous share of
// connecting a block. "blocks" subscribers follow blocks and watch an
// address no transaction pays (a wallet's view: one event per block
// each); "alltxs" ones watch the address every transaction pays (2,001
// events per block each). The cases alternate within each iteration so
// that a shared machine's load drifts over all of them alike.
func BenchmarkEventsBlockConnect(b *testing.B) {
	hc := heavyBlocks()
	payAddr, _ := address.FromPkScript(hc.key.P2WPKH(), chaincfg.RegTestParams)
	idle := address.NewP2WPKH(make([]byte, 20), chaincfg.RegTestParams)
	const first, last = 201, 215
	cases := []struct {
		name  string
		subs  int
		watch string

		connect, deliver, feed time.Duration
		events                 int64
	}{
		{name: "subscribers=0"},
		{name: "subscribers=100/blocks", subs: 100, watch: idle.String()},
		{name: "subscribers=100/alltxs", subs: 100, watch: payAddr.String()},
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range cases {
			bc := &cases[(i+k)%len(cases)]
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
			bc.connect += time.Since(start)
			wg.Wait()
			bc.deliver += time.Since(start)
			b.StopTimer()
			bc.events += got.Load()
			bc.feed += time.Duration(n.feed.noteNanos.Load() - feed0)
			n.Close()
		}
	}
	blocks := float64(b.N * (last - first + 1))
	for _, bc := range cases {
		b.Logf("%-24s %6.3f blocks/s  feed %5.2f ms/block (%.2f%% of connect)  %8.0f events/s  %6.1f events/block/sub  rate vs none %.1f%%",
			bc.name, blocks/bc.connect.Seconds(), float64(bc.feed.Microseconds())/1000/blocks, 100*bc.feed.Seconds()/bc.connect.Seconds(),
			float64(bc.events)/bc.deliver.Seconds(), float64(bc.events)/blocks/float64(max(bc.subs, 1)),
			100*cases[0].connect.Seconds()/bc.connect.Seconds())
	}
	b.ReportMetric(100*cases[0].connect.Seconds()/cases[1].connect.Seconds(), "%rate-blocks-subs")
	b.ReportMetric(100*cases[0].connect.Seconds()/cases[2].connect.Seconds(), "%rate-alltxs-subs")
	b.ReportMetric(float64(cases[2].events)/cases[2].deliver.Seconds(), "alltxs-events/s")
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
