package node

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gamegold/gg/lib/rpc"
)

// wsClient is a test client of the node's /ws: JSON-RPC calls and the
// notifications that arrive between their replies.
type wsClient struct {
	t      *testing.T
	conn   *websocket.Conn
	id     int
	notes  []wsNote
	closed error
}

// wsNote is a notification.
type wsNote struct {
	Method string `json:"method"`
	Params struct {
		Subscription string          `json:"subscription"`
		Seq          uint64          `json:"seq"`
		Topic        string          `json:"topic"`
		Type         string          `json:"type"`
		Height       int32           `json:"height"`
		Hash         string          `json:"hash"`
		Data         json.RawMessage `json:"data"`
		Reason       string          `json:"reason"`
	} `json:"params"`
}

func (n wsNote) String() string {
	return fmt.Sprintf("%s %s %s h=%d %s", n.Method, n.Params.Type, n.Params.Subscription, n.Params.Height, n.Params.Data)
}

func dialWS(t *testing.T, c *rpc.Client) *wsClient {
	t.Helper()
	u := "ws://" + strings.TrimPrefix(c.URL, "http://") + "/ws"
	h := http.Header{}
	req, _ := http.NewRequest("GET", u, nil)
	req.SetBasicAuth(c.User, c.Pass)
	h.Set("Authorization", req.Header.Get("Authorization"))
	conn, _, err := websocket.Dial(t.Context(), u, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("dial %s: %v", u, err)
	}
	conn.SetReadLimit(64 << 20)
	t.Cleanup(func() { conn.CloseNow() })
	return &wsClient{t: t, conn: conn}
}

// read returns the next message.
func (w *wsClient) read() []byte {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.t.Context(), time.Minute) // a hang guard, not a timing assert
	defer cancel()
	_, b, err := w.conn.Read(ctx)
	if err != nil {
		w.t.Fatalf("ws read: %v", err)
	}
	return b
}

