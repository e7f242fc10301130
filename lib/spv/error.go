package spv

// ErrorKind classifies the light node's errors; use errors.Is.
type ErrorKind string

func (k ErrorKind) Error() string { return string(k) }

// Error kinds.
const (
	// ErrStopped: the light node was closed while a request waited.
	ErrStopped = ErrorKind("light node stopped")
	// ErrNotInChain: the height or hash is not on the light node's
	// best header chain (or not yet covered by verified filter headers).
	ErrNotInChain = ErrorKind("block not in the light node's chain")
	// ErrBadHeader: a header broke the header rules (lib/chain's).
	ErrBadHeader = ErrorKind("invalid header")
	// ErrBadBlock: a block did not match its header (merkle root,
	// witness commitment) or was malformed.
	ErrBadBlock = ErrorKind("block does not match its header")
	// ErrBadFilter: a filter did not match the verified filter header
	// chain, or omitted a script its block holds.
	ErrBadFilter = ErrorKind("filter does not match")
	// ErrNoPeers: no connected peer can serve the request.
	ErrNoPeers = ErrorKind("no peer serves it")
)
