package wallet

import (
	"fmt"
	"strconv"
	"time"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"

	"github.com/gamegold/gg/lib/store"
)

// The keystore: every secret (the seed record, account private keys,
// imported private keys) is sealed with XChaCha20-Poly1305 under a random
// 32-byte master key. The master key itself is sealed under
// argon2id(passphrase, salt, params), or, for a wallet created with
// CreateOptions.Unencrypted, stored in the clear. Unlocking opens the
// master key and keeps it in memory until Lock, the unlock timeout, or
// Close; changing the passphrase re-seals only the master key.

// lockLocked forgets the master key and every cached private key. The
// caller holds w.mu. Unencrypted wallets keep their key: they cannot be
// locked.
func (w *Wallet) lockLocked() {
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	w.until = time.Time{}
	for n, k := range w.privCache {
		k.Zero()
		delete(w.privCache, n)
	}
	for n, k := range w.branchCache {
		k.zero()
		delete(w.branchCache, n)
	}
	if w.encrypted && w.master != nil {
		zero(w.master)
		w.master = nil
		w.log.Info("wallet locked")
	}
}

// expireLocked locks the wallet if its unlock timeout has passed. The
// caller holds w.mu.
func (w *Wallet) expireLocked() {
	if !w.until.IsZero() && !w.now().Before(w.until) {
		w.lockLocked()
	}
}

// masterKeyLocked returns the master key, or ErrLocked. The caller holds
// w.mu and must not keep the slice past its critical section.
func (w *Wallet) masterKeyLocked() ([]byte, error) {
	w.expireLocked()
	if w.master == nil {
		return nil, ErrLocked
	}
	return w.master, nil
}

// Encrypted reports whether the wallet's keys are encrypted (false only
// for wallets created with CreateOptions.Unencrypted).
func (w *Wallet) Encrypted() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.encrypted
}

// IsLocked reports whether private keys are unavailable, applying the
// unlock timeout first.
func (w *Wallet) IsLocked() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.expireLocked()
	return w.master == nil
}

// UnlockedUntil returns when an unlocked wallet relocks by itself (zero:
// not unlocked, or unlocked without a timeout).
func (w *Wallet) UnlockedUntil() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.expireLocked()
	return w.until
}

// Lock forgets the decrypted keys now.
func (w *Wallet) Lock() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if !w.encrypted {
		return fmt.Errorf("wallet: lock: %w", ErrNotEncrypted)
	}
	w.lockLocked()
	return nil
}

// Relock locks the wallet if its unlock timeout has passed by the
// wallet's clock. A timer calls it when the timeout elapses; callers with
// an injected clock may call it themselves.
func (w *Wallet) Relock() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.expireLocked()
}

func (w *Wallet) readKDF() (*kdfRecord, error) {
	var rec *kdfRecord
	err := w.view(func(tx *store.Tx) error {
		if !w.encrypted {
			return ErrNotEncrypted
		}
		v := tx.Bucket(bktMeta).Get(keyKDF)
		if v == nil {
			return fmt.Errorf("%w: no kdf record", ErrCorrupt)
		}
		var err error
		rec, err = decodeKDF(v)
		return err
	})
	return rec, err
}

