package netsim

import (
	"fmt"
	"math"
	"time"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// Selfish is a selfish miner ([attackers.selfish]) after Eyal and
// Sirer, "Majority is not Enough: Bitcoin Mining is Vulnerable" (FC
// 2014): node 0 holds a share Alpha of the mining power, keeps the
// blocks it finds to itself and releases them to win races against the
// honest chain. Its node is a real Host and netsync Manager like every
// other; only its mining is the attacker's.
type Selfish struct {
	Alpha float64 `toml:"alpha"`
}

func (f *Selfish) check() error {
	if f.Alpha <= 0 || f.Alpha >= 0.5 {
		return fmt.Errorf("alpha %g: need more than 0 and less than 0.5", f.Alpha)
	}
	return nil
}

// SelfishReport is what the selfish miner got: blocks found, blocks on
// the best chain at the end (as an honest node, node 1, sees it), its
// share of them (the revenue share; honest mining would give Alpha),
// and γ — the share of honest mining power on the attacker's branch
// during a tie, measured at each tie's end (power-weighted over the
// honest nodes that had one of the two blocks), with the count of honest
// blocks found during ties and how many of them extended the attacker's
// branch. ExpectedRevenue is Eyal and Sirer's formula at Alpha and the
// measured γ.
type SelfishReport struct {
	Alpha              float64 `json:"alpha"`
	AttackerBlocks     int     `json:"attacker_blocks"`
	HonestBlocks       int     `json:"honest_blocks"`
	BestChainBlocks    int     `json:"best_chain_blocks"`
	AttackerBestBlocks int     `json:"attacker_best_chain_blocks"`
	RevenueShare       float64 `json:"revenue_share"`
	Ties               int     `json:"ties"`
	Gamma              float64 `json:"gamma"`
	TieHonestBlocks    int     `json:"tie_honest_blocks"`
	TieHonestOnAttack  int     `json:"tie_honest_blocks_on_attacker"`
	ExpectedRevenue    float64 `json:"expected_revenue_share"`
}

// selfishState is the attacker's private branch: priv are its blocks
// on top of base, of which the first pub are published.
type selfishState struct {
	node       *simNode
	base       *bnode
	priv       []*wire.MsgBlock
	pub        int
	tie        bool
	tieHeight  int32
	publishing bool
	ties       int
	gammaSum   float64
	gammaN     int
	tieBlocks  int
	tieOnAtk   int
}

// setupSelfish makes node 0 the attacker with a share alpha of the
// power.
func (s *Sim) setupSelfish(alpha float64) {
	n := s.nodes[0]
	n.attacker = true
	honest := s.power[len(s.power)-1] - s.power[0]
	own := alpha / (1 - alpha) * honest
	delta := own - s.power[0]
	for i := range s.power {
		s.power[i] += delta
	}
	s.selfish = &selfishState{node: n}
}

// nodePower is node i's mining power.
func (s *Sim) nodePower(i int) float64 {
	if i == 0 {
		return s.power[0]
	}
	return s.power[i] - s.power[i-1]
}

// privTip is the height and hash of the private branch's tip.
func (sf *selfishState) privTip() (int32, chainhash.Hash) {
	if len(sf.priv) == 0 {
		return sf.base.height, sf.base.hash
	}
	return sf.base.height + int32(len(sf.priv)), sf.priv[len(sf.priv)-1].BlockHash()
}

// selfishMined: the attacker found a block on its private tip. In a
// tie it publishes at once and wins; otherwise it keeps it.
func (s *Sim) selfishMined(now time.Time) {
	sf := s.selfish
	c := sf.node.chain
	if len(sf.priv) == 0 {
		sf.base = c.tip
	}
	h, prev := sf.privTip()
	cb := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: math.MaxUint32},
		SignatureScript: heightScript(h+1, s.mining.Uint64()), Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: 50_0000_0000, PkScript: payScript}}}
	txs := []*wire.MsgTx{cb}
	root, _ := wire.BlockMerkleRoot(txs)
	blk := &wire.MsgBlock{Header: wire.BlockHeader{Version: 0x20000000, PrevBlock: prev, MerkleRoot: root,
		Timestamp: uint32(now.Unix()), Bits: s.params.GenesisBlock.Header.Bits, Nonce: s.mining.Uint32()}, Transactions: txs}
	s.record(blk, h+1, sf.node.i, now)
	sf.priv = append(sf.priv, blk)
	if sf.tie {
		s.tieEnds()
		s.publish(len(sf.priv))
		sf.priv, sf.pub, sf.tie = nil, 0, false
	}
}

