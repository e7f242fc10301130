package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/rpc"
)

// Config sets up a Model.
type Config struct {
	// Backend is the node: its calls and its events.
	Backend Backend
	// Context bounds every call (the program's).
	Context context.Context
	// Renderer draws the styles (its profile: the colours, none under
	// NO_COLOR); nil: lipgloss's default.
	Renderer *lipgloss.Renderer
	// Now is the clock (tests fix it); nil: time.Now.
	Now func() time.Time
	// Poll is how often a node without events is polled (default 2 s);
	// Retry how often a lost node is tried again (default 1 s).
	Poll, Retry time.Duration
	// Page is the page shown first (default the dashboard).
	Page string
	// LogSize is how many lines the log page keeps (default 1000).
	LogSize int
}

// connState is how the console hears from the node.
type connState int

const (
	connStarting connState = iota
	connLive               // following events
	connPolling            // no events: polling
	connLost               // the node does not answer
)

// Model is gg-console's bubbletea model.
type Model struct {
	cfg    Config
	st     *styles
	pages  []page
	active int
	width  int
	height int

	conn     connState
	lostErr  string
	feed     Feed
	lastHash string // the last block seen, to resume the feed after
	tip      int32
	network  string
	walletLk *bool // the wallet's lock state, when known

	help    bool
	form    *form
	confirm *action
	pass    *passPrompt
	views   []*detail // detail views, innermost last
	busy    string    // what the console waits for
	notice  string    // the last action's outcome
	noticeE bool      // ... an error

	log  []string // this session's
	nlog nodeLog  // the node's
}

// New builds the model.
func New(cfg Config) *Model {
	if cfg.Context == nil {
		cfg.Context = context.Background()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.Retry <= 0 {
		cfg.Retry = time.Second
	}
	if cfg.LogSize <= 0 {
		cfg.LogSize = 1000
	}
	m := &Model{cfg: cfg, st: newStyles(cfg.Renderer), width: 80, height: 24}
	m.pages = []page{&dashboardPage{}, &blocksPage{}, &mempoolPage{}, &peersPage{}, &producersPage{},
		&propsPage{}, &auctionsPage{}, &contractsPage{}, &walletPage{}, &logPage{}}
	for i, n := range PageNames {
		if n == cfg.Page {
			m.active = i
		}
	}
	return m
}

// page is one tab of the console.
type page interface {
	name() string
	title() string
	// load returns the Cmd that reads the page's data (nil: nothing to
	// read); its loadedMsg comes back to loaded.
	load(m *Model) tea.Cmd
	loaded(m *Model, data any)
	// key handles a page key; handled says whether it was one.
	key(m *Model, k string) (cmd tea.Cmd, handled bool)
	view(m *Model, w, h int) string
	keys() string // the footer's key hints
	// topics are the event topics that change the page.
	topics() []string
}

// pageState is what every page keeps about its loading.
type pageState struct {
	loading, again, dirty, loadedOnce bool
	err                               string
}

func (p *pageState) state() *pageState { return p }

type stateful interface{ state() *pageState }

// Messages.
type (
	loadedMsg struct {
		page int
		data any
		err  error
	}
	feedMsg struct {
		feed Feed
		err  error
	}
	eventMsg struct {
		feed Feed
		n    rpc.Notification
	}
	feedEndMsg struct {
		feed Feed
		err  error
	}
	pollMsg    struct{}
	retryMsg   struct{}
	pingMsg    struct{ err error }
	previewMsg struct {
		a   *action
		raw json.RawMessage
		err error
	}
	doneMsg struct {
		a   *action
		raw json.RawMessage
		err error
	}
	passErrMsg struct {
		a        *action
		afterRun bool
		err      error
	}
	detailMsg struct {
		d   *detail
		err error
	}
	lockedMsg struct{ err error }
)

// Init starts the first loads and the event feed.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.reload(0), m.reload(m.active), m.subscribe())
}

func (m *Model) ctx() context.Context { return m.cfg.Context }

