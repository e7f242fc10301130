package rpc

import (
	"cmp"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// Event topics (see docs/rpc.md, "WebSocket events").
const (
	TopicBlocks    = "blocks"
	TopicMempool   = "mempool"
	TopicTxs       = "txs"
	TopicProducers = "producers"
	TopicProps     = "props"
	TopicContracts = "contracts"
	TopicPeers     = "peers"
	// TopicLog carries the node's log records: only the operator's
	// logins may follow it (Access.Operator), and it has no backlog
	// (node.log reads what a client missed).
	TopicLog = "log"
)

// Topics lists every topic, in the order of the docs.
var Topics = []string{TopicBlocks, TopicMempool, TopicTxs, TopicProducers, TopicProps, TopicContracts, TopicPeers, TopicLog}

// Block event types; the hub follows the tip by them.
const (
	EventBlockConnected    = "block.connected"
	EventBlockDisconnected = "block.disconnected"
)

// topicMask is a set of topics, one bit each (Topics order).
type topicMask uint8

func topicBit(topic string) topicMask {
	if i := slices.Index(Topics, topic); i >= 0 {
		return 1 << i
	}
	return 0
}

// bulk reports topics whose events come in thousands per block: they
// have a backlog of their own, so they do not push the block and game
// events out of the backlog.
func (m topicMask) bulk() bool { return m&(topicBit(TopicMempool)|topicBit(TopicTxs)) != 0 }

// HubEvent is one notification of the hub. The publisher fills Topic, Type,
// Data and what the event concerns; Publish sets Seq (and Height/Hash
// of events that carry no block: the tip's).
type HubEvent struct {
	Seq    uint64
	Topic  string
	Type   string
	Height int32
	// Hash is the block the event belongs to; zero: the hub's tip
	// (mempool and peer events).
	Hash chainhash.Hash
	// Prev is the block's parent (block events): a disconnect makes it
	// the tip.
	Prev chainhash.Hash
	// Data is the event's JSON object.
	Data any
	// Scripts are the output scripts the event concerns, for address
	// filters: of a txs event, those it pays or spends; of a props
	// event, the owner's before and after.
	Scripts [][]byte
	// Tx is the transaction of a txs or mempool tx.accepted event, sent
	// hex-encoded to subscriptions that ask for rawtx.
	Tx *wire.MsgTx

	mask     topicMask // Topic's bit, set by Publish
	dataOnce sync.Once
	data     []byte
	addrOnce sync.Once
	addrs    []string // Scripts as addresses
	hexOnce  sync.Once
	hex      []byte // Tx hex-encoded
}

// txHex returns Tx hex-encoded (once for every subscriber).
func (e *HubEvent) txHex() []byte {
	e.hexOnce.Do(func() { e.hex = hex.AppendEncode(nil, e.Tx.AppendTo(nil)) })
	return e.hex
}

// addresses returns Scripts as addresses (encoded once for every
// subscriber), by name.
func (e *HubEvent) addresses(name func([]byte) string) []string {
	e.addrOnce.Do(func() {
		e.addrs = make([]string, len(e.Scripts))
		for i, sc := range e.Scripts {
			e.addrs[i] = name(sc)
		}
	})
	return e.addrs
}

// DataJSON returns the encoded Data, encoded once for every subscriber.
func (e *HubEvent) DataJSON() []byte {
	e.dataOnce.Do(func() {
		b, err := json.Marshal(e.Data)
		if err != nil || len(b) == 0 || b[0] != '{' {
			b = []byte("{}")
		}
		e.data = b
	})
	return e.data
}

// HubTip is a block the chain's tip was at.
type HubTip struct {
	Height int32          `json:"height"`
	Hash   chainhash.Hash `json:"hash"`
}

// HubConfig sizes a Hub; zero fields take the defaults.
type HubConfig struct {
	// Backlog is how many events are kept for resuming subscriptions
	// (default 4096); mempool and txs events have a backlog of their own
	// of 4 × Backlog.
	Backlog int
	// Queue bounds each subscriber's queue of undelivered batches
	// (default 256): a subscriber whose queue is full is dropped.
	Queue int
}

// Defaults of HubConfig.
const (
	DefaultBacklog = 4096
	DefaultQueue   = 256
)

// Hub fans events out to subscribers. Publish never blocks: it appends
// to a bounded backlog and offers each interested subscriber the batch
// without waiting; a subscriber whose queue is full is dropped with the
// reason "slow consumer". The hub knows no transport: the WebSocket
// server (ws.go) drains subscribers.
type Hub struct {
	cfg HubConfig

	mu        sync.Mutex
	seq       uint64 // the last event's
	tip       HubTip
	main      ring // every topic but the bulk ones
	bulk      ring // mempool and txs events
	subs      map[*Subscriber]struct{}
	nextID    uint64
	published atomic.Uint64
	nsubs     atomic.Int64
}

// NewHub returns a hub sized by cfg.
func NewHub(cfg HubConfig) *Hub {
	if cfg.Backlog <= 0 {
		cfg.Backlog = DefaultBacklog
	}
	if cfg.Queue <= 0 {
		cfg.Queue = DefaultQueue
	}
	return &Hub{cfg: cfg, main: ring{max: cfg.Backlog}, bulk: ring{max: 4 * cfg.Backlog}, subs: map[*Subscriber]struct{}{}}
}

// SetTip sets the tip reported to new subscriptions and given to
// mempool events, until block events move it.
func (h *Hub) SetTip(t HubTip) {
	h.mu.Lock()
	h.tip = t
	h.mu.Unlock()
}

// Tip returns the hub's tip.
func (h *Hub) Tip() HubTip {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.tip
}

// Subscribers returns how many subscribers (WebSocket connections) are
// attached.
func (h *Hub) Subscribers() int { return int(h.nsubs.Load()) }

// Published returns how many events were published.
func (h *Hub) Published() uint64 { return h.published.Load() }

// HubBatch is what a subscriber's queue holds: events published together
// (one block's, or a run of mempool events), or a replay or resync for
// one subscription.
type HubBatch struct {
	events []*HubEvent
	mask   topicMask
	only   *HubSub // a replay or resync for this subscription only
	resync *HubResync
}

// HubResync tells a subscription that the events it asked to resume from
// are no longer (or never were) in the backlog.
type HubResync struct {
	Reason string `json:"reason"`
	HubTip HubTip `json:"tip"`
}

// Publish publishes evs as one batch, in order. It never blocks on a
// subscriber.
func (h *Hub) Publish(evs ...*HubEvent) {
	if len(evs) == 0 {
		return
	}
	b := &HubBatch{events: evs}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range evs {
		h.seq++
		e.Seq = h.seq
		if e.Hash.IsZero() {
			e.Height, e.Hash = h.tip.Height, h.tip.Hash
		}
		switch e.Type {
		case EventBlockConnected:
			h.tip = HubTip{e.Height, e.Hash}
		case EventBlockDisconnected:
			h.tip = HubTip{e.Height - 1, e.Prev}
		}
		m := topicBit(e.Topic)
		e.mask = m
		b.mask |= m
		switch {
		case m == topicBit(TopicLog): // no backlog: node.log has the records
		case m.bulk():
			h.bulk.push(e)
		default:
			h.main.push(e)
		}
	}
	h.published.Add(uint64(len(evs)))
	for s := range h.subs {
		if s.mask.Load()&uint32(b.mask) != 0 {
			h.offer(s, b)
		}
	}
}

// offer queues b for s without waiting, dropping s when its queue is
// full. h.mu is held.
func (h *Hub) offer(s *Subscriber, b *HubBatch) {
	select {
	case s.q <- b:
	default:
		h.dropLocked(s, fmt.Sprintf("slow consumer: queue of %d event batches full", cap(s.q)))
	}
}

func (h *Hub) dropLocked(s *Subscriber, reason string) {
	if _, ok := h.subs[s]; !ok {
		return
	}
	delete(h.subs, s)
	h.nsubs.Add(-1)
	s.reason = reason
	close(s.done)
}

// Attach adds a subscriber (one per WebSocket connection); Close
// detaches it.
func (h *Hub) Attach() *Subscriber {
	s := &Subscriber{hub: h, q: make(chan *HubBatch, h.cfg.Queue), done: make(chan struct{})}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	h.nsubs.Add(1)
	return s
}

// Subscriber is one consumer of the hub (a WebSocket connection) with
// its subscriptions and its bounded queue.
type Subscriber struct {
	hub  *Hub
	q    chan *HubBatch
	done chan struct{} // closed when dropped or closed
	// reason says why it was dropped; set before done closes.
	reason string
	mask   atomic.Uint32 // union of the subscriptions' topics

	mu   sync.Mutex
	list []*HubSub
}

// Queue returns the channel of batches to deliver.
func (s *Subscriber) Queue() <-chan *HubBatch { return s.q }

// Done is closed once the hub dropped s (Reason says why) or s closed.
func (s *Subscriber) Done() <-chan struct{} { return s.done }

// Reason says why the hub dropped s ("" when it closed itself). Valid
// once Done is closed.
func (s *Subscriber) Reason() string {
	<-s.done
	return s.reason
}

// Close detaches s from the hub.
func (s *Subscriber) Close() {
	h := s.hub
	h.mu.Lock()
	h.dropLocked(s, "")
	h.mu.Unlock()
}

// Len returns how many subscriptions s holds.
func (s *Subscriber) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.list)
}

