package node

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// eventsOnly makes rc follow the node's events with polling out of
// reach: a poll would take an hour, and any is counted.
func eventsOnly(rc *RemoteChain) *RemoteChain {
	rc.Follow = FollowEvents
	rc.PollInterval = time.Hour
	return rc
}

// TestRemoteChainEvents: the adapter over the node's WebSocket events,
// with no polling: new blocks, a reorg (disconnect first, then the new
// branch), mempool transactions, a replacement (TxReplaced, then the
// replacing tx) and a confirmation (not a replacement) arrive, and not
// one poll ran.
func TestRemoteChainEvents(t *testing.T) {
	ctx := context.Background()
	n := startWalletNode(t, t.TempDir())
	defer func() { n.node.Close() }()
	key, addr := benchKey()
	var hashes []string
	n.must(t, "generatetoaddress", 101, addr.String())
	rc := eventsOnly(NewRemoteChain(n.client, nil))

	rec := &recorder{}
	cancel, err := rc.Subscribe(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	if rc.TipHeight() != 101 {
		t.Fatalf("tip %d after Subscribe, want 101", rc.TipHeight())
	}

	n.client.Call(ctx, "generatetoaddress", &hashes, 2, addr.String())
	rec.waitFor(t, "+102 "+hashes[0][:8], "+103 "+hashes[1][:8])
	if rc.TipHeight() != 103 {
		t.Fatalf("tip %d, want 103", rc.TipHeight())
	}

	n.must(t, "invalidateblock", hashes[1])
	var branch []string
	n.client.Call(ctx, "generatetoaddress", &branch, 2, addr.String())
	rec.waitFor(t, "-103 "+hashes[1][:8], "+103 "+branch[0][:8], "+104 "+branch[1][:8])

	h1, _ := chainhash.NewHashFromStr(unquote(t, n.must(t, "getblockhash", 1)))
	blk, err := n.node.Chain.BlockByHash(h1)
	if err != nil {
		t.Fatal(err)
	}
	cb := blk.Transactions[0]
	spend := func(fee int64) *wire.MsgTx {
		tx := wire.NewMsgTx(2)
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: cb.TxHash()}, Sequence: wire.MaxTxInSequenceNum - 2})
		tx.AddTxOut(&wire.TxOut{Value: cb.TxOut[0].Value - fee, PkScript: addr.PkScript()})
		if ok, err := script.SignInput(tx, 0, cb.TxOut[0].PkScript, cb.TxOut[0].Value, script.SigHashAll, oneKey{key}, nil, nil); !ok || err != nil {
			t.Fatal(ok, err)
		}
		return tx
	}
	tx1, tx2 := spend(10_000), spend(50_000)
	if err := rc.Broadcast(ctx, tx1); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "tx "+tx1.TxHash().String()[:8])
	if err := rc.Broadcast(ctx, tx2); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "replaced "+tx1.TxHash().String()[:8], "tx "+tx2.TxHash().String()[:8])
	// Confirmed, then one more block: nothing came between them (no
	// replacement reported for the confirmed tx2).
	n.client.Call(ctx, "generatetoaddress", &hashes, 2, addr.String())
	rec.waitFor(t, "tx "+tx2.TxHash().String()[:8], "+105 "+hashes[0][:8], "+106 "+hashes[1][:8])
	if p := rc.Polls(); p != 0 {
		t.Fatalf("%d polls ran", p)
	}
}

// wsProxy is a reverse proxy in front of a node's RPC listener that can
// hide /ws (404, as a node without WebSocket), refuse it for a while
// (503) and cut the WebSocket connections passing through.
type wsProxy struct {
	URL   string
	hs    *http.Server
	tr    *http.Transport
	mode  atomic.Int32 // proxyPass, proxyNoWS or proxyDown
	mu    sync.Mutex
	conns map[net.Conn]bool // hijacked: the WebSockets
}

const (
	proxyPass = iota
	proxyNoWS
	proxyDown
)

