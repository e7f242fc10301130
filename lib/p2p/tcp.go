package p2p

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gamegold/gg/lib/p2p/msg"
)

// TCP is the socket adapter: it listens, dials, frames messages on real
// connections and turns everything into calls on a Host from one event
// loop goroutine (Run). Other goroutines run code on the loop with Do.
type TCP struct {
	magic  uint32
	host   *Host
	log    *slog.Logger
	events chan func()
	// DialTimeout bounds a connection attempt (default 10 s).
	DialTimeout time.Duration
	// DialContext opens outbound connections (nil: net.Dialer; a SOCKS5
	// proxy's dialer goes here).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// MaxSendQueue bounds the bytes queued for one peer before its
	// connection is closed (default 16 MiB: four full blocks).
	MaxSendQueue int64

	ctx       context.Context // ends when Run returns
	cancel    context.CancelFunc
	running   atomic.Bool
	listeners []net.Listener
	wg        sync.WaitGroup
	conns     sync.Map // *tcpConn
	// The read-ahead budget (ReadAheadBudget): bytes reserved, readers
	// waiting for it, and the channel closed when bytes are released.
	aheadMu      sync.Mutex
	ahead        atomic.Int64
	aheadWaiting atomic.Int32
	aheadFreed   chan struct{}
	overdraft    bool         // a message is being read past the budget (grow)
	aheadPeak    atomic.Int64 // the most reserved at once (tests)
	BytesSent    atomic.Uint64
	BytesRecv    atomic.Uint64
}

// NewTCP returns an adapter for the network magic; set its Host with
// SetHost before Run.
func NewTCP(magic uint32, log *slog.Logger) *TCP {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	t := &TCP{magic: magic, log: log, events: make(chan func(), 1024), DialTimeout: 10 * time.Second, MaxSendQueue: 16 << 20}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	return t
}

// ReadAheadBudget bounds the payload bytes of the messages all peers are
// reading or have read and the loop has not handled yet: each payload is
// reserved as its bytes arrive and released once the loop is done with
// it (or its read fails). One message at a time whose reading has begun
// may complete beyond it (see grow), so the reserve stays within
// ReadAheadBudget + msg.MaxPayload.
const ReadAheadBudget = 32 << 20

// acquire reserves n bytes of the read-ahead budget for the first step
// of a message's payload, waiting while they do not fit; it reports
// false when stop closes or the adapter stops first. n ≤ ReadChunk, and
// every reservation is released once its message is handled (the loop
// never waits for a reader) or its read ends, so a wait ends while the
// readers holding the budget progress.
func (t *TCP) acquire(n int64, stop <-chan struct{}) bool {
	ok, _ := t.reserve(n, false, stop)
	return ok
}

// grow reserves n more bytes for a message whose payload is being read.
// When they do not fit and no other message is past the budget, the
// message takes the overdraft (reported true): it and its further steps
// are reserved beyond the budget, without waiting, until endOverdraft.
// Readers that each hold part of the budget and wait for more of it
// would otherwise wait for each other; with the overdraft one message
// at a time completes, and the reserve stays within ReadAheadBudget +
// MaxPayload.
func (t *TCP) grow(n int64, stop <-chan struct{}) (ok, overdraft bool) {
	return t.reserve(n, true, stop)
}

func (t *TCP) reserve(n int64, growth bool, stop <-chan struct{}) (ok, overdraft bool) {
	for {
		t.aheadMu.Lock()
		fits := t.ahead.Load()+n <= ReadAheadBudget
		if fits || (growth && !t.overdraft) {
			t.aheadPeak.Store(max(t.aheadPeak.Load(), t.ahead.Add(n)))
			t.overdraft = t.overdraft || !fits
			t.aheadMu.Unlock()
			return true, !fits
		}
		if t.aheadFreed == nil {
			t.aheadFreed = make(chan struct{})
		}
		freed := t.aheadFreed
		t.aheadMu.Unlock()
		t.aheadWaiting.Add(1)
		select {
		case <-freed:
		case <-stop:
		case <-t.ctx.Done():
		}
		t.aheadWaiting.Add(-1)
		select {
		case <-stop:
			return false, false
		case <-t.ctx.Done():
			return false, false
		default:
		}
	}
}

