package tui

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/rpc"
)

// Each page's model on the fixed data set: its keys, and its screen at
// 80×24 (the smallest supported) compared with a golden file.

func TestDashboardPage(t *testing.T) {
	node := newFakeNode()
	tm := startModel(t, node, 80, 24, "")
	waitFor(t, tm, "fee range", "0.00001 – 0.00005 GG/kvB", "Stratum off", "● live")
	golden(t, finalView(t, tm))
}

func TestBlocksPage(t *testing.T) {
	node := newFakeNode()
	tm := startModel(t, node, 80, 24, "")
	keys(tm, "2")
	waitFor(t, tm, "The newest blocks", "1/20")
	keys(tm, "down", "enter")
	waitFor(t, tm, "Block 204", "TXID (enter: open)")
	if !node.called("getblock", `["`+blockHash(204)+`",1]`) {
		t.Errorf("enter on the second block did not open block 204: %q", node.callLog())
	}
	keys(tm, "enter")
	waitFor(t, tm, "Transaction "+hexID(204)[:20])
	keys(tm, "esc")
	waitFor(t, tm, "Block 204")
	golden(t, finalView(t, tm))
}

func TestMempoolPage(t *testing.T) {
	tm := startModel(t, newFakeNode(), 80, 24, PageMempool)
	waitFor(t, tm, "Mempool: 3 txs, 451 vbytes", "fee rates 0.00001 – 0.00005 GG/kvB")
	golden(t, finalView(t, tm))
}

func TestPeersPage(t *testing.T) {
	node := newFakeNode()
	tm := startModel(t, node, 80, 24, PagePeers)
	waitFor(t, tm, "Peers: 2 connected")
	keys(tm, "down", "b")
	waitFor(t, tm, "ban 10.0.0.7", "24 hours")
	keys(tm, "y")
	waitFor(t, tm, "done: ban 10.0.0.7")
	if !node.called("setban", `["10.0.0.7","add",86400]`) {
		t.Errorf("no setban call: %q", node.callLog())
	}
	golden(t, finalView(t, tm))
}

// TestPeersPageCancel: n (or esc) at the confirmation sends nothing.
func TestPeersPageCancel(t *testing.T) {
	node := newFakeNode()
	tm := startModel(t, node, 80, 24, PagePeers)
	waitFor(t, tm, "Peers: 2 connected")
	keys(tm, "d")
	waitFor(t, tm, "disconnect peer 1", "127.0.0.1:2200")
	keys(tm, "n")
	waitFor(t, tm, "cancelled: disconnect peer 1")
	finalView(t, tm)
	if node.called("disconnectnode", "") {
		t.Errorf("a cancelled disconnect was sent: %q", node.callLog())
	}
}

// TestProducersPage registers a producer on a locked wallet: a bad name
// is refused in the form, a wrong passphrase asks again, the dry run's
// fee shows before y, the wallet is locked again after, and the
// passphrase never reaches the screen.
func TestProducersPage(t *testing.T) {
	node := newFakeNode()
	tm := startModel(t, node, 80, 24, PageProducers)
	waitFor(t, tm, "Producers: 2 registered", "moonwell", "pending")
	keys(tm, "n", "x!", "enter", "enter", "enter", "enter", "enter", "enter")
	waitFor(t, tm, "error: ")
	if node.called("cp.create", "") {
		t.Fatal("a bad name reached the node")
	}
	keys(tm, "tab") // from the last field round to the name
	for range 2 {
		tm.Send(keyBackspace)
	}
	keys(tm, "skyforge", "enter", "https://skyforge.example", "enter", "enter", "enter", "enter", "enter")
	waitFor(t, tm, "The wallet is locked", "to register producer skyforge")
	keys(tm, "wrong passphrase!", "enter")
	waitFor(t, tm, "error: wrong passphrase")
	keys(tm, testPass, "enter")
	waitFor(t, tm, "register producer skyforge", "fee", "0.00000194 GG", "y broadcast")
	keys(tm, "y")
	waitFor(t, tm, "done: register producer skyfor")
	out := finalView(t, tm)
	golden(t, out)
	for _, want := range []string{
		`wallet.unlock ["` + testPass + `",0]`,
		`cp.create ["skyforge","https://skyforge.example","","",0,"default",true]`,
		`cp.create ["skyforge","https://skyforge.example","","",0,"default",false]`,
		`wallet.lock []`,
	} {
		method, params, _ := strings.Cut(want, " ")
		if !node.called(method, params) {
			t.Errorf("no call %s: %q", want, node.callLog())
		}
	}
	if strings.Contains(out, testPass) || strings.Contains(strings.Join(tm.FinalModel(t).(*Model).log, "\n"), testPass) {
		t.Error("the passphrase shows on the screen or in the log")
	}
	if !node.locked {
		t.Error("the wallet was left unlocked")
	}
}