// HubFilter selects the events of a subscription.
type HubFilter struct {
	Topics []string
	// Scripts filter the txs and props events (see HubEvent.Scripts); txs
	// needs some.
	Scripts [][]byte
	// RawTx asks for the transactions' hex in txs and mempool events.
	RawTx bool
}

// HubSub is one filter of a subscriber.
type HubSub struct {
	ID      string
	mask    topicMask
	scripts map[string]struct{}
	RawTx   bool
	// from is the first live event seq it receives: earlier ones reach
	// it only by its replay.
	from uint64
}

// Matches reports whether e passes the subscription's filter (its
// topics, and its scripts for txs and props events).
func (sub *HubSub) Matches(e *HubEvent) bool {
	m := e.mask
	if m == 0 {
		m = topicBit(e.Topic) // not published
	}
	if sub.mask&m == 0 {
		return false
	}
	if len(sub.scripts) == 0 || (e.Topic != TopicTxs && e.Topic != TopicProps) {
		return true
	}
	for _, sc := range e.Scripts {
		if _, ok := sub.scripts[string(sc)]; ok {
			return true
		}
	}
	return false
}

// Matched returns the indexes in e.Scripts of the scripts the
// subscription watches.
func (sub *HubSub) Matched(e *HubEvent) []int {
	var out []int
	for i, sc := range e.Scripts {
		if _, ok := sub.scripts[string(sc)]; ok && !slices.ContainsFunc(out, func(j int) bool { return string(e.Scripts[j]) == string(sc) }) {
			out = append(out, i)
		}
	}
	return out
}

