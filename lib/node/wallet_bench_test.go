package node

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// benchWalletNode starts a regtest node (NoSync) with its hosted wallet
// created from walletMnemonic, unlocked, and 101 blocks mined to it (one
// mature coinbase).
func benchWalletNode(b *testing.B) (*Node, *wallet.Wallet, *rpc.Client) {
	return benchWalletNodeSync(b, false)
}

// benchWalletNodeSync is benchWalletNode; with sync, the databases fsync
// every commit, as a node does outside tests.
func benchWalletNodeSync(b *testing.B, sync bool) (*Node, *wallet.Wallet, *rpc.Client) {
	b.Helper()
	dir := b.TempDir()
	n, err := New(Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoSync: !sync,
		WalletKDF: wallet.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { n.Close() })
	ctx := context.Background()
	if _, err := n.Wallet.Create(ctx, rpc.WalletCreateRequest{Passphrase: walletPass, Mnemonic: walletMnemonic}); err != nil {
		b.Fatal(err)
	}
	w := n.Wallet.Wallet()
	if err := w.Unlock(walletPass, 0); err != nil {
		b.Fatal(err)
	}
	a, err := w.NewAddress("", false)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := n.Miner.Generate(ctx, 101, a.PkScript()); err != nil {
		b.Fatal(err)
	}
	c, err := rpc.Discover("", dir)
	if err != nil {
		b.Fatal(err)
	}
	return n, w, c
}

// BenchmarkWalletRescan10kBlocks rescans a regtest chain of 10,000 blocks
// from height 0: the first 101 coinbases and one self-payment every 100
// blocks belong to the wallet, everything else pays an outside script.
// It reports blocks/s.
func BenchmarkWalletRescan10kBlocks(b *testing.B) {
	const nBlocks = 10_000
	n, w, _ := benchWalletNode(b)
	ctx := context.Background()
	for n.Chain.Best().Height < nBlocks {
		a, err := w.NewAddress("", false)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.Send(ctx, "", pay(a.PkScript(), amount.DustPerGG/10), wallet.TxOptions{}); err != nil {
			b.Fatal(err)
		}
		k := min(100, nBlocks-int(n.Chain.Best().Height))
		if _, err := n.Miner.Generate(ctx, k, externalScript); err != nil {
			b.Fatal(err)
		}
	}
	before, err := w.Balance(wallet.AllAccounts)
	if err != nil {
		b.Fatal(err)
	}
	var blocks int
	for b.Loop() {
		seen := 0
		if err := w.Rescan(ctx, 0, func(height, tip int32) { seen++ }); err != nil {
			b.Fatal(err)
		}
		if seen != nBlocks+1 {
			b.Fatalf("rescan saw %d blocks, want %d", seen, nBlocks+1)
		}
		blocks += seen
	}
	b.StopTimer()
	if after, err := w.Balance(wallet.AllAccounts); err != nil || after != before {
		b.Fatalf("balance after rescan %+v (%v), before %+v", after, err, before)
	}
	b.ReportMetric(float64(blocks)/b.Elapsed().Seconds(), "blocks/s")
}

// BenchmarkRPCTxSend10kUTXO measures tx.send over RPC (coin selection
// among 10,000 confirmed coins, signing, recording, mempool acceptance)
// and reports the median latency (target <= 20 ms). The payments go to
// the wallet itself, so the coin count stays near 10,000; a block every
// 50 sends keeps unconfirmed chains short (its time is not in the median).
func BenchmarkRPCTxSend10kUTXO(b *testing.B) {
	const nCoins = 10_000
	n, w, c := benchWalletNode(b)
	ctx := context.Background()
	// 40 transactions of 250 outputs to fresh addresses, 0.001 GG to
	// about 0.4 GG each, funded by mature coinbases. (Not 1,000 outputs:
	// from 253 outputs on, the wallet's size estimate misses the 2 extra
	// bytes of the output count and the mempool refuses the fee.)
	if _, err := n.Miner.Generate(ctx, 100, externalScript); err != nil {
		b.Fatal(err)
	}
	for t := range nCoins / 250 {
		outs := make([]*wire.TxOut, 0, 250)
		for i := range 250 {
			a, err := w.NewAddress("", false)
			if err != nil {
				b.Fatal(err)
			}
			outs = append(outs, &wire.TxOut{Value: int64(100_000 + ((t*250+i)*7919)%40_000_000), PkScript: a.PkScript()})
		}
		if _, err := w.Send(ctx, "", outs, wallet.TxOptions{}); err != nil {
			b.Fatal(err)
		}
		if _, err := n.Miner.Generate(ctx, 1, externalScript); err != nil {
			b.Fatal(err)
		}
	}
	coins, err := w.Coins(wallet.AllAccounts)
	if err != nil {
		b.Fatal(err)
	}
	if len(coins) < nCoins {
		b.Fatalf("%d coins, want at least %d", len(coins), nCoins)
	}
	a, err := w.NewAddress("", false)
	if err != nil {
		b.Fatal(err)
	}
	to := a.String()
	lat := make([]time.Duration, 0, 1024)
	for b.Loop() {
		if len(lat)%50 == 49 {
			if _, err := n.Miner.Generate(ctx, 1, externalScript); err != nil {
				b.Fatal(err)
			}
		}
		var txid string
		t0 := time.Now()
		if err := c.Call(ctx, "tx.send", &txid, to, "0.37"); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(len(coins)), "coins")
}
