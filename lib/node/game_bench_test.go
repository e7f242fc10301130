package node

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// gameBenchEvery is how many calls go between two blocks: it keeps the
// chains of unconfirmed transactions (a producer's coin spent by each
// prop.create) well below the mempool's ancestor limit. Mining is not
// in the median.
const gameBenchEvery = 20

// benchGameNode is benchWalletNode with 500 confirmed coins of 2 GG, so
// each action spends a confirmed coin.
func benchGameNode(b *testing.B, sync bool) (*Node, *wallet.Wallet, *rpc.Client) {
	b.Helper()
	n, w, c := benchWalletNodeSync(b, sync)
	ctx := context.Background()
	a, _ := w.NewAddress("", false)
	if _, err := n.Miner.Generate(ctx, 100, a.PkScript()); err != nil {
		b.Fatal(err)
	}
	for range 2 {
		outs := make([]*wire.TxOut, 0, 250)
		for range 250 {
			a, err := w.NewAddress("", false)
			if err != nil {
				b.Fatal(err)
			}
			outs = append(outs, &wire.TxOut{Value: 2e8, PkScript: a.PkScript()})
		}
		if _, err := w.Send(ctx, "", outs, wallet.TxOptions{}); err != nil {
			b.Fatal(err)
		}
		if _, err := n.Miner.Generate(ctx, 1, externalScript); err != nil {
			b.Fatal(err)
		}
	}
	return n, w, c
}

type benchAction struct {
	TxID    string `json:"txid"`
	Objects []struct {
		ID string `json:"id"`
	} `json:"objects"`
}

// runGameBench times call over RPC, mining a block every gameBenchEvery
// calls, and reports the median latency in ms.
func runGameBench(b *testing.B, n *Node, call func(i int) error) {
	ctx := context.Background()
	lat := make([]time.Duration, 0, 1024)
	for b.Loop() {
		if len(lat)%gameBenchEvery == gameBenchEvery-1 {
			if _, err := n.Miner.Generate(ctx, 1, externalScript); err != nil {
				b.Fatal(err)
			}
		}
		t0 := time.Now()
		if err := call(len(lat)); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
}

// BenchmarkRPCGame measures the game actions over loopback JSON-RPC
// against an in-process regtest node with its hosted wallet: build, sign,
// record, mempool acceptance (game rules included) and the answer.
// Targets (1/30 of the original's): cp.create <= 1.5 ms, prop.create <=
// 1.1 ms, prop.send <= 1.2 ms (median). The databases do not fsync (as
// the original's wallet, whose LevelDB writes do not sync), so the
// figures are the code's; BenchmarkRPCGameFsync adds the disk.
func BenchmarkRPCGame(b *testing.B) { benchRPCGame(b, false) }

// BenchmarkRPCGameFsync is BenchmarkRPCGame with every database commit
// fsynced, as outside tests: each action's one wallet commit adds two
// fdatasync calls (bbolt syncs the data pages, then the meta page), a
// cost of the disk, not of the code (about 0.15 ms each on this
// machine's virtual disk).
func BenchmarkRPCGameFsync(b *testing.B) { benchRPCGame(b, true) }

func benchRPCGame(b *testing.B, sync bool) {
	ctx := context.Background()
	b.Run("cp.create", func(b *testing.B) {
		n, _, c := benchGameNode(b, sync)
		runGameBench(b, n, func(i int) error {
			var r benchAction
			return c.Call(ctx, "cp.create", &r, fmt.Sprintf("bench-%06d", i), "https://bench.example")
		})
	})
	b.Run("prop.create", func(b *testing.B) {
		n, _, c := benchGameNode(b, sync)
		var reg benchAction
		if err := c.Call(ctx, "cp.create", &reg, "benchprod"); err != nil {
			b.Fatal(err)
		}
		if _, err := n.Miner.Generate(ctx, 1, externalScript); err != nil {
			b.Fatal(err)
		}
		pid := reg.Objects[0].ID
		runGameBench(b, n, func(i int) error {
			var r benchAction
			return c.Call(ctx, "prop.create", &r, pid, fmt.Sprintf("item-%d", i), "0.0001")
		})
	})
	b.Run("prop.send", func(b *testing.B) { benchPropSend(b, sync, 1) })
}

// BenchmarkRPCGamePropSendLargeWallet is prop.send from a wallet holding
// 20,000 props: an action finds its object through the wallet's object
// index, so the latency does not grow with the inventory.
func BenchmarkRPCGamePropSendLargeWallet(b *testing.B) { benchPropSend(b, false, 20) }

// benchPropSend times prop.send of props created batches×1,000 at a time
// (more when those run out).
func benchPropSend(b *testing.B, sync bool, batches int) {
	ctx := context.Background()
	n, _, c := benchGameNode(b, sync)
	var reg benchAction
	if err := c.Call(ctx, "cp.create", &reg, "benchsend"); err != nil {
		b.Fatal(err)
	}
	if _, err := n.Miner.Generate(ctx, 1, externalScript); err != nil {
		b.Fatal(err)
	}
	pid := reg.Objects[0].ID
	to, _ := address.FromPkScript(externalScript, chaincfg.RegTestParams)
	var props []string
	refill := func() {
		items := make([]map[string]any, 1000)
		for i := range items {
			items[i] = map[string]any{"oid": fmt.Sprint(i), "gold": "0.0001"}
		}
		var r benchAction
		if err := c.Call(ctx, "prop.createlist", &r, pid, items); err != nil {
			b.Fatal(err)
		}
		if _, err := n.Miner.Generate(ctx, 1, externalScript); err != nil {
			b.Fatal(err)
		}
		for _, o := range r.Objects {
			props = append(props, o.ID)
		}
	}
	for range batches {
		refill()
	}
	runGameBench(b, n, func(int) error {
		if len(props) == 0 {
			refill()
		}
		p := props[0]
		props = props[1:]
		var r json.RawMessage
		return c.Call(ctx, "prop.send", &r, to.String(), p)
	})
}
