package seed

// ErrorKind classifies the package's failures (errors.Is).
type ErrorKind string

// Error implements error.
func (k ErrorKind) Error() string { return string(k) }

// Kinds of failure; lib/wallet maps them onto its own kinds of the same
// text.
const (
	// ErrInvalidMnemonic: unknown words, wrong length or bad checksum.
	ErrInvalidMnemonic = ErrorKind("invalid mnemonic")
	// ErrInvalidArgument: a parameter out of range (entropy size, path).
	ErrInvalidArgument = ErrorKind("invalid argument")
)
