package netsync

import (
	"errors"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/wire"
)

// haveTx reports whether a transaction named by h (a wtxid or a txid) is
// known: in the pool, an orphan, or rejected since the last block.
func (m *Manager) haveTx(h chainhash.Hash, wtxid bool) bool {
	if m.rejected(h) {
		return true
	}
	if wtxid {
		_, ok := m.cfg.Mempool.FetchByWtxid(h)
		return ok
	}
	if _, ok := m.cfg.Mempool.Fetch(h); ok {
		return true
	}
	return m.cfg.Mempool.IsOrphan(h)
}

// onInv asks for what a peer announces and we lack: blocks through their
// headers, transactions (by the id form the peer uses) within the
// per-peer bound, offers the book lacks.
func (m *Manager) onInv(p *p2p.Peer, x *msg.Inv, now time.Time) {
	s := state(p)
	get := &msg.Inv{Cmd: msg.CmdGetData}
	askHeaders := false
	for _, v := range x.List {
		if s.knows(v.Hash) && (v.Type == msg.InvTx || v.Type == msg.InvWTx || v.Type == msg.InvWitnessTx) {
			continue // announced again: asked for, pending, or ours
		}
		s.know(v.Hash)
		switch v.Type {
		case msg.InvBlock, msg.InvWitnessBlock:
			if _, h, err := m.cfg.Chain.HeaderByHash(v.Hash); err == nil {
				m.peerHas(p, v.Hash, h)
			}
			if !m.cfg.Chain.HaveBlock(v.Hash) {
				askHeaders = true
			}
		case msg.InvTx, msg.InvWTx, msg.InvWitnessTx:
			if m.cfg.Chain.IsInitialBlockDownload() {
				continue
			}
			isW := v.Type == msg.InvWTx
			if m.haveTx(v.Hash, isW) {
				continue
			}
			t := msg.InvWitnessTx
			if isW {
				t = msg.InvWTx
			}
			if _, ok := s.txAsked[v.Hash]; ok {
				continue
			}
			r, elsewhere := m.txRequested[v.Hash]
			if (elsewhere && now.Sub(r.sent) < TxRequestTimeout) || len(s.txAsked) >= MaxTxInFlight {
				// Later: when a slot frees, or if the other peer fails.
				if len(s.txPending) < MaxTxAnnounced {
					s.txPending = append(s.txPending, pendingTx{v: msg.InvVect{Type: t, Hash: v.Hash}, at: now})
				}
				continue
			}
			get.List = append(get.List, msg.InvVect{Type: t, Hash: v.Hash})
			s.txAsked[v.Hash] = now
			m.txRequested[v.Hash] = txRequest{peer: p, sent: now}
		case msg.InvOffer, msg.InvOfferSigned:
			if m.cfg.Book == nil {
				continue
			}
			if v.Type == msg.InvOfferSigned {
				s.know(signedKey(v.Hash))
			}
			o := m.cfg.Book.Get(game.ID(v.Hash))
			if o == nil || (v.Type == msg.InvOfferSigned && o.State != mempool.OfferSigned) {
				get.List = append(get.List, v)
			}
		}
	}
	if len(get.List) > 0 {
		p.Send(get)
	}
	if askHeaders {
		m.maybeGetHeaders(p, now)
	}
}

