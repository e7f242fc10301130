package wallethost

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// WalletDBFile is the hosted wallet's database inside the datadir.
const WalletDBFile = "wallet.db"

// WalletHost hosts the node's wallet: it opens <datadir>/wallet.db at
// start if present and holding a wallet (wallet.create makes it, or
// replaces a file without a wallet), connects it to the chain
// through the in-process WalletChain, and serves it to the RPC server as
// an rpc.WalletBackend, mapping the wallet's error kinds to RPC codes.
type WalletHost struct {
	path   string
	params *chaincfg.Params
	chain  wallet.ChainClient
	best   func() int32
	opts   wallet.OpenOptions
	kdf    wallet.KDFParams
	log    *slog.Logger

	// ctx ends at Close; background rescans run under it.
	ctx    context.Context
	cancel context.CancelFunc
	jobs   sync.WaitGroup

	mu     sync.Mutex
	w      *wallet.Wallet        // nil until created or opened
	rescan *rpc.WalletRescanJSON // the last rescan, nil before the first
}

var _ rpc.WalletBackend = (*WalletHost)(nil)

// WalletHostConfig configures NewWalletHost.
type WalletHostConfig struct {
	Path   string
	Params *chaincfg.Params
	// Chain is the wallet's chain client: the in-process WalletChain in
	// gg-node, a remote adapter in gg-wallet serve.
	Chain wallet.ChainClient
	// BestHeight is the chain's tip height (a new wallet's birthday).
	BestHeight func() int32
	NoSync     bool
	// KDF are the argon2id parameters of new wallets (zero: the
	// wallet's default).
	KDF    wallet.KDFParams
	Logger *slog.Logger
	// SigCache is the node's signature cache, shared with a wallet hosted
	// in process (nil for gg-wallet serve).
	SigCache *script.SigCache
}

// NewWalletHost returns the host and opens the wallet file if it exists.
func NewWalletHost(ctx context.Context, cfg WalletHostConfig) (*WalletHost, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &WalletHost{path: cfg.Path, params: cfg.Params, chain: cfg.Chain, best: cfg.BestHeight, kdf: cfg.KDF, log: cfg.Logger,
		opts: wallet.OpenOptions{NoSync: cfg.NoSync, Timeout: time.Second, Logger: cfg.Logger, SigCache: cfg.SigCache}}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	if _, err := os.Stat(cfg.Path); errors.Is(err, fs.ErrNotExist) {
		return h, nil
	}
	w, err := wallet.Open(cfg.Path, cfg.Params, h.opts)
	if errors.Is(err, wallet.ErrNoWallet) {
		// A file without a wallet (a touch, or a creation killed by an
		// older build): no wallet; wallet.create replaces the file.
		h.log.Warn("the wallet file holds no wallet: starting without one", "path", cfg.Path)
		return h, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open wallet: %w", err)
	}
	if err := h.start(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	return h, nil
}

func (h *WalletHost) start(ctx context.Context, w *wallet.Wallet) error {
	if err := w.Start(ctx, h.chain); err != nil {
		return fmt.Errorf("start wallet: %w", err)
	}
	if n, err := w.Rebroadcast(ctx); err != nil {
		h.log.Warn("wallet rebroadcast", "err", err)
	} else if n > 0 {
		h.log.Info("wallet rebroadcast", "txs", n)
	}
	h.mu.Lock()
	h.w = w
	h.mu.Unlock()
	return nil
}

// Wallet returns the hosted wallet, or nil.
func (h *WalletHost) Wallet() *wallet.Wallet {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.w
}

// Close stops and closes the wallet (ending a running rescan first).
func (h *WalletHost) Close() error {
	h.cancel()
	h.jobs.Wait()
	h.mu.Lock()
	w := h.w
	h.w = nil
	h.mu.Unlock()
	if w == nil {
		return nil
	}
	w.Stop()
	return w.Close()
}

// Loaded implements rpc.WalletBackend.
func (h *WalletHost) Loaded() bool { return h.Wallet() != nil }

// WalletError maps the wallet's errors to RPC errors (a locked wallet,
// an unknown account, insufficient funds ...), as the wallet methods
// return them.
func WalletError(err error) error { return walletErr(err) }

// walletErr maps the wallet's error kinds to RPC errors.
func walletErr(err error) error {
	var fe *wallet.InsufficientFundsError
	var fre *wallet.FeeRateError
	var tle *wallet.TimeLockedError
	var re *rpc.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &re):
		return re
	case errors.As(err, &fe):
		return rpc.Errorf(rpc.CodeInsufficient, "%s", fe.Error())
	case errors.As(err, &fre):
		return rpc.FeeCeilingError(fre.What(), fre.Max)
	case errors.As(err, &tle):
		return rpc.Errorf(rpc.CodeWallet, "%s", tle.Error())
	case errors.Is(err, wallet.ErrLocked):
		return rpc.ErrWalletLocked()
	case errors.Is(err, wallet.ErrWrongPassphrase):
		return rpc.Errorf(rpc.CodeWalletPass, rpc.MsgWrongPassword)
	case errors.Is(err, wallet.ErrNotEncrypted):
		return rpc.Errorf(rpc.CodeWalletEncState, "wallet is not encrypted")
	case errors.Is(err, wallet.ErrTxNotFound):
		return rpc.Errorf(rpc.CodeInvalidAddress, "%v", err)
	case errors.Is(err, wallet.ErrInvalidArgument):
		return rpc.Errorf(rpc.CodeInvalidParam, "%s", afterKind(err, wallet.ErrInvalidArgument))
	case errors.Is(err, wallet.ErrInvalidMnemonic), errors.Is(err, wallet.ErrAccountExists), errors.Is(err, wallet.ErrBadBackup),
		errors.Is(err, wallet.ErrInvalidKey), errors.Is(err, wallet.ErrAlreadyImported),
		errors.Is(err, wallet.ErrAccountNotFound), errors.Is(err, wallet.ErrTxConfirmed), errors.Is(err, wallet.ErrWrongNetwork):
		return rpc.Errorf(rpc.CodeInvalidParam, "%v", err)
	case mempool.Reason(err) != "error":
		return rpc.Errorf(rpc.CodeVerifyRejected, "%s", mempool.RejectMessage(err))
	}
	return rpc.Errorf(rpc.CodeWallet, "%v", err)
}

