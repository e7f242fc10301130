package wallet

import (
	"bytes"
	"fmt"
	"time"

	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// TimeLock asks NewTimeLockedAddress for an address whose coins cannot be
// spent before a height or a time (GameGold's locktype). Exactly one
// field is set.
type TimeLock struct {
	// Height is an absolute lock (CLTV): a coin is spendable once the
	// tip reaches Height (the spend goes into block Height+1 or later).
	Height uint32
	// Blocks is a relative lock (CSV): a coin is spendable Blocks blocks
	// after it confirms (once the tip reaches its height + Blocks - 1).
	Blocks uint32
	// Time is an absolute lock to a unix time, at least
	// LockTimeThreshold (CLTV's time form): a coin is spendable once the
	// chain's median time past (BIP113) exceeds Time.
	Time uint32
	// Seconds is a relative lock in seconds (CSV's time form), rounded
	// up to BIP68's units of 512 seconds, at most MaxLockSeconds: a coin
	// is spendable once the median time past is that much later than the
	// median time past of the block before the one that confirmed it.
	Seconds uint32
}

// Limits of a TimeLock.
const (
	// LockTimeThreshold separates lock heights (below) from unix times.
	LockTimeThreshold = lockTimeThreshold
	// MaxLockHeight keeps lock heights below the nLockTime time threshold.
	MaxLockHeight = lockTimeThreshold - 1
	// MaxLockBlocks is the largest BIP68 relative lock in blocks.
	MaxLockBlocks = int(wire.SequenceLockTimeMask)
	// MaxLockSeconds is the largest BIP68 relative lock in seconds
	// (65535 units of 512 s, about 388 days).
	MaxLockSeconds = 65535 << 9
)

// lockUnits is a relative time lock's BIP68 value: Seconds rounded up to
// units of 512 seconds.
func (l TimeLock) lockUnits() uint32 {
	return uint32((uint64(l.Seconds) + 1<<wire.SequenceLockTimeGranularity - 1) >> wire.SequenceLockTimeGranularity)
}

// LockSeconds is the relative time lock the script enforces: Seconds
// rounded up to a multiple of 512.
func (l TimeLock) LockSeconds() uint32 { return l.lockUnits() << wire.SequenceLockTimeGranularity }

// ErrTimeLocked is the kind of a TimeLockedError.
const ErrTimeLocked = ErrorKind("coin is time-locked")

// TimeLockedError reports a spend of a coin whose time lock has not
// ended: it is spendable once the tip reaches Until, or, for a time
// (Until >= LockTimeThreshold), once the median time past exceeds it.
type TimeLockedError struct {
	OutPoint wire.OutPoint
	Until    uint32 // height or unix time; 0 with Relative: its payment is unconfirmed
	Tip      int32
	// MedianTime is the tip's median time past the wallet knows (for a
	// time lock; 0: unknown).
	MedianTime int64
	Relative   bool
}

func (e *TimeLockedError) Error() string {
	switch {
	case e.Relative && e.Until == 0:
		return fmt.Sprintf("coin %s locked until its payment confirms (relative lock)", e.OutPoint)
	case e.Until >= lockTimeThreshold:
		now := "unknown"
		if e.MedianTime > 0 {
			now = FormatLockTime(uint32(min(e.MedianTime, 1<<32-1)))
		}
		return fmt.Sprintf("coin %s locked until %s (chain median time %s)", e.OutPoint, FormatLockTime(e.Until), now)
	}
	return fmt.Sprintf("coin %s locked until height %d (tip %d)", e.OutPoint, e.Until, e.Tip)
}

// FormatLockTime writes a lock's end: "height H" below
// LockTimeThreshold, else the UTC time in RFC 3339.
func FormatLockTime(until uint32) string {
	if until < lockTimeThreshold {
		return fmt.Sprintf("height %d", until)
	}
	return time.Unix(int64(until), 0).UTC().Format(time.RFC3339)
}

// Is makes errors.Is(err, ErrTimeLocked) true.
func (e *TimeLockedError) Is(target error) bool { return target == ErrTimeLocked }

// timeLockScript is a parsed time-lock witness script:
// <n> OP_CHECKLOCKTIMEVERIFY|OP_CHECKSEQUENCEVERIFY OP_DROP <pubkey> OP_CHECKSIG.
type timeLockScript struct {
	N        uint32
	Relative bool // CSV
	PubKey   []byte
}

// TimeLockScript returns the witness script of lock paying pubKey:
// "<H> OP_CHECKLOCKTIMEVERIFY OP_DROP <pubkey> OP_CHECKSIG" for an
// absolute lock, "<N> OP_CHECKSEQUENCEVERIFY OP_DROP <pubkey> OP_CHECKSIG"
// for a relative one.
func TimeLockScript(lock TimeLock, pubKey []byte) ([]byte, error) {
	if err := lock.Validate(); err != nil {
		return nil, err
	}
	n, op := int64(lock.Height), byte(script.OP_CHECKLOCKTIMEVERIFY)
	switch {
	case lock.Time != 0:
		n = int64(lock.Time)
	case lock.Blocks != 0:
		n, op = int64(lock.Blocks), script.OP_CHECKSEQUENCEVERIFY
	case lock.Seconds != 0:
		n, op = int64(wire.SequenceLockTimeIsSeconds|lock.lockUnits()), script.OP_CHECKSEQUENCEVERIFY
	}
	return script.NewBuilder().AddInt64(n).AddOp(op).AddOp(script.OP_DROP).AddData(pubKey).AddOp(script.OP_CHECKSIG).Script()
}

// Validate checks that exactly one field of l is set, within its range
// (ErrInvalidArgument otherwise).
func (l TimeLock) Validate() error {
	set := 0
	for _, v := range []uint32{l.Height, l.Blocks, l.Time, l.Seconds} {
		if v != 0 {
			set++
		}
	}
	switch {
	case set != 1:
		return fmt.Errorf("%w: give one of a lock height, a number of lock blocks, a lock time or a number of lock seconds", ErrInvalidArgument)
	case l.Height > MaxLockHeight:
		return fmt.Errorf("%w: lock height %d: at most %d (a larger number is a unix time: give it as a lock time)", ErrInvalidArgument, l.Height, MaxLockHeight)
	case l.Blocks > uint32(MaxLockBlocks):
		return fmt.Errorf("%w: lock blocks %d: at most %d", ErrInvalidArgument, l.Blocks, MaxLockBlocks)
	case l.Time != 0 && l.Time < lockTimeThreshold:
		return fmt.Errorf("%w: lock time %d: a unix time of at least %d (%s); smaller numbers are heights", ErrInvalidArgument, l.Time, lockTimeThreshold, FormatLockTime(lockTimeThreshold))
	case l.Seconds > uint32(MaxLockSeconds):
		return fmt.Errorf("%w: lock seconds %d: at most %d (65535 units of 512 s)", ErrInvalidArgument, l.Seconds, MaxLockSeconds)
	}
	return nil
}

// parseTimeLockScript recognises the scripts TimeLockScript makes (with
// any minimal or non-minimal small number).
func parseTimeLockScript(s []byte) (timeLockScript, bool) {
	var t timeLockScript
	if len(s) < 2 {
		return t, false
	}
	var rest []byte
	switch op := s[0]; {
	case op >= script.OP_1 && op <= script.OP_16:
		t.N, rest = uint32(op-script.OP_1+1), s[1:]
	case op >= 1 && op <= 5:
		n := int(op)
		if len(s) < 1+n+1 || s[n]&0x80 != 0 {
			return t, false
		}
		var v uint64
		for i := n; i >= 1; i-- {
			v = v<<8 | uint64(s[i])
		}
		if v == 0 || v > uint64(^uint32(0)) {
			return t, false
		}
		t.N, rest = uint32(v), s[1+n:]
	default:
		return t, false
	}
	switch rest[0] {
	case script.OP_CHECKLOCKTIMEVERIFY:
	case script.OP_CHECKSEQUENCEVERIFY:
		t.Relative = true
	default:
		return t, false
	}
	rest = rest[1:]
	if len(rest) != 1+1+33+1 || rest[0] != script.OP_DROP || rest[1] != 33 || rest[len(rest)-1] != script.OP_CHECKSIG {
		return t, false
	}
	t.PubKey = append([]byte(nil), rest[2:35]...)
	return t, true
}

// lockOf returns the coin flags and LockUntil of a coin paying a script
// that starts with a time lock: for CLTV the lock height or unix time,
// for CSV the number of blocks, or the BIP68 time value (512-second units
// with wire.SequenceLockTimeIsSeconds), made absolute from the coin's
// confirmation by lockState.
func lockOf(s []byte) (flags uint8, until uint32) {
	if n := cltvLock(s); n != 0 {
		return coinFlagLocked, n
	}
	if t, ok := parseTimeLockScript(s); ok && t.Relative {
		if t.N&wire.SequenceLockTimeDisabled != 0 {
			return 0, 0 // CSV is a no-op: no lock
		}
		return coinFlagLocked | coinFlagRelative, t.N & (wire.SequenceLockTimeIsSeconds | wire.SequenceLockTimeMask)
	}
	return 0, 0
}

// NewTimeLockedAddress hands out a P2WSH address of account whose coins
// are time-locked: its witness script (TimeLockScript) pays the key of a
// fresh receive address of the account. The wallet records the script,
// so payments to the address count as locked until the lock ends, coin
// selection picks them only afterwards, and the signer spends them with
// the lock time or sequence the script needs. It needs an HD account
// with keys (an xpub account's address would be watch-only).
func (w *Wallet) NewTimeLockedAddress(account string, lock TimeLock) (AddrInfo, []byte, error) {
	if err := lock.Validate(); err != nil {
		return AddrInfo{}, nil, fmt.Errorf("wallet: time-locked address: %w", err)
	}
	if now := w.now().Unix(); lock.Time != 0 && int64(lock.Time) <= now {
		return AddrInfo{}, nil, fmt.Errorf("wallet: time-locked address: %w: lock time %s is not in the future (now %s)",
			ErrInvalidArgument, FormatLockTime(lock.Time), FormatLockTime(uint32(now)))
	}
	var (
		info AddrInfo
		ws   []byte
	)
	err := w.update(func(tx *store.Tx) error {
		a, err := accountByName(tx, account)
		if err != nil {
			return err
		}
		if a.Kind != kindHD {
			return fmt.Errorf("%w: account %q has no key chain of its own", ErrWatchOnly, a.Name)
		}
		keyAddr, err := w.newAddressTx(tx, a, BranchReceive)
		if err != nil {
			return err
		}
		kr, err := getAddr(tx, keyAddr.PkScript())
		if err != nil {
			return err
		}
		if kr == nil || len(kr.PubKey) != 33 {
			return fmt.Errorf("%w: new address without its key", ErrCorrupt)
		}
		if ws, err = TimeLockScript(lock, kr.PubKey); err != nil {
			return err
		}
		pk := script.PayToWitnessScriptHash(sha256Sum(ws))
		if tx.Bucket(bktAddrs).Get(pk) != nil {
			return fmt.Errorf("%w: time-locked script", ErrAlreadyImported)
		}
		if err := tx.Bucket(bktScripts).Put(sha256Sum(ws), ws); err != nil {
			return err
		}
		r := &addrRecord{Account: a.Number, Branch: BranchImported, Index: a.Imported, Flags: flagScript}
		if err := w.putAddr(tx, pk, r); err != nil {
			return err
		}
		a.Imported++
		if err := putAccount(tx, a); err != nil {
			return err
		}
		info, err = w.addrInfo(tx, pk, r)
		return err
	})
	if err != nil {
		return AddrInfo{}, nil, fmt.Errorf("wallet: time-locked address: %w", err)
	}
	return info, ws, nil
}

// timeLockOf returns the time-lock script a wallet coin's pkScript pays
// (a P2WSH of a recorded time-lock script), if any.
func timeLockOf(tx *store.Tx, pkScript []byte) (timeLockScript, []byte, bool) {
	v, prog, ok := script.ExtractWitnessProgram(pkScript)
	if !ok || v != 0 || len(prog) != 32 {
		return timeLockScript{}, nil, false
	}
	ws := tx.Bucket(bktScripts).Get(prog)
	if ws == nil {
		return timeLockScript{}, nil, false
	}
	t, ok := parseTimeLockScript(ws)
	if !ok {
		return t, nil, false
	}
	return t, append([]byte(nil), ws...), true
}

// ownsKey reports whether the wallet holds the private key of pub (not
// watch-only).
func ownsKey(tx *store.Tx, pub []byte) (bool, error) {
	ar, err := getAddr(tx, script.PayToWitnessPubKeyHash(keys.Hash160(pub)))
	if err != nil || ar == nil {
		return false, err
	}
	if ar.Flags&flagWatchOnly != 0 || !bytes.Equal(ar.PubKey, pub) {
		return false, nil
	}
	a, err := getAccount(tx, ar.Account)
	if err != nil {
		return false, err
	}
	return a.Kind != kindXpub, nil
}

// timeLockInputVSize is the virtual size of an input spending a
// time-lock script: 41 bytes plus a witness of count, a 73-byte
// signature push and the script push (weight/4, rounded up).
func timeLockInputVSize(ws []byte) int64 {
	witness := int64(1 + 1 + 73 + wire.CompactSizeLen(uint64(len(ws))) + len(ws))
	return 41 + (witness+3)/4
}

// signTimeLock signs input idx, which spends a P2WSH time-lock coin of
// the wallet, with witness <sig> <script>. The transaction must satisfy
// the lock the script checks (nLockTime for CLTV, version and nSequence
// for CSV), or the signature would never be valid: that is a
// TimeLockedError.
func (w *Wallet) signTimeLock(tx *wire.MsgTx, idx int, op wire.OutPoint, amt int64, t timeLockScript, ws []byte, hashType script.SigHashType, hashes *script.SigHashes) error {
	in := tx.TxIn[idx]
	if t.Relative {
		seconds := t.N&wire.SequenceLockTimeIsSeconds != 0
		what := fmt.Sprintf("%d blocks", t.N&wire.SequenceLockTimeMask)
		if seconds {
			what = fmt.Sprintf("%d seconds", (t.N&wire.SequenceLockTimeMask)<<wire.SequenceLockTimeGranularity)
		}
		if tx.Version < 2 || in.Sequence&wire.SequenceLockTimeDisabled != 0 || (in.Sequence&wire.SequenceLockTimeIsSeconds != 0) != seconds ||
			in.Sequence&wire.SequenceLockTimeMask < t.N&wire.SequenceLockTimeMask {
			return fmt.Errorf("%w: input %d needs tx version 2 and sequence %d (relative lock of %s)", ErrTimeLocked, idx, t.N, what)
		}
	} else if tx.LockTime < t.N || (tx.LockTime >= lockTimeThreshold) != (t.N >= lockTimeThreshold) || in.Sequence == wire.MaxTxInSequenceNum {
		e := &TimeLockedError{OutPoint: op, Until: t.N}
		_ = w.view(func(dbtx *store.Tx) error {
			e.Tip = readSynced(dbtx).Height
			e.MedianTime = newChainTime(dbtx, e.Tip).tipMedianTime()
			return nil
		})
		return e
	}
	priv, _, err := w.privKey(keys.Hash160(t.PubKey))
	if err != nil {
		return err
	}
	sig, err := script.RawTxInWitnessSignature(tx, hashes, idx, amt, ws, hashType, priv)
	if err != nil {
		return err
	}
	in.Witness = wire.TxWitness{sig, ws}
	in.SignatureScript = nil
	return nil
}
