package chain

import (
	"fmt"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
)

// SpentOutputs returns the outputs the transactions of main-chain block
// h spent, in block order (each input of each transaction but the
// coinbase), read from the block's undo data: who paid, and which game
// object each input carried, for event feeds. Once the block is
// disconnected its undo data is gone: ErrBlockNotFound.
func (c *Chain) SpentOutputs(h chainhash.Hash) ([]*UtxoEntry, error) {
	var spent []*UtxoEntry
	err := c.db.View(func(tx *store.Tx) error {
		raw := tx.Bucket(bucketUndo).Get(h[:])
		if raw == nil {
			return fmt.Errorf("chain: undo data of %v: %w", h, ErrBlockNotFound)
		}
		u, err := decodeUndo(raw)
		if err != nil {
			return fmt.Errorf("chain: undo data of %v: %w", h, err)
		}
		spent = u.spent
		return nil
	})
	return spent, err
}