func newWSProxy(t *testing.T, nodeURL string) *wsProxy {
	t.Helper()
	target, err := url.Parse(nodeURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &wsProxy{conns: map[net.Conn]bool{}, tr: &http.Transport{}}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = p.tr
	p.hs = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == rpc.WSPath {
			switch p.mode.Load() {
			case proxyNoWS:
				http.NotFound(w, r)
				return
			case proxyDown:
				http.Error(w, "down", http.StatusServiceUnavailable)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}), ConnState: func(c net.Conn, s http.ConnState) {
		if s == http.StateHijacked {
			p.mu.Lock()
			p.conns[c] = true
			p.mu.Unlock()
		}
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go p.hs.Serve(ln)
	t.Cleanup(p.close)
	p.URL = "http://" + ln.Addr().String()
	return p
}

// close stops the proxy and closes its connections to the node (call it
// before closing the node: a connection the proxy opened and never used
// holds the node's shutdown for 5 s).
func (p *wsProxy) close() {
	p.hs.Close()
	p.cut()
	p.tr.CloseIdleConnections()
}

// cut closes the WebSocket connections passing through.
func (p *wsProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// TestRemoteChainEventsReconnect: a WebSocket cut while blocks are mined
// is dialled again, resuming after the last delivered block: the blocks
// mined while it was down arrive in order, still without a poll.
func TestRemoteChainEventsReconnect(t *testing.T) {
	ctx := context.Background()
	n := startWalletNode(t, t.TempDir())
	defer func() { n.node.Close() }()
	_, addr := benchKey()
	n.must(t, "generatetoaddress", 101, addr.String())
	px := newWSProxy(t, n.client.URL)
	defer px.close()
	rc := eventsOnly(NewRemoteChain(rpc.NewClient(px.URL, n.client.User, n.client.Pass), nil))
	rec := &recorder{}
	cancel, err := rc.Subscribe(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	var hashes []string
	n.client.Call(ctx, "generatetoaddress", &hashes, 1, addr.String())
	rec.waitFor(t, "+102 "+hashes[0][:8])

	px.mode.Store(proxyDown)
	px.cut()
	var more []string
	n.client.Call(ctx, "generatetoaddress", &more, 3, addr.String())
	px.mode.Store(proxyPass)
	rec.waitFor(t, "+102 "+hashes[0][:8], "+103 "+more[0][:8], "+104 "+more[1][:8], "+105 "+more[2][:8])
	if p := rc.Polls(); p != 0 {
		t.Fatalf("%d polls ran", p)
	}
}

// TestRemoteChainNoWebSocket: against a node without /ws, FollowEvents
// refuses to subscribe (no poll fallback) and FollowAuto falls back to
// polling.
func TestRemoteChainNoWebSocket(t *testing.T) {
	ctx := context.Background()
	n := startWalletNode(t, t.TempDir())
	defer func() { n.node.Close() }()
	_, addr := benchKey()
	n.must(t, "generatetoaddress", 101, addr.String())
	px := newWSProxy(t, n.client.URL)
	defer px.close()
	px.mode.Store(proxyNoWS)
	client := rpc.NewClient(px.URL, n.client.User, n.client.Pass)

	rc := eventsOnly(NewRemoteChain(client, nil))
	if cancel, err := rc.Subscribe(ctx, &recorder{}); !errors.Is(err, rpc.ErrNoWebSocket) {
		if err == nil {
			cancel()
		}
		t.Fatalf("FollowEvents without /ws: %v, want ErrNoWebSocket", err)
	}
	_, err := ServeWallet(ctx, WalletServerConfig{Params: n.node.cfg.Params, Dir: t.TempDir(), NodeURL: px.URL,
		NodeCookie: n.dir + "/.cookie", Follow: FollowEvents, NoSync: true})
	if !errors.Is(err, rpc.ErrNoWebSocket) {
		t.Fatalf("gg-wallet serve --follow events without /ws: %v, want ErrNoWebSocket", err)
	}

	rc = NewRemoteChain(client, nil)
	rc.PollInterval = 5 * time.Millisecond
	rec := &recorder{}
	cancel, err := rc.Subscribe(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	var hashes []string
	n.client.Call(ctx, "generatetoaddress", &hashes, 1, addr.String())
	rec.waitFor(t, "+102 "+hashes[0][:8])
	if rc.Polls() == 0 {
		t.Fatal("FollowAuto without /ws delivered a block without polling")
	}

}

// TestRemoteChainEventsGameDrop: a register whose name a rival's block
// takes leaves the node's mempool with reason conflict, and the adapter
// reports DropConflict from the event alone (no poll, no probe).
func TestRemoteChainEventsGameDrop(t *testing.T) {
	n := startGameNode(t)
	bob := unquote(t, n.must(t, "address.create", "bob"))
	mine := unquote(t, n.must(t, "getnewaddress"))
	n.must(t, "tx.send", bob, "5")
	n.must(t, "generatetoaddress", 1, mine)

	rc := eventsOnly(NewRemoteChain(n.client, nil))
	rec := &dropRecorder{}
	cancel, err := rc.Subscribe(t.Context(), rec)
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	rival := gameRes(t, n.must(t, "cp.create", "starfall", "", "", "", 0, "bob", true))
	rivalTx, err := wire.DecodeTxHex(rival.Hex)
	if err != nil {
		t.Fatal(err)
	}
	reg := gameRes(t, n.must(t, "cp.create", "starfall", "", "", "", 0, "default"))
	rec.waitFor(t, "tx "+reg.TxID[:8])
	mineWith(t, n.node, rivalTx)
	rec.waitSeen(t, "dropped "+reg.TxID[:8]+" conflict")
	if p := rc.Polls(); p != 0 {
		t.Fatalf("%d polls ran", p)
	}
}

// TestWalletServeOutbidEvents (issue 14, "Events for a remote wallet"):
// a wallet served on its own follows the node's events with the poll
// fallback off. Its bid on an auction reserves its coins; another
// wallet's higher bid replaces it in the node's mempool, and the served
// wallet hears it from the event alone: the bid is conflicted, the coins
// are spendable again, and not one poll ran.
func TestWalletServeOutbidEvents(t *testing.T) {
	ctx := t.Context()
	n := startGameNode(t)
	mine := unquote(t, n.must(t, "getnewaddress"))
	carol := unquote(t, n.must(t, "address.create", "carol"))
	n.must(t, "tx.send", carol, "10")

	walletDir := t.TempDir()
	s, err := ServeWallet(ctx, WalletServerConfig{Params: n.node.cfg.Params, Dir: walletDir, NodeURL: n.client.URL,
		NodeCookie: n.dir + "/.cookie", Follow: FollowEvents, PollInterval: time.Hour,
		KDF: wallet.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	wc, err := rpc.Discover("", walletDir)
	if err != nil {
		t.Fatal(err)
	}
	bob := &walletNode{dir: walletDir, client: wc}
	bob.must(t, "wallet.create", "pw")
	bob.must(t, "wallet.unlock", "pw", 0)
	n.must(t, "tx.send", unquote(t, bob.must(t, "getnewaddress")), "10")
	n.must(t, "generatetoaddress", 1, mine)
	waitInfo(t, bob, `"synced_height":102`)

	// The node's wallet registers a producer, creates a prop and offers
	// it at auction.
	n.must(t, "cp.create", "auctioneer")
	n.must(t, "generatetoaddress", 1, mine)
	prop := gameRes(t, n.must(t, "prop.create", "auctioneer", "lamp", "0.001")).Objects[0].ID
	n.must(t, "generatetoaddress", 1, mine)
	n.must(t, "prop.sale", prop, "5")

	// Bob bids 1 GG from the served wallet: its coins are reserved.
	id, err := game.ParseID(prop)
	if err != nil {
		t.Fatal(err)
	}
	bid, err := NewGameHost(n.node.cfg.Params, n.node.Chain, n.node.Mempool, s.Host).Bid(ctx, rpc.GameOptions{Account: "default"}, id, 100_000_000)
	if err != nil {
		t.Fatal(err)
	}
	waitBalance(t, bob, func(b balanceJSON) bool { return b.Reserved > 0 && b.Confirmed == 0 })

	// Carol outbids from the node's wallet: Bob's coins come back.
	n.must(t, "prop.buy", prop, "1.5", "carol")
	waitBalance(t, bob, func(b balanceJSON) bool { return b.Reserved == 0 && b.Confirmed == 10 })
	var txs []struct{ TxID, Status string }
	json.Unmarshal(bob.must(t, "tx.list", "*", 1), &txs)
	if len(txs) != 1 || txs[0].TxID != bid.Tx.TxHash().String() || txs[0].Status != "conflicted" {
		t.Fatalf("bob's history %+v, want his bid %s conflicted", txs, bid.Tx.TxHash())
	}
	if p := s.Chain.Polls(); p != 0 {
		t.Fatalf("%d polls ran", p)
	}
}

// balanceJSON is balance.all's answer (GG).
type balanceJSON struct {
	Confirmed float64 `json:"confirmed"`
	Reserved  float64 `json:"reserved"`
}

// waitBalance waits until w's balance.all satisfies ok.
func waitBalance(t *testing.T, w *walletNode, ok func(balanceJSON) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		raw := w.must(t, "balance.all")
		var b balanceJSON
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatalf("balance.all %s: %v", raw, err)
		}
		if ok(b) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("balance.all %s never came", raw)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
