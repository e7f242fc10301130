package rpc

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// Wallet error codes (bitcoind's numbers).
const (
	CodeWalletEncState = -15 // the wallet is not encrypted
	CodeWalletNotFound = -18 // no wallet loaded
)

// Messages of the wallet errors every client sees.
const (
	MsgWalletLocked   = "wallet is locked: unlock it first (gg-wallet unlock)"
	MsgNoWallet       = "no wallet loaded (gg-wallet create)"
	MsgWrongPassword  = "wrong passphrase"
	walletAllAccounts = "*"
)

// ErrWalletLocked is the -13 error of a call that needs the keys.
func ErrWalletLocked() *Error { return Errorf(CodeWalletLocked, MsgWalletLocked) }

// ErrNoWallet is the -18 error of a wallet call without a wallet.
func ErrNoWallet() *Error { return Errorf(CodeWalletNotFound, MsgNoWallet) }

// GG is an amount that marshals as an exact JSON number of GG with eight
// decimals (bitcoind's form).
type GG amount.Amount

// MarshalJSON implements json.Marshaler.
func (g GG) MarshalJSON() ([]byte, error) { return []byte(amount.Amount(g).Format()), nil }

// WalletCreateRequest are wallet.create's params.
type WalletCreateRequest struct {
	Passphrase []byte
	Mnemonic   string // restore from this phrase; empty: a new one
	Birthday   int32
}

// WalletInfoJSON is wallet.info's result.
type WalletInfoJSON struct {
	WalletName    string              `json:"walletname"`
	Network       string              `json:"network"`
	Encrypted     bool                `json:"encrypted"`
	Locked        bool                `json:"locked"`
	UnlockedUntil int64               `json:"unlocked_until"` // unix seconds, 0: locked or no timeout
	Birthday      int32               `json:"birthday"`
	SyncedHeight  int32               `json:"synced_height"`
	TxCount       int                 `json:"txcount"`
	Accounts      []WalletAccountJSON `json:"accounts"`
	// Rescan is the last wallet.rescan: running, or how it ended.
	Rescan *WalletRescanJSON `json:"rescan,omitempty"`
}

// WalletRescanJSON is the progress of a wallet.rescan.
type WalletRescanJSON struct {
	Running bool   `json:"running"`
	From    int32  `json:"from"`
	Height  int32  `json:"height"` // last block scanned (from-1 before the first)
	Tip     int32  `json:"tip"`
	Error   string `json:"error,omitempty"` // why a finished rescan failed
}

// WalletBackupJSON is wallet.backup's result (Backup set) and
// wallet.import's (Backup empty): what the backup holds.
type WalletBackupJSON struct {
	Backup   string `json:"backup,omitempty"` // base64 of the encrypted blob
	Accounts int    `json:"accounts"`
	Keys     int    `json:"keys"`
	Watch    int    `json:"watch"`
	Scripts  int    `json:"scripts"`
	Labels   int    `json:"labels"`
	Birthday int32  `json:"birthday"`
}

// WalletAccountJSON describes an account in wallet.info.
type WalletAccountJSON struct {
	Name      string `json:"name"`
	Number    uint32 `json:"number"`
	Kind      string `json:"kind"`
	WatchOnly bool   `json:"watchonly"`
	Receive   uint32 `json:"receive_addresses"`
	Change    uint32 `json:"change_addresses"`
}

// WalletAddressJSON is an address.list entry.
type WalletAddressJSON struct {
	Address string `json:"address"`
	Account string `json:"account"`
	Change  bool   `json:"change"`
	Path    string `json:"path,omitempty"`
	Label   string `json:"label,omitempty"`
}

// WalletTimeLockJSON is address.create's result for a time-locked
// address.
type WalletTimeLockJSON struct {
	Address       string `json:"address"`
	Account       string `json:"account"`
	WitnessScript string `json:"witnessscript"`
	LockHeight    uint32 `json:"lock_height,omitempty"`
	LockBlocks    uint32 `json:"lock_blocks,omitempty"`
	LockTime      uint32 `json:"lock_time,omitempty"`    // unix time
	LockSeconds   uint32 `json:"lock_seconds,omitempty"` // rounded up to 512 s
	// LockUntil is lock_time in RFC 3339 (UTC).
	LockUntil string `json:"lock_until,omitempty"`
}

// TimeLockRequest is address.create's lock: exactly one field is set
// (a height or a unix time, CLTV; a number of blocks or of seconds, CSV).
type TimeLockRequest struct {
	Height, Blocks, Time, Seconds uint32
}