// afterKind returns what err says after "<kind>: " — the part meant for
// the user, without the library's chain of context ("wallet: send: ...").
func afterKind(err, kind error) string {
	msg := err.Error()
	if i := strings.Index(msg, kind.Error()+": "); i >= 0 {
		return msg[i+len(kind.Error())+2:]
	}
	return msg
}

// Create implements rpc.WalletBackend.
func (h *WalletHost) Create(ctx context.Context, req rpc.WalletCreateRequest) (string, error) {
	h.mu.Lock()
	loaded := h.w != nil
	h.mu.Unlock()
	if loaded {
		return "", rpc.Errorf(rpc.CodeWallet, "wallet already exists")
	}
	birthday := req.Birthday
	if req.Mnemonic == "" && birthday == 0 && h.best != nil {
		birthday = h.best()
	}
	if err := os.MkdirAll(filepath.Dir(h.path), 0o700); err != nil {
		return "", walletErr(err)
	}
	w, m, err := wallet.Create(h.path, h.params, wallet.CreateOptions{Passphrase: req.Passphrase, Mnemonic: req.Mnemonic,
		Birthday: birthday, KDF: h.kdf, Open: h.opts})
	if err != nil {
		return "", walletErr(err)
	}
	// A restored wallet's first sync rescans the chain and discovers its
	// other BIP44 accounts, which needs the seed: keep it unlocked with the
	// passphrase just given until that sync is done.
	restoring := req.Mnemonic != "" && w.Encrypted()
	if restoring {
		if err := w.Unlock(req.Passphrase, 0); err != nil {
			w.Close()
			return "", walletErr(err)
		}
	}
	err = h.start(ctx, w)
	if restoring {
		w.Lock()
	}
	if err != nil {
		w.Close()
		return "", walletErr(err)
	}
	h.log.Info("wallet created", "path", h.path, "restored", req.Mnemonic != "", "birthday", birthday)
	return m, nil
}