// TestProducersPageSearch: / filters by name prefix.
func TestProducersPageSearch(t *testing.T) {
	node := newFakeNode()
	tm := startModel(t, node, 80, 24, PageProducers)
	waitFor(t, tm, "Producers: 2 registered")
	keys(tm, "/", "iron", "enter")
	waitFor(t, tm, `names starting "iron"`)
	finalView(t, tm)
	if !node.called("cp.list", `["iron",`) {
		t.Errorf("no search: %q", node.callLog())
	}
}

// TestPropsPage puts a prop on sale: the confirmation shows the prices
// and the fee before anything is sent.
func TestPropsPage(t *testing.T) {
	node := newFakeNode()
	node.locked = false
	tm := startModel(t, node, 80, 24, PageProps)
	waitFor(t, tm, "Props: the wallet's (3)", "sword-001", "on sale", "pending")
	keys(tm, "a", "5", "enter", "1", "enter", "enter", "enter")
	waitFor(t, tm, "sell prop 0000…00d1", "buy now", "5.0 GG", "reserve", "1.0 GG", "0.00000194 GG")
	if node.called("prop.sale", `["`+hexID(0xd1)+`","5.0","1.0",0,"default",false]`) {
		t.Fatal("the sale was broadcast before y")
	}
	golden(t, finalView(t, tm))
	if !node.called("prop.sale", `["`+hexID(0xd1)+`","5.0","1.0",0,"default",true]`) {
		t.Errorf("no dry run: %q", node.callLog())
	}
}

// TestPropsPageCreateBatch: a count above 1 creates a batch in one
// transaction, oid-1 … oid-N; a gold below the minimum is refused.
func TestPropsPageCreateBatch(t *testing.T) {
	node := newFakeNode()
	node.locked = false
	tm := startModel(t, node, 80, 24, PageProps)
	waitFor(t, tm, "Props: the wallet's (3)")
	keys(tm, "n", "starfall", "enter", "gem", "enter")
	for range 6 {
		tm.Send(keyBackspace)
	}
	keys(tm, "0.00001", "enter", "", "enter", "enter")
	waitFor(t, tm, "error: gold")
	keys(tm, "up", "up")
	for range 7 {
		tm.Send(keyBackspace)
	}
	keys(tm, "0.0002", "enter")
	tm.Send(keyBackspace)
	keys(tm, "3", "enter", "enter")
	waitFor(t, tm, "create 3 props", "gem-1 … gem-3", "0.0002 GG each, 0.0006 GG in all")
	keys(tm, "y")
	waitFor(t, tm, "done: create 3 props")
	finalView(t, tm)
	if !node.called("prop.createlist", `["starfall",[{"gold":"0.0002","oid":"gem-1"},{"gold":"0.0002","oid":"gem-2"},{"gold":"0.0002","oid":"gem-3"}],"default",false]`) {
		t.Errorf("no batch: %q", node.callLog())
	}
}

// TestAuctionsPage: the best bid changes on screen when the node's event
// says a bid arrived, without a key; b bids from another account.
func TestAuctionsPage(t *testing.T) {
	node := newFakeNode()
	node.locked = false
	tm := startModel(t, node, 80, 24, PageAuctions)
	waitFor(t, tm, "Auctions: 1 live", "1.5")
	node.mu.Lock()
	node.bestBid = rpc.GG(3e8)
	node.mu.Unlock()
	node.currentFeed().push("props", "prop.outbid", map[string]any{"id": hexID(0xd2), "price": 150000000})
	waitFor(t, tm, "3.0")
	keys(tm, "0", "s")
	waitFor(t, tm, "prop.outbid id=0000…00d2 price=1.5GG")
	keys(tm, "7")
	waitFor(t, tm, "[7 Auct]")
	keys(tm, "b", "4", "enter", "bob", "enter")
	waitFor(t, tm, "bid on prop 0000…00d2", "4.0 GG (paid to the seller)", "account", "bob")
	keys(tm, "y")
	waitFor(t, tm, "done: bid on prop")
	golden(t, finalView(t, tm))
	if !node.called("prop.buy", `["`+hexID(0xd2)+`","4.0","bob",false]`) {
		t.Errorf("no bid: %q", node.callLog())
	}
}

