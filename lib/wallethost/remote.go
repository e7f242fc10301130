package wallethost

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// RemoteChain is the wallet's ChainClient over a node's JSON-RPC (for
// gg-wallet serve). Subscribe follows the node's WebSocket events (see
// Follow): block.connected brings the block, fetched whole (getblock
// verbosity 0), to BlockConnected when it extends the delivered tip,
// block.disconnected takes the delivered tip off (BlockDisconnected),
// tx.accepted (with its hex) goes to RelevantTx and tx.removed with the
// node's reason to TxDropped (replaced, conflict, reorg → DropInvalid,
// lapsed; TxReplaced for a handler without it, for replaced), as the
// in-process adapter reports them. An event that does not fit the
// delivered chain (a gap) makes it catch up with the node's tip as a poll
// step would; a resync from the node, or a connection that ended (it
// dials again, resuming after the last delivered block), makes it run
// one whole poll step.
//
// A node without a WebSocket (404 on /ws) is polled: every PollInterval
// it compares the node's tip with the blocks it delivered,
// disconnects what left the chain (a reorg, found by comparing block
// hashes height by height) and connects the new blocks, fetched whole
// (getblock verbosity 0). It then lists the mempool (getrawmempool),
// fetches the new transactions (getrawtransaction) for RelevantTx, and
// reports a transaction that left the mempool because another one spent
// the same outputs (or its parent was replaced that way) to TxDropped
// (TxReplaced for a handler without it), and a game transaction that
// left it otherwise and that the node refuses when offered again for a
// game rule or inputs gone (see probeGames).
// Broadcast is sendrawtransaction, EstimateFee the mempool's minimum fee
// rate (getmempoolinfo) with the relay floor, and Rescan walks
// getblockhash/getblock. Everything is delivered unfiltered (the mempool
// topic, not the address-filtered txs one: contract records name the
// wallet's keys inside their data), so WatchScripts and WatchOutPoints
// do nothing.
//
// A call that does not reach the node (transport error) is returned
// wrapping context.DeadlineExceeded as well, so the wallet keeps a
// payment pending instead of treating it as rejected.
type RemoteChain struct {
	client       *rpc.Client
	PollInterval time.Duration
	// Follow says how Subscribe follows the node (FollowAuto: events,
	// else polling).
	Follow Follow
	log    *slog.Logger

	mu  sync.Mutex
	tip int32 // last tip seen, for BestHeight

	polls atomic.Int64 // poll steps run on the PollInterval ticker
}

// Follow is how RemoteChain.Subscribe learns of the node's changes.
type Follow int

const (
	// FollowAuto takes the node's WebSocket events, and polls only a
	// node without a WebSocket (404 on /ws).
	FollowAuto Follow = iota
	// FollowEvents takes the events only: a node without a WebSocket
	// is an error (no poll fallback).
	FollowEvents
	// FollowPoll polls, whatever the node serves.
	FollowPoll
)

// Polls is how many poll steps the chain has run on its PollInterval
// ticker: 0 while it follows the node's events.
func (rc *RemoteChain) Polls() int64 { return rc.polls.Load() }

// ParseFollow reads a Follow by name: auto, events or poll.
func ParseFollow(s string) (Follow, error) {
	switch s {
	case "auto", "":
		return FollowAuto, nil
	case "events":
		return FollowEvents, nil
	case "poll":
		return FollowPoll, nil
	}
	return 0, fmt.Errorf("follow %q: want auto, events or poll", s)
}

func (f Follow) String() string {
	switch f {
	case FollowEvents:
		return "events"
	case FollowPoll:
		return "poll"
	}
	return "auto"
}

var _ wallet.ChainClient = (*RemoteChain)(nil)

// NewRemoteChain returns the adapter over client, polling every 500 ms.
func NewRemoteChain(client *rpc.Client, log *slog.Logger) *RemoteChain {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &RemoteChain{client: client, PollInterval: 500 * time.Millisecond, log: log, tip: -1}
}

