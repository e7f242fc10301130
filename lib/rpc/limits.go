package rpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Limits bounds requests, connections, the memory they hold and password
// guessing. A zero field takes its default; a negative one disables that
// limit (the timeouts, MaxConns, MaxConnsPerIP, MaxInFlight,
// AuthFailures, AuthBackoff: no backoff at all) or, where off makes no
// sense (MaxBodyBytes, MaxBatch, AuthForget, AuthSources), is refused by
// Validate.
type Limits struct {
	MaxBodyBytes int64         // one request body; default 32 MiB (submitblock needs room)
	MaxBatch     int           // calls in a batch; default 1000
	Timeout      time.Duration // the methods' time per HTTP request; default 60 s

	// Connection timeouts (Serve). ReadTimeout covers a whole request,
	// headers and body; WriteTimeout the writing of a reply once its
	// methods are done, so a long poll waits under Timeout alone.
	ReadHeaderTimeout time.Duration // default 10 s
	ReadTimeout       time.Duration // default 60 s
	WriteTimeout      time.Duration // default 60 s
	IdleTimeout       time.Duration // a keep-alive connection between requests; default 60 s

	MaxConns      int // open connections (Serve); default 128
	MaxConnsPerIP int // open connections from one address (Serve); default 32
	// MaxInFlight bounds the bytes held at once by all requests
	// together: their bodies (each held until its reply is written; a
	// request beyond the budget is refused with 503), their batch
	// replies (encoded call by call; once the budget is spent a batch's
	// calls left are not run but answered CodeOutOfMemory), WebSocket
	// replies, and REST replies (each held until written; one that does
	// not fit is answered 503 with Retry-After). Default 64 MiB, raised
	// to MaxBodyBytes if below.
	MaxInFlight int64

	// AuthFailures is how many failed logins a source (an IPv4 address,
	// an IPv6 /64) may make before it must wait: AuthBackoff, doubled at
	// each further failure up to AuthBackoffMax, answered 429 without a
	// password check. A source is forgotten after AuthForget without a
	// failure; at most AuthSources are tracked (the oldest go first).
	AuthFailures   int           // default 10
	AuthBackoff    time.Duration // default 1 s
	AuthBackoffMax time.Duration // default 5 min, raised to AuthBackoff if below
	AuthForget     time.Duration // default 30 min
	AuthSources    int           // default 4096
	// Now is the clock of the login backoff and of the public
	// listener's rate limit (default time.Now).
	Now func() time.Time

	// AllowedHosts are the host names the RPC listener answers to
	// besides IP literals, localhost and *.localhost (a leading "."
	// allows the names under it); a request naming another Host is
	// refused 403 against DNS rebinding (origin.go).
	AllowedHosts []string
	// PublicRate bounds the requests a source (an IPv4 address, an IPv6
	// /64) makes to the public read-only listener: PublicRate a second,
	// in bursts of up to PublicBurst; beyond, 429 with Retry-After. At
	// most PublicSources sources are tracked (the least recent go
	// first). Defaults 20 a second, 40, 4096; a negative rate: no limit.
	PublicRate    float64
	PublicBurst   int
	PublicSources int
}

// Defaults of Limits.
const (
	DefaultMaxBodyBytes      = 32 << 20
	DefaultMaxBatch          = 1000
	DefaultTimeout           = 60 * time.Second
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 60 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultMaxConns          = 128
	DefaultMaxConnsPerIP     = 32
	DefaultMaxInFlight       = 64 << 20
	DefaultAuthFailures      = 10
	DefaultAuthBackoff       = time.Second
	DefaultAuthBackoffMax    = 5 * time.Minute
	DefaultAuthForget        = 30 * time.Minute
	DefaultAuthSources       = 4096
	DefaultPublicRate        = 20
	DefaultPublicBurst       = 40
	DefaultPublicSources     = 4096
)

func def[T int | int64 | time.Duration](v *T, d T) {
	if *v == 0 {
		*v = d
	}
}

// ErrBadLimit is the kind of Validate's errors.
var ErrBadLimit = errors.New("rpc: bad limit")

