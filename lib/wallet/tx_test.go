package wallet

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// fakeChain is an in-memory ChainClient: a main chain of Blocks (no
// validation), a set of broadcast transactions, and the handlers.
type fakeChain struct {
	mu        sync.Mutex
	blocks    []*Block // index = height
	handlers  []ChainHandler
	broadcast []chainhash.Hash
	reject    map[chainhash.Hash]error
	rejectAll error
	estimate  amount.Amount // EstimateFee's answer; zero: 2000
	salt      byte
	// clock, when set, is the next block's timestamp; each block adds
	// step to it. Zero: blocks have no timestamp.
	clock, step uint32
}

func newFakeChain() *fakeChain {
	c := &fakeChain{reject: map[chainhash.Hash]error{}}
	c.blocks = []*Block{{Hash: chainhash.Hash{0xee}, Height: 0}}
	return c
}

func (c *fakeChain) tip() *Block { return c.blocks[len(c.blocks)-1] }

// connect appends a block holding txs (with a coinbase paying cb first,
// if cb is not nil) and notifies the handlers.
func (c *fakeChain) connect(cb []byte, txs ...*wire.MsgTx) *Block {
	c.mu.Lock()
	h := int32(len(c.blocks))
	b := &Block{Height: h}
	b.Header.PrevBlock = c.tip().Hash
	if c.clock != 0 {
		b.Header.Timestamp = c.clock
		c.clock += c.step
	}
	b.Hash = chainhash.DoubleHashH([]byte(fmt.Sprintf("block %d %d", h, c.salt)))
	if cb != nil {
		b.Txs = append(b.Txs, coinbaseTx(h, c.salt, cb, int64(50*amount.DustPerGG)))
	}
	b.Txs = append(b.Txs, txs...)
	c.blocks = append(c.blocks, b)
	hs := append([]ChainHandler(nil), c.handlers...)
	c.mu.Unlock()
	for _, hd := range hs {
		hd.BlockConnected(b)
	}
	return b
}

func (c *fakeChain) disconnect() *Block {
	c.mu.Lock()
	b := c.tip()
	c.blocks = c.blocks[:len(c.blocks)-1]
	hs := append([]ChainHandler(nil), c.handlers...)
	c.mu.Unlock()
	for _, hd := range hs {
		hd.BlockDisconnected(b)
	}
	return b
}

func coinbaseTx(height int32, salt byte, pk []byte, value int64) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
		SignatureScript: binary.BigEndian.AppendUint32([]byte{salt}, uint32(height)), Sequence: wire.MaxTxInSequenceNum})
	tx.AddTxOut(&wire.TxOut{Value: value, PkScript: pk})
	return tx
}

func (c *fakeChain) BestBlock(context.Context) (chainhash.Hash, int32, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tip().Hash, c.tip().Height, nil
}

func (c *fakeChain) BlockHash(_ context.Context, h int32) (chainhash.Hash, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h < 0 || int(h) >= len(c.blocks) {
		return chainhash.Hash{}, errors.New("no block")
	}
	return c.blocks[h].Hash, nil
}

func (c *fakeChain) Subscribe(_ context.Context, h ChainHandler) (func(), error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.handlers = append(c.handlers, h)
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.handlers = nil
	}, nil
}

func (c *fakeChain) WatchScripts(context.Context, [][]byte) error          { return nil }
func (c *fakeChain) WatchOutPoints(context.Context, []wire.OutPoint) error { return nil }
func (c *fakeChain) EstimateFee(context.Context, int) (amount.Amount, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.estimate != 0 {
		return c.estimate, nil
	}
	return 2000, nil
}

func (c *fakeChain) Broadcast(_ context.Context, tx *wire.MsgTx) error {
	c.mu.Lock()
	id := tx.TxHash()
	if err := c.reject[id]; err != nil || c.rejectAll != nil {
		if err == nil {
			err = c.rejectAll
		}
		c.mu.Unlock()
		return err
	}
	c.broadcast = append(c.broadcast, id)
	hs := append([]ChainHandler(nil), c.handlers...)
	c.mu.Unlock()
	for _, h := range hs {
		h.RelevantTx(tx)
	}
	return nil
}

