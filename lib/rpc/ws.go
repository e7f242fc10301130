package rpc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
)

// The WebSocket endpoint (docs/rpc.md, "WebSocket events"): JSON-RPC
// 2.0 requests in, replies and event notifications out, on /ws of the
// RPC listener with the same logins. Each connection has a reader (the
// handler's goroutine: it decodes requests and runs calls through
// Server.Call) and one writer fed by a bounded reply channel and the
// connection's hub queue. The writer also runs subscribe and
// unsubscribe, so a subscription's reply always precedes its events
// (its replay is queued as it subscribes).

// wsRoute is the endpoint's path.
const wsRoute = "/ws"

// WSConfig configures the WebSocket endpoint; zero fields take the
// defaults.
type WSConfig struct {
	// Params decode the subscriptions' addresses and encode the
	// addresses events name.
	Params *chaincfg.Params
	// OriginPatterns are the browser origins allowed besides the
	// request's own host (coder/websocket's AcceptOptions): none allows
	// same-origin pages only. Clients that send no Origin (the CLI, Go
	// programs) are not affected.
	OriginPatterns []string
	// PublicPath, when set, serves the endpoint at this path too, without
	// a login, as PublicAccess grants (event subscriptions, no method):
	// what the public listener's /ws allows, for the explorer's live
	// pages on the RPC listener, whose /ws needs a login a browser page
	// does not have.
	PublicPath string
	// ReadLimit bounds a message from the client (default 1 MiB; a
	// bigger one closes the connection with 1009).
	ReadLimit int64
	// MaxSubscriptions bounds a connection's subscriptions (default 16).
	MaxSubscriptions int
	// MaxAddresses bounds the addresses of a connection's subscriptions
	// together (default 1000).
	MaxAddresses int
	// MaxSubscribeErrors is how many refused subscribe calls a
	// connection may make; the next closes it with 1008 (default 32).
	MaxSubscribeErrors int
	// PingInterval is the keepalive: a ping every interval, and the
	// connection closes if the pong does not come within another
	// (default 30 s).
	PingInterval time.Duration
	// WriteTimeout bounds the writing of one message (default 30 s).
	WriteTimeout time.Duration
	// Yield, when set, is called before an event is written; it may
	// wait (bounded) while the node does consensus work, so that event
	// delivery uses the CPU block validation leaves (the node passes the
	// chain's WaitIdle). It is called once per event: keep it cheap when
	// it does not wait. Replies to calls do not wait.
	Yield func(ctx context.Context)
}

// Defaults of WSConfig.
const (
	DefaultWSReadLimit          = 1 << 20
	DefaultWSMaxSubscriptions   = 16
	DefaultWSMaxAddresses       = 1000
	DefaultWSMaxSubscribeErrors = 32
	DefaultWSPingInterval       = 30 * time.Second
	DefaultWSWriteTimeout       = 30 * time.Second
)

func (c WSConfig) withDefaults() WSConfig {
	def(&c.ReadLimit, DefaultWSReadLimit)
	def(&c.MaxSubscriptions, DefaultWSMaxSubscriptions)
	def(&c.MaxAddresses, DefaultWSMaxAddresses)
	def(&c.MaxSubscribeErrors, DefaultWSMaxSubscribeErrors)
	def(&c.PingInterval, DefaultWSPingInterval)
	def(&c.WriteTimeout, DefaultWSWriteTimeout)
	return c
}

// ServeWebSocket serves /ws with events from hub. Server.Shutdown
// closes its connections (1001), which net/http no longer tracks once
// hijacked.
func (s *Server) ServeWebSocket(hub *Hub, cfg WSConfig) {
	ws := &wsServer{srv: s, hub: hub, cfg: cfg.withDefaults(), conns: map[*wsConn]struct{}{}}
	s.httpMu.Lock()
	if s.shut {
		ws.closed = true
	} else {
		s.onShut = append(s.onShut, ws.shutdown)
	}
	s.httpMu.Unlock()
	s.Handle(Route{Prefix: wsRoute, Handler: ws.serve})
	if cfg.PublicPath != "" {
		s.Handle(Route{Prefix: cfg.PublicPath, Public: true, Handler: func(w http.ResponseWriter, r *http.Request, _ *Access) {
			ws.serve(w, r, PublicAccess())
		}})
	}
}