// reload starts loading page i unless it is loading (then once more
// after).
func (m *Model) reload(i int) tea.Cmd {
	p := m.pages[i]
	s := p.(stateful).state()
	if s.loading {
		s.again = true
		return nil
	}
	cmd := p.load(m)
	if cmd == nil {
		return nil
	}
	s.loading, s.dirty = true, false
	return cmd
}

// loadCmd wraps a loader as a Cmd of page i.
func loadCmd[T any](m *Model, i int, f func(ctx context.Context, c Caller) (T, error)) tea.Cmd {
	ctx, c := m.ctx(), m.cfg.Backend
	return func() tea.Msg {
		d, err := f(ctx, c)
		return loadedMsg{page: i, data: d, err: err}
	}
}

func (m *Model) pageIndex(name string) int {
	for i, p := range m.pages {
		if p.name() == name {
			return i
		}
	}
	return -1
}

func (m *Model) subscribe() tea.Cmd {
	ctx, b, since := m.ctx(), m.cfg.Backend, m.lastHash
	return func() tea.Msg {
		f, err := b.Subscribe(ctx, since)
		return feedMsg{feed: f, err: err}
	}
}

func waitEvent(ctx context.Context, f Feed) tea.Cmd {
	return func() tea.Msg {
		n, err := f.Next(ctx)
		if err != nil {
			return feedEndMsg{feed: f, err: err}
		}
		return eventMsg{feed: f, n: n}
	}
}

func (m *Model) pollLater() tea.Cmd {
	return tea.Tick(m.cfg.Poll, func(time.Time) tea.Msg { return pollMsg{} })
}

func (m *Model) retryLater() tea.Cmd {
	return tea.Tick(m.cfg.Retry, func(time.Time) tea.Msg { return retryMsg{} })
}

// lose marks the node lost (once) and starts retrying.
func (m *Model) lose(err error) tea.Cmd {
	m.lostErr = err.Error()
	if m.conn == connLost {
		return nil
	}
	m.conn = connLost
	m.logf("connection lost: %v", err)
	var cmds []tea.Cmd
	if f := m.feed; f != nil {
		m.feed = nil
		cmds = append(cmds, func() tea.Msg { f.Close(); return nil })
	}
	cmds = append(cmds, m.stopLogFeed())
	return tea.Batch(append(cmds, m.retryLater())...)
}

// logf adds a line to the log page.
func (m *Model) logf(format string, args ...any) {
	line := m.cfg.Now().Format("15:04:05") + " " + fmt.Sprintf(format, args...)
	m.log = append(m.log, line)
	if n := len(m.log) - m.cfg.LogSize; n > 0 {
		m.log = append(m.log[:0:0], m.log[n:]...)
	}
	if lp, ok := m.pages[len(m.pages)-1].(*logPage); ok {
		lp.changed = true
	}
}

