package mining

import (
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// Defaults of the generator's knobs.
const (
	// DefaultBlockVersion is the header version of templates (BIP9 top
	// bits, no deployment signalled).
	DefaultBlockVersion int32 = 0x20000000
	// CoinbaseReservedWeight is the weight kept free for the header, the
	// transaction count and the coinbase.
	CoinbaseReservedWeight = 4000
	// CoinbaseReservedSigOps is the sigop cost kept free for the coinbase.
	CoinbaseReservedSigOps = 400
)

// BlockTemplate is a block ready to be solved, with what a
// getblocktemplate answer or a pool needs to know about it.
type BlockTemplate struct {
	Block *wire.MsgBlock
	// Fees per transaction, in block order; Fees[0] is the negated total
	// of the others (the coinbase collects them).
	Fees []int64
	// SigOpCosts per transaction (BIP141 cost), in block order.
	SigOpCosts []int
	Height     int32
	// CoinbaseValue is the subsidy plus all fees.
	CoinbaseValue int64
	// WitnessCommitment is the coinbase's BIP141 commitment output script,
	// nil when no selected transaction has witness data.
	WitnessCommitment []byte
	// ValidPayAddress reports that the coinbase pays the caller's script
	// (always true: templates without one are refused).
	ValidPayAddress bool
}

// Generator builds block templates on top of a chain from a transaction
// source. Its exported knobs must be set before first use; it is then
// safe for concurrent use.
type Generator struct {
	params *chaincfg.Params
	chain  Chain
	src    TxSource
	now    func() time.Time

	// MaxBlockWeight caps the template's weight (wire.MaxBlockWeight);
	// CoinbaseReservedWeight of it is kept for the coinbase.
	MaxBlockWeight int
	// MaxSigOpCost caps the template's sigop cost
	// (chain.MaxBlockSigOpsCost); CoinbaseReservedSigOps is kept free.
	MaxSigOpCost int
	// BlockVersion is the header version (DefaultBlockVersion).
	BlockVersion int32
	// CoinbaseFlags is pushed after the extra nonce (e.g. "/gg/").
	CoinbaseFlags []byte
	// Logger receives debug output; nil is silent.
	Logger *slog.Logger

	logOnce sync.Once
	log     *slog.Logger
}

// NewGenerator returns a template generator; now nil means time.Now.
func NewGenerator(params *chaincfg.Params, ch Chain, src TxSource, now func() time.Time) *Generator {
	if now == nil {
		now = time.Now
	}
	return &Generator{
		params:         params,
		chain:          ch,
		src:            src,
		now:            now,
		MaxBlockWeight: wire.MaxBlockWeight,
		MaxSigOpCost:   chain.MaxBlockSigOpsCost,
		BlockVersion:   DefaultBlockVersion,
	}
}

func (g *Generator) logger() *slog.Logger {
	g.logOnce.Do(func() {
		g.log = g.Logger
		if g.log == nil {
			g.log = slog.New(slog.DiscardHandler)
		}
	})
	return g.log
}

// Params returns the network the generator builds for.
func (g *Generator) Params() *chaincfg.Params { return g.params }

// maxTemplateAttempts bounds how often NewBlockTemplate starts over
// because the tip moved while it worked.
const maxTemplateAttempts = 3

// NewBlockTemplate assembles a block on the chain tip paying the subsidy
// and all fees to payTo, with extraNonce in the coinbase. The block is
// validated with Chain.CheckConnectBlockTemplate; if the pool's selection
// makes it invalid (a pool lagging behind the chain), a coinbase-only
// template is built and validated instead, and only its failure is an
// error. If the tip moves meanwhile, the work starts over on the new tip.
func (g *Generator) NewBlockTemplate(payTo []byte, extraNonce uint64) (*BlockTemplate, error) {
	if len(payTo) == 0 {
		return nil, newError(ErrNoPayScript, nil, "a template needs a payout script")
	}
	var err error
	for range maxTemplateAttempts {
		var tmpl *BlockTemplate
		var prev chainhash.Hash
		tmpl, prev, err = g.newBlockTemplate(payTo, extraNonce)
		if err == nil {
			return tmpl, nil
		}
		if g.chain.Best().Hash == prev {
			break
		}
	}
	return nil, err
}

// newBlockTemplate is one attempt of NewBlockTemplate; it also returns
// the tip it built on.
func (g *Generator) newBlockTemplate(payTo []byte, extraNonce uint64) (*BlockTemplate, chainhash.Hash, error) {
	best := g.chain.Best()
	height := best.Height + 1
	// Every time comes from the one snapshot (a separate median-time
	// read could see another tip); MinNextTime is already past it.
	mtp := best.MedianTime
	ts := max(g.now().Unix(), best.MinNextTime)
	bits, err := g.chain.NextRequiredBits(uint32(ts))
	if err != nil {
		return nil, best.Hash, newError(ErrChain, err, "required bits at height %d", height)
	}
	sel := g.selectTxs(height, mtp)
	tmpl, err := g.assemble(best.Hash, height, uint32(ts), bits, payTo, extraNonce, sel)
	if err != nil {
		return nil, best.Hash, err
	}
	verr := g.chain.CheckConnectBlockTemplate(tmpl.Block)
	if verr == nil {
		return tmpl, best.Hash, nil
	}
	if len(sel) == 0 || g.chain.Best().Hash != best.Hash {
		return nil, best.Hash, newError(ErrTemplateInvalid, verr, "template at height %d", height)
	}
	g.logger().Warn("template with pool transactions invalid; mining coinbase only",
		"height", height, "txs", len(sel), "err", verr)
	tmpl, err = g.assemble(best.Hash, height, uint32(ts), bits, payTo, extraNonce, nil)
	if err != nil {
		return nil, best.Hash, err
	}
	if err := g.chain.CheckConnectBlockTemplate(tmpl.Block); err != nil {
		return nil, best.Hash, newError(ErrTemplateInvalid, errors.Join(verr, err), "template at height %d", height)
	}
	return tmpl, best.Hash, nil
}

// assemble builds the template from the selected transactions.
func (g *Generator) assemble(prev chainhash.Hash, height int32, ts, bits uint32, payTo []byte,
	extraNonce uint64, sel []*candidate) (*BlockTemplate, error) {
	txs := make([]*wire.MsgTx, 1, len(sel)+1)
	fees := make([]int64, 1, len(sel)+1)
	sigops := make([]int, 1, len(sel)+1)
	var total int64
	witness := false
	for _, c := range sel {
		txs = append(txs, c.desc.Tx)
		fees = append(fees, c.fee)
		sigops = append(sigops, c.sigops)
		total += c.fee
		witness = witness || c.desc.Tx.HasWitness()
	}
	var root *chainhash.Hash
	if witness {
		txs[0] = &wire.MsgTx{} // the coinbase's wtxid counts as zero
		r := wire.WitnessMerkleRoot(txs)
		root = &r
	}
	value := g.params.Subsidy(height) + total
	cb, err := newCoinbase(height, extraNonce, g.CoinbaseFlags, payTo, value, root)
	if err != nil {
		return nil, err
	}
	txs[0] = cb
	fees[0] = -total
	sigops[0] = script.CountSigOps(payTo) * wire.WitnessScaleFactor
	blk := &wire.MsgBlock{
		Header: wire.BlockHeader{
			Version:   g.BlockVersion,
			PrevBlock: prev,
			Timestamp: ts,
			Bits:      bits,
		},
		Transactions: txs,
	}
	blk.Header.MerkleRoot, _ = wire.BlockMerkleRoot(txs)
	t := &BlockTemplate{
		Block:           blk,
		Fees:            fees,
		SigOpCosts:      sigops,
		Height:          height,
		CoinbaseValue:   value,
		ValidPayAddress: true,
	}
	if witness {
		t.WitnessCommitment = cb.TxOut[len(cb.TxOut)-1].PkScript
	}
	return t, nil
}
