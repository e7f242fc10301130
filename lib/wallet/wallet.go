package wallet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
)

// DefaultGapLimit is how many unused addresses past the last used (or
// handed out) one each chain derives ahead, so payments to them are
// recognised.
const DefaultGapLimit = 20

// maxGapLimit keeps a typo from deriving millions of keys.
const maxGapLimit = 10_000

// OpenOptions control how a wallet file is opened.
type OpenOptions struct {
	// Timeout bounds the wait for the file lock (another process, or
	// another Wallet in this one, holding the file); zero means
	// store.DefaultTimeout. Expiry is an error wrapping ErrInUse.
	Timeout time.Duration
	// NoSync skips fsync on commit (tests only).
	NoSync bool
	// Logger receives debug and info records; nil means silent.
	Logger *slog.Logger
	// Now is the clock used for unlock timeouts; nil means time.Now.
	// Tests inject a fake one.
	Now func() time.Time
	// SigCache, when set, is the signature cache of the node hosting the
	// wallet in process: the checks the wallet runs on its own fresh
	// signatures go through it, so the node's mempool does not repeat
	// them. Only successful verifications enter it.
	SigCache *script.SigCache
}

// CreateOptions control Create.
type CreateOptions struct {
	// Passphrase encrypts the private material. Required unless
	// Unencrypted is set.
	Passphrase []byte
	// Unencrypted stores the keys in the clear: an explicit choice, never
	// a default. Passphrase must then be empty.
	Unencrypted bool
	// Mnemonic restores a wallet from an existing BIP39 phrase; empty
	// generates a new one of EntropyBits bits (zero: DefaultEntropyBits).
	Mnemonic    string
	EntropyBits int
	// SeedPassphrase is the optional BIP39 passphrase ("25th word"); it
	// changes every key. Use ASCII: it is not NFKD-normalised.
	SeedPassphrase string
	// Birthday is the height before which the wallet can have no
	// transactions; rescans start there.
	Birthday int32
	// KDF are the argon2id parameters; the zero value means DefaultKDF.
	KDF KDFParams
	// GapLimit is the lookahead of each chain; zero means
	// DefaultGapLimit.
	GapLimit uint32
	// Open are the options for the file itself.
	Open OpenOptions
}

// Wallet is an open wallet file. Its methods are safe for concurrent use.
type Wallet struct {
	db     *store.DB
	params *chaincfg.Params
	log    *slog.Logger
	now    func() time.Time
	gap    uint32
	// sigCache is OpenOptions.SigCache, or the wallet's own: signing
	// checks each new signature with its private key (half the cost of
	// a verification) and the closing verification finds it there.
	sigCache *script.SigCache

	mu        sync.Mutex
	closed    bool
	encrypted bool
	master    []byte    // nil while locked
	until     time.Time // auto-relock time; zero: none
	timer     *time.Timer
	privCache map[string]*hdkeychain.ExtendedKey // account private keys (by xpub) while unlocked
	// branchCache holds account/branch private key material while
	// unlocked: a child's private key is then an HMAC and an addition.
	branchCache map[branchKeyID]*branchSecret
	pubCache    map[branchKeyID]*hdkeychain.ExtendedKey // account/branch public keys

	addrCache map[string]*addrRecord // pkScript -> record; under mu
	scanCap   int                    // capacity for the next coin scan's list; under mu
	ahead     aheadCache             // lookahead keys derived in the background

	sendMu  sync.Mutex // one coin selection at a time
	clMu    sync.Mutex
	client  ChainClient // set by Start
	unsub   func()
	syncing sync.Mutex // one catch-up at a time
}

func (w *Wallet) chainClient() ChainClient {
	w.clMu.Lock()
	defer w.clMu.Unlock()
	return w.client
}

func openDB(path string, o OpenOptions) (*store.DB, error) {
	db, err := store.Open(path, store.Options{Timeout: o.Timeout, NoSync: o.NoSync, Migrations: migrations})
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			return nil, fmt.Errorf("wallet: %w: %w", ErrInUse, err)
		}
		return nil, fmt.Errorf("wallet: %w", err)
	}
	return db, nil
}

// branchKeyID names a branch public key: the account's extended public
// key and the branch.
type branchKeyID struct {
	xpub   string
	branch uint8
}

