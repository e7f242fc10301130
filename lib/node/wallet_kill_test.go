package node

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// walletKillDirEnv names the datadir of TestWalletKillHelperProcess.
const walletKillDirEnv = "GG_WALLET_KILL_DIR"

// openKillNode opens a node with its hosted wallet on dir. Commits skip
// fsync: a SIGKILL leaves written pages in the OS cache, so this loses
// nothing a killed process with fsync would keep.
func openKillNode(dir string) (*Node, error) {
	return New(Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoSync: true,
		WalletKDF: wallet.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
}

// TestWalletKillHelperProcess is the child of TestWalletKill: it runs a
// node on $GG_WALLET_KILL_DIR, creates and funds the wallet on the first
// run, then sends payments (to itself and outside) in bursts of five with
// a block after each burst, printing a line per event, until killed.
func TestWalletKillHelperProcess(t *testing.T) {
	dir := os.Getenv(walletKillDirEnv)
	if dir == "" {
		t.Skip("helper process of TestWalletKill")
	}
	fail := func(what string, err error) {
		fmt.Println("ERROR", what, err)
		os.Exit(3)
	}
	ctx := context.Background()
	n, err := openKillNode(dir)
	if err != nil {
		fail("open", err)
	}
	if !n.Wallet.Loaded() {
		if _, err := n.Wallet.Create(ctx, rpc.WalletCreateRequest{Passphrase: walletPass, Mnemonic: walletMnemonic}); err != nil {
			fail("create", err)
		}
	}
	w := n.Wallet.Wallet()
	if err := w.Unlock(walletPass, 0); err != nil {
		fail("unlock", err)
	}
	mine, err := w.NewAddress("", false)
	if err != nil {
		fail("address", err)
	}
	if h := n.Chain.Best().Height; h < 110 {
		if _, err := n.Miner.Generate(ctx, int(110-h), mine.PkScript()); err != nil {
			fail("fund", err)
		}
	}
	fmt.Println("READY")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for i := 0; ; i++ {
		to := externalScript
		if rng.IntN(2) == 0 {
			a, err := w.NewAddress("", false)
			if err != nil {
				fail("address", err)
			}
			to = a.PkScript()
		}
		v := amount.Amount(1+rng.IntN(500)) * amount.DustPerGG / 100
		f, err := w.Send(ctx, "", pay(to, v), wallet.TxOptions{})
		switch {
		case errors.Is(err, wallet.ErrInsufficientFunds):
			fmt.Println("BROKE")
		case err != nil:
			fail("send", err)
		default:
			fmt.Println("SEND", f.Tx.TxHash())
		}
		if i%5 == 4 {
			payTo := externalScript
			if rng.IntN(3) == 0 {
				payTo = mine.PkScript()
			}
			if _, err := n.Miner.Generate(ctx, 1, payTo); err != nil {
				fail("mine", err)
			}
			fmt.Println("BLOCK", n.Chain.Best().Height)
		}
	}
}

// TestWalletKill SIGKILLs a node in the middle of a burst of wallet sends
// and blocks, at random moments, at least ten times, and after every kill
// reopens the datadir and checks the wallet against the chain: every
// confirmed wallet coin is an unspent output of the chain, every unspent
// output paying a wallet script is a wallet coin, once, and the balance
// adds up to them.
func TestWalletKill(t *testing.T) {
	if os.Getenv(walletKillDirEnv) != "" {
		t.Skip("inside the helper")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0x6767))
	dir := t.TempDir()
	const kills = 20
	for k := 0; k < kills; k++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestWalletKillHelperProcess$")
		env := []string{walletKillDirEnv + "=" + dir}
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, walletKillDirEnv+"=") {
				env = append(env, kv)
			}
		}
		cmd.Env = env
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after a random number of events, plus a random delay that
		// lands inside the next send or block.
		after := rng.IntN(40)
		lines, ready := bufio.NewScanner(out), false
		events := 0
		for lines.Scan() {
			l := lines.Text()
			if strings.HasPrefix(l, "ERROR") {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("run %d: child: %s", k, l)
			}
			switch {
			case l == "READY":
				ready = true
			case ready && (strings.HasPrefix(l, "SEND") || strings.HasPrefix(l, "BLOCK") || l == "BROKE"):
				events++
			}
			if ready && events >= after {
				break
			}
		}
		if !ready {
			cmd.Wait()
			t.Fatalf("run %d: child ended before READY", k)
		}
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		checkWalletAgainstChain(t, dir, k)
	}
	fmt.Printf("wallet kill test: %d kills, balances consistent\n", kills)
}

