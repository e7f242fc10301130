package spv

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// MinFeeRate is the fee rate, in dust per 1000 virtual bytes, that
// WalletClient.EstimateFee returns: a light node sees no mempool, so it
// offers the relay floor full nodes apply by default.
const MinFeeRate = 1000

// progressEvery is how often a rescan reports a block without a match.
const progressEvery = 500

// keepDelivered is how many delivered blocks the feed remembers to
// disconnect them in a reorg.
const keepDelivered = 1000

var bktWatch = []byte("spv-watch") // output script → nothing

// WalletClientConfig configures NewWalletClient.
type WalletClientConfig struct {
	// Watched, when set, returns scripts to match besides those of the
	// subscribed handlers (a handler that has a WatchedScripts method,
	// as *wallet.Wallet does, is asked for its own).
	Watched func() ([][]byte, error)
}

// watcher is what the feed asks of a subscribed handler, when it has
// it: the scripts to match filters against, and the height below which
// nothing concerns it (*wallet.Wallet has both).
type watcher interface {
	WatchedScripts() ([][]byte, error)
	Birthday() (int32, error)
}

// WalletClient is the wallet.ChainClient of a wallet running on the
// light node. Its tip is the verified tip (Node.Synced): blocks whose
// filter headers are cross-checked. Each block is matched against the
// wallet's scripts through its filter (fetched and verified); a block
// that matches is fetched whole, checked against its header, and handed
// to the wallet with all its transactions; a block that does not is
// handed over without any. The P2WSH outputs of every transaction handed
// over are watched from then on, so a contract's escrow output, which
// pays a script no wallet address has, is seen when it is spent.
//
// What filters cannot show, the wallet does not learn: a transaction
// whose only link to the wallet is inside a game record's data (B's side
// of a contract escrow that pays B nothing), and transactions in the
// mempool (no mempool here: the wallet sees its own transactions as
// pending, and others' once mined).
type WalletClient struct {
	n   *Node
	cfg WalletClientConfig

	mu      sync.Mutex
	subs    map[int]wallet.ChainHandler
	nextSub int
	extra   map[string]bool // watched beyond the wallet's own scripts
	fed     int32           // height the feed delivered up to (-1: not started)
	sent    []delivered     // recent blocks the feed delivered, by height
	deliver sync.Mutex      // handler calls are serialised

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type delivered struct {
	block *wallet.Block
}

var _ wallet.ChainClient = (*WalletClient)(nil)

// NewWalletClient returns the client and starts its block feed.
func NewWalletClient(n *Node, cfg WalletClientConfig) (*WalletClient, error) {
	c := &WalletClient{n: n, cfg: cfg, subs: map[int]wallet.ChainHandler{}, extra: map[string]bool{}, fed: -1}
	err := n.cfg.DB.Update(func(tx *store.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bktWatch)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, _ []byte) error {
			c.extra[string(k)] = true
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("spv: watch list: %w", err)
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.wg.Add(1)
	go c.feed()
	return c, nil
}

// Close stops the feed.
func (c *WalletClient) Close() {
	c.cancel()
	c.wg.Wait()
}

func (c *WalletClient) handlers() []wallet.ChainHandler {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]wallet.ChainHandler, 0, len(c.subs))
	for i := 0; i < c.nextSub; i++ {
		if h, ok := c.subs[i]; ok {
			out = append(out, h)
		}
	}
	return out
}

// scripts is what filters are matched against: the given scripts (when
// nil, those of the subscribed handlers and Config.Watched) and the
// extra watch list.
func (c *WalletClient) scripts(given [][]byte) ([][]byte, error) {
	out := append([][]byte(nil), given...)
	if given == nil {
		for _, h := range c.handlers() {
			if w, ok := h.(watcher); ok {
				ss, err := w.WatchedScripts()
				if err != nil {
					return nil, err
				}
				out = append(out, ss...)
			}
		}
		if c.cfg.Watched != nil {
			ss, err := c.cfg.Watched()
			if err != nil {
				return nil, err
			}
			out = append(out, ss...)
		}
	}
	c.mu.Lock()
	for s := range c.extra {
		out = append(out, []byte(s))
	}
	c.mu.Unlock()
	return out, nil
}