func (c *fakeChain) Rescan(ctx context.Context, from int32, _ [][]byte, _ []wire.OutPoint, fn func(RescanBlock) error) error {
	c.mu.Lock()
	blocks := append([]*Block(nil), c.blocks...)
	c.mu.Unlock()
	for h := max(from, 0); int(h) < len(blocks); h++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(RescanBlock{Block: *blocks[h], Tip: int32(len(blocks) - 1)}); err != nil {
			return err
		}
	}
	return nil
}

// startedWallet is an unlocked wallet on a fake chain with n coinbases
// paid to its first address (height 1..n) and 100 more blocks on top, so
// the first n coinbases are mature.
func startedWallet(t *testing.T, n int) (*Wallet, *fakeChain, []byte) {
	t.Helper()
	w, _, _ := newTestWallet(t, nil)
	mustUnlock(t, w)
	c := newFakeChain()
	if err := w.Start(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	a, err := w.NewAddress("", false)
	if err != nil {
		t.Fatal(err)
	}
	for range n {
		c.connect(a.PkScript())
	}
	for range 100 {
		c.connect(nil)
	}
	return w, c, a.PkScript()
}

func gg(f float64) amount.Amount { return amount.Amount(f * float64(amount.DustPerGG)) }

var extScript = append([]byte{0, 20}, make([]byte, 20)...)

func mustBalance(t *testing.T, w *Wallet, acct string) Balance {
	t.Helper()
	b, err := w.Balance(acct)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBlockConnectedDisconnected(t *testing.T) {
	w, c, pk := startedWallet(t, 2)
	if b := mustBalance(t, w, ""); b.Confirmed != gg(100) || b.Immature != 0 {
		t.Fatalf("balance %+v", b)
	}
	// A coinbase on top is immature.
	c.connect(pk)
	if b := mustBalance(t, w, ""); b.Confirmed != gg(100) || b.Immature != gg(50) {
		t.Fatalf("balance with immature %+v", b)
	}
	// Disconnecting it removes the coinbase and its coin.
	cb := c.disconnect()
	if b := mustBalance(t, w, ""); b.Immature != 0 || b.Total() != gg(100) {
		t.Fatalf("after disconnecting a coinbase %+v", b)
	}
	if s, _ := w.Synced(); s.Hash != c.tip().Hash || s.Height != c.tip().Height {
		t.Fatalf("sync tip %+v, want %v", s, c.tip().Height)
	}
	if txs, _ := w.Transactions(AllAccounts, 0, 0); len(txs) != 2 {
		t.Fatalf("%d transactions after disconnect, want 2", len(txs))
	}
	_ = cb

	// Send, confirm, disconnect: the spend becomes pending again and the
	// coin it spent is restored as spent by it.
	f, err := w.Send(context.Background(), "", []*wire.TxOut{{Value: int64(gg(10)), PkScript: extScript}}, TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Fee != feeForTest(1, 2, 2000) || len(c.broadcast) != 1 {
		t.Fatalf("fee %v, want %v at the client's 2000 dust/kvB; broadcast %d", f.Fee, feeForTest(1, 2, 2000), len(c.broadcast))
	}
	pending := mustBalance(t, w, "")
	if pending.Confirmed != gg(50) || pending.Unconfirmed != gg(40)-f.Fee {
		t.Fatalf("pending balance %+v", pending)
	}
	blk := c.connect(nil, f.Tx)
	conf := mustBalance(t, w, "")
	if conf.Confirmed != gg(90)-f.Fee || conf.Unconfirmed != 0 {
		t.Fatalf("confirmed balance %+v", conf)
	}
	// Replays change nothing.
	w.BlockConnected(blk)
	w.RelevantTx(f.Tx)
	if b := mustBalance(t, w, ""); b != conf {
		t.Fatalf("replay: %+v, want %+v", b, conf)
	}
	c.disconnect()
	if b := mustBalance(t, w, ""); b != pending {
		t.Fatalf("after disconnect %+v, want %+v", b, pending)
	}
	p, _ := w.Pending()
	if len(p) != 1 || p[0].Tx.TxHash() != f.Tx.TxHash() {
		t.Fatalf("pending after disconnect: %v", p)
	}
	// Disconnecting an unknown block does nothing but move the tip.
	w.BlockDisconnected(&Block{Hash: chainhash.Hash{1}, Height: 500})
	if b := mustBalance(t, w, ""); b != pending {
		t.Fatalf("unknown disconnect changed balance: %+v", b)
	}
}

func feeForTest(inputs, outputs int, rate int64) amount.Amount {
	return amount.Amount(feeFor(txOverheadVSize+int64(inputs)*p2wpkhInputVSize+int64(outputs)*p2wpkhOutputVSize, rate))
}

func TestResyncRewindsAfterReorg(t *testing.T) {
	w, c, pk := startedWallet(t, 1)
	ctx := context.Background()
	w.Stop()
	// While the wallet is away, the chain reorganises: the last 3 blocks
	// are replaced by 4 others, one paying the wallet.
	for range 3 {
		c.blocks = c.blocks[:len(c.blocks)-1]
	}
	c.salt = 1
	c.connect(nil)
	c.connect(pk)
	c.connect(nil)
	c.connect(nil)
	if err := w.Start(ctx, c); err != nil {
		t.Fatal(err)
	}
	if s, _ := w.Synced(); s.Hash != c.tip().Hash {
		t.Fatalf("sync tip %v, want %v", s, c.tip().Hash)
	}
	if b := mustBalance(t, w, ""); b.Confirmed != gg(50) || b.Immature != gg(50) {
		t.Fatalf("after reorg %+v", b)
	}
	// A reorg that drops a block with a wallet coinbase: rewound too.
	w.Stop()
	c.blocks = c.blocks[:len(c.blocks)-3]
	c.salt = 2
	c.connect(nil)
	c.connect(nil)
	c.connect(nil)
	c.connect(nil)
	if err := w.Start(ctx, c); err != nil {
		t.Fatal(err)
	}
	if b := mustBalance(t, w, ""); b.Confirmed != gg(50) || b.Immature != 0 {
		t.Fatalf("after second reorg %+v", b)
	}
}

func TestStartErrors(t *testing.T) {
	w, c, _ := startedWallet(t, 0)
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"nil client", w.Start(context.Background(), nil), ErrInvalidArgument},
		{"started twice", w.Start(context.Background(), c), ErrInvalidArgument},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	w.Stop()
	if err := w.Resync(context.Background()); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("resync without client: %v", err)
	}
	if _, err := w.Send(context.Background(), "", []*wire.TxOut{{Value: 1000, PkScript: extScript}}, TxOptions{}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("send without client: %v", err)
	}
}

func TestCreateTxErrors(t *testing.T) {
	w, _, _ := startedWallet(t, 1)
	ctx := context.Background()
	out := func(v int64) []*wire.TxOut { return []*wire.TxOut{{Value: v, PkScript: extScript}} }
	for _, tc := range []struct {
		name    string
		account string
		outs    []*wire.TxOut
		opts    TxOptions
		want    error
		msg     string
	}{
		{"overdraft", "", out(int64(gg(60))), TxOptions{}, ErrInsufficientFunds, "insufficient funds: need 60.00000"},
		{"no outputs", "", nil, TxOptions{}, ErrInvalidArgument, ""},
		{"zero output", "", out(0), TxOptions{}, ErrInvalidArgument, ""},
		{"negative output", "", out(-5), TxOptions{}, ErrInvalidArgument, ""},
		{"too much money", "", out(int64(amount.MaxMoney) + 1), TxOptions{}, ErrInvalidArgument, ""},
		{"bad subtract index", "", out(1e8), TxOptions{SubtractFeeFrom: []int{1}}, ErrInvalidArgument, ""},
		{"duplicate subtract index", "", out(1e8), TxOptions{SubtractFeeFrom: []int{0, 0}}, ErrInvalidArgument, ""},
		{"subtract from tiny output", "", out(300), TxOptions{SubtractFeeFrom: []int{0}}, ErrInvalidArgument, ""},
		{"unknown account", "nobody", out(1e8), TxOptions{}, ErrAccountNotFound, ""},
		{"all accounts", AllAccounts, out(1e8), TxOptions{}, ErrInvalidArgument, ""},
		{"locktime with final sequence", "", out(1e8), TxOptions{LockTime: 10, Sequence: wire.MaxTxInSequenceNum}, ErrInvalidArgument, ""},
	} {
		acct, _ := w.Account("")
		_, err := w.CreateTx(ctx, tc.account, tc.outs, tc.opts)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %v %q", tc.name, err, tc.want, tc.msg)
		}
		if a, _ := w.Account(""); a != acct {
			t.Errorf("%s: account changed: %+v", tc.name, a)
		}
	}
	var short *InsufficientFundsError
	_, err := w.CreateTx(ctx, "", out(int64(gg(60))), TxOptions{})
	if !errors.As(err, &short) || short.Have != gg(50) || short.Need != gg(60)+feeForTest(1, 1, 2000) {
		t.Errorf("overdraft amounts: %+v", short)
	}
	w.Lock()
	if _, err := w.CreateTx(ctx, "", out(1e8), TxOptions{}); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "unlock it first") {
		t.Errorf("locked: %v", err)
	}
	if _, err := w.Sign(wire.NewMsgTx(2), nil); !errors.Is(err, ErrLocked) {
		t.Errorf("locked sign: %v", err)
	}
}

