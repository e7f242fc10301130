package netsync

import (
	"math/big"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/wire"
)

// Chain is what sync needs of the chain (*chain.Chain).
type Chain interface {
	Best() chain.BestState
	BestHeader() (chainhash.Hash, int32, *big.Int)
	ProcessHeaders(hdrs []wire.BlockHeader) (chain.HeaderResult, error)
	ProcessBlock(blk *wire.MsgBlock, flags chain.BehaviorFlags) (mainChain bool, orphan bool, err error)
	BlocksToFetch(max int, skip func(chainhash.Hash) bool) []chain.BlockRef
	BlockLocator(from *chainhash.Hash) []chainhash.Hash
	LocateHeaders(locator []chainhash.Hash, stop chainhash.Hash, max int) []wire.BlockHeader
	HaveBlock(h chainhash.Hash) bool
	BlockByHash(h chainhash.Hash) (*wire.MsgBlock, error)
	// RawBlockByHash is a stored block's serialization, as stored.
	RawBlockByHash(h chainhash.Hash) ([]byte, error)
	HeaderByHash(h chainhash.Hash) (wire.BlockHeader, int32, error)
	IsInitialBlockDownload() bool
}

// Mempool is what relay needs of the pool (*mempool.Pool).
type Mempool interface {
	ProcessTransaction(tx *wire.MsgTx, allowOrphan bool) ([]*mempool.TxDesc, error)
	Fetch(h chainhash.Hash) (*mempool.TxDesc, bool)
	FetchByWtxid(w chainhash.Hash) (*mempool.TxDesc, bool)
	IsOrphan(h chainhash.Hash) bool
	MiningDescs() []*mempool.TxDesc
	// ForEachWtxid visits every pool transaction, in no order, until f
	// returns false (compact block reconstruction).
	ForEachWtxid(f func(wtxid chainhash.Hash, tx *wire.MsgTx) bool)
	Info() mempool.Info
}

// Book is the contract book (*mempool.Book); optional.
type Book interface {
	Get(id game.ID) *mempool.Offer
	Submit(o *mempool.Offer) error
	Sign(id game.ID, sig []byte) (*mempool.Offer, error)
	Withdraw(id game.ID, sig []byte) (*mempool.Offer, error)
	List(q mempool.BookQuery) ([]*mempool.Offer, int)
}
