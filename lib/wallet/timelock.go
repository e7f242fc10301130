package wallet

import (
	"bytes"
	"fmt"

	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// TimeLock asks NewTimeLockedAddress for an address whose coins cannot be
// spent before a height (GameGold's locktype). Exactly one field is set.
type TimeLock struct {
	// Height is an absolute lock (CLTV): a coin is spendable once the
	// tip reaches Height (the spend goes into block Height+1 or later).
	Height uint32
	// Blocks is a relative lock (CSV): a coin is spendable Blocks blocks
	// after it confirms (once the tip reaches its height + Blocks - 1).
	Blocks uint32
}

// Limits of a TimeLock.
const (
	// MaxLockHeight keeps lock heights below the nLockTime time threshold.
	MaxLockHeight = lockTimeThreshold - 1
	// MaxLockBlocks is the largest BIP68 relative lock in blocks.
	MaxLockBlocks = int(wire.SequenceLockTimeMask)
)

// ErrTimeLocked is the kind of a TimeLockedError.
const ErrTimeLocked = ErrorKind("coin is time-locked")

// TimeLockedError reports a spend of a coin whose time lock has not
// ended: it is spendable once the tip reaches Until.
type TimeLockedError struct {
	OutPoint wire.OutPoint
	Until    uint32 // height; 0 with Relative: its payment is unconfirmed
	Tip      int32
	Relative bool
}

func (e *TimeLockedError) Error() string {
	if e.Relative && e.Until == 0 {
		return fmt.Sprintf("coin %s locked until its payment confirms (relative lock)", e.OutPoint)
	}
	return fmt.Sprintf("coin %s locked until height %d (tip %d)", e.OutPoint, e.Until, e.Tip)
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
	if err := lock.validate(); err != nil {
		return nil, err
	}
	n, op := int64(lock.Height), byte(script.OP_CHECKLOCKTIMEVERIFY)
	if lock.Blocks != 0 {
		n, op = int64(lock.Blocks), script.OP_CHECKSEQUENCEVERIFY
	}
	return script.NewBuilder().AddInt64(n).AddOp(op).AddOp(script.OP_DROP).AddData(pubKey).AddOp(script.OP_CHECKSIG).Script()
}

func (l TimeLock) validate() error {
	switch {
	case (l.Height == 0) == (l.Blocks == 0):
		return fmt.Errorf("%w: give either a lock height or a number of lock blocks", ErrInvalidArgument)
	case l.Height > MaxLockHeight:
		return fmt.Errorf("%w: lock height %d: at most %d", ErrInvalidArgument, l.Height, MaxLockHeight)
	case l.Blocks > uint32(MaxLockBlocks):
		return fmt.Errorf("%w: lock blocks %d: at most %d", ErrInvalidArgument, l.Blocks, MaxLockBlocks)
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
// that starts with a time lock: for CLTV the lock height, for CSV the
// number of blocks (made absolute from the coin's height by scanCoins).
func lockOf(s []byte) (flags uint8, until uint32) {
	if n := cltvLock(s); n != 0 {
		return coinFlagLocked, n
	}
	if t, ok := parseTimeLockScript(s); ok && t.Relative {
		if t.N&wire.SequenceLockTimeIsSeconds != 0 || t.N&wire.SequenceLockTimeDisabled != 0 {
			return 0, 0 // time-based relative locks: not made by this wallet
		}
		return coinFlagLocked | coinFlagRelative, t.N & wire.SequenceLockTimeMask
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
	if err := lock.validate(); err != nil {
		return AddrInfo{}, nil, fmt.Errorf("wallet: time-locked address: %w", err)
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
		if tx.Version < 2 || in.Sequence&wire.SequenceLockTimeDisabled != 0 || in.Sequence&wire.SequenceLockTimeIsSeconds != 0 ||
			in.Sequence&wire.SequenceLockTimeMask < t.N {
			return fmt.Errorf("%w: input %d needs tx version 2 and sequence %d (relative lock of %d blocks)", ErrTimeLocked, idx, t.N, t.N)
		}
	} else if tx.LockTime < t.N || tx.LockTime >= lockTimeThreshold || in.Sequence == wire.MaxTxInSequenceNum {
		tip, _ := w.Synced()
		return &TimeLockedError{OutPoint: op, Until: t.N, Tip: tip.Height}
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
