package mining

import (
	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/wire"
)

// TxSource supplies the candidate transactions; *mempool.Pool satisfies
// it. The descriptors must list in-pool parents before their children.
type TxSource interface {
	MiningDescs() []*mempool.TxDesc
}

// Chain is what the miner needs from the block chain; *chain.Chain
// satisfies it.
type Chain interface {
	Best() chain.BestState
	NextRequiredBits(timestamp uint32) (uint32, error)
	CheckConnectBlockTemplate(blk *wire.MsgBlock) error
	ProcessBlock(blk *wire.MsgBlock, flags chain.BehaviorFlags) (mainChain bool, orphan bool, err error)
	FetchUtxoView(tx *wire.MsgTx) (*chain.UtxoViewpoint, error)
}
