package node

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// spvBenchBlocks is the chain of BenchmarkSPVSync: 10,000 blocks, 1 % of
// them (every 100th) paying the wallet of walletMnemonic.
const spvBenchBlocks = 10_000

const spvSyncEnv = "GG_SPV_SYNC_CHILD"

// dirSize is the bytes of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// peakRSS is this process's VmHWM in KiB.
func peakRSS() int64 {
	status, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	return 0
}

// BenchmarkSPVSync: a 10,000-block regtest chain (coinbase-only blocks;
// every 100th pays the wallet) served by a full node with the filter
// index. Each round syncs it twice over loopback, each in a process of
// its own (peak RSS is its own; fsync on): a full node (blocks, UTXO
// set), and a light node (--spv) whose hosted wallet is restored from
// the mnemonic with birthday 0, until the wallet holds the 100
// payments. Reported per sync: seconds, MB received, MB on disk, peak
// RSS. Run by make bench-spv (docs/performance.md, "Light node").
func BenchmarkSPVSync(b *testing.B) {
	root := b.TempDir()
	src, err := New(Config{Params: chaincfg.RegTestParams, DataDir: filepath.Join(root, "src"), RPCListen: "127.0.0.1:0", NoWallet: true,
		BlockFilterIndex: true, P2P: P2PConfig{Listen: []string{"127.0.0.1:0"}}})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	// The wallet's first address.
	w, _, err := wallet.Create(filepath.Join(root, "probe.db"), chaincfg.RegTestParams, wallet.CreateOptions{Mnemonic: walletMnemonic,
		Passphrase: []byte("pw"), KDF: wallet.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		b.Fatal(err)
	}
	addr, err := w.NewAddress(wallet.DefaultAccount, false)
	if err != nil {
		b.Fatal(err)
	}
	w.Close()
	g := chaingen.New(chaincfg.RegTestParams)
	var blocks []*wire.MsgBlock
	for h := int32(1); h <= spvBenchBlocks; h++ {
		g.PayScript = chaingen.OpTrueP2SH
		if h%100 == 0 {
			g.PayScript = addr.PkScript()
		}
		blocks = append(blocks, g.NextBlock(fmt.Sprint("b", h), nil))
	}
	loadBlocks(b, src, blocks)
	for {
		st, err := src.indexes.mgr.Status()
		if err == nil && len(st) > 0 && st[0].Height == spvBenchBlocks {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.ResetTimer()
	res := map[string][]float64{}
	for i := 0; i < b.N; i++ {
		for _, mode := range []string{"full", "spv"} {
			dir := filepath.Join(root, fmt.Sprint(mode, i))
			args := []string{"-test.run=^TestSPVSyncChild$", "-test.bench=^$"}
			if p := os.Getenv("GG_SPV_CPUPROFILE"); p != "" {
				args = append(args, "-test.cpuprofile="+p+"."+mode)
			}
			cmd := exec.Command(os.Args[0], args...)
			cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%s|%s", spvSyncEnv, mode, dir, src.P2PAddrs()[0]))
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				b.Fatalf("%s child: %v\n%s", mode, err, out)
			}
			var secs, recv, disk, hwm float64
			for _, l := range strings.Split(string(out), "\n") {
				if rest, ok := strings.CutPrefix(l, "DONE "); ok {
					fmt.Sscan(rest, &secs, &recv, &disk, &hwm)
				}
			}
			if secs == 0 {
				b.Fatalf("%s child printed no result:\n%s", mode, out)
			}
			res[mode] = append(res[mode], secs, recv, disk, hwm)
			b.Logf("round %d %s: %.2f s, %.3f MB received, %.3f MB on disk, %.1f MB peak RSS", i, mode, secs, recv/1e6, disk/1e6, hwm/1024)
			os.RemoveAll(dir)
		}
	}
	for _, mode := range []string{"full", "spv"} {
		var s [4]float64
		for i, v := range res[mode] {
			s[i%4] += v / float64(b.N)
		}
		b.ReportMetric(s[0], mode+"-s/sync")
		b.ReportMetric(s[1]/1e6, mode+"-MB-recv")
		b.ReportMetric(s[2]/1e6, mode+"-MB-disk")
		b.ReportMetric(s[3]/1024, mode+"-MB-peak-RSS")
	}
}

// TestSPVSyncChild is a syncing node of BenchmarkSPVSync in its own
// process: it prints seconds, bytes received, bytes on disk and VmHWM
// (KiB).
func TestSPVSyncChild(t *testing.T) {
	env := os.Getenv(spvSyncEnv)
	if env == "" {
		t.Skip("helper process of BenchmarkSPVSync")
	}
	parts := strings.Split(env, "|")
	mode, dir, peer := parts[0], parts[1], parts[2]
	start := time.Now()
	cfg := Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0",
		WalletKDF: wallet.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1},
		P2P:       P2PConfig{Listen: []string{"127.0.0.1:0"}, Connect: []string{peer}}}
	var recv uint64
	var used int64 // bytes the database's pages use (its file grows ahead)
	var verified time.Duration
	if mode == "full" {
		cfg.NoWallet = true
		n, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for n.Chain.Best().Height < spvBenchBlocks {
			time.Sleep(time.Millisecond)
		}
		recv = n.net.tcp.BytesRecv.Load()
		n.db.View(func(tx *store.Tx) error { used = tx.Size(); return nil })
		n.Close()
	} else {
		cfg.P2P.Listen = nil
		s, err := NewSPV(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c, err := rpc.Discover("", dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Call(context.Background(), "wallet.create", nil, "pw", walletMnemonic, 0); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Minute)
		for {
			if time.Now().After(deadline) {
				t.Fatal("the wallet did not find its 100 payments in 10 minutes")
			}
			var txs []map[string]any
			if err := c.Call(context.Background(), "listtransactions", &txs, "*", 1000); err != nil {
				t.Fatal(err)
			}
			if _, h, _ := s.Light.Synced(); h == spvBenchBlocks && verified == 0 {
				verified = time.Since(start)
			}
			if len(txs) >= spvBenchBlocks/100 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		recv = s.tcp.BytesRecv.Load()
		s.db.View(func(tx *store.Tx) error { used = tx.Size(); return nil })
		s.Close()
	}
	elapsed := time.Since(start)
	for _, f := range []string{ChainDBFile, SPVDBFile, WalletDBFile} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err == nil {
			fmt.Fprintf(os.Stderr, "%s sync: %s %d bytes\n", mode, f, fi.Size())
		}
	}
	fmt.Fprintf(os.Stderr, "%s sync: %d bytes of database pages used; verified tip after %.2f s\n", mode, used, verified.Seconds())
	fmt.Println("DONE", elapsed.Seconds(), recv, dirSize(dir), peakRSS())
}