// errUnreachable marks transport failures as "try again later".
func (rc *RemoteChain) call(ctx context.Context, method string, out any, params ...any) error {
	err := rc.client.Call(ctx, method, out, params...)
	var re *rpc.Error
	if err != nil && !errors.As(err, &re) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("node unreachable: %w (%w)", err, context.DeadlineExceeded)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return nil
}

// TipHeight is the last tip height the adapter saw (-1 before any).
func (rc *RemoteChain) TipHeight() int32 {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.tip
}

// BestBlock implements wallet.ChainClient.
func (rc *RemoteChain) BestBlock(ctx context.Context) (chainhash.Hash, int32, error) {
	var info struct {
		Blocks        int32  `json:"blocks"`
		BestBlockHash string `json:"bestblockhash"`
	}
	if err := rc.call(ctx, "getblockchaininfo", &info); err != nil {
		return chainhash.Hash{}, 0, err
	}
	h, err := chainhash.NewHashFromStr(info.BestBlockHash)
	if err != nil {
		return chainhash.Hash{}, 0, fmt.Errorf("getblockchaininfo: bestblockhash: %w", err)
	}
	rc.mu.Lock()
	rc.tip = info.Blocks
	rc.mu.Unlock()
	return h, info.Blocks, nil
}

// BlockHash implements wallet.ChainClient.
func (rc *RemoteChain) BlockHash(ctx context.Context, height int32) (chainhash.Hash, error) {
	var s string
	if err := rc.call(ctx, "getblockhash", &s, height); err != nil {
		return chainhash.Hash{}, err
	}
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		return chainhash.Hash{}, fmt.Errorf("getblockhash: %w", err)
	}
	return h, nil
}

// block fetches the block at hash, whole, as the wallet sees it.
func (rc *RemoteChain) block(ctx context.Context, hash chainhash.Hash, height int32) (*wallet.Block, error) {
	var s string
	if err := rc.call(ctx, "getblock", &s, hash.String(), 0); err != nil {
		return nil, err
	}
	blk, err := wire.DecodeBlockHex(s)
	if err != nil {
		return nil, fmt.Errorf("getblock %s: %w", hash, err)
	}
	if got := blk.Header.BlockHash(); got != hash {
		return nil, fmt.Errorf("getblock %s: the node sent block %s", hash, got)
	}
	return &wallet.Block{Header: blk.Header, Hash: hash, Height: height, Txs: blk.Transactions}, nil
}

// WatchScripts implements wallet.ChainClient (everything is delivered).
func (rc *RemoteChain) WatchScripts(context.Context, [][]byte) error { return nil }

// WatchOutPoints implements wallet.ChainClient (everything is delivered).
func (rc *RemoteChain) WatchOutPoints(context.Context, []wire.OutPoint) error { return nil }

// Broadcast implements wallet.ChainClient with sendrawtransaction; the
// node's rejection comes back as its *rpc.Error.
func (rc *RemoteChain) Broadcast(ctx context.Context, tx *wire.MsgTx) error {
	return rc.call(ctx, "sendrawtransaction", nil, hex.EncodeToString(tx.Bytes()))
}

// EstimateFee implements wallet.ChainClient: the node's mempool minimum
// fee rate, never below the relay floor.
func (rc *RemoteChain) EstimateFee(ctx context.Context, target int) (amount.Amount, error) {
	if target < 1 {
		return 0, fmt.Errorf("remote chain: estimate fee: target %d blocks, want 1 or more", target)
	}
	var info struct {
		MinFee json.Number `json:"mempoolminfee"`
	}
	if err := rc.call(ctx, "getmempoolinfo", &info); err != nil {
		return 0, err
	}
	rate, err := amount.Parse(info.MinFee.String())
	if err != nil {
		return 0, fmt.Errorf("getmempoolinfo: mempoolminfee %q: %w", info.MinFee, err)
	}
	return max(rate, wallet.MinRelayFeeRate), nil
}

