package node

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/mining"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// testClock is a clock the test moves: the chain's "too far in the
// future" judge, the miner's block timestamps and the wallet's now.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestWalletTimeLockTimeOnChain spends coins of time-based locks (CLTV
// until a unix time, CSV for 512-second units) against the real chain
// and mempool with a controlled clock: while the wallet counts a coin
// locked, the mempool refuses a raw spend signed with what the script
// needs (non-final, non-BIP68-final); the block whose median time past
// passes the lock releases it in the wallet too, and the wallet's own
// spend is accepted and confirms.
func TestWalletTimeLockTimeOnChain(t *testing.T) {
	ctx := context.Background()
	clk := &testClock{t: time.Now().Truncate(time.Second)}
	db, err := store.Open(filepath.Join(t.TempDir(), "chain.db"), store.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c, err := chain.New(chain.Config{DB: db, Params: chaincfg.RegTestParams, TimeSource: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	pool := mempool.New(mempool.Config{Params: chaincfg.RegTestParams, Chain: c})
	c.Subscribe(pool.HandleNotification)
	wc := NewWalletChain(c, pool)
	miner := mining.NewCPUMiner(mining.NewGenerator(chaincfg.RegTestParams, c, pool, clk.Now), c)
	mine := func(k int, to []byte) {
		t.Helper()
		for range k {
			clk.Add(10 * time.Minute)
			if _, err := miner.Generate(ctx, 1, to); err != nil {
				t.Fatal(err)
			}
		}
	}

	w, _, err := wallet.Create(filepath.Join(t.TempDir(), "wallet.db"), chaincfg.RegTestParams, wallet.CreateOptions{
		Passphrase: walletPass, Mnemonic: walletMnemonic, KDF: wallet.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1},
		Open: wallet.OpenOptions{NoSync: true, Timeout: time.Second, Now: clk.Now}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Unlock(walletPass, 0); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(ctx, wc); err != nil {
		t.Fatal(err)
	}
	mineAddr, err := w.NewAddress("", false)
	if err != nil {
		t.Fatal(err)
	}
	mine(101, mineAddr.PkScript())

	for _, tc := range []struct {
		name string
		lock func() wallet.TimeLock
		kind error
	}{
		{"cltv", func() wallet.TimeLock { return wallet.TimeLock{Time: uint32(clk.Now().Unix()) + 3600} }, mempool.ErrNonFinal},
		{"csv", func() wallet.TimeLock { return wallet.TimeLock{Seconds: 1800} }, mempool.ErrSequenceLocked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := w.CreateAccount(tc.name); err != nil {
				t.Fatal(err)
			}
			lock := tc.lock()
			info, _, err := w.NewTimeLockedAddress(tc.name, lock)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Send(ctx, "", pay(info.PkScript, gg(2)), wallet.TxOptions{}); err != nil {
				t.Fatal(err)
			}
			mine(1, externalScript)
			cs, _ := w.Coins(tc.name)
			if len(cs) != 1 || !cs[0].Locked {
				t.Fatalf("coins %+v", cs)
			}
			until := cs[0].LockUntil
			if lock.Time != 0 && until != lock.Time || until < wallet.LockTimeThreshold {
				t.Fatalf("lock until %d (lock %+v)", until, lock)
			}
			raw := wire.NewMsgTx(2)
			raw.AddTxIn(&wire.TxIn{PreviousOutPoint: cs[0].OutPoint, Sequence: wire.MaxTxInSequenceNum - 2})
			raw.AddTxOut(&wire.TxOut{Value: int64(gg(1.99)), PkScript: externalScript})
			if lock.Time != 0 {
				raw.LockTime = lock.Time
			} else {
				raw.TxIn[0].Sequence = wire.SequenceLockTimeIsSeconds | (lock.LockSeconds() >> 9)
			}
			if res, err := w.Sign(raw, nil); err != nil || !res.Complete {
				t.Fatalf("sign raw: %+v %v", res, err)
			}
			steps := 0
			for c.Best().MedianTime <= int64(until) {
				if err := wc.Broadcast(ctx, raw); !errors.Is(err, tc.kind) {
					t.Fatalf("median time %d, lock until %d: raw spend %v, want %v", c.Best().MedianTime, until, err, tc.kind)
				}
				if b := balance(t, w, tc.name); b.Locked != gg(2) {
					t.Fatalf("median time %d, lock until %d: %+v", c.Best().MedianTime, until, b)
				}
				if _, err := w.Send(ctx, tc.name, pay(externalScript, gg(1)), wallet.TxOptions{}); !errors.Is(err, wallet.ErrInsufficientFunds) {
					t.Fatalf("send before the lock: %v", err)
				}
				mine(1, externalScript)
				steps++
			}
			if steps < 2 {
				t.Fatalf("released after %d blocks: nothing was waited for", steps)
			}
			if b := balance(t, w, tc.name); b.Locked != 0 || b.Confirmed != gg(2) {
				t.Fatalf("median time %d past the lock %d: %+v", c.Best().MedianTime, until, b)
			}
			f, err := w.Send(ctx, tc.name, pay(externalScript, gg(1)), wallet.TxOptions{})
			if err != nil {
				t.Fatalf("send after the lock: %v", err)
			}
			mine(1, externalScript)
			if st := txStatus(t, w, f.Tx.TxHash()); st != wallet.TxConfirmed {
				t.Fatalf("spend %s", st)
			}
		})
	}
}
