package stratum

import (
	"bufio"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/wire"
)

// Defaults of Config's knobs.
const (
	DefaultExtranonce2Size = 4
	DefaultDifficulty      = 1.0
	DefaultMinDifficulty   = 1e-6
	DefaultMaxDifficulty   = 1e15
	DefaultShareInterval   = 10 * time.Second
	DefaultRefreshInterval = 10 * time.Second
	DefaultMaxNTimeAhead   = 10 * time.Minute
	DefaultMaxConns        = 1000
	DefaultMaxConnsPerIP   = 100
	DefaultHelloTimeout    = 30 * time.Second
	DefaultIdleTimeout     = 15 * time.Minute
	DefaultWriteTimeout    = 10 * time.Second
	DefaultWriteQueue      = 64
	DefaultMaxJobs         = 16
)

// Connection bounds that are not configurable.
const (
	maxBadLines      = 10  // malformed lines in a row before a disconnect
	maxAuthFailures  = 3   // failed mining.authorize per connection
	maxWorkerName    = 128 // bytes
	maxUserAgent     = 64  // bytes kept
	maxWorkersPerCon = 16
)

// ErrConfig reports a Config the server cannot run with.
var ErrConfig = errors.New("stratum: bad config")

// Config configures a Server. Chain, Templates, Notifier and PayTo are
// required; zero knobs take the defaults.
type Config struct {
	Chain     Chain
	Templates Templates
	Notifier  Notifier
	// PoolChanges, if not nil, returns a counter that moves whenever the
	// mempool changes; the template is then refreshed at most every
	// RefreshInterval.
	PoolChanges func() uint64
	// PayTo is the coinbase's payout script.
	PayTo []byte
	// CoinbaseTag is pushed at the end of the coinbase script (at most
	// MaxCoinbaseTag bytes).
	CoinbaseTag []byte
	// Authorize checks a worker's password. A worker "user.rig" may be
	// checked as "user" by the callee. Nil refuses everyone unless Open.
	Authorize func(worker, password string) bool
	// Open accepts any worker name with any password.
	Open bool
	// Extranonce2Size is the miner's extranonce2 in bytes: 4 or 8.
	Extranonce2Size int
	// Difficulty is a new connection's share difficulty; vardiff keeps
	// it within MinDifficulty..MaxDifficulty.
	Difficulty, MinDifficulty, MaxDifficulty float64
	// ShareInterval is the time between shares vardiff aims at;
	// negative: a fixed difficulty.
	ShareInterval time.Duration
	// RefreshInterval: a changed mempool makes a new job at most this
	// often (a new tip makes one at once).
	RefreshInterval time.Duration
	// MaxNTimeAhead is how far past the server's clock a share's ntime
	// may be.
	MaxNTimeAhead time.Duration
	// MaxConns and MaxConnsPerIP cap the open connections.
	MaxConns, MaxConnsPerIP int
	// HelloTimeout is the time a new connection has to subscribe and
	// authorize; IdleTimeout the silence an authorized one may keep.
	HelloTimeout, IdleTimeout time.Duration
	// WriteTimeout bounds one write; WriteQueue the lines waiting for a
	// slow reader, beyond which it is dropped.
	WriteTimeout time.Duration
	WriteQueue   int
	// MaxJobs bounds the jobs kept on one tip.
	MaxJobs int
	// Extranonce1 returns the first extranonce1 candidate (nil: random);
	// later ones count up from it.
	Extranonce1 func() uint32
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Logger receives the server's log; nil is silent.
	Logger *slog.Logger
}