// wsServer holds the endpoint's open connections.
type wsServer struct {
	srv *Server
	hub *Hub
	cfg WSConfig

	mu     sync.Mutex
	conns  map[*wsConn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// shutdown closes every connection (1001) and waits for them until ctx
// ends, then cuts those left.
func (ws *wsServer) shutdown(ctx context.Context) {
	ws.mu.Lock()
	ws.closed = true
	conns := make([]*wsConn, 0, len(ws.conns))
	for c := range ws.conns {
		conns = append(conns, c)
	}
	ws.mu.Unlock()
	for _, c := range conns {
		c.fail(websocket.StatusGoingAway, "server shutting down")
	}
	done := make(chan struct{})
	go func() {
		ws.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	for _, c := range conns {
		if raw := c.raw; raw != nil {
			raw.Close()
		}
	}
	<-done
}

// hijackTracker hands coder/websocket the hijacked connection with the
// deadlines net/http set for the upgrade request cleared (ServeHTTP set
// a write deadline, the server a read deadline): the connection lives
// on its own timeouts from then on.
type hijackTracker struct {
	http.ResponseWriter
	conn net.Conn
}

func (h *hijackTracker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := c.SetDeadline(time.Time{}); err != nil {
		c.Close()
		return nil, nil, fmt.Errorf("clear deadlines: %w", err)
	}
	h.conn = c
	return c, brw, nil
}

// wsConn is one connection.
type wsConn struct {
	ws     *wsServer
	conn   *websocket.Conn
	raw    net.Conn
	access *Access
	sub    *Subscriber

	replies chan wsOut
	// ctx is the calls' context, cancelled by fail.
	ctx    context.Context
	cancel context.CancelFunc

	closeOnce sync.Once
	closing   chan struct{} // closed by fail
	code      websocket.StatusCode
	reason    string

	// the writer's state (subscribe and unsubscribe run there)
	subErrs int
	addrs   map[string]int // subscription id → its addresses
}

// fail asks the writer to close the connection with code and reason;
// the first call wins.
func (c *wsConn) fail(code websocket.StatusCode, reason string) {
	c.closeOnce.Do(func() {
		c.code, c.reason = code, reason
		close(c.closing)
		c.cancel()
	})
}

func (ws *wsServer) serve(w http.ResponseWriter, r *http.Request, access *Access) {
	ws.mu.Lock()
	closed := ws.closed
	if !closed {
		ws.wg.Add(1)
	}
	ws.mu.Unlock()
	if closed {
		w.Header().Set("Connection", "close")
		http.Error(w, "server shutting down", http.StatusServiceUnavailable)
		return
	}
	defer ws.wg.Done()
	ht := &hijackTracker{ResponseWriter: w}
	conn, err := websocket.Accept(ht, r, &websocket.AcceptOptions{OriginPatterns: ws.cfg.OriginPatterns})
	if err != nil {
		ws.srv.log.Debug("websocket accept", "err", err)
		return
	}
	conn.SetReadLimit(ws.cfg.ReadLimit)
	c := &wsConn{ws: ws, conn: conn, raw: ht.conn, access: access, sub: ws.hub.Attach(),
		replies: make(chan wsOut, 16), closing: make(chan struct{}), addrs: map[string]int{}}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	defer c.cancel()
	defer c.sub.Close()
	ws.mu.Lock()
	if ws.closed { // Shutdown came during the upgrade
		c.fail(websocket.StatusGoingAway, "server shutting down")
	}
	ws.conns[c] = struct{}{}
	ws.mu.Unlock()
	defer func() {
		ws.mu.Lock()
		delete(ws.conns, c)
		ws.mu.Unlock()
	}()
	readDone := make(chan struct{})
	writeDone := make(chan struct{})
	go func() {
		defer close(writeDone)
		c.writeLoop(readDone)
	}()
	c.readLoop()
	close(readDone)
	<-writeDone
	for { // replies never written give their budget back
		select {
		case out := <-c.replies:
			ws.srv.budget.give(out.held)
		default:
			return
		}
	}
}

// readLoop reads requests until the connection ends.
func (c *wsConn) readLoop() {
	for {
		_, msg, err := c.conn.Read(context.Background())
		if err != nil {
			return
		}
		select {
		case <-c.closing:
			continue // closing: the writer ends the connection
		default:
		}
		if c.access.Revoked() {
			c.fail(websocket.StatusPolicyViolation, "access revoked")
			continue
		}
		reply := c.handleMessage(msg)
		select {
		case c.replies <- reply:
		case <-c.closing:
			c.ws.srv.budget.give(reply.held)
		}
	}
}

// writeLoop writes replies and events, pings, and closes the connection
// when asked (fail), when the hub drops the subscriber (1013), or when
// the reader is done (the client went).
func (c *wsConn) writeLoop(readDone <-chan struct{}) {
	cfg := c.ws.cfg
	ping := time.NewTicker(cfg.PingInterval)
	defer ping.Stop()
	for {
		select {
		case <-c.closing:
			c.flush()
			c.close()
			return
		case <-c.sub.Done():
			c.fail(websocket.StatusTryAgainLater, c.sub.Reason())
			continue
		case <-readDone:
			c.conn.CloseNow()
			return
		default:
		}
		select {
		case <-c.closing:
		case <-c.sub.Done():
		case <-readDone:
		case out := <-c.replies:
			if !c.send(out) {
				return
			}
		case b := <-c.sub.Queue():
			if c.access.Revoked() {
				c.fail(websocket.StatusPolicyViolation, "access revoked")
				continue
			}
			if !c.deliver(b) {
				return
			}
		case <-ping.C:
			if c.access.Revoked() {
				c.fail(websocket.StatusPolicyViolation, "access revoked")
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), cfg.PingInterval)
			err := c.conn.Ping(ctx)
			cancel()
			if err != nil {
				c.conn.CloseNow()
				return
			}
		}
	}
}

// wsOut is a reply to write: its bytes, or a job that makes them in the
// writer (a message with subscribe or unsubscribe calls).
type wsOut struct {
	b    []byte
	job  func() []byte
	held int64 // in-flight budget its call replies hold until written
}

// send writes out's reply and gives back the budget it held.
func (c *wsConn) send(out wsOut) bool {
	defer c.ws.srv.budget.give(out.held)
	return c.write(out.bytes())
}

func (o wsOut) bytes() []byte {
	if o.job != nil {
		return o.job()
	}
	return o.b
}

// flush writes the replies already queued, before a close: a client
// learns why its last calls failed.
func (c *wsConn) flush() {
	for {
		select {
		case out := <-c.replies:
			if !c.send(out) {
				return
			}
		default:
			return
		}
	}
}

// close ends the connection with the code fail set.
func (c *wsConn) close() {
	if err := c.conn.Close(c.code, c.reason); err != nil {
		c.conn.CloseNow()
	}
}

// write sends one message; false when the connection failed (it is
// closed then).
func (c *wsConn) write(b []byte) bool {
	ctx, cancel := context.WithTimeout(context.Background(), c.ws.cfg.WriteTimeout)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		c.conn.CloseNow()
		return false
	}
	return true
}

// deliver writes the notifications of b.
func (c *wsConn) deliver(b *HubBatch) bool {
	ok := true
	var buf []byte
	c.sub.Expand(b, func(n Notice) bool {
		select {
		case <-c.closing:
			return false
		default:
		}
		if y := c.ws.cfg.Yield; y != nil {
			y(c.ctx)
		}
		if n.Resync != nil {
			buf = appendResync(buf[:0], n.Sub.ID, n.Resync)
		} else {
			buf = c.appendEvent(buf[:0], n.Sub, n.Event)
		}
		ok = c.write(buf)
		return ok
	})
	return ok
}

func appendResync(b []byte, id string, r *HubResync) []byte {
	p, _ := json.Marshal(struct {
		Subscription string `json:"subscription"`
		HubResync
	}{id, *r})
	b = append(b, `{"jsonrpc":"2.0","method":"resync","params":`...)
	b = append(b, p...)
	return append(b, '}')
}

// appendEvent appends the "event" notification of e for sub: the
// event's data with, for txs events, the addresses sub matched and,
// when sub asked for rawtx, the transaction's hex.
func (c *wsConn) appendEvent(b []byte, sub *HubSub, e *HubEvent) []byte {
	b = append(b, `{"jsonrpc":"2.0","method":"event","params":{"subscription":`...)
	b = strconv.AppendQuote(b, sub.ID)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, `,"topic":`...)
	b = appendJSONString(b, e.Topic)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, e.Type)
	b = append(b, `,"height":`...)
	b = strconv.AppendInt(b, int64(e.Height), 10)
	b = append(b, `,"hash":"`...)
	b = append(b, e.Hash.String()...)
	b = append(b, `","data":`...)
	data := e.DataJSON()
	var extra []byte
	if e.Topic == TopicTxs {
		extra = append(extra, `"addresses":[`...)
		addrs := e.addresses(func(sc []byte) string { return scriptAddress(sc, c.ws.cfg.Params) })
		for i, j := range sub.Matched(e) {
			if i > 0 {
				extra = append(extra, ',')
			}
			extra = appendJSONString(extra, addrs[j])
		}
		extra = append(extra, ']')
	}
	if sub.RawTx && e.Tx != nil {
		if len(extra) > 0 {
			extra = append(extra, ',')
		}
		extra = append(extra, `"hex":"`...)
		extra = append(extra, e.txHex()...)
		extra = append(extra, '"')
	}
	if len(extra) == 0 {
		b = append(b, data...)
	} else {
		b = append(b, '{')
		b = append(b, extra...)
		if len(data) > 2 {
			b = append(b, ',')
		}
		b = append(b, data[1:]...)
	}
	return append(b, "}}"...)
}

