package wallet

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// AllAccounts, passed as an account name to Balance, Coins and
// Transactions, means every account (bitcoind's "*").
const AllAccounts = "*"

// Balance is an account's money by state. A coin spent by a pending
// transaction counts nowhere (the change of that transaction counts as
// unconfirmed).
type Balance struct {
	// Confirmed: in blocks, mature, not time-locked, not reserved.
	Confirmed amount.Amount
	// Unconfirmed: outputs of wallet transactions still in the mempool.
	Unconfirmed amount.Amount
	// Immature: coinbase outputs with fewer than CoinbaseMaturity+1
	// confirmations.
	Immature amount.Amount
	// Locked: time-locked outputs whose lock has not expired.
	Locked amount.Amount
	// Reserved: coins spent by the account's live bids (their outputs
	// count nowhere until the bid settles); they return when the bid is
	// outbid, loses or lapses (game.go).
	Reserved amount.Amount
	// Game: the value carried by the producers and props the account
	// owns (locked fees and gold). It is not money, so not in Total.
	Game amount.Amount
}

// Total is the sum of every state of money (Game excluded).
func (b Balance) Total() amount.Amount {
	return b.Confirmed + b.Unconfirmed + b.Immature + b.Locked + b.Reserved
}

// CoinInfo describes an unspent output of the wallet.
type CoinInfo struct {
	OutPoint      wire.OutPoint
	Value         amount.Amount
	PkScript      []byte
	Account       string
	Height        int32 // -1 unconfirmed
	Confirmations int32
	Coinbase      bool
	Change        bool
	Immature      bool
	Locked        bool
	LockUntil     uint32 // height, or unix time (>= LockTimeThreshold), the lock ends at; 0: unconfirmed relative lock
	Relative      bool   // the lock is relative (CSV) to the coin's confirmation
	Reserved      bool
	Game          bool
	SpentPending  bool // spent by a pending wallet transaction
	WatchOnly     bool
}

type coinView struct {
	op   wire.OutPoint
	c    *coinRecord
	ar   *addrRecord
	info CoinInfo
}

// scanCoins calls fn for each coin of the kinds asked of account
// (AllAccounts: every one), with its state computed against the sync tip.
func (w *Wallet) scanCoins(tx *store.Tx, account string, kinds coinKinds, fn func(*coinView) error) error {
	acctNum := int64(-1)
	names := map[uint32]string{}
	if account != AllAccounts {
		a, err := accountByName(tx, account)
		if err != nil {
			return err
		}
		acctNum = int64(a.Number)
		names[a.Number] = a.Name
	}
	tip := readSynced(tx).Height
	clk := newChainTime(tx, tip)
	spent := map[string]bool{}
	if err := tx.Bucket(bktSpends).ForEach(func(k, _ []byte) error { spent[string(k)] = true; return nil }); err != nil {
		return err
	}
	return eachCoin(tx, kinds, func(k, v []byte) error {
		if len(k) != 36 {
			return fmt.Errorf("%w: coin key of %d bytes", ErrCorrupt, len(k))
		}
		rec, err := decodeCoin(v)
		if err != nil {
			return err
		}
		ar, err := w.cachedAddr(tx, rec.PkScript)
		if err != nil {
			return err
		}
		if ar == nil || (acctNum >= 0 && int64(ar.Account) != acctNum) {
			return nil
		}
		name, ok := names[ar.Account]
		if !ok {
			a, err := getAccount(tx, ar.Account)
			if err != nil {
				return err
			}
			name = a.Name
			names[ar.Account] = name
		}
		cv := &coinView{op: opFromKey(k), c: rec, ar: ar}
		i := &cv.info
		i.OutPoint, i.Value, i.PkScript, i.Account = cv.op, amount.Amount(rec.Value), rec.PkScript, name
		i.Height = -1
		if rec.Height != unconfirmed {
			i.Height = int32(rec.Height)
			if tip >= i.Height {
				i.Confirmations = tip - i.Height + 1
			}
		}
		i.Coinbase = rec.Flags&coinFlagCoinbase != 0
		i.Change = rec.Flags&coinFlagChange != 0
		i.Immature = i.Coinbase && i.Confirmations <= w.params.CoinbaseMaturity
		if rec.Flags&coinFlagLocked != 0 {
			i.LockUntil, i.Locked, i.Relative = lockState(rec, tip, clk)
		}
		i.Reserved = rec.Flags&coinFlagReserved != 0
		i.Game = rec.Flags&coinFlagGame != 0
		i.SpentPending = spent[string(k)]
		i.WatchOnly = ar.Flags&flagWatchOnly != 0
		return fn(cv)
	})
}

