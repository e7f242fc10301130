package mining

import "fmt"

// ErrorKind classifies a mining failure. Use errors.Is(err, ErrXxx).
type ErrorKind string

// Error implements error so kinds can be errors.Is targets.
func (k ErrorKind) Error() string { return string(k) }

// Kinds of mining failure.
const (
	// ErrNoPayScript: a template needs a script to pay the coinbase to.
	ErrNoPayScript = ErrorKind("no coinbase payout script")
	// ErrCoinbaseScript: the coinbase input script would break the 2..100
	// byte rule.
	ErrCoinbaseScript = ErrorKind("coinbase script size out of range")
	// ErrBadTemplate: the block is not a template this package built (no
	// coinbase to rewrite).
	ErrBadTemplate = ErrorKind("malformed block template")
	// ErrTemplateInvalid: the chain rejected the assembled template.
	ErrTemplateInvalid = ErrorKind("block template failed validation")
	// ErrBlockRejected: the chain refused a mined block.
	ErrBlockRejected = ErrorKind("mined block rejected")
	// ErrStaleBlock: a mined block did not become the chain tip.
	ErrStaleBlock = ErrorKind("mined block did not extend the main chain")
	// ErrChain: the chain could not answer a query.
	ErrChain = ErrorKind("chain query failed")
)

// Error is a mining failure with its kind and detail.
type Error struct {
	Kind        ErrorKind
	Description string
	Err         error // underlying cause, if any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("mining: %s: %v", e.Description, e.Err)
	}
	return "mining: " + e.Description
}

// Unwrap returns the kind and the cause, so errors.Is matches either.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func newError(kind ErrorKind, err error, format string, args ...any) error {
	return &Error{Kind: kind, Description: fmt.Sprintf(format, args...), Err: err}
}