// onGetData serves blocks, transactions and offers; what we lack is
// named in one notfound.
func (m *Manager) onGetData(p *p2p.Peer, x *msg.Inv, now time.Time) {
	s := state(p)
	nf := &msg.Inv{Cmd: msg.CmdNotFound}
	tip := m.cfg.Chain.Best().Height
	for _, v := range x.List {
		switch v.Type {
		case msg.InvBlock, msg.InvWitnessBlock, msg.InvCmpctBlock:
			blk := m.recentBlock(v.Hash)
			if blk == nil && v.Type != msg.InvCmpctBlock {
				// A stored block goes out as stored, not decoded and
				// encoded again.
				raw, err := m.cfg.Chain.RawBlockByHash(v.Hash)
				if err != nil {
					nf.List = append(nf.List, v)
					continue
				}
				p.Send(&msg.RawBlock{Bytes: raw})
				continue
			}
			if blk == nil {
				var err error
				if blk, err = m.cfg.Chain.BlockByHash(v.Hash); err != nil {
					nf.List = append(nf.List, v)
					continue
				}
			}
			if v.Type == msg.InvCmpctBlock {
				if _, h, err := m.cfg.Chain.HeaderByHash(v.Hash); err == nil && tip-h < recentBlocks {
					p.Send(compactOf(blk, m.host.Rand().Uint64()))
					continue
				}
			}
			p.Send(&msg.Block{Block: blk})
		case msg.InvTx, msg.InvWitnessTx, msg.InvWTx:
			var d *mempool.TxDesc
			var ok bool
			if v.Type == msg.InvWTx {
				d, ok = m.cfg.Mempool.FetchByWtxid(v.Hash)
			} else {
				d, ok = m.cfg.Mempool.Fetch(v.Hash)
			}
			// Only what p was told of, or what every peer has had time
			// to hear of: else a getdata right after acceptance would
			// show who had the transaction first, which the trickle
			// hides.
			if !ok || (!s.knows(d.WTxID) && !s.knows(d.TxID) && now.Sub(d.Added) < UnconditionalRelayDelay) {
				nf.List = append(nf.List, v)
				continue
			}
			p.Send(&msg.Tx{Tx: d.Tx})
		case msg.InvOffer, msg.InvOfferSigned:
			if m.cfg.Book == nil {
				nf.List = append(nf.List, v)
				continue
			}
			o := m.cfg.Book.Get(game.ID(v.Hash))
			if o == nil {
				nf.List = append(nf.List, v)
				continue
			}
			p.Send(offerMsg(o))
		default:
			nf.List = append(nf.List, v)
		}
	}
	if len(nf.List) > 0 {
		p.Send(nf)
	}
}

func (m *Manager) onNotFound(p *p2p.Peer, x *msg.Inv) {
	s := state(p)
	for _, v := range x.List {
		if r, ok := m.txRequested[v.Hash]; ok && r.peer == p {
			delete(m.txRequested, v.Hash)
		}
		delete(s.txAsked, v.Hash)
		if r := m.requested[v.Hash]; r != nil && r.peer == p {
			s.avoid[v.Hash] = m.now()
			m.cancelRequest(r)
		}
	}
	// The freed slots are refilled on the next tick, not here: notfound
	// is exempt from the message rate and a rescan of the pending
	// announcements per message would be the peer's to command.
	if len(s.txPending) > 0 {
		s.nextPending = time.Time{}
	}
}

// requestPending asks p for the announcements it made that we still
// lack, as far as its in-flight bound allows; those asked of another
// peer less than TxRequestTimeout ago wait, those older than two
// timeouts are forgotten.
func (m *Manager) requestPending(p *p2p.Peer, now time.Time) {
	s := state(p)
	if len(s.txPending) == 0 || len(s.txAsked) >= MaxTxInFlight {
		return
	}
	get := &msg.Inv{Cmd: msg.CmdGetData}
	keep := s.txPending[:0]
	for i, e := range s.txPending {
		if len(s.txAsked) >= MaxTxInFlight {
			keep = append(keep, s.txPending[i:]...)
			break
		}
		h := e.v.Hash
		if now.Sub(e.at) > 2*TxRequestTimeout || m.rejected(h) || m.haveTx(h, e.v.Type == msg.InvWTx) {
			continue
		}
		if _, ok := s.txAsked[h]; ok {
			continue
		}
		if r, ok := m.txRequested[h]; ok && now.Sub(r.sent) < TxRequestTimeout {
			keep = append(keep, e)
			continue
		}
		get.List = append(get.List, e.v)
		s.txAsked[h] = now
		m.txRequested[h] = txRequest{peer: p, sent: now}
	}
	clear(s.txPending[len(keep):])
	s.txPending = keep
	if len(get.List) > 0 {
		p.Send(get)
	}
}