// Rescan implements wallet.ChainClient by fetching every block from
// fromHeight to the tip (re-read at the end, so blocks mined meanwhile
// are included).
func (rc *RemoteChain) Rescan(ctx context.Context, fromHeight int32, _ [][]byte, _ []wire.OutPoint, fn func(wallet.RescanBlock) error) error {
	h := max(fromHeight, 0)
	for {
		_, tip, err := rc.BestBlock(ctx)
		if err != nil {
			return err
		}
		if h > tip {
			return nil
		}
		for ; h <= tip; h++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			hash, err := rc.BlockHash(ctx, h)
			if err != nil {
				return err
			}
			b, err := rc.block(ctx, hash, h)
			if err != nil {
				return err
			}
			if err := fn(wallet.RescanBlock{Block: *b, Tip: tip}); err != nil {
				return err
			}
		}
	}
}

// maxRemoteReorg is how many delivered blocks the adapter keeps to
// disconnect in a reorg; a deeper one is left to the wallet's Resync.
const maxRemoteReorg = 144

// Subscribe implements wallet.ChainClient: it follows the node's events
// (or polls it, see Follow) until ctx ends or cancel is called,
// delivering to h from its goroutine.
func (rc *RemoteChain) Subscribe(ctx context.Context, h wallet.ChainHandler) (func(), error) {
	p := &poller{rc: rc, h: h, mempool: map[chainhash.Hash][]wire.OutPoint{}, games: map[chainhash.Hash]*wire.MsgTx{}}
	var f *follower
	if rc.Follow != FollowPoll {
		var err error
		f, err = rc.dialEvents(ctx, "")
		switch {
		case err == nil:
			tip, err := chainhash.NewHashFromStr(f.sub.Tip.Hash)
			if err != nil {
				f.ws.Close()
				return nil, fmt.Errorf("subscribe: tip %q: %w", f.sub.Tip.Hash, err)
			}
			p.tipHash, p.tipHeight = tip, f.sub.Tip.Height
			rc.setTip(f.sub.Tip.Height)
		case errors.Is(err, rpc.ErrNoWebSocket) && rc.Follow == FollowAuto:
			rc.log.Info("the node has no WebSocket: polling it", "every", rc.PollInterval)
			f = nil
		default:
			return nil, err
		}
	}
	if f == nil {
		hash, height, err := rc.BestBlock(ctx)
		if err != nil {
			return nil, err
		}
		p.tipHash, p.tipHeight = hash, height
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.mempoolStep(ctx, nil) // what is in the mempool now
		if f != nil && !p.follow(ctx, f) {
			return
		}
		p.poll(ctx)
	}()
	return func() { cancel(); <-done }, nil
}

// setTip records height as the last tip seen.
func (rc *RemoteChain) setTip(height int32) {
	rc.mu.Lock()
	rc.tip = height
	rc.mu.Unlock()
}

// poll runs a poll step every PollInterval until ctx ends.
func (p *poller) poll(ctx context.Context) {
	t := time.NewTicker(p.rc.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.rc.polls.Add(1)
		if err := p.step(ctx); err != nil && ctx.Err() == nil {
			p.rc.log.Warn("poll node", "err", err)
		}
	}
}

// follower is a subscription to the node's events.
type follower struct {
	ws  *rpc.WSClient
	sub *rpc.Subscription
}