// scriptAddress is the address of an output script, or its hex when it
// has none.
func scriptAddress(sc []byte, params *chaincfg.Params) string {
	if params != nil {
		if a, ok := address.FromPkScript(sc, params); ok {
			return a.String()
		}
	}
	return hex.EncodeToString(sc)
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}

// wsResponse is a reply on the WebSocket: the server's reply with
// "jsonrpc":"2.0".
type wsResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	Result  any             `json:"result"`
	Error   *Error          `json:"error"`
	ID      json.RawMessage `json:"id"`
}

// handleMessage runs one message's calls and returns its reply: the
// bytes, or a job for the writer when the message holds subscribe or
// unsubscribe calls (the other calls have run by then).
func (c *wsConn) handleMessage(msg []byte) wsOut {
	items, batch, derr := decodeWSRequest(msg, c.ws.srv.limits.MaxBatch)
	if derr != nil {
		b, _ := json.Marshal(wsResponse{JSONRPC: "2.0", Error: publicError(derr), ID: nullID})
		return wsOut{b: b}
	}
	parts := make([][]byte, len(items))
	local := false
	budget := &c.ws.srv.budget
	var held int64
	for i, it := range items {
		if it.kind != wsCallKind {
			local = true
			continue
		}
		// As an HTTP batch: each reply is charged to the server's
		// in-flight budget until written; once it is spent the calls
		// left are not run.
		if budget.spent() {
			b, _ := json.Marshal(wsResponse{JSONRPC: "2.0", ID: it.id, Error: Errorf(CodeOutOfMemory,
				"not run: replies fill the server's in-flight budget of %d bytes; send fewer calls at once", budget.max)})
			parts[i] = b
			continue
		}
		parts[i] = c.call(it)
		budget.add(int64(len(parts[i])))
		held += int64(len(parts[i]))
	}
	build := func() []byte {
		for i, it := range items {
			if it.kind != wsCallKind {
				parts[i] = c.localReply(it)
			}
		}
		if !batch {
			return parts[0]
		}
		return append(append([]byte{'['}, bytes.Join(parts, []byte{','})...), ']')
	}
	if local {
		return wsOut{job: build, held: held}
	}
	return wsOut{b: build(), held: held}
}