// onTx offers a transaction to the pool; an orphan's parents are asked
// of its sender; one no honest peer sends costs the connection.
// Unrequested transactions beyond a rate are dropped.
func (m *Manager) onTx(p *p2p.Peer, tx *wire.MsgTx, now time.Time) {
	s := state(p)
	txid, wtxid := tx.TxHash(), tx.WitnessHash()
	s.know(txid)
	s.know(wtxid)
	requested := false
	for _, h := range []chainhash.Hash{wtxid, txid} {
		if _, ok := s.txAsked[h]; ok {
			requested = true
			delete(s.txAsked, h)
		}
		if r, ok := m.txRequested[h]; ok && r.peer == p {
			delete(m.txRequested, h)
		}
	}
	if !requested {
		s.unreqTokens = min(s.unreqTokens+now.Sub(s.unreqAt).Seconds()*unrequestedRate, unrequestedBurst)
		s.unreqAt = now
		if s.unreqTokens < 1 {
			m.penalize(p, 1, "unrequested transactions beyond the rate")
			return
		}
		s.unreqTokens--
	}
	if requested && len(s.txPending) > 0 && len(s.txAsked) <= MaxTxInFlight/2 {
		m.requestPending(p, now)
	}
	if m.rejected(wtxid) || m.rejected(txid) {
		return
	}
	if m.cfg.Chain.IsInitialBlockDownload() {
		return
	}
	descs, err := m.cfg.Mempool.ProcessTransaction(tx, true)
	switch {
	case err == nil && len(descs) == 0:
		// An orphan: ask its sender for the parents we lack.
		get := &msg.Inv{Cmd: msg.CmdGetData}
		seen := map[chainhash.Hash]bool{}
		for _, in := range tx.TxIn {
			h := in.PreviousOutPoint.Hash
			if seen[h] || m.haveTx(h, false) {
				continue
			}
			seen[h] = true
			v := msg.InvVect{Type: msg.InvWitnessTx, Hash: h}
			if r, ok := m.txRequested[h]; (ok && r.peer != p && now.Sub(r.sent) < TxRequestTimeout) || len(s.txAsked) >= MaxTxInFlight {
				if len(s.txPending) < MaxTxAnnounced {
					s.txPending = append(s.txPending, pendingTx{v: v, at: now})
				}
				continue
			}
			get.List = append(get.List, v)
			s.txAsked[h] = now
			m.txRequested[h] = txRequest{peer: p, sent: now}
		}
		if len(get.List) > 0 {
			p.Send(get)
		}
	case err == nil:
		p.NoteTx(now)
	default:
		m.reject(wtxid)
		if !tx.HasWitness() {
			m.reject(txid)
		}
		if dishonestTx(err) {
			m.penalize(p, p2p.BanScore, "invalid transaction "+txid.String()+": "+err.Error())
		}
	}
}

// dishonestTx reports whether a rejection proves the sender dishonest:
// the transaction fails its scripts or checks that depend on nothing but
// itself. Rejections that depend on the chain or the pool (missing or
// spent inputs, lock times, fees, conflicts, game state) can happen to
// honest peers.
func dishonestTx(err error) bool {
	var re chain.RuleError
	if !errors.As(err, &re) {
		return false
	}
	switch re.Kind {
	case chain.ErrScriptValidation, chain.ErrNoTxInputs, chain.ErrNoTxOutputs, chain.ErrTxTooBig,
		chain.ErrBadTxOutValue, chain.ErrDuplicateTxInputs, chain.ErrBadTxInput:
		return true
	}
	return false
}

