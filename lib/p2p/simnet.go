package p2p

import (
	"container/heap"
	"errors"
	"net/netip"
	"slices"
	"time"

	"github.com/gamegold/gg/lib/p2p/msg"
)

// SimNet is an in-process network with virtual time: Hosts connect
// through it, messages travel through their wire encoding with a
// latency, and everything happens in one goroutine in time order, the
// same calls the TCP adapter makes. Tests of several nodes run on it
// deterministically; the network simulator builds on it.
type SimNet struct {
	clock   simClock
	queue   eventQueue
	seq     uint64
	nodes   map[netip.AddrPort]*Host
	links   int
	tickDue time.Time
	// Latency is the one-way delay between two addresses (default 1 ms).
	Latency func(from, to netip.AddrPort) time.Duration
	// Transit, when set, is a message's delay from the listening address
	// of the sending Host to that of the receiving one, given its encoded
	// size (header included): a simulator's bandwidth and queue model,
	// which replaces Latency for messages (not dials). It must not let a
	// message overtake an earlier one on the same link.
	Transit func(from, to netip.AddrPort, m msg.Message, size int) time.Duration
	// TickEvery is how often every Host ticks (default 100 ms).
	TickEvery time.Duration
	// Bytes counts the payload and header bytes delivered.
	Bytes uint64
	// Refuse, when set, makes a dial to the address fail.
	Refuse func(to netip.AddrPort) bool
	drops  map[netip.AddrPort]func(msg.Message) bool
	ticked map[*Host]bool
	multi  bool // some Host listens at several addresses
	// listens counts each Host's addresses
	listens map[*Host]int
	addrs   []netip.AddrPort // sorted, nil when stale

	// IdleTickEvery and Quiet, when both set, spare the ticks of a Host
	// with nothing to do: one for which Quiet reports true at a tick is
	// ticked only on every IdleTickEvery-th multiple of TickEvery (timeouts,
	// pings and upkeep run then, at most IdleTickEvery late).
	IdleTickEvery time.Duration
	Quiet         func(h *Host) bool
	ticks         int64

	// ShareDecoded hands every receiver of byte-identical tx, block,
	// cmpctblock or blocktxn payloads one decoded value instead of a copy
	// each (receivers must not change what they receive; lib/p2p and
	// lib/netsync do not): a simulator of many nodes keeps one copy of
	// each transaction instead of one per node. Values are kept for two
	// to four minutes after their first decoding.
	ShareDecoded bool
	shared       [2]map[string]msg.Message
	sharedSince  time.Time
}

// sharedDecode is the decoded value of a payload: one already decoded
// recently, for the commands whose values are shared.
func (n *SimNet) sharedDecode(cmd string, payload []byte) (msg.Message, error) {
	switch cmd {
	case msg.CmdTx, msg.CmdBlock, msg.CmdCmpctBlock, msg.CmdBlockTxn:
	default:
		return msg.Decode(cmd, payload)
	}
	if n.shared[0] == nil || n.clock.t.Sub(n.sharedSince) > 2*time.Minute {
		n.shared[1], n.shared[0] = n.shared[0], map[string]msg.Message{}
		n.sharedSince = n.clock.t
	}
	key := cmd + "\x00" + string(payload)
	if m, ok := n.shared[0][key]; ok {
		return m, nil
	}
	if m, ok := n.shared[1][key]; ok {
		n.shared[0][key] = m
		return m, nil
	}
	m, err := msg.Decode(cmd, payload)
	if err == nil {
		n.shared[0][key] = m
	}
	return m, err
}

type simClock struct{ t time.Time }

func (c *simClock) Now() time.Time { return c.t }

type event struct {
	at  time.Time
	seq uint64
	f   func()
}

type eventQueue []event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// NewSimNet returns an empty network whose clock starts at start.
func NewSimNet(start time.Time) *SimNet {
	return &SimNet{clock: simClock{start}, nodes: make(map[netip.AddrPort]*Host), TickEvery: 100 * time.Millisecond}
}

// Clock is the network's virtual clock (give it to each Host's Config).
func (n *SimNet) Clock() Clock { return &n.clock }

// Now is the virtual time.
func (n *SimNet) Now() time.Time { return n.clock.t }