// birthday is the lowest birthday of the subscribed handlers (0 for a
// handler without one, or on an error: filters from genesis).
func (c *WalletClient) birthday(hs []wallet.ChainHandler) int32 {
	b := int32(-1)
	for _, h := range hs {
		hb := int32(0)
		if w, ok := h.(watcher); ok {
			if x, err := w.Birthday(); err == nil && x > 0 {
				hb = x
			}
		}
		if b < 0 || hb < b {
			b = hb
		}
	}
	return max(b, 0)
}

// maxWatchPerPayment bounds the P2WSH outputs watched of a transaction
// that only pays the wallet: anyone may pay a public address, and each
// watched script makes every block's filter match more often, for good
// (a contract's funding has one or two escrows).
const maxWatchPerPayment = 4

// watchOutputs adds the P2WSH output scripts of txs (a contract's
// escrow; not the coinbase's) to the extra watch list: all of those of a
// transaction spending one of scripts (the wallet's own), at most
// maxWatchPerPayment of one that only pays it. Other outputs pay
// someone else, or the wallet, whose scripts are watched anyway:
// watching them would fetch the blocks of strangers.
func (c *WalletClient) watchOutputs(txs []*wire.MsgTx, scripts [][]byte) {
	set := make(map[string]bool, len(scripts))
	for _, s := range scripts {
		set[string(s)] = true
	}
	var add [][]byte
	c.mu.Lock()
	for _, tx := range txs {
		if tx.IsCoinBase() {
			continue
		}
		limit := len(tx.TxOut)
		if !spends(tx, set) {
			limit = maxWatchPerPayment
		}
		for _, o := range tx.TxOut {
			if limit == 0 {
				break
			}
			if len(o.PkScript) != 34 || o.PkScript[0] != 0 || o.PkScript[1] != 32 || c.extra[string(o.PkScript)] {
				continue
			}
			limit--
			c.extra[string(o.PkScript)] = true
			add = append(add, o.PkScript)
		}
	}
	c.mu.Unlock()
	if len(add) == 0 {
		return
	}
	_ = c.n.cfg.DB.Update(func(tx *store.Tx) error {
		b := tx.Bucket(bktWatch)
		for _, s := range add {
			if err := b.Put(s, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// blockFor returns the wallet's view of f's block: its transactions when
// the filter matches scripts (the block fetched and checked), none else.
func (c *WalletClient) blockFor(ctx context.Context, f Filter, scripts [][]byte) (*wallet.Block, error) {
	b := &wallet.Block{Header: f.Header, Hash: f.Hash, Height: f.Height}
	if !f.Match(scripts) {
		return b, nil
	}
	blk, err := c.n.Block(ctx, f.Hash)
	if err != nil {
		return nil, fmt.Errorf("fetch block %v at %d: %w", f.Hash, f.Height, err)
	}
	b.Txs = blk.Transactions
	c.watchOutputs(relevant(blk.Transactions, scripts), scripts)
	return b, nil
}

// relevant lists the transactions of txs paying one of scripts or
// showing (prevScripts) that they spend one.
func relevant(txs []*wire.MsgTx, scripts [][]byte) []*wire.MsgTx {
	set := make(map[string]bool, len(scripts))
	for _, s := range scripts {
		set[string(s)] = true
	}
	var out []*wire.MsgTx
	for _, tx := range txs {
		if pays(tx, set) || spends(tx, set) {
			out = append(out, tx)
		}
	}
	return out
}

func pays(tx *wire.MsgTx, set map[string]bool) bool {
	for _, o := range tx.TxOut {
		if set[string(o.PkScript)] {
			return true
		}
	}
	return false
}

// spends reports whether an input of tx shows it spent one of set
// (prevScripts).
func spends(tx *wire.MsgTx, set map[string]bool) bool {
	for _, in := range tx.TxIn {
		for _, s := range prevScripts(in) {
			if set[string(s)] {
				return true
			}
		}
	}
	return false
}

// feed follows the verified tip and hands each new block to the
// handlers, disconnecting the ones a reorg removed first.
func (c *WalletClient) feed() {
	defer c.wg.Done()
	for {
		ch := c.n.Changed()
		if err := c.catchUp(); err != nil && !errors.Is(err, context.Canceled) {
			c.n.log.Warn("wallet feed", "err", err)
		}
		select {
		case <-c.ctx.Done():
			return
		case <-ch:
		}
	}
}

func (c *WalletClient) catchUp() error {
	for {
		_, vh, _ := c.n.Synced()
		hs := c.handlers()
		c.mu.Lock()
		fed := c.fed
		if len(c.subs) == 0 {
			// Nobody to tell: follow the tip (checked and set under one
			// lock, so a Subscribe in between keeps the height it set).
			c.fed, c.sent = vh, nil
			c.mu.Unlock()
			return nil
		}
		c.mu.Unlock()
		// Disconnect what left the best chain (tip first).
		for {
			c.mu.Lock()
			if len(c.sent) == 0 {
				c.mu.Unlock()
				break
			}
			last := c.sent[len(c.sent)-1].block
			_, hash, err := c.n.Header(last.Height)
			if err == nil && hash == last.Hash && last.Height <= vh {
				c.mu.Unlock()
				break
			}
			c.sent = c.sent[:len(c.sent)-1]
			c.fed = last.Height - 1
			c.mu.Unlock()
			c.deliver.Lock()
			for _, h := range hs {
				h.BlockDisconnected(last)
			}
			c.deliver.Unlock()
		}
		c.mu.Lock()
		fed = c.fed
		c.mu.Unlock()
		if fed >= vh {
			return nil
		}
		to := min(vh, fed+1000)
		birthday := c.birthday(hs)
		var blocks []*wallet.Block
		if to >= birthday {
			from := max(fed+1, birthday)
			for h := fed + 1; h < from; h++ {
				blocks = append(blocks, c.bare(h))
			}
			fs, err := c.n.Filters(c.ctx, from, to)
			if err != nil {
				return err
			}
			scripts, err := c.scripts(nil)
			if err != nil {
				return err
			}
			for _, f := range fs {
				b, err := c.blockFor(c.ctx, f, scripts)
				if err != nil {
					return err
				}
				blocks = append(blocks, b)
			}
		} else {
			for h := fed + 1; h <= to; h++ {
				blocks = append(blocks, c.bare(h))
			}
		}
		for _, b := range blocks {
			if b == nil {
				return nil // the chain moved: look again
			}
			c.deliver.Lock()
			for _, h := range hs {
				h.BlockConnected(b)
			}
			c.deliver.Unlock()
			c.mu.Lock()
			c.fed = b.Height
			c.sent = append(c.sent, delivered{b})
			if len(c.sent) > keepDelivered {
				c.sent = c.sent[len(c.sent)-keepDelivered:]
			}
			c.mu.Unlock()
		}
	}
}

// bare is the block at height without transactions (nil if gone).
func (c *WalletClient) bare(h int32) *wallet.Block {
	hdr, hash, err := c.n.Header(h)
	if err != nil {
		return nil
	}
	return &wallet.Block{Header: hdr, Hash: hash, Height: h}
}

// BestBlock implements wallet.ChainClient: the verified tip.
func (c *WalletClient) BestBlock(context.Context) (chainhash.Hash, int32, error) {
	hash, h, _ := c.n.Synced()
	return hash, h, nil
}

// BlockHash implements wallet.ChainClient.
func (c *WalletClient) BlockHash(_ context.Context, height int32) (chainhash.Hash, error) {
	_, vh, _ := c.n.Synced()
	if height > vh {
		return chainhash.Hash{}, fmt.Errorf("height %d above the verified tip %d: %w", height, vh, ErrNotInChain)
	}
	_, hash, err := c.n.Header(height)
	return hash, err
}

// Subscribe implements wallet.ChainClient. The feed starts at the
// verified tip of the first subscription (the wallet catches up to it
// with Rescan).
func (c *WalletClient) Subscribe(ctx context.Context, h wallet.ChainHandler) (func(), error) {
	if h == nil {
		return nil, errors.New("spv: nil handler")
	}
	_, vh, _ := c.n.Synced()
	c.mu.Lock()
	id := c.nextSub
	c.nextSub++
	c.subs[id] = h
	if len(c.subs) == 1 {
		c.fed, c.sent = vh, nil
		if _, hash, err := c.n.Header(vh); err == nil {
			hdr, _, _ := c.n.Header(vh)
			c.sent = append(c.sent, delivered{&wallet.Block{Header: hdr, Hash: hash, Height: vh}})
		}
	}
	c.mu.Unlock()
	var once sync.Once
	cancel := func() {
		once.Do(func() {
			c.mu.Lock()
			delete(c.subs, id)
			c.mu.Unlock()
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

// WatchScripts implements wallet.ChainClient: the scripts are matched
// from now on, besides the wallet's own.
func (c *WalletClient) WatchScripts(_ context.Context, pkScripts [][]byte) error {
	c.mu.Lock()
	for _, s := range pkScripts {
		c.extra[string(s)] = true
	}
	c.mu.Unlock()
	return nil
}

// WatchOutPoints implements wallet.ChainClient. Filters hold scripts,
// not outpoints: a coin is seen spent through its script (the wallet's
// own, or one the feed watches since it handed over the transaction
// that created it), so there is nothing to add.
func (c *WalletClient) WatchOutPoints(context.Context, []wire.OutPoint) error { return nil }

// Broadcast implements wallet.ChainClient: the transaction is announced
// to every peer. A light node cannot check it against the UTXO set; a
// peer that refuses it says nothing, so no rejection comes back.
func (c *WalletClient) Broadcast(ctx context.Context, tx *wire.MsgTx) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.n.Broadcast(tx)
	return nil
}

// EstimateFee implements wallet.ChainClient: MinFeeRate (no mempool).
func (c *WalletClient) EstimateFee(_ context.Context, target int) (amount.Amount, error) {
	if target < 1 {
		return 0, fmt.Errorf("spv: estimate fee: target %d blocks, want 1 or more", target)
	}
	return MinFeeRate, nil
}

// Rescan implements wallet.ChainClient over verified filters: from
// fromHeight to the verified tip, each block's filter is matched against
// pkScripts (the wallet's own when nil) and the watch list; matching
// blocks are fetched and delivered whole, the others reported as
// progress every progressEvery blocks and at the tip.
func (c *WalletClient) Rescan(ctx context.Context, fromHeight int32, pkScripts [][]byte, _ []wire.OutPoint, fn func(wallet.RescanBlock) error) error {
	fromHeight = max(fromHeight, 0)
	for {
		_, tip, _ := c.n.Synced()
		if fromHeight > tip {
			return nil
		}
		to := min(tip, fromHeight+999)
		fs, err := c.n.Filters(ctx, fromHeight, to)
		if errors.Is(err, ErrNotInChain) {
			continue // a reorg under us: look again
		}
		if err != nil {
			return fmt.Errorf("rescan from %d: %w", fromHeight, err)
		}
		for _, f := range fs {
			scripts, err := c.scripts(pkScripts)
			if err != nil {
				return err
			}
			b, err := c.blockFor(ctx, f, scripts)
			if err != nil {
				return err
			}
			if len(b.Txs) == 0 && f.Height != tip && f.Height%progressEvery != 0 {
				continue
			}
			if err := fn(wallet.RescanBlock{Block: *b, Tip: tip}); err != nil {
				return err
			}
		}
		fromHeight = to + 1
	}
}
