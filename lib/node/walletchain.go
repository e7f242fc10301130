package node

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// WalletChain is the in-process wallet.ChainClient: it serves a wallet
// hosted in gg-node from the node's own chain and mempool. Block
// notifications come from the chain's subscription; mempool
// transactions reach RelevantTx from the mempool's acceptance events,
// however they were submitted (Broadcast, sendrawtransaction, unlocked
// orphans), and transactions the pool dropped for good (replaced, in
// conflict with a block, invalid after a reorg, lapsed) reach TxDropped
// when the handler is a wallet.DropHandler. It delivers every
// transaction (in process, filtering costs more than the wallet's own
// IsMine check), so WatchScripts and WatchOutPoints do nothing.
type WalletChain struct {
	chain *chain.Chain
	pool  *mempool.Pool

	mu      sync.Mutex
	subs    map[int]wallet.ChainHandler
	nextSub int
	deliver sync.Mutex // handler calls are serialised
}

var _ wallet.ChainClient = (*WalletChain)(nil)

// NewWalletChain returns the adapter and subscribes it to c and p (the
// chain has no unsubscribe: create one adapter per chain and reuse it).
func NewWalletChain(c *chain.Chain, p *mempool.Pool) *WalletChain {
	wc := &WalletChain{chain: c, pool: p, subs: map[int]wallet.ChainHandler{}}
	c.Subscribe(wc.handle)
	p.Listen(mempool.Listener{OnAccept: wc.accepted, OnRemove: wc.removed})
	return wc
}

// accepted hands a new mempool transaction to the handlers. It runs on
// the mempool's event delivery, outside the pool's lock.
func (wc *WalletChain) accepted(d *mempool.TxDesc) {
	hs := wc.handlers()
	if len(hs) == 0 {
		return
	}
	wc.deliver.Lock()
	defer wc.deliver.Unlock()
	for _, h := range hs {
		h.RelevantTx(d.Tx)
	}
}

// dropReasons maps the mempool removals the wallet must hear about to
// the wallet's reasons. The others are left out on purpose: a mined
// transaction arrives with its block; one evicted for the pool's size
// cap or its expiry, or removed by Pool.Remove, is still valid, so the
// wallet keeps it pending and rebroadcasts it on its next Resync.
var dropReasons = map[mempool.RemoveReason]wallet.DropReason{
	mempool.RemoveReplaced: wallet.DropReplaced,
	mempool.RemoveConflict: wallet.DropConflict,
	mempool.RemoveReorg:    wallet.DropInvalid,
	mempool.RemoveLapsed:   wallet.DropLapsed,
}

// removed reports the transactions the pool dropped for good (see
// dropReasons) to the handlers: TxDropped for a wallet.DropHandler,
// TxReplaced for a replacement to a wallet.ReplacementHandler.
func (wc *WalletChain) removed(d *mempool.TxDesc, reason mempool.RemoveReason) {
	why, ok := dropReasons[reason]
	if !ok {
		return
	}
	hs := wc.handlers()
	if len(hs) == 0 {
		return
	}
	wc.deliver.Lock()
	defer wc.deliver.Unlock()
	for _, h := range hs {
		switch h := h.(type) {
		case wallet.DropHandler:
			h.TxDropped(d.TxID, why)
		case wallet.ReplacementHandler:
			if why == wallet.DropReplaced {
				h.TxReplaced(d.TxID)
			}
		}
	}
}

func (wc *WalletChain) handlers() []wallet.ChainHandler {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	out := make([]wallet.ChainHandler, 0, len(wc.subs))
	for i := 0; i < wc.nextSub; i++ {
		if h, ok := wc.subs[i]; ok {
			out = append(out, h)
		}
	}
	return out
}

func toWalletBlock(blk *wire.MsgBlock, hash chainhash.Hash, height int32) *wallet.Block {
	return &wallet.Block{Header: blk.Header, Hash: hash, Height: height, Txs: blk.Transactions}
}