// overdrawn reserves n more bytes for the message holding the overdraft.
func (t *TCP) overdrawn(n int64) {
	t.aheadMu.Lock()
	t.aheadPeak.Store(max(t.aheadPeak.Load(), t.ahead.Add(n)))
	t.aheadMu.Unlock()
}

// endOverdraft ends the overdraft once its message is read (or its read
// failed) and wakes the readers waiting for it; the message's bytes stay
// reserved until released.
func (t *TCP) endOverdraft() {
	t.aheadMu.Lock()
	t.overdraft = false
	t.wakeLocked()
	t.aheadMu.Unlock()
}

// release returns n bytes to the read-ahead budget and wakes the readers
// waiting for it.
func (t *TCP) release(n int64) {
	if n <= 0 {
		return
	}
	t.aheadMu.Lock()
	t.ahead.Add(-n)
	t.wakeLocked()
	t.aheadMu.Unlock()
}

// wakeLocked wakes the readers waiting for the budget (aheadMu held).
func (t *TCP) wakeLocked() {
	if t.aheadFreed != nil {
		close(t.aheadFreed)
		t.aheadFreed = nil
	}
}

// SetHost sets the Host the adapter drives.
func (t *TCP) SetHost(h *Host) { t.host = h }

// Listen accepts connections on addr (host:port) once Run starts; it
// returns the bound address.
func (t *TCP) Listen(addr string) (net.Addr, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("p2p: listen %s: %w", addr, err)
	}
	t.listeners = append(t.listeners, l)
	return l.Addr(), nil
}

// Do runs f on the event loop and waits for it (or for the loop's end).
func (t *TCP) Do(f func()) {
	done := make(chan struct{})
	select {
	case t.events <- func() { f(); close(done) }:
	case <-t.ctx.Done():
		return
	}
	select {
	case <-done:
	case <-t.ctx.Done():
	}
}

// post queues f for the loop without waiting (dropped once the loop has
// ended).
func (t *TCP) post(f func()) {
	select {
	case t.events <- f:
	case <-t.ctx.Done():
	}
}

// Run runs the event loop until ctx ends, then closes every connection
// and listener and waits for their goroutines.
func (t *TCP) Run(ctx context.Context, tick time.Duration) {
	t.running.Store(true)
	defer t.cancel()
	for _, l := range t.listeners {
		t.wg.Add(1)
		go t.accept(l)
	}
	tk := time.NewTicker(tick)
	defer tk.Stop()
	t.host.Tick()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case f := <-t.events:
			f()
		case <-tk.C:
			t.host.Tick()
		}
	}
	t.cancel()
	for _, l := range t.listeners {
		l.Close()
	}
	t.conns.Range(func(k, _ any) bool {
		k.(*tcpConn).Close()
		return true
	})
	t.wg.Wait()
}

// Started reports whether Run has begun (Do may be used).
func (t *TCP) Started() bool { return t.running.Load() }

func (t *TCP) accept(l net.Listener) {
	defer t.wg.Done()
	for {
		c, err := l.Accept()
		if err != nil {
			if t.ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				t.log.Warn("accept", "err", err)
				time.Sleep(50 * time.Millisecond)
				continue
			}
			return
		}
		ap, _ := netip.ParseAddrPort(c.RemoteAddr().String())
		t.start(c, true, ap)
	}
}

// Dial implements Dialer.
func (t *TCP) Dial(addr netip.AddrPort) {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		ctx, cancel := context.WithTimeout(t.ctx, t.DialTimeout)
		defer cancel()
		dial := t.DialContext
		if dial == nil {
			dial = (&net.Dialer{}).DialContext
		}
		c, err := dial(ctx, "tcp", addr.String())
		if err != nil {
			t.post(func() { t.host.DialFailed(addr, err) })
			return
		}
		t.start(c, false, addr) // the peer's address, not a proxy's
	}()
}