func (cfg *Config) withDefaults() (Config, error) {
	c := *cfg
	if c.Chain == nil || c.Templates == nil || c.Notifier == nil {
		return c, fmt.Errorf("%w: chain, templates and notifier are required", ErrConfig)
	}
	if len(c.PayTo) == 0 {
		return c, fmt.Errorf("%w: no payout script", ErrConfig)
	}
	if len(c.CoinbaseTag) > MaxCoinbaseTag {
		return c, fmt.Errorf("%w: coinbase tag of %d bytes: at most %d", ErrConfig, len(c.CoinbaseTag), MaxCoinbaseTag)
	}
	if c.Extranonce2Size == 0 {
		c.Extranonce2Size = DefaultExtranonce2Size
	}
	if c.Extranonce2Size != 4 && c.Extranonce2Size != 8 {
		return c, fmt.Errorf("%w: extranonce2 size %d: want 4 or 8", ErrConfig, c.Extranonce2Size)
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Difficulty, DefaultDifficulty)
	def(&c.MinDifficulty, min(DefaultMinDifficulty, c.Difficulty))
	def(&c.MaxDifficulty, max(DefaultMaxDifficulty, c.Difficulty))
	for _, d := range []float64{c.Difficulty, c.MinDifficulty, c.MaxDifficulty} {
		if _, err := DifficultyToTarget(d); err != nil {
			return c, fmt.Errorf("%w: difficulty %v is not a positive number", ErrConfig, d)
		}
	}
	if c.MinDifficulty > c.Difficulty || c.Difficulty > c.MaxDifficulty {
		return c, fmt.Errorf("%w: want min difficulty %v <= difficulty %v <= max difficulty %v",
			ErrConfig, c.MinDifficulty, c.Difficulty, c.MaxDifficulty)
	}
	dur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.ShareInterval == 0 {
		c.ShareInterval = DefaultShareInterval
	}
	if c.ShareInterval < 0 {
		c.ShareInterval = 0
	}
	dur(&c.RefreshInterval, DefaultRefreshInterval)
	dur(&c.MaxNTimeAhead, DefaultMaxNTimeAhead)
	dur(&c.HelloTimeout, DefaultHelloTimeout)
	dur(&c.IdleTimeout, DefaultIdleTimeout)
	dur(&c.WriteTimeout, DefaultWriteTimeout)
	if c.MaxConns <= 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.MaxConnsPerIP <= 0 {
		c.MaxConnsPerIP = DefaultMaxConnsPerIP
	}
	if c.WriteQueue <= 0 {
		c.WriteQueue = DefaultWriteQueue
	}
	if c.MaxJobs <= 0 {
		c.MaxJobs = DefaultMaxJobs
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Extranonce1 == nil {
		c.Extranonce1 = func() uint32 {
			var b [4]byte
			_, _ = rand.Read(b[:])
			return binary.BigEndian.Uint32(b[:])
		}
	}
	return c, nil
}

// Server is a Stratum v1 server for the node's block templates.
type Server struct {
	cfg Config
	log *slog.Logger

	// mu guards the fields below. Lock order: mu, then a conn's mu, then
	// jobMu; never mu under a conn's mu.
	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	perIP     map[string]int
	en1InUse  map[uint32]bool
	nextEn1   uint32
	workers   map[string]*worker
	totals    tally
	blocks    []BlockInfo
	closed    bool

	jobMu   sync.RWMutex // guards jobs, order, cur, jobSeq's job, poolGen
	jobs    map[string]*job
	order   []string
	stale   map[string]bool // ids of the previous tip's jobs
	cur     *job
	jobSeq  uint64
	poolGen uint64 // PoolChanges at the current job

	tipCh chan struct{} // a tip change to act on
	quit  chan struct{}
	wg    sync.WaitGroup
}

// New returns a server and starts its job loop: it builds a job at once
// and a new one at each tip change and, when the mempool changed, every
// RefreshInterval. Serve accepts miners; Close stops everything.
func New(cfg Config) (*Server, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: c, log: c.Logger, listeners: map[net.Listener]struct{}{}, conns: map[*conn]struct{}{},
		perIP: map[string]int{}, en1InUse: map[uint32]bool{}, nextEn1: c.Extranonce1(),
		workers: map[string]*worker{}, totals: newTally(c.Now()), jobs: map[string]*job{},
		tipCh: make(chan struct{}, 1), quit: make(chan struct{})}
	c.Notifier.Subscribe(s.onChainNote)
	s.newJob(true)
	s.wg.Add(1)
	go s.run()
	return s, nil
}

// onChainNote runs inside the chain's delivery: it only signals.
func (s *Server) onChainNote(n *chain.Notification) {
	if n.Type != chain.NTBlockConnected && n.Type != chain.NTBlockDisconnected {
		return
	}
	select {
	case s.tipCh <- struct{}{}:
	default:
	}
}

// run makes new jobs and steers idle connections' difficulty.
func (s *Server) run() {
	defer s.wg.Done()
	refresh := time.NewTicker(s.cfg.RefreshInterval)
	defer refresh.Stop()
	every := s.cfg.ShareInterval
	if every <= 0 || every > s.cfg.RefreshInterval {
		every = s.cfg.RefreshInterval
	}
	retarget := time.NewTicker(every)
	defer retarget.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-s.tipCh:
			s.newJob(true)
		case <-refresh.C:
			s.jobMu.RLock()
			cur, gen := s.cur, s.poolGen
			s.jobMu.RUnlock()
			switch {
			case cur == nil || cur.notify.PrevHash != s.cfg.Chain.Best().Hash:
				s.newJob(true) // a missed or failed tip change
			case s.cfg.PoolChanges != nil && s.cfg.PoolChanges() != gen:
				s.newJob(false)
			}
		case <-retarget.C:
			now := s.cfg.Now()
			for _, c := range s.connList() {
				c.retargetIdle(now)
			}
		}
	}
}