// ownSigCacheSize bounds the signature cache of a wallet not given one:
// it only needs to hold a transaction's signatures between signing and
// the closing verification.
const ownSigCacheSize = 4096

func newWallet(db *store.DB, p *chaincfg.Params, o OpenOptions, gap uint32) *Wallet {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	sc := o.SigCache
	if sc == nil {
		sc = script.NewSigCache(ownSigCacheSize)
	}
	return &Wallet{
		db: db, params: p, log: loggerOr(o.Logger), now: now, gap: gap, sigCache: sc,
		privCache:   map[string]*hdkeychain.ExtendedKey{},
		branchCache: map[branchKeyID]*branchSecret{},
		pubCache:    map[branchKeyID]*hdkeychain.ExtendedKey{},
		addrCache:   map[string]*addrRecord{},
	}
}

// Create makes a new wallet file at path for network p: it generates (or
// restores, from opts.Mnemonic) the seed, encrypts it, creates the
// default account with its lookahead, and returns the wallet, locked if
// encrypted, together with the mnemonic (to show the user once). The
// file appears whole or not at all (file.go); a file at path that holds
// no wallet (zero length, or a database without wallet records) is
// replaced, one that holds a wallet is ErrWalletExists, one with wallet
// records but no wallet metadata ErrCorrupt.
func Create(path string, p *chaincfg.Params, opts CreateOptions) (*Wallet, string, error) {
	return create(path, p, opts, nil)
}

// create is Create, with fill run on the new wallet (unlocked if it was
// given a passphrase) before it is published at path.
func create(path string, p *chaincfg.Params, opts CreateOptions, fill func(*Wallet) error) (*Wallet, string, error) {
	switch {
	case opts.Unencrypted && len(opts.Passphrase) != 0:
		return nil, "", fmt.Errorf("wallet: create: %w: a passphrase and Unencrypted both given", ErrInvalidArgument)
	case !opts.Unencrypted && len(opts.Passphrase) == 0:
		return nil, "", fmt.Errorf("wallet: create: %w: a passphrase is required (or ask for an unencrypted wallet explicitly)", ErrInvalidArgument)
	case opts.Birthday < 0:
		return nil, "", fmt.Errorf("wallet: create: %w: negative birthday %d", ErrInvalidArgument, opts.Birthday)
	}
	kdf := opts.KDF
	if kdf == (KDFParams{}) {
		kdf = DefaultKDF
	}
	if err := kdf.validate(); err != nil {
		return nil, "", fmt.Errorf("wallet: create: %w", err)
	}
	gap := opts.GapLimit
	if gap == 0 {
		gap = DefaultGapLimit
	}
	if gap > maxGapLimit {
		return nil, "", fmt.Errorf("wallet: create: %w: gap limit %d above %d", ErrInvalidArgument, gap, maxGapLimit)
	}
	if err := checkFree(path, opts.Open); err != nil {
		if errors.Is(err, ErrInUse) {
			return nil, "", err
		}
		return nil, "", fmt.Errorf("wallet: create %s: %w", path, err)
	}
	mnemonic := NormalizeMnemonic(opts.Mnemonic)
	if mnemonic == "" {
		bits := opts.EntropyBits
		if bits == 0 {
			bits = DefaultEntropyBits
		}
		var err error
		if mnemonic, err = NewMnemonic(bits); err != nil {
			return nil, "", err
		}
	}
	seed, err := SeedFromMnemonic(mnemonic, opts.SeedPassphrase)
	if err != nil {
		return nil, "", fmt.Errorf("wallet: create: %w", err)
	}
	defer zero(seed)
	master, err := NewMaster(seed, p)
	if err != nil {
		return nil, "", err
	}
	defer master.Zero()

	mkey, err := newMasterKey()
	if err != nil {
		return nil, "", err
	}
	var kdfRec *kdfRecord
	if !opts.Unencrypted {
		if kdfRec, err = newKDFRecord(opts.Passphrase, mkey, kdf); err != nil {
			return nil, "", fmt.Errorf("wallet: create: %w", err)
		}
	}
	sealedSeed, err := seal(mkey, encodeSeedSecret(&seedSecret{Mnemonic: mnemonic, SeedPassphrase: opts.SeedPassphrase}), []byte(adSeed))
	if err != nil {
		return nil, "", err
	}

	log := loggerOr(opts.Open.Logger)
	removeStaleTemps(path, log)
	tmp, err := tempWalletPath(path)
	if err != nil {
		return nil, "", err
	}
	db, err := openDB(tmp, opts.Open)
	if err != nil {
		return nil, "", err
	}
	w := newWallet(db, p, opts.Open, gap)
	err = db.Update(func(tx *store.Tx) error {
		meta := tx.Bucket(bktMeta)
		if meta.Get(keyNetwork) != nil {
			return ErrWalletExists
		}
		puts := []struct{ k, v []byte }{
			{keyNetwork, []byte(p.Name)},
			{keyBirthday, u32key(uint32(opts.Birthday))},
			{keyGapLimit, u32key(gap)},
			{keyCreated, binary.BigEndian.AppendUint64(nil, uint64(w.now().Unix()))},
			{keySeed, sealedSeed},
		}
		if kdfRec != nil {
			puts = append(puts, struct{ k, v []byte }{keyKDF, encodeKDF(kdfRec)})
		} else {
			puts = append(puts, struct{ k, v []byte }{keyPlainMaster, mkey})
		}
		for _, kv := range puts {
			if err := meta.Put(kv.k, kv.v); err != nil {
				return err
			}
		}
		_, err := w.createHDAccount(tx, master, mkey, DefaultAccount)
		return err
	})
	if err == nil && fill != nil {
		w.master, w.encrypted = append([]byte(nil), mkey...), !opts.Unencrypted
		err = fill(w)
	}
	zero(mkey)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = publish(tmp, path, opts.Open)
	}
	if err != nil {
		os.Remove(tmp)
		return nil, "", fmt.Errorf("wallet: create %s: %w", path, err)
	}
	if w, err = Open(path, p, opts.Open); err != nil {
		return nil, "", fmt.Errorf("wallet: create: %w", err)
	}
	log.Info("wallet created", "path", path, "network", p.Name, "encrypted", w.encrypted, "restored", opts.Mnemonic != "")
	return w, mnemonic, nil
}