// WalletLockJSON is one release point of balance.all's locked money.
type WalletLockJSON struct {
	Amount GG     `json:"amount"`
	Coins  int    `json:"coins"`
	Height uint32 `json:"until_height,omitempty"`
	// Time is the unix time the lock ends (the chain's median time past
	// must pass it), UntilTime the same in RFC 3339.
	Time      uint32 `json:"until_unix,omitempty"`
	UntilTime string `json:"until_time,omitempty"`
}

// WalletBalanceJSON is balance.all's result.
type WalletBalanceJSON struct {
	Account     string `json:"account"`
	Confirmed   GG     `json:"confirmed"`
	Unconfirmed GG     `json:"unconfirmed"`
	Immature    GG     `json:"immature"`
	Locked      GG     `json:"locked"`
	Reserved    GG     `json:"reserved"`
	Total       GG     `json:"total"`
	// Game is the value locked in the producers and props the account
	// owns (not money: not in total).
	Game GG `json:"game"`
	// Locks breaks locked down by release, soonest first.
	Locks []WalletLockJSON `json:"locks"`
}

// WalletCoinJSON is a coin.list / listunspent entry.
type WalletCoinJSON struct {
	TxID          string `json:"txid"`
	Vout          uint32 `json:"vout"`
	Address       string `json:"address,omitempty"`
	Account       string `json:"account"`
	ScriptPubKey  string `json:"scriptPubKey"`
	Amount        GG     `json:"amount"`
	Confirmations int32  `json:"confirmations"`
	Spendable     bool   `json:"spendable"`
	Coinbase      bool   `json:"coinbase,omitempty"`
	Immature      bool   `json:"immature,omitempty"`
	Locked        bool   `json:"locked,omitempty"`
	LockUntil     uint32 `json:"lock_until,omitempty"`      // height, or unix time, a time lock ends at
	LockUntilTime string `json:"lock_until_time,omitempty"` // a unix time lock_until in RFC 3339
	Reserved      bool   `json:"reserved,omitempty"`
	Game          bool   `json:"game,omitempty"`
	SpentPending  bool   `json:"spent_pending,omitempty"`
}

// WalletTxJSON is a tx.list / listtransactions entry.
type WalletTxJSON struct {
	TxID          string   `json:"txid"`
	Status        string   `json:"status"` // confirmed, pending, conflicted, abandoned
	Category      string   `json:"category"`
	Amount        GG       `json:"amount"`
	Received      GG       `json:"received"`
	Sent          GG       `json:"sent"`
	Fee           *GG      `json:"fee,omitempty"`
	Confirmations int32    `json:"confirmations"`
	Height        int32    `json:"height"`
	BlockHash     string   `json:"blockhash,omitempty"`
	Time          int64    `json:"time"`
	Labels        []string `json:"labels,omitempty"`
}