func TestCoinSelectionSkips(t *testing.T) {
	w, c, pk := startedWallet(t, 3)
	ctx := context.Background()
	coins, _ := w.Coins("")
	if len(coins) != 3 {
		t.Fatalf("%d coins", len(coins))
	}
	// A game coin is never used; an immature one neither.
	if err := w.MarkGameCoin(coins[0].OutPoint, []byte("sword")); err != nil {
		t.Fatal(err)
	}
	if err := w.MarkGameCoin(wire.OutPoint{Index: 9}, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("MarkGameCoin unknown: %v", err)
	}
	c.connect(pk) // immature
	f, err := w.CreateTx(ctx, "", []*wire.TxOut{{Value: int64(gg(80)), PkScript: extScript}}, TxOptions{FeeRate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range f.Tx.TxIn {
		if in.PreviousOutPoint == coins[0].OutPoint {
			t.Fatal("game coin selected")
		}
		if in.PreviousOutPoint.Hash == c.tip().Txs[0].TxHash() {
			t.Fatal("immature coin selected")
		}
	}
	if _, err := w.CreateTx(ctx, "", []*wire.TxOut{{Value: int64(gg(101)), PkScript: extScript}}, TxOptions{}); !errors.Is(err, ErrInsufficientFunds) {
		t.Fatalf("game+immature counted as spendable: %v", err)
	}
	// Coins spent by a pending tx are skipped too.
	if _, err := w.Send(ctx, "", []*wire.TxOut{{Value: int64(gg(30)), PkScript: extScript}}, TxOptions{}); err != nil {
		t.Fatal(err)
	}
	f2, err := w.CreateTx(ctx, "", []*wire.TxOut{{Value: int64(gg(45)), PkScript: extScript}}, TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := w.Coins("")
	spent := map[wire.OutPoint]bool{}
	for _, ci := range cs {
		if ci.SpentPending {
			spent[ci.OutPoint] = true
		}
	}
	for _, in := range f2.Tx.TxIn {
		if spent[in.PreviousOutPoint] {
			t.Fatal("coin spent by a pending tx selected")
		}
	}
}

func TestTimeLockedCoin(t *testing.T) {
	w, c, _ := startedWallet(t, 0)
	// <tip+5> OP_CHECKLOCKTIMEVERIFY OP_DROP <key> OP_CHECKSIG
	lock := c.tip().Height + 5
	s := []byte{0x02, byte(lock), byte(lock >> 8), 0xb1, 0x75, 0x21}
	s = append(s, make([]byte, 33)...)
	s[6] = 2
	s = append(s, 0xac)
	info, err := w.ImportScript(s, "")
	if err != nil {
		t.Fatal(err)
	}
	pay := wire.NewMsgTx(2)
	pay.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash{7}}})
	pay.AddTxOut(&wire.TxOut{Value: int64(gg(3)), PkScript: info.PkScript})
	c.connect(nil, pay)
	if b := mustBalance(t, w, ""); b.Locked != gg(3) || b.Confirmed != 0 {
		t.Fatalf("locked coin: %+v", b)
	}
	// A spend of lock H needs nLockTime >= H, final in the next block
	// (nLockTime < tip+1): still locked with the tip at H-1.
	for c.tip().Height+1 < lock {
		c.connect(nil)
	}
	if b := mustBalance(t, w, ""); b.Locked != gg(3) {
		t.Fatalf("tip %d, lock %d: %+v, want still locked", c.tip().Height, lock, b)
	}
	c.connect(nil)
	if b := mustBalance(t, w, ""); b.Locked != 0 || b.Confirmed != gg(3) {
		t.Fatalf("lock expired: %+v", b)
	}
}