// dialEvents connects to the node's WebSocket and subscribes to blocks
// and the mempool (with each transaction's hex), after block since ("":
// from now on).
func (rc *RemoteChain) dialEvents(ctx context.Context, since string) (*follower, error) {
	ws, err := rc.client.DialWS(ctx)
	if err != nil {
		return nil, err
	}
	sub, err := ws.Subscribe(ctx, rpc.SubscribeParams{Topics: []string{"blocks", "mempool"}, Since: since, RawTx: true})
	if err != nil {
		ws.Close()
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	return &follower{ws: ws, sub: sub}, nil
}

// follow delivers f's events until ctx ends (false) or the node turns
// out to have no WebSocket and rc polls (true). A connection that ends is
// dialled again after a pause, resuming after the delivered tip.
func (p *poller) follow(ctx context.Context, f *follower) (poll bool) {
	defer func() {
		if f != nil {
			f.ws.Close()
		}
	}()
	wait := 100 * time.Millisecond
	for {
		n, err := f.sub.Next(ctx)
		if ctx.Err() != nil {
			return false
		}
		if err == nil {
			wait = 100 * time.Millisecond
			if err := p.handle(ctx, n); err != nil && ctx.Err() == nil {
				p.rc.log.Warn("node event", "err", err)
				p.catchUp(ctx)
			}
			continue
		}
		p.rc.log.Warn("event stream ended: dialling again", "err", err)
		f.ws.Close()
		for f = nil; f == nil; {
			select {
			case <-ctx.Done():
				return false
			case <-time.After(wait):
			}
			wait = min(2*wait, 5*time.Second)
			f, err = p.rc.dialEvents(ctx, p.tipHash.String())
			switch {
			case err == nil:
			case errors.Is(err, rpc.ErrNoWebSocket) && p.rc.Follow == FollowAuto:
				p.rc.log.Info("the node has no WebSocket any more: polling it", "every", p.rc.PollInterval)
				return true
			case ctx.Err() != nil:
				return false
			default:
				p.rc.log.Warn("node events", "err", err)
			}
		}
	}
}

// catchUp runs one whole poll step (after a resync or a failed event):
// the node's tip and mempool against what was delivered.
func (p *poller) catchUp(ctx context.Context) {
	if err := p.step(ctx); err != nil && ctx.Err() == nil {
		p.rc.log.Warn("catch up with the node", "err", err)
	}
}

// dropReasons maps the node's tx.removed reasons the wallet hears about
// to theirs (the others — mined, sizelimit, expired, removed — leave a
// transaction valid or confirmed).
var remoteDropReasons = map[string]wallet.DropReason{
	"replaced": wallet.DropReplaced,
	"conflict": wallet.DropConflict,
	"reorg":    wallet.DropInvalid,
	"lapsed":   wallet.DropLapsed,
}

// handle delivers one notification.
func (p *poller) handle(ctx context.Context, n rpc.Notification) error {
	if n.Resync != nil {
		p.rc.log.Info("node resync", "reason", n.Resync.Reason)
		p.catchUp(ctx)
		return nil
	}
	ev := n.Event
	hash, err := chainhash.NewHashFromStr(ev.Hash)
	if err != nil {
		return fmt.Errorf("event %s: hash %q: %w", ev.Type, ev.Hash, err)
	}
	var d struct {
		Prev   string `json:"prev"`
		TxID   string `json:"txid"`
		Hex    string `json:"hex"`
		Reason string `json:"reason"`
	}
	if len(ev.Data) > 0 {
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			return fmt.Errorf("event %s: data: %w", ev.Type, err)
		}
	}
	switch ev.Type {
	case "block.connected":
		return p.eventConnected(ctx, hash, ev.Height, d.Prev)
	case "block.disconnected":
		p.eventDisconnected(hash, ev.Height, d.Prev)
	case "tx.accepted":
		return p.eventAccepted(ctx, d.TxID, d.Hex)
	case "tx.removed":
		id, err := chainhash.NewHashFromStr(d.TxID)
		if err != nil {
			return fmt.Errorf("event %s: txid %q: %w", ev.Type, d.TxID, err)
		}
		if why, ok := remoteDropReasons[d.Reason]; ok {
			p.dropped(id, why)
		}
		delete(p.mempool, id)
		delete(p.games, id)
	}
	return nil
}

// eventConnected delivers the block an event names when it extends the
// delivered tip; one delivered already is skipped, any other makes the
// delivered chain catch up with the node's tip.
func (p *poller) eventConnected(ctx context.Context, hash chainhash.Hash, height int32, prev string) error {
	if hash == p.tipHash {
		return nil
	}
	for _, b := range p.recent {
		if b.Hash == hash {
			return nil // a replay after a reconnect
		}
	}
	if prev != p.tipHash.String() || height != p.tipHeight+1 {
		hash, height, err := p.rc.BestBlock(ctx)
		if err != nil || hash == p.tipHash {
			return err
		}
		connected, err := p.syncBlocks(ctx, hash, height)
		p.confirmed(connected)
		return err
	}
	b, err := p.rc.block(ctx, hash, height)
	if err != nil {
		return err
	}
	if b.Header.PrevBlock != p.tipHash {
		return fmt.Errorf("block %s: prev %s, not the tip %s", hash, b.Header.PrevBlock, p.tipHash)
	}
	p.h.BlockConnected(b)
	p.recent = append(p.recent, b)
	if len(p.recent) > maxRemoteReorg {
		p.recent = p.recent[1:]
	}
	p.tipHash, p.tipHeight = hash, height
	p.rc.setTip(height)
	p.confirmed([]*wallet.Block{b})
	return nil
}

