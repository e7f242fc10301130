package netsync

import (
	"errors"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/wire"
)

// onHeaders indexes a peer's headers and asks for more when the batch was
// full; an invalid header costs the peer its connection, headers that do
// not connect (an announcement of a fork we have not heard of) lead to a
// getheaders and cost a little once they keep coming.
func (m *Manager) onHeaders(p *p2p.Peer, x *msg.Headers, now time.Time) {
	s := state(p)
	s.syncing = false
	if len(x.List) == 0 {
		if p == m.headersPeer {
			m.endHeadersSync(now) // it has nothing more
		}
		return
	}
	res, err := m.cfg.Chain.ProcessHeaders(x.List)
	if res.Added+res.Skipped > 0 {
		m.peerHas(p, res.Last, res.Height)
	}
	switch {
	case err == nil:
		s.unconnecting = 0
	case errors.Is(err, chain.ErrPrevBlockNotFound):
		s.unconnecting++
		if s.unconnecting%maxUnconnecting == 0 {
			m.penalize(p, 20, "headers that do not connect")
		}
		m.getHeaders(p, now)
		return
	case errors.Is(err, chain.ErrTimeTooNew):
		// Its clock or ours: not proof of dishonesty.
		return
	case errors.As(err, new(chain.RuleError)):
		m.penalize(p, p2p.BanScore, "invalid header: "+err.Error())
		return
	default:
		m.log.Warn("cannot index headers", "peer", p.ID, "err", err)
		return
	}
	if len(x.List) == msg.MaxHeaders {
		m.getHeaders(p, now)
	} else if p == m.headersPeer {
		m.endHeadersSync(now) // it has nothing more
	}
	m.checkHeadersSynced(now)
	m.fetchBlocks(now)
}

// peerHas records that p has the block hash at height (from the
// headers, blocks or announcements it sent).
func (m *Manager) peerHas(p *p2p.Peer, hash chainhash.Hash, height int32) {
	s := state(p)
	if height >= s.bestHeight {
		s.bestHash, s.bestHeight = hash, height
	}
	s.know(hash)
}

// commonHeight is the height up to which p's best chain (the chain of
// its best known block) and our best header chain agree: the blocks of
// the best header chain it has. It is -1 while we know no block of p's.
// The answer is kept until p's best block or our best header changes;
// finding it walks the two chains back to where they meet (nothing when
// p's best block is our best header, as during a sync from it).
func (m *Manager) commonHeight(p *p2p.Peer, bh chainhash.Hash, bhHeight int32) int32 {
	s := state(p)
	if s.bestHeight < 0 {
		return -1
	}
	key := [2]chainhash.Hash{s.bestHash, bh}
	if s.commonKey == key {
		return s.common
	}
	a, ah := s.bestHash, s.bestHeight
	b, bhh := bh, bhHeight
	parent := func(h chainhash.Hash) (chainhash.Hash, bool) {
		hdr, _, err := m.cfg.Chain.HeaderByHash(h)
		return hdr.PrevBlock, err == nil
	}
	common := int32(-1)
	for ok := true; ok; {
		switch {
		case ah > bhh:
			a, ok = parent(a)
			ah--
		case bhh > ah:
			b, ok = parent(b)
			bhh--
		case a != b:
			a, ok = parent(a)
			if ok {
				b, ok = parent(b)
			}
			ah, bhh = ah-1, bhh-1
		default:
			common, ok = ah, false
		}
	}
	s.common, s.commonKey = common, key
	return common
}

// canServe reports whether q, whose best chain meets our best header
// chain at height common (commonHeight), may be asked for the block of
// the best header chain at ref: a full node whose best chain holds it,
// that has not stalled on it or answered notfound for it lately.
func canServe(q *p2p.Peer, ref chain.BlockRef, common int32) bool {
	if q.Services&msg.SFNodeNetwork == 0 || ref.Height > common {
		return false
	}
	_, avoided := state(q).avoid[ref.Hash]
	return !avoided
}

func (m *Manager) onGetHeaders(p *p2p.Peer, x *msg.GetHeaders) {
	if x.Cmd == msg.CmdGetBlocks {
		hs := m.cfg.Chain.LocateHeaders(x.Locator, x.Stop, 500)
		inv := &msg.Inv{Cmd: msg.CmdInv}
		for i := range hs {
			inv.List = append(inv.List, msg.InvVect{Type: msg.InvBlock, Hash: hs[i].BlockHash()})
		}
		if len(inv.List) > 0 {
			p.Send(inv)
		}
		return
	}
	hs := m.cfg.Chain.LocateHeaders(x.Locator, x.Stop, msg.MaxHeaders)
	p.Send(&msg.Headers{List: hs})
	if len(hs) > 0 {
		last := hs[len(hs)-1].BlockHash()
		state(p).know(last)
	}
}