// localReply runs a subscribe or unsubscribe (in the writer) and
// returns its reply.
func (c *wsConn) localReply(it wsItem) []byte {
	result, err := c.local(it)
	resp := wsResponse{JSONRPC: "2.0", Result: result, ID: it.id}
	if err != nil {
		resp.Result, resp.Error = nil, publicError(err)
	}
	b, merr := json.Marshal(resp)
	if merr != nil {
		b, _ = json.Marshal(wsResponse{JSONRPC: "2.0", Error: Errorf(CodeInternal, "encode response"), ID: it.id})
	}
	return b
}

// call runs a call through the server (in the reader).
func (c *wsConn) call(it wsItem) []byte {
	ctx, cancel := context.WithTimeout(c.ctx, c.ws.srv.limits.Timeout)
	defer cancel()
	return withJSONRPC(c.ws.srv.Call(ctx, it.raw, c.access))
}

// withJSONRPC adds "jsonrpc":"2.0" to an encoded reply object.
func withJSONRPC(b []byte) []byte {
	if len(b) < 2 || b[0] != '{' {
		return b
	}
	out := make([]byte, 0, len(b)+17)
	out = append(out, `{"jsonrpc":"2.0",`...)
	return append(out, b[1:]...)
}

// local runs subscribe or unsubscribe. A refused subscribe counts
// against MaxSubscribeErrors.
func (c *wsConn) local(it wsItem) (any, error) {
	if it.kind == wsUnsubscribe {
		if it.err != nil {
			return nil, it.err
		}
		if !c.sub.Unsubscribe(it.unsub) {
			return nil, Errorf(CodeInvalidParam, "no subscription %q on this connection", it.unsub)
		}
		delete(c.addrs, it.unsub)
		return true, nil
	}
	res, err := c.subscribe(it)
	if err != nil {
		if c.subErrs++; c.subErrs > c.ws.cfg.MaxSubscribeErrors {
			c.fail(websocket.StatusPolicyViolation, "too many refused subscribe calls")
		}
	}
	return res, err
}