// WalletBackend is the wallet a WalletService serves; lib/node adapts
// the hosted lib/wallet to it. Errors that are an *Error are sent as is
// (the adapter maps the wallet's error kinds to codes).
type WalletBackend interface {
	// Loaded reports whether a wallet is open.
	Loaded() bool
	Create(ctx context.Context, req WalletCreateRequest) (mnemonic string, err error)
	Info() (*WalletInfoJSON, error)
	Lock() error
	Unlock(passphrase []byte, timeout time.Duration) error
	// NewAddress hands out a receive address of account, creating the
	// account if it does not exist yet.
	NewAddress(account string) (string, error)
	// NewTimeLockedAddress hands out a P2WSH address of account whose
	// coins are locked until a height or a unix time (CLTV), or for a
	// number of blocks or seconds after they confirm (CSV).
	NewTimeLockedAddress(account string, lock TimeLockRequest) (*WalletTimeLockJSON, error)
	Addresses(account string) ([]WalletAddressJSON, error)
	Balance(account string) (*WalletBalanceJSON, error)
	Coins(account string) ([]WalletCoinJSON, error)
	// CreateTx builds and signs a payment; with broadcast it also
	// records and sends it. feeRate is the fee rate (dust per 1000
	// vbytes; zero: the node's estimate); maxFeeRate is the fee rate
	// ceiling (zero: the wallet's default, amount.NoMaxFeeRate: none); a
	// rate above it is refused with FeeCeilingError.
	CreateTx(ctx context.Context, account string, outs []*wire.TxOut, subtractFee, broadcast bool, feeRate, maxFeeRate amount.Amount) (*wire.MsgTx, amount.Amount, error)
	Transactions(account string, skip, count int) ([]WalletTxJSON, error)
	Pending() ([]*wire.MsgTx, error)
	Rebroadcast(ctx context.Context) (int, error)
	Abandon(id chainhash.Hash) error
	// PrivateKey returns the WIF key of a wallet address's script.
	PrivateKey(pkScript []byte) (string, error)
	// ImportPrivateKey adds a WIF key to account and returns its P2WPKH
	// (compressed) or P2PKH address.
	ImportPrivateKey(wif, account string) (string, error)
	ExportMnemonic(passphrase []byte) (string, error)
	// Fund adds inputs and change to tx in place, at feeRate (zero: the
	// estimate) under the ceiling maxFeeRate, as in CreateTx.
	Fund(ctx context.Context, account string, tx *wire.MsgTx, feeRate, maxFeeRate amount.Amount) (fee amount.Amount, changePos int, err error)
	// Sign signs what it can of tx in place.
	Sign(tx *wire.MsgTx) (complete bool, missing []int, err error)
	// Backup returns the encrypted backup blob, sealed under backupPass.
	Backup(backupPass []byte) (*WalletBackupJSON, error)
	// Import creates the wallet from a backup blob (like Create, with a
	// rescan from the backup's birthday).
	Import(ctx context.Context, blob, backupPass, passphrase []byte) (*WalletBackupJSON, error)
	// Rescan starts a rescan from height (negative: the birthday) in the
	// background; Info reports its progress.
	Rescan(from int32) (*WalletRescanJSON, error)
	// Accounts lists the accounts; CreateAccount and RenameAccount add
	// and rename one.
	Accounts() ([]WalletAccountJSON, error)
	CreateAccount(name string) (*WalletAccountJSON, error)
	RenameAccount(oldName, newName string) (*WalletAccountJSON, error)
}

// WalletService implements the wallet methods on the node's RPC server.
type WalletService struct {
	Params  *chaincfg.Params
	Backend WalletBackend
}

// Methods returns every wallet method, GameGold's names and bitcoind's.
func (s *WalletService) Methods() []Method {
	defs := []methodDef{
		{[]string{"wallet.create"}, "passphrase [mnemonic] [birthday]", "create the node's wallet (encrypted with passphrase), or restore it from a mnemonic; returns the mnemonic once", s.create},
		{[]string{"wallet.info", "getwalletinfo"}, "", "wallet state: encryption, lock, sync height, accounts", s.info},
		{[]string{"wallet.lock", "walletlock"}, "", "forget the decryption key", s.lock},
		{[]string{"wallet.unlock", "walletpassphrase"}, "passphrase [timeout=0]", "unlock the keys for timeout seconds (0: until wallet.lock)", s.unlock},
		{[]string{"address.create", "getnewaddress"}, "[account=default] [lock_height] [lock_blocks] [lock_time] [lock_seconds]", "a new receive address of account (created if new; needs unlock); with one of lock_height or lock_time (a unix time >= 500000000 in the future; CLTV), lock_blocks or lock_seconds (rounded up to 512 s, at most 33553920; CSV) a time-locked P2WSH address: {address, account, witnessscript, lock_height|lock_blocks|lock_time and lock_until|lock_seconds}", s.newAddress},
		{[]string{"address.list"}, "[account=*]", "addresses handed out, by account", s.addresses},
		{[]string{"balance.all"}, "[account=*]", "confirmed, unconfirmed, immature, locked and reserved balances", s.balanceAll},
		{[]string{"getbalance"}, "[account=*]", "confirmed spendable balance in GG", s.getBalance},
		{[]string{"coin.list", "listunspent"}, "[account=*]", "unspent outputs of the wallet", s.coins},
		{[]string{"tx.send", "sendtoaddress"}, "address amount [subtractfee=false] [account=default] [maxfeerate=0.10] [feerate]", "pay amount GG to address and broadcast; returns the txid. The fee is paid at feerate (GG per 1000 vbytes; absent or 0: the node's estimate); a fee rate above maxfeerate (GG per 1000 vbytes; 0: no ceiling) is refused", s.send},
		{[]string{"tx.create"}, "address amount [subtractfee=false] [account=default] [maxfeerate=0.10] [feerate]", "build and sign a payment without sending it: {hex, txid, fee}", s.createTx},
		{[]string{"tx.list", "listtransactions"}, "[account=*] [count=10] [skip=0]", "history, newest first", s.transactions},
		{[]string{"tx.pending"}, "", "unconfirmed wallet transactions in rebroadcast order", s.pending},
		{[]string{"tx.resend"}, "", "rebroadcast pending transactions; returns how many were accepted", s.resend},
		{[]string{"tx.abandon", "abandontransaction"}, "txid", "give up an unconfirmed transaction and free its coins", s.abandon},
		{[]string{"key.export.private", "dumpprivkey"}, "address", "the WIF private key of a wallet address (needs unlock)", s.exportKey},
		{[]string{"wallet.exportmnemonic"}, "passphrase", "the wallet's BIP39 mnemonic", s.exportMnemonic},
		{[]string{"key.import.private", "importprivkey"}, "wif [account=imported]", "add a WIF private key to account (created if new; needs unlock); returns its address. Earlier payments to it appear after wallet.rescan", s.importKey},
		{[]string{"fundrawtransaction"}, "hexstring [options]", "add inputs and change to a transaction: {hex, fee, changepos}; options {account, feeRate, maxfeerate} (GG per 1000 vbytes; a rate above maxfeerate, default 0.10, 0: no ceiling, is refused)", s.fund},
		{[]string{"signrawtransactionwithwallet"}, "hexstring", "sign the inputs the wallet can: {hex, complete, errors}", s.sign},
		{[]string{"wallet.backup"}, "backup_passphrase", "the encrypted backup (seed, accounts, imported keys, watch-only, scripts, labels; needs unlock): {backup (base64), accounts, keys, watch, scripts, labels, birthday}", s.backup},
		{[]string{"wallet.import"}, "backup backup_passphrase passphrase", "create the wallet from a wallet.backup blob (base64), encrypted with passphrase; it rescans from the backup's birthday", s.importBackup},
		{[]string{"wallet.rescan", "rescanblockchain"}, "[from=birthday]", "rescan the chain from height in the background; wallet.info shows the progress: {running, from, height, tip}", s.rescan},
		{[]string{"account.list"}, "", "the accounts: [{name, number, kind, watchonly, receive_addresses, change_addresses}]", s.accountList},
		{[]string{"account.create"}, "name", "a new BIP44 account (needs unlock)", s.accountCreate},
		{[]string{"account.rename"}, "old new", "rename an account (not the default one)", s.accountRename},
	}
	return methodsOf(defs, s.guard)
}