// checkWalletAgainstChain reopens dir and compares the wallet's coins and
// balance with the chain's unspent outputs.
func checkWalletAgainstChain(t *testing.T, dir string, run int) {
	t.Helper()
	n, err := openKillNode(dir)
	if err != nil {
		t.Fatalf("run %d: reopen: %v", run, err)
	}
	defer n.Close()
	w := n.Wallet.Wallet()
	if w == nil {
		t.Fatalf("run %d: no wallet after restart", run)
	}
	best := n.Chain.Best()
	if st, err := w.Synced(); err != nil || st.Height != best.Height || st.Hash != best.Hash {
		t.Fatalf("run %d: wallet synced to %v (%v), chain tip %d %s", run, st, err, best.Height, best.Hash)
	}
	coins, err := w.Coins(wallet.AllAccounts)
	if err != nil {
		t.Fatal(err)
	}
	mineConf := map[wire.OutPoint]amount.Amount{}
	var confSum, pendingSpent amount.Amount
	for _, c := range coins {
		if c.Height < 0 {
			continue
		}
		if _, dup := mineConf[c.OutPoint]; dup {
			t.Fatalf("run %d: coin %s listed twice", run, c.OutPoint)
		}
		mineConf[c.OutPoint] = c.Value
		confSum += c.Value
		if c.SpentPending {
			pendingSpent += c.Value
		}
		e, err := n.Chain.FetchUtxoEntry(c.OutPoint)
		if err != nil {
			t.Fatal(err)
		}
		if e == nil {
			t.Fatalf("run %d: wallet coin %s (%s) is not an unspent output of the chain", run, c.OutPoint, c.Value)
		}
		if e.Amount != int64(c.Value) || e.Height != c.Height {
			t.Fatalf("run %d: coin %s: wallet %s at %d, chain %d at %d", run, c.OutPoint, c.Value, c.Height, e.Amount, e.Height)
		}
	}
	// Walk the main chain: every output paying a wallet script that is
	// still unspent must be a wallet coin.
	var chainSum amount.Amount
	for h := int32(0); h <= best.Height; h++ {
		hash, err := n.Chain.BlockHashByHeight(h)
		if err != nil {
			t.Fatal(err)
		}
		blk, err := n.Chain.BlockByHash(hash)
		if err != nil {
			t.Fatal(err)
		}
		for _, tx := range blk.Transactions {
			id := tx.TxHash()
			for i, o := range tx.TxOut {
				if _, ok := w.IsMine(o.PkScript); !ok {
					continue
				}
				op := wire.OutPoint{Hash: id, Index: uint32(i)}
				e, err := n.Chain.FetchUtxoEntry(op)
				if err != nil {
					t.Fatal(err)
				}
				if e == nil {
					continue
				}
				if _, ok := mineConf[op]; !ok {
					t.Fatalf("run %d: chain output %s (%d) pays the wallet but is no wallet coin", run, op, o.Value)
				}
				chainSum += amount.Amount(o.Value)
			}
		}
	}
	if chainSum != confSum {
		t.Fatalf("run %d: wallet confirmed coins %s, chain says %s", run, confSum, chainSum)
	}
	b, err := w.Balance(wallet.AllAccounts)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Confirmed + b.Immature + b.Locked + b.Reserved + pendingSpent; got != chainSum {
		t.Fatalf("run %d: balance %+v (+%s spent by pending) = %s, chain says %s", run, b, pendingSpent, got, chainSum)
	}
	t.Logf("run %d: height %d, %d confirmed coins, %s", run, best.Height, len(mineConf), chainSum)
}
