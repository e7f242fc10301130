package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
)

// WSPath is the WebSocket endpoint on gg-node's RPC listener.
const WSPath = "/ws"

// Errors of the WebSocket client.
var (
	// ErrNoWebSocket means the server answered the upgrade with 404: it
	// has no WebSocket endpoint (an older node, a wallet service).
	ErrNoWebSocket = errors.New("rpc: the node serves no WebSocket")
	// ErrForbidden means the login may not use the WebSocket (HTTP 403).
	ErrForbidden = errors.New("rpc: not allowed")
	// ErrWSClosed matches every end of a WebSocket connection: the
	// node's close (a *CloseError), a lost connection, the client's
	// Close.
	ErrWSClosed = errors.New("websocket closed")
	// ErrSlowConsumer matches the node's close for a client that does
	// not read its events fast enough (code 1013), and a subscription
	// whose queue on the client's side overflowed.
	ErrSlowConsumer = errors.New("slow consumer")
	// ErrPolicy matches the node's close for a policy reason (code
	// 1008): a revoked token, a login no longer allowed, abuse.
	ErrPolicy = errors.New("closed by the node's policy")
	// ErrTooBig matches the node's close for a message over its read
	// limit (code 1009).
	ErrTooBig = errors.New("message too big")
)

// Close codes the node uses on its WebSocket (events-spec).
const (
	CloseNormal        = int(websocket.StatusNormalClosure)
	CloseGoingAway     = int(websocket.StatusGoingAway)
	ClosePolicy        = int(websocket.StatusPolicyViolation)
	CloseTooBig        = int(websocket.StatusMessageTooBig)
	CloseTryAgainLater = int(websocket.StatusTryAgainLater)
)

// CloseError is the node's close of a WebSocket connection: its code and
// reason. It matches ErrWSClosed, and ErrSlowConsumer (1013), ErrPolicy
// (1008) or ErrTooBig (1009) by its code.
type CloseError struct {
	Code   int
	Reason string
}