// Open opens the wallet file at path for network p. An encrypted wallet
// starts locked.
//
// A file without a wallet (zero length, or a database without wallet
// records, which a touch or a creation killed before creation was atomic
// leaves) is ErrNoWallet, and Create may replace it; a database holding
// wallet records but no wallet metadata is ErrCorrupt.
func Open(path string, p *chaincfg.Params, opts OpenOptions) (*Wallet, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("wallet: open: %w", err)
	}
	if fi.Size() == 0 {
		return nil, fmt.Errorf("wallet: open %s: %w (an empty file)", path, ErrNoWallet)
	}
	db, err := openDB(path, opts)
	if err != nil {
		return nil, err
	}
	var (
		network string
		gap     uint32
		plain   []byte
		hasKDF  bool
	)
	err = db.View(func(tx *store.Tx) error {
		meta := tx.Bucket(bktMeta)
		network = string(meta.Get(keyNetwork))
		if network == "" {
			if _, err := classify(tx); err != nil {
				return err
			}
			return ErrNoWallet
		}
		if v := meta.Get(keyGapLimit); len(v) == 4 {
			gap = binary.BigEndian.Uint32(v)
		}
		if v := meta.Get(keyPlainMaster); v != nil {
			plain = append([]byte(nil), v...)
		}
		hasKDF = meta.Get(keyKDF) != nil
		return nil
	})
	switch {
	case err != nil:
	case network != p.Name:
		err = fmt.Errorf("%w: wallet is for %s, not %s", ErrWrongNetwork, network, p.Name)
	case gap == 0 || gap > maxGapLimit:
		err = fmt.Errorf("%w: gap limit %d", ErrCorrupt, gap)
	case hasKDF == (plain != nil):
		err = fmt.Errorf("%w: want exactly one of a kdf record and a plain master key", ErrCorrupt)
	case plain != nil && len(plain) != masterKeySize:
		err = fmt.Errorf("%w: plain master key of %d bytes", ErrCorrupt, len(plain))
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("wallet: open %s: %w", path, err)
	}
	w := newWallet(db, p, opts, gap)
	w.encrypted = hasKDF
	w.master = plain
	w.log.Info("wallet opened", "path", path, "network", p.Name, "encrypted", w.encrypted)
	return w, nil
}