// TestContractsPage: the lifecycle of each contract, and a on one the
// wallet must sign.
func TestContractsPage(t *testing.T) {
	node := newFakeNode()
	tm := startModel(t, node, 80, 24, PageContracts)
	waitFor(t, tm, "[pub]→sign", "refund")
	keys(tm, "a")
	waitFor(t, tm, "sign contract 0000…00f1", "B pays")
	keys(tm, "y")
	waitFor(t, tm, "The wallet is locked")
	keys(tm, testPass, "enter")
	waitFor(t, tm, "done: sign contract")
	out := finalView(t, tm)
	if !node.called("contract.sign", `["`+hexID(0xf1)+`","bob"]`) {
		t.Errorf("no signature: %q", node.callLog())
	}
	if !node.locked {
		t.Error("the wallet was left unlocked")
	}
	golden(t, out)
}

// TestWalletPage sends with the fee shown first (tx.create's dry run),
// then the payment (sendtoaddress).
func TestWalletPage(t *testing.T) {
	node := newFakeNode()
	node.locked = false
	tm := startModel(t, node, 80, 24, PageWallet)
	waitFor(t, tm, "Wallet (unlocked)", "4189.0", "History")
	keys(tm, "s", "rg1qrecipient", "enter", "abc", "enter", "enter", "enter")
	waitFor(t, tm, "error: amount")
	keys(tm, "up", "up")
	for range 3 {
		tm.Send(keyBackspace)
	}
	keys(tm, "1.25", "enter", "enter", "enter")
	waitFor(t, tm, "send 1.25 GG", "rg1qrecipient", "0.00000141 GG")
	keys(tm, "y")
	waitFor(t, tm, "done: send 1.25 GG")
	golden(t, finalView(t, tm))
	if !node.called("tx.create", `["rg1qrecipient","1.25",false,"default"]`) || !node.called("sendtoaddress", `["rg1qrecipient","1.25",false,"default"]`) {
		t.Errorf("no preview and payment: %q", node.callLog())
	}
}

// TestLogPage: s shows the session's events instead of the node's log.
func TestLogPage(t *testing.T) {
	node := newFakeNode()
	tm := startModel(t, node, 80, 24, PageLog)
	waitFor(t, tm, "The node's log")
	keys(tm, "s")
	waitFor(t, tm, "Events and actions")
	node.currentFeed().push("blocks", "block.connected", map[string]any{"txs": 3})
	node.currentFeed().push("producers", "producer.registered", map[string]any{"name": "skyforge", "id": hexID(0xc9)})
	waitFor(t, tm, "producer.registered name=skyforge")
	golden(t, finalView(t, tm))
}

func TestHelp(t *testing.T) {
	tm := startModel(t, newFakeNode(), 100, 30, "")
	waitFor(t, tm, "● live")
	keys(tm, "?")
	waitFor(t, tm, "Keys")
	golden(t, finalView(t, tm))
}

// TestConnectionLost: the feed ends and calls fail (the node stopped):
// the banner says so; when the node answers again the banner goes and
// the feed resumes.
func TestConnectionLost(t *testing.T) {
	node := newFakeNode()
	tm := startModel(t, node, 80, 24, "")
	waitFor(t, tm, "● live")
	feed := node.currentFeed()
	node.setDown(true)
	feed.end <- errDown
	waitFor(t, tm, "node unreachable — retrying")
	node.setDown(false)
	waitFor(t, tm, "● live")
	m := finalView(t, tm)
	if strings.Contains(m, "unreachable") {
		t.Errorf("the banner stayed:\n%s", m)
	}
	log := strings.Join(tm.FinalModel(t).(*Model).log, "\n")
	for _, w := range []string{"connection lost", "reconnected"} {
		if !strings.Contains(log, w) {
			t.Errorf("log lacks %q:\n%s", w, log)
		}
	}
}