// TxAccepted queues a new pool transaction's announcement for every peer
// that relays and whose feefilter it pays — a sale listing, which pays no
// fee, goes to every peer that relays — (the node calls it on the loop
// for every acceptance).
func (m *Manager) TxAccepted(d *mempool.TxDesc) {
	m.quiet = false
	// A sale listing pays no fee (the prop's gold is not one) and is never
	// mined; the pools' listing caps bound it, not fee filters.
	listing := false
	if a, ok := mempool.AuctionOf(d.Tx); ok && a.Listing {
		listing = true
	}
	for _, p := range m.readyPeers() {
		s := state(p)
		if !p.Relay || (d.FeeRate < p.FeeFilterRate && !listing) || len(s.queuedInv) >= MaxInvPerPeer {
			continue
		}
		v := msg.InvVect{Type: msg.InvTx, Hash: d.TxID}
		if p.WtxidRelay {
			v = msg.InvVect{Type: msg.InvWTx, Hash: d.WTxID}
		}
		if s.knows(v.Hash) {
			continue
		}
		s.queuedInv = append(s.queuedInv, v)
	}
}

// flushInv sends p the announcements queued for it that are still worth
// sending.
func (m *Manager) flushInv(p *p2p.Peer) {
	s := state(p)
	if len(s.queuedInv) == 0 {
		return
	}
	inv := &msg.Inv{Cmd: msg.CmdInv}
	for _, v := range s.queuedInv {
		if s.knows(v.Hash) {
			continue
		}
		var ok bool
		if v.Type == msg.InvWTx {
			_, ok = m.cfg.Mempool.FetchByWtxid(v.Hash)
		} else {
			_, ok = m.cfg.Mempool.Fetch(v.Hash)
		}
		if !ok {
			continue // left the pool meanwhile
		}
		s.know(v.Hash)
		inv.List = append(inv.List, v)
		if len(inv.List) == msg.MaxInv {
			p.Send(inv)
			inv = &msg.Inv{Cmd: msg.CmdInv}
		}
	}
	s.queuedInv = nil
	if len(inv.List) > 0 {
		p.Send(inv)
	}
}

// onMempool (BIP35) announces the pool's transactions that pay p's
// feefilter, once per connection: the answer walks the whole pool, and
// what enters the pool later is announced anyway.
func (m *Manager) onMempool(p *p2p.Peer) {
	s := state(p)
	if s.sentMempool {
		return
	}
	s.sentMempool = true
	for _, d := range m.cfg.Mempool.MiningDescs() {
		if d.FeeRate < p.FeeFilterRate {
			if a, ok := mempool.AuctionOf(d.Tx); !ok || !a.Listing {
				continue // a sale listing pays no fee and goes to every peer (TxAccepted)
			}
		}
		v := msg.InvVect{Type: msg.InvTx, Hash: d.TxID}
		if p.WtxidRelay {
			v = msg.InvVect{Type: msg.InvWTx, Hash: d.WTxID}
		}
		if len(s.queuedInv) < MaxInvPerPeer {
			s.queuedInv = append(s.queuedInv, v)
		}
	}
	m.flushInv(p)
}

// rejectSet is the transaction ids rejected since the last block, in two
// generations of at most maxRejects/2 each: when the current one fills,
// the older one is dropped (a peer sending rejected transactions cannot
// grow it without bound between blocks).
type rejectSet struct {
	cur, old map[chainhash.Hash]struct{}
}

func (r *rejectSet) add(h chainhash.Hash) {
	if r.cur == nil {
		r.cur = make(map[chainhash.Hash]struct{})
	}
	if len(r.cur) >= maxRejects/2 {
		r.old, r.cur = r.cur, make(map[chainhash.Hash]struct{})
	}
	r.cur[h] = struct{}{}
}

func (r *rejectSet) has(h chainhash.Hash) bool {
	if _, ok := r.cur[h]; ok {
		return true
	}
	_, ok := r.old[h]
	return ok
}

func (r *rejectSet) reset() { r.cur, r.old = nil, nil }

func (m *Manager) reject(h chainhash.Hash)        { m.rejects.add(h) }
func (m *Manager) rejected(h chainhash.Hash) bool { return m.rejects.has(h) }