// fetchBlocks hands out the next blocks of the best header chain to
// peers with free slots that have them, lowest first.
func (m *Manager) fetchBlocks(now time.Time) {
	peers := m.readyPeers()
	if len(peers) == 0 {
		return
	}
	free := 0
	for _, q := range peers {
		free += max(MaxBlocksInFlight-len(state(q).inFlight), 0)
	}
	if free == 0 {
		return
	}
	tip := m.cfg.Chain.Best().Height
	ibd := m.cfg.Chain.IsInitialBlockDownload()
	// Ask for a few more than the free slots: some may be for peers that
	// lack them.
	refs := m.cfg.Chain.BlocksToFetch(min(2*free, DownloadWindow), func(h chainhash.Hash) bool { return m.requested[h] != nil })
	if len(refs) == 0 {
		return
	}
	batches := map[*p2p.Peer]*msg.Inv{}
	var order []*p2p.Peer
	sortPeers(peers) // most free slots first, then by id
	next := 0        // round robin from there
	bh, bhHeight, _ := m.cfg.Chain.BestHeader()
	common := make([]int32, len(peers))
	for i, q := range peers {
		common[i] = m.commonHeight(q, bh, bhHeight)
	}
	for _, ref := range refs {
		if ref.Height > tip+DownloadWindow {
			break
		}
		var chosen *p2p.Peer
		for k := range peers {
			i := (next + k) % len(peers)
			q := peers[i]
			if len(state(q).inFlight) >= MaxBlocksInFlight || !canServe(q, ref, common[i]) {
				continue
			}
			chosen, next = q, (next+k+1)%len(peers)
			break
		}
		if chosen == nil {
			continue
		}
		// The next block at the tip from a compact-block peer comes as a
		// compact block (BIP152 low bandwidth): our pool has most of it.
		compact := !ibd && ref.Height == tip+1 && chosen.CmpctVersion == 2
		r := &blockRequest{hash: ref.Hash, height: ref.Height, peer: chosen, sent: now, compact: compact}
		m.requested[ref.Hash] = r
		state(chosen).inFlight[ref.Hash] = r
		if batches[chosen] == nil {
			batches[chosen] = &msg.Inv{Cmd: msg.CmdGetData}
			order = append(order, chosen)
		}
		t := msg.InvWitnessBlock
		if compact {
			t = msg.InvCmpctBlock
		}
		batches[chosen].List = append(batches[chosen].List, msg.InvVect{Type: t, Hash: ref.Hash})
	}
	for _, q := range order {
		q.Send(batches[q])
	}
}

// checkStalls takes the window's first block from a peer that holds it
// too long when another peer could fetch it; a second stall disconnects.
// Any request older than BlockRequestTimeout is dropped.
func (m *Manager) checkStalls(now time.Time) {
	var first *blockRequest
	for _, r := range m.requested {
		if now.Sub(r.sent) > BlockRequestTimeout {
			m.cancelRequest(r)
			continue
		}
		if first == nil || r.height < first.height {
			first = r
		}
	}
	if first == nil || now.Sub(first.sent) <= m.stallTimeout {
		return
	}
	if first.height != m.cfg.Chain.Best().Height+1 {
		return // not holding up the window: others' blocks wait for theirs
	}
	// Could anyone else take it?
	other := false
	bh, bhHeight, _ := m.cfg.Chain.BestHeader()
	for _, q := range m.readyPeers() {
		if q != first.peer && len(state(q).inFlight) < MaxBlocksInFlight &&
			canServe(q, chain.BlockRef{Hash: first.hash, Height: first.height}, m.commonHeight(q, bh, bhHeight)) {
			other = true
			break
		}
	}
	if !other {
		return
	}
	p := first.peer
	s := state(p)
	s.stalls++
	s.avoid[first.hash] = now
	m.cancelRequest(first)
	m.log.Info("peer stalled the block download", "peer", p.ID, "addr", p.Addr, "height", first.height, "stalls", s.stalls)
	m.stallTimeout = min(m.stallTimeout*2, MaxStallTimeout)
	if s.stalls >= 2 {
		m.host.Disconnect(p, "stalled the block download twice")
	}
	m.fetchBlocks(now)
}

func (m *Manager) cancelRequest(r *blockRequest) {
	delete(m.requested, r.hash)
	if s, ok := r.peer.Data.(*peerState); ok {
		delete(s.inFlight, r.hash)
	}
}

