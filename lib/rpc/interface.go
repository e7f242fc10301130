package rpc

import (
	"context"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/mining"
	"github.com/gamegold/gg/lib/wire"
)

// ChainBackend is the chain access the node methods need.
type ChainBackend interface {
	Best() chain.BestState
	BlockByHash(h chainhash.Hash) (*wire.MsgBlock, error)
	BlockHashByHeight(height int32) (chainhash.Hash, error)
	HeaderByHash(h chainhash.Hash) (wire.BlockHeader, int32, error)
	MainChainHasBlock(h chainhash.Hash) bool
	Tips() []chain.TipInfo
	ProcessBlock(blk *wire.MsgBlock, flags chain.BehaviorFlags) (mainChain bool, orphan bool, err error)
	CheckConnectBlockTemplate(blk *wire.MsgBlock) error
	InvalidateBlock(h chainhash.Hash) error
	ReconsiderBlock(h chainhash.Hash) error
	NextRequiredBits(timestamp uint32) (uint32, error)
	FetchUtxoEntry(op wire.OutPoint) (*chain.UtxoEntry, error)
	UtxoSetInfo() (chain.UtxoSetInfo, error)
	Progress() chain.SyncProgress
	IsInitialBlockDownload() bool
	StorageInfo() chain.StorageInfo
}

// MempoolBackend is the mempool access the node methods need.
type MempoolBackend interface {
	ProcessTransaction(tx *wire.MsgTx, allowOrphan bool) ([]*mempool.TxDesc, error)
	Fetch(h chainhash.Hash) (*mempool.TxDesc, bool)
	TxIDs() []chainhash.Hash
	MiningDescs() []*mempool.TxDesc
	Info() mempool.Info
	Spender(op wire.OutPoint) (*mempool.TxDesc, bool)
}

// MinerBackend mines blocks on demand (regtest generate).
type MinerBackend interface {
	Generate(ctx context.Context, n int, payTo []byte) ([]chainhash.Hash, error)
}

// TemplateBackend builds block templates.
type TemplateBackend interface {
	NewBlockTemplate(payTo []byte, extraNonce uint64) (*mining.BlockTemplate, error)
}

// ChainNotifier delivers chain notifications; *chain.Chain satisfies it.
// Subscribers run synchronously in the chain's delivery and must not block.
type ChainNotifier interface {
	Subscribe(fn func(*chain.Notification))
}

// TxLocator finds the block holding a confirmed transaction (a tx index).
type TxLocator interface {
	TxBlock(txid chainhash.Hash) (blockHash chainhash.Hash, ok bool, err error)
}