// Update is the model's one place of change.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case tea.KeyMsg:
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
			// keys typed faster than they were read come together: each
			// is a key of its own (the first may open a form the rest fill)
			var cmds []tea.Cmd
			for _, r := range msg.Runes {
				cmds = append(cmds, m.onKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
			}
			return m, tea.Sequence(cmds...)
		}
		return m, m.onKey(msg)
	case loadedMsg:
		return m, m.onLoaded(msg)
	case feedMsg:
		switch {
		case msg.err == nil:
			if m.conn == connLost {
				m.logf("reconnected")
			}
			m.feed, m.conn, m.lostErr = msg.feed, connLive, ""
			return m, tea.Batch(waitEvent(m.ctx(), msg.feed), m.followLog(), m.logPoll())
		case errors.Is(msg.err, ErrNoEvents):
			if m.conn != connPolling {
				m.logf("the node serves no events: polling every %s", m.cfg.Poll)
			}
			m.conn, m.lostErr = connPolling, ""
			return m, m.pollLater()
		}
		return m, m.lose(msg.err)
	case eventMsg:
		if msg.feed != m.feed {
			return m, nil
		}
		return m, tea.Batch(m.onEvent(msg.n), waitEvent(m.ctx(), msg.feed))
	case feedEndMsg:
		if msg.feed != m.feed || errors.Is(msg.err, context.Canceled) {
			return m, nil
		}
		return m, m.lose(msg.err)
	case pollMsg:
		if m.conn != connPolling {
			return m, nil
		}
		return m, tea.Batch(m.reload(0), m.reload(m.active), m.pollLater())
	case retryMsg:
		if m.conn != connLost {
			return m, nil
		}
		ctx, c := m.ctx(), m.cfg.Backend
		return m, func() tea.Msg {
			var n int32
			return pingMsg{err: c.Call(ctx, "getblockcount", &n)}
		}
	case pingMsg:
		if m.conn != connLost {
			return m, nil
		}
		if msg.err != nil {
			m.lostErr = msg.err.Error()
			return m, m.retryLater()
		}
		cmds := []tea.Cmd{m.subscribe()}
		for i, p := range m.pages {
			if s := p.(stateful).state(); s.loadedOnce || i == 0 || i == m.active {
				s.loading = false
				cmds = append(cmds, m.reload(i))
			}
		}
		return m, tea.Batch(cmds...)
	case previewMsg:
		return m, m.onPreview(msg)
	case doneMsg:
		return m, m.onDone(msg)
	case passErrMsg:
		m.busy = ""
		if rpcCode(msg.err) == rpc.CodeWalletPass || rpcCode(msg.err) == rpc.CodeWalletLocked {
			m.pass = newPassPrompt(msg.a, msg.afterRun, "wrong passphrase")
			return m, nil
		}
		return m, m.fail(msg.a, msg.err)
	case detailMsg:
		m.busy = ""
		if msg.err != nil {
			return m, m.fail(nil, msg.err)
		}
		m.views = append(m.views, msg.d)
		return m, nil
	case logFeedMsg, logEventMsg, logEndMsg, logTickMsg:
		return m, m.onLogMsg(msg)
	case lockedMsg:
		if msg.err != nil {
			m.logf("locking the wallet failed: %s", rpcMessage(msg.err))
		} else {
			m.logf("wallet locked again")
		}
		return m, nil
	}
	return m, nil
}

func (m *Model) onLoaded(msg loadedMsg) tea.Cmd {
	p := m.pages[msg.page]
	s := p.(stateful).state()
	s.loading = false
	var cmds []tea.Cmd
	if msg.err != nil {
		if connectionError(msg.err) {
			cmds = append(cmds, m.lose(msg.err))
		} else {
			s.err = rpcMessage(msg.err)
		}
	} else {
		s.err, s.loadedOnce = "", true
		p.loaded(m, msg.data)
		if msg.page == m.logPageIndex() {
			cmds = append(cmds, m.logPoll())
		}
	}
	if s.again {
		s.again = false
		cmds = append(cmds, m.reload(msg.page))
	}
	return tea.Batch(cmds...)
}

// onEvent logs an event and reloads the pages it changes: the one on
// screen at once, the others when next shown.
func (m *Model) onEvent(n rpc.Notification) tea.Cmd {
	if r := n.Resync; r != nil {
		m.logf("resync: %s", r.Reason)
		m.lastHash, m.tip = r.Tip.Hash, r.Tip.Height
		return m.markAll()
	}
	e := n.Event
	if e == nil {
		return nil
	}
	if e.Type == "block.connected" || e.Type == "block.disconnected" {
		m.lastHash, m.tip = e.Hash, e.Height
	}
	if e.Type == "block.disconnected" {
		m.lastHash = ""
	}
	m.logf("%s", describeEvent(e))
	var cmds []tea.Cmd
	for i, p := range m.pages {
		for _, t := range p.topics() {
			if t != e.Topic {
				continue
			}
			p.(stateful).state().dirty = true
			if i == m.active || i == 0 {
				cmds = append(cmds, m.reload(i))
			}
		}
	}
	return tea.Batch(cmds...)
}

