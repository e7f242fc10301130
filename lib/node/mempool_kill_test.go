package node

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// mempoolKillEnv names the datadir and mode of TestMempoolKillHelperProcess.
const mempoolKillEnv = "GG_MEMPOOL_KILL"

// TestMempoolKillHelperProcess is the child of TestMempoolKill: a node on
// the datadir that mines 101 blocks to benchKey, sends one transaction
// spending the first coinbase through sendrawtransaction, saves the pool
// through mempool.save in mode "rpc" (the periodic saver is off then),
// prints SENT <txid> and waits to be killed.
func TestMempoolKillHelperProcess(t *testing.T) {
	env := os.Getenv(mempoolKillEnv)
	if env == "" {
		t.Skip("helper process of TestMempoolKill")
	}
	mode, dir, _ := strings.Cut(env, ":")
	fail := func(what string, err error) {
		fmt.Println("ERROR", what, err)
		os.Exit(3)
	}
	every := 50 * time.Millisecond
	if mode == "rpc" {
		every = -1
	}
	n, err := New(Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoWallet: true,
		MempoolSaveInterval: every})
	if err != nil {
		fail("open", err)
	}
	c, err := rpc.Discover("", dir)
	if err != nil {
		fail("discover", err)
	}
	ctx := context.Background()
	key, addr := benchKey()
	var hashes []string
	if err := c.Call(ctx, "generatetoaddress", &hashes, 101, addr.String()); err != nil {
		fail("generate", err)
	}
	bh, _ := chainhash.NewHashFromStr(hashes[0])
	blk, err := n.Chain.BlockByHash(bh)
	if err != nil {
		fail("block", err)
	}
	cb := blk.Transactions[0]
	pk := addr.PkScript()
	tx := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()}, Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: cb.TxOut[0].Value - 10_000, PkScript: pk}}}
	code := script.PayToPubKeyHash(keys.Hash160(key.PubKey().SerializeCompressed()))
	sig, err := script.RawTxInWitnessSignature(tx, script.NewSigHashes(tx), 0, cb.TxOut[0].Value, code, script.SigHashAll, key)
	if err != nil {
		fail("sign", err)
	}
	tx.TxIn[0].Witness = wire.TxWitness{sig, key.PubKey().SerializeCompressed()}
	var txid string
	if err := c.Call(ctx, "sendrawtransaction", &txid, hex.EncodeToString(tx.Bytes())); err != nil {
		fail("send", err)
	}
	if mode == "rpc" {
		var res rpc.MempoolSaveResult
		if err := c.Call(ctx, "savemempool", &res); err != nil || res.Txs != 1 || res.Filename != filepath.Join(dir, MempoolFile) {
			fail("savemempool", fmt.Errorf("%+v %v", res, err))
		}
	}
	fmt.Println("SENT", txid)
	select {}
}

// TestMempoolKill: a transaction accepted by sendrawtransaction survives
// a SIGKILL of the node once the periodic save has run (or after
// mempool.save); mempool.dat used to be written only on a clean shutdown,
// and 8 of 8 such transactions were lost.
func TestMempoolKill(t *testing.T) {
	if os.Getenv(mempoolKillEnv) != "" {
		t.Skip("inside the helper")
	}
	for _, mode := range []string{"periodic", "rpc"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestMempoolKillHelperProcess$")
			cmd.Env = append(os.Environ(), mempoolKillEnv+"="+mode+":"+dir)
			cmd.Stderr = os.Stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			lines := bufio.NewScanner(out)
			var txid string
			for lines.Scan() {
				if s, ok := strings.CutPrefix(lines.Text(), "SENT "); ok {
					txid = s
					break
				}
				if strings.HasPrefix(lines.Text(), "ERROR") {
					t.Fatal(lines.Text())
				}
			}
			if txid == "" {
				t.Fatal("helper ended before sending")
			}
			if mode == "periodic" {
				// Wait (bounded) for the saver to write the file.
				deadline := time.Now().Add(20 * time.Second)
				for {
					if fi, err := os.Stat(filepath.Join(dir, MempoolFile)); err == nil && fi.Size() > 52 {
						break
					}
					if time.Now().After(deadline) {
						t.Fatal("mempool.dat not written within 20 s of the transaction")
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
			cmd.Process.Kill()
			cmd.Wait()
			n, err := New(Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoWallet: true})
			if err != nil {
				t.Fatal(err)
			}
			defer n.Close()
			h, _ := chainhash.NewHashFromStr(txid)
			if !n.Mempool.Have(h) {
				t.Fatalf("transaction %s lost by the kill", txid)
			}
		})
	}
}
