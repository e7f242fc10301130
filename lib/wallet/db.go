package wallet

import (
	"encoding/binary"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// Bucket names; doc.go describes keys and values.
var (
	bktMeta         = []byte("wallet")
	bktAccounts     = []byte("accounts")
	bktAccountNames = []byte("accountnames")
	bktAddrs        = []byte("addrs")
	bktAddrIndex    = []byte("addrindex")
	bktKeys         = []byte("keys")
	bktScripts      = []byte("scripts")
	// Filled by later sessions (transactions and coins); created now so the
	// schema version that introduced them is 1.
	bktTxs      = []byte("txs")
	bktTxHeight = []byte("txheight")
	bktPending  = []byte("pending")
	bktCoins    = []byte("coins")
	bktSpends   = []byte("spends")
	// Schema version 3.
	bktContracts = []byte("contracts")
	// Schema version 4: coins carrying a game object, apart from the
	// plain ones, and indexed by object.
	bktGameCoins = []byte("gamecoins")
	bktObjCoins  = []byte("objcoins")
)

// Meta keys.
var (
	keyNetwork     = []byte("network")
	keyBirthday    = []byte("birthday")
	keyGapLimit    = []byte("gaplimit")
	keyCreated     = []byte("created")
	keyKDF         = []byte("kdf")
	keyPlainMaster = []byte("masterkey")
	keySeed        = []byte("seed")
	keyNextAccount = []byte("nextaccount")
	keySynced      = []byte("synced")
	keyNextWatch   = []byte("nextwatch")
)

// Associated data that binds each sealed secret to its slot, so a sealed
// value copied into another record does not decrypt.
const (
	adSeed       = "gg-wallet/v1/seed"
	adAccountKey = "gg-wallet/v1/account/"
	adImportKey  = "gg-wallet/v1/key/"
)

// migrations is the wallet file's schema: lib/store's own list first (it
// must be a prefix), then the wallet's. The schema version is the length
// of the list; append, never edit, when the layout changes.
var migrations = append(append([]store.Migration(nil), store.Migrations...),
	store.Migration{Name: "wallet v1: keystore, accounts, addresses, tx and coin buckets", Apply: func(tx *store.Tx) error {
		for _, b := range [][]byte{bktMeta, bktAccounts, bktAccountNames, bktAddrs, bktAddrIndex,
			bktKeys, bktScripts, bktTxs, bktTxHeight, bktPending, bktCoins, bktSpends} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	}},
	// Contracts (contract.go). Wallets written before it may hold the
	// bucket already (it was created on first use): kept as it is.
	store.Migration{Name: "wallet v2: contracts bucket", Apply: func(tx *store.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bktContracts)
		return err
	}},
	// Game coins move out of coins, so fee and payment coin selection
	// walk only plain coins, and an action finds an object's coin by
	// its index instead of a walk of every coin.
	store.Migration{Name: "wallet v3: game coins in their own bucket, indexed by object", Apply: migrateGameCoins},
)

