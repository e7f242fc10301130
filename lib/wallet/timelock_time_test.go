package wallet

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// medianTimePast computes, independently of the wallet, the median
// timestamp of c's block at height and its ten ancestors (BIP113).
func medianTimePast(c *fakeChain, height int32) int64 {
	var ts []int64
	for h := height; h >= 0 && h > height-11; h-- {
		ts = append(ts, int64(c.blocks[h].Header.Timestamp))
	}
	slices.Sort(ts)
	return ts[len(ts)/2]
}

// verifyTimeAt runs the script interpreter on every input of tx and
// checks the rules a node applies to the time forms of lock time and
// sequence for a block on c's tip (BIP113: lock times and relative
// time locks compare with the tip's median time past; BIP68: a relative
// time lock counts from the median time past of the block before the
// coin's, conf[i]).
func verifyTimeAt(t *testing.T, c *fakeChain, tx *wire.MsgTx, prev []*wire.TxOut, conf []int32) error {
	t.Helper()
	mtp := medianTimePast(c, c.tip().Height)
	next := int64(c.tip().Height + 1)
	if lt := int64(tx.LockTime); lt != 0 {
		limit := mtp
		if lt < lockTimeThreshold {
			limit = next
		}
		if lt >= limit {
			for _, in := range tx.TxIn {
				if in.Sequence != wire.MaxTxInSequenceNum {
					return errors.New("non-final")
				}
			}
		}
	}
	hashes := script.NewSigHashes(tx)
	for i, in := range tx.TxIn {
		if tx.Version >= 2 && in.Sequence&wire.SequenceLockTimeDisabled == 0 {
			n := int64(in.Sequence & wire.SequenceLockTimeMask)
			if in.Sequence&wire.SequenceLockTimeIsSeconds != 0 {
				if medianTimePast(c, max(conf[i]-1, 0))+n<<9-1 >= mtp {
					return errors.New("non-BIP68-final")
				}
			} else if int64(conf[i])+n-1 >= next {
				return errors.New("non-BIP68-final")
			}
		}
		if err := script.VerifyInput(tx, i, prev[i].PkScript, prev[i].Value, script.StandardFlags, nil, hashes); err != nil {
			return err
		}
	}
	return nil
}

// timedWallet is a started wallet whose chain's last eleven blocks
// carry timestamps step seconds apart, ending near now.
func timedWallet(t *testing.T, step uint32) (*Wallet, *fakeChain) {
	t.Helper()
	w, c, _ := startedWallet(t, 1)
	c.clock, c.step = uint32(time.Now().Unix())-11*step, step
	for range 11 {
		c.connect(nil)
	}
	return w, c
}

