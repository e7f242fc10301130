package wallet

import (
	"sync"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// Handing out an address moves the branch's lookahead horizon by one:
// extend derives one more child public key, a point multiplication that
// would otherwise sit on the path of every send and game action. The
// ahead cache derives the next keys of a branch in the background, off
// the wallet's lock and its database, so extend usually finds the key
// ready and only stores it. It holds nothing but public keys, which the
// branch key alone determines: a key found in it is exactly the key
// extend would have derived.
const (
	aheadLow   = 8  // refill a branch once fewer keys than this are ready
	aheadHigh  = 32 // derive this many keys ahead of the horizon
	aheadChunk = 4  // keys derived between two publications
)

type aheadCache struct {
	mu       sync.Mutex
	branches map[*hdkeychain.ExtendedKey]*aheadBranch
	closed   bool
	wg       sync.WaitGroup
}

// aheadBranch holds the derived keys of indexes start, start+1, … of one
// branch (the key of pubs[i] is index start+i; nil: an invalid child,
// which has no address).
type aheadBranch struct {
	start uint32
	pubs  [][]byte
	busy  bool // a goroutine is deriving for this branch
}

// take returns the compressed public key of child idx of bk, if it was
// derived ahead (nil with ok for an invalid child), and drops the keys
// below idx: the horizon only moves forward. A miss restarts the branch
// after idx.
func (c *aheadCache) take(bk *hdkeychain.ExtendedKey, idx uint32) (pub []byte, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ab := c.branches[bk]
	if ab == nil {
		return nil, false
	}
	if idx < ab.start || idx-ab.start >= uint32(len(ab.pubs)) {
		if idx >= ab.start {
			ab.start, ab.pubs = idx+1, nil
		}
		return nil, false
	}
	i := idx - ab.start
	pub = ab.pubs[i]
	ab.pubs = ab.pubs[i+1:]
	ab.start = idx + 1
	return pub, true
}

// refill starts deriving the keys of bk from index from on, in the
// background, unless enough are ready or a derivation is under way.
func (c *aheadCache) refill(bk *hdkeychain.ExtendedKey, from uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || from >= hdkeychain.HardenedKeyStart {
		return
	}
	if c.branches == nil {
		c.branches = map[*hdkeychain.ExtendedKey]*aheadBranch{}
	}
	ab := c.branches[bk]
	if ab == nil {
		ab = &aheadBranch{start: from}
		c.branches[bk] = ab
	}
	switch {
	case from > ab.start && from-ab.start < uint32(len(ab.pubs)):
		ab.pubs = ab.pubs[from-ab.start:]
	case from != ab.start:
		// Past what is ready, or behind it (an update that extended
		// the branch was rolled back): start over from the horizon.
		ab.pubs = nil
	}
	ab.start = from
	if ab.busy || len(ab.pubs) >= aheadLow {
		return
	}
	ab.busy = true
	c.wg.Go(func() { c.derive(bk, ab) })
}

// derive fills ab up to aheadHigh keys, publishing them a few at a time.
func (c *aheadCache) derive(bk *hdkeychain.ExtendedKey, ab *aheadBranch) {
	for {
		c.mu.Lock()
		next := ab.start + uint32(len(ab.pubs))
		if c.closed || len(ab.pubs) >= aheadHigh || next < ab.start || next >= hdkeychain.HardenedKeyStart {
			ab.busy = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		n := min(uint32(aheadChunk), hdkeychain.HardenedKeyStart-next)
		chunk := make([][]byte, 0, n)
		for i := range n {
			pub, err := childPub(bk, next+i)
			if err != nil {
				break // not an invalid child: leave it to extend, which reports it
			}
			chunk = append(chunk, pub)
		}
		c.mu.Lock()
		if len(chunk) == 0 {
			ab.busy = false
			c.mu.Unlock()
			return
		}
		// Publish only if the branch still ends where this chunk starts
		// (take may have moved it on meanwhile).
		if ab.start+uint32(len(ab.pubs)) == next {
			ab.pubs = append(ab.pubs, chunk...)
		}
		c.mu.Unlock()
	}
}

// close stops the derivations and waits for them.
func (c *aheadCache) close() {
	c.mu.Lock()
	c.closed = true
	c.branches = nil
	c.mu.Unlock()
	c.wg.Wait()
}

// childPub derives the compressed public key of child idx of the public
// branch key bk: nil, without error, for an invalid child.
func childPub(bk *hdkeychain.ExtendedKey, idx uint32) ([]byte, error) {
	child, err := bk.Derive(idx)
	if isInvalidChild(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	pub, err := child.ECPubKey()
	if err != nil {
		return nil, err
	}
	return pub.SerializeCompressed(), nil
}