// Info implements rpc.WalletBackend.
func (h *WalletHost) Info() (*rpc.WalletInfoJSON, error) {
	w := h.Wallet()
	bd, err := w.Birthday()
	if err != nil {
		return nil, walletErr(err)
	}
	tip, err := w.Synced()
	if err != nil {
		return nil, walletErr(err)
	}
	accts, err := w.Accounts()
	if err != nil {
		return nil, walletErr(err)
	}
	txs, err := w.Transactions(wallet.AllAccounts, 0, 0)
	if err != nil {
		return nil, walletErr(err)
	}
	j := &rpc.WalletInfoJSON{WalletName: filepath.Base(h.path), Network: h.params.Name, Encrypted: w.Encrypted(),
		Locked: w.IsLocked(), Birthday: bd, SyncedHeight: tip.Height, TxCount: len(txs), Accounts: []rpc.WalletAccountJSON{}}
	if u := w.UnlockedUntil(); !u.IsZero() && !j.Locked {
		j.UnlockedUntil = u.Unix()
	}
	for _, a := range accts {
		j.Accounts = append(j.Accounts, accountJSON(a))
	}
	j.Rescan = h.rescanState()
	return j, nil
}

// Lock implements rpc.WalletBackend.
func (h *WalletHost) Lock() error { return walletErr(h.Wallet().Lock()) }

// Unlock implements rpc.WalletBackend.
func (h *WalletHost) Unlock(pass []byte, timeout time.Duration) error {
	w := h.Wallet()
	if !w.Encrypted() {
		return rpc.Errorf(rpc.CodeWalletEncState, "wallet is not encrypted")
	}
	return walletErr(w.Unlock(pass, timeout))
}

// ensureAccount creates account if it does not exist yet.
func ensureAccount(w *wallet.Wallet, account string) error {
	if account == wallet.DefaultAccount {
		return nil
	}
	if _, err := w.Account(account); errors.Is(err, wallet.ErrAccountNotFound) {
		if _, err := w.CreateAccount(account); err != nil {
			return walletErr(err)
		}
	} else if err != nil {
		return walletErr(err)
	}
	return nil
}

// NewTimeLockedAddress implements rpc.WalletBackend.
func (h *WalletHost) NewTimeLockedAddress(account string, req rpc.TimeLockRequest) (*rpc.WalletTimeLockJSON, error) {
	w := h.Wallet()
	lock := wallet.TimeLock{Height: req.Height, Blocks: req.Blocks, Time: req.Time, Seconds: req.Seconds}
	if err := lock.Validate(); err != nil { // before the account is created
		return nil, walletErr(err)
	}
	if err := ensureAccount(w, account); err != nil {
		return nil, err
	}
	info, ws, err := w.NewTimeLockedAddress(account, lock)
	if err != nil {
		return nil, walletErr(err)
	}
	j := &rpc.WalletTimeLockJSON{Address: info.Address.String(), Account: info.Account, WitnessScript: fmt.Sprintf("%x", ws),
		LockHeight: req.Height, LockBlocks: req.Blocks, LockTime: req.Time, LockSeconds: lock.LockSeconds()}
	if req.Time != 0 {
		j.LockUntil = wallet.FormatLockTime(req.Time)
	}
	return j, nil
}

// NewAddress implements rpc.WalletBackend.
func (h *WalletHost) NewAddress(account string) (string, error) {
	w := h.Wallet()
	if err := ensureAccount(w, account); err != nil {
		return "", err
	}
	a, err := w.NewAddress(account, false)
	if err != nil {
		return "", walletErr(err)
	}
	return a.String(), nil
}

// accounts lists the account names account stands for ("*": all).
func (h *WalletHost) accounts(w *wallet.Wallet, account string) ([]string, error) {
	if account != wallet.AllAccounts {
		if _, err := w.Account(account); err != nil {
			return nil, walletErr(err)
		}
		return []string{account}, nil
	}
	accts, err := w.Accounts()
	if err != nil {
		return nil, walletErr(err)
	}
	var names []string
	for _, a := range accts {
		names = append(names, a.Name)
	}
	return names, nil
}

// Addresses implements rpc.WalletBackend.
func (h *WalletHost) Addresses(account string) ([]rpc.WalletAddressJSON, error) {
	w := h.Wallet()
	names, err := h.accounts(w, account)
	if err != nil {
		return nil, err
	}
	out := []rpc.WalletAddressJSON{}
	for _, n := range names {
		as, err := w.Addresses(n)
		if err != nil {
			return nil, walletErr(err)
		}
		for _, a := range as {
			if a.Address == nil {
				continue
			}
			out = append(out, rpc.WalletAddressJSON{Address: a.Address.String(), Account: a.Account,
				Change: a.Branch == wallet.BranchChange, Path: a.Path, Label: a.Label})
		}
	}
	return out, nil
}

