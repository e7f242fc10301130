package chain

import (
	"fmt"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// Indexer keeps optional indexes (lib/index) in step with the active
// chain. Its methods run inside the write transaction that connects or
// disconnects the block, after the chain's own writes for it, so an index
// commits, or rolls back, with the chain. spent are the outputs the
// block's inputs spend, in block order (transaction, then input; none for
// the coinbase), as the block's undo data records them. An error is a
// local failure: the transaction rolls back and the block is not marked
// invalid (it must not be a RuleError).
//
// Reindex does not call it: the index layer drops its indexes before a
// reindex and rebuilds them afterwards from the blocks, through the
// chain's read methods and MainHashInTx.
type Indexer interface {
	ConnectBlock(tx *store.Tx, blk *wire.MsgBlock, hash chainhash.Hash, height int32, spent []*UtxoEntry) error
	DisconnectBlock(tx *store.Tx, blk *wire.MsgBlock, hash chainhash.Hash, height int32, spent []*UtxoEntry) error
}

// indexConnect runs Config.Indexer for a block joining the active chain.
func (c *Chain) indexConnect(tx *store.Tx, blk *wire.MsgBlock, n *blockNode, spent []*UtxoEntry) error {
	if c.cfg.Indexer == nil {
		return nil
	}
	if err := c.cfg.Indexer.ConnectBlock(tx, blk, n.hash, n.height, spent); err != nil {
		return fmt.Errorf("chain: indexes connect %v: %w", n.hash, err)
	}
	return nil
}

// indexDisconnect runs Config.Indexer for a block leaving the active
// chain.
func (c *Chain) indexDisconnect(tx *store.Tx, blk *wire.MsgBlock, n *blockNode, spent []*UtxoEntry) error {
	if c.cfg.Indexer == nil {
		return nil
	}
	if err := c.cfg.Indexer.DisconnectBlock(tx, blk, n.hash, n.height, spent); err != nil {
		return fmt.Errorf("chain: indexes disconnect %v: %w", n.hash, err)
	}
	return nil
}

// MainHashInTx returns the active chain's block hash at height as tx sees
// the database, without the chain's lock: an index catching up checks,
// in the transaction that writes it, that the block it indexes is still
// on the active chain. ok is false above the tip.
func MainHashInTx(tx *store.Tx, height int32) (h chainhash.Hash, ok bool) {
	if height < 0 {
		return h, false
	}
	b := tx.Bucket(bucketMainChain)
	if b == nil {
		return h, false
	}
	v := b.Get(heightKey(height))
	if len(v) != chainhash.HashSize {
		return h, false
	}
	copy(h[:], v)
	return h, true
}