// newJob builds a job from a fresh template and sends it to every ready
// miner; clean drops the older jobs (a new tip).
func (s *Server) newJob(clean bool) {
	var gen uint64
	if s.cfg.PoolChanges != nil {
		gen = s.cfg.PoolChanges()
	}
	j, err := s.buildJob()
	if err != nil {
		s.log.Warn("stratum job not built", "err", err)
		return
	}
	s.jobMu.Lock()
	if s.cur == nil || s.cur.notify.PrevHash != j.notify.PrevHash {
		clean = true
	}
	if clean {
		s.stale = map[string]bool{}
		for id := range s.jobs {
			s.stale[id] = true
		}
		s.jobs, s.order = map[string]*job{}, nil
	}
	s.jobs[j.id] = j
	s.order = append(s.order, j.id)
	for len(s.order) > s.cfg.MaxJobs {
		delete(s.jobs, s.order[0])
		s.order = s.order[1:]
	}
	s.cur, s.poolGen = j, gen
	s.jobMu.Unlock()
	s.log.Debug("stratum job", "id", j.id, "height", j.tmpl.Height, "txs", len(j.tmpl.Block.Transactions)-1, "clean", clean)
	now := s.cfg.Now()
	for _, c := range s.connList() {
		c.sendJob(j, clean, now)
	}
}

// buildJob asks for a template until one is built on the tip it reads
// afterwards (so mintime belongs to the template's parent).
func (s *Server) buildJob() (*job, error) {
	for range 3 {
		tmpl, err := s.cfg.Templates.NewBlockTemplate(s.cfg.PayTo, 0)
		if err != nil {
			return nil, fmt.Errorf("block template: %w", err)
		}
		best := s.cfg.Chain.Best()
		if best.Hash != tmpl.Block.Header.PrevBlock {
			continue
		}
		s.jobSeq++
		return newJob(fmt.Sprintf("%x", s.jobSeq), tmpl, best.MinNextTime, s.cfg.CoinbaseTag, s.cfg.Extranonce2Size, s.cfg.Now())
	}
	return nil, errors.New("block template: the tip keeps moving")
}

// job returns a job by id on the current tip, or nil.
func (s *Server) job(id string) *job {
	s.jobMu.RLock()
	defer s.jobMu.RUnlock()
	return s.jobs[id]
}

// wasStale reports a job of the previous tip.
func (s *Server) wasStale(id string) bool {
	s.jobMu.RLock()
	defer s.jobMu.RUnlock()
	return s.stale[id]
}

// current returns the newest job, or nil.
func (s *Server) current() *job {
	s.jobMu.RLock()
	defer s.jobMu.RUnlock()
	return s.cur
}

func (s *Server) connList() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

// Serve accepts miners on ln until Close (it then returns nil) or an
// accept error.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("stratum accept: %w", err)
		}
		backoff = 0
		s.admit(nc)
	}
}

// admit registers a connection within the caps, or closes it.
func (s *Server) admit(nc net.Conn) {
	ip := remoteIP(nc.RemoteAddr())
	now := s.cfg.Now()
	s.mu.Lock()
	if s.closed || len(s.conns) >= s.cfg.MaxConns || s.perIP[ip] >= s.cfg.MaxConnsPerIP {
		n, per := len(s.conns), s.perIP[ip]
		s.mu.Unlock()
		s.log.Debug("stratum connection refused", "remote", nc.RemoteAddr().String(), "conns", n, "from_ip", per)
		nc.Close()
		return
	}
	en1 := s.takeEn1Locked()
	c := &conn{s: s, nc: nc, ip: ip, remote: nc.RemoteAddr().String(), connected: time.Now(),
		out: make(chan []byte, s.cfg.WriteQueue), done: make(chan struct{}),
		en1: en1, workers: map[string]bool{}, diff: s.cfg.Difficulty,
		vd:    newVardiff(s.cfg.ShareInterval, s.cfg.MinDifficulty, s.cfg.MaxDifficulty, now),
		tally: newTally(now), sent: map[string]sentJob{}}
	s.conns[c] = struct{}{}
	s.perIP[ip]++
	s.wg.Add(2)
	s.mu.Unlock()
	go c.writeLoop()
	go c.readLoop()
}

// takeEn1Locked picks a free extranonce1.
func (s *Server) takeEn1Locked() uint32 {
	for s.en1InUse[s.nextEn1] {
		s.nextEn1++
	}
	v := s.nextEn1
	s.nextEn1++
	s.en1InUse[v] = true
	return v
}

// remove forgets a closed connection.
func (s *Server) remove(c *conn, workers []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.conns[c]; !ok {
		return
	}
	delete(s.conns, c)
	if s.perIP[c.ip]--; s.perIP[c.ip] <= 0 {
		delete(s.perIP, c.ip)
	}
	delete(s.en1InUse, c.en1Value())
	now := s.cfg.Now()
	for _, name := range workers {
		if w := s.workers[name]; w != nil {
			w.conns--
			w.lastSeen = now
		}
	}
}