// confirmed forgets the mempool transactions the blocks hold.
func (p *poller) confirmed(blocks []*wallet.Block) {
	for _, b := range blocks {
		for _, tx := range b.Txs {
			delete(p.mempool, tx.TxHash())
			delete(p.games, tx.TxHash())
		}
	}
}

// eventDisconnected takes the delivered tip off when the event names it.
func (p *poller) eventDisconnected(hash chainhash.Hash, height int32, prev string) {
	if hash != p.tipHash {
		return // not delivered (a replay, or below what was)
	}
	if n := len(p.recent); n > 0 {
		top := p.recent[n-1]
		p.recent = p.recent[:n-1]
		p.h.BlockDisconnected(top)
		p.tipHash, p.tipHeight = top.Header.PrevBlock, top.Height-1
		p.rc.setTip(p.tipHeight)
		return
	}
	// The tip this subscription started from: the wallet's Resync (at
	// its next start) rewinds what it cannot see here.
	p.rc.log.Warn("reorg below the blocks this subscription delivered", "height", height)
	if ph, err := chainhash.NewHashFromStr(prev); err == nil {
		p.tipHash, p.tipHeight = ph, height-1
		p.rc.setTip(p.tipHeight)
	}
}

// eventAccepted hands a transaction the mempool accepted to RelevantTx
// (once), fetching it when the event lacks its hex.
func (p *poller) eventAccepted(ctx context.Context, txid, hexTx string) error {
	id, err := chainhash.NewHashFromStr(txid)
	if err != nil {
		return fmt.Errorf("event tx.accepted: txid %q: %w", txid, err)
	}
	if _, seen := p.mempool[id]; seen {
		return nil
	}
	if hexTx == "" {
		if err := p.rc.call(ctx, "getrawtransaction", &hexTx, txid); err != nil {
			var re *rpc.Error
			if errors.As(err, &re) {
				return nil // left the mempool meanwhile
			}
			return err
		}
	}
	tx, err := wire.DecodeTxHex(hexTx)
	if err != nil {
		return fmt.Errorf("tx.accepted %s: %w", txid, err)
	}
	if tx.TxHash() != id {
		return fmt.Errorf("tx.accepted %s: the node sent tx %s", txid, tx.TxHash())
	}
	p.track(tx)
	p.h.RelevantTx(tx)
	return nil
}

// track records tx as in the node's mempool.
func (p *poller) track(tx *wire.MsgTx) {
	ins := make([]wire.OutPoint, len(tx.TxIn))
	for i, in := range tx.TxIn {
		ins[i] = in.PreviousOutPoint
	}
	p.mempool[tx.TxHash()] = ins
	if r, _, err := game.FindRecord(tx); err == nil && r != nil {
		p.games[tx.TxHash()] = tx
	}
}

// poller is one subscription's view of the node.
type poller struct {
	rc        *RemoteChain
	h         wallet.ChainHandler
	tipHash   chainhash.Hash
	tipHeight int32
	recent    []*wallet.Block // delivered blocks, oldest first, at most maxRemoteReorg
	// mempool: txids seen in the node's mempool and the outpoints they
	// spend (to tell a replacement from a confirmation).
	mempool map[chainhash.Hash][]wire.OutPoint
	// games: the game transactions among them, offered again when they
	// vanish to learn whether a game rule now refuses them.
	games map[chainhash.Hash]*wire.MsgTx
}

func (p *poller) step(ctx context.Context) error {
	hash, height, err := p.rc.BestBlock(ctx)
	if err != nil {
		return err
	}
	var connected []*wallet.Block
	if hash != p.tipHash {
		if connected, err = p.syncBlocks(ctx, hash, height); err != nil {
			return err
		}
	}
	return p.mempoolStep(ctx, connected)
}

