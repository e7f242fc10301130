package node

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// startNode starts a regtest node with fsync on, RPC on an ephemeral port.
func startNode(tb testing.TB, dir string) (*Node, *rpc.Client) {
	tb.Helper()
	n, err := New(Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0"})
	if err != nil {
		tb.Fatal(err)
	}
	c, err := rpc.Discover("", dir)
	if err != nil {
		tb.Fatal(err)
	}
	return n, c
}

func benchKey() (*btcec.PrivateKey, *address.Address) {
	k, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{0x11}, 32))
	return k, address.NewP2WPKH(keys.Hash160(k.PubKey().SerializeCompressed()), chaincfg.RegTestParams)
}

// BenchmarkRPCGetBlockCount: one getblockcount round trip over a
// keep-alive HTTP client (btcd 0.24 on this machine: 0.36 ms).
func BenchmarkRPCGetBlockCount(b *testing.B) {
	n, c := startNode(b, b.TempDir())
	defer n.Close()
	ctx := context.Background()
	var h int32
	for b.Loop() {
		if err := c.Call(ctx, "getblockcount", &h); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/call")
}

// BenchmarkGenerate200: generatetoaddress 200 on regtest over RPC, fsync
// on (btcd 0.24: 0.034 s).
func BenchmarkGenerate200(b *testing.B) {
	_, addr := benchKey()
	for b.Loop() {
		b.StopTimer()
		n, c := startNode(b, b.TempDir())
		b.StartTimer()
		var hashes []string
		if err := c.Call(context.Background(), "generatetoaddress", &hashes, 200, addr.String()); err != nil || len(hashes) != 200 {
			b.Fatal(err, len(hashes))
		}
		b.StopTimer()
		n.Close()
		b.StartTimer()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/200blocks")
}

// BenchmarkSend50: 50 signed transactions sent one after another with
// sendrawtransaction until all are in the mempool (btcd 0.24: 0.039 s).
func BenchmarkSend50(b *testing.B) {
	key, addr := benchKey()
	for b.Loop() {
		b.StopTimer()
		n, c := startNode(b, b.TempDir())
		ctx := context.Background()
		var hashes []string
		if err := c.Call(ctx, "generatetoaddress", &hashes, 150, addr.String()); err != nil {
			b.Fatal(err)
		}
		txs := make([]string, 0, 50)
		for i := range 50 {
			h, _ := chainhash.NewHashFromStr(hashes[i])
			blk, err := n.Chain.BlockByHash(h)
			if err != nil {
				b.Fatal(err)
			}
			cb := blk.Transactions[0]
			tx := wire.NewMsgTx(2)
			tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()}, Sequence: wire.MaxTxInSequenceNum})
			tx.AddTxOut(&wire.TxOut{Value: cb.TxOut[0].Value - 10_000, PkScript: addr.PkScript()})
			kdb := oneKey{key}
			if ok, err := script.SignInput(tx, 0, cb.TxOut[0].PkScript, cb.TxOut[0].Value, script.SigHashAll, kdb, nil, nil); !ok || err != nil {
				b.Fatal(ok, err)
			}
			txs = append(txs, hex.EncodeToString(tx.Bytes()))
		}
		b.StartTimer()
		for _, t := range txs {
			var id string
			if err := c.Call(ctx, "sendrawtransaction", &id, t); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if got := n.Mempool.Count(); got != 50 {
			b.Fatalf("mempool has %d", got)
		}
		n.Close()
		b.StartTimer()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/50txs")
}

type oneKey struct{ k *btcec.PrivateKey }

func (o oneKey) GetKey([]byte) (*btcec.PrivateKey, bool, bool) { return o.k, true, true }

// BenchmarkStartToRPCReady: from New on an existing 200-block datadir to
// the first answered RPC call (btcd 0.24: 0.14 s).
func BenchmarkStartToRPCReady(b *testing.B) {
	dir := datadirWith200Blocks(b)
	for b.Loop() {
		n, c := startNode(b, dir)
		var h int32
		if err := c.Call(context.Background(), "getblockcount", &h); err != nil || h != 200 {
			b.Fatal(err, h)
		}
		b.StopTimer()
		n.Close()
		b.StartTimer()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/start")
}

// BenchmarkProcessStartToRPCReady: exec the gg-node binary on an existing
// 200-block datadir and wait for the first answered RPC call, then stop it
// with SIGINT — the user-visible start time.
func BenchmarkProcessStartToRPCReady(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "gg-node")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/gg-node").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	dir := datadirWith200Blocks(b)
	for b.Loop() {
		cmd := exec.Command(bin, "--network=regtest", "--datadir="+dir, "--rpc-listen=127.0.0.1:0", "--log-level=error")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		var h int32
		for {
			if c, err := rpc.Discover("", dir); err == nil && c.Call(context.Background(), "getblockcount", &h) == nil {
				break
			}
			time.Sleep(200 * time.Microsecond)
		}
		b.StopTimer()
		cmd.Process.Signal(os.Interrupt)
		if err := cmd.Wait(); err != nil {
			b.Fatalf("gg-node exit: %v", err)
		}
		b.StartTimer()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/start")
}

// datadirWith200Blocks returns a closed datadir holding a 200-block chain.
func datadirWith200Blocks(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	_, addr := benchKey()
	n, c := startNode(b, dir)
	if err := c.Call(context.Background(), "generatetoaddress", nil, 200, addr.String()); err != nil {
		b.Fatal(err)
	}
	n.Close()
	return dir
}