// call sends a request and returns its reply's result or error,
// keeping the notifications read meanwhile.
func (w *wsClient) call(method string, params any) (json.RawMessage, *rpc.Error) {
	w.t.Helper()
	w.id++
	req, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": w.id, "method": method, "params": params})
	if err := w.conn.Write(w.t.Context(), websocket.MessageText, req); err != nil {
		w.t.Fatalf("ws write: %v", err)
	}
	for {
		b := w.read()
		var r struct {
			JSONRPC string          `json:"jsonrpc"`
			ID      *int            `json:"id"`
			Method  string          `json:"method"`
			Result  json.RawMessage `json:"result"`
			Error   *rpc.Error      `json:"error"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			w.t.Fatalf("ws message %s: %v", b, err)
		}
		if r.JSONRPC != "2.0" {
			w.t.Fatalf("ws message without jsonrpc 2.0: %s", b)
		}
		if r.Method != "" {
			var n wsNote
			json.Unmarshal(b, &n)
			w.notes = append(w.notes, n)
			continue
		}
		if r.ID == nil || *r.ID != w.id {
			w.t.Fatalf("reply %s to call %d", b, w.id)
		}
		return r.Result, r.Error
	}
}

func (w *wsClient) subscribe(p map[string]any) string {
	w.t.Helper()
	res, e := w.call("subscribe", p)
	if e != nil {
		w.t.Fatalf("subscribe %v: %v", p, e)
	}
	var r struct {
		Subscription string `json:"subscription"`
		Tip          struct {
			Height int32  `json:"height"`
			Hash   string `json:"hash"`
		} `json:"tip"`
	}
	if err := json.Unmarshal(res, &r); err != nil || r.Subscription == "" || len(r.Tip.Hash) != 64 {
		w.t.Fatalf("subscribe result %s", res)
	}
	return r.Subscription
}

// next returns the next notification.
func (w *wsClient) next() wsNote {
	w.t.Helper()
	if len(w.notes) > 0 {
		n := w.notes[0]
		w.notes = w.notes[1:]
		return n
	}
	var n wsNote
	b := w.read()
	if err := json.Unmarshal(b, &n); err != nil || n.Method == "" {
		w.t.Fatalf("not a notification: %s", b)
	}
	return n
}

// until reads notifications until one of type typ and returns it with
// the ones before.
func (w *wsClient) until(typ string) (wsNote, []wsNote) {
	w.t.Helper()
	var before []wsNote
	for range 10_000 {
		n := w.next()
		if n.Params.Type == typ {
			return n, before
		}
		before = append(before, n)
	}
	w.t.Fatalf("no %s", typ)
	return wsNote{}, nil
}

// TestEventsBlocksAndGame follows a producer's registration, a prop's
// creation and its sending to another address over the WebSocket: each
// event carries the height and hash of its block, the props filter
// matches the receiver's address, and txs delivers the transactions
// paying the address.
func TestEventsBlocksAndGame(t *testing.T) {
	n := startGameNode(t)
	other := unquote(t, n.must(t, "address.create", "bob"))
	mine := unquote(t, n.must(t, "getnewaddress"))
	ws := dialWS(t, n.client)
	blocks := ws.subscribe(map[string]any{"topics": []string{"blocks", "producers"}})
	props := ws.subscribe(map[string]any{"topics": []string{"props", "txs"}, "addresses": []string{other}})

	reg := gameRes(t, n.must(t, "cp.create", "starfall", "https://starfall.example", "", "rpg", 15))
	hashes := unquoteList(t, n.must(t, "generatetoaddress", 1, mine))
	bc, _ := ws.until("block.connected")
	if bc.Params.Subscription != blocks || bc.Params.Height != 102 || bc.Params.Hash != hashes[0] {
		t.Fatalf("block.connected %v, want height 102 hash %s", bc, hashes[0])
	}
	pr, _ := ws.until("producer.registered")
	var pd struct{ ID, Name, Owner, TxID string }
	json.Unmarshal(pr.Params.Data, &pd)
	if pr.Params.Height != 102 || pr.Params.Hash != hashes[0] || pd.ID != reg.Objects[0].ID || pd.Name != "starfall" || pd.TxID != reg.TxID || pd.Owner == "" {
		t.Fatalf("producer.registered %v", pr)
	}

	created := gameRes(t, n.must(t, "prop.create", reg.Objects[0].ID, "sword", "0.001"))
	n.must(t, "generatetoaddress", 1, mine)
	sent := gameRes(t, n.must(t, "prop.send", other, created.Objects[0].ID))
	hashes = unquoteList(t, n.must(t, "generatetoaddress", 1, mine))
	rc, before := ws.until("prop.received")
	for _, b := range before {
		if b.Params.Topic == "props" && (b.Params.Type != "prop.sent" || b.Params.Height != 104) {
			t.Fatalf("props event %v for another owner", b)
		}
	}
	var rd struct{ ID, Producer, Owner, From, TxID string }
	json.Unmarshal(rc.Params.Data, &rd)
	if rc.Params.Subscription != props || rc.Params.Height != 104 || rc.Params.Hash != hashes[0] || rd.ID != created.Objects[0].ID ||
		rd.Owner != other || rd.From == "" || rd.From == other || rd.Producer != reg.Objects[0].ID || rd.TxID != sent.TxID {
		t.Fatalf("prop.received %v", rc)
	}
	var tc wsNote
	for _, b := range before {
		if b.Params.Type == "tx.confirmed" && b.Params.Height == 104 {
			tc = b
		}
	}
	var td struct {
		TxID      string   `json:"txid"`
		Addresses []string `json:"addresses"`
	}
	json.Unmarshal(tc.Params.Data, &td)
	if td.TxID != sent.TxID || len(td.Addresses) != 1 || td.Addresses[0] != other {
		t.Fatalf("tx.confirmed %v", tc)
	}
}

func unquoteList(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var l []string
	if err := json.Unmarshal(raw, &l); err != nil {
		t.Fatalf("not a list of strings: %s", raw)
	}
	return l
}