// TestPolling: a node without events is polled, and the status says so.
func TestPolling(t *testing.T) {
	node := newFakeNode()
	node.events = false
	tm := startModel(t, node, 80, 24, "")
	waitFor(t, tm, "◌ polling every 20ms")
	n := len(node.callLog())
	deadline := time.Now().Add(5 * time.Second)
	for len(node.callLog()) <= n+8 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	finalView(t, tm)
	if len(node.callLog()) <= n+8 {
		t.Error("no poll after the first load")
	}
}

// TestUnlockTimeout: an unlock timeout given at the prompt unlocks for
// that long, and the console does not lock the wallet after the action.
func TestUnlockTimeout(t *testing.T) {
	node := newFakeNode()
	tm := startModel(t, node, 80, 24, PageAuctions)
	waitFor(t, tm, "Auctions: 1 live")
	keys(tm, "b", "2", "enter", "enter")
	waitFor(t, tm, "The wallet is locked")
	keys(tm, testPass, "tab", "3x")
	keys(tm, "enter")
	waitFor(t, tm, "error: the unlock timeout is whole seconds")
	if node.called("wallet.unlock", "") {
		t.Fatal("a bad timeout unlocked the wallet")
	}
	keys(tm, "tab", testPass, "tab")
	tm.Send(keyBackspace)
	tm.Send(keyBackspace)
	keys(tm, "60", "enter")
	waitFor(t, tm, "y broadcast")
	keys(tm, "y")
	waitFor(t, tm, "done: bid on prop")
	finalView(t, tm)
	if !node.called("wallet.unlock", `["`+testPass+`",60]`) {
		t.Errorf("no unlock for 60 s: %q", node.callLog())
	}
	if node.called("wallet.lock", "") || node.locked {
		t.Errorf("the console locked a wallet unlocked for 60 s: %q", node.callLog())
	}
}

// TestWalletNewAddress: n hands out an address of the account named.
func TestWalletNewAddress(t *testing.T) {
	node := newFakeNode()
	tm := startModel(t, node, 80, 24, PageWallet)
	waitFor(t, tm, "Wallet (locked)")
	keys(tm, "n", "savings", "enter")
	waitFor(t, tm, "new address for account savings", "y do")
	keys(tm, "y")
	waitFor(t, tm, "rg1qnewaddress")
	finalView(t, tm)
	if !node.called("getnewaddress", `["savings"]`) {
		t.Errorf("no address: %q", node.callLog())
	}
}

// TestDashboardStratum: the hashrate shows when Stratum runs.
func TestDashboardStratum(t *testing.T) {
	node := newFakeNode()
	node.answer["miner.stratum.info"] = map[string]any{"totals": map[string]any{"hashrate": 1234567.0}}
	tm := startModel(t, node, 80, 24, "")
	waitFor(t, tm, "hashrate", "1.23 MH/s")
	finalView(t, tm)
}

// TestPeersPageP2POff: a node without P2P (-9) is said so, not an error.
func TestPeersPageP2POff(t *testing.T) {
	node := newFakeNode()
	node.answer["getpeerinfo"] = &rpc.Error{Code: codeP2POff, Message: "P2P is disabled (--p2p=false)"}
	tm := startModel(t, node, 80, 24, PagePeers)
	waitFor(t, tm, "the node runs without P2P")
	if v := finalView(t, tm); strings.Contains(v, "error:") {
		t.Errorf("P2P off shown as an error:\n%s", v)
	}
}

// TestProducersTransfer: t moves the producer to an address, with a
// confirmation naming both; an empty address is refused.
func TestProducersTransfer(t *testing.T) {
	node := newFakeNode()
	node.locked = false
	tm := startModel(t, node, 80, 24, PageProducers)
	waitFor(t, tm, "Producers: 2 registered")
	keys(tm, "down", "t", "enter", "enter")
	waitFor(t, tm, "error: give the new owner's address")
	keys(tm, "up", "rg1qnewowner", "enter", "enter")
	waitFor(t, tm, "transfer producer ironforge", "rg1qnewowner", "y broadcast")
	keys(tm, "y")
	waitFor(t, tm, "done: transfer producer")
	finalView(t, tm)
	if !node.called("cp.change", `["`+hexID(0xc1)+`",null,null,null,null,null,"rg1qnewowner","default",false]`) {
		t.Errorf("no transfer: %q", node.callLog())
	}
}