func (m *Model) markAll() tea.Cmd {
	for _, p := range m.pages {
		p.(stateful).state().dirty = true
	}
	return tea.Batch(m.reload(0), m.reload(m.active))
}

// describeEvent is an event's log line.
func describeEvent(e *rpc.Event) string {
	var d map[string]any
	dec := json.NewDecoder(bytes.NewReader(e.Data))
	dec.UseNumber()
	dec.Decode(&d)
	str := func(k string) string {
		v, ok := d[k]
		if !ok || v == nil {
			return ""
		}
		if n, ok := v.(json.Number); ok && (k == "price" || k == "fee") {
			if dust, err := n.Int64(); err == nil {
				return amount.Amount(dust).String() + "GG" // events carry dust
			}
		}
		s := fmt.Sprint(v)
		if len(s) == 64 {
			s = shortID(s)
		}
		return s
	}
	parts := []string{e.Type}
	switch {
	case strings.HasPrefix(e.Type, "block."):
		parts = append(parts, fmt.Sprintf("%d %s", e.Height, shortID(e.Hash)))
		if t := str("txs"); t != "" {
			parts = append(parts, t+" txs")
		}
	default:
		for _, k := range []string{"name", "id", "txid", "addr", "price", "reason"} {
			if v := str(k); v != "" {
				parts = append(parts, k+"="+v)
			}
		}
	}
	return strings.Join(parts, " ")
}

// switchTo shows page i, loading it when it changed since.
func (m *Model) switchTo(i int) tea.Cmd {
	m.active = (i + len(m.pages)) % len(m.pages)
	m.views = nil
	s := m.pages[m.active].(stateful).state()
	if m.logShown() && m.nlog.feed == nil {
		s.dirty = true // polled while shown
	}
	if s.dirty || !s.loadedOnce || m.conn == connPolling {
		return m.reload(m.active)
	}
	return nil
}

func (m *Model) onKey(k tea.KeyMsg) tea.Cmd {
	key := k.String()
	if key == "ctrl+c" {
		return tea.Quit
	}
	switch {
	case m.pass != nil:
		pass, keep, ok, done, cmd := m.pass.update(k)
		if !done {
			return cmd
		}
		p := m.pass
		m.pass = nil
		if !ok {
			m.note(false, "cancelled: "+p.act.title)
			return nil
		}
		m.busy = "unlocking the wallet"
		return m.unlockThen(p.act, pass, keep, p.afterRun)
	case m.form != nil:
		a, done, cmd := m.form.update(k)
		if !done {
			return cmd
		}
		m.form = nil
		if a == nil {
			return nil
		}
		return m.start(a)
	case m.confirm != nil:
		a := m.confirm
		switch key {
		case "y", "Y":
			m.confirm = nil
			m.busy = a.title
			return m.runAction(a)
		case "n", "N", "esc", "q":
			m.confirm = nil
			m.note(false, "cancelled: "+a.title)
			return m.relock(a)
		}
		return nil
	case m.help:
		if key == "?" || key == "esc" || key == "q" {
			m.help = false
		}
		return nil
	case len(m.views) > 0:
		v := m.views[len(m.views)-1]
		switch key {
		case "esc", "backspace", "left", "h":
			m.views = m.views[:len(m.views)-1]
			return nil
		case "q":
			return tea.Quit
		case "?":
			m.help = true
			return nil
		case "enter":
			if v.enter != nil && len(v.list.rows) > 0 {
				m.busy = "loading"
				return v.enter(v.list.cursor)
			}
			return nil
		}
		v.list.key(key)
		return nil
	}
	if cmd, ok := m.pages[m.active].key(m, key); ok {
		return cmd
	}
	switch key {
	case "q":
		return tea.Quit
	case "?":
		m.help = true
	case "tab", "right", "l":
		return m.switchTo(m.active + 1)
	case "shift+tab", "left", "h":
		return m.switchTo(m.active - 1)
	case "r":
		return tea.Batch(m.reload(m.active), m.reload(0))
	case "1", "2", "3", "4", "5", "6", "7", "8", "9", "0":
		i := int(key[0] - '1')
		if key == "0" {
			i = 9
		}
		if i < len(m.pages) {
			return m.switchTo(i)
		}
	}
	return nil
}