// subscribeResult is subscribe's result.
type subscribeResult struct {
	Subscription string `json:"subscription"`
	Tip          HubTip `json:"tip"`
}

func (c *wsConn) subscribe(it wsItem) (any, error) {
	cfg := c.ws.cfg
	if !c.access.Allows(EventsPerm) {
		return nil, Errorf(CodeForbidden, "subscribe not allowed for this user")
	}
	if it.err != nil {
		return nil, it.err
	}
	p := it.sub
	if slices.Contains(p.Topics, TopicLog) && !c.access.Operator() {
		return nil, Errorf(CodeForbidden, "topic log needs the operator's login (the cookie, or an rpcauth user without a whitelist), not %s", c.access)
	}
	if c.sub.Len() >= cfg.MaxSubscriptions {
		return nil, Errorf(CodeInvalidParam, "too many subscriptions: at most %d per connection", cfg.MaxSubscriptions)
	}
	used := 0
	for _, n := range c.addrs {
		used += n
	}
	if used+len(p.Addresses) > cfg.MaxAddresses {
		return nil, Errorf(CodeInvalidParam, "too many addresses: at most %d per connection", cfg.MaxAddresses)
	}
	if slices.Contains(p.Topics, TopicTxs) && len(p.Addresses) == 0 {
		return nil, Errorf(CodeInvalidParam, "topic txs needs addresses")
	}
	f := HubFilter{Topics: p.Topics, RawTx: p.RawTx}
	for _, s := range p.Addresses {
		a, err := address.Decode(s, cfg.Params)
		if err != nil {
			return nil, Errorf(CodeInvalidAddress, "invalid address %q", s)
		}
		f.Scripts = append(f.Scripts, a.PkScript())
	}
	var since *chainhash.Hash
	if p.Since != "" {
		h, err := chainhash.NewHashFromStr(p.Since)
		if err != nil || len(p.Since) != 2*chainhash.HashSize {
			return nil, Errorf(CodeInvalidParam, "since must be a block hash (64 hex digits)")
		}
		since = &h
	}
	sub, tip, err := c.sub.Subscribe(f, since)
	if err != nil {
		return nil, Errorf(CodeInvalidParam, "%v", err)
	}
	c.addrs[sub.ID] = len(p.Addresses)
	return subscribeResult{Subscription: sub.ID, Tip: tip}, nil
}

// The WebSocket request decoder: a message is one JSON-RPC request or a
// batch (decodeBody); each request is a call for Server.Call, or a
// subscribe or unsubscribe the connection handles itself, whose params
// are decoded strictly here.

type wsKind uint8

const (
	wsCallKind wsKind = iota
	wsSubscribe
	wsUnsubscribe
)

// wsItem is one request of a message.
type wsItem struct {
	kind  wsKind
	raw   []byte          // the request (wsCallKind)
	id    json.RawMessage // subscribe and unsubscribe
	sub   wsSubscribeParams
	unsub string
	err   *Error // params refused
}