// TestTimeLockedAddressCLTVTime: an address locked until a unix time
// (CLTV's time form); the coin is locked, every early spend refused,
// until the median time past exceeds the lock time, then it is spent
// with nLockTime = T.
func TestTimeLockedAddressCLTVTime(t *testing.T) {
	ctx := context.Background()
	w, c := timedWallet(t, 600)
	if _, err := w.CreateAccount("vault"); err != nil {
		t.Fatal(err)
	}
	lock := uint32(time.Now().Unix()) + 3600
	info, ws, err := w.NewTimeLockedAddress("vault", TimeLock{Time: lock})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := parseTimeLockScript(ws); !ok || p.N != lock || p.Relative || cltvLock(ws) != lock {
		t.Fatalf("script %x", ws)
	}
	op := payTo(c, info.PkScript, int64(gg(2)))
	conf := c.tip().Height
	cs, _ := w.Coins("vault")
	if len(cs) != 1 || !cs[0].Locked || cs[0].LockUntil != lock || cs[0].Relative {
		t.Fatalf("coins %+v", cs)
	}
	if b, ls, err := w.BalanceLocks("vault"); err != nil || len(ls) != 1 || ls[0] != (LockGroup{Value: gg(2), Until: lock, Coins: 1}) ||
		b != mustBalance(t, w, "vault") {
		t.Fatalf("locks %+v %v, balance %+v", ls, err, b)
	}
	until := FormatLockTime(lock)
	dest := []*wire.TxOut{{Value: int64(gg(1)), PkScript: extScript}}
	raw := wire.NewMsgTx(2)
	raw.AddTxIn(&wire.TxIn{PreviousOutPoint: op, Sequence: wire.MaxTxInSequenceNum - 2})
	raw.AddTxOut(&wire.TxOut{Value: int64(gg(1.9)), PkScript: extScript})
	prev := []*wire.TxOut{{Value: int64(gg(2)), PkScript: info.PkScript}}
	// Refused until the median time past passes the lock time.
	for medianTimePast(c, c.tip().Height) <= int64(lock) {
		if b := mustBalance(t, w, "vault"); b.Locked != gg(2) || b.Confirmed != 0 {
			t.Fatalf("mtp %d, lock %d: %+v", medianTimePast(c, c.tip().Height), lock, b)
		}
		_, err := w.CreateTx(ctx, "vault", dest, TxOptions{})
		var short *InsufficientFundsError
		if !errors.As(err, &short) || short.LockedUntil != lock || !strings.Contains(err.Error(), "coin locked until "+until) {
			t.Fatalf("send before the lock: %v", err)
		}
		in := wire.NewMsgTx(2)
		in.AddTxIn(&wire.TxIn{PreviousOutPoint: op})
		in.AddTxOut(dest[0])
		_, err = w.Fund(ctx, "vault", in, TxOptions{})
		var tle *TimeLockedError
		if !errors.As(err, &tle) || tle.Until != lock || !strings.Contains(err.Error(), "locked until "+until+" (chain median time ") {
			t.Fatalf("fund with the locked coin: %v", err)
		}
		// Signed with nLockTime = T the interpreter accepts it, but it
		// is not final yet.
		signed := raw.Copy()
		signed.LockTime = lock
		if res, err := w.Sign(signed, nil); err != nil || !res.Complete {
			t.Fatalf("sign with lock time: %+v %v", res, err)
		}
		if err := verifyTimeAt(t, c, signed, prev, []int32{conf}); err == nil || err.Error() != "non-final" {
			t.Fatalf("premature spend: %v, want non-final", err)
		}
		c.connect(nil)
	}
	// A lock time below T, or a height, can never satisfy the script.
	for _, lt := range []uint32{0, lock - 1, 200} {
		bad := raw.Copy()
		bad.LockTime = lt
		if _, err := w.Sign(bad, nil); !errors.Is(err, ErrTimeLocked) {
			t.Errorf("sign with lock time %d: %v", lt, err)
		}
	}
	if b := mustBalance(t, w, "vault"); b.Locked != 0 || b.Confirmed != gg(2) {
		t.Fatalf("after the lock: %+v", b)
	}
	if b, ls, err := w.BalanceLocks("vault"); err != nil || len(ls) != 0 || b != mustBalance(t, w, "vault") {
		t.Fatalf("locks after the lock: %+v %v, balance %+v", ls, err, b)
	}
	f, err := w.Send(ctx, "vault", dest, TxOptions{FeeRate: 1000})
	if err != nil {
		t.Fatalf("send after the lock: %v", err)
	}
	if len(f.Tx.TxIn) != 1 || f.Tx.TxIn[0].PreviousOutPoint != op || f.Tx.LockTime != lock || f.Tx.TxIn[0].Sequence == wire.MaxTxInSequenceNum {
		t.Fatalf("spend %+v", f.Tx)
	}
	if err := verifyTimeAt(t, c, f.Tx, f.PrevOuts, []int32{conf}); err != nil {
		t.Fatalf("spend after the lock: %v", err)
	}
}