// Balance implements rpc.WalletBackend.
func (h *WalletHost) Balance(account string) (*rpc.WalletBalanceJSON, error) {
	w := h.Wallet()
	if _, err := h.accounts(w, account); err != nil {
		return nil, err
	}
	b, locks, err := w.BalanceLocks(account)
	if err != nil {
		return nil, walletErr(err)
	}
	j := &rpc.WalletBalanceJSON{Account: account, Confirmed: rpc.GG(b.Confirmed), Unconfirmed: rpc.GG(b.Unconfirmed),
		Immature: rpc.GG(b.Immature), Locked: rpc.GG(b.Locked), Reserved: rpc.GG(b.Reserved), Total: rpc.GG(b.Total()), Game: rpc.GG(b.Game),
		Locks: []rpc.WalletLockJSON{}}
	for _, l := range locks {
		lj := rpc.WalletLockJSON{Amount: rpc.GG(l.Value), Coins: l.Coins}
		if l.Until < wallet.LockTimeThreshold {
			lj.Height = l.Until
		} else {
			lj.Time, lj.UntilTime = l.Until, wallet.FormatLockTime(l.Until)
		}
		j.Locks = append(j.Locks, lj)
	}
	return j, nil
}

// Coins implements rpc.WalletBackend.
func (h *WalletHost) Coins(account string) ([]rpc.WalletCoinJSON, error) {
	w := h.Wallet()
	if _, err := h.accounts(w, account); err != nil {
		return nil, err
	}
	cs, err := w.Coins(account)
	if err != nil {
		return nil, walletErr(err)
	}
	out := []rpc.WalletCoinJSON{}
	for _, c := range cs {
		j := rpc.WalletCoinJSON{TxID: c.OutPoint.Hash.String(), Vout: c.OutPoint.Index, Account: c.Account,
			ScriptPubKey: fmt.Sprintf("%x", c.PkScript), Amount: rpc.GG(c.Value), Confirmations: c.Confirmations,
			Coinbase: c.Coinbase, Immature: c.Immature, Locked: c.Locked, LockUntil: c.LockUntil, Reserved: c.Reserved, Game: c.Game,
			SpentPending: c.SpentPending}
		if c.LockUntil >= wallet.LockTimeThreshold {
			j.LockUntilTime = wallet.FormatLockTime(c.LockUntil)
		}
		j.Spendable = !c.Immature && !c.Locked && !c.Reserved && !c.Game && !c.SpentPending && !c.WatchOnly
		if a, ok := address.FromPkScript(c.PkScript, h.params); ok {
			j.Address = a.String()
		}
		out = append(out, j)
	}
	return out, nil
}

// CreateTx implements rpc.WalletBackend.
func (h *WalletHost) CreateTx(ctx context.Context, account string, outs []*wire.TxOut, subtractFee, broadcast bool, feeRate, maxFeeRate amount.Amount) (*wire.MsgTx, amount.Amount, error) {
	w := h.Wallet()
	opts := wallet.TxOptions{FeeRate: feeRate, MaxFeeRate: maxFeeRate}
	if subtractFee {
		for i := range outs {
			opts.SubtractFeeFrom = append(opts.SubtractFeeFrom, i)
		}
	}
	var f *wallet.FundedTx
	var err error
	if broadcast {
		f, err = w.Send(ctx, account, outs, opts)
	} else {
		f, err = w.CreateTx(ctx, account, outs, opts)
	}
	if err != nil {
		return nil, 0, walletErr(err)
	}
	return f.Tx, f.Fee, nil
}

// Transactions implements rpc.WalletBackend.
func (h *WalletHost) Transactions(account string, skip, count int) ([]rpc.WalletTxJSON, error) {
	w := h.Wallet()
	if _, err := h.accounts(w, account); err != nil {
		return nil, err
	}
	txs, err := w.Transactions(account, skip, count)
	if err != nil {
		return nil, walletErr(err)
	}
	out := []rpc.WalletTxJSON{}
	for _, s := range txs {
		j := rpc.WalletTxJSON{TxID: s.TxID.String(), Status: string(s.Status), Amount: rpc.GG(s.Amount),
			Received: rpc.GG(s.Received), Sent: rpc.GG(s.Sent), Confirmations: s.Confirmations, Height: s.Height,
			Time: s.FirstSeen, Labels: s.Labels}
		switch {
		case s.Coinbase && s.Confirmations > 100:
			j.Category = "generate"
		case s.Coinbase:
			j.Category = "immature"
		case s.Sent > 0:
			j.Category = "send"
		default:
			j.Category = "receive"
		}
		if s.Fee >= 0 && s.Sent > 0 {
			fee := rpc.GG(s.Fee)
			j.Fee = &fee
		}
		if s.Height >= 0 {
			j.BlockHash = s.BlockHash.String()
		}
		out = append(out, j)
	}
	return out, nil
}