// Validate refuses the negative values that cannot mean "off": a server
// that refused every request body or every batch, or forgot each failed
// login at once, would fail silently.
func (l Limits) Validate() error {
	for _, f := range []struct {
		what string
		v    int64
	}{
		{"request body limit", l.MaxBodyBytes},
		{"batch limit", int64(l.MaxBatch)},
		{"auth forget time", int64(l.AuthForget)},
		{"auth sources", int64(l.AuthSources)},
		{"public burst", int64(l.PublicBurst)},
		{"public sources", int64(l.PublicSources)},
	} {
		if f.v < 0 {
			return fmt.Errorf("%w: %s %d is negative (0 takes the default)", ErrBadLimit, f.what, f.v)
		}
	}
	if err := CheckAllowedHosts(l.AllowedHosts); err != nil {
		return fmt.Errorf("%w: %v", ErrBadLimit, err)
	}
	return nil
}

func (l Limits) withDefaults() Limits {
	def(&l.MaxBodyBytes, DefaultMaxBodyBytes)
	def(&l.MaxBatch, DefaultMaxBatch)
	def(&l.Timeout, DefaultTimeout)
	def(&l.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	def(&l.ReadTimeout, DefaultReadTimeout)
	def(&l.WriteTimeout, DefaultWriteTimeout)
	def(&l.IdleTimeout, DefaultIdleTimeout)
	def(&l.MaxConns, DefaultMaxConns)
	def(&l.MaxConnsPerIP, DefaultMaxConnsPerIP)
	def(&l.MaxInFlight, DefaultMaxInFlight)
	if l.MaxInFlight > 0 && l.MaxInFlight < l.MaxBodyBytes {
		l.MaxInFlight = l.MaxBodyBytes
	}
	def(&l.AuthFailures, DefaultAuthFailures)
	def(&l.AuthBackoff, DefaultAuthBackoff)
	if l.AuthBackoff < 0 {
		l.AuthFailures = -1 // no backoff: no limit
	}
	def(&l.AuthBackoffMax, DefaultAuthBackoffMax)
	l.AuthBackoffMax = max(l.AuthBackoffMax, l.AuthBackoff)
	def(&l.AuthForget, DefaultAuthForget)
	def(&l.AuthSources, DefaultAuthSources)
	if l.PublicRate == 0 {
		l.PublicRate = DefaultPublicRate
	}
	def(&l.PublicBurst, DefaultPublicBurst)
	def(&l.PublicSources, DefaultPublicSources)
	if l.Now == nil {
		l.Now = time.Now
	}
	return l
}

// positive maps a disabled (negative) duration to 0, net/http's "none".
func positive(d time.Duration) time.Duration { return max(d, 0) }

// sourceOf is the rate-limiting identity of a remote address: the IPv4
// address, or the /64 of an IPv6 one (one host usually holds a whole
// /64).
func sourceOf(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// byteBudget is a counting semaphore of the bytes requests hold: their
// bodies and their batch replies.
type byteBudget struct {
	max  int64 // <= 0: unlimited
	used atomic.Int64
}

// take reserves n bytes, or reports that they would exceed the budget.
func (b *byteBudget) take(n int64) bool {
	if n <= 0 {
		return true
	}
	for {
		u := b.used.Load()
		if b.max > 0 && u+n > b.max {
			return false
		}
		if b.used.CompareAndSwap(u, u+n) {
			return true
		}
	}
}

func (b *byteBudget) give(n int64) { b.used.Add(-n) }

// add reserves n bytes whatever the budget holds: what is already made
// (a reply) is counted, not refused.
func (b *byteBudget) add(n int64) { b.used.Add(n) }

// spent reports a budget with no byte left.
func (b *byteBudget) spent() bool { return b.max > 0 && b.used.Load() >= b.max }

// errBusy: the in-flight byte budget is spent.
var errBusy = errors.New("too many request bytes in flight")

// budgetKey is the request context's key of the serving Server's
// in-flight budget (Server.runRoute).
type budgetKey struct{}

// chargeReply reserves n bytes of the in-flight budget of the server
// serving r for a reply about to be written; give returns them once it
// is. ok is false when they do not fit (nothing is reserved then). A
// request served by no Server is not charged.
func chargeReply(r *http.Request, n int64) (give func(), ok bool) {
	b, _ := r.Context().Value(budgetKey{}).(*byteBudget)
	if b == nil {
		return func() {}, true
	}
	if !b.take(n) {
		return nil, false
	}
	return func() { b.give(n) }, true
}

// HoldReply reserves n bytes of the in-flight budget of the server whose
// request ctx belongs to, until ctx ends (a server request's context ends
// when its handler returns): for a route that keeps reply bytes while it
// works on them, as the explorer keeps the REST answers it asks for
// in-process, and their decoded form, while it renders a page. It
// reports false, reserving nothing, when they do not fit. A context of
// no Server's request is not charged.
func HoldReply(ctx context.Context, n int64) bool {
	b, _ := ctx.Value(budgetKey{}).(*byteBudget)
	if b == nil || n <= 0 {
		return true
	}
	if !b.take(n) {
		return false
	}
	context.AfterFunc(ctx, func() { b.give(n) })
	return true
}

// replyBudgetSpent reports whether the in-flight budget of the server
// serving r has no byte left: a reply need not be built to be refused.
func replyBudgetSpent(r *http.Request) bool {
	b, _ := r.Context().Value(budgetKey{}).(*byteBudget)
	return b != nil && b.spent()
}

// errReplyBusy is the refusal of a route's reply that does not fit the
// in-flight budget.
const errReplyBusy = "server busy: too many reply bytes in flight, retry"

// budgetReader reserves the bytes it reads beyond held, in steps of up
// to budgetStep, never beyond limit in all.
type budgetReader struct {
	r     io.Reader
	b     *byteBudget
	limit int64
	held  int64 // reserved
	read  int64
}

const budgetStep = 64 << 10

func (br *budgetReader) Read(p []byte) (int, error) {
	n, err := br.r.Read(p)
	br.read += int64(n)
	if need := br.read - br.held; need > 0 {
		step := max(need, min(budgetStep, br.limit-br.held))
		if !br.b.take(step) {
			return n, errBusy
		}
		br.held += step
	}
	return n, err
}

// connLimiter caps open connections, in all and per source.
type connLimiter struct {
	max, perIP int // <= 0: unlimited
	mu         sync.Mutex
	total      int
	bySource   map[string]int
	refusing   atomic.Int32 // refusals being written
}

func (l *connLimiter) admit(src string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if (l.max > 0 && l.total >= l.max) || (l.perIP > 0 && l.bySource[src] >= l.perIP) {
		return false
	}
	l.total++
	l.bySource[src]++
	return true
}

func (l *connLimiter) leave(src string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if l.bySource[src]--; l.bySource[src] <= 0 {
		delete(l.bySource, src)
	}
}

// open returns the number of admitted connections still open.
func (l *connLimiter) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

// limitListener admits connections within the connLimiter and answers the
// others with 503 before hanging up.
type limitListener struct {
	net.Listener
	l *connLimiter
}

func (ll *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := ll.Listener.Accept()
		if err != nil {
			return nil, err
		}
		src := sourceOf(c.RemoteAddr().String())
		if ll.l.admit(src) {
			return &limitConn{Conn: c, l: ll.l, src: src}, nil
		}
		ll.refuse(c)
	}
}

const refusal = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Retry-After: 1\r\nConnection: close\r\nContent-Length: 21\r\n\r\ntoo many connections\n"

// maxRefusing bounds the refusals written at once; beyond it a refused
// connection is just closed.
const maxRefusing = 64

// refuse answers c with the 503 and closes it, in the background. It
// first waits (a second at most) for the request's headers: an answer
// written before the request would be unsolicited to an HTTP client.
// After the answer it half-closes and reads on for a moment, so that a
// client still sending gets the answer rather than a reset.
func (ll *limitListener) refuse(c net.Conn) {
	if ll.l.refusing.Add(1) > maxRefusing {
		ll.l.refusing.Add(-1)
		c.Close()
		return
	}
	go func() {
		defer ll.l.refusing.Add(-1)
		defer c.Close()
		c.SetDeadline(time.Now().Add(time.Second))
		buf := make([]byte, 0, 4096)
		for len(buf) < cap(buf) && !bytes.Contains(buf, []byte("\r\n\r\n")) {
			n, err := c.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err != nil {
				break
			}
		}
		if _, err := io.WriteString(c, refusal); err != nil {
			return
		}
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		io.CopyN(io.Discard, c, 64<<10)
	}()
}

type limitConn struct {
	net.Conn
	l    *connLimiter
	src  string
	once sync.Once
}

func (c *limitConn) Close() error {
	c.once.Do(func() { c.l.leave(c.src) })
	return c.Conn.Close()
}