// onBlock processes a block: a requested one is stored whatever its
// work; an invalid one costs the peer its connection.
func (m *Manager) onBlock(p *p2p.Peer, blk *wire.MsgBlock, now time.Time) {
	hash := blk.BlockHash()
	s := state(p)
	s.know(hash)
	flags := chain.BFNone
	if r := m.requested[hash]; r != nil {
		if r.peer == p {
			flags = chain.BFRequested
			// The window moves: the stall timeout eases back.
			if r.height == m.cfg.Chain.Best().Height+1 && now.Sub(r.sent) < m.stallTimeout/2 {
				m.stallTimeout = max(m.stallTimeout/2, BaseStallTimeout)
			}
		}
		m.cancelRequest(r)
	}
	m.processBlock(p, blk, flags, false, now)
	m.fetchBlocks(now)
}

// processBlock hands blk to the chain and judges the peer by the result:
// an invalid block costs the peer the connection, unless it came as a
// compact block (BIP152: a high-bandwidth peer relays one before it has
// validated it, as we do, so an invalid one says nothing of the peer).
func (m *Manager) processBlock(p *p2p.Peer, blk *wire.MsgBlock, flags chain.BehaviorFlags, compact bool, now time.Time) {
	hash := blk.BlockHash()
	mainChain, orphan, err := m.cfg.ProcessBlock(blk, flags)
	switch {
	case err == nil && orphan:
		// We lack its parent: our headers are behind this peer's.
		m.maybeGetHeaders(p, now)
		return
	case err == nil:
		p.NoteBlock(now)
		if _, h, err := m.cfg.Chain.HeaderByHash(hash); err == nil {
			m.peerHas(p, hash, h)
		}
		if mainChain {
			m.considerHB(p)
		}
		return
	case errors.Is(err, chain.ErrDuplicateBlock), errors.Is(err, chain.ErrTimeTooNew):
		return
	case errors.As(err, new(chain.RuleError)) && compact:
		m.log.Info("invalid compact block", "hash", hash, "peer", p.ID, "err", err)
	case errors.As(err, new(chain.RuleError)):
		m.penalize(p, p2p.BanScore, "invalid block "+hash.String()+": "+err.Error())
	default:
		m.log.Warn("cannot process block", "hash", hash, "peer", p.ID, "err", err)
	}
}

// considerHB makes p, which just gave us a new tip, one of the peers that
// push compact blocks to us (at most maxHBPeers: the oldest is released).
func (m *Manager) considerHB(p *p2p.Peer) {
	if p.CmpctVersion != 2 || !p.Ready() {
		return
	}
	for i, q := range m.hbPeers {
		if q == p {
			m.hbPeers = append(append(m.hbPeers[:i:i], m.hbPeers[i+1:]...), p)
			return
		}
	}
	m.hbPeers = append(m.hbPeers, p)
	p.Send(&msg.SendCmpct{HighBandwidth: true, Version: 2})
	if len(m.hbPeers) > maxHBPeers {
		old := m.hbPeers[0]
		m.hbPeers = m.hbPeers[1:]
		old.Send(&msg.SendCmpct{HighBandwidth: false, Version: 2})
	}
}

// BlockConnected announces a new tip (the node calls it on the loop for
// every block that becomes the tip): compact blocks to high-bandwidth
// peers, headers to those that asked for them, inv to the rest.
func (m *Manager) BlockConnected(blk *wire.MsgBlock) {
	m.quiet = false
	hash := blk.BlockHash()
	m.recent = append(m.recent, blk)
	if len(m.recent) > recentBlocks {
		m.recent = m.recent[1:]
	}
	m.rejects.reset() // new block, new chances
	if m.cfg.Chain.IsInitialBlockDownload() {
		return
	}
	var cmpct *msg.CmpctBlock
	for _, p := range m.readyPeers() {
		s := state(p)
		if s.knows(hash) {
			continue
		}
		s.know(hash)
		switch {
		case p.CmpctHB && p.CmpctVersion == 2:
			if cmpct == nil {
				cmpct = compactOf(blk, m.host.Rand().Uint64())
			}
			p.Send(cmpct)
		case p.SendHeaders && s.knows(blk.Header.PrevBlock):
			p.Send(&msg.Headers{List: []wire.BlockHeader{blk.Header}})
		default:
			p.Send(&msg.Inv{Cmd: msg.CmdInv, List: []msg.InvVect{{Type: msg.InvBlock, Hash: hash}}})
		}
	}
}

