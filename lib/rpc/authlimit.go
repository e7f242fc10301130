package rpc

import (
	"log/slog"
	"sync"
	"time"
)

// authLimiter is the per-source failure budget of logins. A source that
// fails AuthFailures times must wait AuthBackoff before its next attempt,
// twice as long after each further failure (up to AuthBackoffMax); while
// it waits its requests are refused without a password check. A success
// does not wipe the record: a client holding one valid login (say a
// whitelisted rpcauth user) cannot use it to reset the budget it spends
// guessing another's. Records end AuthForget after their last failure,
// and at most AuthSources are kept.
//
// A source with failures on record may have only as many password checks
// in progress at once as failures it has left (one while backing off),
// so parallel connections do not multiply its guesses.
type authLimiter struct {
	free              int // failures before the backoff; <= 0: no limit
	base, max, forget time.Duration
	size              int
	now               func() time.Time
	log               *slog.Logger

	mu      sync.Mutex
	srcs    map[string]*authSource
	lastLog time.Time
	quiet   int // warnings held back since lastLog
}

type authSource struct {
	failures int
	last     time.Time // of the last failure
	until    time.Time // no attempt before
	checking int       // checks in progress, counted by begin
}

// authLogEvery spaces the limiter's warnings.
const authLogEvery = time.Minute

func newAuthLimiter(l Limits, log *slog.Logger) *authLimiter {
	return &authLimiter{free: l.AuthFailures, base: l.AuthBackoff, max: l.AuthBackoffMax, forget: l.AuthForget,
		size: l.AuthSources, now: l.Now, log: log, srcs: map[string]*authSource{}}
}

// authTicket is one admitted attempt, handed back to end.
type authTicket struct {
	src     string
	counted bool
}

// begin admits an attempt of src, or tells how long src must wait.
func (l *authLimiter) begin(src string) (authTicket, time.Duration, bool) {
	t := authTicket{src: src}
	if l.free <= 0 {
		return t, 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.srcs[src]
	if a == nil {
		return t, 0, true
	}
	now := l.now()
	if a.checking == 0 && !now.Before(a.until) && now.Sub(a.last) >= l.forget {
		delete(l.srcs, src)
		return t, 0, true
	}
	if now.Before(a.until) {
		return t, a.until.Sub(now), false
	}
	if a.checking >= max(1, l.free-a.failures) {
		return t, time.Second, false
	}
	a.checking++
	t.counted = true
	return t, 0, true
}

// end records the outcome of an admitted attempt.
func (l *authLimiter) end(t authTicket, ok bool) {
	if l.free <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.srcs[t.src]
	if t.counted && a != nil {
		a.checking--
	}
	if ok {
		return
	}
	now := l.now()
	if a == nil {
		if len(l.srcs) >= l.size {
			l.evict(now)
		}
		a = &authSource{}
		l.srcs[t.src] = a
	}
	a.failures++
	a.last = now
	if n := a.failures - l.free; n >= 0 {
		d := l.max
		if n < 31 && l.base<<n < l.max && l.base<<n > 0 {
			d = l.base << n
		}
		a.until = now.Add(d)
		l.warn(now, t.src, a.failures, d)
	}
}

// evict makes room for one source: the forgotten ones go, else one not
// being checked, preferably not backing off. Requires l.mu.
func (l *authLimiter) evict(now time.Time) {
	var idle, waiting string
	for src, a := range l.srcs {
		if a.checking > 0 {
			continue
		}
		if !now.Before(a.until) && now.Sub(a.last) >= l.forget {
			delete(l.srcs, src)
			continue
		}
		if !now.Before(a.until) {
			idle = src
		} else {
			waiting = src
		}
	}
	if len(l.srcs) < l.size {
		return
	}
	if idle != "" {
		delete(l.srcs, idle)
	} else if waiting != "" {
		delete(l.srcs, waiting)
	}
}

// warn logs a backoff, at most once per authLogEvery; the next line
// counts those held back. Requires l.mu.
func (l *authLimiter) warn(now time.Time, src string, failures int, d time.Duration) {
	if !l.lastLog.IsZero() && now.Sub(l.lastLog) < authLogEvery {
		l.quiet++
		return
	}
	l.log.Warn("rpc login failures: source must wait", "source", src, "failures", failures,
		"wait", d, "held_back", l.quiet)
	l.lastLog, l.quiet = now, 0
}

// tracked returns the number of sources on record (tests).
func (l *authLimiter) tracked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.srcs)
}
