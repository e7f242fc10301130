package netsim

import (
	"errors"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/wire"
)

// simPool is a node's mempool (netsync.Mempool): every new transaction
// is accepted (the simulated ones spend outputs nobody else spends), in
// arrival order; a connected block removes its transactions, and a
// transaction seen in a block is not taken again.
type simPool struct {
	n       *simNode
	byTxid  map[chainhash.Hash]*mempool.TxDesc
	byWtxid map[chainhash.Hash]*mempool.TxDesc
	order   []*mempool.TxDesc // arrival order, with removed entries compacted lazily
	mined   map[chainhash.Hash]struct{}
	removed int
}

// errKnown is any transaction the pool refuses: it has it or saw it
// mined (not a rule error, so no peer is blamed).
var errKnown = errors.New("transaction already known")

// simFeeRate is every simulated transaction's fee rate (dust per kvB),
// above simMinFeeRate, so fee filters pass them all.
const (
	simFeeRate    = 10_000
	simMinFeeRate = 1_000
)

func newSimPool(n *simNode) *simPool {
	return &simPool{n: n, byTxid: map[chainhash.Hash]*mempool.TxDesc{}, byWtxid: map[chainhash.Hash]*mempool.TxDesc{},
		mined: map[chainhash.Hash]struct{}{}}
}

func (p *simPool) ProcessTransaction(tx *wire.MsgTx, _ bool) ([]*mempool.TxDesc, error) {
	txid := tx.TxHash()
	if _, ok := p.byTxid[txid]; ok {
		return nil, errKnown
	}
	if _, ok := p.mined[txid]; ok {
		return nil, errKnown
	}
	size := int64(tx.VSize())
	d := &mempool.TxDesc{Tx: tx, TxID: txid, WTxID: tx.WitnessHash(), Added: p.n.sim.net.Now(),
		Fee: size * simFeeRate / 1000, VSize: size, Weight: int64(tx.Weight()), FeeRate: simFeeRate}
	p.byTxid[txid] = d
	p.byWtxid[d.WTxID] = d
	p.order = append(p.order, d)
	p.n.sim.txSeen(txid)
	p.n.txAccepted(d)
	return []*mempool.TxDesc{d}, nil
}

func (p *simPool) Fetch(h chainhash.Hash) (*mempool.TxDesc, bool) {
	d, ok := p.byTxid[h]
	return d, ok
}

func (p *simPool) FetchByWtxid(w chainhash.Hash) (*mempool.TxDesc, bool) {
	d, ok := p.byWtxid[w]
	return d, ok
}

func (p *simPool) IsOrphan(chainhash.Hash) bool { return false }

// MiningDescs returns the pool in arrival order.
func (p *simPool) MiningDescs() []*mempool.TxDesc {
	p.compact()
	return p.order
}

func (p *simPool) ForEachWtxid(f func(wtxid chainhash.Hash, tx *wire.MsgTx) bool) {
	for _, d := range p.order {
		if p.byTxid[d.TxID] != d {
			continue
		}
		if !f(d.WTxID, d.Tx) {
			return
		}
	}
}

func (p *simPool) Info() mempool.Info {
	return mempool.Info{Size: len(p.byTxid), MinFeeRate: simMinFeeRate}
}

// blockConnected removes blk's transactions.
func (p *simPool) blockConnected(blk *wire.MsgBlock) {
	for _, tx := range blk.Transactions[1:] {
		h := tx.TxHash()
		p.mined[h] = struct{}{}
		if d, ok := p.byTxid[h]; ok {
			delete(p.byTxid, h)
			delete(p.byWtxid, d.WTxID)
			p.removed++
		}
	}
	if p.removed > len(p.order)/2 {
		p.compact()
	}
}

func (p *simPool) compact() {
	if p.removed == 0 {
		return
	}
	out := p.order[:0]
	for _, d := range p.order {
		if p.byTxid[d.TxID] == d {
			out = append(out, d)
		}
	}
	clear(p.order[len(out):])
	p.order = out
	p.removed = 0
}
