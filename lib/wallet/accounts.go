package wallet

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
)

// AccountInfo describes an account.
type AccountInfo struct {
	Name      string
	Number    uint32
	Kind      string // "hd", "xpub" (watch-only) or "imported"
	WatchOnly bool   // no private keys of its own chains
	Xpub      string // account extended public key, "" for imported
	// Receive and Change are the number of addresses handed out on each
	// chain; ReceiveUsed and ChangeUsed are one past the last one seen used.
	Receive, ReceiveUsed uint32
	Change, ChangeUsed   uint32
	Imported             uint32 // imported keys, addresses and scripts
}

func accountInfo(a *accountRecord) AccountInfo {
	return AccountInfo{
		Name: a.Name, Number: a.Number, Kind: a.Kind.String(), WatchOnly: a.Kind == kindXpub, Xpub: a.Xpub,
		Receive: a.Branches[0].Issued, ReceiveUsed: a.Branches[0].Used,
		Change: a.Branches[1].Issued, ChangeUsed: a.Branches[1].Used,
		Imported: a.Imported,
	}
}

// createHDAccount derives the next BIP44 account of master, stores it
// with its private key sealed under mkey, and derives its lookahead.
func (w *Wallet) createHDAccount(tx *store.Tx, master *hdkeychain.ExtendedKey, mkey []byte, name string) (*accountRecord, error) {
	if err := checkAccountName(name); err != nil {
		return nil, err
	}
	if tx.Bucket(bktAccountNames).Get([]byte(name)) != nil {
		return nil, fmt.Errorf("%w: %q", ErrAccountExists, name)
	}
	for {
		n, err := nextAccountNumber(tx)
		if err != nil {
			return nil, err
		}
		priv, err := DerivePath(master, AccountPath(w.params, n))
		if isInvalidChild(err) {
			continue // BIP32: skip an index whose key is invalid
		}
		if err != nil {
			return nil, err
		}
		pub, err := priv.Neuter()
		if err != nil {
			return nil, err
		}
		xpub := pub.String() // before Zero: Neuter shares the chain code
		sealed, err := seal(mkey, []byte(priv.String()), []byte(adAccountKey+strconv.FormatUint(uint64(n), 10)))
		priv.Zero()
		if err != nil {
			return nil, err
		}
		a := &accountRecord{Number: n, Kind: kindHD, Name: name, Xpub: xpub, SealedXprv: sealed}
		if err := w.extendAll(tx, a); err != nil {
			return nil, err
		}
		if err := putAccount(tx, a); err != nil {
			return nil, err
		}
		w.log.Debug("account created", "name", name, "number", n)
		return a, nil
	}
}

func (w *Wallet) extendAll(tx *store.Tx, a *accountRecord) error {
	for b := BranchReceive; b <= BranchChange; b++ {
		if err := w.extend(tx, a, b); err != nil {
			return err
		}
	}
	return nil
}

// branchKey returns the (cached) public key of account a's chain branch.
func (w *Wallet) branchKey(a *accountRecord, branch uint8) (*hdkeychain.ExtendedKey, error) {
	// Keyed by the account's key itself, not its number: an account
	// created in an update that rolled back may leave its number to
	// another key.
	ck := branchKeyID{a.Xpub, branch}
	if k, ok := w.pubCache[ck]; ok {
		return k, nil
	}
	acct, err := hdkeychain.NewKeyFromString(a.Xpub)
	if err != nil {
		return nil, fmt.Errorf("%w: account %d key: %v", ErrCorrupt, a.Number, err)
	}
	k, err := acct.Derive(uint32(branch))
	if err != nil {
		// An invalid branch key (probability ~2^-127) leaves the branch
		// without addresses rather than breaking the account.
		return nil, err
	}
	w.pubCache[ck] = k
	return k, nil
}

