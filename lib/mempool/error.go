package mempool

import "errors"

// ErrorKind classifies why the pool refused a transaction. Kinds are
// errors themselves, so callers test with errors.Is(err, mempool.ErrDust).
type ErrorKind string

// Error implements error.
func (k ErrorKind) Error() string { return string(k) }

// Kinds of policy rejection. Consensus failures are not listed here: they
// come back as the chain package's RuleError unchanged.
const (
	ErrDuplicate          = ErrorKind("transaction already in the pool")
	ErrAlreadyKnown       = ErrorKind("transaction already confirmed")
	ErrCoinbase           = ErrorKind("coinbase transaction outside a block")
	ErrMissingInputs      = ErrorKind("inputs missing or spent")
	ErrOrphanTooLarge     = ErrorKind("orphan transaction too large")
	ErrNonStandard        = ErrorKind("transaction is not standard")
	ErrNonStandardInputs  = ErrorKind("input scripts are not standard")
	ErrNonStandardWitness = ErrorKind("witness is not standard")
	ErrNonStandardScript  = ErrorKind("script fails policy-only verification flags")
	ErrDust               = ErrorKind("output below the dust threshold")
	ErrVersion            = ErrorKind("transaction version not standard")
	ErrTxWeight           = ErrorKind("transaction weight above the standard limit")
	ErrScriptSigSize      = ErrorKind("signature script too large")
	ErrScriptSigPushOnly  = ErrorKind("signature script is not push-only")
	ErrScriptPubKey       = ErrorKind("output script type not standard")
	ErrMultiOpReturn      = ErrorKind("more than one data carrier output")
	ErrNonFinal           = ErrorKind("transaction is not final in the next block")
	ErrSequenceLocked     = ErrorKind("relative lock time not yet satisfied")
	ErrTooManySigOps      = ErrorKind("signature operation cost above the standard limit")
	ErrMinRelayFee        = ErrorKind("fee below the minimum relay fee")
	ErrMempoolMinFee      = ErrorKind("fee below the pool's rolling minimum fee")
	ErrConflict           = ErrorKind("input already spent by a pool transaction")
	ErrInsufficientFee    = ErrorKind("replacement does not pay enough fee")
	ErrTooManyReplaced    = ErrorKind("replacement would evict too many transactions")
	ErrSpendsConflicting  = ErrorKind("replacement spends an output of a transaction it replaces")
	ErrTooLongChain       = ErrorKind("ancestor or descendant limit exceeded")
	ErrPoolFull           = ErrorKind("pool full and fee rate too low to stay")
	ErrBadFile            = ErrorKind("mempool file corrupt or of an unknown version")
)

// reasons maps each kind to the short reject string of BIP22/BIP61 style
// that peers and RPC clients see.
var reasons = map[ErrorKind]string{
	ErrDuplicate:          "txn-already-in-mempool",
	ErrAlreadyKnown:       "txn-already-known",
	ErrCoinbase:           "coinbase",
	ErrMissingInputs:      "bad-txns-inputs-missingorspent",
	ErrOrphanTooLarge:     "orphan",
	ErrNonStandard:        "non-standard",
	ErrNonStandardInputs:  "bad-txns-nonstandard-inputs",
	ErrNonStandardWitness: "bad-witness-nonstandard",
	ErrNonStandardScript:  "non-mandatory-script-verify-flag",
	ErrDust:               "dust",
	ErrVersion:            "version",
	ErrTxWeight:           "tx-size",
	ErrScriptSigSize:      "scriptsig-size",
	ErrScriptSigPushOnly:  "scriptsig-not-pushonly",
	ErrScriptPubKey:       "scriptpubkey",
	ErrMultiOpReturn:      "multi-op-return",
	ErrNonFinal:           "non-final",
	ErrSequenceLocked:     "non-BIP68-final",
	ErrTooManySigOps:      "bad-txns-too-many-sigops",
	ErrMinRelayFee:        "min relay fee not met",
	ErrMempoolMinFee:      "mempool min fee not met",
	ErrConflict:           "txn-mempool-conflict",
	ErrInsufficientFee:    "insufficient fee",
	ErrTooManyReplaced:    "too many potential replacements",
	ErrSpendsConflicting:  "bad-txns-spends-conflicting-tx",
	ErrTooLongChain:       "too-long-mempool-chain",
	ErrPoolFull:           "mempool full",
	ErrBadFile:            "bad-mempool-file",
}

// Reason returns the reject string of the kind.
func (k ErrorKind) Reason() string {
	if r, ok := reasons[k]; ok {
		return r
	}
	return string(k)
}

// RuleError is a policy rejection: a kind and a human description. The
// pool returns it as *RuleError; errors.Is matches the kind.
type RuleError struct {
	Kind        ErrorKind
	Description string
}

// Error implements error.
func (e RuleError) Error() string {
	if e.Description == "" {
		return string(e.Kind)
	}
	return e.Description
}

// Unwrap exposes the kind to errors.Is.
func (e RuleError) Unwrap() error { return e.Kind }

// Reason is the short reject string ("dust", "insufficient fee", ...).
func (e RuleError) Reason() string { return e.Kind.Reason() }

func ruleError(kind ErrorKind, desc string) error {
	return &RuleError{Kind: kind, Description: desc}
}

// Reason extracts the reject string from any error the pool returns: a
// mempool RuleError, a chain RuleError, or anything else with a Reason
// method. Other errors give "error".
func Reason(err error) string {
	var r interface{ Reason() string }
	if errors.As(err, &r) {
		return r.Reason()
	}
	return "error"
}
