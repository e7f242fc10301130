package wallet

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// payTo confirms a payment of v to pk in the next block of c and returns
// its outpoint.
func payTo(c *fakeChain, pk []byte, v int64) wire.OutPoint {
	pay := wire.NewMsgTx(2)
	pay.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash{7, byte(len(c.blocks))}}})
	pay.AddTxOut(&wire.TxOut{Value: v, PkScript: pk})
	c.connect(nil, pay)
	return wire.OutPoint{Hash: pay.TxHash(), Index: 0}
}

// verifyAt runs the script interpreter on every input of tx and checks
// the finality and BIP68 rules a node applies for a block at height next
// (conf: heights of the spent coins).
func verifyAt(t *testing.T, tx *wire.MsgTx, prev []*wire.TxOut, conf []int32, next int32) error {
	t.Helper()
	if tx.LockTime != 0 && int64(tx.LockTime) >= int64(next) {
		for _, in := range tx.TxIn {
			if in.Sequence != wire.MaxTxInSequenceNum {
				return errors.New("non-final")
			}
		}
	}
	hashes := script.NewSigHashes(tx)
	for i, in := range tx.TxIn {
		if tx.Version >= 2 && in.Sequence&wire.SequenceLockTimeDisabled == 0 {
			if conf[i]+int32(in.Sequence&wire.SequenceLockTimeMask)-1 >= next {
				return errors.New("non-BIP68-final")
			}
		}
		if err := script.VerifyInput(tx, i, prev[i].PkScript, prev[i].Value, script.StandardFlags, nil, hashes); err != nil {
			return err
		}
	}
	return nil
}

func TestTimeLockScript(t *testing.T) {
	pub := append([]byte{2}, make([]byte, 32)...)
	for _, tc := range []struct {
		lock TimeLock
		ok   bool
	}{
		{TimeLock{Height: 5}, true}, {TimeLock{Height: 300_000}, true}, {TimeLock{Blocks: 1}, true},
		{TimeLock{Blocks: 144}, true}, {TimeLock{Blocks: 65535}, true},
		{TimeLock{}, false}, {TimeLock{Height: 5, Blocks: 5}, false}, {TimeLock{Height: 500_000_000}, false},
		{TimeLock{Blocks: 65536}, false},
	} {
		s, err := TimeLockScript(tc.lock, pub)
		if (err == nil) != tc.ok {
			t.Errorf("%+v: %v", tc.lock, err)
			continue
		}
		if !tc.ok {
			if !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("%+v: %v, want ErrInvalidArgument", tc.lock, err)
			}
			continue
		}
		p, ok := parseTimeLockScript(s)
		want := tc.lock.Height + tc.lock.Blocks
		if !ok || p.N != want || p.Relative != (tc.lock.Blocks != 0) || string(p.PubKey) != string(pub) {
			t.Errorf("%+v: parsed %+v %v", tc.lock, p, ok)
		}
		if !p.Relative && cltvLock(s) != want {
			t.Errorf("%+v: cltvLock %d", tc.lock, cltvLock(s))
		}
	}
	for _, bad := range [][]byte{nil, {0x55}, {0x55, 0xb1, 0x75}, {0x00, 0xb1, 0x75, 0x21}, {0x55, 0xb3}} {
		if _, ok := parseTimeLockScript(bad); ok {
			t.Errorf("%x parsed", bad)
		}
	}
}