// extend derives the addresses of a's branch up to the lookahead horizon,
// max(issued, used) + gap limit. The caller stores a.
func (w *Wallet) extend(tx *store.Tx, a *accountRecord, branch uint8) error {
	if a.Kind == kindImported {
		return nil
	}
	b := &a.Branches[branch]
	target := max(b.Issued, b.Used) + w.gap
	if target < b.Issued || target >= HardenedKeyStart { // overflow or out of indexes
		target = HardenedKeyStart
	}
	if b.Derived >= target {
		return nil
	}
	bk, err := w.branchKey(a, branch)
	if isInvalidChild(err) {
		b.Derived = target
		return nil
	}
	if err != nil {
		return err
	}
	defer func() { w.ahead.refill(bk, b.Derived) }()
	for ; b.Derived < target; b.Derived++ {
		pk, ok := w.ahead.take(bk, b.Derived)
		if !ok {
			if pk, err = childPub(bk, b.Derived); err != nil {
				return err
			}
		}
		if pk == nil {
			continue // an invalid child: no address at this index
		}
		pkScript := script.PayToWitnessPubKeyHash(keys.Hash160(pk))
		if tx.Bucket(bktAddrs).Get(pkScript) != nil {
			continue // already the wallet's (imported before): keep that entry
		}
		r := &addrRecord{Account: a.Number, Branch: branch, Index: b.Derived, PubKey: pk}
		if a.Kind == kindXpub {
			r.Flags |= flagWatchOnly
		}
		if err := w.putAddr(tx, pkScript, r); err != nil {
			return err
		}
	}
	return nil
}

// CreateAccount adds the next BIP44 account under name. It needs the
// seed, so the wallet must be unlocked.
func (w *Wallet) CreateAccount(name string) (AccountInfo, error) {
	var info AccountInfo
	err := w.update(func(tx *store.Tx) error {
		mkey, err := w.masterKeyLocked()
		if err != nil {
			return err
		}
		master, err := w.hdMaster(tx, mkey)
		if err != nil {
			return err
		}
		defer master.Zero()
		a, err := w.createHDAccount(tx, master, mkey, name)
		if err != nil {
			return err
		}
		info = accountInfo(a)
		return nil
	})
	if err != nil {
		return AccountInfo{}, fmt.Errorf("wallet: create account: %w", err)
	}
	return info, nil
}

// Account returns the account called name ("" is the default account).
func (w *Wallet) Account(name string) (AccountInfo, error) {
	var info AccountInfo
	err := w.view(func(tx *store.Tx) error {
		a, err := accountByName(tx, name)
		if err != nil {
			return err
		}
		info = accountInfo(a)
		return nil
	})
	if err != nil {
		return AccountInfo{}, fmt.Errorf("wallet: account: %w", err)
	}
	return info, nil
}