func (e *CloseError) Error() string {
	what := map[int]string{ClosePolicy: "policy", CloseTooBig: "message too big", CloseTryAgainLater: "try again later",
		CloseNormal: "normal", CloseGoingAway: "going away"}[e.Code]
	if what == "" {
		what = "code"
	}
	s := fmt.Sprintf("rpc: the node closed the WebSocket (%s, %d)", what, e.Code)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Is matches ErrWSClosed and the sentinel of e's code.
func (e *CloseError) Is(target error) bool {
	switch target {
	case ErrWSClosed:
		return true
	case ErrSlowConsumer:
		return e.Code == CloseTryAgainLater
	case ErrPolicy:
		return e.Code == ClosePolicy
	case ErrTooBig:
		return e.Code == CloseTooBig
	}
	return false
}

// Credentials are what a WebSocket client logs in with: basic
// credentials (the cookie, an rpcauth user's password) or an API token,
// sent as "Authorization: Bearer TOKEN".
type Credentials struct {
	User, Pass string
	Token      string
	// From names the credentials for the error when the node refuses
	// them, as Client.Creds; Cookie: they came from a cookie file.
	From   string
	Cookie bool
}

// WSURL is the WebSocket URL of a node RPC URL: http becomes ws, https
// wss, and the path /ws (added to the URL's path unless it ends in it).
// ws:// and wss:// URLs are taken as they are.
func WSURL(rpcURL string) (string, error) {
	s := rpcURL
	switch {
	case strings.HasPrefix(s, "ws://"):
		s = "http://" + s[len("ws://"):]
	case strings.HasPrefix(s, "wss://"):
		s = "https://" + s[len("wss://"):]
	}
	u, err := ParseURL(s)
	if err != nil {
		return "", err
	}
	u.User = nil
	if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	if !strings.HasSuffix(u.Path, WSPath) {
		u.Path = strings.TrimSuffix(u.Path, "/") + WSPath
	}
	return u.String(), nil
}

// WSClient is a JSON-RPC 2.0 client over a node's WebSocket (/ws): any
// method callable as over HTTP, and event subscriptions, on one
// connection. One goroutine reads the connection; its methods are safe
// for concurrent use. Each subscription buffers up to QueueLen events
// for its reader: one that falls further behind ends with an error
// matching ErrSlowConsumer (the node does the same on its side, closing
// the connection with 1013), so a slow reader never stalls the calls
// sharing the connection.
type WSClient struct {
	URL string

	conn  *websocket.Conn
	creds Credentials
	id    atomic.Int64
	qlen  int

	mu      sync.Mutex
	pending map[int64]*wsPending
	subs    map[string]*Subscription
	err     error // why the connection ended; set once, before done closes
	done    chan struct{}
}

// DefaultWSQueue is a subscription's client-side queue, in events.
const DefaultWSQueue = 4096

// maxWSMessage bounds a message from the node (a reply holding a block).
const maxWSMessage = 256 << 20

// DialWS connects to the WebSocket of the node at rpcURL (an RPC URL,
// see WSURL) with creds. A node without /ws gives an error wrapping
// ErrNoWebSocket, refused credentials an *AuthError, no connection one
// wrapping ErrNoNode.
func DialWS(ctx context.Context, rpcURL string, creds Credentials) (*WSClient, error) {
	wsURL, err := WSURL(rpcURL)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	switch {
	case creds.Token != "":
		h.Set("Authorization", "Bearer "+creds.Token)
	case creds.User != "" || creds.Pass != "":
		r := http.Request{Header: h}
		r.SetBasicAuth(creds.User, creds.Pass)
	}
	conn, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, dialError(wsURL, creds, resp, err)
	}
	conn.SetReadLimit(maxWSMessage)
	c := &WSClient{URL: wsURL, conn: conn, creds: creds, qlen: DefaultWSQueue, pending: map[int64]*wsPending{},
		subs: map[string]*Subscription{}, done: make(chan struct{})}
	go c.read()
	return c, nil
}

// DialWS connects to the WebSocket of the node c calls, with c's
// credentials.
func (c *Client) DialWS(ctx context.Context) (*WSClient, error) {
	creds := Credentials{User: c.User, Pass: c.Pass, From: c.Creds, Cookie: c.cookie}
	if creds.From == "" && (c.User != "" || c.Pass != "") {
		creds.From = fmt.Sprintf("the password of user %q", c.User)
	}
	return DialWS(ctx, c.URL, creds)
}

// dialError words a failed upgrade by the node's answer.
func dialError(wsURL string, creds Credentials, resp *http.Response, err error) error {
	if resp == nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("rpc: websocket %s: %w", wsURL, err)
		}
		return fmt.Errorf("%w at %s: %v", ErrNoNode, wsURL, unwrapDial(err))
	}
	var body []byte
	if resp.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, 1024))
	}
	msg := strings.TrimSpace(string(body))
	var re routeError
	if json.Unmarshal(body, &re) == nil && re.Error != "" {
		msg = re.Error
	}
	switch resp.StatusCode {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		// A node without routes answers a GET with 405 (JSON-RPC is
		// POST only); one with other routes but no /ws with 404.
		return fmt.Errorf("%w at %s (HTTP %d)", ErrNoWebSocket, wsURL, resp.StatusCode)
	case http.StatusUnauthorized:
		return &AuthError{URL: wsURL, Creds: creds.From, Cookie: creds.Cookie}
	case http.StatusForbidden:
		return fmt.Errorf("%w: %s", ErrForbidden, msg)
	case http.StatusTooManyRequests:
		return fmt.Errorf("%w at %s: too many failed logins from this address, retry in %s s", ErrRefused, wsURL, resp.Header.Get("Retry-After"))
	case http.StatusServiceUnavailable:
		return fmt.Errorf("%w at %s: node busy (%s), retry", ErrRefused, wsURL, msg)
	}
	return fmt.Errorf("rpc: websocket %s: HTTP %d: %s", wsURL, resp.StatusCode, msg)
}

