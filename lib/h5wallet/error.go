package h5wallet

// ErrorKind classifies the package's failures (errors.Is).
type ErrorKind string

// Error implements error.
func (k ErrorKind) Error() string { return string(k) }

// Kinds of failure.
const (
	// ErrInvalidArgument: a request field out of range or malformed.
	ErrInvalidArgument = ErrorKind("invalid argument")
	// ErrInsufficientFunds: the coins given do not cover the outputs
	// and the fee.
	ErrInsufficientFunds = ErrorKind("insufficient funds")
	// ErrUnknownAddress: a coin pays, or the change or a bought prop
	// would go to, an address the keyring has not derived.
	ErrUnknownAddress = ErrorKind("address not in the wallet")
)
