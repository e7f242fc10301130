package wire

import "fmt"

// ErrorKind classifies a decoding failure. Use errors.Is(err, ErrXxx).
type ErrorKind string

// Error implements error so kinds can be used as errors.Is targets.
func (k ErrorKind) Error() string { return string(k) }

// Kinds of decoding failure.
const (
	ErrShortRead       = ErrorKind("unexpected end of data")
	ErrNonCanonical    = ErrorKind("non-canonical compact size")
	ErrTooLarge        = ErrorKind("count or length exceeds the data available or the limit")
	ErrTrailingBytes   = ErrorKind("trailing bytes after message")
	ErrBadWitnessFlag  = ErrorKind("unknown witness flag")
	ErrEmptyWitness    = ErrorKind("witness flag set but all witnesses empty")
	ErrNoInputsNoFlag  = ErrorKind("transaction has no inputs")
	ErrBlockTooBig     = ErrorKind("block exceeds maximum size")
	ErrHeaderTooShort  = ErrorKind("header must be 80 bytes")
	ErrValueOutOfRange = ErrorKind("value out of range")
)

// DecodeError reports what was being decoded and why it failed.
type DecodeError struct {
	Kind ErrorKind
	What string // e.g. "tx input count"
}

func (e *DecodeError) Error() string { return fmt.Sprintf("wire: decode %s: %s", e.What, e.Kind) }

// Unwrap lets errors.Is match the kind.
func (e *DecodeError) Unwrap() error { return e.Kind }

func decodeErr(kind ErrorKind, what string) error { return &DecodeError{Kind: kind, What: what} }