// unwrapDial drops the websocket library's "failed to WebSocket dial:"
// wrapping from a transport error.
func unwrapDial(err error) error {
	for {
		var ue *url.Error
		if errors.As(err, &ue) {
			return ue.Err
		}
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// SetQueueLen sets the client-side queue of subscriptions made from now
// on (n events, at least 1).
func (c *WSClient) SetQueueLen(n int) {
	c.mu.Lock()
	c.qlen = max(n, 1)
	c.mu.Unlock()
}

// Done is closed when the connection has ended; Err then says why.
func (c *WSClient) Done() <-chan struct{} { return c.done }

// Err is why the connection ended (a *CloseError for the node's close;
// every error matches ErrWSClosed), or nil while it is open.
func (c *WSClient) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// Close closes the connection normally; calls waiting and subscriptions
// end with an error matching ErrWSClosed.
func (c *WSClient) Close() error {
	c.finish(fmt.Errorf("rpc: websocket client closed: %w", ErrWSClosed))
	c.conn.Close(websocket.StatusNormalClosure, "") // an error: the connection had ended already
	return nil
}

// wsPending is a call waiting for its reply.
type wsPending struct {
	reply chan wsAnswer
	sub   *Subscription // a subscribe call: registered when its reply is read
}

type wsAnswer struct {
	Result json.RawMessage `json:"result"`
	Error  *Error          `json:"error"`
	ID     json.RawMessage `json:"id"`
	err    error
}

// Call invokes method with positional params over the WebSocket and
// decodes the result into out, as Client.Call.
func (c *WSClient) Call(ctx context.Context, method string, out any, params ...any) error {
	if params == nil {
		params = []any{}
	}
	return c.call(ctx, method, out, params, nil)
}

// CallNamed invokes method with named params, as Client.CallNamed.
func (c *WSClient) CallNamed(ctx context.Context, method string, out any, params map[string]any) error {
	if params == nil {
		params = map[string]any{}
	}
	return c.call(ctx, method, out, params, nil)
}

func (c *WSClient) call(ctx context.Context, method string, out any, params any, sub *Subscription) error {
	id := c.id.Add(1)
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	if err != nil {
		return err
	}
	wc := &wsPending{reply: make(chan wsAnswer, 1), sub: sub}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return c.err
	}
	c.pending[id] = wc
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()
	if err := c.conn.Write(ctx, websocket.MessageText, body); err != nil {
		if cerr := c.Err(); cerr != nil {
			return cerr
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("rpc: websocket %s: send %s: %w", c.URL, method, err)
	}
	var r wsAnswer
	select {
	case r = <-wc.reply:
	case <-ctx.Done():
		return ctx.Err()
	}
	switch {
	case r.err != nil:
		return r.err
	case r.Error != nil:
		return r.Error
	case out == nil:
		return nil
	}
	if rm, ok := out.(*json.RawMessage); ok {
		*rm = append((*rm)[:0], r.Result...)
		return nil
	}
	return json.Unmarshal(r.Result, out)
}

// SubscribeParams are the params of the node's subscribe method.
type SubscribeParams struct {
	// Topics: blocks, mempool, txs, producers, props, contracts, peers,
	// log.
	Topics []string `json:"topics"`
	// Addresses filter txs (required for it) and props.
	Addresses []string `json:"addresses,omitempty"`
	// Since resumes after this block hash: the events the client missed
	// from the node's backlog, or a Resync first when it has not got
	// them.
	Since string `json:"since,omitempty"`
	// RawTx adds each transaction's hex to mempool and txs events.
	RawTx bool `json:"rawtx,omitempty"`
}

// BlockRef names a block: its height and hash.
type BlockRef struct {
	Height int32  `json:"height"`
	Hash   string `json:"hash"`
}

// Event is one event of a subscription (the params of an "event"
// notification).
type Event struct {
	Subscription string `json:"subscription"`
	// Seq is the node's event sequence number, increasing within one
	// run of the node.
	Seq   uint64 `json:"seq"`
	Topic string `json:"topic"`
	Type  string `json:"type"` // e.g. block.connected, prop.received.undone
	// Height and Hash are the block the event belongs to (the tip, for
	// a mempool event).
	Height int32           `json:"height"`
	Hash   string          `json:"hash"`
	Data   json.RawMessage `json:"data,omitempty"`
	// Raw is the params object as the node sent it.
	Raw json.RawMessage `json:"-"`
}

// Resync is the node's word that a subscription missed events it cannot
// replay (its Since is not in the backlog): the client must read the
// state afresh, as of Tip, then follow the live events.
type Resync struct {
	Subscription string   `json:"subscription"`
	Reason       string   `json:"reason"`
	Tip          BlockRef `json:"tip"`
}

// Notification is one message of a subscription: an Event or a Resync.
type Notification struct {
	Event  *Event
	Resync *Resync
}

// Subscription is a live subscription: its events, in the node's order,
// from Next.
type Subscription struct {
	ID  string
	Tip BlockRef // the node's tip when it subscribed

	c    *WSClient
	ch   chan Notification
	qlen int

	mu   sync.Mutex
	err  error // why it ended; set once, before done closes
	done chan struct{}
}

// Subscribe subscribes to p's topics. The events come from Next; a
// param the node refuses (an unknown topic, txs without addresses, too
// many subscriptions) comes back as its *Error.
func (c *WSClient) Subscribe(ctx context.Context, p SubscribeParams) (*Subscription, error) {
	c.mu.Lock()
	qlen := c.qlen
	c.mu.Unlock()
	s := &Subscription{c: c, ch: make(chan Notification, qlen), qlen: qlen, done: make(chan struct{})}
	var res struct {
		Subscription string   `json:"subscription"`
		Tip          BlockRef `json:"tip"`
	}
	if err := c.call(ctx, "subscribe", &res, p, s); err != nil {
		return nil, err
	}
	// The reader registered s under its id (register) before reading on.
	s.Tip = res.Tip
	return s, nil
}

// Next returns the subscription's next notification, waiting for it.
// Once the subscription has ended (the connection closed, the client's
// queue overflowed) and its queue is read, it returns why, an error
// matching ErrWSClosed or ErrSlowConsumer.
func (s *Subscription) Next(ctx context.Context) (Notification, error) {
	select {
	case n := <-s.ch:
		return n, nil
	default:
	}
	select {
	case n := <-s.ch:
		return n, nil
	case <-s.done:
		select {
		case n := <-s.ch:
			return n, nil
		default:
		}
		return Notification{}, s.err
	case <-ctx.Done():
		return Notification{}, ctx.Err()
	}
}

// Done is closed when the subscription has ended (its queue may still
// hold notifications for Next).
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Unsubscribe ends the subscription at the node; Next then returns an
// error matching ErrWSClosed once the queue is read.
func (s *Subscription) Unsubscribe(ctx context.Context) error {
	s.c.drop(s, fmt.Errorf("rpc: subscription %s: unsubscribed: %w", s.ID, ErrWSClosed))
	return s.c.call(ctx, "unsubscribe", nil, map[string]string{"subscription": s.ID}, nil)
}

// end ends s with err (once).
func (s *Subscription) end(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return
	}
	s.err = err
	close(s.done)
}

// drop forgets s and ends it with err.
func (c *WSClient) drop(s *Subscription, err error) {
	c.mu.Lock()
	if c.subs[s.ID] == s {
		delete(c.subs, s.ID)
	}
	c.mu.Unlock()
	s.end(err)
}

// read reads the connection until it ends, routing replies to their
// calls and notifications to their subscriptions.
func (c *WSClient) read() {
	for {
		_, msg, err := c.conn.Read(context.Background())
		if err != nil {
			c.finish(c.closeError(err))
			return
		}
		c.route(msg)
	}
}

// closeError is the error a read ended with, typed.
func (c *WSClient) closeError(err error) error {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		return &CloseError{Code: int(ce.Code), Reason: ce.Reason}
	}
	if errors.Is(err, websocket.ErrMessageTooBig) {
		return fmt.Errorf("rpc: websocket %s: a message from the node exceeds %d bytes: %w", c.URL, maxWSMessage, ErrTooBig)
	}
	return fmt.Errorf("rpc: websocket %s: connection lost: %w (%w)", c.URL, ErrWSClosed, err)
}