// guard answers -18 for every method but wallet.create and wallet.import while no wallet
// is loaded.
func (s *WalletService) guard(name string, h Handler) Handler {
	return func(ctx context.Context, p json.RawMessage) (any, error) {
		if name != "wallet.create" && name != "wallet.import" && (s.Backend == nil || !s.Backend.Loaded()) {
			return nil, ErrNoWallet()
		}
		return h(ctx, p)
	}
}

func (s *WalletService) create(ctx context.Context, p json.RawMessage) (any, error) {
	var pass, mnemonic string
	var birthday int32
	if err := ParseParams(p, []string{"passphrase", "mnemonic", "birthday"}, 1, &pass, &mnemonic, &birthday); err != nil {
		return nil, err
	}
	if pass == "" {
		return nil, InvalidParams("passphrase must not be empty")
	}
	if birthday < 0 {
		return nil, InvalidParams("birthday must be a height >= 0")
	}
	if s.Backend == nil {
		return nil, Errorf(CodeWallet, "the wallet is disabled on this node")
	}
	if s.Backend.Loaded() {
		return nil, Errorf(CodeWallet, "wallet already exists")
	}
	m, err := s.Backend.Create(ctx, WalletCreateRequest{Passphrase: []byte(pass), Mnemonic: strings.TrimSpace(mnemonic), Birthday: birthday})
	if err != nil {
		return nil, err
	}
	return map[string]any{"mnemonic": m, "restored": mnemonic != ""}, nil
}

func (s *WalletService) info(_ context.Context, p json.RawMessage) (any, error) {
	if err := noParams(p); err != nil {
		return nil, err
	}
	return s.Backend.Info()
}

func (s *WalletService) lock(_ context.Context, p json.RawMessage) (any, error) {
	if err := noParams(p); err != nil {
		return nil, err
	}
	return nil, s.Backend.Lock()
}

func (s *WalletService) unlock(_ context.Context, p json.RawMessage) (any, error) {
	var pass string
	var timeout int64
	if err := ParseParams(p, []string{"passphrase", "timeout"}, 1, &pass, &timeout); err != nil {
		return nil, err
	}
	if pass == "" {
		return nil, InvalidParams("passphrase must not be empty")
	}
	if timeout < 0 || timeout > 100_000_000 {
		return nil, InvalidParams("timeout must be 0..100000000 seconds")
	}
	return nil, s.Backend.Unlock([]byte(pass), time.Duration(timeout)*time.Second)
}