// syncBlocks moves the delivered chain to the node's tip: it
// disconnects delivered blocks no longer on the node's chain (tip
// first), then connects the node's blocks above the fork.
func (p *poller) syncBlocks(ctx context.Context, hash chainhash.Hash, height int32) ([]*wallet.Block, error) {
	onChain := func(h chainhash.Hash, hgt int32) (bool, error) {
		if hgt > height {
			return false, nil
		}
		got, err := p.rc.BlockHash(ctx, hgt)
		return got == h, err
	}
	for len(p.recent) > 0 {
		top := p.recent[len(p.recent)-1]
		ok, err := onChain(top.Hash, top.Height)
		if err != nil {
			return nil, err
		}
		if ok {
			break
		}
		p.recent = p.recent[:len(p.recent)-1]
		p.h.BlockDisconnected(top)
		p.tipHash, p.tipHeight = top.Header.PrevBlock, top.Height-1
	}
	if len(p.recent) == 0 && p.tipHeight >= 0 {
		ok, err := onChain(p.tipHash, p.tipHeight)
		if err != nil {
			return nil, err
		}
		if !ok {
			// The reorg reaches below what this subscription delivered:
			// connect the new branch from the node's chain; the wallet's
			// Resync (at its next start) rewinds what it cannot see here.
			p.rc.log.Warn("reorg below the blocks this subscription delivered", "height", p.tipHeight)
			p.tipHeight = min(p.tipHeight, height) - 1
		}
	}
	var connected []*wallet.Block
	for hgt := p.tipHeight + 1; hgt <= height; hgt++ {
		bh, err := p.rc.BlockHash(ctx, hgt)
		if err != nil {
			return connected, err
		}
		b, err := p.rc.block(ctx, bh, hgt)
		if err != nil {
			return connected, err
		}
		p.h.BlockConnected(b)
		connected = append(connected, b)
		p.recent = append(p.recent, b)
		if len(p.recent) > maxRemoteReorg {
			p.recent = p.recent[1:]
		}
		p.tipHash, p.tipHeight = bh, hgt
	}
	_ = hash
	return connected, nil
}

// mempoolStep lists the node's mempool: transactions gone without
// confirming whose inputs another transaction (new in the mempool or in
// the blocks just connected) spends were replaced, with their
// descendants; new ones go to RelevantTx.
func (p *poller) mempoolStep(ctx context.Context, connected []*wallet.Block) error {
	var ids []string
	if err := p.rc.call(ctx, "getrawmempool", &ids); err != nil {
		return err
	}
	now := make(map[chainhash.Hash]bool, len(ids))
	for _, s := range ids {
		h, err := chainhash.NewHashFromStr(s)
		if err != nil {
			return fmt.Errorf("getrawmempool: %w", err)
		}
		now[h] = true
	}
	// New transactions first, so their inputs are known.
	var fresh []*wire.MsgTx
	for id := range now {
		if _, ok := p.mempool[id]; ok {
			continue
		}
		var s string
		if err := p.rc.call(ctx, "getrawtransaction", &s, id.String()); err != nil {
			var re *rpc.Error
			if errors.As(err, &re) {
				continue // left the mempool meanwhile
			}
			return err
		}
		tx, err := wire.DecodeTxHex(s)
		if err != nil {
			return fmt.Errorf("getrawtransaction %s: %w", id, err)
		}
		fresh = append(fresh, tx)
	}
	// Gone: confirmed (in a connected block) or evicted.
	confirmed := map[chainhash.Hash]bool{}
	spentBy := map[wire.OutPoint]chainhash.Hash{}
	for _, b := range connected {
		for _, tx := range b.Txs {
			id := tx.TxHash()
			confirmed[id] = true
			for _, in := range tx.TxIn {
				spentBy[in.PreviousOutPoint] = id
			}
		}
	}
	for _, tx := range fresh {
		id := tx.TxHash()
		for _, in := range tx.TxIn {
			spentBy[in.PreviousOutPoint] = id
		}
	}
	replaced := map[chainhash.Hash]bool{}
	var gone []chainhash.Hash
	for id, ins := range p.mempool {
		if now[id] || confirmed[id] {
			continue
		}
		gone = append(gone, id)
		for _, op := range ins {
			if sp, ok := spentBy[op]; ok && sp != id {
				replaced[id] = true
			}
		}
	}
	// Descendants of a replaced transaction went with it.
	for changed := true; changed; {
		changed = false
		for _, id := range gone {
			if replaced[id] {
				continue
			}
			for _, op := range p.mempool[id] {
				if replaced[op.Hash] {
					replaced[id], changed = true, true
					break
				}
			}
		}
	}
	for _, id := range gone {
		if replaced[id] {
			p.dropped(id, wallet.DropReplaced)
		}
	}
	p.probeGames(ctx, gone, replaced)
	for _, id := range gone {
		delete(p.mempool, id)
		delete(p.games, id)
	}
	for id := range p.mempool {
		if confirmed[id] {
			delete(p.mempool, id)
			delete(p.games, id)
		}
	}
	for _, tx := range parentsFirst(fresh) {
		p.track(tx)
		p.h.RelevantTx(tx)
	}
	return nil
}

