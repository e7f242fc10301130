package mempool

import "fmt"

// FeeReplacement is the default ReplacementPolicy: full replace-by-fee
// with BIP125's economic rules (3 to 5, with the eviction bound enforced by
// the pool): the replacement pays at least the fees of everything it
// evicts, what it adds covers its own relay at the minimum relay fee rate
// (payForEviction), and its fee rate beats each directly conflicting
// transaction's.
type FeeReplacement struct{}

// CheckReplacement implements ReplacementPolicy.
func (FeeReplacement) CheckReplacement(r *Replacement) error {
	newRate := feeRate(r.ModFee, r.Tx.VSize)
	for _, c := range r.Conflicts {
		if rate := feeRate(c.Fee+c.FeeDelta, c.VSize); newRate <= rate {
			return ruleError(ErrInsufficientFee, fmt.Sprintf(
				"replacement %s fee rate %d dust/kvB does not beat %d of %s",
				r.Tx.TxID, newRate, rate, c.TxID))
		}
	}
	return payForEviction(r, "replacement "+r.Tx.TxID.String())
}

// payForEviction is BIP125's rules 3 and 4, for FeeReplacement and for
// bids (AuctionReplacement) alike: r pays at least the fees of everything
// it evicts, and what it adds covers its own vsize at the minimum relay
// fee rate, so replacing is never free relay. what names r in the error.
func payForEviction(r *Replacement, what string) error {
	if r.ModFee < r.EvictedModFees {
		return ruleError(ErrInsufficientFee, fmt.Sprintf(
			"%s pays %d dust, less than the %d it evicts", what, r.ModFee, r.EvictedModFees))
	}
	if extra, need := r.ModFee-r.EvictedModFees, feeForVSize(r.MinRelayFeeRate, r.Tx.VSize); extra < need {
		return ruleError(ErrInsufficientFee, fmt.Sprintf(
			"%s adds %d dust to the %d it evicts, less than the %d its relay costs", what, extra, r.EvictedModFees, need))
	}
	return nil
}
