package ggminer

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/gamegold/gg/lib/sha256d"
)

// chunk is how many nonces a thread hashes between looks at the current
// work: about 15 ms on one SHA-NI core, so a job switch costs little.
const chunk = 1 << 18

// work is one unit the threads share: a header for each extra-nonce value
// (an extranonce2, or the coinbase extra nonce in GBT mode) and the
// target a found nonce must meet.
type work struct {
	seq    uint64
	target [32]byte
	// header builds the 80-byte header for extra; false when extra is
	// past what the work allows (a short extranonce2).
	header func(extra uint64) ([sha256d.HeaderSize]byte, bool)
	// meta is the source's own description (a Stratum job, a template).
	meta any
	// once stops a thread at its first solution until new work comes (a
	// block template: further solutions would be siblings).
	once bool
}

// found is a nonce that met a work's target.
type found struct {
	w      *work
	extra  uint64
	header [sha256d.HeaderSize]byte // nonce included
	hash   [32]byte
}

// engine runs the hashing threads on the latest work.
type engine struct {
	threads int
	hashes  []paddedCounter
	found   chan found

	mu      sync.Mutex
	cur     *work
	changed chan struct{} // closed and replaced on every new work
	seq     uint64
}

type paddedCounter struct {
	n atomic.Uint64
	_ [56]byte // one cache line per thread
}

func newEngine(threads int) *engine {
	return &engine{
		threads: threads,
		hashes:  make([]paddedCounter, threads),
		found:   make(chan found, 64),
		changed: make(chan struct{}),
	}
}

// set makes w the work every thread switches to (nil: idle).
func (e *engine) set(w *work) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if w != nil {
		e.seq++
		w.seq = e.seq
	}
	e.cur = w
	close(e.changed)
	e.changed = make(chan struct{})
}

func (e *engine) current() (*work, <-chan struct{}) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cur, e.changed
}

// isCurrent reports whether w is still the work being hashed.
func (e *engine) isCurrent(w *work) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cur == w
}

// total is the number of hashes done so far, all threads.
func (e *engine) total() uint64 {
	var n uint64
	for i := range e.hashes {
		n += e.hashes[i].n.Load()
	}
	return n
}

// run starts the threads and returns when ctx ends and they have stopped.
func (e *engine) run(ctx context.Context) {
	var wg sync.WaitGroup
	for t := range e.threads {
		wg.Go(func() { e.thread(ctx, t) })
	}
	wg.Wait()
}

// thread hashes the current work: thread t takes the extra-nonce values
// t, t+threads, ... and the whole nonce range of each.
func (e *engine) thread(ctx context.Context, t int) {
	var (
		w       *work
		changed <-chan struct{}
		job     *sha256d.Job
		hdr     [sha256d.HeaderSize]byte
		extra   uint64
		nonce   uint32
		left    uint64
	)
	for ctx.Err() == nil {
		nw, ch := e.current()
		if nw != w || w == nil {
			w, changed = nw, ch
			if w == nil {
				select {
				case <-ctx.Done():
				case <-changed:
				}
				continue
			}
			extra, left = uint64(t), 0
		}
		if left == 0 {
			var ok bool
			if hdr, ok = w.header(extra); !ok { // this work is used up
				select {
				case <-ctx.Done():
				case <-changed:
				}
				continue
			}
			job = sha256d.NewJob(&hdr, &w.target)
			nonce, left = 0, 1<<32
		}
		n := min(left, chunk)
		got, ok := job.Search(nonce, n)
		tried := n
		if ok {
			tried = uint64(got-nonce) + 1
			f := found{w: w, extra: extra, header: hdr, hash: job.Hash(got)}
			putNonce(&f.header, got)
			select {
			case e.found <- f:
			case <-ctx.Done():
			}
			if w.once {
				e.hashes[t].n.Add(tried)
				select {
				case <-ctx.Done():
				case <-changed:
				}
				continue
			}
		}
		e.hashes[t].n.Add(tried)
		nonce += uint32(tried)
		left -= tried
		if left == 0 {
			extra += uint64(e.threads)
		}
	}
}

func putNonce(h *[sha256d.HeaderSize]byte, n uint32) {
	h[76], h[77], h[78], h[79] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
}
