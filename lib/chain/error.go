package chain

import "fmt"

// ErrorKind classifies why a block or transaction broke a consensus rule.
// Kinds are errors themselves, so callers test with
// errors.Is(err, chain.ErrHighHash).
type ErrorKind string

// Error implements error.
func (k ErrorKind) Error() string { return string(k) }

// Kinds of consensus failure.
const (
	ErrDuplicateBlock       = ErrorKind("block already known")
	ErrBlockTooBig          = ErrorKind("block serialized size too large")
	ErrBlockWeightTooHigh   = ErrorKind("block weight too high")
	ErrNoTransactions       = ErrorKind("block has no transactions")
	ErrFirstTxNotCoinbase   = ErrorKind("first transaction is not a coinbase")
	ErrMultipleCoinbases    = ErrorKind("more than one coinbase")
	ErrBadMerkleRoot        = ErrorKind("merkle root mismatch")
	ErrDuplicateTx          = ErrorKind("duplicate transaction (merkle tree mutation)")
	ErrHighHash             = ErrorKind("block hash above target or target out of range")
	ErrBadBits              = ErrorKind("unexpected difficulty bits")
	ErrTimeTooOld           = ErrorKind("timestamp not after median time past")
	ErrTimeTooNew           = ErrorKind("timestamp too far in the future")
	ErrTimewarp             = ErrorKind("retarget window opened too far before its parent (BIP94)")
	ErrBadVersion           = ErrorKind("obsolete block version")
	ErrBadCoinbaseHeight    = ErrorKind("coinbase does not start with the block height")
	ErrBadCoinbaseValue     = ErrorKind("coinbase pays more than subsidy plus fees")
	ErrBadCoinbaseScriptLen = ErrorKind("coinbase script length out of range")
	ErrMissingTxOut         = ErrorKind("input missing or spent")
	ErrDoubleSpendInBlock   = ErrorKind("output spent twice in one block")
	ErrImmatureSpend        = ErrorKind("spend of immature coinbase")
	ErrSpendTooHigh         = ErrorKind("inputs worth less than outputs")
	ErrBadTxOutValue        = ErrorKind("output value out of range")
	ErrNoTxInputs           = ErrorKind("transaction has no inputs")
	ErrNoTxOutputs          = ErrorKind("transaction has no outputs")
	ErrTxTooBig             = ErrorKind("transaction too large")
	ErrDuplicateTxInputs    = ErrorKind("transaction spends an output twice")
	ErrBadTxInput           = ErrorKind("null previous outpoint in a non-coinbase")
	ErrUnfinalizedTx        = ErrorKind("transaction not final")
	ErrSequenceLocked       = ErrorKind("relative lock time not satisfied")
	ErrScriptValidation     = ErrorKind("script verification failed")
	ErrTooManySigOps        = ErrorKind("too many signature operations")
	ErrOverwriteTx          = ErrorKind("transaction overwrites an unspent output (BIP30)")
	ErrBadWitnessCommitment = ErrorKind("witness commitment mismatch")
	ErrUnexpectedWitness    = ErrorKind("witness data without a commitment")
	ErrPrevBlockNotFound    = ErrorKind("previous block not known")
	ErrInvalidAncestor      = ErrorKind("block descends from an invalid block")
	ErrKnownInvalid         = ErrorKind("block already known to be invalid")
	ErrNotExtendingTip      = ErrorKind("block template does not extend the tip")
	ErrGameRule             = ErrorKind("game rule violated")
	ErrBlockNotFound        = ErrorKind("block not found")
	ErrCheckpointMismatch   = ErrorKind("block at a checkpoint height is not the checkpoint")
	ErrForkBeforeCheckpoint = ErrorKind("fork below the last checkpoint")
	ErrHeadersNotConnected  = ErrorKind("headers do not build on each other")
)

