package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/wire"
)

// userAuth logs users in by name (any password) with their Access.
type userAuth map[string]*Access

func (u userAuth) Authenticate(user, _ string) (*Access, bool) {
	a, ok := u[user]
	return a, ok
}

// wsTestServer serves a hub on /ws over a real listener, with an echo
// and a nap method, for the users of auth.
func wsTestServer(t *testing.T, auth userAuth, limits Limits, hcfg HubConfig, cfg WSConfig) (*Server, *Hub, string) {
	t.Helper()
	s := NewServer(auth, limits, nil)
	s.Register(
		Method{Name: "echo", Handler: func(_ context.Context, p json.RawMessage) (any, error) {
			var v any
			if err := ParseParams(p, []string{"value"}, 1, &v); err != nil {
				return nil, err
			}
			return v, nil
		}},
		Method{Name: "nap", Handler: func(_ context.Context, p json.RawMessage) (any, error) {
			var ms int
			if err := ParseParams(p, []string{"ms"}, 1, &ms); err != nil {
				return nil, err
			}
			time.Sleep(time.Duration(ms) * time.Millisecond) // outlives the upgrade request's deadlines
			return "rested", nil
		}},
	)
	hub := NewHub(hcfg)
	if cfg.Params == nil {
		cfg.Params = chaincfg.RegTestParams
	}
	s.ServeWebSocket(hub, cfg)
	return s, hub, serveTCP(t, s)
}

// testWS is a test client.
type testWS struct {
	t    *testing.T
	conn *websocket.Conn
	id   int
}

