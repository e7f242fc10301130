package netsync

import (
	"io"
	"log/slog"
	"math"
	"sort"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/wire"
)

// Limits and timings.
const (
	MaxBlocksInFlight = 16
	DownloadWindow    = 1024
	// Stall timeouts of the window's first block.
	BaseStallTimeout = 2 * time.Second
	MaxStallTimeout  = 64 * time.Second
	// BlockRequestTimeout drops any block request this old.
	BlockRequestTimeout = 10 * time.Minute
	// AvoidTimeout is how long a peer is not asked for a block it
	// stalled on or answered notfound for.
	AvoidTimeout = time.Minute
	// MaxTxInFlight bounds the transactions asked of one peer at once.
	MaxTxInFlight = 100
	// TxRequestTimeout is when an unanswered transaction request may go to
	// another peer.
	TxRequestTimeout = time.Minute
	// MaxTxAnnounced bounds the announcements of one peer kept for later
	// (beyond MaxTxInFlight, or asked of another peer already).
	MaxTxAnnounced = 5000
	// Poisson announcement delays.
	InboundInvDelay  = 5 * time.Second
	OutboundInvDelay = 2 * time.Second
	// UnconditionalRelayDelay is how long a transaction is in the pool
	// before any peer may have it by getdata (before, only peers it was
	// announced to).
	UnconditionalRelayDelay = 2 * time.Minute
	// MaxInvPerPeer bounds the inventory queued for one peer.
	MaxInvPerPeer = 50_000
	// maxHBPeers is how many peers push us compact blocks.
	maxHBPeers = 3
	// unrequested transactions: a burst, then a rate per second.
	unrequestedBurst = 100
	unrequestedRate  = 10
	// maxHeaderAge: a best header this recent ends the headers sync
	// from one peer.
	maxHeaderAge = 24 * time.Hour
	// HeadersTimeout is how long an answer to getheaders is awaited.
	HeadersTimeout = 2 * time.Minute
	// maxUnconnecting headers messages before a penalty.
	maxUnconnecting = 10
	// recentBlocks are kept for getblocktxn and compact announcements.
	recentBlocks = 10
	// maxRejects bounds the rejected transaction ids remembered between
	// blocks.
	maxRejects = 50_000
)

// Config wires a Manager.
type Config struct {
	Chain   Chain
	Mempool Mempool
	Book    Book // nil: no contract gossip
	Logger  *slog.Logger
	// ProcessBlock, when set, replaces Chain.ProcessBlock (a simulator's
	// modelled validation).
	ProcessBlock func(blk *wire.MsgBlock, flags chain.BehaviorFlags) (bool, bool, error)
	// Progress, when set, hears the tip and best header heights during
	// initial block download (a progress bar).
	Progress func(tip, headers int32)
	// Filters, when set, serves BIP157 requests (cfilters.go).
	Filters FilterIndex
}

// Manager is sync and relay: a p2p.Protocol.
type Manager struct {
	cfg  Config
	host *p2p.Host
	log  *slog.Logger

	requested    map[chainhash.Hash]*blockRequest
	stallTimeout time.Duration
	hbPeers      []*p2p.Peer // peers asked to push compact blocks
	recent       []*wire.MsgBlock
	txRequested  map[chainhash.Hash]txRequest // by the hash asked for
	rejects      rejectSet                    // rejected wtxids and txids since the last block, bounded
	lastProgress time.Time
	// Headers come from one peer, headersPeer, until it has no more or
	// our best header is recent (headersSynced); then from every peer.
	headersPeer   *p2p.Peer
	headersSynced bool
	// knownKey salts the peers' known-inventory filters (drawn from the
	// Host's generator at the first peer).
	knownKey [2]uint64
	// ready are the ready peers, in no order (Quiet); readyOut counts
	// the outbound ones.
	ready    []*p2p.Peer
	readyOut int
	// fastHeight is the height of the last block announced before
	// validation (announceFast).
	fastHeight int32
	// quiet caches Quiet's true answer until the next call that can
	// give the Manager work (every exported entry point but Quiet and
	// the read-only ones clears it).
	quiet bool
}