// Subscribe adds a subscription with filter f. With since, it first
// queues what the backlog holds after block since (or a resync when it
// cannot), atomically with the live events that follow. It returns the
// tip as of the subscription. An unknown topic is an error.
func (s *Subscriber) Subscribe(f HubFilter, since *chainhash.Hash) (*HubSub, HubTip, error) {
	sub := &HubSub{RawTx: f.RawTx}
	for _, t := range f.Topics {
		m := topicBit(t)
		if m == 0 {
			return nil, HubTip{}, fmt.Errorf("unknown topic %q", t)
		}
		sub.mask |= m
	}
	if sub.mask == 0 {
		return nil, HubTip{}, fmt.Errorf("no topic")
	}
	if len(f.Scripts) > 0 {
		sub.scripts = make(map[string]struct{}, len(f.Scripts))
		for _, sc := range f.Scripts {
			sub.scripts[string(sc)] = struct{}{}
		}
	}
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; !ok {
		return nil, HubTip{}, fmt.Errorf("subscriber closed")
	}
	h.nextID++
	sub.ID = strconv.FormatUint(h.nextID, 10)
	sub.from = h.seq + 1
	if since != nil {
		if evs, reason := h.replayLocked(*since, sub); reason != "" {
			h.offer(s, &HubBatch{only: sub, resync: &HubResync{Reason: reason, HubTip: h.tip}})
		} else if len(evs) > 0 {
			h.offer(s, &HubBatch{only: sub, events: evs})
		}
	}
	s.mu.Lock()
	s.list = append(s.list, sub)
	s.mask.Store(s.mask.Load() | uint32(sub.mask))
	s.mu.Unlock()
	return sub, h.tip, nil
}