func remoteIP(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// Addrs returns the addresses the server listens on.
func (s *Server) Addrs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for ln := range s.listeners {
		out = append(out, ln.Addr().String())
	}
	return out
}

// Close stops the listeners, the connections and the job loop.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for ln := range s.listeners {
		ln.Close()
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	close(s.quit)
	for _, c := range conns {
		c.close("server closing")
	}
	s.wg.Wait()
	return nil
}

// sentJob is a job as one connection got it: with a share target.
type sentJob struct {
	j  *job
	st shareTarget
}

// maxAliases bounds the per-connection job ids kept for jobs resent at a
// new difficulty.
const maxAliases = 4

// shareTarget is a share difficulty and its target.
type shareTarget struct {
	diff   float64
	target *big.Int
}

func newShareTarget(d float64) shareTarget {
	t, err := DifficultyToTarget(d)
	if err != nil { // a clamped difficulty is always positive
		t = new(big.Int).Set(DiffOneTarget)
	}
	return shareTarget{diff: d, target: t}
}

// conn is one miner's connection.
type conn struct {
	s         *Server
	nc        net.Conn
	ip        string
	remote    string
	connected time.Time
	out       chan []byte
	done      chan struct{}
	closeOnce sync.Once

	mu           sync.Mutex // guards the fields below
	en1          uint32
	subscribed   bool
	ready        bool // subscribed and authorized: gets jobs
	userAgent    string
	workers      map[string]bool
	workerOrder  []string
	authFailures int
	diff         float64 // the difficulty of the next job sent
	vd           vardiff
	sent         map[string]sentJob // the jobs sent, by the id they were sent under
	aliases      []string           // alias ids in sent, oldest first
	aliasSeq     uint64
	mask         uint32 // negotiated version-rolling mask
	tally        tally
	badLines     int
}

func (c *conn) en1Value() uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.en1
}