type blockRequest struct {
	hash    chainhash.Hash
	height  int32
	peer    *p2p.Peer
	sent    time.Time
	compact bool // asked as MSG_CMPCT_BLOCK
	pushed  bool // not asked for: a pushed compact block waiting on getblocktxn
}

type txRequest struct {
	peer *p2p.Peer
	sent time.Time
}

// peerState is a peer's sync state (p2p.Peer.Data).
type peerState struct {
	// bestHash is the best block we know it has, from the headers,
	// blocks and announcements it sent (not its version's start height,
	// a claim); bestHeight its height, -1 while none is known.
	bestHash   chainhash.Hash
	bestHeight int32
	// common is the height up to which its best chain and our best
	// header chain agree (the blocks it can serve), for commonKey (its
	// best block, our best header).
	common    int32
	commonKey [2]chainhash.Hash

	inFlight      map[chainhash.Hash]*blockRequest
	stalls        int
	avoid         map[chainhash.Hash]time.Time // blocks it stalled or answered notfound for, and when
	unconnecting  int
	lastGetHeader time.Time
	syncing       bool // a getheaders is outstanding

	known     knownFilter // hashes it has or we told it (known.go)
	queuedInv []msg.InvVect
	nextInv   time.Time
	txAsked   map[chainhash.Hash]time.Time
	// txPending are its announcements not asked for yet: over the
	// in-flight bound, or asked of another peer (asked of this one if
	// that one fails). Oldest first, at most MaxTxAnnounced.
	txPending   []pendingTx
	nextPending time.Time

	partial *partialBlock

	unreqTokens float64
	unreqAt     time.Time

	sentFeeFilter int64
	nextFeeFilter time.Time

	sentMempool bool // its BIP35 mempool request was answered
}

// pendingTx is an announcement kept for later.
type pendingTx struct {
	v  msg.InvVect // as we would ask for it
	at time.Time
}

func state(p *p2p.Peer) *peerState { return p.Data.(*peerState) }

// know adds h to the peer's known inventory (bounded: known.go).
func (s *peerState) know(h chainhash.Hash) { s.known.add(h) }

// knows reports whether h is in the peer's known inventory (or, rarely,
// a false positive: known.go).
func (s *peerState) knows(h chainhash.Hash) bool { return s.known.has(h) }

// New returns a Manager; SetHost before use.
func New(cfg Config) *Manager {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.ProcessBlock == nil {
		cfg.ProcessBlock = cfg.Chain.ProcessBlock
	}
	return &Manager{cfg: cfg, log: cfg.Logger, requested: make(map[chainhash.Hash]*blockRequest),
		stallTimeout: BaseStallTimeout, txRequested: make(map[chainhash.Hash]txRequest)}
}

// SetHost sets the Host the Manager runs on.
func (m *Manager) SetHost(h *p2p.Host) { m.host = h }

func (m *Manager) now() time.Time { return m.host.Now() }

// readyPeers returns the ready peers in id order (deterministic).
func (m *Manager) readyPeers() []*p2p.Peer {
	var out []*p2p.Peer
	for _, p := range m.host.Peers() {
		if p.Ready() && p.Data != nil {
			out = append(out, p)
		}
	}
	return out
}

// PeerReady implements p2p.Protocol.
func (m *Manager) PeerReady(p *p2p.Peer) {
	m.quiet = false
	now := m.now()
	s := &peerState{inFlight: make(map[chainhash.Hash]*blockRequest), avoid: make(map[chainhash.Hash]time.Time),
		txAsked:    make(map[chainhash.Hash]time.Time),
		bestHeight: -1, common: -1, unreqTokens: unrequestedBurst, unreqAt: now}
	if m.knownKey == [2]uint64{} {
		m.knownKey = [2]uint64{m.host.Rand().Uint64(), m.host.Rand().Uint64()}
	}
	s.known.k0, s.known.k1 = m.knownKey[0], m.knownKey[1]
	s.nextInv = now.Add(m.invDelay(p))
	p.Data = s
	m.ready = append(m.ready, p)
	if !p.Inbound {
		m.readyOut++
	}
	p.Send(&msg.Empty{Cmd: msg.CmdSendHeaders})
	p.Send(&msg.SendCmpct{HighBandwidth: false, Version: 2})
	m.sendFeeFilter(p, now)
	m.checkHeadersSynced(now)
	if m.headersSynced || m.headersPeer == nil {
		if !m.headersSynced {
			m.headersPeer = p
		}
		m.getHeaders(p, now)
	}
	m.announceBook(p)
}

