package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gamegold/gg/lib/chainhash"
)

func TestWSURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"http://127.0.0.1:8332", "ws://127.0.0.1:8332/ws"},
		{"127.0.0.1:8332", "ws://127.0.0.1:8332/ws"},
		{"https://node.example:443/", "wss://node.example:443/ws"},
		{"http://u:p@127.0.0.1:1/gg", "ws://127.0.0.1:1/gg/ws"},
		{"ws://127.0.0.1:1/ws", "ws://127.0.0.1:1/ws"},
		{"wss://h:1", "wss://h:1/ws"},
	} {
		got, err := WSURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("WSURL(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestWSURLErrors(t *testing.T) {
	for _, in := range []string{"ftp://h:1", "http://", "http://h:1/?q=1", "ws://:1"} {
		if got, err := WSURL(in); err == nil {
			t.Errorf("WSURL(%q) = %q, want an error", in, got)
		}
	}
}

// TestDialWSErrors: a server without /ws (an rpc.Server with no such
// route, as a wallet service or an older node) is ErrNoWebSocket, wrong
// credentials an *AuthError naming them, nothing listening ErrNoNode.
func TestDialWSErrors(t *testing.T) {
	dir := t.TempDir()
	cookie, _ := NewCookie(dir)
	ts, _ := testServer(t, &Auth{Cookie: cookie})
	ctx := context.Background()
	cl, err := Discover(ts.URL, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.DialWS(ctx); !errors.Is(err, ErrNoWebSocket) || !strings.Contains(err.Error(), "/ws") {
		t.Fatalf("no /ws: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", http.NotFoundHandler())
	nf := httptest.NewServer(mux)
	defer nf.Close()
	if _, err := DialWS(ctx, nf.URL, Credentials{}); !errors.Is(err, ErrNoWebSocket) {
		t.Fatalf("404: %v", err)
	}
	// With /ws, the login comes first.
	_, _, addr := wscServer(t, &wscAuth{})
	var ae *AuthError
	_, err = DialWS(ctx, addr, Credentials{User: "x", Pass: "y", From: "the password of user \"x\""})
	if !errors.As(err, &ae) || ae.Creds != `the password of user "x"` {
		t.Fatalf("bad credentials: %v", err)
	}
	if _, err := DialWS(ctx, "http://127.0.0.1:1", Credentials{}); !errors.Is(err, ErrNoNode) {
		t.Fatalf("nothing listening: %v", err)
	}
}

// closingServer accepts a WebSocket and closes it with code and reason
// once it has read one message.
func closingServer(t *testing.T, code websocket.StatusCode, reason string) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		c.Read(r.Context())
		c.Close(code, reason)
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

// TestWSCloseErrors: the node's close reaches a waiting call and the
// client's Err as a *CloseError matching the sentinel of its code.
func TestWSCloseErrors(t *testing.T) {
	for _, c := range []struct {
		code   websocket.StatusCode
		reason string
		is     error
		not    error
	}{
		{websocket.StatusTryAgainLater, "slow consumer: queue of 256 events full", ErrSlowConsumer, ErrPolicy},
		{websocket.StatusPolicyViolation, "token revoked", ErrPolicy, ErrSlowConsumer},
		{websocket.StatusMessageTooBig, "message too big", ErrTooBig, ErrPolicy},
		{websocket.StatusGoingAway, "shutting down", ErrWSClosed, ErrSlowConsumer},
	} {
		ws, err := DialWS(context.Background(), closingServer(t, c.code, c.reason), Credentials{})
		if err != nil {
			t.Fatal(err)
		}
		err = ws.Call(context.Background(), "getblockcount", nil)
		var ce *CloseError
		if !errors.As(err, &ce) || ce.Code != int(c.code) || ce.Reason != c.reason || !errors.Is(err, c.is) ||
			!errors.Is(err, ErrWSClosed) || errors.Is(err, c.not) {
			t.Errorf("close %d: call error %v", c.code, err)
		}
		<-ws.Done()
		if !errors.Is(ws.Err(), c.is) || !strings.Contains(ws.Err().Error(), c.reason) {
			t.Errorf("close %d: Err %v", c.code, ws.Err())
		}
		ws.Close()
	}
}

// wscAuth is an Authenticator of one user whose access a test revokes.
type wscAuth struct{ revoked atomic.Bool }

func (a *wscAuth) Authenticate(user, pass string) (*Access, bool) {
	if user != "u" || pass != "p" {
		return nil, false
	}
	return NewAccess("u", []string{"echo", EventsPerm}).WithLive(func() bool { return !a.revoked.Load() }), true
}

// wscServer is a real server with /ws and its hub, on 127.0.0.1.
func wscServer(t *testing.T, auth Authenticator) (*Server, *Hub, string) {
	t.Helper()
	s := NewServer(auth, Limits{}, nil)
	s.Register(Method{Name: "echo", Params: "value", Handler: func(_ context.Context, p json.RawMessage) (any, error) {
		var v string
		if err := ParseParams(p, []string{"value"}, 1, &v); err != nil {
			return nil, err
		}
		return v, nil
	}})
	hub := NewHub(HubConfig{})
	s.ServeWebSocket(hub, WSConfig{})
	return s, hub, serveTCP(t, s)
}

// wscBlock is a block.connected event at height h with hash byte b.
func wscBlock(h int32, b byte) *HubEvent {
	return &HubEvent{Topic: TopicBlocks, Type: EventBlockConnected, Height: h, Hash: chainhash.Hash{b},
		Data: map[string]any{"prev": chainhash.Hash{b - 1}.String(), "txs": 1}}
}

// TestWSClient against a real /ws: calls by position and by name, a
// method's error as *Error, a subscription's events in order (Raw is
// the params as sent), a resume from an unknown block (Resync first), a
// refused subscribe (-8), unsubscribe, a revoked login (1008) and the
// server's shutdown (1001) reaching Next.
func TestWSClient(t *testing.T) {
	ctx := context.Background()
	auth := &wscAuth{}
	srv, hub, addr := wscServer(t, auth)
	ws, err := DialWS(ctx, addr, Credentials{User: "u", Pass: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var s string
	if err := ws.Call(ctx, "echo", &s, "hi"); err != nil || s != "hi" {
		t.Fatalf("echo: %q %v", s, err)
	}
	if err := ws.CallNamed(ctx, "echo", &s, map[string]any{"value": "named"}); err != nil || s != "named" {
		t.Fatalf("echo named: %q %v", s, err)
	}
	var re *Error
	if err := ws.Call(ctx, "echo", &s); !errors.As(err, &re) || re.Code != CodeInvalidParams {
		t.Fatalf("echo without its param: %v", err)
	}
	if err := ws.Call(ctx, "getblockcount", nil); !errors.As(err, &re) {
		t.Fatalf("a method not granted: %v", err)
	}

	hub.Publish(wscBlock(1, 1))
	sub, err := ws.Subscribe(ctx, SubscribeParams{Topics: []string{"blocks"}})
	if err != nil {
		t.Fatal(err)
	}
	if sub.ID == "" || sub.Tip.Height != 1 || sub.Tip.Hash != (chainhash.Hash{1}).String() {
		t.Fatalf("subscription %q tip %+v", sub.ID, sub.Tip)
	}
	hub.Publish(wscBlock(2, 2), wscBlock(3, 3))
	for _, want := range []int32{2, 3} {
		n, err := sub.Next(ctx)
		if err != nil || n.Event == nil || n.Event.Height != want || n.Event.Type != EventBlockConnected ||
			n.Event.Subscription != sub.ID || n.Event.Topic != "blocks" || n.Event.Seq != uint64(want) {
			t.Fatalf("event %d: %+v %v", want, n.Event, err)
		}
		if !strings.HasPrefix(string(n.Event.Raw), `{"subscription":"`+sub.ID+`","seq":`) || !strings.Contains(string(n.Event.Data), `"txs":1`) {
			t.Fatalf("raw %s data %s", n.Event.Raw, n.Event.Data)
		}
	}

	// Resuming from a block the hub never saw: a resync first, then
	// live events.
	old, err := ws.Subscribe(ctx, SubscribeParams{Topics: []string{"blocks"}, Since: strings.Repeat("ab", 32)})
	if err != nil {
		t.Fatal(err)
	}
	n, err := old.Next(ctx)
	if err != nil || n.Resync == nil || n.Resync.Subscription != old.ID || n.Resync.Tip.Height != 3 || n.Resync.Reason == "" {
		t.Fatalf("resync: %+v %v", n.Resync, err)
	}
	hub.Publish(wscBlock(4, 4))
	if n, err := old.Next(ctx); err != nil || n.Event == nil || n.Event.Height != 4 {
		t.Fatalf("after the resync: %+v %v", n, err)
	}
	if n, err := sub.Next(ctx); err != nil || n.Event == nil || n.Event.Height != 4 {
		t.Fatalf("the first subscription: %+v %v", n, err)
	}
	if err := old.Unsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Next(ctx); !errors.Is(err, ErrWSClosed) {
		t.Fatalf("Next after Unsubscribe: %v", err)
	}

	// Refused: an unknown topic, txs without addresses.
	for _, p := range []SubscribeParams{{Topics: []string{"nonsense"}}, {Topics: []string{"txs"}}, {}} {
		if _, err := ws.Subscribe(ctx, p); !errors.As(err, &re) || re.Code != CodeInvalidParam {
			t.Errorf("subscribe %+v: %v, want -8", p, err)
		}
	}

	// The server's shutdown: going away, to Next and Err.
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	if _, err := sub.Next(ctx); !errors.Is(err, ErrWSClosed) || errors.Is(err, ErrSlowConsumer) {
		t.Fatalf("Next after shutdown: %v", err)
	}
	var ce *CloseError
	if !errors.As(ws.Err(), &ce) || ce.Code != CloseGoingAway {
		t.Fatalf("Err after shutdown: %v", ws.Err())
	}
}

// TestWSClientErrors: a revoked login is closed (1008, ErrPolicy) on its
// next call; a subscription whose reader falls behind its client-side
// queue ends with ErrSlowConsumer after the events it holds, without
// stalling calls on the connection.
func TestWSClientErrors(t *testing.T) {
	ctx := context.Background()
	auth := &wscAuth{}
	_, hub, addr := wscServer(t, auth)
	ws, err := DialWS(ctx, addr, Credentials{User: "u", Pass: "p"})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.SetQueueLen(2)
	sub, err := ws.Subscribe(ctx, SubscribeParams{Topics: []string{"blocks"}})
	if err != nil {
		t.Fatal(err)
	}
	hub.Publish(wscBlock(1, 1), wscBlock(2, 2), wscBlock(3, 3), wscBlock(4, 4))
	<-sub.Done()
	var s string
	if err := ws.Call(ctx, "echo", &s, "still"); err != nil || s != "still" {
		t.Fatalf("call after the overflow: %q %v", s, err)
	}
	for _, want := range []int32{1, 2} {
		if n, err := sub.Next(ctx); err != nil || n.Event.Height != want {
			t.Fatalf("queued event %d: %+v %v", want, n, err)
		}
	}
	if _, err := sub.Next(ctx); !errors.Is(err, ErrSlowConsumer) || !strings.Contains(err.Error(), "queue of 2 events") {
		t.Fatalf("after the queue: %v", err)
	}

	auth.revoked.Store(true)
	err = ws.Call(ctx, "echo", &s, "revoked")
	var ce *CloseError
	if !errors.As(err, &ce) || ce.Code != ClosePolicy || !errors.Is(err, ErrPolicy) {
		t.Fatalf("call after the revocation: %v", err)
	}
	if !errors.Is(ws.Err(), ErrPolicy) || !strings.Contains(ws.Err().Error(), "revoked") {
		t.Fatalf("Err after the revocation: %v", ws.Err())
	}
}
