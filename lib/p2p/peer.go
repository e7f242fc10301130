package p2p

import (
	"net/netip"
	"time"

	"github.com/gamegold/gg/lib/p2p/msg"
)

// Link is a connection as the protocol sees it: messages out, close. The
// transport delivers what arrives through Host.Received and reports the
// end through Host.Disconnected.
type Link interface {
	// Send queues m for the peer; it does not wait for the network. A
	// transport whose queue overflows closes the link.
	Send(m msg.Message)
	// Close ends the connection (Host.Disconnected follows).
	Close()
	// RemoteAddr is the peer's address.
	RemoteAddr() netip.AddrPort
	// Closed reports whether the link has been closed (by Close, by the
	// transport after an error, or by the other side).
	Closed() bool
	// SendQueued is the bytes queued for the peer and not yet written (0
	// for a transport that does not queue).
	SendQueued() int
}

// Dialer opens outbound connections for the Host. Dial returns at once;
// the transport later calls Host.Connected (with outbound true) or
// Host.DialFailed.
type Dialer interface {
	Dial(addr netip.AddrPort)
}

// Peer is one connection's state. The Host and its Protocol read and
// write it from their calls only (one at a time).
type Peer struct {
	ID         uint64
	Addr       netip.AddrPort
	Inbound    bool
	Persistent bool // a --connect or --addnode peer: reconnected, never banned
	Feeler     bool // a feeler connection: closed once the handshake is done
	oneTry     bool // dialled by DialOnce (addnode onetry): never disconnected as an outbound peer too many
	Connected  time.Time
	link       Link
	clock      Clock // the Host's

	// Handshake.
	sentVersion bool
	gotVersion  bool
	gotVerack   bool
	ready       bool
	seenAs      netip.Addr // our address as the peer sees it (its version's addr_recv)
	Version     int32
	Services    uint64
	UserAgent   string
	StartHeight int32
	Relay       bool // it wants transaction announcements

	// Features the peer announced.
	WtxidRelay    bool
	AddrV2        bool
	SendHeaders   bool
	CmpctHB       bool // asked us for high-bandwidth compact blocks
	CmpctVersion  uint64
	FeeFilterRate int64 // dust per kvB; do not announce cheaper transactions

	// Keep-alive.
	pingNonce uint64
	pingSent  time.Time
	PingRTT   time.Duration // last measured, 0 before the first pong
	LastRecv  time.Time
	LastSend  time.Time // when a message was last handed to the link

	// Accounting and eviction protection.
	MsgsRecv      uint64
	LastBlockTime time.Time // last new block it gave us
	LastTxTime    time.Time // last new transaction it gave us
	score         int
	punished      bool // reached BanScore: banned (unless persistent) and disconnected
	sentGetAddr   bool
	answeredAddr  bool
	addrTokens    float64
	addrTokensAt  time.Time
	msgTokens     float64
	msgTokensAt   time.Time

	// Data is the Protocol's per-peer state.
	Data any
}

// Ready reports whether the handshake is complete.
func (p *Peer) Ready() bool { return p.ready }

// Score is the peer's misbehaviour score.
func (p *Peer) Score() int { return p.score }

// Send queues m for the peer.
func (p *Peer) Send(m msg.Message) {
	p.LastSend = p.clock.Now()
	p.link.Send(m)
}

// Closed reports whether the peer's link has been closed (Disconnect, a
// transport error, or the other side); messages sent to it are dropped.
func (p *Peer) Closed() bool { return p.link.Closed() }

// SendQueued is the bytes queued for the peer and not yet written to the
// network (0 for a link that does not queue). The sync layer uses it to
// hold back data for a peer that is not reading.
func (p *Peer) SendQueued() int { return p.link.SendQueued() }

// NoteBlock records that the peer gave us a new block (eviction protects
// such peers).
func (p *Peer) NoteBlock(now time.Time) { p.LastBlockTime = now }

// NoteTx records that the peer gave us a new transaction.
func (p *Peer) NoteTx(now time.Time) { p.LastTxTime = now }