// PeerGone implements p2p.Protocol: its requests go back to the pool of
// work.
func (m *Manager) PeerGone(p *p2p.Peer) {
	m.quiet = false
	s, ok := p.Data.(*peerState)
	if !ok {
		return
	}
	for h := range s.inFlight {
		delete(m.requested, h)
	}
	for h, r := range m.txRequested {
		if r.peer == p {
			delete(m.txRequested, h)
		}
	}
	for i, q := range m.hbPeers {
		if q == p {
			m.hbPeers = append(m.hbPeers[:i:i], m.hbPeers[i+1:]...)
			break
		}
	}
	p.Data = nil
	for i, q := range m.ready {
		if q == p {
			m.ready[i] = m.ready[len(m.ready)-1]
			m.ready[len(m.ready)-1] = nil
			m.ready = m.ready[:len(m.ready)-1]
			if !p.Inbound {
				m.readyOut--
			}
			break
		}
	}
	if m.headersPeer == p {
		m.nextHeadersPeer(p, m.now())
	}
	m.fetchBlocks(m.now())
}

// Receive implements p2p.Protocol.
func (m *Manager) Receive(p *p2p.Peer, mm msg.Message) {
	m.quiet = false
	if p.Data == nil {
		return
	}
	now := m.now()
	switch x := mm.(type) {
	case *msg.Headers:
		m.onHeaders(p, x, now)
	case *msg.GetHeaders:
		m.onGetHeaders(p, x)
	case *msg.Inv:
		switch x.Cmd {
		case msg.CmdInv:
			m.onInv(p, x, now)
		case msg.CmdGetData:
			m.onGetData(p, x, now)
		case msg.CmdNotFound:
			m.onNotFound(p, x)
		}
	case *msg.Block:
		m.onBlock(p, x.Block, now)
	case *msg.CmpctBlock:
		m.onCmpctBlock(p, x, now)
	case *msg.GetBlockTxn:
		m.onGetBlockTxn(p, x)
	case *msg.BlockTxn:
		m.onBlockTxn(p, x, now)
	case *msg.Tx:
		m.onTx(p, x.Tx, now)
	case *msg.Empty:
		if x.Cmd == msg.CmdMempool {
			m.onMempool(p)
		}
	case *msg.Offer:
		m.onOffer(p, x)
	case *msg.Withdraw:
		m.onWithdraw(p, x)
	case *msg.GetCFilters:
		m.onGetCFilters(p, x)
	case *msg.GetCFCheckpt:
		m.onGetCFCheckpt(p, x)
	}
}

