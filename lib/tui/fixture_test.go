package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/gamegold/gg/lib/rpc"
)

// The fixed data set the page tests read: a regtest node at height 205
// with a small mempool, two peers, producers, props, auctions, contracts
// and a wallet of two accounts, locked with passphrase testPass.

const testPass = "correct horse battery staple"

// testNow is the tests' clock: the tip was mined 90 s before.
var testNow = time.Unix(1_800_000_000, 0)

func hexID(n int) string { return fmt.Sprintf("%064x", n) }

func blockHash(h int) string { return fmt.Sprintf("%08x", h) + strings.Repeat("ab", 28) }

// fakeNode is a Backend over the fixed data set: each call answers from
// it, or from answer when the test sets one; every call is recorded.
type fakeNode struct {
	mu      sync.Mutex
	calls   []string
	locked  bool
	down    bool // calls fail as with no node
	events  bool // Subscribe serves feed
	feed    *fakeFeed
	answer  map[string]any // method → result (or *rpc.Error)
	bestBid rpc.GG
	// the node's log: its records (node.log reads them), and whether
	// FollowLog serves logFeed
	logRecs   []NodeLogRecord
	logEvents bool
	logFeed   *fakeFeed
}

const testRun = "5eed5eed5eed5eed"

// logRecord is a record of the fixed node log, seconds before testNow.
func logRecord(seq uint64, ago int, level, msg string, attrs ...string) NodeLogRecord {
	r := NodeLogRecord{Seq: seq, Time: testNow.Add(-time.Duration(ago) * time.Second).UTC(), Level: level, Msg: msg}
	for i := 0; i+1 < len(attrs); i += 2 {
		if r.Attrs == nil {
			r.Attrs = map[string]string{}
		}
		r.Attrs[attrs[i]] = attrs[i+1]
	}
	return r
}

// FollowLog serves the log topic when logEvents is set.
func (f *fakeNode) FollowLog(ctx context.Context) (Feed, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, errDown
	}
	if !f.logEvents {
		return nil, fmt.Errorf("%w: topic log refused", ErrNoEvents)
	}
	f.logFeed = &fakeFeed{ch: make(chan rpc.Notification, 16), end: make(chan error, 1)}
	return f.logFeed, nil
}

func (f *fakeNode) currentLogFeed() *fakeFeed {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logFeed
}

func newFakeNode() *fakeNode {
	return &fakeNode{locked: true, events: true, answer: map[string]any{}, bestBid: rpc.GG(150_000_000), logEvents: true,
		logRecs: []NodeLogRecord{
			logRecord(1, 3600, "INFO", "chain loaded", "network", "regtest", "height", "205", "tip", blockHash(205)),
			logRecord(2, 3590, "INFO", "rpc listening", "addr", "127.0.0.1:2202", "cookie", "/home/op/.gg/regtest/.cookie"),
			logRecord(3, 600, "WARN", "peer misbehaving", "sub", "p2p", "peer", "10.0.0.7:51200", "score", "20"),
		}}
}

var errDown = fmt.Errorf("%w at http://127.0.0.1:2202: dial tcp 127.0.0.1:2202: connect: connection refused", rpc.ErrNoNode)

func (f *fakeNode) setDown(d bool) { f.mu.Lock(); f.down = d; f.mu.Unlock() }

func (f *fakeNode) callLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// called reports whether a call of method with params (as JSON, prefix)
// was made.
func (f *fakeNode) called(method, params string) bool {
	for _, c := range f.callLog() {
		if strings.HasPrefix(c, method+" "+params) {
			return true
		}
	}
	return false
}