// finish records why the connection ended (the first reason wins) and
// ends every call and subscription with it.
func (c *WSClient) finish(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	pending, subs := c.pending, c.subs
	c.pending, c.subs = map[int64]*wsPending{}, map[string]*Subscription{}
	close(c.done)
	c.mu.Unlock()
	for _, wc := range pending {
		wc.reply <- wsAnswer{err: err}
	}
	for _, s := range subs {
		s.end(err)
	}
}

// route handles one message from the node.
func (c *WSClient) route(msg []byte) {
	var m struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params json.RawMessage `json:"params"`
		Result json.RawMessage `json:"result"`
		Error  *Error          `json:"error"`
	}
	if bytes.HasPrefix(bytes.TrimSpace(msg), []byte("[")) {
		return // a batch reply: this client sends no batches
	}
	if err := json.Unmarshal(msg, &m); err != nil {
		return
	}
	if m.Method != "" {
		c.notify(m.Method, m.Params)
		return
	}
	var id int64
	if json.Unmarshal(m.ID, &id) != nil {
		return
	}
	c.mu.Lock()
	wc := c.pending[id]
	delete(c.pending, id)
	c.mu.Unlock()
	if wc == nil {
		return // its caller gave up
	}
	r := wsAnswer{Result: m.Result, Error: m.Error}
	if wc.sub != nil && m.Error == nil {
		var res struct {
			Subscription string `json:"subscription"`
		}
		if err := json.Unmarshal(m.Result, &res); err != nil || res.Subscription == "" {
			r.err = fmt.Errorf("rpc: subscribe: bad reply %s", bytes.TrimSpace(m.Result))
		} else {
			c.register(wc.sub, res.Subscription)
		}
	}
	wc.reply <- r
}