// At schedules f at virtual time t (or now, if earlier).
func (n *SimNet) At(t time.Time, f func()) {
	if t.Before(n.clock.t) {
		t = n.clock.t
	}
	n.seq++
	heap.Push(&n.queue, event{t, n.seq, f})
}

// After schedules f after d.
func (n *SimNet) After(d time.Duration, f func()) { n.At(n.clock.t.Add(d), f) }

// Add registers a Host listening at addr (one Host may listen at
// several).
func (n *SimNet) Add(addr netip.AddrPort, h *Host) {
	if n.nodes[addr] == h {
		return
	}
	n.Remove(addr)
	if n.listens == nil {
		n.listens = map[*Host]int{}
	}
	n.listens[h]++
	if n.listens[h] > 1 {
		n.multi = true
	}
	n.nodes[addr] = h
	n.addrs = nil
}

// Remove takes a Host off the network (its address refuses connections,
// it no longer ticks, its dials on the way fail; existing links stay
// until closed). Add puts it back.
func (n *SimNet) Remove(addr netip.AddrPort) {
	if h := n.nodes[addr]; h != nil {
		n.listens[h]--
		delete(n.nodes, addr)
		n.addrs = nil
	}
}

// Dialer returns the Dialer of the Host at from.
func (n *SimNet) Dialer(from netip.AddrPort) Dialer { return &simDialer{n, from} }

type simDialer struct {
	n    *SimNet
	from netip.AddrPort
}

func (d *simDialer) Dial(to netip.AddrPort) {
	n := d.n
	lat := n.latency(d.from, to)
	src := n.nodes[d.from]
	if src == nil {
		return
	}
	n.After(lat, func() {
		dst := n.nodes[to]
		if n.nodes[d.from] != src {
			// The dialler left the network on the way: its attempt fails
			// (it would otherwise hold one of its dial slots for good).
			src.DialFailed(to, errors.New("dialler offline"))
			return
		}
		if dst == nil || (n.Refuse != nil && n.Refuse(to)) {
			n.After(lat, func() { src.DialFailed(to, errors.New("connection refused")) })
			return
		}
		n.Connect(d.from, to)
	})
}

func (n *SimNet) latency(a, b netip.AddrPort) time.Duration {
	if n.Latency != nil {
		return n.Latency(a, b)
	}
	return time.Millisecond
}

// Connect links the Host at from (outbound) to the Host at to (inbound)
// at once and returns the two ends.
func (n *SimNet) Connect(from, to netip.AddrPort) (out, in *SimLink) {
	n.links++
	src, dst := n.nodes[from], n.nodes[to]
	eph := netip.AddrPortFrom(from.Addr(), uint16(10000+n.links%50000))
	out = &SimLink{n: n, host: src, remote: to, local: from}
	in = &SimLink{n: n, host: dst, remote: eph, local: to}
	out.other, in.other = in, out
	in.peer = dst.Connected(in, true)
	if in.peer == nil {
		in.closed, out.closed = true, true
		n.After(n.latency(from, to), func() { src.DialFailed(to, errors.New("refused by peer")) })
		return out, in
	}
	out.peer = src.Connected(out, false)
	return out, in
}

// SimLink is one end of a SimNet connection.
type SimLink struct {
	n      *SimNet
	host   *Host
	peer   *Peer
	remote netip.AddrPort
	local  netip.AddrPort // the listening address of this end's Host
	other  *SimLink
	closed bool
	// Drop, when set, loses matching outgoing messages (a test's faulty
	// or malicious peer).
	Drop func(m msg.Message) bool
	// Sent counts the messages sent by command.
	Sent map[string]int
}

// Send implements Link: the message goes through its encoding and
// arrives after the latency, in order.
func (l *SimLink) Send(m msg.Message) {
	if l.closed || (l.Drop != nil && l.Drop(m)) {
		return
	}
	if d := l.n.drops[l.local]; d != nil && d(m) {
		return
	}
	payload := msg.Payload(m)
	var got msg.Message
	var err error
	if l.n.ShareDecoded {
		got, err = l.n.sharedDecode(m.Command(), payload)
	} else {
		got, err = msg.Decode(m.Command(), payload)
	}
	if err != nil {
		panic("p2p: SimNet: " + m.Command() + " does not decode: " + err.Error())
	}
	if l.Sent == nil {
		l.Sent = map[string]int{}
	}
	l.Sent[m.Command()]++
	l.n.Bytes += uint64(msg.HeaderSize + len(payload))
	o := l.other
	delay := l.n.latency(l.remote, o.remote)
	if l.n.Transit != nil {
		delay = l.n.Transit(l.local, o.local, m, msg.HeaderSize+len(payload))
	}
	l.n.After(delay, func() {
		if !o.closed && o.peer != nil {
			o.host.Received(o.peer, got)
		}
	})
}

