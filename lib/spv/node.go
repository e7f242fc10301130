package spv

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/gcs"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/p2p/msg"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// Timing and limits.
const (
	// RequestTimeout is how long an answer (headers, filter headers,
	// filters, a block) is awaited before the request goes to another
	// peer.
	RequestTimeout = 30 * time.Second
	// MaxFilterPeers is how many peers are asked for each batch of filter
	// headers (their answers are cross-checked).
	MaxFilterPeers = 8
	// LiarBanDuration is how long a peer proven to serve a wrong filter
	// or filter header is refused.
	LiarBanDuration = p2p.BanDuration
	// FilterPeerGrace is how long a batch of filter headers waits for
	// every filter peer to reach its last block before it is asked of
	// those that have (a peer asked for a block it lacks would not
	// answer; one left out is not cross-checked for the batch).
	FilterPeerGrace = 2 * time.Second
	// blockCacheBytes bounds the verified blocks kept in memory: a
	// wallet's restore scans the same matching blocks several times
	// (its rescan, then account discovery's).
	blockCacheBytes = 8 << 20
	// maxBroadcast bounds the transactions kept for peers to fetch.
	maxBroadcast = 1000
)

// Config configures a Node.
type Config struct {
	Params *chaincfg.Params
	// DB is the light node's database (Open makes one); the Node owns
	// its buckets.
	DB     *store.DB
	Clock  p2p.Clock // nil: the system clock
	Logger *slog.Logger
	// Post, when set, runs f on the transport's loop (the TCP adapter's
	// Do, from a new goroutine); it is called outside the Node's lock
	// after another goroutine queued a request (with Drive) or a
	// broadcast, so they go out at once instead of at the next Tick.
	// Without it (a simulation driven from one goroutine) they run at
	// once, on the caller's goroutine.
	Post func(f func())
}

// Open opens (creating) the light node's bbolt database at path.
func Open(path string, noSync bool) (*store.DB, error) {
	return store.Open(path, store.Options{Timeout: time.Second, NoSync: noSync, Migrations: migrations()})
}

// Node is the light node: a p2p.Protocol that keeps the best header
// chain, the verified filter header chain, fetches filters and blocks on
// request and relays the wallet's transactions. See the package
// documentation.
type Node struct {
	cfg   Config
	log   *slog.Logger
	clock p2p.Clock

	mu     sync.Mutex
	host   *p2p.Host
	hc     *headerChain
	fh     []chainhash.Hash // verified filter headers of hc.main[0:len(fh)]
	peers  map[*p2p.Peer]*peerState
	liars  map[netip.AddrPort]liar
	round  *fhRound
	fetchs []*filterFetch
	blocks []*blockFetch
	txs    map[chainhash.Hash]*wire.MsgTx // broadcast, by txid and wtxid
	txList []chainhash.Hash               // txids, oldest first
	cache  map[chainhash.Hash]*wire.MsgBlock
	cached []chainhash.Hash // oldest first
	cacheB int              // bytes of the cached blocks
	// changed is closed and replaced whenever the best chain or the
	// verified filter headers change (Changed).
	changed chan struct{}
	reorgs  uint64    // counts best-chain switches that removed blocks
	tipAt   time.Time // when the best header changed last
	closed  bool
	stats   Stats
}

// Stats are counters of what the light node fetched.
type Stats struct {
	Headers       int // headers accepted
	FilterHeaders int // filter headers verified
	Filters       int // filters fetched and verified
	Blocks        int // blocks fetched and verified
	FilterBytes   int // bytes of those filters
	BlockBytes    int // bytes of those blocks
	Liars         int // peers proven to lie
}

type liar struct {
	until  time.Time
	reason string
}

// peerState is the light node's view of one ready peer.
type peerState struct {
	filters      bool  // it serves BIP157 basic filters
	blocks       bool  // it serves blocks
	height       int32 // the best height it is known to have (version, headers it sent)
	headersAsked time.Time
	cfhAsked     time.Time // a getcfheaders of the current round is out
	fetch        *filterFetch
	fetchAsked   time.Time
	block        *blockFetch
	blockAsked   time.Time
}

