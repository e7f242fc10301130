package stratum

import (
	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/mining"
	"github.com/gamegold/gg/lib/wire"
)

// Chain is what the server needs from the block chain; *chain.Chain
// satisfies it. ProcessBlock is how a found block enters the node: the
// same call submitblock makes, so the node relays it to its peers.
type Chain interface {
	Best() chain.BestState
	ProcessBlock(blk *wire.MsgBlock, flags chain.BehaviorFlags) (mainChain bool, orphan bool, err error)
}

// Templates builds block templates; *mining.Generator satisfies it.
type Templates interface {
	NewBlockTemplate(payTo []byte, extraNonce uint64) (*mining.BlockTemplate, error)
}

// Notifier delivers chain notifications; *chain.Chain satisfies it.
// Subscribers run inside the chain's delivery and must not block.
type Notifier interface {
	Subscribe(fn func(*chain.Notification))
}