// accountParam reads an optional leading account param.
func accountParam(p json.RawMessage, def string) (string, error) {
	acct := def
	if err := ParseParams(p, []string{"account"}, 0, &acct); err != nil {
		return "", err
	}
	if acct == "" {
		acct = def
	}
	return acct, nil
}

// newAddress reads the lock params as uint32 (the decoder refuses what
// is out of that range); the wallet's rules decide the rest (one lock, a
// height below the time threshold, ...), reported through its errors.
func (s *WalletService) newAddress(_ context.Context, p json.RawMessage) (any, error) {
	acct := "default"
	var lock TimeLockRequest
	if err := ParseParams(p, []string{"account", "lock_height", "lock_blocks", "lock_time", "lock_seconds"}, 0,
		&acct, &lock.Height, &lock.Blocks, &lock.Time, &lock.Seconds); err != nil {
		return nil, err
	}
	if acct == "" {
		acct = "default"
	}
	if acct == walletAllAccounts {
		return nil, Errorf(CodeInvalidParam, "account name %q is reserved", acct)
	}
	if lock != (TimeLockRequest{}) {
		return s.Backend.NewTimeLockedAddress(acct, lock)
	}
	return s.Backend.NewAddress(acct)
}

func (s *WalletService) addresses(_ context.Context, p json.RawMessage) (any, error) {
	acct, err := accountParam(p, walletAllAccounts)
	if err != nil {
		return nil, err
	}
	return s.Backend.Addresses(acct)
}

func (s *WalletService) balanceAll(_ context.Context, p json.RawMessage) (any, error) {
	acct, err := accountParam(p, walletAllAccounts)
	if err != nil {
		return nil, err
	}
	return s.Backend.Balance(acct)
}

func (s *WalletService) getBalance(_ context.Context, p json.RawMessage) (any, error) {
	acct, err := accountParam(p, walletAllAccounts)
	if err != nil {
		return nil, err
	}
	b, err := s.Backend.Balance(acct)
	if err != nil {
		return nil, err
	}
	return b.Confirmed, nil
}

func (s *WalletService) coins(_ context.Context, p json.RawMessage) (any, error) {
	acct, err := accountParam(p, walletAllAccounts)
	if err != nil {
		return nil, err
	}
	return s.Backend.Coins(acct)
}

// ParseAmountParam reads a GG amount given as a JSON number or string,
// exactly (no floating point).
func ParseAmountParam(raw json.RawMessage, name string) (amount.Amount, error) {
	a, err := parseAmountOrZero(raw, name)
	if err != nil {
		return 0, err
	}
	if a <= 0 {
		return 0, InvalidParams("param %q: amount must be positive", name)
	}
	return a, nil
}

// parseAmountOrZero is ParseAmountParam accepting zero.
func parseAmountOrZero(raw json.RawMessage, name string) (amount.Amount, error) {
	return parseGG(raw, name, false)
}

// parseFeeRate reads a fee rate param in GG per 1000 vbytes, >= 0, as
// parseAmountOrZero does, and also a JSON number in exponent notation
// (1e-05: Python's json writes small floats so), read exactly: it must
// come to a whole number of dust.
func parseFeeRate(raw json.RawMessage, name string) (amount.Amount, error) {
	return parseGG(raw, name, true)
}

// parseGG reads a value in GG given as a JSON number or a string of a
// plain decimal, exactly; with exponent a JSON number may also be in
// exponent notation.
func parseGG(raw json.RawMessage, name string, exponent bool) (amount.Amount, error) {
	raw = bytes.TrimSpace(raw)
	var txt string
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &txt); err != nil {
			return 0, InvalidParams("param %q: %v", name, err)
		}
	} else {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return 0, InvalidParams("param %q: expected a number of GG", name)
		}
		txt = n.String()
	}
	a, err := amount.Parse(txt)
	if exponent && errors.Is(err, amount.ErrSyntax) && raw[0] != '"' {
		if plain, ok := plainDecimal(txt); ok {
			a, err = amount.Parse(plain)
		}
	}
	if err != nil {
		return 0, InvalidParams("param %q: bad amount %q: %v", name, txt, err)
	}
	return a, nil
}

// maxExponent bounds the exponent plainDecimal shifts by: no amount
// needs more (21e6 GG is 2.1e7, a dust 1e-8), and a bound keeps the
// rewritten text short whatever the number says.
const maxExponent = 32