// TestTimeLockedAddressCLTV: a CLTV address of the wallet's own key;
// the coin is locked (balance, coin selection, explicit spend refused)
// until the tip reaches the lock height, then spent by coin selection
// with nLockTime >= H and a witness the interpreter accepts.
func TestTimeLockedAddressCLTV(t *testing.T) {
	ctx := context.Background()
	w, c, _ := startedWallet(t, 1)
	if _, err := w.CreateAccount("vault"); err != nil {
		t.Fatal(err)
	}
	lock := uint32(c.tip().Height + 5)
	info, ws, err := w.NewTimeLockedAddress("vault", TimeLock{Height: lock})
	if err != nil {
		t.Fatal(err)
	}
	if info.Address == nil || info.Account != "vault" || info.Branch != BranchImported || !strings.HasPrefix(info.Address.String(), "rgg1q") && len(info.PkScript) != 34 {
		t.Fatalf("address %+v", info)
	}
	if p, ok := parseTimeLockScript(ws); !ok || p.N != lock || p.Relative {
		t.Fatalf("script %x", ws)
	}
	op := payTo(c, info.PkScript, int64(gg(2)))
	conf := c.tip().Height
	if b := mustBalance(t, w, "vault"); b.Locked != gg(2) || b.Confirmed != 0 {
		t.Fatalf("balance %+v", b)
	}
	cs, _ := w.Coins("vault")
	if len(cs) != 1 || !cs[0].Locked || cs[0].LockUntil != lock || cs[0].Relative {
		t.Fatalf("coins %+v", cs)
	}
	// Coin selection refuses, saying why.
	dest := []*wire.TxOut{{Value: int64(gg(1)), PkScript: extScript}}
	_, err = w.CreateTx(ctx, "vault", dest, TxOptions{})
	var short *InsufficientFundsError
	if !errors.As(err, &short) || short.Locked != gg(2) || short.LockedUntil != lock ||
		!strings.Contains(err.Error(), "coin locked until height") {
		t.Fatalf("spend before the lock: %v", err)
	}
	// An explicit spend (fund with the coin as input) too.
	raw := wire.NewMsgTx(2)
	raw.AddTxIn(&wire.TxIn{PreviousOutPoint: op})
	raw.AddTxOut(&wire.TxOut{Value: int64(gg(1)), PkScript: extScript})
	_, err = w.Fund(ctx, "vault", raw, TxOptions{})
	var tle *TimeLockedError
	if !errors.As(err, &tle) || !errors.Is(err, ErrTimeLocked) || tle.Until != lock || tle.OutPoint != op {
		t.Fatalf("fund with the locked coin: %v", err)
	}
	// Signing a raw spend without the lock time: refused (never valid).
	raw = wire.NewMsgTx(2)
	raw.AddTxIn(&wire.TxIn{PreviousOutPoint: op, Sequence: wire.MaxTxInSequenceNum - 2})
	raw.AddTxOut(&wire.TxOut{Value: int64(gg(1)), PkScript: extScript})
	if _, err := w.Sign(raw, nil); !errors.Is(err, ErrTimeLocked) || !strings.Contains(err.Error(), "locked until height") {
		t.Fatalf("sign without lock time: %v", err)
	}
	// Signed with nLockTime = H, the interpreter accepts it but a node
	// does not take it before the lock (non-final).
	raw.LockTime = lock
	if res, err := w.Sign(raw, nil); err != nil || !res.Complete {
		t.Fatalf("sign with lock time: %+v %v", res, err)
	}
	prev := []*wire.TxOut{{Value: int64(gg(2)), PkScript: info.PkScript}}
	if err := verifyAt(t, raw, prev, []int32{conf}, c.tip().Height+1); err == nil || err.Error() != "non-final" {
		t.Fatalf("premature spend: %v, want non-final", err)
	}
	// A lower nLockTime fails CLTV in the interpreter.
	low := raw.Copy()
	low.LockTime = lock - 1
	low.TxIn[0].Witness = nil
	if _, err := w.Sign(low, nil); !errors.Is(err, ErrTimeLocked) {
		t.Fatalf("sign with a low lock time: %v", err)
	}
	// Tip at H-1: still locked; at H: spent by coin selection.
	for c.tip().Height < int32(lock)-1 {
		c.connect(nil)
	}
	if b := mustBalance(t, w, "vault"); b.Locked != gg(2) {
		t.Fatalf("tip %d: %+v", c.tip().Height, b)
	}
	c.connect(nil)
	if b := mustBalance(t, w, "vault"); b.Locked != 0 || b.Confirmed != gg(2) {
		t.Fatalf("tip %d: %+v", c.tip().Height, b)
	}
	f, err := w.Send(ctx, "vault", dest, TxOptions{FeeRate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tx.TxIn) != 1 || f.Tx.TxIn[0].PreviousOutPoint != op || f.Tx.LockTime < lock ||
		f.Tx.TxIn[0].Sequence == wire.MaxTxInSequenceNum || len(f.Tx.TxIn[0].Witness) != 2 {
		t.Fatalf("spend %+v", f.Tx)
	}
	if err := verifyAt(t, f.Tx, f.PrevOuts, []int32{conf}, c.tip().Height+1); err != nil {
		t.Fatalf("spend after the lock: %v", err)
	}
	// The fee covers the larger input: at least 1 dust per vbyte.
	if vs := (f.Tx.SerializeSizeStripped()*3 + f.Tx.SerializeSize() + 3) / 4; int64(f.Fee) < int64(vs) {
		t.Fatalf("fee %d for %d vbytes", f.Fee, vs)
	}
}

// TestTimeLockedAddressCSV: a relative lock counts from the payment's
// confirmation; locked while unconfirmed; spent with version 2 and
// nSequence = N.
func TestTimeLockedAddressCSV(t *testing.T) {
	ctx := context.Background()
	w, c, _ := startedWallet(t, 1)
	const n = 3
	info, _, err := w.NewTimeLockedAddress("", TimeLock{Blocks: n})
	if err != nil {
		t.Fatal(err)
	}
	// Unconfirmed: locked.
	pay := wire.NewMsgTx(2)
	pay.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash{9}}})
	pay.AddTxOut(&wire.TxOut{Value: int64(gg(60)), PkScript: info.PkScript})
	w.RelevantTx(pay)
	cs, _ := w.Coins("")
	var found bool
	for _, ci := range cs {
		if ci.PkScript != nil && string(ci.PkScript) == string(info.PkScript) {
			found = ci.Locked && ci.Relative && ci.LockUntil == 0
		}
	}
	if !found {
		t.Fatalf("unconfirmed CSV coin: %+v", cs)
	}
	c.connect(nil, pay)
	conf := c.tip().Height
	op := wire.OutPoint{Hash: pay.TxHash()}
	// 60 GG: more than the mature coinbase, so a payment of 55 needs it.
	dest := []*wire.TxOut{{Value: int64(gg(55)), PkScript: extScript}}
	for c.tip().Height < conf+n-1 {
		if b := mustBalance(t, w, ""); b.Locked != gg(60) {
			t.Fatalf("tip %d (conf %d): %+v", c.tip().Height, conf, b)
		}
		if _, err := w.CreateTx(ctx, "", dest, TxOptions{}); !errors.Is(err, ErrInsufficientFunds) ||
			!strings.Contains(err.Error(), "locked until height") {
			t.Fatalf("tip %d: %v", c.tip().Height, err)
		}
		c.connect(nil)
	}
	cs, _ = w.Coins("")
	for _, ci := range cs {
		if ci.OutPoint == op && (ci.Locked || ci.LockUntil != uint32(conf+n-1)) {
			t.Fatalf("tip %d: %+v", c.tip().Height, ci)
		}
	}
	f, err := w.CreateTx(ctx, "", dest, TxOptions{FeeRate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var idx = -1
	var confs []int32
	for i, in := range f.Tx.TxIn {
		confs = append(confs, 1) // the coinbase, mined at height 1
		if in.PreviousOutPoint == op {
			idx = i
			confs[i] = conf
		}
	}
	if idx < 0 || f.Tx.Version < 2 || f.Tx.TxIn[idx].Sequence != n {
		t.Fatalf("spend %+v", f.Tx)
	}
	if err := verifyAt(t, f.Tx, f.PrevOuts, confs, c.tip().Height+1); err != nil {
		t.Fatalf("spend: %v", err)
	}
	// One block earlier it would not be BIP68-final; a sequence below N
	// fails CSV.
	if err := verifyAt(t, f.Tx, f.PrevOuts, confs, c.tip().Height); err == nil {
		t.Fatal("spend accepted one block early")
	}
	short := f.Tx.Copy()
	short.TxIn[idx].Sequence = n - 1
	if _, err := w.Sign(short, nil); !errors.Is(err, ErrTimeLocked) {
		t.Fatalf("sign with sequence %d: %v", n-1, err)
	}
}

func TestNewTimeLockedAddressErrors(t *testing.T) {
	w, _, _ := startedWallet(t, 0)
	if _, _, err := w.NewTimeLockedAddress("", TimeLock{}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("no lock: %v", err)
	}
	if _, _, err := w.NewTimeLockedAddress("nobody", TimeLock{Height: 9}); !errors.Is(err, ErrAccountNotFound) {
		t.Errorf("unknown account: %v", err)
	}
	if _, err := w.ImportScript([]byte{0x51}, "watch"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.NewTimeLockedAddress("watch", TimeLock{Height: 9}); !errors.Is(err, ErrWatchOnly) {
		t.Errorf("imported account: %v", err)
	}
	// Two addresses with the same lock differ (fresh keys).
	a, _, err := w.NewTimeLockedAddress("", TimeLock{Height: 9})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := w.NewTimeLockedAddress("", TimeLock{Height: 9})
	if err != nil {
		t.Fatal(err)
	}
	if a.Address.String() == b.Address.String() {
		t.Fatal("same address twice")
	}
}
