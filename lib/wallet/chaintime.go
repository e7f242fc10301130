package wallet

import (
	"encoding/binary"
	"slices"

	"github.com/gamegold/gg/lib/store"
)

// keyBlockTimePrefix ‖ height u32 -> block timestamp u32, in the meta
// bucket: the timestamps of the blocks the wallet processed, for the
// median time past that time-based locks compare with (BIP113). Kept
// for every height (16 bytes a block): a relative time lock's start is
// the median time past before its coin's block, however old.
var keyBlockTimePrefix = []byte("bts/")

func blockTimeKey(height int32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), keyBlockTimePrefix...), uint32(height))
}

// putBlockTime records the timestamp of the block at height (0, which
// no real block has, is not recorded: unknown).
func putBlockTime(tx *store.Tx, height int32, ts uint32) error {
	if ts == 0 || height < 0 {
		return nil
	}
	return tx.Bucket(bktMeta).Put(blockTimeKey(height), binary.BigEndian.AppendUint32(nil, ts))
}

func deleteBlockTime(tx *store.Tx, height int32) error {
	return tx.Bucket(bktMeta).Delete(blockTimeKey(height))
}

func blockTime(tx *store.Tx, height int32) (int64, bool) {
	v := tx.Bucket(bktMeta).Get(blockTimeKey(height))
	if len(v) != 4 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint32(v)), true
}

// medianTimeBlocks is how many blocks the median time past spans.
const medianTimeBlocks = 11

// chainTime answers, inside one database transaction, the median time
// past (the median timestamp of a block and up to ten ancestors) of the
// chain the wallet follows, from the timestamps it stored. Where some of
// a window's timestamps are unknown (blocks before the wallet started
// following the chain) it gives the bound that keeps a coin locked
// rather than one that lets the wallet build a spend the node refuses.
type chainTime struct {
	tx  *store.Tx
	tip int32
	mtp int64 // the tip's, a lower bound; -1: not computed yet
}

func newChainTime(tx *store.Tx, tip int32) *chainTime { return &chainTime{tx: tx, tip: tip, mtp: -1} }

// window returns the known timestamps of height-10..height, sorted, and
// how many blocks the window spans (fewer near the genesis block).
func (c *chainTime) window(height int32) ([]int64, int) {
	if height < 0 {
		return nil, 0
	}
	n := int(min(height+1, medianTimeBlocks))
	var known []int64
	for h := height; h > height-int32(n); h-- {
		if ts, ok := blockTime(c.tx, h); ok {
			known = append(known, ts)
		}
	}
	slices.Sort(known)
	return known, n
}

// tipMedianTime is the tip's median time past, or a lower bound of it
// (0 when too little is known): what a lock time or a relative time lock
// must be below for a spend to enter the next block.
func (c *chainTime) tipMedianTime() int64 {
	if c.mtp < 0 {
		c.mtp = 0
		known, n := c.window(c.tip)
		// The median is the n/2-th of the n timestamps; with u unknown
		// ones it is at least the (n/2-u)-th known one.
		if i := n/2 - (n - len(known)); n > 0 && i >= 0 {
			c.mtp = known[i]
		}
	}
	return c.mtp
}

// lockBase is the median time past a relative time lock on a coin
// confirmed at height counts from (BIP68: that of the block before), or
// an upper bound of it: a block's timestamp exceeds its parent's median
// time past. ok is false when neither is known.
func (c *chainTime) lockBase(height int32) (int64, bool) {
	parent := max(height-1, 0)
	known, n := c.window(parent)
	if n > 0 && len(known) == n {
		return known[n/2], true
	}
	best, ok := int64(0), false
	if ts, has := blockTime(c.tx, height); has && height > 0 {
		best, ok = ts-1, true
	}
	// Unknown timestamps can only lower the median below the n/2-th
	// known one.
	if len(known) > n/2 && (!ok || known[n/2] < best) {
		best, ok = known[n/2], true
	}
	return best, ok
}
