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
		if testing.Verbose() {
			w.t.Logf("note %v", n)
		}
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

// TestEventsReorg: invalidating the tip sends block.disconnected and the
// block's events undone (prop.created.undone, tx.unconfirmed), its
// transactions going back to the mempool (tx.accepted); mining again
// connects a block at the same height.
func TestEventsReorg(t *testing.T) {
	n := startGameNode(t)
	mine := unquote(t, n.must(t, "getnewaddress"))
	reg := gameRes(t, n.must(t, "cp.create", "starfall", "https://starfall.example", "", "rpg", 15))
	_ = reg
	n.must(t, "generatetoaddress", 1, mine)
	ws := dialWS(t, n.client)
	ws.subscribe(map[string]any{"topics": []string{"blocks", "props", "mempool"}})
	ws.subscribe(map[string]any{"topics": []string{"txs"}, "addresses": []string{mine}}) // the coinbases pay mine
	created := gameRes(t, n.must(t, "prop.create", reg.Objects[0].ID, "sword", "0.001"))
	tip := unquoteList(t, n.must(t, "generatetoaddress", 1, mine))[0]
	if bc, _ := ws.until("block.connected"); bc.Params.Hash != tip || bc.Params.Height != 103 {
		t.Fatalf("connected %v", bc)
	}
	n.must(t, "invalidateblock", tip)
	bd, _ := ws.until("block.disconnected")
	var dd struct{ Prev string }
	json.Unmarshal(bd.Params.Data, &dd)
	if bd.Params.Hash != tip || bd.Params.Height != 103 || dd.Prev == "" {
		t.Fatalf("disconnected %v", bd)
	}
	undone, before := ws.until("prop.created.undone")
	var ud struct{ ID, Owner string }
	json.Unmarshal(undone.Params.Data, &ud)
	if undone.Params.Hash != tip || ud.ID != created.Objects[0].ID || ud.Owner == "" {
		t.Fatalf("undone %v", undone)
	}
	ws.notes = append(before, ws.notes...)
	if u, _ := ws.until("tx.unconfirmed"); u.Params.Hash != tip {
		t.Fatalf("tx.unconfirmed %v", u)
	}
	// The prop's transaction is back in the mempool.
	for {
		acc, _ := ws.until("tx.accepted")
		var ad struct {
			TxID    string `json:"txid"`
			Mempool bool   `json:"mempool"`
		}
		json.Unmarshal(acc.Params.Data, &ad)
		if ad.TxID == created.TxID {
			if !ad.Mempool || acc.Params.Height != 102 {
				t.Fatalf("tx.accepted %v", acc)
			}
			break
		}
	}
	again := unquoteList(t, n.must(t, "generatetoaddress", 1, mine))[0]
	if bc, _ := ws.until("block.connected"); bc.Params.Hash != again || bc.Params.Height != 103 {
		t.Fatalf("reconnected %v", bc)
	}
	if pc, _ := ws.until("prop.created"); pc.Params.Hash != again {
		t.Fatalf("prop.created again %v", pc)
	}
}

// TestEventsAuction: a listing accepted in the mempool is prop.listed;
// a bid replaced by a higher one is prop.outbid with the replaced bid's
// txid and bidder, delivered to a subscription on the bidder's address;
// the replaced bid leaves the pool as tx.removed "replaced".
func TestEventsAuction(t *testing.T) {
	n := startGameNode(t)
	mine := unquote(t, n.must(t, "getnewaddress"))
	bob := unquote(t, n.must(t, "address.create", "bob"))
	n.must(t, "tx.send", bob, "5")
	reg := gameRes(t, n.must(t, "cp.create", "starfall", "https://starfall.example", "", "rpg", 15))
	n.must(t, "generatetoaddress", 1, mine)
	gem := gameRes(t, n.must(t, "prop.create", reg.Objects[0].ID, "gem", "0.0001")).Objects[0].ID
	n.must(t, "generatetoaddress", 1, mine)

	ws := dialWS(t, n.client)
	ws.subscribe(map[string]any{"topics": []string{"props", "mempool"}})
	listing := gameRes(t, n.must(t, "prop.sale", gem, "1"))
	ls, _ := ws.until("prop.listed")
	var ld struct {
		ID, TxID, Owner string
		BuyNow          int64 `json:"buy_now"`
	}
	json.Unmarshal(ls.Params.Data, &ld)
	if ld.ID != gem || ld.TxID != listing.TxID || ld.Owner == "" || ld.BuyNow != 100_000_000 {
		t.Fatalf("prop.listed %v", ls)
	}
	first := gameRes(t, n.must(t, "prop.buy", gem, "0.5", "bob"))
	n.must(t, "prop.buy", gem, "0.7", "bob")
	ob, _ := ws.until("prop.outbid")
	var od struct {
		ID      string `json:"id"`
		BidTxID string `json:"bid_txid"`
		Bidder  string `json:"bidder"`
		Price   int64  `json:"price"`
	}
	json.Unmarshal(ob.Params.Data, &od)
	if od.ID != gem || od.BidTxID != first.TxID || od.Bidder == "" || od.Price != 50_000_000 {
		t.Fatalf("prop.outbid %v", ob)
	}
	// A subscription on the bidder's address gets it too (resumed from
	// the tip, from the backlog).
	bw := dialWS(t, n.client)
	best := unquote(t, n.must(t, "getbestblockhash"))
	bw.subscribe(map[string]any{"topics": []string{"props"}, "addresses": []string{od.Bidder}, "since": best})
	if o, _ := bw.until("prop.outbid"); o.Params.Seq != ob.Params.Seq {
		t.Fatalf("bidder's replay %v", o)
	}
}

// TestEventsPeers: a peer's completed handshake is peer.connected, its
// going peer.disconnected; a connection that never completes the
// handshake gives neither.
func TestEventsPeers(t *testing.T) {
	n := startP2PNode(t, t.TempDir())
	c, err := rpc.Discover("", n.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	ws := dialWS(t, c)
	ws.subscribe(map[string]any{"topics": []string{"peers"}})
	half := dialFake(t, n, "127.0.0.1")
	half.c.Close()
	f := dialFake(t, n, "127.0.0.1")
	f.handshake()
	pc := ws.next()
	var pd struct {
		ID      uint64 `json:"id"`
		Addr    string `json:"addr"`
		Inbound bool   `json:"inbound"`
	}
	json.Unmarshal(pc.Params.Data, &pd)
	if pc.Params.Type != "peer.connected" || !pd.Inbound || pd.Addr != f.c.LocalAddr().String() {
		t.Fatalf("first peer event %v", pc)
	}
	f.c.Close()
	pg := ws.next()
	var gd struct {
		ID uint64 `json:"id"`
	}
	json.Unmarshal(pg.Params.Data, &gd)
	if pg.Params.Type != "peer.disconnected" || gd.ID != pd.ID {
		t.Fatalf("second peer event %v", pg)
	}
}