// Accounts lists the accounts in number order.
func (w *Wallet) Accounts() ([]AccountInfo, error) {
	var out []AccountInfo
	err := w.view(func(tx *store.Tx) error {
		return tx.Bucket(bktAccounts).ForEach(func(k, v []byte) error {
			a, err := decodeAccount(v)
			if err != nil {
				return err
			}
			out = append(out, accountInfo(a))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("wallet: accounts: %w", err)
	}
	return out, nil
}

// NewAddress hands out the next unused address of account's receive
// chain (or change chain) and extends the lookahead past it. Addresses
// are bech32 P2WPKH.
func (w *Wallet) NewAddress(account string, change bool) (*address.Address, error) {
	branch := BranchReceive
	if change {
		branch = BranchChange
	}
	var out *address.Address
	err := w.update(func(tx *store.Tx) error {
		a, err := accountByName(tx, account)
		if err != nil {
			return err
		}
		out, err = w.newAddressTx(tx, a, branch)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("wallet: new address: %w", err)
	}
	return out, nil
}

// ownScript returns a script of a for the wallet's own outputs (change,
// a game object staying in the account): a fresh address of an HD
// account's branch. An account of imported keys has no chain to derive
// from: it gets reuse when given (the script of the coin the output
// replaces, which the account already signs for), else its first
// imported key's own address (P2WPKH for a compressed key).
func (w *Wallet) ownScript(tx *store.Tx, a *accountRecord, branch uint8, reuse []byte) ([]byte, error) {
	if a.Kind != kindImported {
		addr, err := w.newAddressTx(tx, a, branch)
		if err != nil {
			return nil, err
		}
		return addr.PkScript(), nil
	}
	if reuse != nil {
		return reuse, nil
	}
	return importedKeyScript(tx, a)
}

// importedKeyScript returns the first address of an imported private key
// of a, in import order (the key's P2WPKH form sorts before its P2PKH).
func importedKeyScript(tx *store.Tx, a *accountRecord) ([]byte, error) {
	var out []byte
	errFound := errors.New("found")
	prefix := append(u32key(a.Number), BranchImported)
	err := scanAddrIndex(tx, prefix, func(_ uint8, _ uint32, pk []byte) error {
		r, err := getAddr(tx, pk)
		if err != nil || r == nil || len(r.PubKey) == 0 || r.Flags&(flagWatchOnly|flagScript) != 0 {
			return err
		}
		out = pk
		return errFound
	})
	if err != nil && !errors.Is(err, errFound) {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("%w: account %q has no chain to derive from and no imported private key to receive on: give an address", ErrInvalidArgument, a.Name)
	}
	return out, nil
}

// newAddressTx hands out the next address of a's branch and stores a.
func (w *Wallet) newAddressTx(tx *store.Tx, a *accountRecord, branch uint8) (*address.Address, error) {
	if a.Kind == kindImported {
		return nil, fmt.Errorf("%w: account %q has only imported keys, no chain to derive from", ErrInvalidArgument, a.Name)
	}
	var out *address.Address
	b := &a.Branches[branch]
	for out == nil {
		if b.Issued >= HardenedKeyStart-1 {
			return nil, fmt.Errorf("%w: account %q chain %d is exhausted", ErrInvalidArgument, a.Name, branch)
		}
		idx := b.Issued
		b.Issued++
		if err := w.extend(tx, a, branch); err != nil {
			return nil, err
		}
		err := scanAddrIndex(tx, addrIndexKey(a.Number, branch, idx, nil), func(_ uint8, _ uint32, pk []byte) error {
			out, _ = address.FromPkScript(pk, w.params)
			return nil
		})
		if err != nil {
			return nil, err
		}
		// No address at idx: an invalid child, skipped.
	}
	return out, putAccount(tx, a)
}

// Addresses lists the addresses of account that were handed out (receive
// chain, then change chain, by index), followed by its imported
// addresses and scripts. Lookahead addresses not handed out yet are
// omitted.
func (w *Wallet) Addresses(account string) ([]AddrInfo, error) {
	var out []AddrInfo
	err := w.view(func(tx *store.Tx) error {
		a, err := accountByName(tx, account)
		if err != nil {
			return err
		}
		return scanAddrIndex(tx, u32key(a.Number), func(branch uint8, idx uint32, pk []byte) error {
			if branch != BranchImported && idx >= a.Branches[branch].Issued {
				return nil
			}
			r, err := getAddr(tx, pk)
			if err != nil {
				return err
			}
			if r == nil {
				return fmt.Errorf("%w: address index entry without an address", ErrCorrupt)
			}
			info, err := w.addrInfo(tx, pk, r)
			if err != nil {
				return err
			}
			out = append(out, info)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("wallet: addresses: %w", err)
	}
	return out, nil
}

// WatchedScripts returns every output script the wallet recognises,
// lookahead included: the filter a chain client needs for rescans and
// mempool notifications.
func (w *Wallet) WatchedScripts() ([][]byte, error) {
	var out [][]byte
	err := w.view(func(tx *store.Tx) error {
		return tx.Bucket(bktAddrs).ForEach(func(k, _ []byte) error {
			out = append(out, append([]byte(nil), k...))
			return nil
		})
	})
	return out, err
}

// RenameAccount gives account oldName the name newName (BIP44 accounts
// that discovery created are called "account-<n>"; users rename them).
// The default account keeps its name (DefaultAccount stands for it
// everywhere): renaming it, or to it, is ErrInvalidArgument. An unknown
// oldName is ErrAccountNotFound, a newName in use ErrAccountExists.
// Renaming needs no keys, so it works while locked.
func (w *Wallet) RenameAccount(oldName, newName string) (AccountInfo, error) {
	if err := checkAccountName(newName); err != nil {
		return AccountInfo{}, fmt.Errorf("wallet: rename account: %w", err)
	}
	var info AccountInfo
	err := w.update(func(tx *store.Tx) error {
		a, err := accountByName(tx, oldName)
		if err != nil {
			return err
		}
		if a.Number == 0 || newName == DefaultAccount {
			return fmt.Errorf("%w: the default account cannot be renamed, nor another account renamed to %q", ErrInvalidArgument, DefaultAccount)
		}
		if a.Name == newName {
			info = accountInfo(a)
			return nil
		}
		if tx.Bucket(bktAccountNames).Get([]byte(newName)) != nil {
			return fmt.Errorf("%w: %q", ErrAccountExists, newName)
		}
		if err := tx.Bucket(bktAccountNames).Delete([]byte(a.Name)); err != nil {
			return err
		}
		a.Name = newName
		if err := putAccount(tx, a); err != nil {
			return err
		}
		info = accountInfo(a)
		return nil
	})
	if err != nil {
		return AccountInfo{}, fmt.Errorf("wallet: rename account: %w", err)
	}
	w.log.Info("account renamed", "from", oldName, "to", newName)
	return info, nil
}
