package tui

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// The node's log on the log page: node.log's records, followed live on
// the events' log topic (LogFollower) or polled while the page is shown,
// kept in order of their seq within one run of the node.

// NodeLogRecord is one record of the node's log (node.log, and the
// data of a log.record event).
type NodeLogRecord struct {
	Run   string            `json:"run,omitempty"` // the event's; node.log's page says it once
	Seq   uint64            `json:"seq"`
	Time  time.Time         `json:"time"`
	Level string            `json:"level"`
	Msg   string            `json:"msg"`
	Attrs map[string]string `json:"attrs,omitempty"`
	// marker is a line of the console's own between runs ("the node
	// restarted").
	marker string
}

// nodeLogPage is node.log's answer.
type nodeLogPage struct {
	Run     string          `json:"run"`
	Records []NodeLogRecord `json:"records"`
	Cursor  uint64          `json:"cursor"`
}

// nodeLogCount is how many records the console asks at once (node.log's
// most).
const nodeLogCount = 1000

// loadNodeLog reads the records after cursor of run (all the ring holds
// when run is new or another).
func loadNodeLog(ctx context.Context, c Caller, run string, cursor uint64) (*nodeLogPage, error) {
	var p nodeLogPage
	if run != "" {
		if err := c.Call(ctx, "node.log", &p, "debug", cursor, nodeLogCount); err != nil {
			return nil, err
		}
		if p.Run == run {
			return &p, nil
		}
	}
	p = nodeLogPage{}
	if err := c.Call(ctx, "node.log", &p, "debug", nil, nodeLogCount); err != nil {
		return nil, err
	}
	return &p, nil
}

// Messages of the log feed.
type (
	logFeedMsg struct {
		feed Feed
		err  error
	}
	logEventMsg struct {
		feed Feed
		rec  *NodeLogRecord
	}
	logEndMsg struct {
		feed Feed
		err  error
	}
	logTickMsg struct{}
)

// nodeLog is the model's copy of the node's log.
type nodeLog struct {
	lines   []NodeLogRecord
	run     string
	base    int // where run's records start in lines
	pending []NodeLogRecord
	loaded  bool // node.log answered once

	feed      Feed // the log topic's, when live
	following bool // FollowLog under way
	ticking   bool // a poll is due
	noted     bool // said why it is polled
}

// merge adds recs of run in seq order, once each; a new run starts after
// a marker line. It keeps the newest size lines.
func (l *nodeLog) merge(run string, recs []NodeLogRecord, size int) {
	if run != l.run {
		if l.run != "" && len(l.lines) > 0 {
			l.lines = append(l.lines, NodeLogRecord{marker: "— the node restarted —"})
		}
		l.run, l.base = run, len(l.lines)
	}
	for _, r := range recs {
		r.Run = ""
		n := len(l.lines)
		if n == l.base || r.Seq > l.lines[n-1].Seq {
			l.lines = append(l.lines, r)
			continue
		}
		i := l.base + sort.Search(n-l.base, func(i int) bool { return l.lines[l.base+i].Seq >= r.Seq })
		if l.lines[i].Seq == r.Seq {
			continue
		}
		l.lines = append(l.lines, NodeLogRecord{})
		copy(l.lines[i+1:], l.lines[i:])
		l.lines[i] = r
	}
	if over := len(l.lines) - size; over > 0 {
		l.lines = append(l.lines[:0:0], l.lines[over:]...)
		l.base = max(0, l.base-over)
	}
}

// cursor is the newest seq of the current run.
func (l *nodeLog) cursor() uint64 {
	if n := len(l.lines); n > l.base {
		return l.lines[n-1].Seq
	}
	return 0
}

// rows are the lines as the page shows them.
func (l *nodeLog) rows() [][]string {
	rows := make([][]string, len(l.lines))
	for i, r := range l.lines {
		if r.marker != "" {
			rows[i] = []string{"", "", r.marker}
			continue
		}
		rows[i] = []string{r.Time.Local().Format("15:04:05"), r.Level, r.text()}
	}
	return rows
}

