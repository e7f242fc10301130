package mempool

import (
	"bytes"
	"fmt"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/wire"
)

// Auction describes a transaction carrying a Sale record: the listing
// (one input, one output: the record) or a bid (the settlement form:
// output 1 pays the seller the bid, output 2 carries the prop to the
// buyer).
type Auction struct {
	Sale    *game.Sale
	Listing bool
	Bid     int64 // output 1's value; 0 for a listing
}

// AuctionOf reports whether tx carries a well-formed Sale record and
// describes it. It decodes the record only; the game rules are checked
// when the transaction enters the pool.
func AuctionOf(tx *wire.MsgTx) (Auction, bool) {
	s, bid, ok := game.SaleOf(tx)
	if !ok {
		return Auction{}, false
	}
	return Auction{Sale: s, Listing: game.IsListing(tx), Bid: bid}, true
}

// Final reports whether the transaction may go into a block at height: a
// bid that is final there (bid ≥ buy-now or height ≥ end, and height ≤
// end + grace). A listing never is.
func (a Auction) Final(height int32, params *chaincfg.Params) bool {
	return !a.Listing && a.Bid > 0 && game.IsFinal(a.Sale, a.Bid, height, params)
}

// unminableBid reports whether e is a bid that no block at height may
// include (below buy-now before the end height, or past end + grace).
func (e *entry) unminableBid(height int32, params *chaincfg.Params) bool {
	if e.game == nil || e.game.auction == nil {
		return false
	}
	a := e.game.auction
	return !a.Listing && !a.Final(height, params)
}

// lapsed reports whether the sale can no longer settle at height.
func (a Auction) lapsed(height int32, params *chaincfg.Params) bool {
	return int64(height) > int64(a.Sale.End)+int64(params.AuctionGrace)
}

// AuctionReplacement is the default ReplacementPolicy. A transaction that
// conflicts with a live sale listing or bid may replace it only as a
// better bid: a bid (Sale record, settlement form) spending the same prop
// carrier as input 0 with the same record, whose bid beats the current
// best — above it, or equal to it with a txid that sorts first as
// displayed, so every pool that sees both equal bids keeps the same one
// (a listing counts as 0) — at least the prop's gold and the reserve,
// while the current best is still below the buy-now price
// ("game-auction-closed" otherwise), and that pays BIP125's rules 3 and
// 4: at least the fees of everything it evicts (a listing's are 0) plus
// its own vsize at the minimum relay rate (ErrInsufficientFee). The
// replaced listing or bid leaves with its descendants. Any other conflict
// with a listing or bid is refused ("game-prop-on-sale").
// Conflicts with other transactions go to Fallback (FeeReplacement when
// nil), judged without the auction transactions and their descendants.
type AuctionReplacement struct {
	Fallback ReplacementPolicy
}

// CheckReplacement implements ReplacementPolicy.
func (a AuctionReplacement) CheckReplacement(r *Replacement) error {
	var sale *TxDesc
	var cur Auction
	var rest []*TxDesc
	for _, c := range r.Conflicts {
		if ca, ok := AuctionOf(c.Tx); ok {
			if sale != nil {
				return gameRuleError(CodePropOnSale, fmt.Sprintf("transaction %s conflicts with sales %s and %s", r.Tx.TxID, sale.TxID, c.TxID))
			}
			sale, cur = c, ca
			continue
		}
		rest = append(rest, c)
	}
	fallback := a.Fallback
	if fallback == nil {
		fallback = FeeReplacement{}
	}
	if sale == nil {
		return fallback.CheckReplacement(r)
	}
	if err := checkOutbid(r.Tx, sale, cur); err != nil {
		return err
	}
	// BIP125's rules 3 and 4: the new bid pays at least what it evicts
	// (the listing counts 0, the replaced bid and its descendants their
	// fees) plus its own relay at the incremental rate, so bidding up is
	// never free relay.
	if err := payForEviction(r, fmt.Sprintf("bid %s replacing %s", r.Tx.TxID, sale.TxID)); err != nil {
		return err
	}
	if len(rest) == 0 {
		return nil
	}
	// Judge the other conflicts alone.
	tree := map[chainhash.Hash]bool{sale.TxID: true}
	for grew := true; grew; {
		grew = false
		for _, d := range r.Evicted {
			if tree[d.TxID] {
				continue
			}
			for _, in := range d.Tx.TxIn {
				if tree[in.PreviousOutPoint.Hash] {
					tree[d.TxID], grew = true, true
					break
				}
			}
		}
	}
	sub := *r
	sub.Conflicts, sub.Evicted, sub.EvictedModFees = rest, nil, 0
	for _, d := range r.Evicted {
		if !tree[d.TxID] {
			sub.Evicted = append(sub.Evicted, d)
			sub.EvictedModFees += d.Fee + d.FeeDelta
		}
	}
	return fallback.CheckReplacement(&sub)
}

// txidFirst reports whether a sorts before b as displayed (hex, most
// significant byte first): the tie rule between equal bids.
func txidFirst(a, b chainhash.Hash) bool {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// checkOutbid applies the auction rules to tx, which conflicts with the
// listing or bid sale (described by cur).
func checkOutbid(tx, sale *TxDesc, cur Auction) error {
	onSale := func(why string) error {
		return gameRuleError(CodePropOnSale, fmt.Sprintf("transaction %s conflicts with sale %s of prop %v: %s", tx.TxID, sale.TxID, cur.Sale.Prop, why))
	}
	bid, ok := AuctionOf(tx.Tx)
	switch {
	case !ok:
		return onSale("the prop is on sale")
	case bid.Listing || bid.Bid == 0:
		return onSale("only a bid may replace a sale")
	case tx.Tx.TxIn[0].PreviousOutPoint != sale.Tx.TxIn[0].PreviousOutPoint:
		return onSale("a bid must spend the prop on sale as input 0")
	case !bytes.Equal(tx.Tx.TxOut[0].PkScript, sale.Tx.TxOut[0].PkScript):
		return onSale("a bid must keep the sale's record")
	}
	if uint64(cur.Bid) >= cur.Sale.BuyNow {
		return gameRuleError(CodeAuctionClosed, fmt.Sprintf("prop %v: the best bid %d reached the buy-now price %d", cur.Sale.Prop, cur.Bid, cur.Sale.BuyNow))
	}
	if bid.Bid < cur.Bid || (bid.Bid == cur.Bid && !txidFirst(tx.TxID, sale.TxID)) {
		return gameRuleError(game.CodeBidTooLow, fmt.Sprintf("bid %d for prop %v does not beat the best bid %d (%s)", bid.Bid, cur.Sale.Prop, cur.Bid, sale.TxID))
	}
	if gold := tx.Tx.TxOut[2].Value; bid.Bid < gold {
		return gameRuleError(game.CodeBidTooLow, fmt.Sprintf("bid %d below the prop's gold %d", bid.Bid, gold))
	}
	if uint64(bid.Bid) < bid.Sale.Reserve {
		return gameRuleError(game.CodeBidTooLow, fmt.Sprintf("bid %d below the reserve %d", bid.Bid, bid.Sale.Reserve))
	}
	return nil
}