// lockState returns when a time-locked coin becomes spendable and
// whether it is still locked with the sync tip at tip. A spend of an
// absolute (CLTV) lock H needs nLockTime >= H and, to be final in the
// next block tip+1, nLockTime <= tip: the coin is locked while H > tip.
// A relative (CSV) lock of N blocks on a coin confirmed at height h is
// satisfied in block h+N, so the coin is locked while h+N-1 > tip, and
// while unconfirmed (until is then 0).
//
// Time locks compare with the tip's median time past, MTP (BIP113,
// BIP68): a CLTV lock to time T needs nLockTime >= T and, to be final,
// nLockTime < MTP: locked while MTP <= T. A CSV lock of U units of 512 s
// on a coin confirmed at height h ends at base + 512U - 1, base being
// the median time past of block h-1: locked while MTP <= that end.
func lockState(rec *coinRecord, tip int32, clk *chainTime) (until uint32, locked, relative bool) {
	if rec.Flags&coinFlagRelative != 0 {
		if rec.Height == unconfirmed {
			return 0, true, true
		}
		if rec.LockUntil&wire.SequenceLockTimeIsSeconds != 0 {
			base, ok := clk.lockBase(int32(rec.Height))
			if !ok {
				return 0, true, true // the confirming block's time is unknown
			}
			end := base + int64(rec.LockUntil&wire.SequenceLockTimeMask)<<wire.SequenceLockTimeGranularity - 1
			return uint32(min(end, 1<<32-1)), clk.tipMedianTime() <= end, true
		}
		until = rec.Height + rec.LockUntil - 1
		return until, int64(until) > int64(tip), true
	}
	if rec.LockUntil < lockTimeThreshold {
		return rec.LockUntil, int64(rec.LockUntil) > int64(tip), false
	}
	return rec.LockUntil, clk.tipMedianTime() <= int64(rec.LockUntil), false
}

// lockTimeThreshold separates lock heights (below) from unix times.
const lockTimeThreshold = 500_000_000

// Balance returns account's balance by state ("" is the default
// account, AllAccounts every account).
func (w *Wallet) Balance(account string) (Balance, error) {
	b, _, err := w.balance(account, false)
	return b, err
}

// LockGroup is money of Balance.Locked that is released at one point.
type LockGroup struct {
	Value amount.Amount
	// Until is the height, or the unix time (>= LockTimeThreshold), the
	// coins are locked until (see CoinInfo.LockUntil); 0: unknown (a
	// relative time lock whose block time the wallet does not know).
	Until uint32
	Coins int
}

// BalanceLocks is Balance with Balance.Locked broken down by release:
// heights, then times, each ascending. Both come from one scan.
func (w *Wallet) BalanceLocks(account string) (Balance, []LockGroup, error) {
	return w.balance(account, true)
}

// balance scans account's coins once, classifying each into one state of
// Balance, and with locks groups the Locked ones by release.
func (w *Wallet) balance(account string, locks bool) (Balance, []LockGroup, error) {
	var b Balance
	byUntil := map[uint32]*LockGroup{}
	err := w.view(func(tx *store.Tx) error {
		bids, err := liveBids(tx)
		if err != nil {
			return err
		}
		return w.scanCoins(tx, account, allCoins, func(cv *coinView) error {
			i := &cv.info
			if gameBalance(tx, cv, &b, bids) {
				return nil
			}
			switch {
			case i.SpentPending:
			case i.Reserved:
				b.Reserved += i.Value
			case i.Height < 0:
				b.Unconfirmed += i.Value
			case i.Immature:
				b.Immature += i.Value
			case i.Locked:
				b.Locked += i.Value
				if locks {
					g := byUntil[i.LockUntil]
					if g == nil {
						g = &LockGroup{Until: i.LockUntil}
						byUntil[i.LockUntil] = g
					}
					g.Value += i.Value
					g.Coins++
				}
			default:
				b.Confirmed += i.Value
			}
			return nil
		})
	})
	if err != nil {
		return Balance{}, nil, fmt.Errorf("wallet: balance: %w", err)
	}
	var out []LockGroup
	if locks {
		out = make([]LockGroup, 0, len(byUntil))
		for _, g := range byUntil {
			out = append(out, *g)
		}
		slices.SortFunc(out, func(a, b LockGroup) int { return cmp.Compare(a.Until, b.Until) })
	}
	return b, out, nil
}

// Coins lists account's unspent outputs (including those spent by
// pending transactions, flagged SpentPending).
func (w *Wallet) Coins(account string) ([]CoinInfo, error) {
	var out []CoinInfo
	err := w.view(func(tx *store.Tx) error {
		return w.scanCoins(tx, account, allCoins, func(cv *coinView) error {
			out = append(out, cv.info)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("wallet: coins: %w", err)
	}
	return out, nil
}

// cachedAddr is getAddr through the wallet's address cache (guarded by
// w.mu, like every database call). putAddr evicts entries it rewrites.
func (w *Wallet) cachedAddr(tx *store.Tx, pkScript []byte) (*addrRecord, error) {
	if ar, ok := w.addrCache[string(pkScript)]; ok {
		return ar, nil
	}
	ar, err := getAddr(tx, pkScript)
	if err != nil || ar == nil {
		return ar, err
	}
	if len(w.addrCache) >= maxAddrCache {
		clear(w.addrCache)
	}
	w.addrCache[string(pkScript)] = ar
	return ar, nil
}

// maxAddrCache bounds the address cache.
const maxAddrCache = 200_000
