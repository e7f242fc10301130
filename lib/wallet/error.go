package wallet

// ErrorKind classifies wallet failures. Kinds are errors themselves, so
// callers test with errors.Is(err, wallet.ErrLocked); the errors the
// wallet returns wrap a kind with context.
type ErrorKind string

// Error implements error.
func (k ErrorKind) Error() string { return string(k) }

// Kinds of wallet failure. The messages follow the project's voice
// (lowercase, no trailing period) and, where the fix is obvious, name it,
// so a CLI can print them as they are.
const (
	// ErrLocked: the operation needs private keys and the wallet is
	// locked. (Not to be confused with store.ErrLocked, "datadir in use",
	// which Open reports as ErrInUse.)
	ErrLocked = ErrorKind("wallet is locked: unlock it first")
	// ErrWrongPassphrase: the passphrase does not decrypt the master key.
	ErrWrongPassphrase = ErrorKind("wrong passphrase")
	// ErrNotEncrypted: lock, unlock or passphrase change on a wallet
	// created with CreateOptions.Unencrypted.
	ErrNotEncrypted = ErrorKind("wallet is not encrypted")
	// ErrInvalidMnemonic: unknown words, wrong length or bad checksum.
	ErrInvalidMnemonic = ErrorKind("invalid mnemonic")
	// ErrInvalidArgument: a parameter out of range (entropy size, KDF
	// parameters, account name, derivation path, ...).
	ErrInvalidArgument = ErrorKind("invalid argument")
	// ErrInvalidKey: an imported WIF key or extended key that does not
	// parse, is for another network, or is of the wrong kind.
	ErrInvalidKey = ErrorKind("invalid key")
	// ErrInUse: another process (or another Wallet value) has the wallet
	// file open; the error also wraps store.ErrLocked.
	ErrInUse = ErrorKind("wallet file in use")
	// ErrWalletExists: Create found a wallet already in the file.
	ErrWalletExists = ErrorKind("wallet already exists")
	// ErrNoWallet: Open found a file without a wallet in it (zero
	// length, or a database without wallet records); Create replaces
	// such a file.
	ErrNoWallet = ErrorKind("no wallet in the database")
	// ErrWrongNetwork: the wallet, key or address belongs to another
	// network.
	ErrWrongNetwork = ErrorKind("belongs to another network")
	// ErrAccountExists: CreateAccount or ImportXpub with a name in use.
	ErrAccountExists = ErrorKind("account already exists")
	// ErrAccountNotFound: no account of that name.
	ErrAccountNotFound = ErrorKind("account not found")
	// ErrWatchOnly: the operation needs private keys the account does
	// not have.
	ErrWatchOnly = ErrorKind("account is watch-only")
	// ErrAlreadyImported: the key, address or script is already in the
	// wallet.
	ErrAlreadyImported = ErrorKind("already in the wallet")
	// ErrAddressNotFound: the address does not belong to the wallet.
	ErrAddressNotFound = ErrorKind("address not in the wallet")
	// ErrCorrupt: a stored record does not decode or decrypt; the file is
	// damaged or was not written by this program.
	ErrCorrupt = ErrorKind("wallet database corrupt")
	// ErrKDFCost: argon2id parameters above the limits (10 passes,
	// 1 GiB): asked for, or read from a backup's header or a wallet
	// file, which is then refused before the KDF runs.
	ErrKDFCost = ErrorKind("kdf cost above the limit")
	// ErrClosed: the Wallet was closed.
	ErrClosed = ErrorKind("wallet is closed")
)