// compactOf is blk as a compact block with the coinbase prefilled.
func compactOf(blk *wire.MsgBlock, nonce uint64) *msg.CmpctBlock {
	c := &msg.CmpctBlock{Header: blk.Header, Nonce: nonce}
	k0, k1 := msg.ShortIDKeys(&blk.Header, nonce)
	c.Prefilled = []msg.PrefilledTx{{Index: 0, Tx: blk.Transactions[0]}}
	for _, tx := range blk.Transactions[1:] {
		c.ShortIDs = append(c.ShortIDs, msg.ShortID(k0, k1, tx.WitnessHash()))
	}
	return c
}

// recentBlock returns a recently connected block.
func (m *Manager) recentBlock(h chainhash.Hash) *wire.MsgBlock {
	for i := len(m.recent) - 1; i >= 0; i-- {
		if m.recent[i].BlockHash() == h {
			return m.recent[i]
		}
	}
	return nil
}

// partialBlock is a compact block being completed.
type partialBlock struct {
	hash    chainhash.Hash
	header  wire.BlockHeader
	txs     []*wire.MsgTx
	missing []uint16
}

// onCmpctBlock rebuilds a block from its compact form and the mempool.
// Only a block that would become our tip now (it extends the tip), or
// one we asked this peer for as a compact block, is rebuilt: any other
// compact block (stale, a fork without more work, ahead of blocks we
// lack) is a header announcement, so a replayed one costs no pool scan
// and its short ids cannot make us ask for a block the chain would not
// store unrequested.
func (m *Manager) onCmpctBlock(p *p2p.Peer, c *msg.CmpctBlock, now time.Time) {
	hash := c.Header.BlockHash()
	s := state(p)
	s.know(hash)
	if m.cfg.Chain.HaveBlock(hash) {
		return
	}
	res, err := m.cfg.Chain.ProcessHeaders([]wire.BlockHeader{c.Header})
	switch {
	case errors.Is(err, chain.ErrPrevBlockNotFound):
		m.maybeGetHeaders(p, now)
		return
	case errors.Is(err, chain.ErrTimeTooNew):
		return
	case err != nil && errors.As(err, new(chain.RuleError)):
		m.penalize(p, p2p.BanScore, "invalid compact block header: "+err.Error())
		return
	case err != nil:
		return
	}
	m.peerHas(p, hash, res.Height)
	r := m.requested[hash]
	asked := r != nil && r.peer == p && r.compact
	if !asked && c.Header.PrevBlock != m.cfg.Chain.Best().Hash {
		m.fetchBlocks(now)
		return
	}
	if s.partial != nil && s.partial.hash == hash {
		return // rebuilt already: its missing transactions are on the way
	}
	n := c.TxCount()
	txs := make([]*wire.MsgTx, n)
	for _, pf := range c.Prefilled {
		txs[pf.Index] = pf.Tx
	}
	// Short ids in order fill the slots not prefilled.
	slots := make([]uint16, 0, len(c.ShortIDs))
	for i := 0; i < n; i++ {
		if txs[i] == nil {
			slots = append(slots, uint16(i))
		}
	}
	k0, k1 := msg.ShortIDKeys(&c.Header, c.Nonce)
	want := make(map[uint64]int, len(c.ShortIDs))
	for i, id := range c.ShortIDs {
		if _, dup := want[id]; dup {
			m.requestFull(p, hash, now) // colliding short ids: ask for the block
			return
		}
		want[id] = i
	}
	m.cfg.Mempool.ForEachWtxid(func(w chainhash.Hash, tx *wire.MsgTx) bool {
		if i, ok := want[msg.ShortID(k0, k1, w)]; ok {
			txs[slots[i]] = tx
		}
		return true
	})
	pb := &partialBlock{hash: hash, header: c.Header, txs: txs}
	for i, tx := range txs {
		if tx == nil {
			pb.missing = append(pb.missing, uint16(i))
		}
	}
	if len(pb.missing) == 0 {
		m.finishCompact(p, pb, now)
		return
	}
	s.partial = pb
	// Waiting for its missing transactions, the block is in flight from
	// p: not asked of anyone again meanwhile, and watched for stalls.
	if r == nil {
		r = &blockRequest{hash: hash, height: res.Height, peer: p, sent: now, compact: true, pushed: true}
		m.requested[hash] = r
		s.inFlight[hash] = r
	}
	p.Send(&msg.GetBlockTxn{Block: hash, Indexes: pb.missing})
}