// TestPropsPageQueries: / finds a prop by id (a bad id is refused), p
// lists a producer's, x destroys after a confirmation, s sends.
func TestPropsPageQueries(t *testing.T) {
	node := newFakeNode()
	node.locked = false
	node.answer["prop.byid"] = map[string]any{"id": hexID(0xd9), "oid": "found-it", "gold": rpc.GG(1e4), "status": "live", "confirmed": true}
	node.answer["prop.list"] = map[string]any{"total": 1, "props": []any{map[string]any{"id": hexID(0xda), "oid": "theirs", "gold": rpc.GG(1e4), "status": "live", "confirmed": true}}}
	tm := startModel(t, node, 80, 24, PageProps)
	waitFor(t, tm, "Props: the wallet's (3)")
	keys(tm, "/", "xyz", "enter")
	waitFor(t, tm, "error: a prop id is 64 hex digits")
	keys(tm, "esc", "/", hexID(0xd9), "enter")
	waitFor(t, tm, "found-it")
	keys(tm, "p", "ironforge", "enter")
	waitFor(t, tm, "Props: producer ironforge (1)", "theirs")
	keys(tm, "x")
	waitFor(t, tm, "destroy prop 0000…00da", "gold returned")
	keys(tm, "y")
	waitFor(t, tm, "done: destroy prop")
	keys(tm, "s", "rg1qfriend", "enter", "enter")
	waitFor(t, tm, "send prop 0000…00da", "rg1qfriend")
	keys(tm, "n")
	waitFor(t, tm, "cancelled: send prop")
	finalView(t, tm)
	for _, c := range [][2]string{{"prop.byid", `["` + hexID(0xd9) + `"]`}, {"prop.list", `["ironforge","",false,0,1000]`},
		{"prop.found", `["` + hexID(0xda) + `","default",false]`}} {
		if !node.called(c[0], c[1]) {
			t.Errorf("no call %s %s: %q", c[0], c[1], node.callLog())
		}
	}
	if node.called("prop.send", `["rg1qfriend","`+hexID(0xda)+`","default",false]`) {
		t.Error("a cancelled send was broadcast")
	}
}

// TestContractsRefund: a fulfilled contract the wallet is A of offers
// the refund, previewed by a dry run.
func TestContractsRefund(t *testing.T) {
	node := newFakeNode()
	node.locked = false
	node.answer["contract.execute"] = map[string]any{"id": hexID(0xf2), "state": "refunded", "txid": hexID(0x77), "fee": rpc.GG(300)}
	tm := startModel(t, node, 80, 24, PageContracts)
	waitFor(t, tm, "refund")
	keys(tm, "down", "a")
	waitFor(t, tm, "refund contract 0000…00f2", "0.000003 GG", "y broadcast")
	keys(tm, "y")
	waitFor(t, tm, "done: refund contract")
	finalView(t, tm)
	if !node.called("contract.execute", `["`+hexID(0xf2)+`","refund",null,null,"","default",true]`) ||
		!node.called("contract.execute", `["`+hexID(0xf2)+`","refund",null,null,"","default",false]`) {
		t.Errorf("no refund: %q", node.callLog())
	}
}

// TestKeysArriveTogether: keys typed faster than the console reads them
// come in one message ("nstarfall"); each is a key of its own, so the
// first opens the form and the rest fill it.
func TestKeysArriveTogether(t *testing.T) {
	tm := startModel(t, newFakeNode(), 80, 24, PageProducers)
	waitFor(t, tm, "Producers: 2 registered")
	keys(tm, "nskyforge")
	waitFor(t, tm, "Register a producer", "skyforge")
	finalView(t, tm)
}

// TestLogPageNode: the log page shows the node's log (node.log) and
// follows it live: a record the node logs appears without a key.
func TestLogPageNode(t *testing.T) {
	node := newFakeNode()
	tm := startModel(t, node, 80, 24, PageLog)
	waitFor(t, tm, "The node's log, newest last (live)", "peer misbehaving", "3/3")
	// on the feed only: node.log does not have it
	rec := logRecord(4, 30, "ERROR", "block rejected", "sub", "chain", "hash", blockHash(206), "err", "bad-txnmrklroot")
	rec.Run = testRun
	raw, _ := json.Marshal(rec)
	node.currentLogFeed().ch <- rpc.Notification{Event: &rpc.Event{Topic: "log", Type: "log.record", Data: raw}}
	waitFor(t, tm, "block rejected", "4/4")
	golden(t, finalView(t, tm))
}

