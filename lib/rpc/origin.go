package rpc

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Browser defences of the HTTP listeners. The server sends no CORS
// header, so a page of another origin cannot read a reply; on top:
//
//   - cross-origin writes are refused: a POST (or any method but GET,
//     HEAD and OPTIONS) that a browser marks as coming from another
//     origin (Sec-Fetch-Site, else Origin against Host) answers 403
//     before any login, as net/http's CrossOriginProtection decides.
//     Clients that are not browsers send neither header and pass;
//   - on the RPC listener, a Host header naming a host the node does not
//     know answers 403 (DNS rebinding: a name the attacker controls
//     pointed at 127.0.0.1 makes the attacker's page same-origin with
//     the node). Known hosts are IP literals, localhost and *.localhost,
//     and Limits.AllowedHosts (gg-node --rpc-allowed-hosts). On a
//     loopback listener every request is checked; on another (remote
//     clients, with rpcauth, may name the node as they like) only those
//     a browser sends (Origin or Sec-Fetch-* headers).

// crossOrigin refuses cross-origin non-safe requests.
var crossOrigin = http.NewCrossOriginProtection()

// hostAllowed reports whether host (a request's Host header, port
// included or not) names this node: an IP literal, localhost or a name
// under .localhost, or one of allowed (case-insensitive; a leading "."
// allows the names under it). An empty Host (HTTP/1.0) is allowed: no
// browser sends one.
func hostAllowed(host string, allowed []string) bool {
	if host == "" {
		return true
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.ToLower(strings.TrimSuffix(strings.Trim(name, "[]"), "."))
	if net.ParseIP(name) != nil || name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	for _, a := range allowed {
		a = strings.ToLower(strings.TrimSuffix(a, "."))
		if a == name || strings.HasPrefix(a, ".") && strings.HasSuffix(name, a) {
			return true
		}
	}
	return false
}

// CheckAllowedHosts checks the names of Limits.AllowedHosts.
func CheckAllowedHosts(hosts []string) error {
	for _, h := range hosts {
		n := strings.TrimPrefix(h, ".")
		if n == "" || strings.ContainsAny(n, " /:@[]*") {
			return fmt.Errorf("allowed host %q: want a host name such as node.example or .example (the names under it)", h)
		}
	}
	return nil
}

// browserGuard answers 403 and returns false to a cross-origin write.
func (s *Server) browserGuard(w http.ResponseWriter, r *http.Request, rc *http.ResponseController) bool {
	if err := crossOrigin.Check(r); err != nil {
		hangUp(w, rc)
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
		return false
	}
	return true
}

// rateLimiter is a token bucket per source (an IPv4 address, an IPv6
// /64): rate tokens a second up to burst, one per request. At most
// sources are tracked; when full, the source seen least recently is
// dropped (it starts again with a full bucket).
type rateLimiter struct {
	rate    float64
	burst   float64
	sources int
	now     func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(l Limits) *rateLimiter {
	return &rateLimiter{rate: l.PublicRate, burst: float64(l.PublicBurst), sources: l.PublicSources, now: l.Now,
		buckets: map[string]*bucket{}}
}

// allow takes a token of source's bucket; when there is none it returns
// false and how long until there is.
func (rl *rateLimiter) allow(source string) (bool, time.Duration) {
	if rl.rate <= 0 {
		return true, 0
	}
	now := rl.now()
	rl.mu.Lock()
	defer rl.mu.Unlock()
	b := rl.buckets[source]
	if b == nil {
		if len(rl.buckets) >= rl.sources {
			rl.evict()
		}
		b = &bucket{tokens: rl.burst, last: now}
		rl.buckets[source] = b
	}
	if d := now.Sub(b.last); d > 0 {
		b.tokens = math.Min(rl.burst, b.tokens+d.Seconds()*rl.rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / rl.rate * float64(time.Second))
}

// evict drops the source seen least recently (a scan: it runs only
// when the map is full, and bounded by sources).
func (rl *rateLimiter) evict() {
	var oldest string
	var at time.Time
	for k, b := range rl.buckets {
		if oldest == "" || b.last.Before(at) {
			oldest, at = k, b.last
		}
	}
	delete(rl.buckets, oldest)
}

// tracked is how many sources the limiter holds.
func (rl *rateLimiter) tracked() int {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return len(rl.buckets)
}

// rateRefuse answers 429 with Retry-After.
func rateRefuse(w http.ResponseWriter, rc *http.ResponseController, wait time.Duration) {
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	hangUp(w, rc)
	http.Error(w, "too many requests from this address: slow down", http.StatusTooManyRequests)
}

// hostGuard is the RPC listener's handler: the Host check, then the
// server. strict checks every request (a loopback listener), else only
// a browser's.
type hostGuard struct {
	s      *Server
	strict bool
}

// fromBrowser reports whether r carries the headers browsers add (and
// other clients do not): Origin or Sec-Fetch-*.
func fromBrowser(r *http.Request) bool {
	h := r.Header
	return h.Get("Origin") != "" || h.Get("Sec-Fetch-Site") != "" || h.Get("Sec-Fetch-Mode") != "" || h.Get("Sec-Fetch-Dest") != ""
}

// loopbackAddr reports whether a listener's address is a loopback one.
func loopbackAddr(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

func (g hostGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if (g.strict || fromBrowser(r)) && !hostAllowed(r.Host, g.s.limits.AllowedHosts) {
		rc := http.NewResponseController(w)
		hangUp(w, rc)
		http.Error(w, fmt.Sprintf("host %q not allowed (gg-node --rpc-allowed-hosts names the hosts the node answers to)", truncate(r.Host, 100)), http.StatusForbidden)
		return
	}
	g.s.ServeHTTP(w, r)
}
