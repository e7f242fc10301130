package chain

import (
	"math/big"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// checkProofOfWork checks that the header's target is in range and, unless
// noHash, that its hash meets the target.
func checkProofOfWork(h *wire.BlockHeader, hash *chainhash.Hash, powLimit *big.Int, noHash bool) error {
	target := chaincfg.CompactToBig(h.Bits)
	if target.Sign() <= 0 || h.Bits&0x00800000 != 0 {
		return ruleError(ErrHighHash, "block target from bits %08x is not positive", h.Bits)
	}
	if target.Cmp(powLimit) > 0 {
		return ruleError(ErrHighHash, "block target from bits %08x is above the proof-of-work limit", h.Bits)
	}
	if !noHash && chaincfg.HashToBig(hash).Cmp(target) > 0 {
		return ruleError(ErrHighHash, "block hash %v is above the target of bits %08x", hash, h.Bits)
	}
	return nil
}

// nextRequiredBits returns the bits a block with timestamp ts must carry on
// top of prev, following Bitcoin's retarget rules: a new target every
// BlocksPerRetarget blocks from the time the last window took (clamped to
// a factor RetargetFactor), the testnet exception allowing a minimum
// difficulty block after MinDiffReductionTime without one, and no change at
// all on NoRetargeting networks.
func (c *Chain) nextRequiredBits(prev *blockNode, ts uint32) uint32 {
	p := c.params
	if prev == nil {
		return p.PowLimitBits
	}
	interval := p.BlocksPerRetarget()
	if (prev.height+1)%interval != 0 {
		if p.ReduceMinDifficulty {
			if int64(ts) > int64(prev.header.Timestamp)+int64(p.MinDiffReductionTime.Seconds()) {
				return p.PowLimitBits
			}
			// The last block that was not a minimum-difficulty exception.
			n := prev
			for n.parent != nil && n.height%interval != 0 && n.header.Bits == p.PowLimitBits {
				n = n.parent
			}
			return n.header.Bits
		}
		return prev.header.Bits
	}
	if p.NoRetargeting {
		return prev.header.Bits
	}
	first := c.index.ancestor(prev, prev.height-(interval-1))
	if first == nil {
		return prev.header.Bits
	}
	span := int64(p.TargetTimespan.Seconds())
	actual := int64(prev.header.Timestamp) - int64(first.header.Timestamp)
	actual = max(actual, span/p.RetargetFactor)
	actual = min(actual, span*p.RetargetFactor)
	// BIP94: the new target scales the first block's bits of the window,
	// not the last block's, which on testnet may be a minimum-difficulty
	// exception (Bitcoin's rule would then reset the difficulty). On main,
	// where a window's bits never vary, both are the same.
	base := prev.header.Bits
	if p.EnforceBIP94 {
		base = first.header.Bits
	}
	target := chaincfg.CompactToBig(base)
	target.Mul(target, big.NewInt(actual))
	target.Div(target, big.NewInt(span))
	if target.Cmp(p.PowLimit) > 0 {
		target.Set(p.PowLimit)
	}
	return chaincfg.BigToCompact(target)
}