// TestLogPagePolled: a node whose log topic is refused (an older node,
// a login without it) has node.log polled after the last record seen
// while the page is shown.
func TestLogPagePolled(t *testing.T) {
	node := newFakeNode()
	node.logEvents = false
	tm := startModel(t, node, 80, 24, PageLog)
	waitFor(t, tm, "(polled every 20ms)", "peer misbehaving")
	node.mu.Lock()
	node.logRecs = append(node.logRecs, logRecord(4, 5, "INFO", "mempool saved", "txs", "3"))
	node.mu.Unlock()
	waitFor(t, tm, "mempool saved txs=3", "4/4")
	keys(tm, "s")
	waitFor(t, tm, "the node's log is polled, not")
	finalView(t, tm)
	if !node.called("node.log", `["debug",3,1000]`) {
		t.Errorf("no poll after record 3: %q", node.callLog())
	}
}

// TestLogPageRefused: a login the node refuses node.log sees why, and s
// still shows the session's log.
func TestLogPageRefused(t *testing.T) {
	node := newFakeNode()
	node.logEvents = false
	node.answer["node.log"] = &rpc.Error{Code: rpc.CodeForbidden, Message: "node.log needs the operator's login (the cookie, or an rpcauth user without a whitelist)"}
	tm := startModel(t, node, 80, 24, PageLog)
	waitFor(t, tm, "error: node.log needs the operator's login")
	keys(tm, "s")
	waitFor(t, tm, "Events and actions of this session")
	if v := finalView(t, tm); strings.Contains(v, "peer misbehaving") {
		t.Errorf("refused, yet the node's records show:\n%s", v)
	}
}

// TestNodeLogMerge: records merge in seq order once each, whatever order
// the reads and the events bring them in; a new run starts after a
// marker; the newest size lines are kept.
func TestNodeLogMerge(t *testing.T) {
	var l nodeLog
	r := func(seq uint64) NodeLogRecord { return logRecord(seq, 0, "INFO", "r"+itoa(int(seq))) }
	l.merge("a", []NodeLogRecord{r(1), r(2), r(5)}, 10)
	l.merge("a", []NodeLogRecord{r(4), r(5), r(3), r(6)}, 10)
	got := func() string {
		var s []string
		for _, x := range l.lines {
			s = append(s, x.Msg+x.marker)
		}
		return strings.Join(s, " ")
	}
	if got() != "r1 r2 r3 r4 r5 r6" || l.cursor() != 6 {
		t.Errorf("merged %q cursor %d", got(), l.cursor())
	}
	l.merge("b", []NodeLogRecord{r(2), r(1)}, 10)
	if got() != "r1 r2 r3 r4 r5 r6 — the node restarted — r1 r2" || l.cursor() != 2 {
		t.Errorf("after a restart %q cursor %d", got(), l.cursor())
	}
	l.merge("b", []NodeLogRecord{r(3), r(4), r(5)}, 6)
	if got() != "— the node restarted — r1 r2 r3 r4 r5" || l.base != 1 {
		t.Errorf("bounded to 6: %q base %d", got(), l.base)
	}
	l.merge("b", []NodeLogRecord{r(1)}, 6) // already there: not again
	if got() != "— the node restarted — r1 r2 r3 r4 r5" {
		t.Errorf("a record again: %q", got())
	}
}