// dropped reports id to the handler: TxDropped for a wallet.DropHandler,
// TxReplaced for a replacement to a wallet.ReplacementHandler.
func (p *poller) dropped(id chainhash.Hash, why wallet.DropReason) {
	switch h := p.h.(type) {
	case wallet.DropHandler:
		h.TxDropped(id, why)
	case wallet.ReplacementHandler:
		if why == wallet.DropReplaced {
			h.TxReplaced(id)
		}
	}
}

// probeGames finds why game transactions left the mempool unconfirmed
// and not replaced: a block took a name they claim, a reorg undid what
// they rely on, or their auction lapsed. The node does not say, so each
// is offered again (sendrawtransaction, parents first, what the wallet's
// rebroadcast would do): accepted, it is back in the mempool; refused
// for a game rule or for inputs gone, it is dropped for good
// (DropLapsed for the sale end rule, DropConflict otherwise); refused
// for anything else (fees, pool full) it stays pending in the wallet.
// Only a handler that implements wallet.DropHandler is concerned.
func (p *poller) probeGames(ctx context.Context, gone []chainhash.Hash, replaced map[chainhash.Hash]bool) {
	if _, ok := p.h.(wallet.DropHandler); !ok {
		return
	}
	var txs []*wire.MsgTx
	for _, id := range gone {
		if tx := p.games[id]; tx != nil && !replaced[id] {
			txs = append(txs, tx)
		}
	}
	for _, tx := range parentsFirst(txs) {
		id := tx.TxHash()
		err := p.rc.client.Call(ctx, "sendrawtransaction", nil, hex.EncodeToString(tx.Bytes()))
		var re *rpc.Error
		if err == nil || !errors.As(err, &re) {
			continue // back in the mempool, or the node is out of reach
		}
		switch {
		case strings.HasPrefix(re.Message, mempool.CodeSaleEnd+":"):
			p.dropped(id, wallet.DropLapsed)
		case strings.HasPrefix(re.Message, "game-") || re.Code == rpc.CodeVerify:
			p.dropped(id, wallet.DropConflict)
		}
	}
}

// parentsFirst orders txs so that a transaction comes after those of
// txs it spends.
func parentsFirst(txs []*wire.MsgTx) []*wire.MsgTx {
	left := map[chainhash.Hash]*wire.MsgTx{}
	for _, tx := range txs {
		left[tx.TxHash()] = tx
	}
	out := make([]*wire.MsgTx, 0, len(txs))
	var visit func(tx *wire.MsgTx)
	visit = func(tx *wire.MsgTx) {
		id := tx.TxHash()
		if left[id] == nil {
			return
		}
		delete(left, id)
		for _, in := range tx.TxIn {
			if parent := left[in.PreviousOutPoint.Hash]; parent != nil {
				visit(parent)
			}
		}
		out = append(out, tx)
	}
	for _, tx := range txs {
		visit(tx)
	}
	return out
}
