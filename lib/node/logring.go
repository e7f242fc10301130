package node

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gamegold/gg/lib/rpc"
)

// The node's recent log. Every record the node's logger handles is
// also kept in a bounded ring (logRing), whatever --log-level lets
// through to stderr: info and above always, debug when the log level
// is debug. node.log reads the ring, and the events' log topic follows
// it live. The ring keeps every record as logged, dropping only the
// oldest beyond its bounds; secrets never reach it because the node
// never logs them (TestNodeLogNoSecrets).

// Bounds of the ring: records and their bytes (message, keys and
// values), and of one record, so that one huge record cannot push out
// the rest.
const (
	LogRingRecords = 1000
	LogRingBytes   = 1 << 20
	maxLogMsg      = 1024
	maxLogValue    = 512
	maxLogAttrs    = 32
	logRecordCost  = 64 // a record's bytes beyond its text, for the byte bound
)

// logRingLevel is the lowest level the ring keeps whatever the log
// level: a node quiet on stderr (--log-level=warn) still shows its
// operator what it did.
const logRingLevel = slog.LevelInfo

// LogRecord is one record of the node's log.
type LogRecord struct {
	// Seq numbers the records of one run of the node, from 1.
	Seq   uint64    `json:"seq"`
	Time  time.Time `json:"time"`
	Level string    `json:"level"` // DEBUG, INFO, WARN, ERROR
	Msg   string    `json:"msg"`
	// Attrs are the record's attributes, a group's as "group.key".
	Attrs map[string]string `json:"attrs,omitempty"`

	level slog.Level
	size  int
}

// logRing is the bounded ring of recent records.
type logRing struct {
	maxRecords, maxBytes int
	run                  string // tells one run of the node from the next

	mu    sync.Mutex
	buf   []LogRecord // circular, oldest at head
	head  int
	n     int
	bytes int
	seq   uint64 // the newest record's
	kick  chan struct{}

	quit chan struct{} // closed by stopFollow
	wg   sync.WaitGroup
}

func newLogRing(records, bytes int) *logRing {
	var id [8]byte
	rand.Read(id[:])
	return &logRing{maxRecords: records, maxBytes: bytes, run: hex.EncodeToString(id[:]), kick: make(chan struct{}, 1)}
}

func (r *logRing) at(i int) *LogRecord { return &r.buf[(r.head+i)%len(r.buf)] }

// add keeps rec, dropping the oldest records beyond the bounds.
func (r *logRing) add(rec LogRecord) {
	r.mu.Lock()
	r.seq++
	rec.Seq = r.seq
	for r.n > 0 && (r.n >= r.maxRecords || r.bytes+rec.size > r.maxBytes) {
		old := r.at(0)
		r.bytes -= old.size
		*old = LogRecord{}
		r.head = (r.head + 1) % len(r.buf)
		r.n--
	}
	if len(r.buf) < r.maxRecords && r.n == len(r.buf) {
		// grow until full: a quiet node keeps a small slice
		nb := make([]LogRecord, min(r.maxRecords, max(16, 2*len(r.buf))))
		for i := 0; i < r.n; i++ {
			nb[i] = *r.at(i)
		}
		r.buf, r.head = nb, 0
	}
	*r.at(r.n) = rec
	r.n++
	r.bytes += rec.size
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// logPage is what node.log answers.
type logPage struct {
	Run     string      `json:"run"`
	Records []LogRecord `json:"records"`
	// Cursor is the after of the next call: the last record read (or
	// skipped for its level).
	Cursor uint64 `json:"cursor"`
	// Missed counts the records after the call's after that the ring no
	// longer holds.
	Missed uint64 `json:"missed"`
}

// read returns up to count records at level or above: those after
// seq after, oldest first; or (after nil) the newest. An after beyond
// the newest record (a cursor of an earlier run) reads from the oldest.
func (r *logRing) read(level slog.Level, after *uint64, count int) logPage {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := logPage{Run: r.run, Records: []LogRecord{}, Cursor: r.seq}
	oldest := r.seq - uint64(r.n) + 1 // the oldest held
	if after == nil {
		var rev []LogRecord
		for i := r.n - 1; i >= 0 && len(rev) < count; i-- {
			if rec := r.at(i); rec.level >= level {
				rev = append(rev, *rec)
			}
		}
		for i := len(rev) - 1; i >= 0; i-- {
			p.Records = append(p.Records, rev[i])
		}
		return p
	}
	from := *after
	if from > r.seq {
		from = 0
	}
	if from+1 < oldest {
		p.Missed = oldest - from - 1
		from = oldest - 1
	}
	for i := int(from + 1 - oldest); i < r.n; i++ {
		rec := r.at(i)
		if rec.level < level {
			continue
		}
		if len(p.Records) == count {
			p.Cursor = p.Records[count-1].Seq
			break
		}
		p.Records = append(p.Records, *rec)
	}
	return p
}

// ringHandler is a slog.Handler that keeps each record in the ring and
// hands it on to the node's handler when that one takes its level.
type ringHandler struct {
	inner  slog.Handler
	ring   *logRing
	attrs  []logAttr // from WithAttrs, keys prefixed with their groups
	prefix string    // the open groups: "g1.g2."
}

type logAttr struct{ k, v string }

func (h *ringHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= logRingLevel || h.inner.Enabled(ctx, l)
}

func (h *ringHandler) Handle(ctx context.Context, r slog.Record) error {
	h.ring.add(h.record(r))
	if h.inner.Enabled(ctx, r.Level) {
		return h.inner.Handle(ctx, r)
	}
	return nil
}

func (h *ringHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.inner = h.inner.WithAttrs(as)
	c.attrs = append([]logAttr(nil), h.attrs...)
	for _, a := range as {
		c.attrs = appendAttr(c.attrs, h.prefix, a)
	}
	return &c
}

func (h *ringHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.inner = h.inner.WithGroup(name)
	c.prefix = h.prefix + name + "."
	return &c
}

// appendAttr appends a (a group's members one by one) with keys
// prefixed.
func appendAttr(out []logAttr, prefix string, a slog.Attr) []logAttr {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range v.Group() {
			out = appendAttr(out, p, g)
		}
		return out
	}
	if a.Key == "" && v.Any() == nil {
		return out // slog's rule: an empty attr is ignored
	}
	return append(out, logAttr{prefix + a.Key, v.String()})
}