// New loads the light node's chain from cfg.DB.
func New(cfg Config) (*Node, error) {
	if cfg.Params == nil || cfg.DB == nil {
		return nil, errors.New("spv: config needs Params and DB")
	}
	if cfg.Clock == nil {
		cfg.Clock = p2p.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	n := &Node{cfg: cfg, log: cfg.Logger, clock: cfg.Clock, hc: newHeaderChain(cfg.Params),
		peers: map[*p2p.Peer]*peerState{}, liars: map[netip.AddrPort]liar{}, txs: map[chainhash.Hash]*wire.MsgTx{},
		cache:   map[chainhash.Hash]*wire.MsgBlock{},
		changed: make(chan struct{})}
	g, err := gcs.BuildBasic(cfg.Params.GenesisBlock, nil)
	if err != nil {
		return nil, fmt.Errorf("spv: genesis filter: %w", err)
	}
	genesisFH := gcs.Header(g.Hash(), chainhash.Hash{})
	err = cfg.DB.View(func(tx *store.Tx) error {
		hs, err := loadHeaders(tx)
		if err != nil {
			return err
		}
		var tip chainhash.Hash
		copy(tip[:], tx.Bucket(bktMeta).Get(keyTip))
		if err := n.hc.load(hs, tip); err != nil {
			return err
		}
		n.fh = []chainhash.Hash{genesisFH}
		b := tx.Bucket(bktFHeader)
		for h := int32(1); int(h) < len(n.hc.main); h++ {
			v := b.Get(u32(h))
			if len(v) != 64 || chainhash.Hash(v[:32]) != n.hc.main[h].hash {
				break
			}
			n.fh = append(n.fh, chainhash.Hash(v[32:]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("spv: load: %w", err)
	}
	n.stats.Headers = len(n.hc.main) - 1
	n.log.Info("light node loaded", "headers", n.hc.tip().height, "filter headers", len(n.fh)-1)
	return n, nil
}

// SetHost gives the Node the Host it runs on (for bans).
func (n *Node) SetHost(h *p2p.Host) {
	n.mu.Lock()
	n.host = h
	n.mu.Unlock()
}

// Close fails every waiting request with ErrStopped.
func (n *Node) Close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = true
	for _, f := range n.fetchs {
		f.finish(ErrStopped)
	}
	for _, b := range n.blocks {
		b.finish(nil, ErrStopped)
	}
	n.fetchs, n.blocks = nil, nil
	n.notifyLocked()
}

// Tip is the best header chain's tip.
func (n *Node) Tip() (chainhash.Hash, int32) {
	n.mu.Lock()
	defer n.mu.Unlock()
	t := n.hc.tip()
	return t.hash, t.height
}

// Header returns the best chain's header at height.
func (n *Node) Header(height int32) (wire.BlockHeader, chainhash.Hash, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if height < 0 || int(height) >= len(n.hc.main) {
		return wire.BlockHeader{}, chainhash.Hash{}, fmt.Errorf("height %d: %w", height, ErrNotInChain)
	}
	m := n.hc.main[height]
	return m.hdr, m.hash, nil
}

// HeaderByHash returns a known header, its height and whether it is on
// the best chain.
func (n *Node) HeaderByHash(h chainhash.Hash) (wire.BlockHeader, int32, bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	x := n.hc.nodes[h]
	if x == nil {
		return wire.BlockHeader{}, 0, false, fmt.Errorf("block %v: %w", h, ErrNotInChain)
	}
	return x.hdr, x.height, n.hc.onMain(x), nil
}

// Synced returns the verified tip: the highest best-chain block whose
// filter header is verified (what the wallet may be told about), and
// the header tip's height.
func (n *Node) Synced() (hash chainhash.Hash, height, headers int32) {
	n.mu.Lock()
	defer n.mu.Unlock()
	v := n.hc.main[len(n.fh)-1]
	return v.hash, v.height, n.hc.tip().height
}

// FilterHeader returns the verified filter header at height.
func (n *Node) FilterHeader(height int32) (chainhash.Hash, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if height < 0 || int(height) >= len(n.fh) {
		return chainhash.Hash{}, fmt.Errorf("filter header at %d: %w", height, ErrNotInChain)
	}
	return n.fh[height], nil
}

// Changed returns a channel closed at the next change of the best chain
// or of the verified filter headers.
func (n *Node) Changed() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.changed
}

func (n *Node) notifyLocked() {
	close(n.changed)
	n.changed = make(chan struct{})
}

// Stats returns the counters.
func (n *Node) Stats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.stats
}

// Banned lists the peers proven to lie, with the reason, while their
// ban lasts.
func (n *Node) Banned() map[netip.AddrPort]string {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.clock.Now()
	out := map[netip.AddrPort]string{}
	for a, l := range n.liars {
		if now.Before(l.until) {
			out[a] = l.reason
		}
	}
	return out
}

// PeerInfo is what the light node knows of a peer.
type PeerInfo struct {
	Addr    netip.AddrPort
	Filters bool
	Blocks  bool
}

// Peers lists the ready peers.
func (n *Node) Peers() []PeerInfo {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []PeerInfo
	for p, s := range n.peers {
		out = append(out, PeerInfo{Addr: p.Addr, Filters: s.filters, Blocks: s.blocks})
	}
	return out
}

// wake asks the transport to drive the Node soon.
func (n *Node) wake() {
	if n.cfg.Post != nil {
		n.cfg.Post(n.Drive)
	}
}

// banLiar disconnects p for good (LiarBanDuration, by address and port,
// configured peers included: its data is proven false) and scores it
// with the Host, which bans its address when it is not a configured
// peer.
func (n *Node) banLiar(p *p2p.Peer, reason string) {
	if _, ok := n.liars[p.Addr]; ok && n.peers[p] == nil {
		return
	}
	n.log.Warn("peer lied: banned", "addr", p.Addr, "reason", reason)
	n.liars[p.Addr] = liar{until: n.clock.Now().Add(LiarBanDuration), reason: reason}
	n.stats.Liars++
	n.dropPeer(p)
	if n.host != nil {
		n.host.Misbehaving(p, p2p.BanScore, reason)
		n.host.Disconnect(p, reason)
	}
}

func (n *Node) misbehave(p *p2p.Peer, score int, reason string) {
	if n.host != nil {
		n.host.Misbehaving(p, score, reason)
	}
}

// dropPeer forgets p's requests (they go to other peers).
func (n *Node) dropPeer(p *p2p.Peer) {
	s := n.peers[p]
	if s == nil {
		return
	}
	delete(n.peers, p)
	if s.fetch != nil {
		s.fetch.peer = nil
	}
	if s.block != nil {
		s.block.peer = nil
	}
	if n.round != nil {
		n.round.drop(p)
	}
}

// PeerReady implements p2p.Protocol.
func (n *Node) PeerReady(p *p2p.Peer) {
	n.mu.Lock()
	defer n.mu.Unlock()
	now := n.clock.Now()
	if l, ok := n.liars[p.Addr]; ok && now.Before(l.until) {
		if n.host != nil {
			n.host.Disconnect(p, "banned: "+l.reason)
		}
		return
	}
	s := &peerState{filters: p.Services&msg.SFNodeCompactFilters != 0, blocks: p.Services&msg.SFNodeNetwork != 0, height: p.StartHeight}
	n.peers[p] = s
	p.Send(&msg.Empty{Cmd: msg.CmdSendHeaders})
	n.getHeaders(p, s, now)
	n.driveLocked(now)
}

// PeerGone implements p2p.Protocol.
func (n *Node) PeerGone(p *p2p.Peer) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.dropPeer(p)
	n.driveLocked(n.clock.Now())
}

// Tick implements p2p.Protocol.
func (n *Node) Tick(now time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for p, s := range n.peers {
		if !s.headersAsked.IsZero() && now.Sub(s.headersAsked) > RequestTimeout {
			s.headersAsked = time.Time{}
		}
		if s.fetch != nil && now.Sub(s.fetchAsked) > RequestTimeout {
			n.log.Debug("filters timed out", "addr", p.Addr)
			// Avoided for this run: pick takes the lowest id, so the
			// run would otherwise go back to the silent peer at once.
			s.fetch.avoid[p] = true
			s.fetch.peer, s.fetch = nil, nil
		}
		if s.block != nil && now.Sub(s.blockAsked) > RequestTimeout {
			n.log.Debug("block timed out", "addr", p.Addr)
			s.block.avoid[p] = true
			s.block.peer, s.block = nil, nil
		}
	}
	n.driveLocked(now)
}

// Drive runs what is queued (the transport calls it on its loop after
// Wake).
func (n *Node) Drive() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.driveLocked(n.clock.Now())
}