func TestCLTVLock(t *testing.T) {
	for _, tc := range []struct {
		s    []byte
		want uint32
	}{
		{[]byte{0x55, 0xb1}, 5},
		{[]byte{0x02, 0x10, 0x27, 0xb1, 0x75}, 10000},
		{[]byte{0x02, 0x10, 0x27, 0xb2}, 0}, // CSV, not CLTV
		{[]byte{0x01, 0x80, 0xb1}, 0},       // negative
		{[]byte{0x03, 0x10, 0x27}, 0},       // truncated
		{[]byte{0x76, 0xa9}, 0},             // P2PKH start
		{nil, 0},
	} {
		if got := cltvLock(tc.s); got != tc.want {
			t.Errorf("cltvLock(%x) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

func TestPendingConflictAndAbandon(t *testing.T) {
	w, c, _ := startedWallet(t, 3)
	ctx := context.Background()
	bob, err := w.CreateAccount("bob")
	if err != nil {
		t.Fatal(err)
	}
	bobAddr, _ := w.NewAddress(bob.Name, false)
	start := mustBalance(t, w, AllAccounts)
	parent, err := w.Send(ctx, "", []*wire.TxOut{{Value: int64(gg(10)), PkScript: bobAddr.PkScript()}}, TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	child, err := w.Send(ctx, bob.Name, []*wire.TxOut{{Value: int64(gg(4)), PkScript: extScript}}, TxOptions{})
	if err == nil {
		t.Fatal("bob spent an unconfirmed coin that is not change")
	}
	// The default account's change chain: child spends the parent's change
	// once the confirmed coins are exhausted.
	child, err = w.Send(ctx, "", []*wire.TxOut{{Value: int64(gg(135)), PkScript: extScript}}, TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	spendsParent := false
	for _, in := range child.Tx.TxIn {
		spendsParent = spendsParent || in.PreviousOutPoint.Hash == parent.Tx.TxHash()
	}
	if !spendsParent {
		t.Fatal("child does not spend the parent's change")
	}
	p, _ := w.Pending()
	if len(p) != 2 || p[0].Tx.TxHash() != parent.Tx.TxHash() {
		t.Fatalf("pending order: %v", p)
	}
	// Abandon the parent: the child goes with it, every coin returns.
	for _, tc := range []struct {
		id   chainhash.Hash
		want error
	}{{chainhash.Hash{1}, ErrTxNotFound}, {c.blocks[1].Txs[0].TxHash(), ErrTxConfirmed}} {
		if err := w.Abandon(tc.id); !errors.Is(err, tc.want) {
			t.Errorf("Abandon(%v): %v, want %v", tc.id, err, tc.want)
		}
	}
	if err := w.Abandon(parent.Tx.TxHash()); err != nil {
		t.Fatal(err)
	}
	if b := mustBalance(t, w, AllAccounts); b != start {
		t.Fatalf("after abandon %+v, want %+v", b, start)
	}
	hist, _ := w.Transactions(AllAccounts, 0, 2)
	for _, h := range hist {
		if h.Status != TxAbandoned {
			t.Fatalf("history after abandon: %+v", h)
		}
	}
	if p, _ := w.Pending(); len(p) != 0 {
		t.Fatalf("pending after abandon: %d", len(p))
	}

	// Conflict from a block: pending P, then a different tx spending the
	// same coin confirms.
	P, err := w.Send(ctx, "", []*wire.TxOut{{Value: int64(gg(20)), PkScript: extScript}}, TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	D := wire.NewMsgTx(2)
	D.AddTxIn(&wire.TxIn{PreviousOutPoint: P.Tx.TxIn[0].PreviousOutPoint})
	if _, err := w.Fund(ctx, "", D, TxOptions{}); err == nil {
		t.Fatal("Fund with no outputs succeeded")
	}
	D.AddTxOut(&wire.TxOut{Value: int64(gg(5)), PkScript: extScript})
	fd, err := w.Fund(ctx, "", D, TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := w.Sign(D, nil); err != nil || !res.Complete || len(res.Signed) != 1 {
		t.Fatalf("Sign: %+v %v", res, err)
	}
	c.connect(nil, D)
	if s := statusOf(t, w, P.Tx.TxHash()); s != TxConflicted {
		t.Fatalf("P %q", s)
	}
	if b := mustBalance(t, w, AllAccounts); b.Total() != start.Total()-gg(5)-fd.Fee || b.Unconfirmed != 0 {
		t.Fatalf("after conflict %+v", b)
	}

	// Broadcast rejection: nothing recorded.
	before := mustBalance(t, w, AllAccounts)
	c.mu.Lock()
	c.rejectAll = errors.New("rejected")
	c.mu.Unlock()
	if _, err := w.Send(ctx, "", []*wire.TxOut{{Value: int64(gg(1)), PkScript: extScript}}, TxOptions{}); err == nil || !strings.Contains(err.Error(), "rejected") {
		t.Fatalf("rejected send: %v", err)
	}
	if b := mustBalance(t, w, AllAccounts); b != before {
		t.Fatalf("rejected send changed balance %+v", b)
	}
}

func statusOf(t *testing.T, w *Wallet, id chainhash.Hash) TxStatus {
	t.Helper()
	txs, err := w.Transactions(AllAccounts, 0, 0)
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

func TestTransactionsPaging(t *testing.T) {
	w, c, pk := startedWallet(t, 5)
	all, err := w.Transactions("", 0, 0)
	if err != nil || len(all) != 5 {
		t.Fatalf("%d txs, %v", len(all), err)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Height >= all[i-1].Height {
			t.Fatal("not newest first")
		}
	}
	if all[0].Confirmations != c.tip().Height-all[0].Height+1 || all[0].Amount != gg(50) || !all[0].Coinbase {
		t.Fatalf("summary %+v", all[0])
	}
	if err := w.SetLabel(pk, "mining"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ skip, count, want int }{{0, 2, 2}, {2, 2, 2}, {4, 2, 1}, {5, 2, 0}, {1, 0, 4}} {
		page, err := w.Transactions("", tc.skip, tc.count)
		if err != nil || len(page) != tc.want {
			t.Errorf("page %d,%d: %d, %v", tc.skip, tc.count, len(page), err)
			continue
		}
		if len(page) > 0 && (page[0].TxID != all[tc.skip].TxID || len(page[0].Labels) != 1 || page[0].Labels[0] != "mining") {
			t.Errorf("page %d,%d starts %+v", tc.skip, tc.count, page[0])
		}
	}
	if _, err := w.Transactions("", -1, 1); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("negative skip: %v", err)
	}
	if _, err := w.Transactions("nobody", 0, 1); !errors.Is(err, ErrAccountNotFound) {
		t.Errorf("unknown account: %v", err)
	}
	if txs, _ := w.Transactions(DefaultAccount, 0, 0); len(txs) != 5 {
		t.Errorf("default account: %d", len(txs))
	}
}

// TestResyncWhileAway: while the wallet is stopped, one pending tx
// confirms and another is double-spent; on Start the first is confirmed
// (not rebroadcast), the second conflicted with its other coin back, the
// third rebroadcast.
func TestResyncWhileAway(t *testing.T) {
	w, c, _ := startedWallet(t, 4)
	ctx := context.Background()
	send := func(v float64) *FundedTx {
		t.Helper()
		f, err := w.Send(ctx, "", []*wire.TxOut{{Value: int64(gg(v)), PkScript: extScript}}, TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	p1 := send(10)
	p2 := send(60) // two coins
	if len(p2.Tx.TxIn) != 2 {
		t.Fatalf("p2 has %d inputs", len(p2.Tx.TxIn))
	}
	d := wire.NewMsgTx(2)
	d.AddTxIn(&wire.TxIn{PreviousOutPoint: p2.Tx.TxIn[0].PreviousOutPoint})
	d.AddTxOut(&wire.TxOut{Value: int64(gg(1)), PkScript: extScript})
	fd, err := w.Fund(ctx, "", d, TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := w.Sign(d, nil); err != nil || !res.Complete {
		t.Fatalf("sign: %+v %v", res, err)
	}
	p3 := send(0.5)
	w.Stop()
	c.connect(nil, p1.Tx, d)
	c.broadcast = nil
	if err := w.Start(ctx, c); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id   chainhash.Hash
		want TxStatus
	}{{p1.Tx.TxHash(), TxConfirmed}, {p2.Tx.TxHash(), TxConflicted}, {p3.Tx.TxHash(), TxPending}, {d.TxHash(), TxConfirmed}} {
		if s := statusOf(t, w, tc.id); s != tc.want {
			t.Errorf("%v: %q, want %q", tc.id, s, tc.want)
		}
	}
	if len(c.broadcast) != 1 || c.broadcast[0] != p3.Tx.TxHash() {
		t.Errorf("rebroadcast %v, want only p3", c.broadcast)
	}
	coins, _ := w.Coins("")
	back := false
	for _, ci := range coins {
		if ci.OutPoint == p2.Tx.TxIn[1].PreviousOutPoint {
			back = !ci.SpentPending
		}
	}
	if !back {
		t.Error("p2's other coin is not spendable again")
	}
	_ = fd
}

func TestSubtractFeeAndSign(t *testing.T) {
	w, _, _ := startedWallet(t, 2)
	ctx := context.Background()
	f, err := w.CreateTx(ctx, "", []*wire.TxOut{{Value: int64(gg(50)), PkScript: extScript}}, TxOptions{SubtractFeeFrom: []int{0}, FeeRate: 3000, LockTime: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tx.TxIn) != 1 || f.ChangeIndex != -1 || f.Tx.TxOut[0].Value != int64(gg(50)-f.Fee) || f.Fee != feeForTest(1, 1, 3000) || f.Tx.LockTime != 5 {
		t.Fatalf("subtract fee: %d inputs, change %d, out %d, fee %v", len(f.Tx.TxIn), f.ChangeIndex, f.Tx.TxOut[0].Value, f.Fee)
	}
	if f.Tx.TxIn[0].Sequence != wire.MaxTxInSequenceNum-2 || len(f.Tx.TxIn[0].Witness) != 2 {
		t.Fatalf("input %+v", f.Tx.TxIn[0])
	}
	// Sign: a foreign input is reported missing, the wallet's signed.
	coins, _ := w.Coins("")
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: coins[0].OutPoint})
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash{0x42}}})
	tx.AddTxOut(&wire.TxOut{Value: 1000, PkScript: extScript})
	res, err := w.Sign(tx, nil)
	if err != nil || res.Complete || len(res.Signed) != 1 || res.Signed[0] != 0 || len(res.Missing) != 1 || res.Missing[0] != 1 {
		t.Fatalf("Sign = %+v, %v", res, err)
	}
	// A prevout supplied for the foreign input that the wallet has no key
	// for stays missing.
	res, err = w.Sign(tx, map[wire.OutPoint]*wire.TxOut{{Hash: chainhash.Hash{0x42}}: {Value: 5, PkScript: extScript}})
	if err != nil || res.Complete || len(res.Missing) != 1 {
		t.Fatalf("Sign with prevouts = %+v, %v", res, err)
	}
	// Fund refuses an input that is not the wallet's.
	if _, err := w.Fund(ctx, "", tx, TxOptions{}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("Fund foreign input: %v", err)
	}
}

func TestRescanProgress(t *testing.T) {
	w, c, _ := startedWallet(t, 3)
	// A wallet restored from the same mnemonic finds the same coins.
	w2, _, _ := newTestWallet(t, nil)
	if err := w2.Rescan(context.Background(), 0, nil); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("rescan before Start: %v", err)
	}
	c2 := &fakeChain{blocks: c.blocks, reject: map[chainhash.Hash]error{}}
	if err := w2.Start(context.Background(), c2); err != nil {
		t.Fatal(err)
	}
	if got, want := mustBalance(t, w2, ""), mustBalance(t, w, ""); got != want {
		t.Fatalf("restored %+v, want %+v", got, want)
	}
	var calls, last int32
	err := w2.Rescan(context.Background(), -1, func(h, tip int32) { calls++; last = h })
	if err != nil || calls != int32(len(c.blocks)) || last != c.tip().Height {
		t.Fatalf("rescan: %v, %d calls, last %d", err, calls, last)
	}
	if got, want := mustBalance(t, w2, ""), mustBalance(t, w, ""); got != want {
		t.Fatalf("after a second rescan %+v, want %+v", got, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err = w2.Rescan(ctx, 0, func(h, tip int32) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled rescan: %v", err)
	}
}

// TestPaymentExtendsGap: a block paying the last lookahead address marks
// it used and derives GapLimit more, so a payment to the next one is seen.
func TestPaymentExtendsGap(t *testing.T) {
	w, c, _ := startedWallet(t, 0)
	lookahead := func(idx uint32) []byte {
		t.Helper()
		var pk []byte
		err := w.view(func(tx *storeTx) error {
			return scanAddrIndex(tx, addrIndexKey(0, BranchReceive, idx, nil), func(_ uint8, _ uint32, p []byte) error { pk = p; return nil })
		})
		if err != nil || pk == nil {
			t.Fatalf("no lookahead address %d: %v", idx, err)
		}
		return pk
	}
	payTo := func(pk []byte, salt uint32) *wire.MsgTx {
		tx := wire.NewMsgTx(2)
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: salt}})
		tx.AddTxOut(&wire.TxOut{Value: int64(gg(1)), PkScript: pk})
		return tx
	}
	last := w.GapLimit() // one address handed out (index 0) + gap
	c.connect(nil, payTo(lookahead(last), 1))
	a, _ := w.Account("")
	if a.ReceiveUsed != last+1 || a.Receive != last+1 {
		t.Fatalf("after payment to %d: %+v", last, a)
	}
	c.connect(nil, payTo(lookahead(2*last), 2))
	if b := mustBalance(t, w, ""); b.Confirmed != gg(2) {
		t.Fatalf("balance %+v, want both payments", b)
	}
	// A payment to a script the wallet does not know is ignored.
	c.connect(nil, payTo(extScript, 3))
	if txs, _ := w.Transactions(AllAccounts, 0, 0); len(txs) != 2 {
		t.Fatalf("%d txs, want 2", len(txs))
	}
}

// TestConcurrentSends: parallel sends never pick the same coin.
func TestConcurrentSends(t *testing.T) {
	w, c, _ := startedWallet(t, 8)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := w.Send(context.Background(), "", []*wire.TxOut{{Value: int64(gg(20)), PkScript: extScript}}, TxOptions{})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[wire.OutPoint]bool{}
	p, _ := w.Pending()
	if len(p) != 8 || len(c.broadcast) != 8 {
		t.Fatalf("%d pending, %d broadcast", len(p), len(c.broadcast))
	}
	for _, pt := range p {
		for _, in := range pt.Tx.TxIn {
			if seen[in.PreviousOutPoint] {
				t.Fatalf("coin %v spent twice", in.PreviousOutPoint)
			}
			seen[in.PreviousOutPoint] = true
		}
	}
}
