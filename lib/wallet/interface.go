package wallet

import (
	"context"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// ChainClient is everything the wallet needs from a node. The wallet
// never imports lib/chain, lib/mempool or lib/node (architecture §2): it
// sees the chain only through this interface, which two adapters satisfy.
//
// The in-process adapter lives in lib/node (walletchain.go, in the
// composition root of gg-node, which hosts the wallet by default). It
// subscribes to the chain's block connected/disconnected notifications
// and forwards them to the ChainHandler in order, serialised; it passes
// whole blocks (Block.Txs holds every transaction). It also listens to
// the mempool's events: every transaction the mempool accepts, however
// it arrived (Broadcast, sendrawtransaction, an unlocked orphan), goes to
// RelevantTx, and a transaction the mempool dropped because it was
// replaced, conflicted with a block, failed again after a reorg or
// lapsed goes to TxDropped (DropHandler). Broadcast submits to the mempool;
// EstimateFee returns the
// mempool's current minimum with the relay floor (no estimator yet);
// Rescan walks the main chain's stored blocks from the given height and
// delivers them whole.
//
// The remote adapter (lib/wallethost RemoteChain, for gg-wallet serve --node
// URL) speaks JSON-RPC only, for now: it polls the node's tip, finds
// reorgs by comparing block hashes and delivers whole blocks (getblock),
// lists the mempool for RelevantTx and reports transactions that left it
// for a conflicting one, and those the node refuses when offered again
// for a lasting reason (a game rule, an input gone, a lapsed auction), to
// TxDropped. A WebSocket subscription can later
// replace the polling and load the wallet's watch list into the node's
// connection filter (WatchScripts, WatchOutPoints), so Block.Txs then
// carries only the relevant transactions and RelevantTx only matching
// mempool ones; the wallet treats both forms alike. Such a filter must
// also pass contract transactions the wallet's scripts do not match
// (doc.go, Contracts): a fulfil whose ContractFulfil record names one of
// the wallet's keys as a_key or b_key (B's side of a pure escrow is paid
// nothing; the keys are inside the record's data, so a filter on output
// scripts misses them: it must match record bytes, or pass every
// contract record) and the execute spending the contract's escrow
// outpoints (ContractInfo.Escrow, for WatchOutPoints). Today both
// adapters deliver whole blocks, to BlockConnected and Rescan alike.
// After a reconnect (or a restart) the wallet's Resync calls BestBlock
// and catches up with Rescan from its last synced height, rewinding with
// BlockDisconnected first when its tip is no longer on the chain (found
// through BlockHash). An SPV node satisfies it the same way, using
// BIP158 filters for Rescan (which match output scripts and outpoints
// only: an SPV wallet would miss B's pure escrows, see above).
//
// Every method takes a context and is safe for concurrent use. Errors
// from a remote adapter that lost its connection wrap
// context.Canceled/DeadlineExceeded or the transport error; the wallet
// retries later and never treats them as a rejection.
type ChainClient interface {
	// BestBlock returns the hash and height of the node's tip.
	BestBlock(ctx context.Context) (chainhash.Hash, int32, error)
	// BlockHash returns the hash of the main-chain block at height.
	BlockHash(ctx context.Context, height int32) (chainhash.Hash, error)

	// Subscribe delivers notifications to h until ctx ends or the
	// returned cancel function is called. Calls to h are serialised and
	// in chain order: during a reorg, disconnections (tip first) come
	// before the connections of the new branch.
	Subscribe(ctx context.Context, h ChainHandler) (cancel func(), err error)
	// WatchScripts and WatchOutPoints add to the filter of what is
	// relevant to the wallet (new lookahead addresses; coins it owns, to
	// see them spent). In-process adapters may ignore them and deliver
	// everything.
	WatchScripts(ctx context.Context, pkScripts [][]byte) error
	WatchOutPoints(ctx context.Context, ops []wire.OutPoint) error

	// Broadcast submits tx to the node's mempool and relays it. A
	// rejection is returned as an error whose text is the node's reason
	// (adapters keep the mempool's kinds where they can, so errors.Is
	// works in process).
	Broadcast(ctx context.Context, tx *wire.MsgTx) error
	// EstimateFee returns the fee rate, in dust per 1000 virtual bytes,
	// for confirmation within target blocks (1 or more), never below
	// the node's relay floor.
	EstimateFee(ctx context.Context, target int) (amount.Amount, error)

	// Rescan scans main-chain blocks from fromHeight to the tip for
	// outputs paying pkScripts and inputs spending ops, calling fn for
	// each block in height order. Blocks with no match may be reported
	// only as progress (RescanBlock.Txs empty), not necessarily for every
	// height; the last call is for the tip at the time the scan ends. An
	// error from fn stops the scan and is returned.
	Rescan(ctx context.Context, fromHeight int32, pkScripts [][]byte, ops []wire.OutPoint, fn func(RescanBlock) error) error
}

// ChainHandler receives a ChainClient's notifications. Its methods must
// not block for long: the adapter calls them on its delivery goroutine.
type ChainHandler interface {
	// BlockConnected: b is now the tip.
	BlockConnected(b *Block)
	// BlockDisconnected: b was the tip and has been removed (reorg).
	BlockDisconnected(b *Block)
	// RelevantTx: tx entered the mempool and pays or spends something in
	// the watch list (or, in process, any mempool tx).
	RelevantTx(tx *wire.MsgTx)
}

// ReplacementHandler is an optional extension of ChainHandler. An
// adapter that sees transactions leave the mempool calls TxReplaced,
// serialised with the ChainHandler calls, when a conflicting transaction
// replaced tx id or one of its ancestors (before RelevantTx for the
// replacement). The Wallet implements it: a pending wallet transaction is
// then conflicted and the coins it spent return. Adapters that know more
// reasons call DropHandler instead when the handler has it.
type ReplacementHandler interface {
	TxReplaced(id chainhash.Hash)
}

// DropReason says why the node's mempool let go of a transaction for
// good, as reported to a DropHandler.
type DropReason int

// Reasons for TxDropped. The mempool's other removals are not reported:
// a mined transaction arrives with its block (BlockConnected); one
// evicted to keep the pool under its size cap, after waiting longer than
// the pool's expiry, or removed by the operator is still valid, so it
// stays pending in the wallet and is rebroadcast on the next Resync (or
// can be abandoned).
const (
	// DropReplaced: a conflicting transaction replaced it or one of its
	// ancestors (what TxReplaced reports).
	DropReplaced DropReason = iota + 1
	// DropConflict: a connected block spent the same outputs, or took
	// what a game rule lets only one transaction have (a producer name
	// a block registered), from it or from an ancestor.
	DropConflict
	// DropInvalid: after a block was disconnected it no longer passes
	// the rules at the new tip (it spent an output that no longer
	// exists, a coinbase that is immature again, or the registries went
	// back).
	DropInvalid
	// DropLapsed: a sale listing or bid (or a descendant of one) whose
	// auction lapsed at end + grace.
	DropLapsed
)

func (r DropReason) String() string {
	switch r {
	case DropReplaced:
		return "replaced"
	case DropConflict:
		return "conflict"
	case DropInvalid:
		return "invalid"
	case DropLapsed:
		return "lapsed"
	}
	return "unknown"
}

// DropHandler is an optional extension of ChainHandler that supersedes
// ReplacementHandler: an adapter calls TxDropped, serialised with the
// other calls, for each transaction the mempool removed for one of the
// DropReasons (descendants before ancestors, as the pool reports them).
// A handler may see a transaction it does not know, or the same one
// twice; it must ignore what is not pending. The Wallet implements it: a
// pending transaction (with its wallet descendants) is marked expired
// for DropLapsed, conflicted otherwise; its outputs vanish and the
// coins it spent are spendable again. A transaction marked so that a
// block later confirms is confirmed like any other.
type DropHandler interface {
	TxDropped(id chainhash.Hash, why DropReason)
}

// Block is a block as the wallet sees it: its header, height and either
// all its transactions (in-process) or only the relevant ones (remote,
// filtered). Hash is Header.BlockHash(), carried to save recomputation.
type Block struct {
	Header wire.BlockHeader
	Hash   chainhash.Hash
	Height int32
	Txs    []*wire.MsgTx
}

// RescanBlock is one step of a rescan: a block with its relevant
// transactions (possibly none) and the tip height, for progress
// (Height/Tip).
type RescanBlock struct {
	Block
	Tip int32
}
