package rpc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coder/websocket"
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
	// With a /ws route, the login comes first.
	srv := NewServer(&Auth{Cookie: cookie}, Limits{}, nil)
	srv.Handle(Route{Prefix: WSPath, Handler: func(w http.ResponseWriter, r *http.Request, _ *Access) {
		if c, err := websocket.Accept(w, r, nil); err == nil {
			c.Close(websocket.StatusNormalClosure, "")
		}
	}})
	addr := serveTCP(t, srv)
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