// reasons are the BIP22 reject strings Bitcoin Core gives for each kind.
var reasons = map[ErrorKind]string{
	ErrDuplicateBlock:       "duplicate",
	ErrBlockTooBig:          "bad-blk-length",
	ErrBlockWeightTooHigh:   "bad-blk-weight",
	ErrNoTransactions:       "bad-blk-length",
	ErrFirstTxNotCoinbase:   "bad-cb-missing",
	ErrMultipleCoinbases:    "bad-cb-multiple",
	ErrBadMerkleRoot:        "bad-txnmrklroot",
	ErrDuplicateTx:          "bad-txns-duplicate",
	ErrHighHash:             "high-hash",
	ErrBadBits:              "bad-diffbits",
	ErrTimeTooOld:           "time-too-old",
	ErrTimeTooNew:           "time-too-new",
	ErrTimewarp:             "time-timewarp-attack",
	ErrBadVersion:           "bad-version",
	ErrBadCoinbaseHeight:    "bad-cb-height",
	ErrBadCoinbaseValue:     "bad-cb-amount",
	ErrBadCoinbaseScriptLen: "bad-cb-length",
	ErrMissingTxOut:         "bad-txns-inputs-missingorspent",
	ErrDoubleSpendInBlock:   "bad-txns-inputs-missingorspent",
	ErrImmatureSpend:        "bad-txns-premature-spend-of-coinbase",
	ErrSpendTooHigh:         "bad-txns-in-belowout",
	ErrBadTxOutValue:        "bad-txns-vout-toolarge",
	ErrNoTxInputs:           "bad-txns-vin-empty",
	ErrNoTxOutputs:          "bad-txns-vout-empty",
	ErrTxTooBig:             "bad-txns-oversize",
	ErrDuplicateTxInputs:    "bad-txns-inputs-duplicate",
	ErrBadTxInput:           "bad-txns-prevout-null",
	ErrUnfinalizedTx:        "bad-txns-nonfinal",
	ErrSequenceLocked:       "bad-txns-nonfinal",
	ErrScriptValidation:     "mandatory-script-verify-flag-failed",
	ErrTooManySigOps:        "bad-blk-sigops",
	ErrOverwriteTx:          "bad-txns-BIP30",
	ErrBadWitnessCommitment: "bad-witness-merkle-match",
	ErrUnexpectedWitness:    "unexpected-witness",
	ErrPrevBlockNotFound:    "prev-blk-not-found",
	ErrInvalidAncestor:      "bad-prevblk",
	ErrKnownInvalid:         "duplicate-invalid",
	ErrNotExtendingTip:      "inconclusive-not-best-prevblk",
	ErrGameRule:             "bad-game-rule",
	ErrBlockNotFound:        "block-not-found",
	ErrCheckpointMismatch:   "checkpoint-mismatch",
	ErrForkBeforeCheckpoint: "bad-fork-prior-to-checkpoint",
	ErrHeadersNotConnected:  "non-continuous-headers",
}

// RuleError is a consensus rule violation: a Kind for errors.Is and a
// human description.
type RuleError struct {
	Kind        ErrorKind
	Description string
	// reason overrides the kind's default reject string where Core uses a
	// finer one (for example "bad-txns-vout-negative").
	reason string
}

// Error returns the description.
func (e RuleError) Error() string { return e.Description }

// Unwrap returns the kind, so errors.Is(err, ErrXxx) works.
func (e RuleError) Unwrap() error { return e.Kind }

// Reason returns the BIP22 reject string ("high-hash", "bad-txnmrklroot",
// ...) for getblocktemplate proposals, submitblock and P2P reject
// messages.
func (e RuleError) Reason() string {
	if e.reason != "" {
		return e.reason
	}
	if r, ok := reasons[e.Kind]; ok {
		return r
	}
	return "invalid"
}

func ruleError(kind ErrorKind, format string, args ...any) error {
	return RuleError{Kind: kind, Description: fmt.Sprintf(format, args...)}
}

func ruleErrorReason(kind ErrorKind, reason, format string, args ...any) error {
	return RuleError{Kind: kind, Description: fmt.Sprintf(format, args...), reason: reason}
}