func (wc *WalletChain) handle(n *chain.Notification) {
	if n == nil || n.Block == nil || (n.Type != chain.NTBlockConnected && n.Type != chain.NTBlockDisconnected) {
		return
	}
	hs := wc.handlers()
	if len(hs) == 0 {
		return
	}
	b := toWalletBlock(n.Block, n.Hash, n.Height)
	wc.deliver.Lock()
	defer wc.deliver.Unlock()
	for _, h := range hs {
		if n.Type == chain.NTBlockConnected {
			h.BlockConnected(b)
		} else {
			h.BlockDisconnected(b)
		}
	}
}

// BestBlock implements wallet.ChainClient.
func (wc *WalletChain) BestBlock(context.Context) (chainhash.Hash, int32, error) {
	b := wc.chain.Best()
	return b.Hash, b.Height, nil
}

// BlockHash implements wallet.ChainClient.
func (wc *WalletChain) BlockHash(_ context.Context, height int32) (chainhash.Hash, error) {
	return wc.chain.BlockHashByHeight(height)
}

// Subscribe implements wallet.ChainClient.
func (wc *WalletChain) Subscribe(ctx context.Context, h wallet.ChainHandler) (func(), error) {
	if h == nil {
		return nil, errors.New("walletchain: nil handler")
	}
	wc.mu.Lock()
	id := wc.nextSub
	wc.nextSub++
	wc.subs[id] = h
	wc.mu.Unlock()
	var once sync.Once
	cancel := func() {
		once.Do(func() {
			wc.mu.Lock()
			delete(wc.subs, id)
			wc.mu.Unlock()
		})
	}
	if done := ctx.Done(); done != nil {
		go func() {
			<-done
			cancel()
		}()
	}
	return cancel, nil
}

// WatchScripts implements wallet.ChainClient (nothing to do in process).
func (wc *WalletChain) WatchScripts(context.Context, [][]byte) error { return nil }

// WatchOutPoints implements wallet.ChainClient (nothing to do in process).
func (wc *WalletChain) WatchOutPoints(context.Context, []wire.OutPoint) error { return nil }

// Broadcast implements wallet.ChainClient: it submits tx to the mempool
// (no orphans); the mempool's events hand what was accepted to the
// handlers. A
// transaction already in the pool or already confirmed is not an error.
// Rejections keep the mempool's and chain's error kinds.
func (wc *WalletChain) Broadcast(ctx context.Context, tx *wire.MsgTx) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := wc.pool.ProcessTransaction(tx, false)
	switch {
	case errors.Is(err, mempool.ErrDuplicate), errors.Is(err, mempool.ErrAlreadyKnown):
		return nil
	case err != nil:
		return err // the wallet names the transaction
	}
	return nil
}

// EstimateFee implements wallet.ChainClient: with no fee estimator yet,
// it returns the rate a transaction needs to enter the mempool now (the
// rolling minimum after evictions), never below the relay floor.
func (wc *WalletChain) EstimateFee(_ context.Context, target int) (amount.Amount, error) {
	if target < 1 {
		return 0, fmt.Errorf("walletchain: estimate fee: target %d blocks, want 1 or more", target)
	}
	rate := max(wc.pool.Policy().MinRelayFeeRate, wc.pool.Info().MinFeeRate, mempool.DefaultMinRelayFeeRate)
	return amount.Amount(rate), nil
}

// Rescan implements wallet.ChainClient by walking the main chain from
// fromHeight to the tip, delivering every block whole.
func (wc *WalletChain) Rescan(ctx context.Context, fromHeight int32, _ [][]byte, _ []wire.OutPoint, fn func(wallet.RescanBlock) error) error {
	if fromHeight < 0 {
		fromHeight = 0
	}
	for h := fromHeight; ; h++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		tip := wc.chain.Best().Height
		if h > tip {
			return nil
		}
		hash, err := wc.chain.BlockHashByHeight(h)
		if err != nil {
			return fmt.Errorf("rescan at height %d: %w", h, err)
		}
		blk, err := wc.chain.BlockByHash(hash)
		if err != nil {
			return fmt.Errorf("rescan block %s: %w", hash, err)
		}
		if err := fn(wallet.RescanBlock{Block: *toWalletBlock(blk, hash, h), Tip: tip}); err != nil {
			return err
		}
	}
}
