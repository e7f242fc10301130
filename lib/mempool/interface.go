package mempool

import (
	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/wire"
)

// Chain is what the pool needs from the block chain: the tip, confirmed
// outputs, BIP68 lock computation and a view of the game registries.
// *chain.Chain satisfies it.
//
// The pool calls these methods while holding its own lock, so an
// implementation must never call back into the pool synchronously from
// them (the chain's notifications run after its own lock is released).
type Chain interface {
	Best() chain.BestState
	FetchUtxoView(tx *wire.MsgTx) (*chain.UtxoViewpoint, error)
	CalcSequenceLock(tx *wire.MsgTx, view chain.UtxoView, mempool bool) (*chain.SequenceLock, error)
	// GameView returns the game registries at the current tip; its
	// lookups fail with chain.ErrStaleGameView once the tip moves.
	GameView() *chain.GameView
}

// ReplacementPolicy decides whether a transaction may evict the pool
// transactions it conflicts with. The pool enforces the structural rules
// itself first (at most Policy.MaxReplacementEvictions evicted, no
// spending of an evicted transaction's outputs); the policy judges the
// economics. The default, AuctionReplacement, treats auction bids
// specially and defers to FeeReplacement otherwise.
type ReplacementPolicy interface {
	CheckReplacement(r *Replacement) error
}

// Replacement is what a ReplacementPolicy sees. All descriptors are
// read-only.
type Replacement struct {
	Tx              *TxDesc   // the candidate; not in the pool yet
	ModFee          int64     // candidate fee plus any operator delta
	Conflicts       []*TxDesc // pool transactions spending the same outpoints
	Evicted         []*TxDesc // Conflicts and all their descendants
	EvictedModFees  int64     // sum of Fee+FeeDelta over Evicted
	MinRelayFeeRate int64
}