func (f *fakeNode) Call(ctx context.Context, method string, out any, params ...any) error {
	f.mu.Lock()
	if params == nil {
		params = []any{} // as rpc.Client sends them
	}
	p, _ := json.Marshal(params)
	f.calls = append(f.calls, method+" "+string(p))
	if f.down {
		f.mu.Unlock()
		return errDown
	}
	res, err := f.result(method, params)
	f.mu.Unlock()
	if err != nil {
		return err
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

func gameTx(dry bool) map[string]any {
	r := map[string]any{"txid": hexID(0xfeed), "fee": rpc.GG(194), "sent": !dry, "objects": []any{}}
	if dry {
		r["hex"] = "00"
	}
	return r
}

// result is the data set's answer (f.mu held).
func (f *fakeNode) result(method string, params []any) (any, error) {
	if a, ok := f.answer[method]; ok {
		if e, ok := a.(*rpc.Error); ok {
			return nil, e
		}
		return a, nil
	}
	needUnlocked := func() error {
		if f.locked {
			return &rpc.Error{Code: rpc.CodeWalletLocked, Message: "wallet is locked: unlock it first (gg-wallet unlock)"}
		}
		return nil
	}
	last := func() any { return params[len(params)-1] }
	switch method {
	case "getblockchaininfo":
		return map[string]any{"chain": "regtest", "blocks": 205, "headers": 205, "bestblockhash": blockHash(205),
			"verificationprogress": 1.0, "initialblockdownload": false}, nil
	case "getblockheader":
		return map[string]any{"hash": params[0], "height": 205, "time": testNow.Unix() - 90}, nil
	case "getconnectioncount":
		return 2, nil
	case "getblockcount":
		return 205, nil
	case "getrawmempool":
		return map[string]any{
			hexID(0xa1): map[string]any{"vsize": 141, "fee": rpc.GG(282), "time": testNow.Unix() - 30},
			hexID(0xa2): map[string]any{"vsize": 200, "fee": rpc.GG(1000), "time": testNow.Unix() - 20},
			hexID(0xa3): map[string]any{"vsize": 110, "fee": rpc.GG(110), "time": testNow.Unix() - 10},
		}, nil
	case "miner.stratum.info":
		return nil, &rpc.Error{Code: rpc.CodeMisc, Message: "stratum is off"}
	case "wallet.info":
		return map[string]any{"locked": f.locked}, nil
	case "balance.all":
		switch params[0] {
		case "bob":
			return map[string]any{"account": "bob", "confirmed": rpc.GG(8e8), "reserved": rpc.GG(0)}, nil
		case "default":
			return map[string]any{"account": "default", "confirmed": rpc.GG(4189e8), "unconfirmed": rpc.GG(1e8), "immature": rpc.GG(5000e8), "game": rpc.GG(4e4)}, nil
		}
		return map[string]any{"account": "*", "confirmed": rpc.GG(4197e8), "unconfirmed": rpc.GG(1e8), "immature": rpc.GG(5000e8), "game": rpc.GG(4e4)}, nil
	case "block.info.byheight":
		h := int(params[0].(int32))
		return map[string]any{"hash": blockHash(h), "height": h, "time": testNow.Unix() - int64(205-h)*600 - 90,
			"tx": []string{hexID(h), hexID(h + 1000)}, "size": 400 + h, "weight": 1600 + 4*h}, nil
	case "getblock":
		return map[string]any{"hash": params[0], "height": 204, "time": testNow.Unix() - 690, "previousblockhash": blockHash(203),
			"confirmations": 2, "size": 604, "weight": 2416, "tx": []string{hexID(204), hexID(1204)}}, nil
	case "getrawtransaction":
		return map[string]any{"txid": params[0], "hash": params[0], "version": 2, "size": 222, "vsize": 141, "weight": 561,
			"locktime": 0, "vin": []any{map[string]any{"txid": hexID(7), "vout": 0}},
			"vout": []any{map[string]any{"value": 1.5, "n": 0, "scriptPubKey": map[string]any{"address": "rg1qexampleaddress", "type": "witness_v0_keyhash"}}},
			"hex":  "0200", "confirmations": 2}, nil
	case "getpeerinfo":
		return []map[string]any{
			{"id": 1, "addr": "127.0.0.1:2200", "inbound": false, "subver": "/gg-node:0.6.0/", "synced_blocks": 205, "pingtime": 0.0012},
			{"id": 4, "addr": "10.0.0.7:51200", "inbound": true, "subver": "/gg-node:0.6.0/", "synced_blocks": 199, "misbehavior_score": 20},
		}, nil
	case "disconnectnode", "setban":
		return nil, nil
	case "cp.list":
		return map[string]any{"total": 2, "producers": []map[string]any{
			{"id": hexID(0xc1), "name": "ironforge", "url": "https://ironforge.example", "class": "smith", "share": 5, "height": 120, "confirmed": true},
			{"id": hexID(0xc2), "name": "starfall", "url": "https://starfall.example", "share": 0, "height": 110, "confirmed": true},
		}}, nil
	case "cp.mine":
		return []map[string]any{{"id": hexID(0xc2), "name": "starfall", "account": "default", "confirmed": true, "height": 110},
			{"id": hexID(0xc3), "name": "moonwell", "account": "default", "confirmed": false, "height": -1}}, nil
	case "prop.mine":
		return []map[string]any{
			{"id": hexID(0xd1), "producer": hexID(0xc2), "oid": "sword-001", "gold": rpc.GG(1e4), "owner": "rg1qdefaultowner", "status": "live", "height": 130, "confirmed": true, "account": "default"},
			{"id": hexID(0xd2), "producer": hexID(0xc2), "oid": "shield-002", "gold": rpc.GG(3e4), "owner": "rg1qdefaultowner", "status": "live", "height": 131, "confirmed": true, "account": "default",
				"auction": map[string]any{"prop": hexID(0xd2), "buynow": rpc.GG(5e8), "reserve": rpc.GG(1e8), "end": 215, "bid": f.bestBid}},
			{"id": hexID(0xd3), "producer": hexID(0xc2), "oid": "bow-003", "gold": rpc.GG(1e4), "owner": "rg1qbobowner", "status": "live", "height": -1, "confirmed": false, "account": "bob"},
		}, nil
	case "prop.bidlist":
		return []map[string]any{{"prop": hexID(0xd2), "txid": hexID(0xe2), "seller": "rg1qdefaultowner", "gold": rpc.GG(3e4), "buynow": rpc.GG(5e8),
			"reserve": rpc.GG(1e8), "end": 215, "bid": f.bestBid, "bidder": "rg1qbobbidder", "final": false}}, nil
	case "contract.mine":
		return []map[string]any{
			{"id": hexID(0xf1), "state": "published", "role": "B", "account": "bob", "terms": map[string]any{"a_gold": rpc.GG(2e8), "b_gold": rpc.GG(1e8), "expiry": 260}},
			{"id": hexID(0xf2), "state": "fulfilled", "role": "A", "account": "default", "terms": map[string]any{"a_gold": rpc.GG(1e8), "hash": hexID(9), "expiry": 240}},
			{"id": hexID(0xf3), "state": "exchanged", "role": "A", "account": "default", "terms": map[string]any{"a_gold": rpc.GG(3e8), "expiry": 200}},
		}, nil
	case "account.list":
		return []map[string]any{{"name": "default", "number": 0, "kind": "bip44"}, {"name": "bob", "number": 1, "kind": "bip44"}}, nil
	case "tx.list":
		if params[0] == "bob" {
			return []map[string]any{
				{"txid": hexID(0xb3), "status": "confirmed", "category": "receive", "amount": rpc.GG(8e8), "confirmations": 12, "time": testNow.Unix() - 7200},
			}, nil
		}
		return []map[string]any{
			{"txid": hexID(0xb1), "status": "pending", "category": "send", "amount": rpc.GG(-1e8), "fee": rpc.GG(141), "confirmations": 0, "time": testNow.Unix() - 30},
			{"txid": hexID(0xb2), "status": "confirmed", "category": "receive", "amount": rpc.GG(10e8), "confirmations": 75, "time": testNow.Unix() - 45000},
		}, nil
	case "node.log":
		var after *uint64
		if len(params) > 1 && params[1] != nil {
			a := params[1].(uint64)
			after = &a
		}
		recs := []NodeLogRecord{}
		for _, r := range f.logRecs {
			if after == nil || r.Seq > *after {
				recs = append(recs, r)
			}
		}
		cursor := uint64(0)
		if n := len(f.logRecs); n > 0 {
			cursor = f.logRecs[n-1].Seq
		}
		return map[string]any{"run": testRun, "records": recs, "cursor": cursor, "missed": 0}, nil
	case "wallet.unlock":
		if params[0] != testPass {
			return nil, &rpc.Error{Code: rpc.CodeWalletPass, Message: "wrong passphrase"}
		}
		f.locked = false
		return nil, nil
	case "wallet.lock":
		f.locked = true
		return nil, nil
	case "tx.create":
		if err := needUnlocked(); err != nil {
			return nil, err
		}
		return map[string]any{"txid": hexID(0xbb), "hex": "00", "fee": rpc.GG(141)}, nil
	case "sendtoaddress":
		if err := needUnlocked(); err != nil {
			return nil, err
		}
		return hexID(0xbc), nil
	case "getnewaddress":
		return "rg1qnewaddress", nil
	case "cp.create", "cp.change", "prop.create", "prop.createlist", "prop.send", "prop.found", "prop.sale", "prop.buy":
		if err := needUnlocked(); err != nil {
			return nil, err
		}
		return gameTx(last() == true), nil
	case "contract.sign", "contract.withdraw":
		if err := needUnlocked(); err != nil {
			return nil, err
		}
		return map[string]any{"id": params[0], "state": "signed"}, nil
	}
	return nil, &rpc.Error{Code: rpc.CodeMethodNotFound, Message: "method not found: " + method}
}

func (f *fakeNode) Subscribe(ctx context.Context, since string) (Feed, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, errDown
	}
	if !f.events {
		return nil, ErrNoEvents
	}
	f.feed = &fakeFeed{ch: make(chan rpc.Notification, 16), end: make(chan error, 1)}
	return f.feed, nil
}

func (f *fakeNode) currentFeed() *fakeFeed {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.feed
}

// fakeFeed is a Feed the test pushes events into.
type fakeFeed struct {
	ch  chan rpc.Notification
	end chan error
}

func (f *fakeFeed) Next(ctx context.Context) (rpc.Notification, error) {
	select {
	case n := <-f.ch:
		return n, nil
	case err := <-f.end:
		return rpc.Notification{}, err
	case <-ctx.Done():
		return rpc.Notification{}, ctx.Err()
	}
}

func (f *fakeFeed) Close() error { return nil }

func (f *fakeFeed) push(topic, typ string, data map[string]any) {
	raw, _ := json.Marshal(data)
	f.ch <- rpc.Notification{Event: &rpc.Event{Topic: topic, Type: typ, Height: 205, Hash: blockHash(205), Data: raw}}
}

// ---- driving the model

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii) // the inputs draw with the default renderer
	os.Exit(m.Run())
}