// text is the message and its attributes, sub first, the rest by key.
func (r *NodeLogRecord) text() string {
	var b strings.Builder
	b.WriteString(r.Msg)
	keys := make([]string, 0, len(r.Attrs))
	for k := range r.Attrs {
		if k != "sub" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if _, ok := r.Attrs["sub"]; ok {
		keys = append([]string{"sub"}, keys...)
	}
	for _, k := range keys {
		v := r.Attrs[k]
		if strings.ContainsAny(v, " \"=") || v == "" {
			v = strconv.Quote(v)
		}
		b.WriteString(" " + k + "=" + v)
	}
	return b.String()
}

// logPageIndex is the log page's place among the pages.
func (m *Model) logPageIndex() int { return len(m.pages) - 1 }

// logShown reports whether the log page shows the node's log.
func (m *Model) logShown() bool {
	lp, ok := m.pages[m.active].(*logPage)
	return ok && !lp.session
}

// followLog starts following the node's log when the backend can and
// does not yet.
func (m *Model) followLog() tea.Cmd {
	lf, ok := m.cfg.Backend.(LogFollower)
	if !ok || m.nlog.feed != nil || m.nlog.following {
		return nil
	}
	m.nlog.following = true
	ctx := m.ctx()
	return func() tea.Msg {
		f, err := lf.FollowLog(ctx)
		return logFeedMsg{feed: f, err: err}
	}
}

func waitLogEvent(ctx context.Context, f Feed) tea.Cmd {
	return func() tea.Msg {
		for {
			n, err := f.Next(ctx)
			if err != nil {
				return logEndMsg{feed: f, err: err}
			}
			if n.Event == nil || n.Event.Topic != "log" {
				continue
			}
			var r NodeLogRecord
			if json.Unmarshal(n.Event.Data, &r) != nil {
				continue
			}
			return logEventMsg{feed: f, rec: &r}
		}
	}
}

// logPoll schedules a read of node.log while the page shows the node's
// log and no feed brings it.
func (m *Model) logPoll() tea.Cmd {
	if m.nlog.feed != nil || m.nlog.ticking || m.conn != connLive || !m.logShown() {
		return nil
	}
	m.nlog.ticking = true
	return tea.Tick(m.cfg.Poll, func(time.Time) tea.Msg { return logTickMsg{} })
}

// stopLogFeed closes the log feed (the node is lost).
func (m *Model) stopLogFeed() tea.Cmd {
	f := m.nlog.feed
	m.nlog.feed = nil
	if f == nil {
		return nil
	}
	return func() tea.Msg { f.Close(); return nil }
}

// onLogMsg handles the log feed's messages and the poll's tick.
func (m *Model) onLogMsg(msg tea.Msg) tea.Cmd {
	l := &m.nlog
	switch msg := msg.(type) {
	case logFeedMsg:
		l.following = false
		if msg.err != nil {
			if !l.noted {
				l.noted = true
				m.logf("the node's log is polled, not followed: %s", rpcMessage(msg.err))
			}
			return m.logPoll()
		}
		if m.conn != connLive {
			f := msg.feed
			return func() tea.Msg { f.Close(); return nil }
		}
		l.feed = msg.feed
		cmds := []tea.Cmd{waitLogEvent(m.ctx(), msg.feed)}
		if l.loaded { // what came between the last read and the feed
			cmds = append(cmds, m.reload(m.logPageIndex()))
		}
		return tea.Batch(cmds...)
	case logEventMsg:
		if msg.feed != l.feed {
			return nil
		}
		if !l.loaded {
			if len(l.pending) >= m.cfg.LogSize {
				l.pending = l.pending[1:]
			}
			l.pending = append(l.pending, *msg.rec)
		} else {
			l.merge(msg.rec.Run, []NodeLogRecord{*msg.rec}, m.cfg.LogSize)
			m.logChanged()
		}
		return waitLogEvent(m.ctx(), msg.feed)
	case logEndMsg:
		if msg.feed != l.feed {
			return nil
		}
		l.feed = nil
		if msg.err != nil && !errors.Is(msg.err, context.Canceled) && !l.noted {
			l.noted = true
			m.logf("the node's log is polled, not followed: %s", msg.err)
		}
		return m.logPoll()
	case logTickMsg:
		l.ticking = false
		if l.feed != nil || m.conn != connLive || !m.logShown() {
			return nil
		}
		return m.reload(m.logPageIndex())
	}
	return nil
}

// nodeLogLoaded takes node.log's answer.
func (m *Model) nodeLogLoaded(p *nodeLogPage) {
	l := &m.nlog
	l.merge(p.Run, p.Records, m.cfg.LogSize)
	l.loaded = true
	var keep []NodeLogRecord
	for _, r := range l.pending {
		if r.Run == l.run {
			keep = append(keep, r)
		}
	}
	l.merge(l.run, keep, m.cfg.LogSize)
	l.pending = nil
	m.logChanged()
}

func (m *Model) logChanged() {
	if lp, ok := m.pages[m.logPageIndex()].(*logPage); ok {
		lp.changed = true
	}
}
