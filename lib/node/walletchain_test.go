package node

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/mining"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

const walletMnemonic = "legal winner thank year wave sausage worth useful legal winner thank yellow"

var walletPass = []byte("correct horse battery staple")

// testNet is a real chain, mempool and CPU miner in a temp dir.
type testNet struct {
	t     *testing.T
	chain *chain.Chain
	pool  *mempool.Pool
	wc    *WalletChain
	miner *mining.CPUMiner
}

func newTestNet(t *testing.T) *testNet {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "chain.db"), store.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c, err := chain.New(chain.Config{DB: db, Params: chaincfg.RegTestParams})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	n := &testNet{t: t, chain: c}
	n.freshMempool()
	return n
}

// freshMempool replaces the mempool (as a node restart without a saved
// mempool would) and the adapter and miner over it.
func (n *testNet) freshMempool() {
	n.pool = mempool.New(mempool.Config{Params: chaincfg.RegTestParams, Chain: n.chain})
	n.chain.Subscribe(n.pool.HandleNotification)
	n.wc = NewWalletChain(n.chain, n.pool)
	n.miner = mining.NewCPUMiner(mining.NewGenerator(chaincfg.RegTestParams, n.chain, n.pool, time.Now), n.chain)
}

func (n *testNet) mine(k int, payTo []byte) {
	n.t.Helper()
	if _, err := n.miner.Generate(context.Background(), k, payTo); err != nil {
		n.t.Fatalf("mine %d: %v", k, err)
	}
}

// externalScript pays nobody in the wallet.
var externalScript = append([]byte{0, 20}, make([]byte, 20)...)

func openTestWallet(t *testing.T, path string, create bool) *wallet.Wallet {
	t.Helper()
	oo := wallet.OpenOptions{NoSync: true, Timeout: time.Second}
	var w *wallet.Wallet
	var err error
	if create {
		w, _, err = wallet.Create(path, chaincfg.RegTestParams, wallet.CreateOptions{Passphrase: walletPass, Mnemonic: walletMnemonic,
			KDF: wallet.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}, Open: oo})
	} else {
		w, err = wallet.Open(path, chaincfg.RegTestParams, oo)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Unlock(walletPass, 0); err != nil {
		t.Fatal(err)
	}
	return w
}