// Close locks the wallet and closes the file.
func (w *Wallet) Close() error {
	w.Stop()
	w.ahead.close()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.lockLocked()
	w.closed = true
	return w.db.Close()
}

// Params returns the wallet's network.
func (w *Wallet) Params() *chaincfg.Params { return w.params }

// GapLimit returns the lookahead of each chain.
func (w *Wallet) GapLimit() uint32 { return w.gap }

// Birthday returns the height rescans start from.
func (w *Wallet) Birthday() (int32, error) {
	var h int32
	err := w.view(func(tx *store.Tx) error {
		if v := tx.Bucket(bktMeta).Get(keyBirthday); len(v) == 4 {
			h = int32(binary.BigEndian.Uint32(v))
		}
		return nil
	})
	return h, err
}

// view and update run fn under the wallet mutex, failing once closed.
func (w *Wallet) view(fn func(*store.Tx) error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	return w.db.View(fn)
}

func (w *Wallet) update(fn func(*store.Tx) error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	return w.db.Update(fn)
}

// AddrInfo describes an address (or imported script) of the wallet.
type AddrInfo struct {
	Address       *address.Address // nil for scripts without an address form
	PkScript      []byte
	Account       string
	AccountNumber uint32
	Branch        uint8  // BranchReceive, BranchChange or BranchImported
	Index         uint32 // child index (HD) or import sequence number
	Path          string // BIP32 path for HD addresses, "" otherwise
	WatchOnly     bool
	Label         string
}

func (w *Wallet) addrInfo(tx *store.Tx, pk []byte, r *addrRecord) (AddrInfo, error) {
	acct, err := getAccount(tx, r.Account)
	if err != nil {
		return AddrInfo{}, err
	}
	info := AddrInfo{
		PkScript: append([]byte(nil), pk...), Account: acct.Name, AccountNumber: acct.Number,
		Branch: r.Branch, Index: r.Index, WatchOnly: r.Flags&flagWatchOnly != 0 || acct.Kind == kindXpub, Label: r.Label,
	}
	if a, ok := address.FromPkScript(pk, w.params); ok {
		info.Address = a
	}
	if r.Branch != BranchImported && acct.Kind == kindHD {
		info.Path = FormatPath(append(AccountPath(w.params, acct.Number), uint32(r.Branch), r.Index))
	}
	return info, nil
}

// IsMine reports whether pkScript pays the wallet (including the
// lookahead addresses not handed out yet, and watch-only ones) and what
// it knows about it.
func (w *Wallet) IsMine(pkScript []byte) (AddrInfo, bool) {
	var info AddrInfo
	var found bool
	err := w.view(func(tx *store.Tx) error {
		r, err := getAddr(tx, pkScript)
		if err != nil || r == nil {
			return err
		}
		info, err = w.addrInfo(tx, pkScript, r)
		found = err == nil
		return err
	})
	if err != nil {
		w.log.Warn("is-mine lookup failed", "err", err)
		return AddrInfo{}, false
	}
	return info, found
}

// MarkUsed records that pkScript received a payment (the transaction code
// calls it for every wallet output it sees). For an HD address it moves
// the chain's used mark and extends the lookahead, so the next GapLimit
// addresses after it are recognised too. It reports whether pkScript is
// the wallet's.
func (w *Wallet) MarkUsed(pkScript []byte) (bool, error) {
	var mine bool
	err := w.update(func(tx *store.Tx) error {
		r, err := getAddr(tx, pkScript)
		if err != nil || r == nil {
			return err
		}
		mine = true
		return w.markUsedTx(tx, pkScript, r)
	})
	if err != nil {
		return false, fmt.Errorf("wallet: mark used: %w", err)
	}
	return mine, nil
}

// SetLabel attaches a label to one of the wallet's addresses.
func (w *Wallet) SetLabel(pkScript []byte, label string) error {
	if len(label) > 1024 {
		return fmt.Errorf("wallet: label: %w: longer than 1024 bytes", ErrInvalidArgument)
	}
	return w.update(func(tx *store.Tx) error {
		r, err := getAddr(tx, pkScript)
		if err != nil {
			return err
		}
		if r == nil {
			return ErrAddressNotFound
		}
		r.Label = label
		return w.putAddr(tx, pkScript, r)
	})
}