// plainDecimal rewrites a JSON number with an exponent (a valid JSON
// number: encoding/json checked it) as the same value in plain decimal,
// without leading or trailing zeros. ok is false without an exponent or
// with one beyond maxExponent.
func plainDecimal(num string) (string, bool) {
	mant, exps, found := strings.Cut(strings.ToLower(num), "e")
	if !found || len(mant) > amount.MaxLen {
		return "", false
	}
	exp, err := strconv.Atoi(exps)
	if err != nil || exp < -maxExponent || exp > maxExponent {
		return "", false
	}
	sign := ""
	if strings.HasPrefix(mant, "-") {
		sign, mant = "-", mant[1:]
	}
	ip, fp, _ := strings.Cut(mant, ".")
	digits, point := ip+fp, len(ip)+exp // the point sits before digits[point]
	if point <= 0 {
		digits, point = strings.Repeat("0", 1-point)+digits, 1
	}
	if point > len(digits) {
		digits += strings.Repeat("0", point-len(digits))
	}
	ip, fp = strings.TrimLeft(digits[:point], "0"), strings.TrimRight(digits[point:], "0")
	if ip == "" {
		ip = "0"
	}
	if fp != "" {
		ip += "." + fp
	}
	return sign + ip, true
}

// MsgFeeCeiling is the part of the wallet's refusal of a fee rate above
// its ceiling that clients match to add their own hint.
const MsgFeeCeiling = "above the wallet's ceiling"

// FeeCeilingError is the wallet's refusal of a fee rate above its
// ceiling, naming both and the param that moves the ceiling (every
// method that pays a fee from the wallet takes maxfeerate). rate says
// what the rate is: "fee rate 500.0 GG/kvB", "estimated fee rate ...", or
// a bid's with the fees it replaces (wallet.FeeRateError.What).
func FeeCeilingError(rate string, ceiling amount.Amount) *Error {
	return Errorf(CodeWallet, "%s is %s of %s GG/kvB: set maxfeerate (GG per 1000 vbytes, 0: no ceiling) to pay it",
		rate, MsgFeeCeiling, ceiling)
}

// parseMaxFeeRate reads a maxfeerate parameter (GG per 1000 vbytes):
// absent is zero (the wallet's default ceiling), 0 is
// amount.NoMaxFeeRate.
func parseMaxFeeRate(raw json.RawMessage) (amount.Amount, error) {
	if isAbsent(raw) {
		return 0, nil
	}
	a, err := parseFeeRate(raw, "maxfeerate")
	if err != nil {
		return 0, err
	}
	if a == 0 {
		return amount.NoMaxFeeRate, nil
	}
	return a, nil
}

// paymentParams are tx.send's and tx.create's parameters.
type paymentParams struct {
	account    string
	outs       []*wire.TxOut
	subtract   bool
	feeRate    amount.Amount // zero: the estimate
	maxFeeRate amount.Amount
}

func (s *WalletService) payment(p json.RawMessage) (*paymentParams, error) {
	var addr, acct string
	var amt, maxRate, rate json.RawMessage
	var subtract bool
	if err := ParseParams(p, []string{"address", "amount", "subtractfee", "account", "maxfeerate", "feerate"}, 2, &addr, &amt, &subtract, &acct, &maxRate, &rate); err != nil {
		return nil, err
	}
	a, err := address.Decode(addr, s.Params)
	if err != nil {
		return nil, Errorf(CodeInvalidAddress, "invalid address %q: %v", addr, err)
	}
	v, err := ParseAmountParam(amt, "amount")
	if err != nil {
		return nil, err
	}
	ceiling, err := parseMaxFeeRate(maxRate)
	if err != nil {
		return nil, err
	}
	var feeRate amount.Amount
	if !isAbsent(rate) {
		if feeRate, err = parseFeeRate(rate, "feerate"); err != nil {
			return nil, err
		}
	}
	if acct == "" {
		acct = "default"
	}
	return &paymentParams{account: acct, outs: []*wire.TxOut{{Value: int64(v), PkScript: a.PkScript()}}, subtract: subtract,
		feeRate: feeRate, maxFeeRate: ceiling}, nil
}

func (s *WalletService) send(ctx context.Context, p json.RawMessage) (any, error) {
	pp, err := s.payment(p)
	if err != nil {
		return nil, err
	}
	tx, _, err := s.Backend.CreateTx(ctx, pp.account, pp.outs, pp.subtract, true, pp.feeRate, pp.maxFeeRate)
	if err != nil {
		return nil, err
	}
	return tx.TxHash().String(), nil
}