func (n *Node) driveLocked(now time.Time) {
	if n.closed {
		return
	}
	n.driveFilterHeaders(now)
	n.driveFilters(now)
	n.driveBlocks(now)
}

// Receive implements p2p.Protocol.
func (n *Node) Receive(p *p2p.Peer, m msg.Message) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.peers[p]
	if s == nil {
		return
	}
	now := n.clock.Now()
	switch m := m.(type) {
	case *msg.Headers:
		n.onHeaders(p, s, m, now)
	case *msg.Inv:
		switch m.Cmd {
		case msg.CmdInv:
			for _, v := range m.List {
				if v.Type&^msg.InvWitnessFlag == msg.InvBlock {
					n.getHeaders(p, s, now)
					break
				}
			}
		case msg.CmdGetData:
			n.onGetData(p, m)
		case msg.CmdNotFound:
			n.onNotFound(p, s, m)
		}
	case *msg.GetHeaders:
		if m.Cmd == msg.CmdGetHeaders {
			p.Send(&msg.Headers{}) // a light node serves no blocks
		}
	case *msg.CFHeaders:
		n.onCFHeaders(p, s, m, now)
	case *msg.CFilter:
		n.onCFilter(p, s, m, now)
	case *msg.Block:
		n.onBlock(p, s, m.Block, now)
	}
	n.driveLocked(now)
}

