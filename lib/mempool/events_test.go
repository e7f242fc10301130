package mempool

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/gamegold/gg/lib/wire"
)

// eventLog records a pool's events as "accept <txid>" and
// "<reason> <txid>".
type eventLog struct {
	mu  sync.Mutex
	got []string
}

func (l *eventLog) listener() Listener {
	return Listener{
		OnAccept: func(d *TxDesc) { l.add("accept " + d.TxID.String()) },
		OnRemove: func(d *TxDesc, r RemoveReason) { l.add(r.String() + " " + d.TxID.String()) },
	}
}

func (l *eventLog) add(s string) {
	l.mu.Lock()
	l.got = append(l.got, s)
	l.mu.Unlock()
}

// take returns the events so far and forgets them.
func (l *eventLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.got
	l.got = nil
	return out
}

func ev(what string, tx *wire.MsgTx) string { return what + " " + tx.TxHash().String() }

func checkEvents(t *testing.T, got []string, want ...string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events:\n got %v\nwant %v", got, want)
	}
}

func TestPoolEvents(t *testing.T) {
	h := newHarness(t, Policy{}, 120)
	var log eventLog
	h.pool.Listen(log.listener())

	// Accept.
	a := h.spendOne(h.coin(), 1000)
	h.accept(a)
	checkEvents(t, log.take(), ev("accept", a))

	// Rejections report nothing.
	h.reject(a, ErrDuplicate, "")
	checkEvents(t, log.take())

	// Orphans: nothing while they wait, then one acceptance each, parents
	// first, after the parent's.
	parent := h.spendOne(h.coin(), 1000)
	child := h.spendOne(outOf(parent, 0), 1000)
	grandchild := h.spendOne(outOf(child, 0), 1000)
	for _, tx := range []*wire.MsgTx{grandchild, child} {
		if d, err := h.pool.ProcessTransaction(tx, true); err != nil || d != nil {
			t.Fatalf("orphan: %v %v", d, err)
		}
	}
	checkEvents(t, log.take())
	h.accept(parent)
	checkEvents(t, log.take(), ev("accept", parent), ev("accept", child), ev("accept", grandchild))

	// Replacement: the evicted tree (leaves first), then the replacement.
	coin := h.coin()
	orig := h.spendOne(coin, 1000)
	kid := h.spendOne(outOf(orig, 0), 1000)
	h.accept(orig)
	h.accept(kid)
	log.take()
	repl := h.spendOne(coin, 10_000)
	h.accept(repl)
	checkEvents(t, log.take(), ev("replaced", kid), ev("replaced", orig), ev("accept", repl))

	// Mined and block conflicts.
	other := h.spendOne(outOf(parent, 0), 5000) // conflicts with child
	h.mine(a, parent, other)
	got := log.take()
	checkEvents(t, got, ev("mined", a), ev("mined", parent), ev("conflict", grandchild), ev("conflict", child))

	// Explicit removal.
	h.pool.Remove(repl.TxHash(), true)
	checkEvents(t, log.take(), ev("removed", repl))
}

func TestPoolEventsConfig(t *testing.T) {
	h := newHarness(t, Policy{}, 110)
	var log eventLog
	l := log.listener()
	h.pool = New(Config{Params: h.params, Chain: h.chain, OnAccept: l.OnAccept, OnRemove: l.OnRemove})
	a := h.spendOne(h.coin(), 1000)
	h.accept(a)
	checkEvents(t, log.take(), ev("accept", a))
	h.pool.Remove(a.TxHash(), false)
	checkEvents(t, log.take(), ev("removed", a))
}

// TestPoolEventsReentrant: a callback may submit to the pool; its
// events follow once the callback returns, and nothing deadlocks.
func TestPoolEventsReentrant(t *testing.T) {
	h := newHarness(t, Policy{}, 110)
	var log eventLog
	first := h.spendOne(h.coin(), 1000)
	second := h.spendOne(outOf(first, 0), 1000)
	h.pool.Listen(log.listener())
	cancel := h.pool.Listen(Listener{OnAccept: func(d *TxDesc) {
		if d.TxID == first.TxHash() {
			if _, err := h.pool.ProcessTransaction(second, false); err != nil {
				t.Errorf("nested submit: %v", err)
			}
		}
	}})
	h.accept(first)
	checkEvents(t, log.take(), ev("accept", first), ev("accept", second))
	cancel()
	third := h.spendOne(outOf(second, 0), 1000)
	h.accept(third)
	checkEvents(t, log.take(), ev("accept", third))
}

// TestPoolEventsConcurrent: concurrent submitters see each acceptance
// exactly once and no callback runs concurrently with another.
func TestPoolEventsConcurrent(t *testing.T) {
	h := newHarness(t, Policy{}, 140)
	var (
		mu     sync.Mutex
		inside bool
		seen   = map[string]int{}
	)
	h.pool.Listen(Listener{OnAccept: func(d *TxDesc) {
		mu.Lock()
		if inside {
			t.Error("callbacks overlap")
		}
		inside = true
		seen[d.TxID.String()]++
		mu.Unlock()
		runtime.Gosched()
		mu.Lock()
		inside = false
		mu.Unlock()
	}})
	var txs []*wire.MsgTx
	for i := 0; i < 20; i++ {
		txs = append(txs, h.spendOne(h.coin(), 1000))
	}
	var wg sync.WaitGroup
	for _, tx := range txs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.pool.ProcessTransaction(tx, false); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for _, tx := range txs {
		if seen[tx.TxHash().String()] != 1 {
			t.Fatalf("%s accepted %d times", tx.TxHash(), seen[tx.TxHash().String()])
		}
	}
}
