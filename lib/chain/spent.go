package chain

import (
	"fmt"

	"github.com/gamegold/gg/lib/blockfile"
	"github.com/gamegold/gg/lib/chainhash"
)

// SpentOutputs returns the outputs the transactions of main-chain block
// h spent, in block order (each input of each transaction but the
// coinbase), read from the block's undo data: who paid, and which game
// object each input carried, for event feeds. Once the block is
// disconnected its undo data is gone: ErrBlockNotFound; once pruned,
// ErrPruned.
func (c *Chain) SpentOutputs(h chainhash.Hash) ([]*UtxoEntry, error) {
	c.mu.RLock()
	n := c.index.nodes[h]
	var p blockfile.Pos
	var status blockStatus
	if n != nil {
		p, status = n.undoPos, n.status
	}
	c.mu.RUnlock()
	if p.Size == 0 {
		if status&statusPruned != 0 {
			return nil, fmt.Errorf("chain: undo data of %v: %w", h, ErrPruned)
		}
		return nil, fmt.Errorf("chain: undo data of %v: %w", h, ErrBlockNotFound)
	}
	raw, err := readRecord(c.files.undo, p)
	if err != nil {
		return nil, fmt.Errorf("chain: undo data of %v: %w", h, err)
	}
	u, err := decodeUndo(raw)
	if err != nil {
		return nil, fmt.Errorf("chain: undo data of %v: %w", h, err)
	}
	return u.spent, nil
}