func (s *WalletService) createTx(ctx context.Context, p json.RawMessage) (any, error) {
	pp, err := s.payment(p)
	if err != nil {
		return nil, err
	}
	tx, fee, err := s.Backend.CreateTx(ctx, pp.account, pp.outs, pp.subtract, false, pp.feeRate, pp.maxFeeRate)
	if err != nil {
		return nil, err
	}
	return map[string]any{"hex": hex.EncodeToString(tx.Bytes()), "txid": tx.TxHash().String(), "fee": GG(fee)}, nil
}

func (s *WalletService) transactions(_ context.Context, p json.RawMessage) (any, error) {
	acct := walletAllAccounts
	count, skip := 10, 0
	if err := ParseParams(p, []string{"account", "count", "skip"}, 0, &acct, &count, &skip); err != nil {
		return nil, err
	}
	if count < 0 || skip < 0 {
		return nil, Errorf(CodeInvalidParam, "count and skip must be >= 0")
	}
	if count == 0 {
		return []WalletTxJSON{}, nil
	}
	return s.Backend.Transactions(acct, skip, count)
}

func (s *WalletService) pending(_ context.Context, p json.RawMessage) (any, error) {
	if err := noParams(p); err != nil {
		return nil, err
	}
	txs, err := s.Backend.Pending()
	if err != nil {
		return nil, err
	}
	out := make([]map[string]string, 0, len(txs))
	for _, tx := range txs {
		out = append(out, map[string]string{"txid": tx.TxHash().String(), "hex": hex.EncodeToString(tx.Bytes())})
	}
	return out, nil
}

func (s *WalletService) resend(ctx context.Context, p json.RawMessage) (any, error) {
	if err := noParams(p); err != nil {
		return nil, err
	}
	return s.Backend.Rebroadcast(ctx)
}

func (s *WalletService) abandon(_ context.Context, p json.RawMessage) (any, error) {
	var id string
	if err := ParseParams(p, []string{"txid"}, 1, &id); err != nil {
		return nil, err
	}
	h, err := parseHash(id, "txid")
	if err != nil {
		return nil, err
	}
	return nil, s.Backend.Abandon(h)
}

func (s *WalletService) exportKey(_ context.Context, p json.RawMessage) (any, error) {
	var addr string
	if err := ParseParams(p, []string{"address"}, 1, &addr); err != nil {
		return nil, err
	}
	a, err := address.Decode(addr, s.Params)
	if err != nil {
		return nil, Errorf(CodeInvalidAddress, "invalid address %q: %v", addr, err)
	}
	return s.Backend.PrivateKey(a.PkScript())
}

func (s *WalletService) exportMnemonic(_ context.Context, p json.RawMessage) (any, error) {
	var pass string
	if err := ParseParams(p, []string{"passphrase"}, 1, &pass); err != nil {
		return nil, err
	}
	if pass == "" {
		return nil, InvalidParams("passphrase must not be empty")
	}
	return s.Backend.ExportMnemonic([]byte(pass))
}

// FundOptions are fundrawtransaction's options.
type FundOptions struct {
	Account string          `json:"account"`
	FeeRate json.RawMessage `json:"feeRate"` // GG per 1000 vbytes
	// MaxFeeRate is the fee rate ceiling (GG per 1000 vbytes; absent:
	// the wallet's default, 0: none).
	MaxFeeRate json.RawMessage `json:"maxfeerate"`
}

func (s *WalletService) fund(ctx context.Context, p json.RawMessage) (any, error) {
	var hs string
	var opts FundOptions
	if err := ParseParams(p, []string{"hexstring", "options"}, 1, &hs, &opts); err != nil {
		return nil, err
	}
	tx, err := DecodeUnsignedTx(hs)
	if err != nil {
		return nil, Errorf(CodeDeserialize, "TX decode failed: %v", err)
	}
	if len(tx.TxOut) == 0 {
		return nil, Errorf(CodeInvalidParam, "transaction has no outputs to fund")
	}
	var rate amount.Amount
	if !isAbsent(opts.FeeRate) {
		if rate, err = parseFeeRate(opts.FeeRate, "feeRate"); err != nil {
			return nil, err
		}
		if rate == 0 {
			return nil, InvalidParams("param %q: amount must be positive", "feeRate")
		}
	}
	ceiling, err := parseMaxFeeRate(opts.MaxFeeRate)
	if err != nil {
		return nil, err
	}
	if opts.Account == "" {
		opts.Account = "default"
	}
	fee, pos, err := s.Backend.Fund(ctx, opts.Account, tx, rate, ceiling)
	if err != nil {
		return nil, err
	}
	return map[string]any{"hex": hex.EncodeToString(tx.Bytes()), "fee": GG(fee), "changepos": pos}, nil
}