// wsSubscribeParams are subscribe's params.
type wsSubscribeParams struct {
	Topics    []string
	Addresses []string
	Since     string
	RawTx     bool
}

// decodeWSRequest decodes a message into its requests. err refuses the
// whole message (invalid JSON, a bad batch); a request's own faults are
// answered by Server.Call or by its item's err.
func decodeWSRequest(msg []byte, maxBatch int) (items []wsItem, batch bool, err *Error) {
	single, list, derr := decodeBody(msg, maxBatch)
	if derr != nil {
		return nil, false, derr
	}
	if list == nil {
		return []wsItem{decodeWSItem(single)}, false, nil
	}
	items = make([]wsItem, len(list))
	for i, raw := range list {
		items[i] = decodeWSItem(raw)
	}
	return items, true, nil
}

func decodeWSItem(raw []byte) wsItem {
	req, rerr := decodeRequest(raw)
	if rerr != nil {
		return wsItem{kind: wsCallKind, raw: raw}
	}
	switch req.Method {
	case "subscribe":
		it := wsItem{kind: wsSubscribe, id: req.ID}
		it.sub, it.err = decodeSubscribeParams(req.Params)
		return it
	case "unsubscribe":
		it := wsItem{kind: wsUnsubscribe, id: req.ID}
		it.unsub, it.err = decodeUnsubscribeParams(req.Params)
		return it
	}
	return wsItem{kind: wsCallKind, raw: raw}
}

// paramObject returns the members of params given as an object, or as
// an array holding one object; keys are matched exactly against known.
func paramObject(params json.RawMessage, known ...string) (map[string]json.RawMessage, *Error) {
	params = bytes.TrimSpace(params)
	if len(params) > 0 && params[0] == '[' {
		var arr []json.RawMessage
		if err := json.Unmarshal(params, &arr); err != nil || len(arr) != 1 {
			return nil, Errorf(CodeInvalidParams, "params must be an object (or an array of one object)")
		}
		params = bytes.TrimSpace(arr[0])
	}
	if len(params) == 0 || params[0] != '{' {
		return nil, Errorf(CodeInvalidParams, "params must be an object (or an array of one object)")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(params, &m); err != nil {
		return nil, Errorf(CodeInvalidParams, "params must be an object")
	}
	for k := range m {
		if !slices.Contains(known, k) {
			return nil, Errorf(CodeInvalidParam, "unknown param %q", k)
		}
	}
	return m, nil
}

func decodeSubscribeParams(params json.RawMessage) (p wsSubscribeParams, _ *Error) {
	m, err := paramObject(params, "topics", "addresses", "since", "rawtx")
	if err != nil {
		return p, err
	}
	if v, ok := m["topics"]; !ok || json.Unmarshal(v, &p.Topics) != nil {
		return p, Errorf(CodeInvalidParam, "topics must be an array of topic names")
	}
	if len(p.Topics) == 0 {
		return p, Errorf(CodeInvalidParam, "topics: at least one topic")
	}
	for _, t := range p.Topics {
		if topicBit(t) == 0 {
			return p, Errorf(CodeInvalidParam, "unknown topic %q", t)
		}
	}
	if v, ok := m["addresses"]; ok && string(v) != "null" && json.Unmarshal(v, &p.Addresses) != nil {
		return p, Errorf(CodeInvalidParam, "addresses must be an array of strings")
	}
	if v, ok := m["since"]; ok && string(v) != "null" && json.Unmarshal(v, &p.Since) != nil {
		return p, Errorf(CodeInvalidParam, "since must be a block hash string")
	}
	if v, ok := m["rawtx"]; ok && string(v) != "null" && json.Unmarshal(v, &p.RawTx) != nil {
		return p, Errorf(CodeInvalidParam, "rawtx must be true or false")
	}
	return p, nil
}

func decodeUnsubscribeParams(params json.RawMessage) (string, *Error) {
	m, err := paramObject(params, "subscription")
	if err != nil {
		return "", err
	}
	var id string
	if v, ok := m["subscription"]; !ok || json.Unmarshal(v, &id) != nil || id == "" {
		return "", Errorf(CodeInvalidParam, "subscription must be a subscription id string")
	}
	return id, nil
}
