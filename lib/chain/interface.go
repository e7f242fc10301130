package chain

import (
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// GameHook is an optional extra game layer. The chain always enforces the
// game rules of lib/game itself; a hook runs after them, for tests and
// experiments. Its methods run inside the bbolt write transaction that
// commits the block; a chain with a hook writes every block's UTXO
// changes through in that transaction (no write-back cache: the replay
// after a crash could not redo the Game fields a hook sets), so game
// registries and coins always move together; the undo bytes
// ConnectBlock returns are stored with the block's undo data and handed
// back to DisconnectBlock.
type GameHook interface {
	// CheckBlock applies the stateful game rules to blk at height. A rule
	// violation must be returned as a RuleError or an error wrapping
	// ErrGameRule: it makes the block invalid for good. Any other error
	// (from ConnectBlock or DisconnectBlock too) is a local failure: the
	// database transaction rolls back and the block is not marked invalid.
	CheckBlock(tx *store.Tx, blk *wire.MsgBlock, height int32, view *UtxoViewpoint) error
	// ConnectBlock updates the game registries and may set the Game field
	// of the entries view holds for blk's new outputs.
	ConnectBlock(tx *store.Tx, blk *wire.MsgBlock, height int32, view *UtxoViewpoint) (undo []byte, err error)
	// DisconnectBlock reverts ConnectBlock using its undo bytes.
	DisconnectBlock(tx *store.Tx, blk *wire.MsgBlock, height int32, undo []byte) error
}
