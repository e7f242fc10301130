package mining

import (
	"context"
	"sync"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
)

// CPUMiner mines blocks with the CPU: template, nonce search, submission.
// It is meant for regtest and tests, where a block takes a few hashes.
// It is safe for concurrent use; concurrent Generate calls take turns.
type CPUMiner struct {
	gen   *Generator
	chain Chain

	mu         sync.Mutex
	extraNonce uint64
}

// NewCPUMiner returns a miner building templates with g and submitting
// solved blocks to ch.
func NewCPUMiner(g *Generator, ch Chain) *CPUMiner {
	return &CPUMiner{gen: g, chain: ch}
}

// Generate mines n blocks paying to payTo, each on the tip the previous
// one made, and returns their hashes. It stops at the first failure (the
// context ending, a template error, a rejected or stale block) and returns
// the hashes mined so far with the error.
func (m *CPUMiner) Generate(ctx context.Context, n int, payTo []byte) ([]chainhash.Hash, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	hashes := make([]chainhash.Hash, 0, n)
	for range n {
		h, err := m.mineOne(ctx, payTo)
		if err != nil {
			return hashes, err
		}
		hashes = append(hashes, h)
	}
	return hashes, nil
}

func (m *CPUMiner) mineOne(ctx context.Context, payTo []byte) (chainhash.Hash, error) {
	m.extraNonce++
	tmpl, err := m.gen.NewBlockTemplate(payTo, m.extraNonce)
	if err != nil {
		return chainhash.Hash{}, err
	}
	blk := tmpl.Block
	for !SolveBlock(ctx, &blk.Header) {
		if err := ctx.Err(); err != nil {
			return chainhash.Hash{}, err
		}
		m.extraNonce++
		if err := UpdateExtraNonce(blk, tmpl.Height, m.extraNonce); err != nil {
			return chainhash.Hash{}, err
		}
		blk.Header.Nonce = 0
	}
	hash := blk.BlockHash()
	main, orphan, err := m.chain.ProcessBlock(blk, chain.BFRequested)
	if err != nil {
		return chainhash.Hash{}, newError(ErrBlockRejected, err, "block %s at height %d rejected", hash, tmpl.Height)
	}
	if !main || orphan {
		return chainhash.Hash{}, newError(ErrStaleBlock, nil, "block %s at height %d is not on the main chain", hash, tmpl.Height)
	}
	return hash, nil
}
