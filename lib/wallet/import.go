package wallet

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
)

// maxImportScriptSize is the consensus script size limit.
const maxImportScriptSize = 10_000

// parseWIF decodes a WIF private key for the wallet's network, mapping
// failures onto ErrInvalidKey and ErrWrongNetwork.
func (w *Wallet) parseWIF(wif string) (priv []byte, pub []byte, compressed bool, err error) {
	k, compressed, err := keys.DecodeWIF(wif, w.params)
	if err != nil {
		if errors.Is(err, keys.ErrWrongNetwork) {
			return nil, nil, false, fmt.Errorf("%w: %w: %w", ErrInvalidKey, ErrWrongNetwork, err)
		}
		return nil, nil, false, fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	pub = k.PubKey().SerializeUncompressed()
	if compressed {
		pub = k.PubKey().SerializeCompressed()
	}
	return k.Serialize(), pub, compressed, nil
}

// parseXpub decodes an account-level extended public key for w's network:
// a private key, another network's key or a malformed string is an error
// wrapping ErrInvalidKey (and ErrWrongNetwork for the network case).
func parseXpub(s string, w *Wallet) (*hdkeychain.ExtendedKey, error) {
	k, err := keys.ParseExtendedKey(s) // bounds the length before decoding
	if err != nil {
		return nil, fmt.Errorf("%w: extended key: %w", ErrInvalidKey, err)
	}
	if k.IsPrivate() {
		return nil, fmt.Errorf("%w: a private extended key: import the account's xpub for a watch-only account", ErrInvalidKey)
	}
	if !k.IsForNet(HDParams(w.params)) {
		return nil, fmt.Errorf("%w: %w: extended key version bytes are not %s's", ErrInvalidKey, ErrWrongNetwork, w.params.Name)
	}
	return k, nil
}

// importAccount returns the account imports go to: name's account, or a
// new imported-keys account called name.
func importAccount(tx *store.Tx, name string) (*accountRecord, error) {
	a, err := accountByName(tx, name)
	if err == nil || !errors.Is(err, ErrAccountNotFound) {
		return a, err
	}
	if err := checkAccountName(name); err != nil {
		return nil, err
	}
	n, err := nextOtherNumber(tx)
	if err != nil {
		return nil, err
	}
	return &accountRecord{Number: n, Kind: kindImported, Name: name}, nil
}

// ImportWIF adds a WIF private key to account (created as an imported-keys
// account if it does not exist). A compressed key is recognised as P2WPKH
// (the address returned) and P2PKH; an uncompressed one as P2PKH only.
// The key is sealed like the seed, so the wallet must be unlocked.
func (w *Wallet) ImportWIF(wif, account string) (AddrInfo, error) {
	priv, pub, compressed, err := w.parseWIF(wif)
	if err != nil {
		return AddrInfo{}, fmt.Errorf("wallet: import key: %w", err)
	}
	defer zero(priv)
	h := keys.Hash160(pub)
	scripts := [][]byte{script.PayToPubKeyHash(h)}
	if compressed {
		scripts = [][]byte{script.PayToWitnessPubKeyHash(h), scripts[0]}
	}
	var info AddrInfo
	err = w.update(func(tx *store.Tx) error {
		mkey, err := w.masterKeyLocked()
		if err != nil {
			return err
		}
		for _, pk := range scripts {
			if tx.Bucket(bktAddrs).Get(pk) != nil {
				return fmt.Errorf("%w: key for %x", ErrAlreadyImported, h)
			}
		}
		a, err := importAccount(tx, account)
		if err != nil {
			return err
		}
		sealed, err := seal(mkey, encodeKeySecret(priv, compressed), []byte(adImportKey+hex.EncodeToString(h)))
		if err != nil {
			return err
		}
		if err := tx.Bucket(bktKeys).Put(h, sealed); err != nil {
			return err
		}
		r := &addrRecord{Account: a.Number, Branch: BranchImported, Index: a.Imported, PubKey: pub}
		if compressed {
			r.Flags |= flagCompressed
		}
		for _, pk := range scripts {
			if err := w.putAddr(tx, pk, r); err != nil {
				return err
			}
		}
		a.Imported++
		if err := putAccount(tx, a); err != nil {
			return err
		}
		info, err = w.addrInfo(tx, scripts[0], r)
		return err
	})
	if err != nil {
		return AddrInfo{}, fmt.Errorf("wallet: import key: %w", err)
	}
	w.log.Debug("key imported", "account", info.Account)
	return info, nil
}

// ImportAddress adds a watch-only address to account (created as an
// imported-keys account if it does not exist). It works while locked.
func (w *Wallet) ImportAddress(addr, account string) (AddrInfo, error) {
	a, err := address.Decode(addr, w.params)
	if err != nil {
		if errors.Is(err, address.ErrWrongNetwork) {
			return AddrInfo{}, fmt.Errorf("wallet: import address: %w: %w", ErrWrongNetwork, err)
		}
		return AddrInfo{}, fmt.Errorf("wallet: import address: %w: %w", ErrInvalidArgument, err)
	}
	return w.importWatch(a.PkScript(), nil, account, flagWatchOnly, "import address")
}

// ImportScript adds a redeem or witness script (a multisig, say) to
// account: the wallet then recognises its P2SH and P2WSH outputs and
// ScriptDB serves it to the signer, which signs with whatever keys of the
// script the wallet holds. It returns the P2WSH entry.
func (w *Wallet) ImportScript(s []byte, account string) (AddrInfo, error) {
	if len(s) == 0 || len(s) > maxImportScriptSize {
		return AddrInfo{}, fmt.Errorf("wallet: import script: %w: script of %d bytes", ErrInvalidArgument, len(s))
	}
	return w.importWatch(script.PayToWitnessScriptHash(sha256Sum(s)), s, account, flagScript, "import script")
}

func sha256Sum(b []byte) []byte { h := sha256.Sum256(b); return h[:] }

func (w *Wallet) importWatch(pkScript, redeem []byte, account string, flags uint8, what string) (AddrInfo, error) {
	return w.importWatchMode(pkScript, redeem, account, flags, redeem != nil, what)
}

// importWatchMode is importWatch; p2sh says whether a redeem script's
// P2SH form is recognised too.
func (w *Wallet) importWatchMode(pkScript, redeem []byte, account string, flags uint8, p2sh bool, what string) (AddrInfo, error) {
	pks := [][]byte{pkScript}
	if redeem != nil && p2sh {
		pks = append(pks, script.PayToScriptHash(keys.Hash160(redeem)))
	}
	var info AddrInfo
	err := w.update(func(tx *store.Tx) error {
		for _, pk := range pks {
			if tx.Bucket(bktAddrs).Get(pk) != nil {
				return ErrAlreadyImported
			}
		}
		a, err := importAccount(tx, account)
		if err != nil {
			return err
		}
		if redeem != nil {
			if err := tx.Bucket(bktScripts).Put(keys.Hash160(redeem), redeem); err != nil {
				return err
			}
			if err := tx.Bucket(bktScripts).Put(sha256Sum(redeem), redeem); err != nil {
				return err
			}
		}
		r := &addrRecord{Account: a.Number, Branch: BranchImported, Index: a.Imported, Flags: flags}
		for _, pk := range pks {
			if err := w.putAddr(tx, pk, r); err != nil {
				return err
			}
		}
		a.Imported++
		if err := putAccount(tx, a); err != nil {
			return err
		}
		info, err = w.addrInfo(tx, pkScript, r)
		return err
	})
	if err != nil {
		return AddrInfo{}, fmt.Errorf("wallet: %s: %w", what, err)
	}
	return info, nil
}

// ImportXpub creates the watch-only account name from an account-level
// extended public key (the m/44'/coin'/n' key another wallet exports):
// its receive (/0/i) and change (/1/i) chains are derived with the gap
// limit like the wallet's own. It works while locked.
func (w *Wallet) ImportXpub(xpub, name string) (AccountInfo, error) {
	k, err := parseXpub(xpub, w)
	if err != nil {
		return AccountInfo{}, fmt.Errorf("wallet: import xpub: %w", err)
	}
	if err := checkAccountName(name); err != nil {
		return AccountInfo{}, fmt.Errorf("wallet: import xpub: %w", err)
	}
	canon := k.String()
	var info AccountInfo
	err = w.update(func(tx *store.Tx) error {
		if tx.Bucket(bktAccountNames).Get([]byte(name)) != nil {
			return fmt.Errorf("%w: %q", ErrAccountExists, name)
		}
		err := tx.Bucket(bktAccounts).ForEach(func(_, v []byte) error {
			a, err := decodeAccount(v)
			if err != nil {
				return err
			}
			if a.Xpub == canon {
				return fmt.Errorf("%w: xpub is account %q", ErrAlreadyImported, a.Name)
			}
			return nil
		})
		if err != nil {
			return err
		}
		n, err := nextOtherNumber(tx)
		if err != nil {
			return err
		}
		a := &accountRecord{Number: n, Kind: kindXpub, Name: name, Xpub: canon}
		if err := w.extendAll(tx, a); err != nil {
			return err
		}
		if err := putAccount(tx, a); err != nil {
			return err
		}
		info = accountInfo(a)
		return nil
	})
	if err != nil {
		return AccountInfo{}, fmt.Errorf("wallet: import xpub: %w", err)
	}
	return info, nil
}