// note sets the status line's message (and logs it).
func (m *Model) note(isErr bool, s string) {
	m.notice, m.noticeE = s, isErr
	m.logf("%s", s)
}

// start begins an action: its dry run when it has one, else the
// confirmation.
func (m *Model) start(a *action) tea.Cmd {
	if a.local != nil {
		return a.local(m)
	}
	if a.preview == nil {
		m.confirm = a
		return nil
	}
	m.busy = "preparing: " + a.title
	return m.previewCmd(a)
}

func (m *Model) previewCmd(a *action) tea.Cmd {
	ctx, c, p := m.ctx(), m.cfg.Backend, *a.preview
	return func() tea.Msg {
		var raw json.RawMessage
		err := c.Call(ctx, p.method, &raw, p.params...)
		return previewMsg{a: a, raw: raw, err: err}
	}
}

func (m *Model) runAction(a *action) tea.Cmd {
	ctx, c, r := m.ctx(), m.cfg.Backend, a.run
	relock := a.relock
	return func() tea.Msg {
		var raw json.RawMessage
		err := c.Call(ctx, r.method, &raw, r.params...)
		if relock && rpcCode(err) != rpc.CodeWalletLocked {
			c.Call(ctx, "wallet.lock", nil)
		}
		return doneMsg{a: a, raw: raw, err: err}
	}
}

// unlockThen unlocks the wallet with pass (for keep seconds; 0: until
// the console locks it after the action) and goes on with the action:
// its preview, or (afterRun) the action itself.
func (m *Model) unlockThen(a *action, pass string, keep int, afterRun bool) tea.Cmd {
	ctx, c := m.ctx(), m.cfg.Backend
	a.relock = keep == 0
	var next tea.Cmd
	if afterRun || a.preview == nil {
		next = m.runAction(a)
	} else {
		next = m.previewCmd(a)
	}
	return func() tea.Msg {
		if err := c.Call(ctx, "wallet.unlock", nil, pass, keep); err != nil {
			return passErrMsg{a: a, afterRun: afterRun, err: err}
		}
		return next()
	}
}

func (m *Model) relock(a *action) tea.Cmd {
	if a == nil || !a.relock {
		return nil
	}
	a.relock = false
	ctx, c := m.ctx(), m.cfg.Backend
	return func() tea.Msg { return lockedMsg{err: c.Call(ctx, "wallet.lock", nil)} }
}

func (m *Model) onPreview(msg previewMsg) tea.Cmd {
	m.busy = ""
	a := msg.a
	switch {
	case msg.err == nil:
		a.previewResult(msg.raw)
		m.confirm = a
		return nil
	case rpcCode(msg.err) == rpc.CodeWalletLocked:
		m.pass = newPassPrompt(a, false, "")
		return nil
	}
	return tea.Batch(m.fail(a, msg.err), m.relock(a))
}

