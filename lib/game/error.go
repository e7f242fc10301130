package game

import (
	"errors"
	"fmt"
)

// ErrRule is the sentinel every game rule violation wraps:
// errors.Is(err, game.ErrRule) reports whether err condemns the
// transaction (and a block holding it) rather than a local failure.
var ErrRule = errors.New("game rule violated")

// Stable codes of game rule violations. They appear in mempool rejections
// ("transaction rejected: <code>: <message>") and block reject reasons.
const (
	CodeBadRecord        = "game-bad-record"         // malformed record output or payload
	CodeMultipleRecords  = "game-multiple-records"   // more than one record output
	CodeCoinbaseRecord   = "game-coinbase-record"    // a coinbase with a record
	CodeBadCarrier       = "game-bad-carrier"        // a named carrier output is out of range, repeated, the record itself or not P2WPKH/P2WSH
	CodeBadName          = "game-bad-name"           // producer name syntax
	CodeBadURL           = "game-bad-url"            // producer URL syntax
	CodeBadIP            = "game-bad-ip"             // producer IP syntax
	CodeBadClass         = "game-bad-class"          // producer class syntax
	CodeBadShare         = "game-bad-share"          // media share above 49
	CodeFeeTooLow        = "game-fee-too-low"        // producer output below ProducerFee
	CodeGoldTooLow       = "game-gold-too-low"       // prop below MinPropGold
	CodeBadSale          = "game-bad-sale"           // sale fields or transaction shape
	CodeObjectNoRecord   = "game-object-no-record"   // a game object spent by a tx without a record
	CodeObjectNotCarried = "game-object-not-carried" // spent objects differ from those the record carries
	CodeUnknownObject    = "game-unknown-object"     // a carried object missing from the registries
	CodeNameTaken        = "game-name-taken"         // producer name held by another producer
	CodeGoldChanged      = "game-gold-changed"       // a prop carrier's value differs from its gold
	CodeSellerNotPaid    = "game-seller-not-paid"    // a settlement does not pay the seller's script
	CodeBidTooLow        = "game-bid-too-low"        // bid below gold or reserve
	CodeAuctionNotFinal  = "game-auction-not-final"  // bid below buy-now before the end height
	CodeAuctionExpired   = "game-auction-expired"    // settlement after end + grace
	CodeSaleListing      = "game-sale-listing"       // the listing form of a sale in a block

	CodeBadTerms           = "game-bad-terms"            // contract terms break a rule (keys, amounts, expiry)
	CodeBadFulfil          = "game-bad-fulfil"           // a fulfil's outputs or scripts do not match its terms
	CodeContractExists     = "game-contract-exists"      // a second fulfil of the same contract
	CodeContractExpired    = "game-contract-expired"     // fulfil or claim at or after the expiry height
	CodeContractNotExpired = "game-contract-not-expired" // refund below the expiry height
	CodeContractState      = "game-contract-state"       // execute of a contract not fulfilled, already settled or a swap
	CodeEscrowNotSpent     = "game-escrow-not-spent"     // an execute leaves an escrow output unspent
	CodeEscrowWitness      = "game-escrow-witness"       // an escrow input's witness is no known path layout
	CodeEscrowPath         = "game-escrow-path"          // an escrow input's path differs from the record's
	CodeBadPath            = "game-bad-path"             // a claim of a contract without a hash lock
	CodePropInEscrow       = "game-prop-in-escrow"       // send, destroy or sale of a prop held by an escrow
)

// RuleError is a violated game rule: a stable short Code and a human
// Message. errors.Is(err, ErrRule) holds.
type RuleError struct {
	Code    string
	Message string
}

// Error returns "code: message".
func (e *RuleError) Error() string { return e.Code + ": " + e.Message }

// Is makes errors.Is(err, ErrRule) hold.
func (e *RuleError) Is(target error) bool { return target == ErrRule }

func ruleErr(code, format string, args ...any) error {
	return &RuleError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Code returns the code of the RuleError in err's chain, or "".
func Code(err error) string {
	var re *RuleError
	if errors.As(err, &re) {
		return re.Code
	}
	return ""
}
