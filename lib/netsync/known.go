package netsync

import (
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/siphash"
)

// A peer's known inventory (the hashes it has or we told it) is a
// rolling Bloom filter: generations of bit arrays, each holding up to
// knownRecent hashes, the newest taking insertions. A generation is
// dropped once the newer ones hold knownRecent hashes, so the
// knownRecent most recent hashes are always known and hashes older than
// about 2×knownRecent are forgotten. Generations start small and double
// up to knownRecent, so a peer told little costs little; a full filter
// costs at most knownMaxBytes (two generations of knownBitsPerHash bits
// a hash, and a dropped one kept for reuse), against about 2 MB for the map of
// 20,000 whole hashes it replaces.
//
// A false positive — a hash never added reported known — skips one
// announcement to one peer (which hears of the transaction from its
// other peers) or one request to it (asked of another peer): each full
// generation answers wrongly for about 2^-20 of the hashes never added
// (knownHashFuncs bit positions, knownBitsPerHash bits a hash). The
// positions come from SipHash under a key drawn per node, so nobody can
// make a transaction look known to every node.
const (
	// knownRecent is how many of the most recent hashes a peer's known
	// inventory always remembers.
	knownRecent = 10_000
	// knownFirstGen is the first generation's capacity.
	knownFirstGen = 64
	// knownHashFuncs bit positions per hash; knownBitsPerHash bits per
	// hash of capacity (k/ln 2 rounded up, the optimum for k).
	knownHashFuncs   = 20
	knownBitsPerHash = 29
	// knownMaxBytes bounds a filter's bit arrays.
	knownMaxBytes = 3 * knownRecent * knownBitsPerHash / 8
)

type knownFilter struct {
	k0, k1 uint64
	gens   []*knownGen // oldest first; the last takes insertions
	spare  *knownGen   // a dropped generation of full size, reused
}

type knownGen struct {
	bits     []uint64
	n, limit int
}

func (f *knownFilter) positions(h chainhash.Hash) (uint32, uint32) {
	v := siphash.Sum24(f.k0, f.k1, h[:])
	return uint32(v), uint32(v>>32) | 1
}

func (g *knownGen) has(h1, h2 uint32) bool {
	m := uint32(len(g.bits) * 64)
	for i := uint32(0); i < knownHashFuncs; i++ {
		b := (h1 + i*h2) % m
		if g.bits[b/64]&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}

func (g *knownGen) add(h1, h2 uint32) {
	m := uint32(len(g.bits) * 64)
	for i := uint32(0); i < knownHashFuncs; i++ {
		b := (h1 + i*h2) % m
		g.bits[b/64] |= 1 << (b % 64)
	}
	g.n++
}

func (f *knownFilter) has(h chainhash.Hash) bool {
	if len(f.gens) == 0 {
		return false
	}
	h1, h2 := f.positions(h)
	for i := len(f.gens) - 1; i >= 0; i-- {
		if f.gens[i].has(h1, h2) {
			return true
		}
	}
	return false
}

// add inserts h (known already: nothing).
func (f *knownFilter) add(h chainhash.Hash) {
	h1, h2 := f.positions(h)
	for i := len(f.gens) - 1; i >= 0; i-- {
		if f.gens[i].has(h1, h2) {
			return
		}
	}
	if len(f.gens) == 0 || f.gens[len(f.gens)-1].n >= f.gens[len(f.gens)-1].limit {
		f.rotate()
	}
	f.gens[len(f.gens)-1].add(h1, h2)
}

// rotate starts a generation (double the last, at most knownRecent) and
// drops the oldest while the newer ones hold knownRecent hashes.
func (f *knownFilter) rotate() {
	limit := knownFirstGen
	if len(f.gens) > 0 {
		limit = min(2*f.gens[len(f.gens)-1].limit, knownRecent)
	}
	var g *knownGen
	if f.spare != nil && f.spare.limit == limit {
		g, f.spare = f.spare, nil
		clear(g.bits)
		g.n = 0
	} else {
		g = &knownGen{bits: make([]uint64, (limit*knownBitsPerHash+63)/64), limit: limit}
	}
	f.gens = append(f.gens, g)
	for len(f.gens) > 1 {
		newer := 0
		for _, x := range f.gens[1:] {
			newer += x.n
		}
		if newer < knownRecent {
			break
		}
		if f.gens[0].limit == knownRecent {
			f.spare = f.gens[0]
		}
		f.gens[0] = nil
		f.gens = f.gens[1:]
	}
}
