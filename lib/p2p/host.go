package p2p

import (
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/netip"
	"sort"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/p2p/msg"
)

// Protocol is what runs on top of the peer layer (block and transaction
// sync and relay). Its calls come from the Host's calls, one at a time.
type Protocol interface {
	// PeerReady: the handshake with p is complete.
	PeerReady(p *Peer)
	// PeerGone: p disconnected (after PeerReady, or not).
	PeerGone(p *Peer)
	// Receive: a message for the protocol from a ready peer.
	Receive(p *Peer, m msg.Message)
	// Tick: time passed.
	Tick(now time.Time)
}

// Timing and limits.
const (
	HandshakeTimeout  = time.Minute
	PingInterval      = 2 * time.Minute
	PingTimeout       = 20 * time.Minute
	InactivityTimeout = 20 * time.Minute
	BanScore          = 100
	BanDuration       = 24 * time.Hour
	// MinProtocolVersion is the oldest version spoken to.
	MinProtocolVersion = 70015
	// maxDialsInFlight bounds outbound attempts pending at once.
	maxDialsInFlight = 3
	// MaxMessageRate and MaxMessageBurst bound the messages a peer may
	// send (per second, and at once).
	MaxMessageRate  = 500
	MaxMessageBurst = 5000
	// FeelerInterval is the mean time between feeler connections
	// (exponential).
	FeelerInterval = 2 * time.Minute
	// extraOutboundCheck is how often a peer beyond MaxOutbound is
	// looked for to disconnect; extraOutboundMinAge protects a new one.
	extraOutboundCheck  = 45 * time.Second
	extraOutboundMinAge = 30 * time.Second
)

// Config configures a Host.
type Config struct {
	Params    *chaincfg.Params
	Clock     Clock    // nil: SystemClock
	Dialer    Dialer   // nil: no outbound connections
	Protocol  Protocol // nil: handshakes and addresses only
	Services  uint64
	UserAgent string
	// BestHeight is reported in version.
	BestHeight func() int32
	// MaxPeers bounds all connections (default 125); MaxOutbound the
	// automatic outbound ones (default 8).
	MaxPeers    int
	MaxOutbound int
	// Connect, when set, are the only peers: no automatic outbound
	// connections, no address gossip dialled. AddNodes are kept connected
	// besides the automatic ones. Both are reconnected with backoff.
	Connect  []netip.AddrPort
	AddNodes []netip.AddrPort
	// ListenPort is announced as ours (0: not listening).
	ListenPort uint16
	// NoSelfAdvertise keeps our address to ourselves (behind a proxy the
	// address peers see is the proxy's exit, not ours).
	NoSelfAdvertise bool
	Book            *AddrBook // nil: an in-memory book
	Bans            *BanList  // nil: an in-memory list
	Logger          *slog.Logger
	// Rand drives every random choice (nil: seeded from the clock); a
	// simulator seeds it for reproducible runs.
	Rand *mrand.Rand
	// Nonce is our version nonce (0: random).
	Nonce uint64
	// TestNoNetgroupLimit lets automatic outbound peers share a network
	// group, turning that eclipse countermeasure off for the network
	// simulator's experiments (lib/netsim). gg-node never sets it.
	TestNoNetgroupLimit bool
	// TestNoFeelers turns feeler connections off, for the simulator's
	// experiments as TestNoNetgroupLimit. gg-node never sets it.
	TestNoFeelers bool
	// FeelerInterval is the mean time between feeler connections
	// (default FeelerInterval).
	FeelerInterval time.Duration
	// Anchors are dialled before any address from the book, once each
	// (the outbound peers of the last run; see LoadAnchors).
	Anchors []netip.AddrPort
	// StaleTipAfter is how long the best height may stay the same
	// before one outbound connection beyond MaxOutbound is opened
	// (default three times Params.TargetTimePerBlock; negative: never).
	StaleTipAfter time.Duration
}

type persistent struct {
	addr    netip.AddrPort
	peer    *Peer
	dialing bool
	next    time.Time // next attempt
	backoff time.Duration
}

// Host is the peer layer. See the package documentation for how it is
// driven.
type Host struct {
	cfg     Config
	clock   Clock
	log     *slog.Logger
	rng     *mrand.Rand
	nonce   uint64
	peers   map[uint64]*Peer
	byAddr  map[netip.AddrPort]*Peer
	nextID  uint64
	dialing map[netip.AddrPort]bool
	persist []*persistent
	book    *AddrBook
	bans    *BanList
	// counters
	started   time.Time
	nextSweep time.Time // of expired bans
	// feelers: one attempt or connection at a time
	feelerDial netip.AddrPort // the attempt on the way (invalid: none)
	feelerAt   time.Time
	nextFeeler time.Time
	feelRng    *mrand.Rand
	anchors    []netip.AddrPort        // still to dial
	oneTry     map[netip.AddrPort]bool // DialOnce attempts on the way
	// stale tip
	tipHeight int32
	tipAt     time.Time // when the best height last changed
	stale     bool      // one outbound peer beyond MaxOutbound allowed
	nextExtra time.Time // next look for an outbound peer too many
}