func (m *Model) onDone(msg doneMsg) tea.Cmd {
	m.busy = ""
	a := msg.a
	if rpcCode(msg.err) == rpc.CodeWalletLocked && !a.relock {
		m.pass = newPassPrompt(a, true, "")
		return nil
	}
	if msg.err != nil {
		a.relock = false // runAction locked it
		return m.fail(a, msg.err)
	}
	a.relock = false
	var r struct {
		TxID    string `json:"txid"`
		Address string `json:"address"`
	}
	json.Unmarshal(msg.raw, &r)
	var s string
	switch {
	case r.TxID != "":
		s = fmt.Sprintf("done: %s, txid %s", a.title, r.TxID)
	case len(msg.raw) > 2 && msg.raw[0] == '"':
		var v string
		json.Unmarshal(msg.raw, &v)
		s = fmt.Sprintf("done: %s: %s", a.title, v)
		// a value to copy (an address): shown whole, apart
		m.views = append(m.views, &detail{title: a.title, text: []string{"", "  " + v, "", "  esc: back"}})
	default:
		s = "done: " + a.title
	}
	m.note(false, s)
	var cmds []tea.Cmd
	for _, n := range a.reload {
		if i := m.pageIndex(n); i >= 0 {
			m.pages[i].(stateful).state().dirty = true
			if i == m.active || i == 0 {
				cmds = append(cmds, m.reload(i))
			}
		}
	}
	return tea.Batch(cmds...)
}

// fail shows an action's (or a read's) error.
func (m *Model) fail(a *action, err error) tea.Cmd {
	if connectionError(err) {
		return m.lose(err)
	}
	what := "error"
	if a != nil {
		what = a.title + " failed"
	}
	m.note(true, what+": "+rpcMessage(err))
	return nil
}

// View draws the screen: tabs, status, (banner), page, footer.
func (m *Model) View() string {
	w, h := max(m.width, 20), max(m.height, 8)
	var top []string
	top = append(top, m.tabs(w), m.statusLine(w))
	if m.conn == connLost {
		top = append(top, m.st.banner.Render(truncate(pad(" ⚠ node unreachable — retrying every "+m.cfg.Retry.String()+": "+m.lostErr, w), w)))
	}
	footer := m.footer(w)
	bodyH := h - len(top) - 1
	var body string
	switch {
	case m.help:
		body = m.helpView(w, bodyH)
	case m.pass != nil:
		body = m.box(m.pass.view(m.st), w, bodyH)
	case m.form != nil:
		body = m.box(m.form.view(m.st), w, bodyH)
	case m.confirm != nil:
		body = m.box(m.confirm.confirmView(m.st), w, bodyH)
	case len(m.views) > 0:
		body = m.views[len(m.views)-1].view(m, w, bodyH)
	default:
		body = m.pages[m.active].view(m, w, bodyH)
	}
	body = fitHeight(body, bodyH)
	return strings.Join(top, "\n") + "\n" + body + "\n" + footer
}

// fitHeight pads or cuts s to n lines.
func fitHeight(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (m *Model) box(s string, w, h int) string {
	b := m.st.dialog.Width(min(w-4, 76)).Render(s)
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, b)
}

// shortTitles are the tabs' titles on a terminal narrower than the
// full ones need (80 columns).
var shortTitles = []string{"Dash", "Blocks", "Pool", "Peers", "Prods", "Props", "Auct", "Contr", "Wallet", "Log"}

func (m *Model) tabs(w int) string {
	render := func(short bool) string {
		parts := make([]string, len(m.pages))
		for i, p := range m.pages {
			t := p.title()
			if short && i < len(shortTitles) {
				t = shortTitles[i]
			}
			key := itoa((i + 1) % 10)
			if i == m.active {
				parts[i] = m.st.activeTab.Render("[" + key + " " + t + "]")
			} else {
				parts[i] = m.st.tab.Render(key + " " + t)
			}
		}
		return strings.Join(parts, " ")
	}
	s := render(false)
	if lipgloss.Width(s) > w {
		s = render(true)
	}
	return truncate(s, w)
}

