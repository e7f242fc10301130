package index

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// Chain is what catching up reads of the chain (*chain.Chain).
type Chain interface {
	Best() chain.BestState
	BlockHashByHeight(height int32) (chainhash.Hash, error)
	BlockByHash(h chainhash.Hash) (*wire.MsgBlock, error)
	SpentOutputs(h chainhash.Hash) ([]*chain.UtxoEntry, error)
}

// Catch-up tuning: blocks read before one write transaction, and how
// often progress is logged. Variables so tests can force small batches.
var (
	catchUpBatch       int32 = 200
	catchUpLogInterval       = 5 * time.Second
)

// maxRetries bounds the batches in a row that find the chain moved
// under them before CatchUp gives up on an index.
const maxRetries = 100

// CatchUp brings every index to the active chain's tip, logging its
// progress, and returns when all are there (then the chain keeps them
// there) or ctx ends. It may run while the chain connects blocks.
func (m *Manager) CatchUp(ctx context.Context, c Chain) error {
	for _, x := range m.indexes {
		if err := m.catchUp(ctx, c, x); err != nil {
			return err
		}
	}
	return nil
}

type pendingBlock struct {
	b    Block
	prev chainhash.Hash
}

func (m *Manager) catchUp(ctx context.Context, c Chain, x Index) error {
	name := x.Name()
	start := time.Now()
	lastLog := start
	var from int32 = -2 // the height the run started at, once known
	retries := 0
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("index %s: catching up: %w", name, err)
		}
		var tip Tip
		var have, onMain bool
		if err := m.db.View(func(tx *store.Tx) error {
			var err error
			tip, have, err = readTip(tx, name)
			if have {
				h, ok := chain.MainHashInTx(tx, tip.Height)
				onMain = ok && h == tip.Hash
			}
			return err
		}); err != nil {
			return err
		}
		if have && !onMain {
			// The node ran without this index and the chain moved off its
			// tip: start again from genesis.
			m.log.Warn("index tip is off the active chain; rebuilding", "index", name, "tip", tip.Hash, "height", tip.Height)
			if err := Reset(m.db, x); err != nil {
				return err
			}
			continue
		}
		next := int32(0)
		if have {
			next = tip.Height + 1
		}
		if from == -2 {
			from = next - 1
			if best := c.Best(); next <= best.Height {
				m.log.Info("index catching up", "index", name, "from", next, "tip", best.Height)
			}
		}
		batch, err := readBatch(c, next, catchUpBatch)
		if err != nil {
			if retries++; retries > maxRetries {
				return fmt.Errorf("index %s: catching up at height %d: %w", name, next, err)
			}
			continue
		}
		done, caughtUp, err := m.writeBatch(x, tip, have, next, batch)
		if err != nil {
			return err
		}
		if caughtUp {
			m.markSynced(name)
			if next > from+1 || len(batch) > 0 {
				m.log.Info("index synced", "index", name, "height", next-1+int32(done), "blocks", next-1+int32(done)-from,
					"elapsed", time.Since(start).Round(time.Millisecond))
			}
			return nil
		}
		if done == 0 {
			// The chain moved between reading and writing: read again.
			if retries++; retries > maxRetries {
				return fmt.Errorf("index %s: catching up at height %d: the chain keeps moving", name, next)
			}
			continue
		}
		retries = 0
		if now := time.Now(); now.Sub(lastLog) >= catchUpLogInterval {
			lastLog = now
			h, best := next-1+int32(done), c.Best().Height
			pct := 100.0
			if best > 0 {
				pct = 100 * float64(h) / float64(best)
			}
			m.log.Info("index catching up", "index", name, "height", h, "tip", best, "percent", fmt.Sprintf("%.1f", pct))
		}
	}
}

// readBatch reads up to n active-chain blocks from height next, with
// their spent outputs, through the chain's read methods. It stops early
// at the tip; an error means the chain changed under it (or worse:
// CatchUp retries a bounded number of times).
func readBatch(c Chain, next, n int32) ([]pendingBlock, error) {
	var out []pendingBlock
	for h := next; h < next+n; h++ {
		hash, err := c.BlockHashByHeight(h)
		if errors.Is(err, chain.ErrBlockNotFound) {
			break // above the tip
		}
		if err != nil {
			return nil, err
		}
		blk, err := c.BlockByHash(hash)
		if err != nil {
			return nil, err
		}
		var spent []*chain.UtxoEntry
		if h > 0 {
			if spent, err = c.SpentOutputs(hash); err != nil {
				return nil, err
			}
		}
		out = append(out, pendingBlock{b: Block{Block: blk, Hash: hash, Height: h, Spent: spent}, prev: blk.Header.PrevBlock})
	}
	return out, nil
}

// writeBatch connects the batch's blocks to x in one transaction, each
// only while it is still the active chain's block at its height and
// builds on x's tip. It returns how many it wrote, and caughtUp when x
// ends at the active chain's tip.
func (m *Manager) writeBatch(x Index, tip Tip, have bool, next int32, batch []pendingBlock) (done int, caughtUp bool, err error) {
	name := x.Name()
	err = m.db.Update(func(tx *store.Tx) error {
		done, caughtUp = 0, false
		cur, ok, err := readTip(tx, name)
		if err != nil {
			return err
		}
		if ok != have || cur != tip {
			return nil // the chain moved it meanwhile
		}
		for _, p := range batch {
			h, onMain := chain.MainHashInTx(tx, p.b.Height)
			if !onMain || h != p.b.Hash || (ok && p.prev != cur.Hash) {
				return nil
			}
			b := p.b
			if err := x.Connect(tx, &b); err != nil {
				return fmt.Errorf("index %s: connect %v at height %d: %w", name, b.Hash, b.Height, err)
			}
			cur, ok = Tip{b.Hash, b.Height}, true
			if err := writeTip(tx, name, cur, true); err != nil {
				return err
			}
			done++
		}
		if !ok {
			return nil
		}
		// At the tip when nothing is above it (a tip already checked on
		// the active chain at its height).
		if _, above := chain.MainHashInTx(tx, cur.Height+1); !above {
			if h, onMain := chain.MainHashInTx(tx, cur.Height); onMain && h == cur.Hash {
				caughtUp = true
			}
		}
		return nil
	})
	return done, caughtUp, err
}