// NewHost returns a Host with no peers.
func NewHost(cfg Config) *Host {
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.MaxPeers <= 0 {
		cfg.MaxPeers = 125
	}
	if cfg.MaxOutbound <= 0 {
		cfg.MaxOutbound = 8
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "/gg-node/"
	}
	if cfg.BestHeight == nil {
		cfg.BestHeight = func() int32 { return 0 }
	}
	h := &Host{cfg: cfg, clock: cfg.Clock, log: cfg.Logger, rng: cfg.Rand,
		peers: make(map[uint64]*Peer), byAddr: make(map[netip.AddrPort]*Peer), dialing: make(map[netip.AddrPort]bool), oneTry: make(map[netip.AddrPort]bool),
		book: cfg.Book, bans: cfg.Bans, started: cfg.Clock.Now()}
	if h.rng == nil {
		s := uint64(cfg.Clock.Now().UnixNano())
		h.rng = mrand.New(mrand.NewPCG(s, s^0x6767))
	}
	h.nonce = cfg.Nonce
	for h.nonce == 0 {
		if cfg.Rand != nil {
			h.nonce = h.rng.Uint64() // a simulation: reproducible
			continue
		}
		var b [8]byte
		crand.Read(b[:])
		h.nonce = binary.LittleEndian.Uint64(b[:])
	}
	if h.book == nil {
		h.book = NewAddrBook("", cfg.Params != nil && cfg.Params.Name == "regtest")
	}
	if h.bans == nil {
		h.bans = NewBanList("")
	}
	if h.cfg.FeelerInterval <= 0 {
		h.cfg.FeelerInterval = FeelerInterval
	}
	if h.cfg.StaleTipAfter == 0 {
		h.cfg.StaleTipAfter = 30 * time.Minute
		if cfg.Params != nil && cfg.Params.TargetTimePerBlock > 0 {
			h.cfg.StaleTipAfter = 3 * cfg.Params.TargetTimePerBlock
		}
	}
	h.tipHeight, h.tipAt = cfg.BestHeight(), h.started
	// Feelers draw from a stream of their own (seeded by the nonce: a
	// simulation's is fixed), so that they leave the other choices as
	// they were.
	h.feelRng = mrand.New(mrand.NewPCG(h.nonce, 0xfee1e5))
	h.nextFeeler = h.started.Add(h.feelerDelay())
	h.AddAnchors(cfg.Anchors)
	for _, a := range cfg.Connect {
		h.persist = append(h.persist, &persistent{addr: a})
	}
	for _, a := range cfg.AddNodes {
		h.persist = append(h.persist, &persistent{addr: a})
	}
	return h
}

// Book returns the address book.
func (h *Host) Book() *AddrBook { return h.book }

// Bans returns the ban list.
func (h *Host) Bans() *BanList { return h.bans }

// Now is the Host's clock.
func (h *Host) Now() time.Time { return h.clock.Now() }

// Rand is the Host's random source (for the Protocol's choices too).
func (h *Host) Rand() *mrand.Rand { return h.rng }