// requestFull asks p for the whole block.
func (m *Manager) requestFull(p *p2p.Peer, hash chainhash.Hash, now time.Time) {
	if r := m.requested[hash]; r != nil {
		if r.peer == p && r.compact { // asked as a compact block: now whole
			r.compact, r.sent = false, now
			p.Send(&msg.Inv{Cmd: msg.CmdGetData, List: []msg.InvVect{{Type: msg.InvWitnessBlock, Hash: hash}}})
		}
		return
	}
	_, h, _ := m.cfg.Chain.HeaderByHash(hash)
	r := &blockRequest{hash: hash, height: h, peer: p, sent: now}
	m.requested[hash] = r
	state(p).inFlight[hash] = r
	p.Send(&msg.Inv{Cmd: msg.CmdGetData, List: []msg.InvVect{{Type: msg.InvWitnessBlock, Hash: hash}}})
}

// finishCompact assembles and processes a complete partial block; a
// merkle mismatch (a short-id collision with a wrong transaction of
// ours) asks for the full block instead of blaming the peer.
func (m *Manager) finishCompact(p *p2p.Peer, pb *partialBlock, now time.Time) {
	blk := &wire.MsgBlock{Header: pb.header, Transactions: pb.txs}
	if root, mutated := wire.BlockMerkleRoot(blk.Transactions); root != blk.Header.MerkleRoot || mutated {
		m.requestFull(p, pb.hash, now)
		return
	}
	// What a block must be on its own is checked before it is relayed
	// ahead of validation; failing it is the sender's doing (a relaying
	// node checks it too), so it costs the connection even as a compact
	// block, and a resent copy cannot cost us a rebuild for free.
	if err := chain.CheckBlockBody(blk); err != nil {
		m.penalize(p, p2p.BanScore, "invalid compact block "+pb.hash.String()+": "+err.Error())
		return
	}
	// Stored whatever its work only if we asked this peer for it; a
	// pushed compact block is stored as any unrequested block is (when
	// it leads).
	flags := chain.BFNone
	if r := m.requested[pb.hash]; r != nil && r.peer == p {
		if !r.pushed {
			flags = chain.BFRequested
		}
		m.cancelRequest(r)
	}
	m.announceFast(p, blk)
	m.processBlock(p, blk, flags, true, now)
}

// announceFast sends a block that extends our tip, its header accepted
// and its merkle root checked, as a compact block to the peers that asked
// for high bandwidth before the chain validates it (BIP152 allows it;
// Core does the same): each hop then costs the link, not the validation
// too. One block per height; BlockConnected skips the peers told here.
func (m *Manager) announceFast(from *p2p.Peer, blk *wire.MsgBlock) {
	if blk.Header.PrevBlock != m.cfg.Chain.Best().Hash || m.cfg.Chain.IsInitialBlockDownload() {
		return
	}
	hash := blk.BlockHash()
	_, h, err := m.cfg.Chain.HeaderByHash(hash)
	if err != nil || h <= m.fastHeight {
		return
	}
	m.fastHeight = h
	var cmpct *msg.CmpctBlock
	for _, p := range m.readyPeers() {
		s := state(p)
		if p == from || !p.CmpctHB || p.CmpctVersion != 2 || s.knows(hash) {
			continue
		}
		if cmpct == nil {
			cmpct = compactOf(blk, m.host.Rand().Uint64())
		}
		s.know(hash)
		p.Send(cmpct)
	}
}

func (m *Manager) onBlockTxn(p *p2p.Peer, x *msg.BlockTxn, now time.Time) {
	s := state(p)
	pb := s.partial
	if pb == nil || pb.hash != x.Block {
		return // unasked, or late: ignore
	}
	s.partial = nil
	if len(x.Txs) != len(pb.missing) {
		m.penalize(p, p2p.BanScore, "blocktxn does not answer getblocktxn")
		return
	}
	for i, idx := range pb.missing {
		pb.txs[idx] = x.Txs[i]
	}
	m.finishCompact(p, pb, now)
}

func (m *Manager) onGetBlockTxn(p *p2p.Peer, x *msg.GetBlockTxn) {
	blk := m.recentBlock(x.Block)
	if blk == nil {
		var err error
		if blk, err = m.cfg.Chain.BlockByHash(x.Block); err != nil {
			return
		}
	}
	out := &msg.BlockTxn{Block: x.Block}
	for _, i := range x.Indexes {
		if int(i) >= len(blk.Transactions) {
			m.penalize(p, p2p.BanScore, "getblocktxn index out of range")
			return
		}
		out.Txs = append(out.Txs, blk.Transactions[i])
	}
	p.Send(out)
}