// tcpConn is one connection: a Link whose reader and writer goroutines
// feed the loop.
type tcpConn struct {
	t       *TCP
	c       net.Conn
	addr    netip.AddrPort
	mu      sync.Mutex
	queue   [][]byte
	queued  int64
	wake    chan struct{}
	closed  chan struct{}
	once    sync.Once
	peer    *Peer
	Sent    atomic.Uint64
	Recv    atomic.Uint64
	inbound bool
	// Bytes per message command (header included), as bitcoind's
	// bytessent_per_msg; guarded by statMu.
	statMu  sync.Mutex
	sentCmd map[string]uint64
	recvCmd map[string]uint64
}

func (t *TCP) start(c net.Conn, inbound bool, ap netip.AddrPort) {
	ap = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	tc := &tcpConn{t: t, c: c, addr: ap, wake: make(chan struct{}, 1), closed: make(chan struct{}), inbound: inbound}
	t.conns.Store(tc, true)
	t.wg.Add(2)
	go tc.writer()
	ready := make(chan struct{})
	t.post(func() {
		tc.peer = t.host.Connected(tc, inbound)
		close(ready)
		if tc.peer == nil {
			tc.Close()
		}
	})
	go func() {
		select {
		case <-ready:
		case <-t.ctx.Done():
			tc.Close()
		}
		tc.reader()
	}()
}

// Send implements Link.
func (c *tcpConn) Send(m msg.Message) {
	if c.Closed() {
		return // nobody writes it: do not encode it
	}
	frame := msg.Encode(c.t.magic, m)
	c.mu.Lock()
	if c.queued+int64(len(frame)) > c.t.MaxSendQueue {
		c.mu.Unlock()
		c.t.log.Debug("send queue full; closing", "addr", c.addr)
		c.Close()
		return
	}
	c.queue = append(c.queue, frame)
	c.queued += int64(len(frame))
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Close implements Link.
func (c *tcpConn) Close() {
	c.once.Do(func() {
		close(c.closed)
		c.c.Close()
	})
}

// RemoteAddr implements Link.
func (c *tcpConn) RemoteAddr() netip.AddrPort { return c.addr }

// Closed implements Link.
func (c *tcpConn) Closed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// SendQueued implements Link: the frame bytes waiting for the writer.
func (c *tcpConn) SendQueued() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return int(c.queued)
}

func (c *tcpConn) writer() {
	defer c.t.wg.Done()
	for {
		select {
		case <-c.closed:
			return
		case <-c.wake:
		}
		for {
			c.mu.Lock()
			if len(c.queue) == 0 {
				c.mu.Unlock()
				break
			}
			frame := c.queue[0]
			c.queue[0] = nil
			c.queue = c.queue[1:]
			c.queued -= int64(len(frame))
			c.mu.Unlock()
			c.c.SetWriteDeadline(time.Now().Add(2 * time.Minute))
			if _, err := c.c.Write(frame); err != nil {
				c.Close()
				return
			}
			c.Sent.Add(uint64(len(frame)))
			c.t.BytesSent.Add(uint64(len(frame)))
			if len(frame) >= msg.HeaderSize {
				cmd := string(bytes.TrimRight(frame[4:16], "\x00"))
				c.statMu.Lock()
				if c.sentCmd == nil {
					c.sentCmd = make(map[string]uint64)
				}
				c.sentCmd[cmd] += uint64(len(frame))
				c.statMu.Unlock()
			}
		}
	}
}

// countingReader counts bytes read.
type countingReader struct {
	r io.Reader
	c *tcpConn
}

func (r countingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.c.Recv.Add(uint64(n))
	r.c.t.BytesRecv.Add(uint64(n))
	return n, err
}

