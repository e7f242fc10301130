package mempool

import (
	"errors"
	"strings"

	"github.com/gamegold/gg/lib/game"
)

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
	// ErrGameRule: the transaction breaks a game rule, of consensus (the
	// game package's CheckTx) or of the pool's game policy (auctions,
	// names). The RuleError's Cause is the *game.RuleError, so
	// errors.Is(err, game.ErrRule) holds too, Error is "<code>: <message>"
	// and Reason is the game code.
	ErrGameRule = ErrorKind("game rule violated")
)

// Codes of the pool's game policy (not consensus), reported like the
// game package's codes: as the Reason of an ErrGameRule rejection.
const (
	// CodePropOnSale: the transaction conflicts with a live sale listing
	// or bid without being a better bid (the seller sending or
	// destroying a prop on sale, or a bidder withdrawing a bid).
	CodePropOnSale = "game-prop-on-sale"
	// CodeAuctionClosed: the current best bid already reached the
	// buy-now price.
	CodeAuctionClosed = "game-auction-closed"
	// CodeSaleEnd: a listing's end height is not within tip+1 …
	// tip+1+2·AuctionPeriod (a bid's end beyond that).
	CodeSaleEnd = "game-sale-end"
	// CodeSaleSigHash: a listing's input 0 is not signed
	// SIGHASH_SINGLE|ANYONECANPAY, so bids could not reuse it.
	CodeSaleSigHash = "game-sale-sighash"
	// CodeUnfinalParent: the transaction spends an output of a bid that
	// cannot be mined yet (below buy-now before the end height). Such a
	// child could close another auction or hold a producer name in every
	// pool while no block can include it.
	CodeUnfinalParent = "game-spends-unfinal-bid"
	// CodeListingsFull: the pool holds Policy.MaxListings listings, or
	// Policy.MaxListingsPerProducer of the listed prop's producer, or the
	// listing would take the listings' memory beyond
	// Policy.MaxListingBytes.
	CodeListingsFull = "game-listings-full"
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
	ErrGameRule:           "game-rule",
}

// Reason returns the reject string of the kind.
func (k ErrorKind) Reason() string {
	if r, ok := reasons[k]; ok {
		return r
	}
	return string(k)
}

// RuleError is a policy rejection: a kind and a human description. The
// pool returns it as *RuleError; errors.Is matches the kind, and the
// cause when there is one (a *game.RuleError for ErrGameRule).
type RuleError struct {
	Kind        ErrorKind
	Description string
	Cause       error // may be nil
}

// Error implements error.
func (e RuleError) Error() string {
	if e.Description == "" {
		return string(e.Kind)
	}
	return e.Description
}

// Unwrap exposes the kind and the cause to errors.Is and errors.As.
func (e RuleError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Cause}
}

// Reason is the short reject string ("dust", "insufficient fee", ...);
// for a game rule, its code ("game-name-taken", ...).
func (e RuleError) Reason() string {
	if c := game.Code(e.Cause); c != "" {
		return c
	}
	return e.Kind.Reason()
}

func ruleError(kind ErrorKind, desc string) error {
	return &RuleError{Kind: kind, Description: desc}
}

// gameError wraps a game rule violation (a *game.RuleError in err's
// chain) as an ErrGameRule rejection whose text is "<code>: <message>".
func gameError(err error) error {
	return &RuleError{Kind: ErrGameRule, Description: err.Error(), Cause: err}
}

// gameRuleError builds a rejection of the pool's game policy.
func gameRuleError(code, msg string) error {
	return gameError(&game.RuleError{Code: code, Message: msg})
}

// RejectMessage is the text of a rejection as users see it (RPC error
// messages, the gg-* tools): "<reason>: <description>", the reason said
// exactly once and the description that of the rejection itself,
// without the context callers wrapped it in ("wallet: bid: broadcast
// <txid>: ..."). A description that already names the reason (a game
// rule's "<code>: <message>", possibly inside the chain's "transaction
// <txid>: ...") has it moved to the front rather than repeated. Errors
// without a Reason are returned as err.Error().
func RejectMessage(err error) string {
	var r interface {
		error
		Reason() string
	}
	if !errors.As(err, &r) {
		return err.Error()
	}
	reason, text := r.Reason(), r.Error()
	switch i := strings.Index(text, reason+": "); {
	case text == "" || text == reason:
		return reason
	case i >= 0:
		return reason + ": " + text[:i] + text[i+len(reason)+2:]
	case strings.HasSuffix(text, ": "+reason):
		text = strings.TrimSuffix(text, ": "+reason)
	}
	return reason + ": " + text
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
