package spv

import (
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// hnode is one accepted header.
type hnode struct {
	hdr    wire.BlockHeader
	hash   chainhash.Hash
	height int32
	work   *big.Int // chain work up to and including this header
	parent *hnode
}

// headerChain is every header the light node accepted, and its best
// chain (most work) by height. It is not safe for concurrent use (the
// Node's lock guards it).
type headerChain struct {
	params *chaincfg.Params
	nodes  map[chainhash.Hash]*hnode
	main   []*hnode // main[h] is the best chain's header at height h
}

func newHeaderChain(p *chaincfg.Params) *headerChain {
	g := p.GenesisBlock.Header
	n := &hnode{hdr: g, hash: g.BlockHash(), work: chaincfg.CalcWork(g.Bits)}
	return &headerChain{params: p, nodes: map[chainhash.Hash]*hnode{n.hash: n}, main: []*hnode{n}}
}

func (c *headerChain) tip() *hnode { return c.main[len(c.main)-1] }

// ancestor returns n's ancestor at height h (n itself at its height).
func (c *headerChain) ancestor(n *hnode, h int32) *hnode {
	if h < 0 || h > n.height {
		return nil
	}
	for n != nil && n.height > h {
		if int(n.height) < len(c.main) && c.main[n.height] == n {
			return c.main[h] // on the best chain: jump
		}
		n = n.parent
	}
	return n
}

// ancestors is the chain.Ancestors of n. It walks on from the last
// header it returned, so the rules' descending queries (the median time
// past, the minimum-difficulty walk back to a retarget boundary) cost one
// step each off the best chain, not a walk from n each.
func (c *headerChain) ancestors(n *hnode) chain.Ancestors {
	cur := n
	return func(h int32) *wire.BlockHeader {
		if h > cur.height {
			cur = n
		}
		a := c.ancestor(cur, h)
		if a == nil {
			return nil
		}
		cur = a
		return &a.hdr
	}
}

// onMain reports whether n is on the best chain.
func (c *headerChain) onMain(n *hnode) bool {
	return int(n.height) < len(c.main) && c.main[n.height] == n
}

// check runs lib/chain's header rules on h building on prev.
func (c *headerChain) check(h *wire.BlockHeader, hash chainhash.Hash, prev *hnode, now time.Time) error {
	if err := chain.CheckProofOfWork(h, hash, c.params.PowLimit); err != nil {
		return err
	}
	if err := chain.CheckHeaderTime(h, now); err != nil {
		return err
	}
	if err := chain.CheckHeaderRules(c.params, h, prev.height, c.ancestors(prev)); err != nil {
		return err
	}
	if err := chain.CheckCheckpoint(c.params, hash, prev.height+1); err != nil {
		return err
	}
	// A fork below the last checkpoint on the best chain is refused.
	cps := c.params.Checkpoints
	for i := len(cps) - 1; i >= 0; i-- {
		if int(cps[i].Height) < len(c.main) && c.main[cps[i].Height].hash == cps[i].Hash {
			if prev.height+1 < cps[i].Height {
				return fmt.Errorf("header %v at height %d forks below the checkpoint at height %d", hash, prev.height+1, cps[i].Height)
			}
			break
		}
	}
	return nil
}

// add accepts h on its known parent (the caller checked it) and returns
// the new node.
func (c *headerChain) add(h wire.BlockHeader, hash chainhash.Hash, prev *hnode) *hnode {
	n := &hnode{hdr: h, hash: hash, height: prev.height + 1, parent: prev,
		work: new(big.Int).Add(prev.work, chaincfg.CalcWork(h.Bits))}
	c.nodes[hash] = n
	return n
}

// reorgTo makes n's chain the best one and returns the fork height (the
// last height both chains share).
func (c *headerChain) reorgTo(n *hnode) int32 {
	var branch []*hnode
	a := n
	for !c.onMain(a) {
		branch = append(branch, a)
		a = a.parent
	}
	fork := a.height
	c.main = c.main[:fork+1]
	for i := len(branch) - 1; i >= 0; i-- {
		c.main = append(c.main, branch[i])
	}
	return fork
}

// locator lists best-chain hashes from the tip back to genesis, densely
// at first and then at doubling steps.
func (c *headerChain) locator() []chainhash.Hash {
	var out []chainhash.Hash
	step := int32(1)
	for h := c.tip().height; ; h -= step {
		if h < 0 {
			h = 0
		}
		out = append(out, c.main[h].hash)
		if h == 0 {
			return out
		}
		if len(out) >= 10 {
			step *= 2
		}
	}
}

// load rebuilds the chain from stored headers and the stored tip.
func (c *headerChain) load(hs []storedHeader, tip chainhash.Hash) error {
	sort.Slice(hs, func(i, j int) bool { return hs[i].height < hs[j].height })
	for _, s := range hs {
		if s.height == 0 {
			continue
		}
		prev := c.nodes[s.hdr.PrevBlock]
		if prev == nil || prev.height+1 != s.height {
			return fmt.Errorf("spv: stored header %v at height %d has no parent", s.hash, s.height)
		}
		c.add(s.hdr, s.hash, prev)
	}
	if n := c.nodes[tip]; n != nil {
		c.reorgTo(n)
	}
	return nil
}
