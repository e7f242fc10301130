package node

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
)

// BenchmarkP2PSync measures a fresh node syncing 2,000 regtest blocks
// (fsync on, as a real node) from one peer and from three peers over
// loopback TCP. btcd v0.24.2 takes 0.55 s for the same on this machine.
func BenchmarkP2PSync(b *testing.B) {
	const blocks = 2000
	root := b.TempDir()
	srcs := make([]*Node, 3)
	for i := range srcs {
		n, err := New(Config{Params: chaincfg.RegTestParams, DataDir: filepath.Join(root, fmt.Sprint("src", i)), RPCListen: "127.0.0.1:0", NoWallet: true,
			P2P: P2PConfig{Listen: []string{"127.0.0.1:0"}}})
		if err != nil {
			b.Fatal(err)
		}
		defer n.Close()
		srcs[i] = n
	}
	_, addr := benchKey()
	if _, err := srcs[0].Miner.Generate(context.Background(), blocks, addr.PkScript()); err != nil {
		b.Fatal(err)
	}
	want := srcs[0].Chain.Best().Hash
	for _, s := range srcs[1:] {
		if err := (netBackend{s.net}).AddNode(srcs[0].P2PAddrs()[0], "onetry"); err != nil {
			b.Fatal(err)
		}
		for s.Chain.Best().Hash != want {
			time.Sleep(10 * time.Millisecond)
		}
	}
	for _, peers := range []int{1, 3} {
		b.Run(fmt.Sprintf("peers=%d", peers), func(b *testing.B) {
			var connect []string
			for _, s := range srcs[:peers] {
				connect = append(connect, s.P2PAddrs()[0])
			}
			for i := 0; i < b.N; i++ {
				dir, _ := os.MkdirTemp(root, "sync")
				start := time.Now()
				n, err := New(Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoWallet: true,
					P2P: P2PConfig{Listen: []string{"127.0.0.1:0"}, Connect: connect}})
				if err != nil {
					b.Fatal(err)
				}
				for n.Chain.Best().Hash != want {
					time.Sleep(time.Millisecond)
				}
				b.ReportMetric(time.Since(start).Seconds(), "s/sync")
				n.Close()
				os.RemoveAll(dir)
			}
		})
	}
}