func (s *WalletService) sign(_ context.Context, p json.RawMessage) (any, error) {
	var hs string
	if err := ParseParams(p, []string{"hexstring"}, 1, &hs); err != nil {
		return nil, err
	}
	tx, err := DecodeUnsignedTx(hs)
	if err != nil {
		return nil, Errorf(CodeDeserialize, "TX decode failed: %v", err)
	}
	complete, missing, err := s.Backend.Sign(tx)
	if err != nil {
		return nil, err
	}
	type inErr struct {
		TxID  string `json:"txid"`
		Vout  uint32 `json:"vout"`
		Error string `json:"error"`
	}
	errs := []inErr{}
	for _, i := range missing {
		op := tx.TxIn[i].PreviousOutPoint
		errs = append(errs, inErr{TxID: op.Hash.String(), Vout: op.Index, Error: "input " + strconv.Itoa(i) + ": unknown output or key"})
	}
	return map[string]any{"hex": hex.EncodeToString(tx.Bytes()), "complete": complete, "errors": errs}, nil
}

// DecodeUnsignedTx decodes a transaction's hex like wire.DecodeTxHex,
// and also the legacy serialization of a transaction without inputs
// (what gg-tx create prints before funding): wire.DecodeTxHexLenient.
func DecodeUnsignedTx(s string) (*wire.MsgTx, error) { return wire.DecodeTxHexLenient(s) }

func (s *WalletService) backup(_ context.Context, p json.RawMessage) (any, error) {
	var pass string
	if err := ParseParams(p, []string{"backup_passphrase"}, 1, &pass); err != nil {
		return nil, err
	}
	if pass == "" {
		return nil, InvalidParams("backup_passphrase must not be empty")
	}
	return s.Backend.Backup([]byte(pass))
}

func (s *WalletService) importBackup(ctx context.Context, p json.RawMessage) (any, error) {
	var blob, bpass, pass string
	if err := ParseParams(p, []string{"backup", "backup_passphrase", "passphrase"}, 3, &blob, &bpass, &pass); err != nil {
		return nil, err
	}
	if bpass == "" || pass == "" {
		return nil, InvalidParams("backup_passphrase and passphrase must not be empty")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(blob))
	if err != nil {
		return nil, InvalidParams("backup: not base64: %v", err)
	}
	if s.Backend == nil {
		return nil, Errorf(CodeWallet, "the wallet is disabled on this node")
	}
	if s.Backend.Loaded() {
		return nil, Errorf(CodeWallet, "wallet already exists")
	}
	return s.Backend.Import(ctx, raw, []byte(bpass), []byte(pass))
}

func (s *WalletService) rescan(_ context.Context, p json.RawMessage) (any, error) {
	from := int64(-1)
	if err := ParseParams(p, []string{"from"}, 0, &from); err != nil {
		return nil, err
	}
	if from < -1 || from > 1<<31-1 {
		return nil, InvalidParams("from must be a height >= 0")
	}
	return s.Backend.Rescan(int32(from))
}

func (s *WalletService) accountList(_ context.Context, p json.RawMessage) (any, error) {
	if err := noParams(p); err != nil {
		return nil, err
	}
	return s.Backend.Accounts()
}

func (s *WalletService) accountCreate(_ context.Context, p json.RawMessage) (any, error) {
	var name string
	if err := ParseParams(p, []string{"name"}, 1, &name); err != nil {
		return nil, err
	}
	return s.Backend.CreateAccount(name)
}

func (s *WalletService) accountRename(_ context.Context, p json.RawMessage) (any, error) {
	var oldName, newName string
	if err := ParseParams(p, []string{"old", "new"}, 2, &oldName, &newName); err != nil {
		return nil, err
	}
	return s.Backend.RenameAccount(oldName, newName)
}

func (s *WalletService) importKey(_ context.Context, p json.RawMessage) (any, error) {
	var wif, acct string
	if err := ParseParams(p, []string{"wif", "account"}, 1, &wif, &acct); err != nil {
		return nil, err
	}
	if acct == "" {
		acct = "imported"
	}
	if acct == walletAllAccounts {
		return nil, Errorf(CodeInvalidParam, "account name %q is reserved", acct)
	}
	return s.Backend.ImportPrivateKey(strings.TrimSpace(wif), acct)
}