// Pending implements rpc.WalletBackend.
func (h *WalletHost) Pending() ([]*wire.MsgTx, error) {
	ps, err := h.Wallet().Pending()
	if err != nil {
		return nil, walletErr(err)
	}
	out := make([]*wire.MsgTx, len(ps))
	for i, p := range ps {
		out[i] = p.Tx
	}
	return out, nil
}

// Rebroadcast implements rpc.WalletBackend.
func (h *WalletHost) Rebroadcast(ctx context.Context) (int, error) {
	n, err := h.Wallet().Rebroadcast(ctx)
	return n, walletErr(err)
}

// Abandon implements rpc.WalletBackend.
func (h *WalletHost) Abandon(id chainhash.Hash) error { return walletErr(h.Wallet().Abandon(id)) }

// PrivateKey implements rpc.WalletBackend.
func (h *WalletHost) PrivateKey(pkScript []byte) (string, error) {
	w := h.Wallet()
	if w.IsLocked() {
		return "", rpc.ErrWalletLocked()
	}
	info, ok := w.IsMine(pkScript)
	if !ok || len(pkScript) != 22 || pkScript[0] != 0 || pkScript[1] != 20 {
		return "", rpc.Errorf(rpc.CodeWallet, "private key for this address is not known")
	}
	if info.WatchOnly {
		return "", rpc.Errorf(rpc.CodeWallet, "address is watch-only")
	}
	wif, err := w.ExportPrivKey(info.Address.String())
	if errors.Is(err, wallet.ErrAddressNotFound) || errors.Is(err, wallet.ErrWatchOnly) {
		return "", rpc.Errorf(rpc.CodeWallet, "private key for this address is not known")
	}
	return wif, walletErr(err)
}

// ExportMnemonic implements rpc.WalletBackend.
func (h *WalletHost) ExportMnemonic(pass []byte) (string, error) {
	m, err := h.Wallet().ExportMnemonic(pass)
	return m, walletErr(err)
}

// Fund implements rpc.WalletBackend.
func (h *WalletHost) Fund(ctx context.Context, account string, tx *wire.MsgTx, feeRate, maxFeeRate amount.Amount) (amount.Amount, int, error) {
	f, err := h.Wallet().Fund(ctx, account, tx, wallet.TxOptions{FeeRate: feeRate, MaxFeeRate: maxFeeRate})
	if err != nil {
		return 0, 0, walletErr(err)
	}
	return f.Fee, f.ChangeIndex, nil
}

// Sign implements rpc.WalletBackend.
func (h *WalletHost) Sign(tx *wire.MsgTx) (bool, []int, error) {
	res, err := h.Wallet().Sign(tx, nil)
	if err != nil {
		return false, nil, walletErr(err)
	}
	return res.Complete, res.Missing, nil
}

// Backup implements rpc.WalletBackend.
func (h *WalletHost) Backup(pass []byte) (*rpc.WalletBackupJSON, error) {
	blob, sum, err := h.Wallet().Backup(pass, h.kdf)
	if err != nil {
		return nil, walletErr(err)
	}
	j := backupJSON(sum)
	j.Backup = base64.StdEncoding.EncodeToString(blob)
	return j, nil
}

func backupJSON(s wallet.BackupSummary) *rpc.WalletBackupJSON {
	return &rpc.WalletBackupJSON{Accounts: s.Accounts, Keys: s.Keys, Watch: s.Watch, Scripts: s.Scripts, Labels: s.Labels, Birthday: s.Birthday}
}