// Tick implements p2p.Protocol: stalls, timeouts, announcements.
func (m *Manager) Tick(now time.Time) {
	m.quiet = false
	m.checkStalls(now)
	m.fetchBlocks(now)
	for h, r := range m.txRequested {
		if now.Sub(r.sent) > TxRequestTimeout {
			delete(m.txRequested, h)
		}
	}
	for _, p := range m.readyPeers() {
		s := state(p)
		// A peer's requests expire on their own: an entry of
		// txRequested may have passed to another peer meanwhile.
		for h, at := range s.txAsked {
			if now.Sub(at) > TxRequestTimeout {
				delete(s.txAsked, h)
			}
		}
		for h, at := range s.avoid {
			if now.Sub(at) > AvoidTimeout {
				delete(s.avoid, h)
			}
		}
		if len(s.txPending) > 0 && !now.Before(s.nextPending) {
			m.requestPending(p, now)
			s.nextPending = now.Add(time.Second)
		}
		if !now.Before(s.nextInv) {
			m.flushInv(p)
			s.nextInv = now.Add(m.invDelay(p))
		}
		if !now.Before(s.nextFeeFilter) || (s.sentFeeFilter == ibdFeeFilter && !m.cfg.Chain.IsInitialBlockDownload()) {
			m.sendFeeFilter(p, now)
		}
		// A peer we never heard headers from since it announced more:
		// ask again (a lost answer must not stop the sync); the headers
		// peer that does not answer hands the headers sync to another.
		if s.syncing && now.Sub(s.lastGetHeader) > HeadersTimeout {
			s.syncing = false
			if p == m.headersPeer && !m.headersSynced {
				m.nextHeadersPeer(p, now)
			}
		}
		// (Its claimed start height is reason enough to ask.)
		if !s.syncing && (m.headersSynced || p == m.headersPeer) && max(s.bestHeight, p.StartHeight) > m.bestHeaderHeight() &&
			now.Sub(s.lastGetHeader) > 10*time.Second {
			m.getHeaders(p, now)
		}
	}
	if m.cfg.Progress != nil && now.Sub(m.lastProgress) >= time.Second {
		m.lastProgress = now
		if m.cfg.Chain.IsInitialBlockDownload() {
			m.cfg.Progress(m.cfg.Chain.Best().Height, m.bestHeaderHeight())
		}
	}
}

func (m *Manager) bestHeaderHeight() int32 {
	_, h, _ := m.cfg.Chain.BestHeader()
	return h
}

// PeerSync reports, for getpeerinfo, the best header and block height we
// know p has and its blocks in flight.
func (m *Manager) PeerSync(p *p2p.Peer) (headers, blocks int32, inFlight int) {
	s, ok := p.Data.(*peerState)
	if !ok {
		return -1, -1, 0
	}
	return s.bestHeight, min(s.bestHeight, m.cfg.Chain.Best().Height), len(s.inFlight)
}

// invDelay is a Poisson delay: exponential with the peer's mean.
func (m *Manager) invDelay(p *p2p.Peer) time.Duration {
	mean := OutboundInvDelay
	if p.Inbound {
		mean = InboundInvDelay
	}
	u := m.host.Rand().Float64()
	d := time.Duration(-math.Log(1-u) * float64(mean))
	return min(d, 4*mean) // bounded: an unlucky draw never delays relay by more than 4 means
}

// sendFeeFilter tells p the lowest fee rate worth announcing to us: the
// pool's minimum, or everything's maximum while we download blocks.
func (m *Manager) sendFeeFilter(p *p2p.Peer, now time.Time) {
	s := state(p)
	rate := m.cfg.Mempool.Info().MinFeeRate
	if m.cfg.Chain.IsInitialBlockDownload() {
		rate = ibdFeeFilter
	}
	if rate != s.sentFeeFilter {
		p.Send(&msg.FeeFilter{Rate: rate})
		s.sentFeeFilter = rate
	}
	s.nextFeeFilter = now.Add(time.Duration(5+m.host.Rand().IntN(10)) * time.Minute)
}

// ibdFeeFilter is the feefilter sent during initial block download: no
// transaction is worth announcing to us then.
const ibdFeeFilter = 21_000_000 * 100_000_000

// getHeaders asks p for headers after our best header's parent: a peer
// that has our best header sends at least that one, so we learn that it
// has our chain (and may be asked for its blocks) even when it has
// nothing new.
func (m *Manager) getHeaders(p *p2p.Peer, now time.Time) {
	s := state(p)
	from, _, _ := m.cfg.Chain.BestHeader()
	if hdr, _, err := m.cfg.Chain.HeaderByHash(from); err == nil && hdr.PrevBlock != (chainhash.Hash{}) {
		from = hdr.PrevBlock
	}
	p.Send(&msg.GetHeaders{Cmd: msg.CmdGetHeaders, Version: msg.ProtocolVersion, Locator: m.cfg.Chain.BlockLocator(&from)})
	s.lastGetHeader, s.syncing = now, true
}

