package chain

import (
	"math/big"
	"sort"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// The header rules as pure functions of a header and its ancestors, so a
// chain of headers without blocks (lib/spv's light node) checks exactly
// what Chain checks before it indexes a header. Chain's own checks call
// them over its block index.

// Ancestors returns the header at height of the chain a new header builds
// on: heights from 0 up to the parent's. It is only asked for heights
// the rules need (the last MedianTimeBlocks, the first block of a
// retarget window, the minimum-difficulty walk of ReduceMinDifficulty
// networks).
type Ancestors func(height int32) *wire.BlockHeader

// CheckProofOfWork checks that h's target is positive and within
// powLimit, and that its hash meets it (ErrHighHash).
func CheckProofOfWork(h *wire.BlockHeader, hash chainhash.Hash, powLimit *big.Int) error {
	return checkProofOfWork(h, &hash, powLimit, false)
}

// CheckHeaderTime refuses a header dated more than MaxFutureBlockTime
// after now (ErrTimeTooNew; such a header may become valid later).
func CheckHeaderTime(h *wire.BlockHeader, now time.Time) error {
	if int64(h.Timestamp) > now.Add(MaxFutureBlockTime).Unix() {
		return ruleError(ErrTimeTooNew, "block timestamp %d more than %v in the future", h.Timestamp, MaxFutureBlockTime)
	}
	return nil
}

// MedianTimePastOf is the median timestamp of the MedianTimeBlocks
// blocks ending at the block at height tip.
func MedianTimePastOf(tip int32, anc Ancestors) int64 {
	var ts [MedianTimeBlocks]int64
	k := 0
	for ; k < MedianTimeBlocks && tip-int32(k) >= 0; k++ {
		ts[k] = int64(anc(tip - int32(k)).Timestamp)
	}
	s := ts[:k]
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[k/2]
}

// NextRequiredBits returns the bits a block with timestamp ts must carry
// on top of the block at prevHeight, following Bitcoin's retarget rules:
// a new target every BlocksPerRetarget blocks from the time the last
// window took (clamped to a factor RetargetFactor), the testnet
// exception allowing a minimum difficulty block after
// MinDiffReductionTime without one, and no change at all on
// NoRetargeting networks. prevHeight < 0 means no parent (genesis).
func NextRequiredBits(p *chaincfg.Params, prevHeight int32, anc Ancestors, ts uint32) uint32 {
	if prevHeight < 0 {
		return p.PowLimitBits
	}
	prev := anc(prevHeight)
	interval := p.BlocksPerRetarget()
	if (prevHeight+1)%interval != 0 {
		if p.ReduceMinDifficulty {
			if int64(ts) > int64(prev.Timestamp)+int64(p.MinDiffReductionTime.Seconds()) {
				return p.PowLimitBits
			}
			// The last block that was not a minimum-difficulty exception.
			h, n := prevHeight, prev
			for h > 0 && h%interval != 0 && n.Bits == p.PowLimitBits {
				h--
				n = anc(h)
			}
			return n.Bits
		}
		return prev.Bits
	}
	if p.NoRetargeting {
		return prev.Bits
	}
	firstHeight := prevHeight - (interval - 1)
	if firstHeight < 0 {
		return prev.Bits
	}
	first := anc(firstHeight)
	span := int64(p.TargetTimespan.Seconds())
	actual := int64(prev.Timestamp) - int64(first.Timestamp)
	actual = max(actual, span/p.RetargetFactor)
	actual = min(actual, span*p.RetargetFactor)
	// BIP94: the new target scales the first block's bits of the window,
	// not the last block's, which on testnet may be a minimum-difficulty
	// exception (Bitcoin's rule would then reset the difficulty). On main,
	// where a window's bits never vary, both are the same.
	base := prev.Bits
	if p.EnforceBIP94 {
		base = first.Bits
	}
	target := chaincfg.CompactToBig(base)
	target.Mul(target, big.NewInt(actual))
	target.Div(target, big.NewInt(span))
	if target.Cmp(p.PowLimit) > 0 {
		target.Set(p.PowLimit)
	}
	return chaincfg.BigToCompact(target)
}

// CheckHeaderRules checks a header against the block at prevHeight it
// builds on: the required bits, a timestamp after the median time past,
// BIP94's time-warp bound and the minimum version. Failures make the
// header invalid for good.
func CheckHeaderRules(p *chaincfg.Params, h *wire.BlockHeader, prevHeight int32, anc Ancestors) error {
	if want := NextRequiredBits(p, prevHeight, anc, h.Timestamp); h.Bits != want {
		return ruleError(ErrBadBits, "block bits %08x, required %08x", h.Bits, want)
	}
	if mtp := MedianTimePastOf(prevHeight, anc); int64(h.Timestamp) <= mtp {
		return ruleError(ErrTimeTooOld, "block timestamp %d not after median time past %d", h.Timestamp, mtp)
	}
	if p.EnforceBIP94 && !p.NoRetargeting && (prevHeight+1)%p.BlocksPerRetarget() == 0 {
		if prevTS := anc(prevHeight).Timestamp; int64(h.Timestamp) < int64(prevTS)-MaxTimewarp {
			return ruleError(ErrTimewarp, "block timestamp %d opens a retarget window more than %d s before its parent's %d",
				h.Timestamp, MaxTimewarp, prevTS)
		}
	}
	if h.Version < MinBlockVersion {
		return ruleErrorReason(ErrBadVersion, "bad-version", "block version %d below %d", h.Version, MinBlockVersion)
	}
	return nil
}

// CheckCheckpoint refuses a header at a checkpoint's height with another
// hash (ErrCheckpointMismatch).
func CheckCheckpoint(p *chaincfg.Params, hash chainhash.Hash, height int32) error {
	if cp := p.CheckpointAt(height); cp != nil && cp.Hash != hash {
		return ruleError(ErrCheckpointMismatch, "block %v at height %d is not the checkpoint %v", hash, height, cp.Hash)
	}
	return nil
}

// ancestorsOf is the Ancestors of the chain ending at n in the index. It
// walks on from the last node it returned, so the rules' descending
// queries cost one parent step each (as walking n.parent did), not a
// walk from n each.
func (bi *blockIndex) ancestorsOf(n *blockNode) Ancestors {
	cur := n
	return func(h int32) *wire.BlockHeader {
		if h > cur.height {
			cur = n
		}
		a := bi.ancestor(cur, h)
		if a == nil {
			return nil
		}
		cur = a
		return &a.header
	}
}