func dialTestWS(t *testing.T, addr, user string, hdr http.Header) (*testWS, error) {
	t.Helper()
	if hdr == nil {
		hdr = http.Header{}
	}
	req, _ := http.NewRequest("GET", "http://"+addr, nil)
	req.SetBasicAuth(user, "pw")
	hdr.Set("Authorization", req.Header.Get("Authorization"))
	conn, _, err := websocket.Dial(t.Context(), "ws://"+addr+"/ws", &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(64 << 20)
	t.Cleanup(func() { conn.CloseNow() })
	return &testWS{t: t, conn: conn}, nil
}

func mustDial(t *testing.T, addr, user string) *testWS {
	t.Helper()
	w, err := dialTestWS(t, addr, user, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *testWS) send(s string) error {
	return w.conn.Write(w.t.Context(), websocket.MessageText, []byte(s))
}

// read returns the next message, or the error ending the connection.
func (w *testWS) read() ([]byte, error) {
	ctx, cancel := context.WithTimeout(w.t.Context(), time.Minute) // a hang guard, not a timing assert
	defer cancel()
	_, b, err := w.conn.Read(ctx)
	return b, err
}

// closeCode reads until the connection ends and returns its close
// status and reason.
func (w *testWS) closeCode() (websocket.StatusCode, string) {
	w.t.Helper()
	for {
		_, err := w.read()
		if err != nil {
			var ce websocket.CloseError
			errors.As(err, &ce)
			return websocket.CloseStatus(err), ce.Reason
		}
	}
}

type wsReply struct {
	JSONRPC string          `json:"jsonrpc"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
	Result  json.RawMessage `json:"result"`
	Error   *Error          `json:"error"`
	ID      json.RawMessage `json:"id"`
}

// call sends a request and returns its reply (skipping notifications).
func (w *testWS) call(method string, params any) wsReply {
	w.t.Helper()
	w.id++
	req, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": w.id, "method": method, "params": params})
	if err := w.send(string(req)); err != nil {
		w.t.Fatalf("send: %v", err)
	}
	for {
		b, err := w.read()
		if err != nil {
			w.t.Fatalf("%s: %v", method, err)
		}
		var r wsReply
		if err := json.Unmarshal(b, &r); err != nil || r.JSONRPC != "2.0" {
			w.t.Fatalf("message %s", b)
		}
		if r.Method == "" {
			return r
		}
	}
}

// event reads the next notification.
func (w *testWS) event() (method string, p eventParams) {
	w.t.Helper()
	b, err := w.read()
	if err != nil {
		w.t.Fatalf("read: %v", err)
	}
	var r wsReply
	if err := json.Unmarshal(b, &r); err != nil || r.Method == "" || r.JSONRPC != "2.0" {
		w.t.Fatalf("not a notification: %s", b)
	}
	json.Unmarshal(r.Params, &p)
	return r.Method, p
}

type eventParams struct {
	Subscription string          `json:"subscription"`
	Seq          uint64          `json:"seq"`
	Topic        string          `json:"topic"`
	Type         string          `json:"type"`
	Height       int32           `json:"height"`
	Hash         string          `json:"hash"`
	Data         json.RawMessage `json:"data"`
	Reason       string          `json:"reason"`
}

func (w *testWS) subscribe(p map[string]any) string {
	w.t.Helper()
	r := w.call("subscribe", p)
	var res struct {
		Subscription string `json:"subscription"`
		Tip          struct {
			Height int32  `json:"height"`
			Hash   string `json:"hash"`
		} `json:"tip"`
	}
	if r.Error != nil || json.Unmarshal(r.Result, &res) != nil || res.Subscription == "" || len(res.Tip.Hash) != 64 {
		w.t.Fatalf("subscribe %v: %s %v", p, r.Result, r.Error)
	}
	return res.Subscription
}

func full() userAuth { return userAuth{"op": FullAccess("op")} }

// TestWSCalls: any method is callable with its reply as over HTTP plus
// "jsonrpc":"2.0", single or batched (subscribe among them); bad JSON is
// a parse error.
func TestWSCalls(t *testing.T) {
	_, _, addr := wsTestServer(t, full(), Limits{}, HubConfig{}, WSConfig{})
	w := mustDial(t, addr, "op")
	if r := w.call("echo", []any{"hi"}); r.Error != nil || string(r.Result) != `"hi"` || string(r.ID) != "1" {
		t.Fatalf("echo: %+v", r)
	}
	if r := w.call("nope", []any{}); r.Error == nil || r.Error.Code != CodeMethodNotFound {
		t.Fatalf("unknown method: %+v", r)
	}
	w.send(`[{"jsonrpc":"2.0","id":"a","method":"echo","params":[1]},{"jsonrpc":"2.0","id":"b","method":"subscribe","params":{"topics":["blocks"]}}]`)
	b, _ := w.read()
	var rs []wsReply
	if err := json.Unmarshal(b, &rs); err != nil || len(rs) != 2 || string(rs[0].Result) != "1" || rs[1].Error != nil ||
		!strings.Contains(string(rs[1].Result), `"subscription"`) || rs[0].JSONRPC != "2.0" || rs[1].JSONRPC != "2.0" {
		t.Fatalf("batch reply %s", b)
	}
	w.send(`{"id":1,`)
	b, _ = w.read()
	if !strings.Contains(string(b), `"code":-32700`) || !strings.HasPrefix(string(b), `{"jsonrpc":"2.0"`) {
		t.Fatalf("bad JSON reply %s", b)
	}
}

// TestWSEvents: a subscription receives its topics' events with seq,
// height and hash; mempool events carry the tip; rawtx adds nothing to
// a blocks event; unsubscribe stops them.
func TestWSEvents(t *testing.T) {
	_, hub, addr := wsTestServer(t, full(), Limits{}, HubConfig{}, WSConfig{})
	w := mustDial(t, addr, "op")
	id := w.subscribe(map[string]any{"topics": []string{"blocks", "mempool"}})
	hub.Publish(connected(7), &HubEvent{Topic: TopicProps, Type: "prop.created", Height: 7, Hash: blockHash(7)})
	hub.Publish(&HubEvent{Topic: TopicMempool, Type: "tx.removed", Data: map[string]any{"txid": "ab", "reason": "mined", "mempool": true}})
	m, p := w.event()
	if m != "event" || p.Subscription != id || p.Type != "block.connected" || p.Height != 7 || p.Hash != blockHash(7).String() || p.Seq != 1 || p.Topic != "blocks" {
		t.Fatalf("first event %s %+v", m, p)
	}
	_, p = w.event()
	if p.Type != "tx.removed" || p.Height != 7 || p.Hash != blockHash(7).String() || string(p.Data) != `{"mempool":true,"reason":"mined","txid":"ab"}` || p.Seq != 3 {
		t.Fatalf("mempool event %+v", p)
	}
	if r := w.call("unsubscribe", map[string]any{"subscription": id}); string(r.Result) != "true" {
		t.Fatalf("unsubscribe: %+v", r)
	}
	if r := w.call("unsubscribe", map[string]any{"subscription": id}); r.Error == nil || r.Error.Code != CodeInvalidParam {
		t.Fatalf("unsubscribe again: %+v", r)
	}
	hub.Publish(connected(8))
	if r := w.call("echo", []any{2}); r.Error != nil {
		t.Fatal(r.Error)
	}
}

// TestWSTxsAddresses: a txs event names the subscription's addresses
// it matched, and the transaction's hex with rawtx.
func TestWSTxsAddresses(t *testing.T) {
	_, hub, addr := wsTestServer(t, full(), Limits{}, HubConfig{}, WSConfig{})
	w := mustDial(t, addr, "op")
	a1 := address.NewP2WPKH(make([]byte, 20), chaincfg.RegTestParams)
	a2 := address.NewP2WPKH(append(make([]byte, 19), 1), chaincfg.RegTestParams)
	w.subscribe(map[string]any{"topics": []string{"txs"}, "addresses": []string{a1.String()}, "rawtx": true})
	hub.Publish(&HubEvent{Topic: TopicTxs, Type: "tx.confirmed", Height: 3, Hash: blockHash(3), Data: map[string]any{"txid": "cd"},
		Scripts: [][]byte{a2.PkScript(), a1.PkScript()}, Tx: sampleTx()})
	_, p := w.event()
	var d struct {
		TxID      string   `json:"txid"`
		Addresses []string `json:"addresses"`
		Hex       string   `json:"hex"`
	}
	if err := json.Unmarshal(p.Data, &d); err != nil || d.TxID != "cd" || len(d.Addresses) != 1 || d.Addresses[0] != a1.String() || d.Hex == "" {
		t.Fatalf("txs event %s", p.Data)
	}
}

// TestWSSubscribeErrors: bad subscribe params are refused with their
// codes, and the connection stays usable.
func TestWSSubscribeErrors(t *testing.T) {
	_, _, addr := wsTestServer(t, full(), Limits{}, HubConfig{}, WSConfig{})
	w := mustDial(t, addr, "op")
	cases := []struct {
		params any
		code   int
		msg    string
	}{
		{map[string]any{"topics": []string{"nope"}}, CodeInvalidParam, `unknown topic "nope"`},
		{map[string]any{"topics": []string{}}, CodeInvalidParam, "at least one topic"},
		{map[string]any{}, CodeInvalidParam, "topics must be"},
		{map[string]any{"topics": []string{"txs"}}, CodeInvalidParam, "txs needs addresses"},
		{map[string]any{"topics": []string{"props"}, "addresses": []string{"tgg1nope"}}, CodeInvalidAddress, "invalid address"},
		{map[string]any{"topics": []string{"blocks"}, "since": "zz"}, CodeInvalidParam, "since must be a block hash"},
		{map[string]any{"topics": []string{"blocks"}, "Topics": []string{"blocks"}}, CodeInvalidParam, `unknown param "Topics"`},
		{[]any{"blocks"}, CodeInvalidParams, "params must be an object"},
		{map[string]any{"topics": "blocks"}, CodeInvalidParam, "topics must be"},
	}
	for _, c := range cases {
		r := w.call("subscribe", c.params)
		if r.Error == nil || r.Error.Code != c.code || !strings.Contains(r.Error.Message, c.msg) {
			t.Errorf("subscribe %v: %+v %+v, want %d %q", c.params, r.Result, r.Error, c.code, c.msg)
		}
	}
	if r := w.call("unsubscribe", []any{}); r.Error == nil || r.Error.Code != CodeInvalidParams {
		t.Errorf("unsubscribe without params: %+v", r.Error)
	}
	w.subscribe(map[string]any{"topics": []string{"blocks"}})
}

// TestWSSubscribeFlood: 1,000 subscribe calls from one client: 16
// subscriptions at most, then errors, then the connection closes with
// 1008; the server keeps serving others.
func TestWSSubscribeFlood(t *testing.T) {
	_, hub, addr := wsTestServer(t, full(), Limits{}, HubConfig{}, WSConfig{})
	w := mustDial(t, addr, "op")
	for i := range 1000 {
		if err := w.send(`{"jsonrpc":"2.0","id":` + itoa(i) + `,"method":"subscribe","params":{"topics":["blocks"]}}`); err != nil {
			break // closed
		}
	}
	ok, refused := 0, 0
	var code websocket.StatusCode
	var reason string
	for {
		b, err := w.read()
		if err != nil {
			var ce websocket.CloseError
			errors.As(err, &ce)
			code, reason = ce.Code, ce.Reason
			break
		}
		var r wsReply
		json.Unmarshal(b, &r)
		switch {
		case r.Error == nil && r.Method == "":
			ok++
		case r.Error != nil && r.Error.Code == CodeInvalidParam && strings.Contains(r.Error.Message, "too many subscriptions"):
			refused++
		default:
			t.Fatalf("message %s", b)
		}
	}
	if code != websocket.StatusPolicyViolation || !strings.Contains(reason, "subscribe") {
		t.Fatalf("close %v %q", code, reason)
	}
	if ok != DefaultWSMaxSubscriptions || refused < DefaultWSMaxSubscribeErrors || refused > 100 {
		t.Fatalf("%d subscribed, %d refused", ok, refused)
	}
	other := mustDial(t, addr, "op")
	other.subscribe(map[string]any{"topics": []string{"blocks"}})
	hub.Publish(connected(1))
	if _, p := other.event(); p.Type != "block.connected" {
		t.Fatalf("other client got %+v", p)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestWSAddressCap: the addresses of a connection's subscriptions are
// bounded together.
func TestWSAddressCap(t *testing.T) {
	_, _, addr := wsTestServer(t, full(), Limits{}, HubConfig{}, WSConfig{MaxAddresses: 2})
	w := mustDial(t, addr, "op")
	a := address.NewP2WPKH(make([]byte, 20), chaincfg.RegTestParams).String()
	w.subscribe(map[string]any{"topics": []string{"txs"}, "addresses": []string{a, a}})
	if r := w.call("subscribe", map[string]any{"topics": []string{"props"}, "addresses": []string{a}}); r.Error == nil ||
		!strings.Contains(r.Error.Message, "too many addresses") {
		t.Fatalf("third address: %+v", r)
	}
}

// TestWSForbidden: a login without the events permission may call its
// methods over /ws but not subscribe (-2); others it lacks are refused.
func TestWSForbidden(t *testing.T) {
	auth := userAuth{"reader": NewAccess("reader", []string{"echo"})}
	_, _, addr := wsTestServer(t, auth, Limits{}, HubConfig{}, WSConfig{})
	w := mustDial(t, addr, "reader")
	if r := w.call("echo", []any{"x"}); r.Error != nil {
		t.Fatalf("echo: %v", r.Error)
	}
	if r := w.call("subscribe", map[string]any{"topics": []string{"blocks"}}); r.Error == nil || r.Error.Code != CodeForbidden {
		t.Fatalf("subscribe: %+v", r)
	}
	if r := w.call("nap", []any{0}); r.Error == nil || r.Error.Code != CodeForbidden {
		t.Fatalf("nap: %+v", r)
	}
	if _, err := dialTestWS(t, addr, "stranger", nil); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("unknown user: %v", err)
	}
}

// TestWSRevoked: once the login's token is revoked, the next request,
// or the next event, closes the connection with 1008.
func TestWSRevoked(t *testing.T) {
	var live1, live2 atomic.Bool
	live1.Store(true)
	live2.Store(true)
	grants := []string{"echo", EventsPerm}
	auth := userAuth{
		"t1": NewAccess("token:t1", grants).WithLive(live1.Load),
		"t2": NewAccess("token:t2", grants).WithLive(live2.Load),
	}
	_, hub, addr := wsTestServer(t, auth, Limits{}, HubConfig{}, WSConfig{})
	w1, w2 := mustDial(t, addr, "t1"), mustDial(t, addr, "t2")
	w1.subscribe(map[string]any{"topics": []string{"blocks"}})
	w2.subscribe(map[string]any{"topics": []string{"blocks"}})
	live1.Store(false)
	w1.send(`{"id":1,"method":"echo","params":[1]}`)
	if code, reason := w1.closeCode(); code != websocket.StatusPolicyViolation || reason != "access revoked" {
		t.Fatalf("request after revocation: close %v %q", code, reason)
	}
	live2.Store(false)
	hub.Publish(connected(1))
	if code, _ := w2.closeCode(); code != websocket.StatusPolicyViolation {
		t.Fatalf("event after revocation: close %v", code)
	}
}

// TestWSMessageTooBig: a message over the read limit closes the
// connection with 1009.
func TestWSMessageTooBig(t *testing.T) {
	_, _, addr := wsTestServer(t, full(), Limits{}, HubConfig{}, WSConfig{})
	w := mustDial(t, addr, "op")
	big := `{"id":1,"method":"echo","params":["` + strings.Repeat("x", DefaultWSReadLimit) + `"]}`
	w.send(big)
	if code, _ := w.closeCode(); code != websocket.StatusMessageTooBig {
		t.Fatalf("close %v", code)
	}
	// Just under the limit is read (and answered: echo bounds its param).
	w = mustDial(t, addr, "op")
	ok := `{"id":1,"method":"echo","params":["` + strings.Repeat("x", DefaultWSReadLimit-40) + `"]}`
	w.send(ok)
	if b, err := w.read(); err != nil || !strings.HasSuffix(string(b), `"id":1}`) {
		t.Fatalf("under the limit: %v %.200s", err, b)
	}
}

// TestWSSlowConsumer: a client that never reads is dropped by the hub
// once its queue is full (Publish never waits for it) and, when it reads
// again, finds the connection closed with 1013; another client keeps
// receiving.
func TestWSSlowConsumer(t *testing.T) {
	_, hub, addr := wsTestServer(t, full(), Limits{}, HubConfig{Backlog: 16}, WSConfig{})
	slow, fast := mustDial(t, addr, "op"), mustDial(t, addr, "op")
	slow.subscribe(map[string]any{"topics": []string{"blocks"}})
	fast.subscribe(map[string]any{"topics": []string{"peers"}})
	pad := strings.Repeat("x", 64<<10)
	published := 0
	for hub.Subscribers() == 2 {
		if published++; published > 100_000 {
			t.Fatal("slow client never dropped")
		}
		hub.Publish(&HubEvent{Topic: TopicBlocks, Type: EventBlockConnected, Height: 1, Hash: blockHash(1), Data: map[string]string{"pad": pad}})
	}
	if published <= DefaultQueue {
		t.Fatalf("dropped after %d batches, queue %d", published, DefaultQueue)
	}
	code, reason := slow.closeCode()
	if code != websocket.StatusTryAgainLater || !strings.HasPrefix(reason, "slow consumer") {
		t.Fatalf("close %v %q", code, reason)
	}
	hub.Publish(&HubEvent{Topic: TopicPeers, Type: "peer.connected"})
	if _, p := fast.event(); p.Type != "peer.connected" {
		t.Fatalf("fast client got %+v", p)
	}
}

// TestWSResume: a subscription with since gets the backlog's events
// after that block, then live ones; an unknown since gets a resync.
func TestWSResume(t *testing.T) {
	_, hub, addr := wsTestServer(t, full(), Limits{}, HubConfig{}, WSConfig{})
	hub.Publish(connected(1))
	hub.Publish(connected(2))
	hub.Publish(connected(3))
	w := mustDial(t, addr, "op")
	id := w.subscribe(map[string]any{"topics": []string{"blocks"}, "since": blockHash(1).String()})
	for _, want := range []int32{2, 3} {
		if _, p := w.event(); p.Subscription != id || p.Height != want || p.Type != "block.connected" {
			t.Fatalf("replay: %+v, want height %d", p, want)
		}
	}
	hub.Publish(connected(4))
	if _, p := w.event(); p.Height != 4 {
		t.Fatalf("live: %+v", p)
	}
	id = w.subscribe(map[string]any{"topics": []string{"blocks"}, "since": blockHash(99).String()})
	b, err := w.read()
	var rs struct {
		Method string `json:"method"`
		Params struct {
			Subscription string `json:"subscription"`
			Reason       string `json:"reason"`
			Tip          struct {
				Height int32  `json:"height"`
				Hash   string `json:"hash"`
			} `json:"tip"`
		} `json:"params"`
	}
	if err != nil || json.Unmarshal(b, &rs) != nil || rs.Method != "resync" || rs.Params.Subscription != id ||
		!strings.Contains(rs.Params.Reason, "not in the backlog") || rs.Params.Tip.Height != 4 || rs.Params.Tip.Hash != blockHash(4).String() {
		t.Fatalf("resync %s %v", b, err)
	}
	hub.Publish(connected(5))
	for range 2 { // both subscriptions
		if _, p := w.event(); p.Height != 5 {
			t.Fatalf("live after resync: %+v", p)
		}
	}
}

// TestWSShutdown: Server.Shutdown closes the WebSocket connections
// (1001) and the endpoint refuses new ones.
func TestWSShutdown(t *testing.T) {
	s, hub, addr := wsTestServer(t, full(), Limits{}, HubConfig{}, WSConfig{})
	w := mustDial(t, addr, "op")
	w.subscribe(map[string]any{"topics": []string{"blocks"}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(ctx) }()
	if code, reason := w.closeCode(); code != websocket.StatusGoingAway || reason != "server shutting down" {
		t.Fatalf("close %v %q", code, reason)
	}
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if hub.Subscribers() != 0 {
		t.Fatalf("subscribers left: %d", hub.Subscribers())
	}
}

// TestWSDeadlinesCleared: the deadlines net/http set for the upgrade
// request (the reply's write deadline, the read timeout) do not cut the
// WebSocket afterwards.
func TestWSDeadlinesCleared(t *testing.T) {
	lim := Limits{WriteTimeout: 50 * time.Millisecond, ReadTimeout: 50 * time.Millisecond, ReadHeaderTimeout: 50 * time.Millisecond}
	_, _, addr := wsTestServer(t, full(), lim, HubConfig{}, WSConfig{})
	w := mustDial(t, addr, "op")
	if r := w.call("nap", []any{200}); r.Error != nil || string(r.Result) != `"rested"` {
		t.Fatalf("nap: %+v", r)
	}
	if r := w.call("echo", []any{1}); r.Error != nil {
		t.Fatalf("echo after the deadlines: %+v", r)
	}
}

// TestWSOrigin: a browser page of another origin is refused unless
// OriginPatterns allow it; same-origin pages and clients without an
// Origin are served.
func TestWSOrigin(t *testing.T) {
	_, _, addr := wsTestServer(t, full(), Limits{}, HubConfig{}, WSConfig{})
	if _, err := dialTestWS(t, addr, "op", http.Header{"Origin": {"https://evil.example"}}); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("foreign origin: %v", err)
	}
	if _, err := dialTestWS(t, addr, "op", http.Header{"Origin": {"http://" + addr}}); err != nil {
		t.Fatalf("same origin: %v", err)
	}
	_, _, addr2 := wsTestServer(t, full(), Limits{}, HubConfig{}, WSConfig{OriginPatterns: []string{"wallet.example"}})
	if _, err := dialTestWS(t, addr2, "op", http.Header{"Origin": {"https://wallet.example"}}); err != nil {
		t.Fatalf("allowed origin: %v", err)
	}
}

// sampleTx is a small transaction.
func sampleTx() *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: 1}, Sequence: 0xffffffff})
	tx.AddTxOut(&wire.TxOut{Value: 1000, PkScript: []byte{0x51}})
	return tx
}

// FuzzWSRequest: the WebSocket request decoder never panics, and what it
// accepts is well formed: 1 to maxBatch items, subscribe params with
// known topics, unsubscribe with an id, ids as JSON scalars.
func FuzzWSRequest(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"topics":["blocks","txs"],"addresses":["x"],"since":"00","rawtx":true}}`,
		`{"id":"a","method":"unsubscribe","params":[{"subscription":"3"}]}`,
		`[{"id":1,"method":"echo","params":[1]},{"id":2,"method":"subscribe","params":{"topics":["peers"]}}]`,
		`{"id":1,"method":"subscribe","params":{"topics":["blocks"],"topics":["x"]}}`,
		`{"id":1,"method":"subscribe","params":[{"topics":["blocks"]},{}]}`,
		`[]`, `{`, `[1,2]`, `{"method":"subscribe","params":null}`,
	} {
		f.Add([]byte(s))
	}
	const maxBatch = 8
	f.Fuzz(func(t *testing.T, msg []byte) {
		items, batch, err := decodeWSRequest(msg, maxBatch)
		if err != nil {
			if items != nil {
				t.Fatal("items with an error")
			}
			return
		}
		if len(items) == 0 || len(items) > maxBatch || (!batch && len(items) != 1) {
			t.Fatalf("%d items, batch %v", len(items), batch)
		}
		for _, it := range items {
			switch it.kind {
			case wsCallKind:
				if len(it.raw) == 0 {
					t.Fatal("call without its request")
				}
			case wsSubscribe, wsUnsubscribe:
				if !scalarID(it.id) {
					t.Fatalf("id %q", it.id)
				}
				if it.err != nil {
					continue
				}
				if it.kind == wsUnsubscribe && it.unsub == "" {
					t.Fatal("unsubscribe without an id")
				}
				if it.kind == wsSubscribe {
					if len(it.sub.Topics) == 0 {
						t.Fatal("subscribe without topics")
					}
					for _, tp := range it.sub.Topics {
						if topicBit(tp) == 0 {
							t.Fatalf("topic %q accepted", tp)
						}
					}
				}
			}
		}
	})
}