// maybeGetHeaders asks p for headers unless a getheaders to it is
// outstanding (its answer will tell).
func (m *Manager) maybeGetHeaders(p *p2p.Peer, now time.Time) {
	if !state(p).syncing {
		m.getHeaders(p, now)
	}
}

// checkHeadersSynced ends the headers sync from one peer once our best
// header is recent (within a day of now).
func (m *Manager) checkHeadersSynced(now time.Time) {
	if m.headersSynced {
		return
	}
	bh, _, _ := m.cfg.Chain.BestHeader()
	if hdr, _, err := m.cfg.Chain.HeaderByHash(bh); err == nil && now.Sub(time.Unix(int64(hdr.Timestamp), 0)) <= maxHeaderAge {
		m.endHeadersSync(now)
	}
}

// endHeadersSync ends the headers sync from one peer (it sent all it
// has, or our best header is recent): every ready peer not asked yet is
// asked for headers, which shows the blocks it has.
func (m *Manager) endHeadersSync(now time.Time) {
	if m.headersSynced {
		return
	}
	m.headersSynced, m.headersPeer = true, nil
	for _, q := range m.readyPeers() {
		if state(q).lastGetHeader.IsZero() {
			m.getHeaders(q, now)
		}
	}
}

// nextHeadersPeer hands the headers sync from old (gone, or not
// answering) to the next ready peer by id, round robin.
func (m *Manager) nextHeadersPeer(old *p2p.Peer, now time.Time) {
	m.headersPeer = nil
	if m.headersSynced {
		return
	}
	var next, first *p2p.Peer
	for _, q := range m.readyPeers() { // in id order
		if first == nil && q != old {
			first = q
		}
		if next == nil && q.ID > old.ID {
			next = q
		}
	}
	if next == nil {
		next = first
	}
	if next != nil {
		m.headersPeer = next
		m.maybeGetHeaders(next, now)
	}
}

// penalize scores a peer; it is the Host that disconnects and bans.
func (m *Manager) penalize(p *p2p.Peer, score int, why string) {
	m.host.Misbehaving(p, score, why)
}

// sortedRefs orders peers for deterministic assignment: the most free
// slots first, then id.
func sortPeers(ps []*p2p.Peer) {
	sort.SliceStable(ps, func(i, j int) bool {
		fi := MaxBlocksInFlight - len(state(ps[i]).inFlight)
		fj := MaxBlocksInFlight - len(state(ps[j]).inFlight)
		if fi != fj {
			return fi > fj
		}
		return ps[i].ID < ps[j].ID
	})
}

// Quiet reports whether Tick has nothing to do but what may wait: no
// block or transaction request in flight or pending, no announcement
// queued, no headers sync under way, no peer known to have more. A
// simulator of many nodes ticks a quiet node seldom (p2p.SimNet.Quiet);
// what waits then (expiries, the feefilter's refresh) runs late.
func (m *Manager) Quiet() bool {
	if m.quiet {
		return true
	}
	m.quiet = m.quietNow()
	return m.quiet
}

func (m *Manager) quietNow() bool {
	if len(m.requested) > 0 || len(m.txRequested) > 0 || !m.headersSynced {
		return false
	}
	best := m.bestHeaderHeight()
	if best != m.cfg.Chain.Best().Height {
		return false
	}
	for _, p := range m.ready {
		s, ok := p.Data.(*peerState)
		if !ok {
			continue
		}
		if len(s.queuedInv) > 0 || len(s.txPending) > 0 || len(s.txAsked) > 0 || len(s.inFlight) > 0 ||
			s.syncing || s.partial != nil || max(s.bestHeight, p.StartHeight) > best {
			return false
		}
	}
	return true
}

// ReadyOutbound is the number of ready outbound peers.
func (m *Manager) ReadyOutbound() int { return m.readyOut }