// TestTimeLockedAddressCSVTime: a relative time lock (CSV's time form,
// 512-second units, rounded up) counts from the median time past before
// the confirming block; locked while unconfirmed and until then; spent
// with version 2 and the time-flagged sequence.
func TestTimeLockedAddressCSVTime(t *testing.T) {
	ctx := context.Background()
	w, c := timedWallet(t, 200)
	lock := TimeLock{Seconds: 1000}
	if lock.LockSeconds() != 1024 {
		t.Fatalf("1000 s rounds to %d s, want 1024", lock.LockSeconds())
	}
	info, ws, err := w.NewTimeLockedAddress("", lock)
	if err != nil {
		t.Fatal(err)
	}
	seq := wire.SequenceLockTimeIsSeconds | 2
	if p, ok := parseTimeLockScript(ws); !ok || !p.Relative || p.N != seq {
		t.Fatalf("script %x: %+v", ws, p)
	}
	pay := wire.NewMsgTx(2)
	pay.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash{9}}})
	pay.AddTxOut(&wire.TxOut{Value: int64(gg(60)), PkScript: info.PkScript})
	w.RelevantTx(pay)
	op := wire.OutPoint{Hash: pay.TxHash()}
	coin := func() CoinInfo {
		cs, _ := w.Coins("")
		for _, ci := range cs {
			if ci.OutPoint == op {
				return ci
			}
		}
		t.Fatal("coin not found")
		return CoinInfo{}
	}
	if ci := coin(); !ci.Locked || !ci.Relative || ci.LockUntil != 0 {
		t.Fatalf("unconfirmed: %+v", ci)
	}
	c.connect(nil, pay)
	conf := c.tip().Height
	end := medianTimePast(c, conf-1) + 1024 - 1
	if ci := coin(); !ci.Locked || !ci.Relative || int64(ci.LockUntil) != end {
		t.Fatalf("confirmed: %+v, want until %d", ci, end)
	}
	dest := []*wire.TxOut{{Value: int64(gg(55)), PkScript: extScript}}
	blocks := 0
	for medianTimePast(c, c.tip().Height) <= end {
		if b := mustBalance(t, w, ""); b.Locked != gg(60) {
			t.Fatalf("mtp %d, end %d: %+v", medianTimePast(c, c.tip().Height), end, b)
		}
		if _, err := w.CreateTx(ctx, "", dest, TxOptions{}); !errors.Is(err, ErrInsufficientFunds) ||
			!strings.Contains(err.Error(), "locked until "+FormatLockTime(uint32(end))) {
			t.Fatalf("mtp %d: %v", medianTimePast(c, c.tip().Height), err)
		}
		c.connect(nil)
		blocks++
	}
	if blocks < 2 {
		t.Fatalf("released after %d blocks: the test does not wait", blocks)
	}
	if ci := coin(); ci.Locked {
		t.Fatalf("after the lock: %+v", ci)
	}
	f, err := w.CreateTx(ctx, "", dest, TxOptions{FeeRate: 1000})
	if err != nil {
		t.Fatal(err)
	}
	idx := -1
	confs := make([]int32, len(f.Tx.TxIn))
	for i, in := range f.Tx.TxIn {
		confs[i] = 1 // the coinbase, mined at height 1
		if in.PreviousOutPoint == op {
			idx, confs[i] = i, conf
		}
	}
	if idx < 0 || f.Tx.Version < 2 || f.Tx.TxIn[idx].Sequence != seq {
		t.Fatalf("spend %+v", f.Tx)
	}
	if err := verifyTimeAt(t, c, f.Tx, f.PrevOuts, confs); err != nil {
		t.Fatalf("spend: %v", err)
	}
	// A sequence without the time flag, or of fewer units, fails CSV.
	for _, s := range []uint32{2, wire.SequenceLockTimeIsSeconds | 1} {
		bad := f.Tx.Copy()
		bad.TxIn[idx].Sequence = s
		if _, err := w.Sign(bad, nil); !errors.Is(err, ErrTimeLocked) {
			t.Errorf("sign with sequence %#x: %v", s, err)
		}
	}
}

func TestTimeLockTimeErrors(t *testing.T) {
	w, _ := timedWallet(t, 600)
	now := uint32(time.Now().Unix())
	for _, tc := range []struct {
		lock TimeLock
		msg  string
	}{
		{TimeLock{Time: 499_999_999}, "a unix time of at least 500000000"},
		{TimeLock{Time: now - 60}, "not in the future"},
		{TimeLock{Seconds: MaxLockSeconds + 1}, "at most 33553920"},
		{TimeLock{Time: now + 60, Seconds: 600}, "give one of"},
		{TimeLock{Height: 500_000_001}, "give it as a lock time"},
	} {
		if _, _, err := w.NewTimeLockedAddress("", tc.lock); !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%+v: %v, want %q", tc.lock, err, tc.msg)
		}
	}
	if l := (TimeLock{Seconds: MaxLockSeconds}); l.Validate() != nil || l.lockUnits() != 0xffff {
		t.Errorf("the largest relative time lock: %v", l.Validate())
	}
	if l := (TimeLock{Seconds: 1}); l.LockSeconds() != 512 {
		t.Errorf("1 s rounds to %d", l.LockSeconds())
	}
}

