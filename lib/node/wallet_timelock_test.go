package node

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// TestWalletTimeLockOnChain spends CLTV and CSV coins of the wallet's
// own time-locked addresses against the real chain and mempool: before
// the lock, coin selection refuses and a raw spend signed with the lock
// time is refused by the mempool as non-final (CLTV) or not BIP68-final
// (CSV); once the tip reaches the lock, the wallet's spend is accepted
// and confirms.
func TestWalletTimeLockOnChain(t *testing.T) {
	ctx := context.Background()
	n := newTestNet(t)
	w := openTestWallet(t, filepath.Join(t.TempDir(), "wallet.db"), true)
	defer func() { w.Close() }()
	if err := w.Start(ctx, n.wc); err != nil {
		t.Fatal(err)
	}
	mineAddr, err := w.NewAddress("", false)
	if err != nil {
		t.Fatal(err)
	}
	n.mine(101, mineAddr.PkScript())
	for _, tc := range []struct {
		name string
		lock func(tip int32) wallet.TimeLock
		kind error
	}{
		{"cltv", func(tip int32) wallet.TimeLock { return wallet.TimeLock{Height: uint32(tip + 4)} }, mempool.ErrNonFinal},
		{"csv", func(int32) wallet.TimeLock { return wallet.TimeLock{Blocks: 3} }, mempool.ErrSequenceLocked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := w.CreateAccount(tc.name); err != nil {
				t.Fatal(err)
			}
			tip := n.chain.Best().Height
			lock := tc.lock(tip)
			info, _, err := w.NewTimeLockedAddress(tc.name, lock)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Send(ctx, "", pay(info.PkScript, gg(2)), wallet.TxOptions{}); err != nil {
				t.Fatal(err)
			}
			n.mine(1, externalScript)
			conf := n.chain.Best().Height
			until := int32(lock.Height)
			if lock.Blocks != 0 {
				until = conf + int32(lock.Blocks) - 1
			}
			if b := balance(t, w, tc.name); b.Locked != gg(2) || b.Confirmed != 0 {
				t.Fatalf("after payment: %+v", b)
			}
			_, err = w.Send(ctx, tc.name, pay(externalScript, gg(1)), wallet.TxOptions{})
			if !errors.Is(err, wallet.ErrInsufficientFunds) || !strings.Contains(err.Error(), "locked until height") {
				t.Fatalf("send before the lock: %v", err)
			}
			// A raw spend with what the script needs, signed: the node
			// refuses it before the lock.
			cs, _ := w.Coins(tc.name)
			if len(cs) != 1 {
				t.Fatalf("coins %+v", cs)
			}
			raw := wire.NewMsgTx(2)
			raw.AddTxIn(&wire.TxIn{PreviousOutPoint: cs[0].OutPoint, Sequence: wire.MaxTxInSequenceNum - 2})
			raw.AddTxOut(&wire.TxOut{Value: int64(gg(1.99)), PkScript: externalScript})
			if lock.Height != 0 {
				raw.LockTime = lock.Height
			} else {
				raw.TxIn[0].Sequence = lock.Blocks
			}
			if res, err := w.Sign(raw, nil); err != nil || !res.Complete {
				t.Fatalf("sign raw: %+v %v", res, err)
			}
			for n.chain.Best().Height < until {
				if err := n.wc.Broadcast(ctx, raw); !errors.Is(err, tc.kind) {
					t.Fatalf("tip %d, lock until %d: raw spend %v, want %v", n.chain.Best().Height, until, err, tc.kind)
				}
				if b := balance(t, w, tc.name); b.Locked != gg(2) {
					t.Fatalf("tip %d: %+v", n.chain.Best().Height, b)
				}
				n.mine(1, externalScript)
			}
			if b := balance(t, w, tc.name); b.Locked != 0 || b.Confirmed != gg(2) {
				t.Fatalf("tip %d (until %d): %+v", n.chain.Best().Height, until, b)
			}
			f, err := w.Send(ctx, tc.name, pay(externalScript, gg(1)), wallet.TxOptions{})
			if err != nil {
				t.Fatalf("send after the lock: %v", err)
			}
			n.mine(1, externalScript)
			if st := txStatus(t, w, f.Tx.TxHash()); st != wallet.TxConfirmed {
				t.Fatalf("spend %s", st)
			}
			if b := balance(t, w, tc.name); b.Locked != 0 || b.Confirmed != gg(2)-gg(1)-f.Fee {
				t.Fatalf("after the spend: %+v (fee %v)", b, f.Fee)
			}
		})
	}
}