// Peers returns the connected peers, by id.
func (h *Host) Peers() []*Peer {
	out := make([]*Peer, 0, len(h.peers))
	for _, p := range h.peers {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Peer returns the peer with id, or nil.
func (h *Host) Peer(id uint64) *Peer { return h.peers[id] }

// maxInbound is the number of inbound slots: what the outbound and
// configured peers leave of MaxPeers.
func (h *Host) maxInbound() int {
	return max(h.cfg.MaxPeers-h.cfg.MaxOutbound-len(h.persist), 0)
}

// counts returns the inbound and automatic outbound connections (a
// feeler is neither, nor is a persistent or an addnode onetry peer).
func (h *Host) counts() (in, out int) {
	for _, p := range h.peers {
		switch {
		case p.Inbound:
			in++
		case !p.Persistent && !p.Feeler && !p.oneTry:
			out++
		}
	}
	return in, out
}

// adopt makes the outbound peer p the connection of x: persistent (never
// banned by score, reconnected).
func (x *persistent) adopt(p *Peer) {
	p.Persistent = true
	x.peer, x.dialing, x.backoff = p, false, 0
}

func (h *Host) isPersistent(a netip.AddrPort) *persistent {
	for _, x := range h.persist {
		if x.addr == a {
			return x
		}
	}
	return nil
}

// Connected registers a new connection. An inbound one from a banned
// address, or beyond the slots when no peer can be evicted, is closed at
// once (nil is returned).
func (h *Host) Connected(link Link, inbound bool) *Peer {
	now := h.clock.Now()
	addr := link.RemoteAddr()
	delete(h.dialing, addr)
	if inbound {
		if h.bans.Banned(addr.Addr(), now) {
			h.log.Debug("refused banned peer", "addr", addr)
			link.Close()
			return nil
		}
		in, _ := h.counts()
		if in >= h.maxInbound() {
			if !h.evictInbound(now) {
				h.log.Debug("inbound slots full", "addr", addr)
				link.Close()
				return nil
			}
		}
	}
	h.nextID++
	p := &Peer{ID: h.nextID, Addr: addr, Inbound: inbound, Connected: now, link: link, clock: h.clock, LastRecv: now, addrTokens: 1, addrTokensAt: now,
		msgTokens: MaxMessageBurst, msgTokensAt: now}
	if x := h.isPersistent(addr); x != nil && !inbound {
		x.adopt(p)
	} else if !inbound && addr == h.feelerDial {
		p.Feeler = true
		h.feelerDial = netip.AddrPort{}
	} else if !inbound && h.oneTry[addr] {
		p.oneTry = true
	}
	delete(h.oneTry, addr)
	h.peers[p.ID] = p
	h.byAddr[addr] = p
	if !inbound {
		h.sendVersion(p) // the attempt was counted when it was dialled
	}
	h.log.Debug("peer connected", "id", p.ID, "addr", addr, "inbound", inbound)
	return p
}

// DialFailed reports an outbound attempt that did not connect.
func (h *Host) DialFailed(addr netip.AddrPort, err error) {
	delete(h.dialing, addr)
	if x := h.isPersistent(addr); x != nil {
		x.dialing = false
	}
	if addr == h.feelerDial {
		h.feelerDial = netip.AddrPort{}
	}
	delete(h.oneTry, addr)
	h.log.Debug("dial failed", "addr", addr, "err", err)
}

// Disconnected removes a peer after its link closed.
func (h *Host) Disconnected(p *Peer, reason error) {
	if h.peers[p.ID] != p {
		return
	}
	delete(h.peers, p.ID)
	if h.byAddr[p.Addr] == p {
		delete(h.byAddr, p.Addr)
	}
	if x := h.isPersistent(p.Addr); x != nil && x.peer == p {
		x.peer = nil
		x.backoff = max(x.backoff*2, time.Second)
		x.backoff = min(x.backoff, 5*time.Minute)
		x.next = h.clock.Now().Add(x.backoff)
	}
	if h.cfg.Protocol != nil {
		h.cfg.Protocol.PeerGone(p)
	}
	h.log.Debug("peer disconnected", "id", p.ID, "addr", p.Addr, "reason", reason)
}

// Disconnect closes p's link (Disconnected follows from the transport).
func (h *Host) Disconnect(p *Peer, why string) {
	h.log.Debug("disconnecting", "id", p.ID, "addr", p.Addr, "why", why)
	p.link.Close()
}

// Misbehaving adds score to p's misbehaviour score; at BanScore p is
// disconnected and, unless it is a configured peer, its address banned
// for BanDuration (in memory: BanList.Discourage). Once p is past the
// score, further calls do nothing.
func (h *Host) Misbehaving(p *Peer, score int, reason string) {
	if p.punished {
		return
	}
	p.score += score
	h.log.Info("peer misbehaving", "id", p.ID, "addr", p.Addr, "score", p.score, "reason", reason)
	if p.score < BanScore {
		return
	}
	p.punished = true
	if !p.Persistent {
		h.bans.Discourage(p.Addr.Addr(), h.clock.Now(), BanDuration, reason)
	}
	h.Disconnect(p, "misbehaving: "+reason)
}

// Ban bans subnet for d and disconnects every peer inside it.
func (h *Host) Ban(subnet netip.Prefix, d time.Duration, reason string) error {
	now := h.clock.Now()
	if err := h.bans.Add(subnet, now, d, reason); err != nil {
		return err
	}
	for _, p := range h.Peers() {
		if subnet.Contains(p.Addr.Addr().Unmap()) {
			h.Disconnect(p, "banned")
		}
	}
	return nil
}

func (h *Host) sendVersion(p *Peer) {
	now := h.clock.Now()
	v := &msg.Version{Version: msg.ProtocolVersion, Services: h.cfg.Services, Timestamp: now.Unix(),
		AddrRecv: msg.NetAddress{Addr: p.Addr.Addr(), Port: p.Addr.Port()},
		AddrFrom: msg.NetAddress{Services: h.cfg.Services, Addr: netip.IPv6Unspecified(), Port: h.cfg.ListenPort},
		Nonce:    h.nonce, UserAgent: h.cfg.UserAgent, StartHeight: h.cfg.BestHeight(), Relay: true}
	p.Send(v)
	p.sentVersion = true
}

// Received handles a message from p: the handshake, keep-alives and
// address gossip here, everything else to the Protocol once p is ready.
func (h *Host) Received(p *Peer, m msg.Message) {
	if h.peers[p.ID] != p {
		return
	}
	now := h.clock.Now()
	p.LastRecv = now
	p.MsgsRecv++
	// A message rate no honest peer needs: a token bucket of
	// MaxMessageRate a second (a burst of MaxMessageBurst); beyond it
	// messages are dropped and cost a point each.
	if charged(m) {
		p.msgTokens = min(p.msgTokens+now.Sub(p.msgTokensAt).Seconds()*MaxMessageRate, MaxMessageBurst)
		p.msgTokensAt = now
		if p.msgTokens < 1 {
			h.Misbehaving(p, 1, "message rate above the limit")
			return
		}
		p.msgTokens--
	}
	switch m := m.(type) {
	case *msg.Version:
		h.onVersion(p, m)
		return
	case *msg.Empty:
		switch m.Cmd {
		case msg.CmdVerAck:
			h.onVerAck(p)
			return
		case msg.CmdWtxidRelay, msg.CmdSendAddrV2:
			if !p.gotVersion || p.gotVerack {
				h.Misbehaving(p, BanScore, m.Cmd+" outside the handshake")
				return
			}
			if m.Cmd == msg.CmdWtxidRelay {
				p.WtxidRelay = true
			} else {
				p.AddrV2 = true
			}
			return
		}
	}
	if !p.ready {
		h.Misbehaving(p, 1, m.Command()+" before the handshake")
		return
	}
	if p.Feeler {
		return // closing: nothing more to learn from it
	}
	switch m := m.(type) {
	case *msg.Ping:
		p.Send(&msg.Pong{Nonce: m.Nonce})
		return
	case *msg.Pong:
		if p.pingNonce != 0 && m.Nonce == p.pingNonce {
			p.PingRTT = now.Sub(p.pingSent)
			p.pingNonce = 0
		}
		return
	case *msg.Empty:
		switch m.Cmd {
		case msg.CmdSendHeaders:
			p.SendHeaders = true
			return
		case msg.CmdGetAddr:
			h.onGetAddr(p)
			return
		}
	case *msg.FeeFilter:
		p.FeeFilterRate = m.Rate
		return
	case *msg.SendCmpct:
		if m.Version == 2 {
			p.CmpctHB, p.CmpctVersion = m.HighBandwidth, m.Version
		}
		return
	case *msg.Addr:
		list := make([]KnownAddr, len(m.List))
		for i, a := range m.List {
			list[i] = KnownAddr{Addr: netip.AddrPortFrom(a.Addr, a.Port), Services: a.Services, Seen: time.Unix(int64(a.Time), 0)}
		}
		h.onAddr(p, list)
		return
	case *msg.AddrV2:
		var list []KnownAddr
		for _, a := range m.List {
			var ip netip.Addr
			switch a.Network {
			case msg.NetIPv4:
				ip = netip.AddrFrom4([4]byte(a.Addr))
			case msg.NetIPv6:
				ip = netip.AddrFrom16([16]byte(a.Addr))
			default:
				continue // networks gg does not reach
			}
			list = append(list, KnownAddr{Addr: netip.AddrPortFrom(ip, a.Port), Services: a.Services, Seen: time.Unix(int64(a.Time), 0)})
		}
		h.onAddr(p, list)
		return
	}
	if h.cfg.Protocol != nil {
		h.cfg.Protocol.Receive(p, m)
	}
}

// charged reports whether m counts toward a peer's message rate: what a
// peer sends on its own (announcements, requests, pings), not the blocks,
// headers and transactions that answer our requests (sync would hit the
// limit; their own bounds apply).
func charged(m msg.Message) bool {
	switch m.Command() {
	case msg.CmdBlock, msg.CmdHeaders, msg.CmdTx, msg.CmdBlockTxn, msg.CmdCmpctBlock, msg.CmdNotFound,
		msg.CmdCFilter, msg.CmdCFHeaders, msg.CmdCFCheckpt: // BIP157 answers: a light node asks for thousands
		return false
	}
	return true
}

func (h *Host) onVersion(p *Peer, m *msg.Version) {
	if p.gotVersion {
		h.Misbehaving(p, 1, "duplicate version")
		return
	}
	if m.Nonce == h.nonce {
		h.Disconnect(p, "connected to self")
		return
	}
	if m.Version < MinProtocolVersion {
		h.Disconnect(p, fmt.Sprintf("protocol version %d below %d", m.Version, MinProtocolVersion))
		return
	}
	p.gotVersion = true
	p.seenAs = m.AddrRecv.Addr.Unmap()
	p.Version, p.Services, p.UserAgent, p.StartHeight, p.Relay = m.Version, m.Services, m.UserAgent, m.StartHeight, m.Relay
	if !p.sentVersion {
		h.sendVersion(p)
	}
	if m.Version >= msg.ProtocolVersion { // BIP339 and BIP155 are 70016's
		p.Send(&msg.Empty{Cmd: msg.CmdWtxidRelay})
		p.Send(&msg.Empty{Cmd: msg.CmdSendAddrV2})
	}
	p.Send(&msg.Empty{Cmd: msg.CmdVerAck})
}

func (h *Host) onVerAck(p *Peer) {
	if !p.gotVersion {
		h.Misbehaving(p, 1, "verack before version")
		return
	}
	if p.gotVerack {
		return
	}
	p.gotVerack = true
	p.ready = true
	now := h.clock.Now()
	if p.Feeler {
		// The address answers: it goes to the tried table, and the
		// connection has done its work.
		h.book.Good(p.Addr, p.Services, now)
		h.Disconnect(p, "feeler done")
		return
	}
	if !p.Inbound {
		h.book.Good(p.Addr, p.Services, now)
		h.advertiseSelf(p, now)
		p.Send(&msg.Empty{Cmd: msg.CmdGetAddr})
		p.sentGetAddr = true
	}
	h.log.Debug("peer ready", "id", p.ID, "addr", p.Addr, "agent", p.UserAgent, "height", p.StartHeight)
	if h.cfg.Protocol != nil {
		h.cfg.Protocol.PeerReady(p)
	}
}

// advertiseSelf tells an outbound peer where we accept connections: the
// address it sees us at with our listening port, when that address may
// enter an address book (routable; loopback and private ones only on
// regtest). The peer gossips it on, so a listening node becomes known
// beyond the nodes that dial it.
func (h *Host) advertiseSelf(p *Peer, now time.Time) {
	if h.cfg.ListenPort == 0 || h.cfg.NoSelfAdvertise || !p.seenAs.IsValid() {
		return
	}
	self := netip.AddrPortFrom(p.seenAs, h.cfg.ListenPort)
	if !h.book.routable(self) {
		return
	}
	h.sendAddrs(p, []KnownAddr{{Addr: self, Services: h.cfg.Services, Seen: now}})
}

// onGetAddr answers one getaddr per inbound connection (an outbound
// peer asking is ignored, as Core does: it would learn which addresses
// we dial).
func (h *Host) onGetAddr(p *Peer) {
	if !p.Inbound || p.answeredAddr {
		return
	}
	p.answeredAddr = true
	list := h.book.Sample(msg.MaxAddr, h.clock.Now(), h.rng)
	h.sendAddrs(p, list)
}

func (h *Host) sendAddrs(p *Peer, list []KnownAddr) {
	if len(list) == 0 {
		return
	}
	if p.AddrV2 {
		m := &msg.AddrV2{}
		for _, k := range list {
			e := msg.AddrV2Entry{Time: uint32(k.Seen.Unix()), Services: k.Services, Port: k.Addr.Port()}
			if a := k.Addr.Addr().Unmap(); a.Is4() {
				v := a.As4()
				e.Network, e.Addr = msg.NetIPv4, v[:]
			} else {
				v := a.As16()
				e.Network, e.Addr = msg.NetIPv6, v[:]
			}
			m.List = append(m.List, e)
		}
		p.Send(m)
		return
	}
	m := &msg.Addr{}
	for _, k := range list {
		m.List = append(m.List, msg.TimedAddress{Time: uint32(k.Seen.Unix()),
			NetAddress: msg.NetAddress{Services: k.Services, Addr: k.Addr.Addr(), Port: k.Addr.Port()}})
	}
	p.Send(m)
}

// onAddr adds gossiped addresses, rate-limited per peer (a token bucket of
// 0.1 address a second, as Core's; the answer to our getaddr is exempt),
// and relays a small fresh announcement to two peers.
func (h *Host) onAddr(p *Peer, list []KnownAddr) {
	now := h.clock.Now()
	if p.sentGetAddr && len(list) > 10 {
		p.sentGetAddr = false // the answer to our getaddr
	} else {
		p.addrTokens = min(p.addrTokens+now.Sub(p.addrTokensAt).Seconds()*0.1, msg.MaxAddr)
		p.addrTokensAt = now
		var kept []KnownAddr
		for _, k := range list {
			if p.addrTokens < 1 {
				break
			}
			p.addrTokens--
			kept = append(kept, k)
		}
		list = kept
	}
	if len(list) == 0 {
		return
	}
	h.book.Add(list, p.Addr.Addr(), now)
	if len(list) <= 10 {
		var fresh []KnownAddr
		for _, k := range list {
			if now.Sub(k.Seen) < 10*time.Minute {
				fresh = append(fresh, k)
			}
		}
		if len(fresh) > 0 {
			targets := h.Peers()
			h.rng.Shuffle(len(targets), func(i, j int) { targets[i], targets[j] = targets[j], targets[i] })
			sent := 0
			for _, q := range targets {
				if q == p || !q.ready || sent >= 2 {
					continue
				}
				h.sendAddrs(q, fresh)
				sent++
			}
		}
	}
}

// Tick drives timeouts, pings and outbound connections.
func (h *Host) Tick() {
	now := h.clock.Now()
	for _, p := range h.Peers() {
		switch {
		case !p.ready && now.Sub(p.Connected) > HandshakeTimeout:
			h.Disconnect(p, "handshake timeout")
		case p.pingNonce != 0 && now.Sub(p.pingSent) > PingTimeout:
			h.Disconnect(p, "ping timeout")
		case now.Sub(p.LastRecv) > InactivityTimeout:
			h.Disconnect(p, "inactive")
		case p.ready && p.pingNonce == 0 && now.Sub(p.pingSent) > PingInterval:
			p.pingNonce = h.rng.Uint64() | 1
			p.pingSent = now
			p.Send(&msg.Ping{Nonce: p.pingNonce})
		}
	}
	h.watchTip(now)
	h.maintainConnections(now)
	if !now.Before(h.nextSweep) {
		if err := h.bans.Sweep(now); err != nil {
			h.log.Warn("cannot save the ban list", "err", err)
		}
		h.nextSweep = now.Add(time.Minute)
	}
	if h.cfg.Protocol != nil {
		h.cfg.Protocol.Tick(now)
	}
}

// maintainConnections dials persistent peers that are down (with
// backoff) and, without --connect, fills the automatic outbound slots
// from the address book.
func (h *Host) maintainConnections(now time.Time) {
	if h.cfg.Dialer == nil {
		return
	}
	for _, x := range h.persist {
		if x.peer != nil || x.dialing || now.Before(x.next) {
			continue
		}
		if q := h.byAddr[x.addr]; q != nil && !q.Inbound {
			x.adopt(q)
			continue
		}
		if h.bans.bannedBySetban(x.addr.Addr(), now) {
			continue // setban covers it: not until the ban ends
		}
		h.book.Attempt(x.addr, now)
		x.dialing = true
		x.backoff = max(x.backoff*2, time.Second)
		x.backoff = min(x.backoff, 5*time.Minute)
		x.next = now.Add(x.backoff)
		h.dialing[x.addr] = true
		h.cfg.Dialer.Dial(x.addr)
	}
	if len(h.cfg.Connect) > 0 {
		return
	}
	_, out := h.counts()
	target := h.cfg.MaxOutbound
	if h.stale {
		target++
	}
	// A feeler skips what a dial skips but the group rule (it takes no
	// slot); the dials skip the groups of the outbound peers too.
	feelSkip := func(a netip.AddrPort) bool {
		return h.byAddr[a] != nil || h.dialing[a] || a == h.feelerDial || h.bans.Banned(a.Addr(), now)
	}
	skip := func(a netip.AddrPort) bool { return feelSkip(a) || h.sameGroupOutbound(a) }
	// The anchors first, each once.
	for len(h.anchors) > 0 && out+len(h.dialing) < target && len(h.dialing) < maxDialsInFlight {
		a := h.anchors[0]
		h.anchors = h.anchors[1:]
		if skip(a) {
			continue
		}
		h.log.Info("dialling an anchor", "addr", a)
		h.book.Attempt(a, now)
		h.dialing[a] = true
		h.cfg.Dialer.Dial(a)
	}
	for out+len(h.dialing) < target && len(h.dialing) < maxDialsInFlight {
		a, ok := h.book.Select(now, h.rng, skip)
		if !ok {
			break
		}
		h.book.Attempt(a, now)
		h.dialing[a] = true
		h.cfg.Dialer.Dial(a)
	}
	h.feel(now, out, feelSkip)
}

// feelerDelay draws the time to the next feeler connection.
func (h *Host) feelerDelay() time.Duration {
	return time.Duration(h.feelRng.ExpFloat64() * float64(h.cfg.FeelerInterval))
}

// feel makes a feeler connection now and then, once the outbound slots
// are full: a short connection to an address of the new table, which on
// a completed handshake moves to the tried table (and is disconnected).
// The tried table so fills with addresses known to answer rather than
// with whatever gossip brought. One at a time; a feeler takes no slot.
func (h *Host) feel(now time.Time, out int, skip func(netip.AddrPort) bool) {
	if h.cfg.TestNoFeelers || out < h.cfg.MaxOutbound || now.Before(h.nextFeeler) {
		return
	}
	if h.feelerDial.IsValid() {
		if now.Sub(h.feelerAt) < HandshakeTimeout {
			return
		}
		h.feelerDial = netip.AddrPort{} // its transport never answered
	}
	for _, p := range h.peers {
		if p.Feeler {
			return
		}
	}
	h.nextFeeler = now.Add(h.feelerDelay())
	a, ok := h.book.SelectNew(now, h.feelRng, skip)
	if !ok {
		return
	}
	h.log.Debug("feeler connection", "addr", a)
	h.book.Attempt(a, now)
	h.feelerDial, h.feelerAt = a, now
	h.cfg.Dialer.Dial(a)
}

// AddAnchors queues addresses to dial before any from the book, once
// each (at start: the outbound peers the node had when it stopped).
func (h *Host) AddAnchors(list []netip.AddrPort) {
	for _, a := range list {
		if len(h.anchors) < MaxAnchors && h.book.routable(a) {
			h.anchors = append(h.anchors, a)
		}
	}
}

// Anchors returns up to MaxAnchors addresses to reconnect first after
// a restart: the automatic outbound peers with a completed handshake,
// those connected longest first (chosen before whatever happened
// lately, such as a flood of new addresses).
func (h *Host) Anchors() []netip.AddrPort {
	var ps []*Peer
	for _, p := range h.peers {
		if !p.Inbound && !p.Persistent && !p.Feeler && !p.oneTry && p.ready {
			ps = append(ps, p)
		}
	}
	sort.Slice(ps, func(i, j int) bool {
		if !ps[i].Connected.Equal(ps[j].Connected) {
			return ps[i].Connected.Before(ps[j].Connected)
		}
		return ps[i].ID < ps[j].ID
	})
	var out []netip.AddrPort
	for _, p := range ps[:min(len(ps), MaxAnchors)] {
		out = append(out, p.Addr)
	}
	return out
}

// watchTip notes when the best height last changed. When it has not
// for StaleTipAfter, one outbound connection beyond MaxOutbound is
// allowed (to a network group none of the others is in): the node may
// be cut off from the chain everyone else is extending. Every
// extraOutboundCheck, while there are more automatic outbound peers
// than MaxOutbound, the one that gave us a new block least recently (of
// those connected at least extraOutboundMinAge; ties: the youngest) is
// disconnected: while the tip stays stale the extra connection so moves
// on to other addresses, and once the tip moves the count goes back to
// MaxOutbound. A DialOnce (addnode onetry) peer is neither counted nor
// chosen.
func (h *Host) watchTip(now time.Time) {
	if b := h.cfg.BestHeight(); b != h.tipHeight {
		h.tipHeight, h.tipAt = b, now
		if h.stale {
			h.stale = false
			h.log.Info("tip moved again", "height", b)
		}
	}
	if h.cfg.StaleTipAfter > 0 && !h.stale && now.Sub(h.tipAt) > h.cfg.StaleTipAfter && len(h.cfg.Connect) == 0 {
		h.stale = true
		h.log.Info("no new block for a while: trying an extra outbound peer", "height", h.tipHeight, "since", now.Sub(h.tipAt).Round(time.Second))
	}
	if now.Before(h.nextExtra) {
		return
	}
	h.nextExtra = now.Add(extraOutboundCheck)
	if _, out := h.counts(); out <= h.cfg.MaxOutbound {
		return
	}
	var worst *Peer
	for _, p := range h.Peers() {
		if p.Inbound || p.Persistent || p.Feeler || p.oneTry || !p.ready || now.Sub(p.Connected) < extraOutboundMinAge {
			continue
		}
		if worst == nil || p.LastBlockTime.Before(worst.LastBlockTime) ||
			(p.LastBlockTime.Equal(worst.LastBlockTime) && p.Connected.After(worst.Connected)) {
			worst = p
		}
	}
	if worst != nil {
		h.Disconnect(worst, "an outbound peer too many")
	}
}

// sameGroupOutbound reports whether an outbound peer, or a dial on the
// way, is in a's network group already (outbound peers come from
// distinct groups; all loopback addresses count as distinct so local
// networks work).
func (h *Host) sameGroupOutbound(a netip.AddrPort) bool {
	if h.cfg.TestNoNetgroupLimit || a.Addr().Unmap().IsLoopback() || a.Addr().Unmap().IsPrivate() {
		return false
	}
	g := string(group(a.Addr()))
	for _, p := range h.peers {
		if !p.Inbound && !p.Feeler && string(group(p.Addr.Addr())) == g {
			return true
		}
	}
	// Dials on the way count too: several start in one tick, and each
	// would otherwise pass the check before any of them connected.
	for d := range h.dialing {
		if string(group(d.Addr())) == g {
			return true
		}
	}
	return false
}

// evictInbound makes room for a new inbound connection: peers that were
// useful lately (the most recent blocks, transactions, the lowest ping)
// and the oldest connections are protected; of the rest, the youngest
// peer of the most represented network group is disconnected. It reports
// whether one was.
func (h *Host) evictInbound(now time.Time) bool {
	var cands []*Peer
	for _, p := range h.peers {
		if p.Inbound && !p.Persistent {
			cands = append(cands, p)
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].ID < cands[j].ID })
	// protect keeps out of reach the n best by less among those useful
	// says earned it.
	protect := func(n int, useful func(p *Peer) bool, less func(a, b *Peer) bool) {
		sort.SliceStable(cands, func(i, j int) bool {
			ui, uj := useful(cands[i]), useful(cands[j])
			if ui != uj {
				return ui
			}
			return ui && less(cands[i], cands[j])
		})
		k := 0
		for k < n && k < len(cands) && useful(cands[k]) {
			k++
		}
		cands = cands[k:]
	}
	protect(4, func(p *Peer) bool { return !p.LastBlockTime.IsZero() }, func(a, b *Peer) bool { return a.LastBlockTime.After(b.LastBlockTime) })
	protect(4, func(p *Peer) bool { return !p.LastTxTime.IsZero() }, func(a, b *Peer) bool { return a.LastTxTime.After(b.LastTxTime) })
	protect(8, func(p *Peer) bool { return p.PingRTT != 0 }, func(a, b *Peer) bool { return a.PingRTT < b.PingRTT })
	protect(len(cands)/2, func(*Peer) bool { return true }, func(a, b *Peer) bool { return a.Connected.Before(b.Connected) })
	if len(cands) == 0 {
		return false
	}
	groups := map[string][]*Peer{}
	for _, p := range cands {
		g := string(group(p.Addr.Addr()))
		groups[g] = append(groups[g], p)
	}
	// The most represented group (ties: the one with the youngest peer);
	// in it, the youngest peer.
	var worst []*Peer
	for _, ps := range groups {
		sort.Slice(ps, func(i, j int) bool {
			if !ps[i].Connected.Equal(ps[j].Connected) {
				return ps[i].Connected.After(ps[j].Connected)
			}
			return ps[i].ID > ps[j].ID
		})
		if worst == nil || len(ps) > len(worst) || (len(ps) == len(worst) &&
			(ps[0].Connected.After(worst[0].Connected) || (ps[0].Connected.Equal(worst[0].Connected) && ps[0].ID > worst[0].ID))) {
			worst = ps
		}
	}
	h.Disconnect(worst[0], "evicted for an inbound slot")
	return true
}

// AddPersistent keeps addr connected (addnode add); it reports false when
// it is already. An outbound connection to addr becomes its connection.
func (h *Host) AddPersistent(addr netip.AddrPort) bool {
	if h.isPersistent(addr) != nil {
		return false
	}
	x := &persistent{addr: addr}
	h.persist = append(h.persist, x)
	if q := h.byAddr[addr]; q != nil && !q.Inbound {
		x.adopt(q)
	}
	return true
}

// RemovePersistent stops keeping addr connected (addnode remove) and
// disconnects it; it reports false when it was not a persistent peer.
func (h *Host) RemovePersistent(addr netip.AddrPort) bool {
	for i, x := range h.persist {
		if x.addr == addr {
			h.persist = append(h.persist[:i:i], h.persist[i+1:]...)
			if x.peer != nil {
				x.peer.Persistent = false
				h.Disconnect(x.peer, "addnode remove")
			}
			return true
		}
	}
	return false
}

// Persistent lists the addresses kept connected, with their peers (nil
// while down).
func (h *Host) Persistent() map[netip.AddrPort]*Peer {
	out := make(map[netip.AddrPort]*Peer, len(h.persist))
	for _, x := range h.persist {
		out[x.addr] = x.peer
	}
	return out
}

// DialOnce tries addr once (addnode onetry).
func (h *Host) DialOnce(addr netip.AddrPort) {
	if h.cfg.Dialer == nil || h.byAddr[addr] != nil || h.dialing[addr] {
		return
	}
	h.dialing[addr] = true
	h.oneTry[addr] = true
	h.cfg.Dialer.Dial(addr)
}

// PingAll sends every ready peer a ping now (the ping RPC).
func (h *Host) PingAll() {
	now := h.clock.Now()
	for _, p := range h.Peers() {
		if p.ready {
			p.pingNonce = h.rng.Uint64() | 1
			p.pingSent = now
			p.Send(&msg.Ping{Nonce: p.pingNonce})
		}
	}
}

// PingPending reports the age of an unanswered ping, 0 without one.
func (p *Peer) PingPending(now time.Time) time.Duration {
	if p.pingNonce == 0 {
		return 0
	}
	return now.Sub(p.pingSent)
}

// Nonce is the Host's version nonce.
func (h *Host) Nonce() uint64 { return h.nonce }
