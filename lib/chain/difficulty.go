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
// top of prev (NextRequiredBits over the block index).
func (c *Chain) nextRequiredBits(prev *blockNode, ts uint32) uint32 {
	if prev == nil {
		return c.params.PowLimitBits
	}
	return NextRequiredBits(c.params, prev.height, c.index.ancestorsOf(prev), ts)
}