func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(os.Stderr)
	r.SetColorProfile(termenv.Ascii)
	return r
}

// startModel runs the console on node in a teatest program of w × h.
func startModel(t *testing.T, node *fakeNode, w, h int, page string) *teatest.TestModel {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	m := New(Config{Backend: node, Context: ctx, Renderer: asciiRenderer(), Now: func() time.Time { return testNow },
		Poll: 20 * time.Millisecond, Retry: 20 * time.Millisecond, Page: page})
	return teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
}

// waitFor waits until the screen has drawn each of want (since the last
// wait).
func waitFor(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !strings.Contains(string(b), w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func keys(tm *teatest.TestModel, ks ...string) {
	for _, k := range ks {
		switch k {
		case "enter":
			tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
		case "esc":
			tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
		case "tab":
			tm.Send(tea.KeyMsg{Type: tea.KeyTab})
		case "down":
			tm.Send(tea.KeyMsg{Type: tea.KeyDown})
		case "up":
			tm.Send(tea.KeyMsg{Type: tea.KeyUp})
		case "end":
			tm.Send(tea.KeyMsg{Type: tea.KeyEnd})
		default:
			tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
		}
	}
}

// finalView quits and returns the last screen.
func finalView(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View()
}

// golden compares got with testdata/<test name>.golden; GG_UPDATE=1
// rewrites it.
func golden(t *testing.T, got string) {
	t.Helper()
	path := filepath.Join("testdata", strings.ReplaceAll(t.Name(), "/", "_")+".golden")
	if os.Getenv("GG_UPDATE") == "1" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (GG_UPDATE=1 go test ./lib/tui writes it)", err)
	}
	if string(want) != got {
		t.Errorf("screen differs from %s (GG_UPDATE=1 rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

var keyBackspace = tea.KeyMsg{Type: tea.KeyBackspace}

func containsAll(s string, want ...string) bool {
	for _, w := range want {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}