// Unlock decrypts the keys with passphrase and keeps them for timeout
// (zero or negative: until Lock or Close). Unlocking an unlocked wallet
// checks the passphrase and restarts the timeout. A wrong passphrase is
// ErrWrongPassphrase.
func (w *Wallet) Unlock(passphrase []byte, timeout time.Duration) error {
	rec, err := w.readKDF()
	if err != nil {
		return fmt.Errorf("wallet: unlock: %w", err)
	}
	// The KDF is slow by design: run it without holding the mutex.
	mkey, err := rec.openMaster(passphrase)
	if err != nil {
		return fmt.Errorf("wallet: unlock: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		zero(mkey)
		return ErrClosed
	}
	if w.master != nil {
		zero(w.master)
	}
	w.master = mkey
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	w.until = time.Time{}
	if timeout > 0 {
		w.until = w.now().Add(timeout)
		w.timer = time.AfterFunc(timeout, w.Relock)
	}
	w.log.Info("wallet unlocked", "timeout", timeout)
	return nil
}

// ChangePassphrase re-seals the master key under newPass; oldPass must
// be the current passphrase. Nothing else is re-encrypted, and the lock
// state does not change.
func (w *Wallet) ChangePassphrase(oldPass, newPass []byte) error {
	if len(newPass) == 0 {
		return fmt.Errorf("wallet: change passphrase: %w: empty new passphrase", ErrInvalidArgument)
	}
	rec, err := w.readKDF()
	if err != nil {
		return fmt.Errorf("wallet: change passphrase: %w", err)
	}
	mkey, err := rec.openMaster(oldPass)
	if err != nil {
		return fmt.Errorf("wallet: change passphrase: %w", err)
	}
	defer zero(mkey)
	nrec, err := newKDFRecord(newPass, mkey, rec.Params)
	if err != nil {
		return fmt.Errorf("wallet: change passphrase: %w", err)
	}
	err = w.update(func(tx *store.Tx) error {
		// Refuse if the passphrase changed under us meanwhile.
		if cur := tx.Bucket(bktMeta).Get(keyKDF); cur == nil || !equalBytes(cur, encodeKDF(rec)) {
			return fmt.Errorf("%w: passphrase changed concurrently", ErrWrongPassphrase)
		}
		return tx.Bucket(bktMeta).Put(keyKDF, encodeKDF(nrec))
	})
	if err != nil {
		return fmt.Errorf("wallet: change passphrase: %w", err)
	}
	w.log.Info("wallet passphrase changed")
	return nil
}

// ExportMnemonic returns the wallet's BIP39 mnemonic. It asks for the
// passphrase even when the wallet is unlocked (ignored for unencrypted
// wallets). The seed passphrase, if any, is not part of it.
func (w *Wallet) ExportMnemonic(passphrase []byte) (string, error) {
	var mkey []byte
	if w.Encrypted() {
		rec, err := w.readKDF()
		if err != nil {
			return "", fmt.Errorf("wallet: export mnemonic: %w", err)
		}
		if mkey, err = rec.openMaster(passphrase); err != nil {
			return "", fmt.Errorf("wallet: export mnemonic: %w", err)
		}
		defer zero(mkey)
	}
	var m string
	err := w.view(func(tx *store.Tx) error {
		k := mkey
		if k == nil {
			k = w.master // unencrypted: always present
		}
		s, err := readSeedSecret(tx, k)
		if err != nil {
			return err
		}
		m = s.Mnemonic
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("wallet: export mnemonic: %w", err)
	}
	return m, nil
}

func readSeedSecret(tx *store.Tx, mkey []byte) (*seedSecret, error) {
	sealed := tx.Bucket(bktMeta).Get(keySeed)
	if sealed == nil {
		return nil, fmt.Errorf("%w: no seed record", ErrCorrupt)
	}
	plain, err := open(mkey, sealed, []byte(adSeed))
	if err != nil {
		return nil, fmt.Errorf("%w: seed does not decrypt: %v", ErrCorrupt, err)
	}
	defer zero(plain)
	return decodeSeedSecret(plain)
}

// hdMaster rebuilds the BIP32 master key from the sealed seed record.
func (w *Wallet) hdMaster(tx *store.Tx, mkey []byte) (*hdkeychain.ExtendedKey, error) {
	s, err := readSeedSecret(tx, mkey)
	if err != nil {
		return nil, err
	}
	seed, err := SeedFromMnemonic(s.Mnemonic, s.SeedPassphrase)
	if err != nil {
		return nil, fmt.Errorf("%w: stored mnemonic: %v", ErrCorrupt, err)
	}
	defer zero(seed)
	return NewMaster(seed, w.params)
}

// accountPrivKey returns account a's private extended key, cached while
// the wallet stays unlocked. The caller holds w.mu.
func (w *Wallet) accountPrivKey(a *accountRecord, mkey []byte) (*hdkeychain.ExtendedKey, error) {
	if k, ok := w.privCache[a.Xpub]; ok {
		return k, nil
	}
	if a.Kind != kindHD || len(a.SealedXprv) == 0 {
		return nil, fmt.Errorf("%w: %q", ErrWatchOnly, a.Name)
	}
	plain, err := open(mkey, a.SealedXprv, []byte(adAccountKey+strconv.FormatUint(uint64(a.Number), 10)))
	if err != nil {
		return nil, fmt.Errorf("%w: account %d key does not decrypt", ErrCorrupt, a.Number)
	}
	k, err := hdkeychain.NewKeyFromString(string(plain))
	zero(plain)
	if err != nil || !k.IsPrivate() {
		return nil, fmt.Errorf("%w: account %d key", ErrCorrupt, a.Number)
	}
	w.privCache[a.Xpub] = k
	return k, nil
}