// selfishHeard: the attacker's node saw the public chain grow.
func (s *Sim) selfishHeard() {
	sf := s.selfish
	if len(sf.priv) == 0 {
		return
	}
	public := sf.node.chain.bestHdr.height
	h, _ := sf.privTip()
	switch lead := h - public; {
	case lead < 0: // the honest chain is ahead: give up the branch
		if sf.tie {
			s.tieEnds()
		}
		sf.priv, sf.pub, sf.tie = nil, 0, false
	case lead == 0: // it was one ahead: publish, a tie
		if sf.pub == len(sf.priv) {
			return // published already: the tie is on (a second call for one growth)
		}
		s.publish(len(sf.priv))
		sf.tie, sf.tieHeight = true, h
		sf.ties++
	case lead == 1: // it was two ahead: publish all, it wins
		s.publish(len(sf.priv))
		sf.priv, sf.pub = nil, 0
	default: // far ahead: publish up to the honest height
		s.publish(int(public - sf.base.height))
	}
}

// selfishEnd: mining stops; the attacker publishes the blocks it still
// holds, as it would once its lead is safe, so that the drain settles the
// best chain on what the strategy earned rather than on how a long
// private branch and the public one stood at the cut (at equal heights a
// node keeps the branch it had, and one such tie could swing dozens of
// blocks either way).
func (s *Sim) selfishEnd() {
	sf := s.selfish
	if len(sf.priv) == 0 {
		return
	}
	if sf.tie {
		s.tieEnds()
	}
	s.publish(len(sf.priv))
	sf.priv, sf.pub, sf.tie = nil, 0, false
}

// publish hands the private blocks up to k to the attacker's node,
// which prefers its own branch and announces it.
func (s *Sim) publish(k int) {
	sf := s.selfish
	c := sf.node.chain
	now := s.net.Now()
	sf.publishing = true
	defer func() { sf.publishing = false }()
	var last *bnode
	for ; sf.pub < k && sf.pub < len(sf.priv); sf.pub++ {
		blk := sf.priv[sf.pub]
		b, err := c.addHeader(blk.Header)
		if err != nil {
			panic("netsim: selfish miner's block builds on an unknown block: " + err.Error())
		}
		b.blk = blk
		b.queued = true
		c.validated(b, now)
		last = b
	}
	if last != nil && c.tip != last && last.height >= c.tip.height {
		c.setTip(last)
	}
}

// tieEnds measures γ as the tie ends: the power-weighted share of the
// honest nodes with a block at the tie's height whose block there is
// the attacker's.
func (s *Sim) tieEnds() {
	sf := s.selfish
	on, all := 0.0, 0.0
	for _, n := range s.nodes[1:] {
		if int(sf.tieHeight) >= len(n.chain.main) {
			continue
		}
		p := s.nodePower(n.i)
		all += p
		if r := s.byHash[n.chain.main[sf.tieHeight].hash]; r != nil && r.miner == sf.node.i {
			on += p
		}
	}
	if all > 0 {
		sf.gammaSum += on / all
		sf.gammaN++
	}
}

// honestMinedInTie counts an honest block found during a tie, and
// whether it extends the attacker's block.
func (s *Sim) honestMinedInTie(tip *bnode) {
	sf := s.selfish
	if sf == nil || !sf.tie || tip.height != sf.tieHeight {
		return
	}
	sf.tieBlocks++
	if r := s.byHash[tip.hash]; r != nil && r.miner == sf.node.i {
		sf.tieOnAtk++
	}
}

// eyalSirer is the selfish miner's revenue share at alpha and gamma
// (Eyal and Sirer 2014, equation 8).
func eyalSirer(a, g float64) float64 {
	return (a*(1-a)*(1-a)*(4*a+g*(1-2*a)) - a*a*a) / (1 - a*(1+(2-a)*a))
}

func (s *Sim) selfishReport(r *Report, main map[[32]byte]bool) {
	sf := s.selfish
	if sf == nil {
		return
	}
	sr := &SelfishReport{Alpha: s.sc.Attackers.Selfish.Alpha, Ties: sf.ties, TieHonestBlocks: sf.tieBlocks, TieHonestOnAttack: sf.tieOnAtk}
	for _, b := range s.blocks {
		if b.miner == sf.node.i {
			sr.AttackerBlocks++
		} else {
			sr.HonestBlocks++
		}
		if main[b.hash] {
			sr.BestChainBlocks++
			if b.miner == sf.node.i {
				sr.AttackerBestBlocks++
			}
		}
	}
	if sr.BestChainBlocks > 0 {
		sr.RevenueShare = round(float64(sr.AttackerBestBlocks)/float64(sr.BestChainBlocks), 4)
	}
	if sf.gammaN > 0 {
		sr.Gamma = round(sf.gammaSum/float64(sf.gammaN), 4)
	}
	sr.ExpectedRevenue = round(eyalSirer(sr.Alpha, sr.Gamma), 4)
	r.Selfish = sr
}