func (m *Model) statusLine(w int) string {
	var conn string
	switch m.conn {
	case connStarting:
		conn = "connecting"
	case connLive:
		conn = "● live"
	case connPolling:
		conn = "◌ polling every " + m.cfg.Poll.String()
	case connLost:
		conn = "✕ node unreachable"
	}
	parts := []string{}
	if d := m.pages[0].(*dashboardPage).data; d != nil {
		parts = append(parts, d.Network, fmt.Sprintf("height %d", d.Height))
		if d.Wallet != nil {
			lk := "unlocked"
			if d.Wallet.Locked {
				lk = "locked"
			}
			parts = append(parts, "wallet "+lk)
		}
	}
	parts = append(parts, conn)
	if m.busy != "" {
		parts = append(parts, "… "+m.busy)
	}
	s := " " + strings.Join(parts, " · ")
	if m.notice != "" {
		st := m.st.ok
		if m.noticeE {
			st = m.st.err
		}
		room := w - lipgloss.Width(s) - 3
		if room > 10 {
			s += " │ " + st.Render(truncate(m.notice, room))
		}
	}
	return truncate(s, w)
}

func (m *Model) footer(w int) string {
	var k string
	switch {
	case m.help:
		k = "? or esc close help"
	case m.pass != nil || m.form != nil || m.confirm != nil:
		k = "ctrl+c quit"
	case len(m.views) > 0:
		k = "↑↓ scroll · enter open · esc back · q quit"
	default:
		k = m.pages[m.active].keys()
		if k != "" {
			k += " · "
		}
		k += "1-0/tab pages · r reload · ? help · q quit"
	}
	return m.st.dim.Render(truncate(" "+k, w))
}

// helpLines are the keys the help page lists.
var helpLines = [][2]string{
	{"1 … 9, 0", "dashboard, blocks, mempool, peers, producers, props, auctions, contracts, wallet, log"},
	{"tab / shift+tab", "next / previous page (also → ← and l h)"},
	{"↑ ↓  j k", "move; pgup pgdn, home end (g G) jump"},
	{"enter", "open the block, transaction, prop or contract under the cursor"},
	{"esc", "back, cancel a form or dialog"},
	{"r", "reload the page"},
	{"?", "this help"},
	{"q, ctrl+c", "quit"},
	{"", ""},
	{"peers", "d disconnect · b ban for 24 h"},
	{"producers", "/ search by name · n register · c change · t transfer"},
	{"props", "m the wallet's · p a producer's · / by id · n create (batch) · s send · x destroy · a sell"},
	{"auctions", "b bid on the auction under the cursor"},
	{"contracts", "a act on the next step (sign, fulfil, claim, refund, withdraw)"},
	{"wallet", "a account (history, address, send) · n new address · s send (fee shown first)"},
	{"log", "s the node's log or this session's · G follow the newest"},
	{"", ""},
	{"actions", "every action shows what it broadcasts and waits for y; a locked wallet asks for its passphrase"},
}

func (m *Model) helpView(w, h int) string {
	var b strings.Builder
	b.WriteString(m.st.title.Render("Keys") + "\n")
	for _, l := range helpLines {
		if l[0] == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString(truncate("  "+m.st.key.Render(pad(l[0], 16))+" "+l[1], w) + "\n")
	}
	return b.String()
}

// detail is a view opened from a page: a text (a block's header, a
// transaction) and a list under it, whose rows enter may open.
type detail struct {
	title string
	text  []string
	list  list
	enter func(row int) tea.Cmd
}

func (d *detail) view(m *Model, w, h int) string {
	var b strings.Builder
	b.WriteString(m.st.title.Render(truncate(d.title, w)))
	for _, l := range d.text {
		b.WriteString("\n" + truncate(l, w))
	}
	rest := h - 1 - len(d.text)
	if d.list.header != nil && rest > 1 {
		b.WriteString("\n" + d.list.view(w, rest, m.st, "(none)"))
	}
	return b.String()
}

// jsonDetail is a detail showing a JSON value, one line per line of its
// indented form, scrollable.
func jsonDetail(title string, raw json.RawMessage) *detail {
	var v any
	json.Unmarshal(raw, &v)
	b, _ := json.MarshalIndent(v, "", "  ")
	lines := strings.Split(string(b), "\n")
	rows := make([][]string, len(lines))
	for i, l := range lines {
		rows[i] = []string{l}
	}
	d := &detail{title: title}
	d.list.full = true
	d.list.set([]string{""}, rows)
	return d
}