// Import implements rpc.WalletBackend: the wallet is created from the
// backup and, like a restore from the mnemonic, kept unlocked during its
// first sync (the rescan from the backup's birthday, with account
// discovery), then locked.
func (h *WalletHost) Import(ctx context.Context, blob, backupPass, pass []byte) (*rpc.WalletBackupJSON, error) {
	h.mu.Lock()
	loaded := h.w != nil
	h.mu.Unlock()
	if loaded {
		return nil, rpc.Errorf(rpc.CodeWallet, "wallet already exists")
	}
	if err := os.MkdirAll(filepath.Dir(h.path), 0o700); err != nil {
		return nil, walletErr(err)
	}
	w, sum, err := wallet.RestoreBackup(h.path, h.params, blob, backupPass, wallet.CreateOptions{Passphrase: pass, KDF: h.kdf, Open: h.opts})
	if err != nil {
		// RestoreBackup writes the whole wallet or none: nothing to
		// clean up.
		if errors.Is(err, wallet.ErrWrongPassphrase) {
			return nil, rpc.Errorf(rpc.CodeWalletPass, "wrong backup passphrase")
		}
		return nil, walletErr(err)
	}
	if err := w.Unlock(pass, 0); err != nil {
		w.Close()
		return nil, walletErr(err)
	}
	err = h.start(ctx, w)
	w.Lock()
	if err != nil {
		w.Close()
		return nil, walletErr(err)
	}
	h.log.Info("wallet restored from backup", "path", h.path, "birthday", sum.Birthday, "accounts", sum.Accounts)
	return backupJSON(sum), nil
}

// Rescan implements rpc.WalletBackend: one rescan at a time runs in the
// background; Info reports it.
func (h *WalletHost) Rescan(from int32) (*rpc.WalletRescanJSON, error) {
	w := h.Wallet()
	if from < 0 {
		bd, err := w.Birthday()
		if err != nil {
			return nil, walletErr(err)
		}
		from = bd
	}
	h.mu.Lock()
	if h.rescan != nil && h.rescan.Running {
		r := *h.rescan
		h.mu.Unlock()
		return nil, rpc.Errorf(rpc.CodeWallet, "a rescan is already running (from %d, at %d of %d)", r.From, r.Height, r.Tip)
	}
	tip := int32(-1)
	if h.best != nil {
		tip = h.best()
	} else if _, t, err := h.chain.BestBlock(h.ctx); err == nil {
		tip = t
	}
	st := &rpc.WalletRescanJSON{Running: true, From: from, Height: from - 1, Tip: tip}
	h.rescan = st
	out := *st
	h.mu.Unlock()
	h.jobs.Add(1)
	go func() {
		defer h.jobs.Done()
		err := w.Rescan(h.ctx, from, func(height, tip int32) {
			h.mu.Lock()
			st.Height, st.Tip = height, tip
			h.mu.Unlock()
		})
		h.mu.Lock()
		st.Running = false
		if err != nil {
			st.Error = err.Error()
		}
		h.mu.Unlock()
		h.log.Info("wallet rescan done", "from", from, "height", st.Height, "err", err)
	}()
	return &out, nil
}

func (h *WalletHost) rescanState() *rpc.WalletRescanJSON {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rescan == nil {
		return nil
	}
	r := *h.rescan
	return &r
}

func accountJSON(a wallet.AccountInfo) rpc.WalletAccountJSON {
	return rpc.WalletAccountJSON{Name: a.Name, Number: a.Number, Kind: a.Kind, WatchOnly: a.WatchOnly, Receive: a.Receive, Change: a.Change}
}

// Accounts implements rpc.WalletBackend.
func (h *WalletHost) Accounts() ([]rpc.WalletAccountJSON, error) {
	as, err := h.Wallet().Accounts()
	if err != nil {
		return nil, walletErr(err)
	}
	out := []rpc.WalletAccountJSON{}
	for _, a := range as {
		out = append(out, accountJSON(a))
	}
	return out, nil
}

// CreateAccount implements rpc.WalletBackend.
func (h *WalletHost) CreateAccount(name string) (*rpc.WalletAccountJSON, error) {
	a, err := h.Wallet().CreateAccount(name)
	if err != nil {
		return nil, walletErr(err)
	}
	j := accountJSON(a)
	return &j, nil
}

// RenameAccount implements rpc.WalletBackend.
func (h *WalletHost) RenameAccount(oldName, newName string) (*rpc.WalletAccountJSON, error) {
	a, err := h.Wallet().RenameAccount(oldName, newName)
	if err != nil {
		return nil, walletErr(err)
	}
	j := accountJSON(a)
	return &j, nil
}

// ImportPrivateKey implements rpc.WalletBackend.
func (h *WalletHost) ImportPrivateKey(wif, account string) (string, error) {
	info, err := h.Wallet().ImportWIF(wif, account)
	if err != nil {
		return "", walletErr(err)
	}
	return info.Address.String(), nil
}