func (n *Node) getHeaders(p *p2p.Peer, s *peerState, now time.Time) {
	if !s.headersAsked.IsZero() {
		return
	}
	s.headersAsked = now
	p.Send(&msg.GetHeaders{Cmd: msg.CmdGetHeaders, Version: msg.ProtocolVersion, Locator: n.hc.locator()})
}

// onHeaders accepts a batch of headers: each checked with lib/chain's
// header rules on its parent; an invalid one costs the peer its
// connection. A batch that does not connect asks for headers again
// (an announcement of a branch we lack).
func (n *Node) onHeaders(p *p2p.Peer, s *peerState, m *msg.Headers, now time.Time) {
	s.headersAsked = time.Time{}
	if len(m.List) == 0 {
		return
	}
	oldTip := n.hc.tip()
	var added []*hnode
	var best *hnode
	for i := range m.List {
		h := m.List[i]
		hash := h.BlockHash()
		if x := n.hc.nodes[hash]; x != nil {
			best = x
			continue
		}
		prev := n.hc.nodes[h.PrevBlock]
		if prev == nil {
			if i == 0 {
				n.getHeaders(p, s, now)
				return
			}
			n.misbehave(p, 20, "headers not in sequence")
			break
		}
		if err := n.hc.check(&h, hash, prev, now); err != nil {
			n.log.Info("invalid header", "addr", p.Addr, "hash", hash, "err", err)
			n.misbehave(p, p2p.BanScore, "invalid header: "+err.Error())
			break
		}
		x := n.hc.add(h, hash, prev)
		if prev == n.hc.tip() {
			n.hc.main = append(n.hc.main, x) // extends the best chain: no reorg
		}
		added = append(added, x)
		best = x
	}
	if len(added) > 0 {
		n.stats.Headers += len(added)
		if err := n.cfg.DB.Update(func(tx *store.Tx) error {
			for _, x := range added {
				if err := putHeader(tx, x); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			n.log.Error("store headers", "err", err)
		}
	}
	if best != nil {
		s.height = max(s.height, best.height)
	}
	if best != nil && best.work.Cmp(n.hc.tip().work) > 0 {
		fork := n.hc.reorgTo(best)
		if fork < oldTip.height {
			n.reorgs++
			n.log.Info("best header chain switched", "fork", fork, "old", oldTip.height, "new", best.height)
			if int(fork)+1 < len(n.fh) {
				n.fh = n.fh[:fork+1]
			}
			if n.round != nil {
				n.round = nil // its stop block left the chain
				for _, s := range n.peers {
					s.cfhAsked = time.Time{}
				}
			}
		}
	}
	if n.hc.tip() != oldTip {
		n.tipAt = now
		if err := n.cfg.DB.Update(func(tx *store.Tx) error {
			t := n.hc.tip().hash
			return tx.Bucket(bktMeta).Put(keyTip, t[:])
		}); err != nil {
			n.log.Error("store tip", "err", err)
		}
		n.notifyLocked()
	}
	if len(m.List) == msg.MaxHeaders {
		n.getHeaders(p, s, now)
	}
}

// onGetData serves the transactions we broadcast.
func (n *Node) onGetData(p *p2p.Peer, m *msg.Inv) {
	var missing []msg.InvVect
	for _, v := range m.List {
		switch v.Type &^ msg.InvWitnessFlag {
		case msg.InvTx, msg.InvWTx:
			if tx := n.txs[v.Hash]; tx != nil {
				p.Send(&msg.Tx{Tx: tx})
				continue
			}
		}
		missing = append(missing, v)
	}
	if len(missing) > 0 {
		p.Send(&msg.Inv{Cmd: msg.CmdNotFound, List: missing})
	}
}

func (n *Node) onNotFound(p *p2p.Peer, s *peerState, m *msg.Inv) {
	for _, v := range m.List {
		if s.block != nil && s.block.hash == v.Hash {
			s.block.avoid[p] = true
			s.block.peer, s.block = nil, nil
		}
	}
}

// Broadcast announces tx to every ready peer (wtxid to those that asked
// for it) and serves it to those that ask. A light node cannot validate
// a transaction (it has no UTXO set): peers decide.
func (n *Node) Broadcast(tx *wire.MsgTx) {
	n.mu.Lock()
	id, wid := tx.TxHash(), tx.WitnessHash()
	if n.txs[id] == nil {
		n.txs[id], n.txs[wid] = tx, tx
		n.txList = append(n.txList, id)
		if len(n.txList) > maxBroadcast {
			old := n.txs[n.txList[0]]
			delete(n.txs, old.TxHash())
			delete(n.txs, old.WitnessHash())
			n.txList = n.txList[1:]
		}
	}
	var ps []*p2p.Peer
	for p := range n.peers {
		ps = append(ps, p)
	}
	n.mu.Unlock()
	send := func() {
		for _, p := range ps {
			v := msg.InvVect{Type: msg.InvTx, Hash: id}
			if p.WtxidRelay {
				v = msg.InvVect{Type: msg.InvWTx, Hash: wid}
			}
			p.Send(&msg.Inv{Cmd: msg.CmdInv, List: []msg.InvVect{v}})
		}
	}
	n.run(send)
}

// run runs f on the transport's loop when one is configured (Post),
// else at once.
func (n *Node) run(f func()) {
	if n.cfg.Post != nil {
		n.cfg.Post(f)
		return
	}
	f()
}
