package mempool

import (
	"sort"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// HandleNotification routes the chain's connect and disconnect events to
// BlockConnected and BlockDisconnected; pass it to chain.Subscribe.
func (p *Pool) HandleNotification(n *chain.Notification) {
	if n == nil || n.Block == nil {
		return
	}
	switch n.Type {
	case chain.NTBlockConnected:
		p.blockConnected(n.Block, n.TxIDs)
	case chain.NTBlockDisconnected:
		p.BlockDisconnected(n.Block)
	}
}

// BlockConnected removes the block's transactions from the pool, evicts
// pool transactions (and their descendants) that spend the same outputs
// or claim a producer name or fulfil or settle a contract the block's
// records name and no longer pass the game rules (RemoveConflict),
// removes sales that lapsed (end + AuctionGrace below the next height)
// and fulfils and claims whose contract expires at the next height
// (RemoveLapsed), drops orphans that
// are mined or conflict with the block, and then accepts orphans the
// block's transactions unlock.
func (p *Pool) BlockConnected(blk *wire.MsgBlock) { p.blockConnected(blk, nil) }

// blockConnected is BlockConnected with the block's transaction ids when
// the caller has them (ids is nil or one per transaction). With neither
// pool nor orphans holding anything, as during a download, no
// transaction of the block needs looking at.
func (p *Pool) blockConnected(blk *wire.MsgBlock, ids []chainhash.Hash) {
	p.mu.Lock()
	mined, conflicts := 0, 0
	if len(p.g.entries) > 0 || p.orphans.count() > 0 {
		ids = blockTxIDs(blk, ids)
		mined, conflicts = p.removeBlockTxs(blk, ids)
	}
	lapsed, gameConflicts := p.gameAfterBlock(blk)
	conflicts += gameConflicts
	p.orphans.expire(p.now())
	p.mu.Unlock()
	p.flush()
	if mined+conflicts+lapsed > 0 {
		p.log.Debug("block connected", "block", blk.BlockHash(), "mined", mined, "conflicts", conflicts, "lapsed", lapsed)
	}
	p.processBlockOrphans(blk, ids)
}

// removeBlockTxs removes blk's transactions and those that conflict with
// them from the pool and the orphans. Requires p.mu.
func (p *Pool) removeBlockTxs(blk *wire.MsgBlock, ids []chainhash.Hash) (mined, conflicts int) {
	for i, tx := range blk.Transactions {
		if tx.IsCoinBase() {
			continue
		}
		id := ids[i]
		if e := p.g.entries[id]; e != nil {
			p.g.remove(e)
			p.emit(e.desc, RemoveMined)
			mined++
		}
		p.orphans.remove(id)
		for _, in := range tx.TxIn {
			if s := p.g.spenders[in.PreviousOutPoint]; s != nil {
				gone := p.g.removeTree(s)
				p.emitRemoved(gone, RemoveConflict)
				conflicts += len(gone)
			}
			p.orphans.removeSpending(in.PreviousOutPoint)
		}
	}
	return mined, conflicts
}

// blockTxIDs returns ids if it holds one id per transaction of blk, else
// the transactions' ids computed.
func blockTxIDs(blk *wire.MsgBlock, ids []chainhash.Hash) []chainhash.Hash {
	if ids != nil && len(ids) == len(blk.Transactions) {
		return ids
	}
	ids = make([]chainhash.Hash, len(blk.Transactions))
	for i, tx := range blk.Transactions {
		ids[i] = tx.TxHash()
	}
	return ids
}

// BlockDisconnected puts the block's transactions back (best effort, in
// block order, through normal validation against the new tip but without
// the fee floors), then drops pool transactions that the new tip makes
// invalid: spends of outputs that no longer exist (the disconnected
// coinbase), coinbase spends now immature, and transactions no longer
// final or sequence-locked, and game transactions the registries at the
// new tip no longer accept.
func (p *Pool) BlockDisconnected(blk *wire.MsgBlock) {
	now := p.now()
	blockTx := make(map[chainhash.Hash]bool, len(blk.Transactions))
	readded := 0
	for _, tx := range blk.Transactions {
		blockTx[tx.TxHash()] = true
		if tx.IsCoinBase() {
			continue
		}
		if _, missing, err := p.maybeAccept(tx, acceptOpts{added: now, bypassLimits: true}); err == nil && !missing {
			readded++
		} else {
			p.log.Debug("disconnected tx not re-added", "txid", tx.TxHash(), "missing", missing, "err", err)
		}
	}
	dropped := p.removeForReorg(blockTx)
	p.flush()
	p.log.Debug("block disconnected", "block", blk.BlockHash(), "readded", readded, "dropped", dropped)
}

// removeForReorg re-validates the pool transactions a disconnect may have
// broken and removes the failures with their descendants.
func (p *Pool) removeForReorg(blockTx map[chainhash.Hash]bool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	best := p.cfg.Chain.Best()
	next := best.Height + 1
	var suspects []*entry
	for _, e := range p.g.entries {
		suspect := e.spendsCoinbase || e.timeLocked
		for _, in := range e.desc.Tx.TxIn {
			if blockTx[in.PreviousOutPoint.Hash] && p.g.entries[in.PreviousOutPoint.Hash] == nil {
				suspect = true
			}
		}
		if suspect {
			suspects = append(suspects, e)
		}
	}
	sort.Slice(suspects, func(i, j int) bool { return suspects[i].seq < suspects[j].seq })
	dropped := 0
	for _, e := range suspects {
		if p.g.entries[e.id()] != e {
			continue // already gone with an ancestor
		}
		if err := p.revalidate(e, best, next); err != nil {
			p.log.Debug("dropped after reorg", "txid", e.id(), "err", err)
			gone := p.g.removeTree(e)
			p.emitRemoved(gone, RemoveReorg)
			dropped += len(gone)
		}
	}
	// The registries went back: check every game transaction again.
	dropped += p.recheckGame(p.gameEntries(), RemoveReorg)
	// A bid final at the old height may not be at the new one: what spends
	// it could not be mined either.
	var bids []*entry
	for e := range p.g.game.sales {
		if e.unminableBid(next, p.cfg.Params) && len(e.children) > 0 {
			bids = append(bids, e)
		}
	}
	sort.Slice(bids, func(i, j int) bool { return bids[i].seq < bids[j].seq })
	for _, e := range bids {
		for _, c := range sortedEntries(e.children) {
			if p.g.entries[c.id()] == c {
				gone := p.g.removeTree(c)
				p.emitRemoved(gone, RemoveReorg)
				dropped += len(gone)
			}
		}
	}
	return dropped
}

// revalidate checks e's inputs, finality and sequence locks against the
// current tip. Requires p.mu.
func (p *Pool) revalidate(e *entry, best chain.BestState, next int32) error {
	tx := e.desc.Tx
	view, err := p.cfg.Chain.FetchUtxoView(tx)
	if err != nil {
		return err
	}
	spendsCoinbase := false
	for _, in := range tx.TxIn {
		op := in.PreviousOutPoint
		if u := view.LookupEntry(op); u != nil {
			spendsCoinbase = spendsCoinbase || u.Coinbase
			continue
		}
		par := p.g.entries[op.Hash]
		if par == nil || int(op.Index) >= len(par.desc.Tx.TxOut) {
			return ruleError(ErrMissingInputs, "input "+op.String()+" no longer exists")
		}
		out := par.desc.Tx.TxOut[op.Index]
		view.AddEntry(op, &chain.UtxoEntry{Amount: out.Value, PkScript: out.PkScript, Height: UnconfirmedHeight,
			Game: par.annotation(op.Index)})
	}
	e.spendsCoinbase = spendsCoinbase
	if _, err := chain.CheckTransactionInputs(tx, next, view, p.cfg.Params); err != nil {
		return err
	}
	if !chain.IsFinalizedTransaction(tx, next, best.MedianTime) {
		return ruleError(ErrNonFinal, "no longer final")
	}
	lock, err := p.cfg.Chain.CalcSequenceLock(tx, view, true)
	if err != nil {
		return err
	}
	if !chain.SequenceLockActive(lock, next, best.MedianTime) {
		return ruleError(ErrSequenceLocked, "sequence locked")
	}
	return nil
}