// record turns r into a LogRecord, cut to the bounds of one record.
func (h *ringHandler) record(r slog.Record) LogRecord {
	rec := LogRecord{Time: r.Time.UTC(), Level: r.Level.String(), Msg: cutUTF8(r.Message, maxLogMsg), level: r.Level}
	attrs := h.attrs
	if r.NumAttrs() > 0 {
		attrs = append([]logAttr(nil), h.attrs...)
		r.Attrs(func(a slog.Attr) bool {
			attrs = appendAttr(attrs, h.prefix, a)
			return true
		})
	}
	rec.size = logRecordCost + len(rec.Msg)
	if len(attrs) > 0 {
		rec.Attrs = make(map[string]string, min(len(attrs), maxLogAttrs))
		for i, a := range attrs {
			if i == maxLogAttrs {
				rec.Attrs["…"] = strconv.Itoa(len(attrs)-i) + " more"
				break
			}
			k, v := cutUTF8(a.k, maxLogValue), cutUTF8(a.v, maxLogValue)
			rec.Attrs[k] = v
			rec.size += len(k) + len(v)
		}
	}
	return rec
}

// cutUTF8 cuts s to at most n bytes, on a character boundary, marking
// the cut with "…".
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n - len("…")
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// Log methods and events.

const (
	defaultLogCount = 100
	maxLogCount     = 1000
)

// logMethods are node.log's.
func (n *Node) logMethods() []rpc.Method {
	return []rpc.Method{{Name: "node.log", Params: "[level=info] [after] [count=100]",
		Help: "the node's recent log (a ring of its last 1000 records, 1 MiB at most; info and above, debug too with --log-level=debug): " +
			"{run, records: [{seq, time, level, msg, attrs}], cursor, missed}. level: the lowest shown (debug, info, warn, error); " +
			"after: a cursor, the records after it oldest first (a cursor of another run, whose run differs, reads from the oldest), " +
			"else the newest; count: at most this many (1 to 1000); missed counts the records after the cursor no longer held. " +
			"Needs the operator's login (the cookie, or an rpcauth user without a whitelist), not a token",
		Handler: n.nodeLog}}
}

func (n *Node) nodeLog(ctx context.Context, p json.RawMessage) (any, error) {
	if !rpc.AccessFrom(ctx).Operator() {
		return nil, rpc.Errorf(rpc.CodeForbidden, "node.log needs the operator's login (the cookie, or an rpcauth user without a whitelist)")
	}
	var (
		levelName = "info"
		after     *uint64
		count     = defaultLogCount
	)
	if err := rpc.ParseParams(p, []string{"level", "after", "count"}, 0, &levelName, &after, &count); err != nil {
		return nil, err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(levelName)); err != nil {
		return nil, rpc.Errorf(rpc.CodeInvalidParam, "level %q: want debug, info, warn or error", truncateText(levelName, 32))
	}
	if count < 1 || count > maxLogCount {
		return nil, rpc.Errorf(rpc.CodeInvalidParam, "count %d: want 1 to %d", count, maxLogCount)
	}
	return n.logs.read(level, after, count), nil
}

func truncateText(s string, n int) string {
	if len(s) > n {
		return cutUTF8(s, n)
	}
	return s
}

// logEvent is a log event's data: the record and its run.
type logEvent struct {
	Run string `json:"run"`
	LogRecord
}

// maxLogBatch bounds the records one log event batch carries.
const maxLogBatch = 256

// serveLog registers node.log and publishes the log topic's events
// (startRPC, after serveEvents).
func (n *Node) serveLog() {
	n.rpc.Register(n.logMethods()...)
	r := n.logs
	if r.quit != nil {
		return
	}
	r.quit = make(chan struct{})
	r.wg.Add(1)
	go r.follow(n.events().hub)
}

// stopFollow stops the log topic's publisher.
func (r *logRing) stopFollow() {
	if r.quit == nil {
		return
	}
	select {
	case <-r.quit:
	default:
		close(r.quit)
	}
	r.wg.Wait()
}

// follow publishes the ring's new records on the log topic, a batch at
// a time, until stopFollow. It logs nothing itself (its records would
// feed it).
func (r *logRing) follow(hub *rpc.Hub) {
	defer r.wg.Done()
	quit := r.quit
	r.mu.Lock()
	cursor := r.seq
	r.mu.Unlock()
	for {
		select {
		case <-quit:
			return
		case <-r.kick:
		}
		for {
			page := r.read(slog.LevelDebug, &cursor, maxLogBatch)
			cursor = page.Cursor
			if len(page.Records) == 0 {
				break
			}
			evs := make([]*rpc.HubEvent, len(page.Records))
			for i, rec := range page.Records {
				evs[i] = &rpc.HubEvent{Topic: rpc.TopicLog, Type: "log.record", Data: logEvent{Run: page.Run, LogRecord: rec}}
			}
			hub.Publish(evs...)
			if len(page.Records) < maxLogBatch {
				break
			}
		}
	}
}
