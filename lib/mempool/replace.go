package mempool

import "fmt"

// FeeReplacement is the default ReplacementPolicy: full replace-by-fee
// with BIP125's economic rules (3 to 5, with the eviction bound enforced by
// the pool): the replacement pays more in total than everything it evicts,
// the difference covers its own relay at the minimum relay fee rate, and
// its fee rate beats each directly conflicting transaction's.
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
	if r.ModFee <= r.EvictedModFees {
		return ruleError(ErrInsufficientFee, fmt.Sprintf(
			"replacement %s pays %d dust, not more than the %d it evicts",
			r.Tx.TxID, r.ModFee, r.EvictedModFees))
	}
	if extra, need := r.ModFee-r.EvictedModFees, feeForVSize(r.MinRelayFeeRate, r.Tx.VSize); extra < need {
		return ruleError(ErrInsufficientFee, fmt.Sprintf(
			"replacement %s adds %d dust, less than the %d its relay costs",
			r.Tx.TxID, extra, need))
	}
	return nil
}
