package wallet

import (
	"bytes"
	"encoding/hex"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/keys"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// keyDB serves the wallet's private keys to script.SignInput.
type keyDB struct{ w *Wallet }

// scriptDB serves imported redeem and witness scripts.
type scriptDB struct{ w *Wallet }

// KeyDB returns the script.KeyDB over the unlocked keystore, or ErrLocked.
// If the wallet locks while it is in use, GetKey finds nothing and
// SignInput fails with script.ErrKeyNotFound; (*Wallet).SignInput turns
// that back into ErrLocked.
func (w *Wallet) KeyDB() (script.KeyDB, error) {
	if w.IsLocked() {
		return nil, fmt.Errorf("wallet: %w", ErrLocked)
	}
	return keyDB{w}, nil
}

// ScriptDB returns the script.ScriptDB of imported scripts (not secret:
// it works while locked).
func (w *Wallet) ScriptDB() script.ScriptDB { return scriptDB{w} }

// GetKey implements script.KeyDB.
func (k keyDB) GetKey(hash []byte) (*btcec.PrivateKey, bool, bool) {
	priv, compressed, err := k.w.privKey(hash)
	if err != nil {
		k.w.log.Debug("key lookup", "hash160", hex.EncodeToString(hash), "err", err)
		return nil, false, false
	}
	return priv, compressed, true
}

var _ script.KeyPairDB = keyDB{}

// GetKeyPair implements script.KeyPairDB: privKey has checked the key
// against the address's public key already, so the signer need not
// compute it again.
func (k keyDB) GetKeyPair(hash []byte) (*btcec.PrivateKey, []byte, bool) {
	priv, _, pub, err := k.w.privKeyPair(hash)
	if err != nil {
		k.w.log.Debug("key lookup", "hash160", hex.EncodeToString(hash), "err", err)
		return nil, nil, false
	}
	return priv, pub, true
}

// txKeyDB is keyDB inside a database transaction the caller holds
// (w.mu held): signing inside a wallet update, so building, signing and
// recording a transaction take one commit.
type txKeyDB struct {
	w  *Wallet
	tx *store.Tx
}

var _ script.KeyPairDB = txKeyDB{}

// GetKey implements script.KeyDB.
func (k txKeyDB) GetKey(hash []byte) (*btcec.PrivateKey, bool, bool) {
	priv, compressed, _, err := k.w.privKeyPairTx(k.tx, hash)
	return priv, compressed, err == nil
}

// GetKeyPair implements script.KeyPairDB.
func (k txKeyDB) GetKeyPair(hash []byte) (*btcec.PrivateKey, []byte, bool) {
	priv, _, pub, err := k.w.privKeyPairTx(k.tx, hash)
	return priv, pub, err == nil
}

// GetScript implements script.ScriptDB.
func (k txKeyDB) GetScript(hash []byte) ([]byte, bool) {
	if v := k.tx.Bucket(bktScripts).Get(hash); v != nil {
		return append([]byte(nil), v...), true
	}
	return nil, false
}

// signInputTx is SignInput inside a database transaction (w.mu held),
// for inputs that are not time-locked: it reports lock true, and signs
// nothing, for a time-locked one (SignInput handles those).
func (w *Wallet) signInputTx(dbtx *store.Tx, tx *wire.MsgTx, idx int, pkScript []byte, amount int64, hashType script.SigHashType, hashes *script.SigHashes) (complete, lock bool, err error) {
	tl, _, isLock := timeLockOf(dbtx, pkScript)
	if isLock {
		if isLock, err = ownsKey(dbtx, tl.PubKey); err != nil || isLock {
			return false, isLock, err
		}
	}
	if _, err := w.masterKeyLocked(); err != nil {
		return false, false, fmt.Errorf("wallet: sign input %d: %w", idx, ErrLocked)
	}
	k := txKeyDB{w, dbtx}
	complete, err = script.SignInputCache(tx, idx, pkScript, amount, hashType, k, k, hashes, w.sigCache)
	if err != nil {
		return false, false, fmt.Errorf("wallet: sign input %d: %w", idx, err)
	}
	return complete, false, nil
}

// GetScript implements script.ScriptDB.
func (s scriptDB) GetScript(hash []byte) ([]byte, bool) {
	var out []byte
	_ = s.w.view(func(tx *store.Tx) error {
		if v := tx.Bucket(bktScripts).Get(hash); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	return out, out != nil
}

// privKey finds the private key whose public key hashes to hash: an HD
// key of one of the wallet's chains or an imported one.
func (w *Wallet) privKey(hash []byte) (*btcec.PrivateKey, bool, error) {
	priv, compressed, _, err := w.privKeyPair(hash)
	return priv, compressed, err
}

// privKeyPair is privKey that also returns the key's serialized public
// key (the address's, checked against the private key).
func (w *Wallet) privKeyPair(hash []byte) (*btcec.PrivateKey, bool, []byte, error) {
	if len(hash) != 20 {
		return nil, false, nil, fmt.Errorf("%w: key hash of %d bytes", ErrInvalidArgument, len(hash))
	}
	var (
		priv       *btcec.PrivateKey
		compressed bool
		pub        []byte
	)
	err := w.view(func(tx *store.Tx) error {
		var err error
		priv, compressed, pub, err = w.privKeyPairTx(tx, hash)
		return err
	})
	if err != nil {
		return nil, false, nil, err
	}
	return priv, compressed, pub, nil
}

// privKeyPairTx is privKeyPair inside a database transaction (w.mu
// held).
func (w *Wallet) privKeyPairTx(tx *store.Tx, hash []byte) (*btcec.PrivateKey, bool, []byte, error) {
	m, err := w.keyMaterialTx(tx, hash)
	if err != nil {
		return nil, false, nil, err
	}
	priv, pub, err := m.finish()
	if err != nil {
		return nil, false, nil, err
	}
	return priv, m.compressed, pub, nil
}

// keyMaterial is what the database gives for a key: the HD child's or
// the imported private key, and the address's public key. finish checks
// the one against the other (a point multiplication); it needs neither
// the database nor the wallet's lock, so signers can run it in
// parallel.
type keyMaterial struct {
	hash       []byte
	priv       *btcec.PrivateKey // the HD child's or the imported key
	compressed bool
	want       []byte // the address's public key
}

func (m *keyMaterial) finish() (*btcec.PrivateKey, []byte, error) {
	priv, err := m.privKey()
	if err != nil {
		return nil, nil, err
	}
	pk := priv.PubKey()
	pub := pk.SerializeUncompressed()
	if m.compressed {
		pub = pk.SerializeCompressed()
	}
	if !bytes.Equal(keys.Hash160(pub), m.hash) || !bytes.Equal(pub, m.want) {
		return nil, nil, fmt.Errorf("%w: key for %x does not match its address", ErrCorrupt, m.hash)
	}
	return priv, pub, nil
}

// privKey is the private key alone, unchecked: for a signer whose
// closing verification against the address's public key (m.want) stands
// in for finish's check, sparing a scalar multiplication per input.
func (m *keyMaterial) privKey() (*btcec.PrivateKey, error) {
	if m.priv == nil {
		return nil, fmt.Errorf("%w: no key for %x", ErrCorrupt, m.hash)
	}
	return m.priv, nil
}

// keyMaterialTx looks up the key of hash in tx (w.mu held).
func (w *Wallet) keyMaterialTx(tx *store.Tx, hash []byte) (*keyMaterial, error) {
	if len(hash) != 20 {
		return nil, fmt.Errorf("%w: key hash of %d bytes", ErrInvalidArgument, len(hash))
	}
	m := &keyMaterial{hash: bytes.Clone(hash)}
	err := func() error {
		mkey, err := w.masterKeyLocked()
		if err != nil {
			return err
		}
		var r *addrRecord
		for _, pk := range [][]byte{script.PayToWitnessPubKeyHash(hash), script.PayToPubKeyHash(hash)} {
			if r, err = getAddr(tx, pk); err != nil {
				return err
			}
			if r != nil && len(r.PubKey) != 0 {
				break // a watch-only entry of the same hash may precede the keyed one
			}
		}
		if r == nil || len(r.PubKey) == 0 {
			return ErrAddressNotFound
		}
		if r.Branch == BranchImported {
			sealed := tx.Bucket(bktKeys).Get(hash)
			if sealed == nil {
				return ErrWatchOnly
			}
			plain, err := open(mkey, sealed, []byte(adImportKey+hex.EncodeToString(hash)))
			if err != nil {
				return fmt.Errorf("%w: imported key does not decrypt", ErrCorrupt)
			}
			defer zero(plain)
			b, c, err := decodeKeySecret(plain)
			if err != nil {
				return err
			}
			m.priv, _ = btcec.PrivKeyFromBytes(b)
			m.compressed = c
		} else {
			a, err := getAccount(tx, r.Account)
			if err != nil {
				return err
			}
			ak, err := w.accountPrivKey(a, mkey)
			if err != nil {
				return err
			}
			bs, ok := w.branchCache[branchKeyID{a.Xpub, r.Branch}]
			if !ok {
				bk, err := ak.Derive(uint32(r.Branch))
				if err != nil {
					return err
				}
				bs, err = newBranchSecret(bk)
				bk.Zero()
				if err != nil {
					return err
				}
				w.branchCache[branchKeyID{a.Xpub, r.Branch}] = bs
			}
			if m.priv, err = bs.child(r.Index); err != nil {
				return err
			}
			m.compressed = true
		}
		m.want = bytes.Clone(r.PubKey)
		return nil
	}()
	if err != nil {
		return nil, err
	}
	return m, nil
}

// SignInput signs input idx of tx, which spends amount locked by pkScript,
// with the wallet's keys and scripts (script.SignInput). A locked wallet
// is ErrLocked; a script the wallet has no key for is script.ErrKeyNotFound.
func (w *Wallet) SignInput(tx *wire.MsgTx, idx int, pkScript []byte, amount int64, hashType script.SigHashType, hashes *script.SigHashes) (bool, error) {
	kdb, err := w.KeyDB()
	if err != nil {
		return false, err
	}
	var (
		tl     timeLockScript
		ws     []byte
		isLock bool
	)
	if err := w.view(func(dbtx *store.Tx) error {
		tl, ws, isLock = timeLockOf(dbtx, pkScript)
		if isLock {
			isLock, err = ownsKey(dbtx, tl.PubKey)
		}
		return err
	}); err != nil {
		return false, fmt.Errorf("wallet: sign input %d: %w", idx, err)
	}
	if isLock {
		if idx < 0 || idx >= len(tx.TxIn) {
			return false, fmt.Errorf("wallet: sign input %d: %w: no such input", idx, ErrInvalidArgument)
		}
		if err := w.signTimeLock(tx, idx, tx.TxIn[idx].PreviousOutPoint, amount, tl, ws, hashType, hashes); err != nil {
			return false, fmt.Errorf("wallet: sign input %d: %w", idx, err)
		}
		return true, nil
	}
	complete, err := script.SignInputCache(tx, idx, pkScript, amount, hashType, kdb, w.ScriptDB(), hashes, w.sigCache)
	if err != nil && w.IsLocked() {
		return false, fmt.Errorf("wallet: sign input %d: %w", idx, ErrLocked)
	}
	if err != nil {
		return false, fmt.Errorf("wallet: sign input %d: %w", idx, err)
	}
	return complete, nil
}

// ExportPrivKey returns the private key of one of the wallet's
// single-key addresses (P2WPKH or P2PKH, HD or imported) in WIF for the
// wallet's network. The wallet must be unlocked (ErrLocked); an address
// of another kind is ErrInvalidArgument, one the wallet does not know
// ErrAddressNotFound, a watch-only one ErrWatchOnly.
func (w *Wallet) ExportPrivKey(addr string) (string, error) {
	a, err := address.Decode(addr, w.params)
	if err != nil {
		return "", fmt.Errorf("wallet: export private key: %w: %v", ErrInvalidArgument, err)
	}
	if a.Kind != address.WitnessPubKeyHash && a.Kind != address.PubKeyHash {
		return "", fmt.Errorf("wallet: export private key: %w: %s is not a single-key address", ErrInvalidArgument, addr)
	}
	if w.IsLocked() {
		return "", fmt.Errorf("wallet: export private key: %w", ErrLocked)
	}
	info, ok := w.IsMine(a.PkScript())
	switch {
	case !ok:
		return "", fmt.Errorf("wallet: export private key: %w: %s", ErrAddressNotFound, addr)
	case info.WatchOnly:
		return "", fmt.Errorf("wallet: export private key: %w: %s", ErrWatchOnly, addr)
	}
	priv, compressed, err := w.privKey(a.Hash)
	if err != nil {
		return "", fmt.Errorf("wallet: export private key %s: %w", addr, err)
	}
	return keys.EncodeWIF(priv, compressed, w.params), nil
}