func en1Bytes(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// close ends the connection once; the read loop then unregisters it.
func (c *conn) close(reason string) {
	c.closeOnce.Do(func() {
		c.s.log.Debug("stratum connection closed", "remote", c.remote, "reason", reason)
		close(c.done)
		c.nc.Close()
	})
}

// enqueue queues lines for the writer; a full queue drops the connection
// (a reader too slow for its jobs). It never blocks. A nil line asks the
// writer to close the connection once the lines before it are out.
func (c *conn) enqueue(lines ...[]byte) {
	for _, l := range lines {
		select {
		case <-c.done:
			return
		default:
		}
		select {
		case c.out <- l:
		default:
			c.close("write queue full (slow reader)")
			return
		}
	}
}

func (c *conn) writeLoop() {
	defer c.s.wg.Done()
	w := bufio.NewWriterSize(c.nc, 4096)
	for {
		select {
		case <-c.done:
			return
		case l := <-c.out:
			_ = c.nc.SetWriteDeadline(time.Now().Add(c.s.cfg.WriteTimeout))
			if l == nil {
				_ = w.Flush()
				c.close("closed after the last reply")
				return
			}
			if _, err := w.Write(l); err != nil {
				c.close("write: " + err.Error())
				return
			}
			if len(c.out) == 0 {
				if err := w.Flush(); err != nil {
					c.close("write: " + err.Error())
					return
				}
			}
		}
	}
}

func (c *conn) readLoop() {
	defer c.s.wg.Done()
	reason := c.serveLines()
	// Unregister before closing, so that a miner seeing the close sees
	// the server without it.
	c.mu.Lock()
	ws := append([]string(nil), c.workerOrder...)
	c.mu.Unlock()
	c.s.remove(c, ws)
	c.close(reason)
}

// serveLines reads and handles lines until the connection must end, and
// says why.
func (c *conn) serveLines() string {
	lr := NewLineReader(c.nc, MaxLineBytes)
	for {
		c.mu.Lock()
		ready := c.ready
		c.mu.Unlock()
		deadline := c.connected.Add(c.s.cfg.HelloTimeout)
		if ready {
			deadline = time.Now().Add(c.s.cfg.IdleTimeout)
		}
		_ = c.nc.SetReadDeadline(deadline)
		line, err := lr.ReadLine()
		if errors.Is(err, ErrLineTooLong) {
			return fmt.Sprintf("line longer than %d bytes", MaxLineBytes)
		}
		if err != nil {
			return "read: " + err.Error()
		}
		m, err := DecodeLine(line)
		if err != nil {
			c.reply(nil, nil, &Error{CodeOther, strings.TrimPrefix(err.Error(), "stratum: ")})
			c.mu.Lock()
			c.badLines++
			bad := c.badLines
			c.mu.Unlock()
			if bad >= maxBadLines {
				return "too many malformed lines"
			}
			continue
		}
		c.mu.Lock()
		c.badLines = 0
		c.mu.Unlock()
		if m.IsResponse() {
			continue // we send no requests; a stray reply is ignored
		}
		c.handle(m)
	}
}

// reply queues a response. Unlike notifications it waits (up to
// WriteTimeout) for room in the queue: a miner that sends faster than it
// reads is slowed down, not dropped, unless it stops reading. It must not
// be called under c.mu.
func (c *conn) reply(id json.RawMessage, result any, e *Error) {
	line, err := EncodeResponse(id, result, e)
	if err != nil {
		c.close(err.Error())
		return
	}
	select {
	case c.out <- line:
		return
	case <-c.done:
		return
	default:
	}
	t := time.NewTimer(c.s.cfg.WriteTimeout)
	defer t.Stop()
	select {
	case c.out <- line:
	case <-c.done:
	case <-t.C:
		c.close("write queue full (a reader too slow for its replies)")
	}
}

func (c *conn) handle(m *Message) {
	ps, err := m.ParamList()
	if err != nil {
		c.reply(m.ID, nil, &Error{CodeOther, strings.TrimPrefix(err.Error(), "stratum: ")})
		return
	}
	switch m.Method {
	case MethodSubscribe:
		c.subscribe(m.ID, ps)
	case MethodAuthorize:
		c.authorize(m.ID, ps)
	case MethodSubmit:
		c.submit(m.ID, ps)
	case MethodSuggestDifficulty:
		c.suggestDifficulty(m.ID, ps)
	case MethodExtranonceSubscribe:
		c.reply(m.ID, true, nil) // the extranonce never changes
	case MethodConfigure:
		c.configure(m.ID, ps)
	default:
		c.reply(m.ID, nil, Errorf(CodeOther, "Unknown method %q", truncate(m.Method, 64)))
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (c *conn) subscribe(id json.RawMessage, ps []json.RawMessage) {
	var agent, resume string
	if len(ps) > 0 {
		_ = json.Unmarshal(ps[0], &agent)
	}
	if len(ps) > 1 {
		_ = json.Unmarshal(ps[1], &resume)
	}
	c.mu.Lock()
	first := !c.subscribed
	c.mu.Unlock()
	if b, err := hex.DecodeString(resume); first && err == nil && len(b) == Extranonce1Size {
		c.resume(binary.BigEndian.Uint32(b))
	}
	c.mu.Lock()
	c.userAgent = truncate(strings.Map(printable, agent), maxUserAgent)
	en1 := en1Bytes(c.en1)
	c.mu.Unlock()
	c.reply(id, &Subscription{ID: hex.EncodeToString(en1), Extranonce1: en1, Extranonce2Size: c.s.cfg.Extranonce2Size}, nil)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.subscribed = true
	c.becomeReadyLocked()
}

// resume takes over a previous session's extranonce1 if it is free.
func (c *conn) resume(want uint32) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.en1InUse[want] {
		return
	}
	c.mu.Lock()
	delete(s.en1InUse, c.en1)
	c.en1 = want
	c.mu.Unlock()
	s.en1InUse[want] = true
}

func printable(r rune) rune {
	if unicode.IsPrint(r) {
		return r
	}
	return -1
}

func validWorker(name string) bool {
	if name == "" || len(name) > maxWorkerName {
		return false
	}
	for _, r := range name {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

func (c *conn) authorize(id json.RawMessage, ps []json.RawMessage) {
	var name, pass string
	if len(ps) < 1 || json.Unmarshal(ps[0], &name) != nil {
		c.reply(id, nil, &Error{CodeOther, "mining.authorize wants [worker, password]"})
		return
	}
	if len(ps) > 1 && string(ps[1]) != "null" && json.Unmarshal(ps[1], &pass) != nil {
		c.reply(id, nil, &Error{CodeOther, "mining.authorize: password is not a string"})
		return
	}
	ok := validWorker(name) && (c.s.cfg.Open || c.s.cfg.Authorize != nil && c.s.cfg.Authorize(name, pass))
	c.mu.Lock()
	if ok && !c.workers[name] && len(c.workers) >= maxWorkersPerCon {
		ok = false
	}
	if !ok {
		c.authFailures++
		fails := c.authFailures
		c.mu.Unlock()
		c.s.log.Info("stratum worker refused", "remote", c.remote, "worker", truncate(strings.Map(printable, name), maxWorkerName))
		c.reply(id, nil, &Error{CodeUnauthorized, "Unauthorized worker"})
		if fails >= maxAuthFailures {
			c.enqueue(nil) // too many failed authorizations
		}
		return
	}
	added := !c.workers[name]
	if added {
		c.workers[name] = true
		c.workerOrder = append(c.workerOrder, name)
	}
	c.mu.Unlock()
	if added {
		c.s.workerOnline(name)
	}
	c.reply(id, true, nil)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.becomeReadyLocked()
}

// becomeReadyLocked sends the first difficulty and job once the
// connection is both subscribed and authorized.
func (c *conn) becomeReadyLocked() {
	if c.ready || !c.subscribed || len(c.workers) == 0 {
		return
	}
	c.ready = true
	c.sendDifficultyLocked()
	if j := c.s.current(); j != nil {
		c.sendJobLocked(j, true)
	}
}

// workerOnline counts a worker's new connection.
func (s *Server) workerOnline(name string) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.workers[name]
	if w == nil {
		if len(s.workers) >= maxWorkers {
			s.forgetOldestWorkerLocked()
		}
		w = &worker{tally: newTally(now)}
		s.workers[name] = w
	}
	w.conns++
	w.lastSeen = now
}

func (s *Server) forgetOldestWorkerLocked() {
	var oldest string
	var at time.Time
	for name, w := range s.workers {
		if w.conns == 0 && (oldest == "" || w.lastSeen.Before(at)) {
			oldest, at = name, w.lastSeen
		}
	}
	if oldest != "" {
		delete(s.workers, oldest)
	}
}

func (c *conn) sendDifficultyLocked() {
	line, err := EncodeNotification(MethodSetDifficulty, c.diff)
	if err == nil {
		c.enqueue(line)
	}
}

// sendJob sends a job to a ready connection, after a set_difficulty if
// vardiff moved.
func (c *conn) sendJob(j *job, clean bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ready {
		return
	}
	if next := c.vd.tick(now, c.diff); next != 0 {
		c.diff = next
		c.sendDifficultyLocked()
	}
	c.sendJobLocked(j, clean)
}

// sendJobLocked records the difficulty a job goes out with and queues
// its notify. A job already sent under another difficulty goes out under
// a new id of this connection's ("<job>.<n>"), so that each id the miner
// knows has one share target: shares still in flight for the old id
// count at the old difficulty, those for the new id at the new one.
func (c *conn) sendJobLocked(j *job, clean bool) {
	if clean {
		clear(c.sent)
		c.aliases = c.aliases[:0]
	} else {
		for id, sj := range c.sent {
			if c.s.job(sj.j.id) == nil {
				delete(c.sent, id)
			}
		}
	}
	id, line := j.id, j.line(clean)
	if prev, ok := c.sent[id]; ok && prev.st.diff != c.diff {
		c.aliasSeq++
		id = fmt.Sprintf("%s.%x", j.id, c.aliasSeq)
		n := j.notify
		n.JobID, n.Clean = id, clean
		var err error
		if line, err = EncodeNotification(MethodNotify, n.Params()...); err != nil {
			return
		}
		c.aliases = append(c.aliases, id)
		if len(c.aliases) > maxAliases {
			delete(c.sent, c.aliases[0])
			c.aliases = c.aliases[1:]
		}
	}
	c.sent[id] = sentJob{j: j, st: newShareTarget(c.diff)}
	c.enqueue(line)
}

// retargetIdle lowers the difficulty of a connection whose shares came
// too slowly (or not at all) for a whole vardiff window, and resends the
// current job under it.
func (c *conn) retargetIdle(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ready {
		return
	}
	if next := c.vd.tick(now, c.diff); next != 0 {
		c.setDifficultyLocked(next)
	}
}

// setDifficultyLocked moves to a difficulty and resends the current job
// so that it applies at once.
func (c *conn) setDifficultyLocked(d float64) {
	c.diff = d
	if !c.ready {
		return
	}
	c.sendDifficultyLocked()
	if j := c.s.current(); j != nil {
		c.sendJobLocked(j, false)
	}
}

func (c *conn) suggestDifficulty(id json.RawMessage, ps []json.RawMessage) {
	var d float64
	if len(ps) < 1 || json.Unmarshal(ps[0], &d) != nil || !(d > 0) {
		c.reply(id, nil, &Error{CodeOther, "mining.suggest_difficulty wants a positive number"})
		return
	}
	c.reply(id, true, nil)
	c.mu.Lock()
	defer c.mu.Unlock()
	if next := c.vd.suggest(c.s.cfg.Now(), c.diff, d); next != 0 {
		c.setDifficultyLocked(next)
	}
}

// configure answers BIP310's mining.configure: version rolling within
// the BIP320 bits; other extensions are declined.
func (c *conn) configure(id json.RawMessage, ps []json.RawMessage) {
	var exts []string
	opts := map[string]json.RawMessage{}
	if len(ps) < 1 || json.Unmarshal(ps[0], &exts) != nil || len(ps) > 1 && json.Unmarshal(ps[1], &opts) != nil {
		c.reply(id, nil, &Error{CodeOther, "mining.configure wants [extensions, parameters]"})
		return
	}
	res := map[string]any{}
	c.mu.Lock()
	for _, e := range exts {
		switch e {
		case "version-rolling":
			want := uint32(0xffffffff)
			var ms string
			if raw, ok := opts["version-rolling.mask"]; ok && json.Unmarshal(raw, &ms) == nil && len(ms) <= 8 {
				if v, err := ParseHex32(strings.Repeat("0", 8-len(ms)) + ms); err == nil {
					want = v
				}
			}
			c.mask = want & DefaultVersionMask
			res["version-rolling"] = c.mask != 0
			res["version-rolling.mask"] = Hex32(c.mask)
		default:
			if len(res) < 16 {
				res[truncate(e, 64)] = false
			}
		}
	}
	c.mu.Unlock()
	c.reply(id, res, nil)
}

// reject answers a refused share and counts it.
func (c *conn) reject(id json.RawMessage, worker, reason string, e *Error) {
	c.mu.Lock()
	c.tally.reject(reason)
	known := c.workers[worker]
	c.mu.Unlock()
	s := c.s
	s.mu.Lock()
	s.totals.reject(reason)
	if w := s.workers[worker]; known && w != nil {
		w.reject(reason)
	}
	s.mu.Unlock()
	c.reply(id, nil, e)
}

func (c *conn) submit(id json.RawMessage, ps []json.RawMessage) {
	s := c.s
	now := s.cfg.Now()
	c.mu.Lock()
	subscribed, en1v, mask := c.subscribed, c.en1, c.mask
	c.mu.Unlock()
	if !subscribed {
		c.reject(id, "", ReasonNotSubscribed, &Error{CodeNotSubscribed, "Not subscribed"})
		return
	}
	sub, err := ParseSubmit(ps)
	if err != nil {
		c.reject(id, "", ReasonBadParams, &Error{CodeOther, strings.TrimPrefix(err.Error(), "stratum: ")})
		return
	}
	c.mu.Lock()
	authorized := c.workers[sub.Worker]
	c.mu.Unlock()
	if !authorized {
		c.reject(id, "", ReasonUnauthorized, &Error{CodeUnauthorized, "Unauthorized worker"})
		return
	}
	w := sub.Worker
	c.mu.Lock()
	sj, sent := c.sent[sub.JobID]
	c.mu.Unlock()
	base, _, _ := strings.Cut(sub.JobID, ".")
	switch {
	case !sent && s.wasStale(base), sent && s.job(sj.j.id) == nil && s.wasStale(sj.j.id),
		sent && sj.j.notify.PrevHash != s.cfg.Chain.Best().Hash:
		c.reject(id, w, ReasonStale, &Error{CodeJobNotFound, "Stale job (the chain moved on)"})
		return
	case !sent || s.job(sj.j.id) == nil:
		c.reject(id, w, ReasonJobNotFound, &Error{CodeJobNotFound, "Job not found"})
		return
	}
	j, st := sj.j, sj.st
	if len(sub.Extranonce2) != s.cfg.Extranonce2Size {
		c.reject(id, w, ReasonExtranonce2, Errorf(CodeOther, "Incorrect size of extranonce2: %d bytes, want %d",
			len(sub.Extranonce2), s.cfg.Extranonce2Size))
		return
	}
	if int64(sub.Time) < j.minTime || int64(sub.Time) > now.Add(s.cfg.MaxNTimeAhead).Unix() {
		c.reject(id, w, ReasonNTime, Errorf(CodeOther, "ntime out of range: %08x not in %08x..%08x",
			sub.Time, j.minTime, now.Add(s.cfg.MaxNTimeAhead).Unix()))
		return
	}
	version := j.notify.Version
	if sub.HasVersionBits {
		if sub.VersionBits&^mask != 0 {
			c.reject(id, w, ReasonVersionBits, Errorf(CodeOther, "Invalid version bits %08x (mask %08x)", sub.VersionBits, mask))
			return
		}
		version = RollVersion(version, sub.VersionBits, mask)
	}
	en1 := en1Bytes(en1v)
	k := shareKey{ntime: sub.Time, nonce: sub.Nonce, version: version}
	copy(k.en1[:], en1)
	copy(k.en2[:], sub.Extranonce2)
	if j.wasSeen(k) {
		c.reject(id, w, ReasonDuplicate, &Error{CodeDuplicate, "Duplicate share"})
		return
	}
	hdr := j.header(en1, sub.Extranonce2, sub.Time, sub.Nonce, version)
	hash := hdr.BlockHash()
	if !HashMeets(&hash, st.target) {
		c.reject(id, w, ReasonLowDifficulty, &Error{CodeLowDifficulty, "Low difficulty share"})
		return
	}
	if !j.firstSeen(k) {
		c.reject(id, w, ReasonDuplicate, &Error{CodeDuplicate, "Duplicate share"})
		return
	}
	var blk *BlockInfo
	if HashMeets(&hash, j.target) {
		blk = s.foundBlock(j, en1, sub.Extranonce2, hdr, w, now)
	}
	c.accepted(id, w, st.diff, blk, now)
}

// accepted answers and counts an accepted share, then lets vardiff move.
func (c *conn) accepted(id json.RawMessage, worker string, diff float64, blk *BlockInfo, now time.Time) {
	found := blk != nil && blk.Accepted
	c.reply(id, true, nil)
	c.mu.Lock()
	c.tally.accept(now, diff)
	if found {
		c.tally.blocks++
	}
	if next := c.vd.share(now, c.diff); next != 0 {
		c.setDifficultyLocked(next)
	}
	c.mu.Unlock()
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.totals.accept(now, diff)
	w := s.workers[worker]
	if w != nil {
		w.accept(now, diff)
		w.lastSeen = now
	}
	if found {
		s.totals.blocks++
		if w != nil {
			w.blocks++
		}
	}
	if blk != nil {
		s.blocks = append(s.blocks, *blk)
		if len(s.blocks) > maxBlocksKept {
			s.blocks = s.blocks[len(s.blocks)-maxBlocksKept:]
		}
	}
}

// foundBlock hands a share that meets the block target to the chain, as
// submitblock does (so the node relays it).
func (s *Server) foundBlock(j *job, en1, en2 []byte, hdr wire.BlockHeader, worker string, now time.Time) *BlockInfo {
	blk := j.block(en1, en2, hdr)
	hash := blk.BlockHash()
	bi := &BlockInfo{Hash: hash.String(), Height: j.tmpl.Height, Worker: worker, Time: now.Unix()}
	main, orphan, err := s.cfg.Chain.ProcessBlock(blk, chain.BFRequested)
	switch {
	case err != nil:
		var re chain.RuleError
		if errors.As(err, &re) {
			bi.Reason = re.Reason()
		} else {
			bi.Reason = err.Error()
		}
	case orphan:
		bi.Reason = "orphan"
	case !main:
		bi.Reason = "side-chain"
	default:
		bi.Accepted = true
	}
	if bi.Accepted {
		s.log.Info("stratum block found", "hash", bi.Hash, "height", bi.Height, "worker", worker)
	} else {
		s.log.Warn("stratum block not taken", "hash", bi.Hash, "height", bi.Height, "worker", worker, "reason", bi.Reason)
	}
	return bi
}

// Info returns the server's state and accounting.
func (s *Server) Info() Info {
	now := s.cfg.Now()
	info := Info{Open: s.cfg.Open, CoinbaseTag: string(s.cfg.CoinbaseTag), Extranonce2Size: s.cfg.Extranonce2Size,
		Difficulty: s.cfg.Difficulty, ShareInterval: s.cfg.ShareInterval.Seconds(),
		Listen: s.Addrs(), Workers: []WorkerInfo{}, Conns: []ConnInfo{}}
	if info.Listen == nil {
		info.Listen = []string{}
	}
	s.mu.Lock()
	info.Connections = len(s.conns)
	info.Totals = s.totals.info(now)
	for name, w := range s.workers {
		info.Workers = append(info.Workers, WorkerInfo{Name: name, Connections: w.conns, TallyInfo: w.info(now)})
	}
	info.Blocks = append([]BlockInfo{}, s.blocks...)
	s.mu.Unlock()
	sortWorkers(info.Workers)
	for _, c := range s.connList() {
		c.mu.Lock()
		ci := ConnInfo{ID: hex.EncodeToString(en1Bytes(c.en1)), Remote: c.remote, UserAgent: c.userAgent,
			Workers: append([]string{}, c.workerOrder...), Difficulty: c.diff, Connected: c.connected.Unix(),
			TallyInfo: c.tally.info(now)}
		if c.mask != 0 {
			ci.VersionMask = Hex32(c.mask)
		}
		c.mu.Unlock()
		info.Conns = append(info.Conns, ci)
	}
	if j := s.current(); j != nil {
		info.Job = &JobInfo{ID: j.id, Height: j.tmpl.Height, PrevHash: j.notify.PrevHash.String(),
			Transactions: len(j.tmpl.Block.Transactions) - 1, Bits: Hex32(j.notify.Bits), Created: j.created.Unix()}
	}
	return info
}

// Stats returns the totals the metrics read.
func (s *Server) Stats() Stats {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Connections: len(s.conns), Accepted: s.totals.accepted, Rejected: map[string]uint64{},
		Blocks: s.totals.blocks, Hashrate: s.totals.hashrate(now)}
	for r, n := range s.totals.reasons {
		st.Rejected[r] = n
	}
	for _, w := range s.workers {
		if w.conns > 0 {
			st.Workers++
		}
	}
	return st
}