// TestWalletAccountSelector: a chooses the account, in turn after every
// account: the history is that account's (tx.list of it), its balance
// row is marked, and a payment takes it unless told otherwise.
func TestWalletAccountSelector(t *testing.T) {
	node := newFakeNode()
	node.locked = false
	tm := startModel(t, node, 80, 24, PageWallet)
	waitFor(t, tm, "History of every account", "▸ (all)")
	keys(tm, "a")
	waitFor(t, tm, "History of account default", "▸ default")
	keys(tm, "a")
	waitFor(t, tm, "History of account bob", "▸ bob", "0000…00b3")
	keys(tm, "a")
	waitFor(t, tm, "History of every account", "0000…00b1")
	keys(tm, "a", "a")
	waitFor(t, tm, "History of account bob")
	keys(tm, "s", "rg1qfriend", "enter", "2", "enter", "enter", "enter")
	waitFor(t, tm, "send 2.0 GG", "account", "bob", "y broadcast")
	keys(tm, "y")
	waitFor(t, tm, "done: send 2.0 GG")
	keys(tm, "esc")
	waitFor(t, tm, "History of account bob", "▸ bob")
	golden(t, finalView(t, tm))
	for _, c := range [][2]string{{"tx.list", `["bob",50,0]`}, {"tx.list", `["default",50,0]`}, {"tx.list", `["*",50,0]`},
		{"tx.create", `["rg1qfriend","2.0",false,"bob"]`}, {"sendtoaddress", `["rg1qfriend","2.0",false,"bob"]`}} {
		if !node.called(c[0], c[1]) {
			t.Errorf("no call %s %s: %q", c[0], c[1], node.callLog())
		}
	}
}

// TestWalletAccountNewAddress: n offers the chosen account.
func TestWalletAccountNewAddress(t *testing.T) {
	node := newFakeNode()
	tm := startModel(t, node, 80, 24, PageWallet)
	waitFor(t, tm, "History of every account")
	keys(tm, "a", "a")
	waitFor(t, tm, "History of account bob")
	keys(tm, "n", "enter")
	waitFor(t, tm, "new address for account bob", "y do")
	keys(tm, "y")
	waitFor(t, tm, "rg1qnewaddress")
	finalView(t, tm)
	if !node.called("getnewaddress", `["bob"]`) {
		t.Errorf("no address of bob: %q", node.callLog())
	}
}

// contractOf is a contract.mine entry of the tests.
func contractOf(id int, state, role, account string, terms map[string]any) map[string]any {
	return map[string]any{"id": hexID(id), "state": state, "role": role, "account": account, "terms": terms}
}

// TestProducersChange: c changes the producer under the cursor: the form
// starts from its record, the confirmation shows the new values and the
// dry run's fee, n sends nothing, y sends cp.change.
func TestProducersChange(t *testing.T) {
	node := newFakeNode()
	node.locked = false
	tm := startModel(t, node, 80, 24, PageProducers)
	waitFor(t, tm, "Producers: 2 registered")
	change := func() {
		keys(tm, "c", "enter", "enter", "enter", "enter") // name, url, ip, class: as they are
		tm.Send(keyBackspace)
		keys(tm, "7", "enter", "enter") // media share 5 → 7; account
		waitFor(t, tm, "change producer ironforge", "media share", "7%", "0.00000194 GG", "y broadcast")
	}
	keys(tm, "down") // ironforge (moonwell, pending, comes first)
	change()
	keys(tm, "n")
	waitFor(t, tm, "cancelled: change producer")
	if node.called("cp.change", `["`+hexID(0xc1)+`","ironforge","https://ironforge.example","","smith",7,"","default",false]`) {
		t.Fatal("a cancelled change was broadcast")
	}
	change()
	keys(tm, "y")
	waitFor(t, tm, "done: change producer")
	finalView(t, tm)
	for _, dry := range []string{"true", "false"} {
		if !node.called("cp.change", `["`+hexID(0xc1)+`","ironforge","https://ironforge.example","","smith",7,"","default",`+dry+`]`) {
			t.Errorf("no cp.change (dry run %s): %q", dry, node.callLog())
		}
	}
}

// TestContractsFulfil: a on a contract the wallet signed as B fulfils
// it: the terms and the dry run's fee first, n cancels, y sends.
func TestContractsFulfil(t *testing.T) {
	node := newFakeNode()
	node.locked = false
	node.answer["contract.mine"] = []map[string]any{contractOf(0xf4, "signed", "B", "bob", map[string]any{"a_gold": rpc.GG(2e8), "b_gold": rpc.GG(1e8), "expiry": 260})}
	node.answer["contract.fulfil"] = map[string]any{"id": hexID(0xf4), "txid": hexID(0x78), "fee": rpc.GG(250)}
	tm := startModel(t, node, 80, 24, PageContracts)
	waitFor(t, tm, "pub→[sign]→fulfil", "fulfil")
	keys(tm, "a")
	waitFor(t, tm, "fulfil contract 0000…00f4", "B pays", "1.0 GG", "0.0000025 GG", "y broadcast")
	keys(tm, "n")
	waitFor(t, tm, "cancelled: fulfil contract")
	if node.called("contract.fulfil", `["`+hexID(0xf4)+`","bob",false]`) {
		t.Fatal("a cancelled fulfil was broadcast")
	}
	keys(tm, "a")
	waitFor(t, tm, "y broadcast")
	keys(tm, "y")
	waitFor(t, tm, "done: fulfil contract")
	finalView(t, tm)
	if !node.called("contract.fulfil", `["`+hexID(0xf4)+`","bob",true]`) || !node.called("contract.fulfil", `["`+hexID(0xf4)+`","bob",false]`) {
		t.Errorf("no dry run and fulfil: %q", node.callLog())
	}
}