func (c *tcpConn) reader() {
	defer c.t.wg.Done()
	defer func() {
		c.Close()
		c.t.conns.Delete(c)
		if p := c.peer; p != nil {
			c.t.post(func() { c.t.host.Disconnected(p, nil) })
		}
	}()
	if c.peer == nil {
		return
	}
	r := countingReader{c.c, c}
	// A peer's messages reach the loop in order. Each message's payload
	// is reserved from the adapter's read-ahead budget as its bytes
	// arrive (msg.ReadMessageAdmit: a step of at most msg.ReadChunk, or
	// of the bytes already read, before they are read, waiting while the
	// budget is spent) and released once the loop has handled it, or
	// when the read fails. While the loop handles one of the peer's
	// messages, the next may be read and queued behind it, no more: so
	// all peers together hold at most ReadAheadBudget of payloads read
	// and not yet handled, in at most two messages each; a slow node
	// slows its peers' senders instead of queueing their bytes; and a
	// peer that announces a large payload and sends little of it holds
	// little of the budget (at most twice what it sent, or ReadChunk).
	var last chan struct{} // the last message posted, until handled
	wait := func(ch chan struct{}) bool {
		select {
		case <-ch:
			return true
		case <-c.closed:
			return false
		case <-c.t.ctx.Done():
			return false
		}
	}
	var reserved int64 // the bytes of the message being read
	overdraft := false // it holds the overdraft (grow)
	admit := func(n uint32) bool {
		switch {
		case overdraft:
			c.t.overdrawn(int64(n))
		case reserved == 0:
			if !c.t.acquire(int64(n), c.closed) {
				return false
			}
		default:
			ok, od := c.t.grow(int64(n), c.closed)
			if !ok {
				return false
			}
			overdraft = od
		}
		reserved += int64(n)
		return true
	}
	for {
		c.c.SetReadDeadline(time.Now().Add(InactivityTimeout + time.Minute))
		m, size, err := msg.ReadMessageAdmit(r, c.t.magic, admit)
		if overdraft {
			c.t.endOverdraft()
			overdraft = false
		}
		if err != nil {
			c.t.release(reserved)
			reserved = 0
			var me *msg.Error
			switch {
			case errors.As(err, &me) && me.Kind == msg.ErrUnknownCommand:
				continue
			case errors.As(err, &me) && me.Kind == msg.ErrMalformed:
				// A payload no honest peer sends.
				p := c.peer
				c.t.post(func() { c.t.host.Misbehaving(p, BanScore, err.Error()) })
			case errors.As(err, &me):
				// The stream is out of step (magic, command, size,
				// checksum): close, and count it.
				p := c.peer
				c.t.post(func() { c.t.host.Misbehaving(p, 20, err.Error()) })
			}
			return
		}
		c.statMu.Lock()
		if c.recvCmd == nil {
			c.recvCmd = make(map[string]uint64)
		}
		c.recvCmd[m.Command()] += uint64(size)
		c.statMu.Unlock()
		p := c.peer
		done := make(chan struct{})
		res := reserved
		reserved = 0
		c.t.post(func() {
			c.t.host.Received(p, m)
			close(done)
			c.t.release(res)
		})
		// At most two of its messages with the loop: the one before this
		// is handled before the next is read.
		if last != nil && !wait(last) {
			return
		}
		last = done
	}
}

// ConnStats returns the bytes sent to and received from the peer, when
// it is a TCP connection of this adapter.
func ConnStats(p *Peer) (sent, recv uint64, ok bool) {
	if c, isTCP := p.link.(*tcpConn); isTCP {
		return c.Sent.Load(), c.Recv.Load(), true
	}
	return 0, 0, false
}

// ConnMsgStats returns copies of the bytes sent to and received from p
// per message command, header included (nil for a peer not on TCP).
func ConnMsgStats(p *Peer) (sent, recv map[string]uint64) {
	c, isTCP := p.link.(*tcpConn)
	if !isTCP {
		return nil, nil
	}
	c.statMu.Lock()
	defer c.statMu.Unlock()
	return maps.Clone(c.sentCmd), maps.Clone(c.recvCmd)
}