// TestChainTimeBounds: with a window's timestamps all known the median
// time past is exact; with some unknown the tip's is a lower bound (a
// lock stays on), a coin's base an upper bound (its lock ends later).
func TestChainTimeBounds(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	err := w.update(func(tx *storeTx) error {
		for h := int32(20); h <= 30; h++ { // 1000, 1010, ... 1100
			if err := putBlockTime(tx, h, uint32(1000+10*(h-20))); err != nil {
				return err
			}
		}
		clk := newChainTime(tx, 30)
		if got := clk.tipMedianTime(); got != 1050 {
			t.Errorf("exact: %d", got)
		}
		if b, ok := clk.lockBase(31); !ok || b != 1050 {
			t.Errorf("base exact: %d %v", b, ok)
		}
		// Heights 21 and 22 unknown: the median (1050) is the 6th of 11,
		// at least the 4th of the 9 known (1050 again).
		deleteBlockTime(tx, 21)
		deleteBlockTime(tx, 22)
		if got := newChainTime(tx, 30).tipMedianTime(); got != 1050 {
			t.Errorf("lower bound: %d", got)
		}
		// The base of a coin at 31 without the whole window: at most the
		// 6th of the 9 known (1070), or the coin block's time less one.
		if err := putBlockTime(tx, 31, 1200); err != nil {
			return err
		}
		if b, ok := newChainTime(tx, 31).lockBase(31); !ok || b != 1070 {
			t.Errorf("base upper bound: %d %v", b, ok)
		}
		// Too little known: no bound (locked).
		for h := int32(20); h <= 26; h++ {
			deleteBlockTime(tx, h)
		}
		if got := newChainTime(tx, 30).tipMedianTime(); got != 0 {
			t.Errorf("unknown: %d", got)
		}
		if b, ok := newChainTime(tx, 31).lockBase(31); !ok || b != 1199 {
			t.Errorf("base from the coin's block: %d %v", b, ok)
		}
		if _, ok := newChainTime(tx, 40).lockBase(40); ok {
			t.Error("base without any timestamp")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestTimeLockKindsApart: one transaction's lock time is a height or a
// time, so released height- and time-locked CLTV coins are never
// selected together, and explicit inputs of both are refused.
func TestTimeLockKindsApart(t *testing.T) {
	ctx := context.Background()
	w, c := timedWallet(t, 600)
	if _, err := w.CreateAccount("vault"); err != nil {
		t.Fatal(err)
	}
	tl, _, err := w.NewTimeLockedAddress("vault", TimeLock{Time: uint32(time.Now().Unix()) + 60})
	if err != nil {
		t.Fatal(err)
	}
	hl, _, err := w.NewTimeLockedAddress("vault", TimeLock{Height: uint32(c.tip().Height + 2)})
	if err != nil {
		t.Fatal(err)
	}
	opT := payTo(c, tl.PkScript, int64(gg(2)))
	opH := payTo(c, hl.PkScript, int64(gg(2)))
	for range 8 {
		c.connect(nil)
	}
	if b := mustBalance(t, w, "vault"); b.Confirmed != gg(4) || b.Locked != 0 {
		t.Fatalf("both released: %+v", b)
	}
	// 3 GG needs both coins: refused rather than built invalid.
	if _, err := w.CreateTx(ctx, "vault", []*wire.TxOut{{Value: int64(gg(3)), PkScript: extScript}}, TxOptions{}); !errors.Is(err, ErrInsufficientFunds) {
		t.Fatalf("both kinds in one transaction: %v", err)
	}
	raw := wire.NewMsgTx(2)
	raw.AddTxIn(&wire.TxIn{PreviousOutPoint: opT})
	raw.AddTxIn(&wire.TxIn{PreviousOutPoint: opH})
	raw.AddTxOut(&wire.TxOut{Value: int64(gg(3)), PkScript: extScript})
	if _, err := w.Fund(ctx, "vault", raw, TxOptions{}); !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "spend it apart") {
		t.Fatalf("explicit inputs of both kinds: %v", err)
	}
	// 1 GG: the height-locked coin (heights when nothing decides), then
	// the time-locked one.
	f, err := w.CreateTx(ctx, "vault", []*wire.TxOut{{Value: int64(gg(1)), PkScript: extScript}}, TxOptions{})
	if err != nil || f.Tx.TxIn[0].PreviousOutPoint != opH || f.Tx.LockTime >= lockTimeThreshold {
		t.Fatalf("height kind first: %v %+v", err, f)
	}
	raw = wire.NewMsgTx(2)
	raw.AddTxIn(&wire.TxIn{PreviousOutPoint: opT})
	raw.AddTxOut(&wire.TxOut{Value: int64(gg(1)), PkScript: extScript})
	f, err = w.Fund(ctx, "vault", raw, TxOptions{})
	if err != nil || len(f.Tx.TxIn) != 1 || f.Tx.LockTime < lockTimeThreshold {
		t.Fatalf("the time-locked coin alone: %v %+v", err, f)
	}
}