// TestContractsClaim: a on a fulfilled contract the wallet is B of asks
// for the secret (a bad one is refused in the form), previews the claim,
// esc cancels, y claims.
func TestContractsClaim(t *testing.T) {
	node := newFakeNode()
	node.locked = false
	secret := strings.Repeat("5e", 32)
	node.answer["contract.mine"] = []map[string]any{contractOf(0xf5, "fulfilled", "B", "bob", map[string]any{"a_gold": rpc.GG(3e8), "b_gold": rpc.GG(1e8), "hash": hexID(9), "expiry": 240})}
	node.answer["contract.execute"] = map[string]any{"id": hexID(0xf5), "state": "exchanged", "txid": hexID(0x79), "fee": rpc.GG(300)}
	tm := startModel(t, node, 80, 24, PageContracts)
	waitFor(t, tm, "[fulfil]", "claim")
	keys(tm, "a", "xyz", "enter")
	waitFor(t, tm, "error: the secret is 64 hex digits")
	if node.called("contract.execute", "") {
		t.Fatal("a bad secret reached the node")
	}
	for range 3 {
		tm.Send(keyBackspace)
	}
	keys(tm, secret, "enter")
	waitFor(t, tm, "claim contract 0000…00f5", "A gives", "3.0 GG", "0.000003 GG", "y broadcast")
	keys(tm, "esc")
	waitFor(t, tm, "cancelled: claim contract")
	if node.called("contract.execute", `["`+hexID(0xf5)+`","claim","`+secret+`",null,"","bob",false]`) {
		t.Fatal("a cancelled claim was broadcast")
	}
	keys(tm, "a", secret, "enter")
	waitFor(t, tm, "y broadcast")
	keys(tm, "y")
	waitFor(t, tm, "done: claim contract")
	finalView(t, tm)
	for _, dry := range []string{"true", "false"} {
		if !node.called("contract.execute", `["`+hexID(0xf5)+`","claim","`+secret+`",null,"","bob",`+dry+`]`) {
			t.Errorf("no claim (dry run %s): %q", dry, node.callLog())
		}
	}
}

// TestContractsWithdraw: a on an offer the wallet published as A
// withdraws it after a confirmation (nothing is broadcast: the book
// drops it); n cancels; a locked wallet asks for the passphrase first.
func TestContractsWithdraw(t *testing.T) {
	node := newFakeNode()
	node.answer["contract.mine"] = []map[string]any{contractOf(0xf6, "published", "A", "default", map[string]any{"a_gold": rpc.GG(2e8), "b_gold": rpc.GG(5e8), "expiry": 300})}
	tm := startModel(t, node, 80, 24, PageContracts)
	waitFor(t, tm, "[pub]→sign", "withdraw")
	keys(tm, "a")
	waitFor(t, tm, "withdraw contract 0000…00f6", "A gives", "2.0 GG", "B pays", "5.0 GG")
	keys(tm, "n")
	waitFor(t, tm, "cancelled: withdraw contr")
	if node.called("contract.withdraw", "") {
		t.Fatal("a cancelled withdrawal was sent")
	}
	keys(tm, "a")
	waitFor(t, tm, "withdraw contract 0000…00f6")
	keys(tm, "y")
	waitFor(t, tm, "The wallet is locked")
	keys(tm, testPass, "enter")
	waitFor(t, tm, "done: withdraw contract")
	finalView(t, tm)
	if !node.called("contract.withdraw", `["`+hexID(0xf6)+`","default"]`) {
		t.Errorf("no withdrawal: %q", node.callLog())
	}
	if !node.locked {
		t.Error("the wallet was left unlocked")
	}
}