// Close implements Link.
func (l *SimLink) Close() {
	if l.closed {
		return
	}
	l.closed = true
	o := l.other
	l.n.After(0, func() {
		if l.peer != nil {
			l.host.Disconnected(l.peer, nil)
		}
	})
	l.n.After(l.n.latency(l.remote, o.remote), func() {
		if !o.closed {
			o.closed = true
			if o.peer != nil {
				o.host.Disconnected(o.peer, nil)
			}
		}
	})
}

// RemoteAddr implements Link.
func (l *SimLink) RemoteAddr() netip.AddrPort { return l.remote }

// Closed implements Link.
func (l *SimLink) Closed() bool { return l.closed }

// SendQueued implements Link: a SimLink hands each message to the
// network at once, so nothing waits.
func (l *SimLink) SendQueued() int { return 0 }

// Peer is this end's peer.
func (l *SimLink) Peer() *Peer { return l.peer }

// Step runs the next event (ticking the Hosts when a tick is due first);
// it reports false when nothing is left to run.
func (n *SimNet) Step() bool {
	if n.tickDue.IsZero() {
		n.tickDue = n.clock.t
	}
	if len(n.queue) == 0 || !n.queue[0].at.Before(n.tickDue) {
		if len(n.nodes) == 0 && len(n.queue) == 0 {
			return false
		}
		n.clock.t = n.tickDue
		// A Host listening at several addresses (a simulated attacker
		// answering on many) ticks once, at its first address.
		clear(n.ticked)
		idle := n.IdleTickEvery > n.TickEvery && n.Quiet != nil
		everyone := !idle || n.ticks%int64(n.IdleTickEvery/n.TickEvery) == 0
		n.ticks++
		for _, addr := range n.sortedAddrs() {
			h := n.nodes[addr]
			if h == nil || (n.multi && n.ticked[h]) || (!everyone && n.Quiet(h)) {
				continue
			}
			if n.multi {
				if n.ticked == nil {
					n.ticked = map[*Host]bool{}
				}
				n.ticked[h] = true
			}
			h.Tick()
		}
		n.tickDue = n.tickDue.Add(n.TickEvery)
		return true
	}
	e := heap.Pop(&n.queue).(event)
	n.clock.t = e.at
	e.f()
	return true
}

func (n *SimNet) sortedAddrs() []netip.AddrPort {
	if n.addrs != nil {
		return n.addrs
	}
	out := make([]netip.AddrPort, 0, len(n.nodes))
	for a := range n.nodes {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b netip.AddrPort) int { return a.Compare(b) })
	n.addrs = out
	return out
}

// RunUntil runs events until cond holds (checked after each) or the
// virtual time passes limit; it reports whether cond held.
func (n *SimNet) RunUntil(cond func() bool, limit time.Duration) bool {
	end := n.clock.t.Add(limit)
	for !cond() {
		if n.clock.t.After(end) || !n.Step() {
			return cond()
		}
	}
	return true
}

// RunFor runs every event of the next d of virtual time.
func (n *SimNet) RunFor(d time.Duration) {
	end := n.clock.t.Add(d)
	for n.clock.t.Before(end) && n.Step() {
	}
}

// SimSent returns the messages sent to p's side by command, when p is a
// SimNet peer (the counts of the link's other end).
func SimSent(p *Peer) map[string]int {
	if l, ok := p.link.(*SimLink); ok {
		return l.Sent
	}
	return nil
}

// SimDropFrom makes every current and future link of the Host at addr
// drop outgoing messages matching drop.
func SimDropFrom(n *SimNet, addr netip.AddrPort, drop func(m msg.Message) bool) {
	if n.drops == nil {
		n.drops = map[netip.AddrPort]func(msg.Message) bool{}
	}
	n.drops[addr] = drop
}