// migrateGameCoins creates gamecoins and objcoins and moves every coin
// flagged as carrying a game object into them.
func migrateGameCoins(tx *store.Tx) error {
	for _, b := range [][]byte{bktGameCoins, bktObjCoins} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	type move struct {
		op wire.OutPoint
		c  *coinRecord
	}
	var moves []move
	err := tx.Bucket(bktCoins).ForEach(func(k, v []byte) error {
		if len(k) != 36 {
			return fmt.Errorf("%w: coin key of %d bytes", ErrCorrupt, len(k))
		}
		c, err := decodeCoin(v)
		if err != nil {
			return err
		}
		if c.Flags&coinFlagGame != 0 {
			moves = append(moves, move{opFromKey(k), c})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range moves {
		if err := putCoin(tx, m.op, m.c); err != nil {
			return err
		}
	}
	return nil
}

// SchemaVersion is the schema version this build writes.
var SchemaVersion = uint32(len(migrations))

func u32key(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }

// addrIndexKey is account ‖ branch ‖ index ‖ pkScript.
func addrIndexKey(acct uint32, branch uint8, idx uint32, pkScript []byte) []byte {
	k := make([]byte, 0, 9+len(pkScript))
	k = binary.BigEndian.AppendUint32(k, acct)
	k = append(k, branch)
	k = binary.BigEndian.AppendUint32(k, idx)
	return append(k, pkScript...)
}

func getAccount(tx *store.Tx, n uint32) (*accountRecord, error) {
	v := tx.Bucket(bktAccounts).Get(u32key(n))
	if v == nil {
		return nil, fmt.Errorf("%w: number %d", ErrAccountNotFound, n)
	}
	a, err := decodeAccount(v)
	if err != nil {
		return nil, fmt.Errorf("account %d: %w", n, err)
	}
	return a, nil
}

func accountByName(tx *store.Tx, name string) (*accountRecord, error) {
	if name == "" {
		name = DefaultAccount
	}
	v := tx.Bucket(bktAccountNames).Get([]byte(name))
	if len(v) != 4 {
		return nil, fmt.Errorf("%w: %q", ErrAccountNotFound, name)
	}
	return getAccount(tx, binary.BigEndian.Uint32(v))
}

func putAccount(tx *store.Tx, a *accountRecord) error {
	if err := tx.Bucket(bktAccounts).Put(u32key(a.Number), encodeAccount(a)); err != nil {
		return err
	}
	return tx.Bucket(bktAccountNames).Put([]byte(a.Name), u32key(a.Number))
}

// nextAccountNumber returns and advances the meta counter.
func nextAccountNumber(tx *store.Tx) (uint32, error) {
	meta := tx.Bucket(bktMeta)
	var n uint32
	if v := meta.Get(keyNextAccount); len(v) == 4 {
		n = binary.BigEndian.Uint32(v)
	}
	if n >= HardenedKeyStart-1 {
		return 0, fmt.Errorf("%w: out of account numbers", ErrInvalidArgument)
	}
	return n, meta.Put(keyNextAccount, u32key(n+1))
}

// nextOtherNumber returns and advances the counter of accounts that are
// not BIP44 accounts of the seed (xpub and imported). They are numbered
// from 2^31 so the numbers below stay the BIP44 account indexes, without
// gaps, as account discovery on restore expects.
func nextOtherNumber(tx *store.Tx) (uint32, error) {
	meta := tx.Bucket(bktMeta)
	n := uint32(HardenedKeyStart)
	if v := meta.Get(keyNextWatch); len(v) == 4 {
		n = binary.BigEndian.Uint32(v)
	}
	if n == ^uint32(0) {
		return 0, fmt.Errorf("%w: out of account numbers", ErrInvalidArgument)
	}
	return n, meta.Put(keyNextWatch, u32key(n+1))
}

func getAddr(tx *store.Tx, pkScript []byte) (*addrRecord, error) {
	v := tx.Bucket(bktAddrs).Get(pkScript)
	if v == nil {
		return nil, nil
	}
	return decodeAddr(v)
}

// putAddr stores an address record and evicts it from the cache.
func (w *Wallet) putAddr(tx *store.Tx, pkScript []byte, a *addrRecord) error {
	delete(w.addrCache, string(pkScript))
	return putAddr(tx, pkScript, a)
}

func putAddr(tx *store.Tx, pkScript []byte, a *addrRecord) error {
	if err := tx.Bucket(bktAddrs).Put(pkScript, encodeAddr(a)); err != nil {
		return err
	}
	return tx.Bucket(bktAddrIndex).Put(addrIndexKey(a.Account, a.Branch, a.Index, pkScript), nil)
}

// scanAddrIndex calls fn with the pkScripts stored under prefix (4, 5 or
// 9 bytes of an addrIndexKey), in key order.
func scanAddrIndex(tx *store.Tx, prefix []byte, fn func(branch uint8, idx uint32, pkScript []byte) error) error {
	c := tx.Bucket(bktAddrIndex).Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) < 9 {
			return fmt.Errorf("%w: address index key of %d bytes", ErrCorrupt, len(k))
		}
		if err := fn(k[4], binary.BigEndian.Uint32(k[5:9]), append([]byte(nil), k[9:]...)); err != nil {
			return err
		}
	}
	return nil
}

func hasPrefix(k, p []byte) bool { return len(k) >= len(p) && string(k[:len(p)]) == string(p) }

// MaxAccountNameLen bounds account names (bytes of UTF-8).
const MaxAccountNameLen = 128

// DefaultAccount is the name of account 0, created with the wallet. An
// empty account name means it everywhere.
const DefaultAccount = "default"

// checkAccountName enforces: 1..MaxAccountNameLen bytes of valid UTF-8,
// no control characters, not "*" (bitcoind's "all accounts").
func checkAccountName(name string) error {
	if name == "" || len(name) > MaxAccountNameLen || !utf8.ValidString(name) || name == "*" {
		return fmt.Errorf("%w: account name %q: want 1 to %d bytes of UTF-8, not \"*\"", ErrInvalidArgument, name, MaxAccountNameLen)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: account name %q contains a control character", ErrInvalidArgument, name)
		}
	}
	return nil
}