// Unsubscribe removes subscription id; false when s holds none such.
func (s *Subscriber) Unsubscribe(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.list, func(sub *HubSub) bool { return sub.ID == id })
	if i < 0 {
		return false
	}
	s.list = slices.Delete(s.list, i, i+1)
	var m topicMask
	for _, sub := range s.list {
		m |= sub.mask
	}
	s.mask.Store(uint32(m))
	return true
}

// Notice is one notification for one subscription: an event or a
// resync.
type Notice struct {
	Sub    *HubSub
	Event  *HubEvent
	Resync *HubResync
}

// Expand calls fn for each notification b holds for s's subscriptions,
// in order, until fn returns false.
func (s *Subscriber) Expand(b *HubBatch, fn func(Notice) bool) {
	if b.only != nil {
		if !s.holds(b.only) {
			return // unsubscribed meanwhile
		}
		if b.resync != nil {
			fn(Notice{Sub: b.only, Resync: b.resync})
			return
		}
		for _, e := range b.events {
			if !fn(Notice{Sub: b.only, Event: e}) {
				return
			}
		}
		return
	}
	s.mu.Lock()
	subs := slices.Clone(s.list)
	s.mu.Unlock()
	for _, e := range b.events {
		for _, sub := range subs {
			if e.Seq >= sub.from && sub.Matches(e) && !fn(Notice{Sub: sub, Event: e}) {
				return
			}
		}
	}
}

func (s *Subscriber) holds(sub *HubSub) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.list, sub)
}

// replayLocked returns the backlog's events after block since that sub
// matches, or why it cannot (then the subscription gets a resync). The
// point to resume from is the newest block event of since: after its
// block.connected, or from its block.disconnected (the block was
// reorged out after the client saw it). A since equal to the tip that
// the backlog no longer holds has nothing to replay.
func (h *Hub) replayLocked(since chainhash.Hash, sub *HubSub) (evs []*HubEvent, reason string) {
	start, found := uint64(0), false
	for i := h.main.len() - 1; i >= 0; i-- {
		e := h.main.at(i)
		if e.Hash != since {
			continue
		}
		if e.Type == EventBlockConnected {
			start, found = e.Seq+1, true
			break
		}
		if e.Type == EventBlockDisconnected {
			start, found = e.Seq, true
			break
		}
	}
	if !found {
		if since == h.tip.Hash && !h.tip.Hash.IsZero() {
			return nil, ""
		}
		return nil, fmt.Sprintf("block %v is not in the backlog", since)
	}
	if sub.mask.bulk() && h.bulk.evicted >= start {
		return nil, fmt.Sprintf("the mempool and txs events after block %v are no longer in the backlog", since)
	}
	evs = appendMatching(evs, &h.main, start, sub)
	if sub.mask.bulk() {
		evs = appendMatching(evs, &h.bulk, start, sub)
		slices.SortFunc(evs, func(a, b *HubEvent) int { return cmp.Compare(a.Seq, b.Seq) })
	}
	return evs, ""
}

func appendMatching(evs []*HubEvent, r *ring, start uint64, sub *HubSub) []*HubEvent {
	first := r.len()
	for first > 0 && r.at(first-1).Seq >= start {
		first--
	}
	for i := first; i < r.len(); i++ {
		if e := r.at(i); sub.Matches(e) {
			evs = append(evs, e)
		}
	}
	return evs
}

// ring is a bounded FIFO of events.
type ring struct {
	max     int
	buf     []*HubEvent
	head    int    // index of the oldest
	n       int    // events held
	evicted uint64 // the newest evicted event's seq
}

func (r *ring) len() int { return r.n }

// at returns the i-th oldest event.
func (r *ring) at(i int) *HubEvent { return r.buf[(r.head+i)%len(r.buf)] }

func (r *ring) push(e *HubEvent) {
	if len(r.buf) < r.max {
		r.buf = append(r.buf, e)
		r.n++
		return
	}
	r.evicted = r.buf[r.head].Seq
	r.buf[r.head] = e
	r.head = (r.head + 1) % len(r.buf)
}