// register files s under id. The node writes a subscribe reply before
// the subscription's first notification, and the reader registers it
// before reading on, so none comes before it.
func (c *WSClient) register(s *Subscription, id string) {
	s.ID = id
	c.mu.Lock()
	c.subs[id] = s
	c.mu.Unlock()
}

// notify handles a notification: an event or a resync.
func (c *WSClient) notify(method string, params json.RawMessage) {
	var n Notification
	var id string
	switch method {
	case "event":
		var ev Event
		if json.Unmarshal(params, &ev) != nil {
			return
		}
		ev.Raw = append(json.RawMessage(nil), params...)
		n.Event, id = &ev, ev.Subscription
	case "resync":
		var rs Resync
		if json.Unmarshal(params, &rs) != nil {
			return
		}
		n.Resync, id = &rs, rs.Subscription
	default:
		return
	}
	c.mu.Lock()
	s := c.subs[id]
	if s == nil { // unsubscribed, dropped, or its caller gave up
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	c.deliver(s, n)
}

// deliver queues n for s's reader; a full queue ends s (and unsubscribes
// it at the node) rather than stall the connection.
func (c *WSClient) deliver(s *Subscription, n Notification) {
	select {
	case <-s.done:
		return
	default:
	}
	select {
	case s.ch <- n:
	default:
		c.drop(s, fmt.Errorf("rpc: subscription %s: %w: the client's queue of %d events is full", s.ID, ErrSlowConsumer, s.qlen))
		go c.call(context.Background(), "unsubscribe", nil, map[string]string{"subscription": s.ID}, nil)
	}
}