func balance(t *testing.T, w *wallet.Wallet, acct string) wallet.Balance {
	t.Helper()
	b, err := w.Balance(acct)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gg(f float64) amount.Amount { return amount.Amount(f * float64(amount.DustPerGG)) }

func pay(pk []byte, v amount.Amount) []*wire.TxOut {
	return []*wire.TxOut{{Value: int64(v), PkScript: pk}}
}

func txStatus(t *testing.T, w *wallet.Wallet, id chainhash.Hash) wallet.TxStatus {
	t.Helper()
	txs, err := w.Transactions(wallet.AllAccounts, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range txs {
		if s.TxID == id {
			return s.Status
		}
	}
	return ""
}

// TestWalletChain runs the wallet on a real chain and mempool through the
// in-process adapter: mining, balances, send, overdraft, restart with
// chained pending transactions, a conflict, and replayed notifications.
func TestWalletChain(t *testing.T) {
	ctx := context.Background()
	n := newTestNet(t)
	path := filepath.Join(t.TempDir(), "wallet.db")
	w := openTestWallet(t, path, true)
	defer func() { w.Close() }()
	if err := w.Start(ctx, n.wc); err != nil {
		t.Fatal(err)
	}
	bob, err := w.CreateAccount("bob")
	if err != nil {
		t.Fatal(err)
	}
	mineAddr, err := w.NewAddress("", false)
	if err != nil {
		t.Fatal(err)
	}
	n.mine(101, mineAddr.PkScript())

	// 101 coinbases: one mature (101 confirmations), 100 immature.
	if b := balance(t, w, ""); b.Confirmed != gg(50) || b.Immature != gg(5000) || b.Unconfirmed != 0 || b.Locked != 0 || b.Reserved != 0 {
		t.Fatalf("after 101 blocks: %+v, want 50 confirmed and 5000 immature", b)
	}

	// Send 1.5 GG to bob; balances move by exactly amount + fee.
	bobAddr, err := w.NewAddress(bob.Name, false)
	if err != nil {
		t.Fatal(err)
	}
	before := balance(t, w, "")
	sent, err := w.Send(ctx, "", pay(bobAddr.PkScript(), gg(1.5)), wallet.TxOptions{})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if !n.pool.Have(sent.Tx.TxHash()) {
		t.Fatal("sent tx not in the mempool")
	}
	if d, ok := n.pool.Fetch(sent.Tx.TxHash()); !ok || d.Fee != int64(sent.Fee) || sent.Fee <= 0 {
		t.Fatalf("mempool fee %v, wallet fee %v", d, sent.Fee)
	}
	if b := balance(t, w, bob.Name); b.Unconfirmed != gg(1.5) || b.Confirmed != 0 {
		t.Fatalf("bob before mining: %+v", b)
	}
	n.mine(1, externalScript) // also matures one more coinbase (+50)
	after := balance(t, w, "")
	if want := before.Total() - gg(1.5) - sent.Fee; after.Total() != want {
		t.Fatalf("default total %v, want %v (fee %v)", after.Total(), want, sent.Fee)
	}
	if after.Confirmed != before.Confirmed+gg(50)-gg(1.5)-sent.Fee || after.Immature != gg(4950) || after.Unconfirmed != 0 {
		t.Fatalf("default after mining: %+v (before %+v, fee %v)", after, before, sent.Fee)
	}
	if b := balance(t, w, bob.Name); b.Confirmed != gg(1.5) || b.Total() != gg(1.5) {
		t.Fatalf("bob after mining: %+v", b)
	}
	hist, err := w.Transactions("", 0, 1)
	if err != nil || len(hist) != 1 || hist[0].TxID != sent.Tx.TxHash() || hist[0].Fee != sent.Fee ||
		hist[0].Amount != -gg(1.5) || hist[0].Confirmations != 1 || hist[0].Status != wallet.TxConfirmed {
		t.Fatalf("history = %+v, %v", hist, err)
	}

	// Overdraft: typed error with need/have, nothing changes.
	coinsBefore, _ := w.Coins(wallet.AllAccounts)
	acctBefore, _ := w.Account("")
	_, err = w.Send(ctx, "", pay(externalScript, gg(1_000_000)), wallet.TxOptions{})
	var short *wallet.InsufficientFundsError
	if !errors.As(err, &short) || !errors.Is(err, wallet.ErrInsufficientFunds) || short.Have != after.Confirmed ||
		!strings.Contains(err.Error(), "insufficient funds: need 1000000.") || !strings.Contains(err.Error(), "have "+after.Confirmed.String()+" GG") {
		t.Fatalf("overdraft: %v", err)
	}
	coinsAfter, _ := w.Coins(wallet.AllAccounts)
	acctAfter, _ := w.Account("")
	if len(coinsAfter) != len(coinsBefore) || acctAfter != acctBefore || balance(t, w, "") != after || n.pool.Count() != 0 {
		t.Fatal("overdraft changed state")
	}
	// Locked: refused with the hint, nothing sent.
	w.Lock()
	if _, err := w.Send(ctx, "", pay(externalScript, gg(1)), wallet.TxOptions{}); !errors.Is(err, wallet.ErrLocked) || !strings.Contains(err.Error(), "unlock it first") {
		t.Fatalf("locked send: %v", err)
	}
	if err := w.Unlock(walletPass, 0); err != nil {
		t.Fatal(err)
	}

	// Parent and child pending: bob pays back, then pays again from the
	// parent's unconfirmed change.
	backAddr, _ := w.NewAddress("", false)
	parent, err := w.Send(ctx, bob.Name, pay(backAddr.PkScript(), gg(1)), wallet.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	child, err := w.Send(ctx, bob.Name, pay(backAddr.PkScript(), gg(0.3)), wallet.TxOptions{})
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	if child.Tx.TxIn[0].PreviousOutPoint.Hash != parent.Tx.TxHash() {
		t.Fatal("child does not spend the parent")
	}
	bobPending := balance(t, w, bob.Name)

	// Restart: close the wallet, a fresh (empty) mempool and adapter.
	w.Close()
	n.freshMempool()
	w = openTestWallet(t, path, false)
	pend, err := w.Pending()
	if err != nil || len(pend) != 2 || pend[0].Tx.TxHash() != parent.Tx.TxHash() || pend[1].Tx.TxHash() != child.Tx.TxHash() {
		t.Fatalf("pending = %v, %v; want parent then child", pend, err)
	}
	if err := w.Start(ctx, n.wc); err != nil {
		t.Fatal(err)
	}
	if !n.pool.Have(parent.Tx.TxHash()) || !n.pool.Have(child.Tx.TxHash()) {
		t.Fatalf("after restart: parent in pool %v, child %v", n.pool.Have(parent.Tx.TxHash()), n.pool.Have(child.Tx.TxHash()))
	}
	if b := balance(t, w, bob.Name); b != bobPending {
		t.Fatalf("bob after restart %+v, before %+v", b, bobPending)
	}
	n.mine(1, externalScript)
	for _, id := range []chainhash.Hash{parent.Tx.TxHash(), child.Tx.TxHash()} {
		if s := txStatus(t, w, id); s != wallet.TxConfirmed {
			t.Fatalf("%s status %q after mining", id, s)
		}
	}
	if pend, _ := w.Pending(); len(pend) != 0 {
		t.Fatalf("pending after confirmation: %d", len(pend))
	}
	if want := gg(1.5) - gg(1.3) - parent.Fee - child.Fee; balance(t, w, bob.Name).Confirmed != want {
		t.Fatalf("bob confirmed %v, want %v", balance(t, w, bob.Name).Confirmed, want)
	}

	// Conflict: P spends two coins; a double-spend D of one of them
	// confirms; P is conflicted and its other coin returns.
	total0 := balance(t, w, wallet.AllAccounts).Total()
	p, err := w.Send(ctx, "", pay(bobAddr.PkScript(), gg(60)), wallet.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tx.TxIn) != 2 {
		t.Fatalf("P has %d inputs, want 2", len(p.Tx.TxIn))
	}
	d := wire.NewMsgTx(2)
	d.AddTxIn(&wire.TxIn{PreviousOutPoint: p.Tx.TxIn[0].PreviousOutPoint, Sequence: wire.MaxTxInSequenceNum - 2})
	d.AddTxOut(&wire.TxOut{Value: int64(gg(1)), PkScript: externalScript})
	fd, err := w.Fund(ctx, "", d, wallet.TxOptions{FeeRate: 5000})
	if err != nil {
		t.Fatalf("Fund: %v", err)
	}
	if len(d.TxIn) != 1 || fd.ChangeIndex != 1 {
		t.Fatalf("funded D: %d inputs, change %d", len(d.TxIn), fd.ChangeIndex)
	}
	if res, err := w.Sign(d, nil); err != nil || !res.Complete {
		t.Fatalf("Sign: %+v, %v", res, err)
	}
	n.pool.Remove(p.Tx.TxHash(), true)
	if _, err := n.pool.ProcessTransaction(d, false); err != nil {
		t.Fatalf("D rejected: %v", err)
	}
	n.mine(1, externalScript)
	if s := txStatus(t, w, p.Tx.TxHash()); s != wallet.TxConflicted {
		txs, _ := w.Transactions(wallet.AllAccounts, 0, 0)
		for _, s := range txs {
			t.Logf("%s %s h=%d amt=%v", s.TxID, s.Status, s.Height, s.Amount)
		}
		t.Logf("P=%s D=%s", p.Tx.TxHash(), d.TxHash())
		t.Fatalf("P status %q, want conflicted", s)
	}
	other := p.Tx.TxIn[1].PreviousOutPoint
	coins, _ := w.Coins(wallet.AllAccounts)
	found := false
	for _, c := range coins {
		if c.OutPoint == other {
			found = !c.SpentPending
		}
		if c.OutPoint.Hash == p.Tx.TxHash() {
			t.Fatalf("coin of conflicted P still listed: %v", c.OutPoint)
		}
	}
	if !found {
		t.Fatal("P's other input did not return to spendable")
	}
	if got, want := balance(t, w, wallet.AllAccounts).Total(), total0-gg(1)-fd.Fee; got != want {
		t.Fatalf("total after conflict %v, want %v", got, want)
	}

	// Idempotency: replaying the tip's notifications changes nothing.
	tip := n.chain.Best()
	blk, err := n.chain.BlockByHash(tip.Hash)
	if err != nil {
		t.Fatal(err)
	}
	wb := &wallet.Block{Header: blk.Header, Hash: tip.Hash, Height: tip.Height, Txs: blk.Transactions}
	all := balance(t, w, wallet.AllAccounts)
	for range 2 {
		w.BlockConnected(wb)
		for _, tx := range blk.Transactions {
			w.RelevantTx(tx)
		}
		if b := balance(t, w, wallet.AllAccounts); b != all {
			t.Fatalf("replay changed balance: %+v, want %+v", b, all)
		}
	}

	// Restore from the mnemonic into a fresh file: the rescan finds the
	// same balance.
	w2path := filepath.Join(t.TempDir(), "restored.db")
	w2 := openTestWallet(t, w2path, true)
	defer w2.Close()
	if _, err := w2.CreateAccount("bob"); err != nil {
		t.Fatal(err)
	}
	if err := w2.Start(ctx, n.wc); err != nil {
		t.Fatal(err)
	}
	if got := balance(t, w2, wallet.AllAccounts); got != all {
		t.Fatalf("restored balance %+v, want %+v", got, all)
	}
}

// TestWalletChainErrors: the adapter's failures.
func TestWalletChainErrors(t *testing.T) {
	ctx := context.Background()
	n := newTestNet(t)
	for _, c := range []struct {
		name string
		run  func() error
	}{
		{"rescan canceled", func() error {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			return n.wc.Rescan(cctx, 0, nil, nil, func(wallet.RescanBlock) error { return nil })
		}},
		{"rescan callback error", func() error {
			return n.wc.Rescan(ctx, 0, nil, nil, func(wallet.RescanBlock) error { return errors.New("stop") })
		}},
		{"block hash above tip", func() error { _, err := n.wc.BlockHash(ctx, 5); return err }},
		{"estimate fee target 0", func() error { _, err := n.wc.EstimateFee(ctx, 0); return err }},
		{"broadcast coinbase", func() error {
			blk, _ := n.chain.BlockByHash(n.chain.Best().Hash)
			return n.wc.Broadcast(ctx, blk.Transactions[0])
		}},
		{"nil handler", func() error { _, err := n.wc.Subscribe(ctx, nil); return err }},
	} {
		if err := c.run(); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	if r, err := n.wc.EstimateFee(ctx, 1); err != nil || r != mempool.DefaultMinRelayFeeRate {
		t.Errorf("EstimateFee = %v, %v", r, err)
	}
}

// TestWalletChainReorg invalidates the block holding a wallet payment (a
// real disconnect through the chain's notifications): the payment turns
// pending, the block's coinbase to the wallet disappears, and mining
// again confirms it.
func TestWalletChainReorg(t *testing.T) {
	ctx := context.Background()
	n := newTestNet(t)
	w := openTestWallet(t, filepath.Join(t.TempDir(), "wallet.db"), true)
	defer w.Close()
	if err := w.Start(ctx, n.wc); err != nil {
		t.Fatal(err)
	}
	a, _ := w.NewAddress("", false)
	n.mine(101, a.PkScript())
	sent, err := w.Send(ctx, "", pay(externalScript, gg(2)), wallet.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pending := balance(t, w, "")
	n.mine(1, a.PkScript()) // the block pays the wallet a coinbase too
	if s := txStatus(t, w, sent.Tx.TxHash()); s != wallet.TxConfirmed {
		t.Fatalf("status %q after mining", s)
	}
	tip := n.chain.Best()
	if err := n.chain.InvalidateBlock(tip.Hash); err != nil {
		t.Fatal(err)
	}
	if s := txStatus(t, w, sent.Tx.TxHash()); s != wallet.TxPending {
		t.Fatalf("status %q after disconnect", s)
	}
	if b := balance(t, w, ""); b != pending {
		t.Fatalf("after disconnect %+v, want %+v", b, pending)
	}
	if s, _ := w.Synced(); s.Height != tip.Height-1 || s.Hash != n.chain.Best().Hash {
		t.Fatalf("sync tip %+v", s)
	}
	if !n.pool.Have(sent.Tx.TxHash()) {
		t.Fatal("mempool did not take the tx back")
	}
	n.mine(1, externalScript)
	if s := txStatus(t, w, sent.Tx.TxHash()); s != wallet.TxConfirmed {
		t.Fatalf("status %q after mining again", s)
	}
	if p, _ := w.Pending(); len(p) != 0 {
		t.Fatalf("%d pending", len(p))
	}
}

// TestWalletChainMempoolEvents: a transaction paying the wallet that
// reaches the mempool without the wallet (as sendrawtransaction does)
// shows as unconfirmed at once, and when a replacement that pays the
// wallet nothing evicts it, it is conflicted and the balance goes.
func TestWalletChainMempoolEvents(t *testing.T) {
	ctx := context.Background()
	n := newTestNet(t)
	w := openTestWallet(t, filepath.Join(t.TempDir(), "wallet.db"), true)
	defer w.Close()
	if err := w.Start(ctx, n.wc); err != nil {
		t.Fatal(err)
	}
	hashes, err := n.miner.Generate(ctx, 1, chaingen.OpTrueP2SH)
	if err != nil {
		t.Fatal(err)
	}
	blk, err := n.chain.BlockByHash(hashes[0])
	if err != nil {
		t.Fatal(err)
	}
	n.mine(100, externalScript) // matures the anyone-can-spend coinbase
	coin := chaingen.SpendableOutFromTx(blk.Transactions[0], 0, 1)
	addr, err := w.NewAddress("", false)
	if err != nil {
		t.Fatal(err)
	}
	gen := chaingen.New(chaincfg.RegTestParams)

	in := gen.SpendTx([]chaingen.SpendableOut{coin}, []*wire.TxOut{
		{Value: int64(gg(10)), PkScript: addr.PkScript()},
		{Value: coin.Amount - int64(gg(10)) - 10_000, PkScript: chaingen.OpTrueP2SH},
	})
	if _, err := n.pool.ProcessTransaction(in, false); err != nil {
		t.Fatal(err)
	}
	if b := balance(t, w, ""); b.Unconfirmed != gg(10) || b.Confirmed != 0 {
		t.Fatalf("after the payment entered the mempool: %+v, want 10 unconfirmed", b)
	}
	if s := txStatus(t, w, in.TxHash()); s != wallet.TxPending {
		t.Fatalf("payment status %q, want pending", s)
	}

	// A replacement paying someone else.
	repl := gen.SpendTx([]chaingen.SpendableOut{coin}, []*wire.TxOut{{Value: coin.Amount - 100_000, PkScript: chaingen.OpTrueP2SH}})
	if _, err := n.pool.ProcessTransaction(repl, false); err != nil {
		t.Fatal(err)
	}
	if n.pool.Have(in.TxHash()) {
		t.Fatal("the replaced payment is still in the mempool")
	}
	if b := balance(t, w, ""); b.Total() != 0 {
		t.Fatalf("after the replacement: %+v, want nothing", b)
	}
	if s := txStatus(t, w, in.TxHash()); s != wallet.TxConflicted {
		t.Fatalf("replaced payment status %q, want conflicted", s)
	}
	if s := txStatus(t, w, repl.TxHash()); s != "" {
		t.Fatalf("unrelated replacement recorded as %q", s)
	}

	// Mined, the payment's replacement leaves the wallet as it is; a new
	// payment confirmed straight from the mempool becomes confirmed.
	n.mine(1, externalScript)
	coin2 := chaingen.SpendableOutFromTx(repl, 0, -1)
	in2 := gen.SpendTx([]chaingen.SpendableOut{coin2}, []*wire.TxOut{
		{Value: int64(gg(3)), PkScript: addr.PkScript()},
		{Value: coin2.Amount - int64(gg(3)) - 10_000, PkScript: chaingen.OpTrueP2SH},
	})
	if _, err := n.pool.ProcessTransaction(in2, false); err != nil {
		t.Fatal(err)
	}
	if b := balance(t, w, ""); b.Unconfirmed != gg(3) {
		t.Fatalf("second payment: %+v", b)
	}
	n.mine(1, externalScript)
	if b := balance(t, w, ""); b.Confirmed != gg(3) || b.Unconfirmed != 0 {
		t.Fatalf("second payment mined: %+v", b)
	}
}
