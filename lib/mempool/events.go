package mempool

import "sync"

// RemoveReason says why a transaction left the pool.
type RemoveReason int

// Reasons for OnRemove.
const (
	// RemoveMined: a connected block contains the transaction.
	RemoveMined RemoveReason = iota + 1
	// RemoveReplaced: a conflicting transaction replaced it, or replaced
	// one of its ancestors.
	RemoveReplaced
	// RemoveConflict: a connected block spends the same outputs (it or
	// an ancestor double-spent).
	RemoveConflict
	// RemoveSizeLimit: evicted as part of the cheapest package to keep
	// the pool under its size cap.
	RemoveSizeLimit
	// RemoveExpired: waited longer than Policy.Expiry (or descends from
	// such a transaction).
	RemoveExpired
	// RemoveReorg: invalid against the tip after a block was disconnected.
	RemoveReorg
	// RemoveExplicit: Pool.Remove was called.
	RemoveExplicit
	// RemoveLapsed: a sale listing or bid whose end + AuctionGrace is
	// below the next block's height, or a contract fulfil or escrow claim
	// whose expiry the next block's height reaches (or a descendant of
	// one); the prop is usable again and a bidder's coins are free.
	RemoveLapsed
)

func (r RemoveReason) String() string {
	switch r {
	case RemoveMined:
		return "mined"
	case RemoveReplaced:
		return "replaced"
	case RemoveConflict:
		return "conflict"
	case RemoveSizeLimit:
		return "sizelimit"
	case RemoveExpired:
		return "expired"
	case RemoveReorg:
		return "reorg"
	case RemoveExplicit:
		return "removed"
	case RemoveLapsed:
		return "lapsed"
	}
	return "unknown"
}

// Listener receives the pool's transaction events; either field may be
// nil. Config.OnAccept and Config.OnRemove form one listener fixed at
// New; Pool.Listen adds more at run time.
//
// OnAccept is called once for each transaction inserted: a submitted
// one, each orphan it unlocks (parents first), a transaction put back
// after a block was disconnected, one loaded by Load. OnRemove is called
// once for each transaction that leaves (descendants before ancestors
// when a tree goes). A replacement's evictions are reported before the
// replacement's acceptance.
//
// Delivery: events are queued while the pool's lock is held, in the
// order the pool changed, and delivered after it is released, one at a
// time, never concurrently and never under the pool's lock. The
// goroutine whose change queued events delivers them before its call
// returns, unless another goroutine is delivering already, in which case
// that one delivers them (so they may arrive just after the call that
// caused them returns). A callback may call back into the pool (even
// ProcessTransaction): the events that causes are queued and delivered
// after the callback returns. Callbacks should be quick: they delay the
// pool's other events and the caller that delivers them. A TxDesc is
// read-only.
type Listener struct {
	OnAccept func(*TxDesc)
	OnRemove func(desc *TxDesc, reason RemoveReason)
}

type poolEvent struct {
	desc   *TxDesc
	reason RemoveReason // 0: accepted
}

// notifier queues and delivers the pool's events (see Listener).
type notifier struct {
	mu        sync.Mutex
	listeners map[int]Listener
	next      int
	queue     []poolEvent
	busy      bool // a goroutine is delivering
}

// Listen adds l to the pool's listeners until cancel is called.
func (p *Pool) Listen(l Listener) (cancel func()) {
	n := &p.events
	n.mu.Lock()
	id := n.next
	n.next++
	if n.listeners == nil {
		n.listeners = make(map[int]Listener)
	}
	n.listeners[id] = l
	n.mu.Unlock()
	return func() {
		n.mu.Lock()
		delete(n.listeners, id)
		n.mu.Unlock()
	}
}

// emit queues an event (accepted when reason is 0). Called with p.mu
// held, which orders the queue like the pool's changes.
func (p *Pool) emit(desc *TxDesc, reason RemoveReason) {
	n := &p.events
	n.mu.Lock()
	if len(n.listeners) > 0 {
		n.queue = append(n.queue, poolEvent{desc, reason})
	}
	n.mu.Unlock()
}

func (p *Pool) emitRemoved(es []*entry, reason RemoveReason) {
	for _, e := range es {
		p.emit(e.desc, reason)
	}
}

// flush delivers the queued events unless another goroutine is already
// doing so. It must be called without p.mu held.
func (p *Pool) flush() {
	n := &p.events
	for {
		n.mu.Lock()
		if n.busy || len(n.queue) == 0 {
			n.mu.Unlock()
			return
		}
		n.busy = true
		q := n.queue
		n.queue = nil
		ls := make([]Listener, 0, len(n.listeners))
		for i := 0; i < n.next; i++ {
			if l, ok := n.listeners[i]; ok {
				ls = append(ls, l)
			}
		}
		n.mu.Unlock()
		p.deliver(q, ls)
	}
}

func (p *Pool) deliver(q []poolEvent, ls []Listener) {
	n := &p.events
	defer func() {
		n.mu.Lock()
		n.busy = false
		n.mu.Unlock()
	}()
	for _, ev := range q {
		for _, l := range ls {
			switch {
			case ev.reason == 0 && l.OnAccept != nil:
				l.OnAccept(ev.desc)
			case ev.reason != 0 && l.OnRemove != nil:
				l.OnRemove(ev.desc, ev.reason)
			}
		}
	}
}
