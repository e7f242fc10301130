package node

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/coder/websocket"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/explorer"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wallet/seed"
)

// explorerClient fetches the explorer's pages without a login.
type explorerClient struct{ *restClient }

func newExplorerClient(r *restClient) explorerClient {
	return explorerClient{&restClient{base: r.base}}
}

// html gets an explorer page as HTML, expecting status, and checks the
// page's headers (type, CSP).
func (c explorerClient) html(t *testing.T, path string, status int) string {
	t.Helper()
	code, h, b := c.get(t, path, "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	if code != status {
		t.Fatalf("GET %s (HTML): %d, want %d: %.400s", path, code, status, b)
	}
	if ct := h.Get("Content-Type"); code == 200 && ct != "text/html; charset=utf-8" {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	if csp := h.Get("Content-Security-Policy"); csp != explorer.ContentSecurityPolicy {
		t.Fatalf("GET %s: Content-Security-Policy %q", path, csp)
	}
	if i := strings.Index(string(b), "no value"); i >= 0 {
		t.Errorf("GET %s: a missing field rendered: %s", path, b[max(0, i-300):i+20])
	}
	return string(b)
}

// json gets an explorer page's JSON twin, expecting status.
func (c explorerClient) json(t *testing.T, path string, status int) map[string]any {
	t.Helper()
	code, h, b := c.get(t, path, "Accept", "application/json")
	if code != status {
		t.Fatalf("GET %s (JSON): %d, want %d: %.400s", path, code, status, b)
	}
	if ct := h.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("GET %s (JSON): Content-Type %q", path, ct)
	}
	m, ok := decode(t, b).(map[string]any)
	if !ok {
		t.Fatalf("GET %s (JSON): not an object: %.300s", path, b)
	}
	return m
}

// both gets path as HTML (checking it contains each of want) and as
// JSON, and returns the JSON.
func (c explorerClient) both(t *testing.T, path string, want ...string) map[string]any {
	t.Helper()
	page := c.html(t, path, http.StatusOK)
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("GET %s (HTML): no %q in %.3000s", path, w, page)
		}
	}
	return c.json(t, path, http.StatusOK)
}

// noFollow gets path without following a redirect.
func (c explorerClient) noFollow(t *testing.T, path string) (int, http.Header, string) {
	t.Helper()
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Get(c.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func str(v any) string {
	if v == nil {
		return ""
	}
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

// get walks decoded JSON by object keys and list indexes ("0").
func dig(v any, keys ...string) any {
	for _, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := 0
			json.Unmarshal([]byte(k), &i)
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// TestExplorerPages gets every explorer page, as HTML and as JSON,
// without a login, on a regtest node with game activity and the address
// index: a producer and props, props sent to bob, an auction with a
// bid, a contract on chain and one in the book.
func TestExplorerPages(t *testing.T) {
	r := startRESTNode(t, func(c *Config) { c.AddressIndex = true })
	c := newExplorerClient(r.rest)
	var height int
	json.Unmarshal(r.must(t, "getblockcount"), &height)
	best := r.best(t)

	home := c.both(t, "/explorer/", "Recent blocks", "Live auctions", r.gem)
	if got := str(dig(home, "chain", "blocks")); got != itoa(height) {
		t.Errorf("home tip %s, want %d", got, height)
	}
	if got := str(dig(home, "blocks", "0", "hash")); got != best {
		t.Errorf("home's first recent block %s, want the tip %s", got, best)
	}
	if got := str(dig(home, "auctions", "0", "prop")); got != r.gem {
		t.Errorf("home auctions: %v", dig(home, "auctions"))
	}

	blk := c.both(t, "/explorer/block/"+itoa(height), best)
	if str(dig(blk, "block", "hash")) != best {
		t.Errorf("block by height: %v", dig(blk, "block", "hash"))
	}
	c.both(t, "/explorer/block/"+best, "Transactions")

	// The bid in the mempool: a sale record, decoded.
	bidTx := str(dig(home, "auctions", "0", "txid"))
	tx := c.both(t, "/explorer/tx/"+bidTx, "Game record: sale", r.gem, "in the mempool")
	if got := str(dig(tx, "game", "sale", "bid")); got != "0.50000000" {
		t.Errorf("bid tx: sale %v", dig(tx, "game", "sale"))
	}
	// A confirmed prop send, found through its block without --txindex.
	prop2 := c.both(t, "/explorer/prop/"+r.props[2], "Owner history", r.bob)
	sendEv := dig(prop2, "history", "1")
	if str(dig(sendEv, "op")) != "prop-send" {
		t.Fatalf("prop history: %v", dig(prop2, "history"))
	}
	sendHash := unquote(t, r.must(t, "getblockhash", dig(sendEv, "height")))
	stx := c.both(t, "/explorer/tx/"+str(dig(sendEv, "txid"))+"?block="+sendHash, "Game record: prop-send", r.bob)
	moved := false
	for _, m := range dig(stx, "game", "moves").([]any) {
		moved = moved || str(dig(m, "id")) == r.props[2] && str(dig(m, "owner")) == r.bob
	}
	if !moved {
		t.Errorf("prop-send moves: %v", dig(stx, "game", "moves"))
	}

	addr := c.both(t, "/explorer/address/"+r.bob, "Props held", r.props[2], "CSV export")
	if str(dig(addr, "balance", "address")) != r.bob || dig(addr, "txs", "txs", "0") == nil {
		t.Errorf("address page: balance %v txs %v", dig(addr, "balance"), dig(addr, "txs"))
	}
	code, h, csv := c.get(t, "/explorer/address/"+r.bob+"/txs.csv")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.HasPrefix(string(csv), "height,time,blockhash,txid") {
		t.Errorf("CSV export: %d %q %.200s", code, h.Get("Content-Type"), csv)
	}

	prod := c.both(t, "/explorer/producer/starfall", "https://starfall.example", "Props issued", r.sword)
	if str(dig(prod, "producer", "id")) != r.pid || len(dig(prod, "props").([]any)) != 7 || dig(prod, "history", "0") == nil {
		t.Errorf("producer page: %v", prod)
	}
	c.both(t, "/explorer/producer/"+r.pid, "starfall")

	gem := c.both(t, "/explorer/prop/"+r.gem, "best bid", "0.5")
	if dig(gem, "prop", "auction") == nil {
		t.Errorf("prop page: no auction in %v", gem)
	}
	// The JSON twin is the REST answer itself.
	if want := decode(t, r.rest.ok(t, "/rest/game/prop/"+r.gem+".json")); !reflect.DeepEqual(dig(gem, "prop"), want) {
		t.Errorf("prop page JSON %v, REST %v", dig(gem, "prop"), want)
	}
	c.html(t, "/explorer/address/"+r.bob+"?cursor=zz", http.StatusBadRequest)
	auc := c.both(t, "/explorer/auctions", r.gem)
	if len(dig(auc, "auctions").([]any)) != 1 {
		t.Errorf("auctions: %v", auc)
	}
	cs := c.both(t, "/explorer/contracts?party="+r.bkey, r.onChain[:8], r.inBook[:8])
	if len(dig(cs, "contracts").([]any)) != 2 {
		t.Errorf("contracts of bob: %v", cs)
	}
	c.both(t, "/explorer/contracts", "party key")
	c.both(t, "/explorer/contract/"+r.onChain, r.onChain)

	// Search: each kind of query lands on its page (303), or its JSON
	// twin names it.
	for q, want := range map[string]string{
		itoa(height): "/explorer/block/" + itoa(height), best: "/explorer/block/" + best,
		r.mtxid: "/explorer/tx/" + r.mtxid, r.bob: "/explorer/address/" + r.bob, r.gem: "/explorer/prop/" + r.gem,
		r.pid: "/explorer/producer/" + r.pid, "Starfall": "/explorer/producer/" + r.pid, r.onChain: "/explorer/contract/" + r.onChain,
	} {
		code, h, b := c.noFollow(t, "/explorer/search?q="+q)
		if code != http.StatusSeeOther || h.Get("Location") != want {
			t.Errorf("search %s: %d %q %.200s, want 303 to %s", q, code, h.Get("Location"), b, want)
		}
		if got := c.json(t, "/explorer/search?q="+q, 200); got["url"] != want {
			t.Errorf("search %s (JSON): %v", q, got)
		}
	}
	c.html(t, "/explorer/search", 200)

	// A destroyed prop: its page shows the destruction last.
	r.must(t, "prop.found", r.props[5])
	r.gen(t, 1)
	gone := c.both(t, "/explorer/prop/"+r.props[5], "destroyed", "prop-destroy")
	hist := dig(gone, "history").([]any)
	if str(dig(gone, "prop", "status")) != "destroyed" || str(dig(hist[len(hist)-1], "op")) != "prop-destroy" {
		t.Errorf("destroyed prop: %v", gone)
	}
	for _, f := range []string{"explorer.js", "explorer.css"} {
		code, h, b := c.get(t, "/explorer/static/"+f)
		if code != 200 || len(b) == 0 || h.Get("Content-Security-Policy") == "" {
			t.Errorf("static %s: %d %d bytes", f, code, len(b))
		}
	}
}

func atoiT(t *testing.T, s string) int {
	t.Helper()
	i, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return i
}

// accountXpub is the account xpub of walletMnemonic's account named
// name on the node's wallet, made with hdkeychain (as lib/wallet
// exports it), not with the explorer's own derivation.
func accountXpub(t *testing.T, n *walletNode, name string) string {
	t.Helper()
	var accts []struct {
		Name   string
		Number uint32
	}
	json.Unmarshal(n.must(t, "account.list"), &accts)
	for _, a := range accts {
		if a.Name != name {
			continue
		}
		s, err := seed.SeedFromMnemonic(walletMnemonic, "")
		if err != nil {
			t.Fatal(err)
		}
		k, err := hdkeychain.NewMaster(s, wallet.HDParams(chaincfg.RegTestParams))
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range seed.AccountPath(chaincfg.RegTestParams, a.Number) {
			if k, err = k.Derive(i); err != nil {
				t.Fatal(err)
			}
		}
		pub, err := k.Neuter()
		if err != nil {
			t.Fatal(err)
		}
		return pub.String()
	}
	t.Fatalf("no account %q in %v", name, accts)
	return ""
}

// TestExplorerXpub: bob's account xpub shows his wallet: the balance of
// his addresses summed, each used address with its path, the history
// merged across them (one line per transaction), as HTML and JSON, and
// the search finds it. A bad xpub is 400, shown escaped.
func TestExplorerXpub(t *testing.T) {
	r := startRESTNode(t, func(c *Config) { c.AddressIndex = true })
	c := newExplorerClient(r.rest)
	xpub := accountXpub(t, r.walletNode, "bob")
	page := c.both(t, "/explorer/xpub/"+xpub, "Used addresses", r.bob, "Recent history", "0/0")
	var bal struct{ Balance string }
	json.Unmarshal(r.rest.ok(t, "/rest/address/"+r.bob+"/balance.json"), &bal)
	used, _ := dig(page, "used").([]any)
	if len(used) == 0 || str(dig(used[0], "address")) != r.bob || str(dig(used[0], "path")) != "0/0" {
		t.Fatalf("used addresses %v", dig(page, "used"))
	}
	// bob's other addresses (a bid's change) count in the sum.
	var sum amount.Amount
	for _, u := range used {
		a, err := amount.Parse(str(dig(u, "balance")))
		if err != nil {
			t.Fatal(err)
		}
		sum += a
	}
	if str(dig(page, "balance")) != sum.Format() || sum == 0 {
		t.Errorf("balance %v, the used addresses' sum %s", dig(page, "balance"), sum.Format())
	}
	// Each branch is scanned to 20 unused addresses past its last used.
	for branch, name := range []string{"receive", "change"} {
		last := -1
		for _, u := range used {
			if str(dig(u, "branch")) == itoa(branch) {
				last = max(last, atoiT(t, str(dig(u, "index"))))
			}
		}
		if got := str(dig(page, "scanned", name)); got != itoa(last+1+explorer.XpubGapLimit) {
			t.Errorf("%s: scanned %s, want %d (last used %d)", name, got, last+1+explorer.XpubGapLimit, last)
		}
	}
	if str(dig(page, "truncated")) != "false" {
		t.Errorf("truncated %v", dig(page, "truncated"))
	}
	hist, _ := dig(page, "history").([]any)
	seen := map[string]bool{}
	for _, h := range hist {
		if seen[str(dig(h, "txid"))] {
			t.Errorf("transaction %s listed twice", str(dig(h, "txid")))
		}
		seen[str(dig(h, "txid"))] = true
	}
	var bobTxs struct{ Txs []struct{ Txid string } }
	json.Unmarshal(r.rest.ok(t, "/rest/address/"+r.bob+"/txs.json"), &bobTxs)
	for _, tx := range bobTxs.Txs {
		if !seen[tx.Txid] {
			t.Errorf("bob's transaction %s not in the xpub's history %v", tx.Txid, hist)
		}
	}
	code, h, b := c.noFollow(t, "/explorer/search?q="+xpub)
	if code != http.StatusSeeOther || h.Get("Location") != "/explorer/xpub/"+xpub {
		t.Errorf("search xpub: %d %q %.200s", code, h.Get("Location"), b)
	}
	// Another account's xpub: nothing used, nothing scanned past the gap.
	other := accountXpub(t, r.walletNode, "default")
	if p := c.json(t, "/explorer/xpub/"+other, 200); len(dig(p, "used").([]any)) == 0 {
		t.Errorf("the default account's xpub shows no used address: %v", p)
	}
	mainnet := "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw" // BIP32's vector 1, m/0H
	flipped := xpub[:len(xpub)-1] + map[bool]string{true: "2", false: "3"}[xpub[len(xpub)-1] != '2']
	for _, bad := range []string{"xpubnotakey", "%3Cscript%3Ealert(1)%3Cscript%3E", flipped, mainnet, strings.Repeat("1", 200)} {
		page := c.html(t, "/explorer/xpub/"+bad, http.StatusBadRequest)
		if strings.Contains(page, "<script>alert") {
			t.Errorf("GET /explorer/xpub/%s: echoed unescaped", bad)
		}
		if m := c.json(t, "/explorer/xpub/"+bad, http.StatusBadRequest); m["error"] == nil {
			t.Errorf("xpub %s: no error in %v", bad, m)
		}
	}
}

// TestExplorerPagesErrors: bad and unknown references answer 400 and
// 404 pages (HTML and JSON), writes 405.
func TestExplorerPagesErrors(t *testing.T) {
	r := startRESTNode(t)
	c := newExplorerClient(r.rest)
	nothing := strings.Repeat("ab", 32)
	for path, status := range map[string]int{
		"/explorer/block/zz": 400, "/explorer/block/99999": 404, "/explorer/block/" + nothing: 404,
		"/explorer/tx/12": 400, "/explorer/tx/" + nothing: 404, "/explorer/address/notanaddress": 400,
		"/explorer/producer/" + nothing: 404, "/explorer/producer/nosuchname": 404, "/explorer/producer/a<b": 400,
		"/explorer/prop/" + nothing: 404, "/explorer/prop/xyz": 400, "/explorer/contract/" + nothing: 404,
		"/explorer/contracts?party=zz": 400, "/explorer/search?q=" + nothing: 404, "/explorer/search?q=%3Cscript%3E": 404,
		"/explorer/nosuch": 404, "/explorer/address/" + r.bob + "/txs.csv": 404,
	} {
		page := c.html(t, path, status)
		if strings.Contains(page, "<script>") {
			t.Errorf("GET %s: the query is echoed unescaped", path)
		}
		if m := c.json(t, path, status); m["error"] == nil {
			t.Errorf("GET %s (JSON): no error in %v", path, m)
		}
	}
	// The address index is off on this node: the address page says so
	// and still lists the props held.
	page := c.html(t, "/explorer/address/"+r.bob, 200)
	if !strings.Contains(page, "--addressindex") || !strings.Contains(page, r.props[2]) {
		t.Errorf("address page without the index: %.2000s", page)
	}
	if page := c.html(t, "/explorer/xpub/"+accountXpub(t, r.walletNode, "bob"), 200); !strings.Contains(page, "--addressindex") {
		t.Errorf("xpub page without the index: %.2000s", page)
	}
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
		if code, _, b := c.do(t, m, "/explorer/"); code != http.StatusMethodNotAllowed {
			t.Errorf("%s /explorer/: %d %s", m, code, b)
		}
	}
}

// TestExplorerReorg: a block that sends a prop to bob is invalidated;
// the prop page and bob's address page roll back with the chain.
func TestExplorerReorg(t *testing.T) {
	r := startRESTNode(t, func(c *Config) { c.AddressIndex = true })
	c := newExplorerClient(r.rest)
	moved := r.props[4]
	before := c.json(t, "/explorer/prop/"+moved, 200)
	owner := str(dig(before, "prop", "owner"))
	if owner == r.bob {
		t.Fatal("the prop is bob's already")
	}
	sendTx := gameRes(t, r.must(t, "prop.send", r.bob, moved)).TxID
	r.gen(t, 1)
	tip := r.best(t)

	hasTx := func(addr map[string]any) bool {
		txs, _ := dig(addr, "txs", "txs").([]any)
		for _, tx := range txs {
			if str(dig(tx, "txid")) == sendTx {
				return true
			}
		}
		return false
	}
	holds := func(addr map[string]any) bool {
		props, _ := dig(addr, "props").([]any)
		for _, p := range props {
			if str(dig(p, "id")) == moved {
				return true
			}
		}
		return false
	}
	after := c.json(t, "/explorer/prop/"+moved, 200)
	addr := c.json(t, "/explorer/address/"+r.bob, 200)
	if str(dig(after, "prop", "owner")) != r.bob || len(dig(after, "history").([]any)) != 2 || !hasTx(addr) || !holds(addr) {
		t.Fatalf("after the send: prop %v, bob's page has the tx %v, holds the prop %v", after, hasTx(addr), holds(addr))
	}
	if page := c.html(t, "/explorer/address/"+r.bob, 200); !strings.Contains(page, moved) {
		t.Fatal("bob's address page does not show the prop")
	}

	r.must(t, "invalidateblock", tip)
	rolled := c.json(t, "/explorer/prop/"+moved, 200)
	addr = c.json(t, "/explorer/address/"+r.bob, 200)
	if got := str(dig(rolled, "prop", "owner")); got != owner || len(dig(rolled, "history").([]any)) != 1 {
		t.Errorf("prop page after the reorg: owner %s (want %s), history %v", got, owner, dig(rolled, "history"))
	}
	if hasTx(addr) || holds(addr) {
		t.Errorf("bob's address page after the reorg: has the tx %v, holds the prop %v", hasTx(addr), holds(addr))
	}
	if page := c.html(t, "/explorer/prop/"+moved, 200); strings.Contains(page, r.bob) {
		t.Error("the prop page still names bob after the reorg")
	}
}

// TestExplorerEscapesGameMetadata: game metadata is the chain's, written
// by anyone: a producer URL and a prop oid holding a script element are
// shown as text on every page naming them, never as markup. (Producer
// names cannot hold '<': consensus allows [A-Za-z0-9._-] only.)
func TestExplorerEscapesGameMetadata(t *testing.T) {
	n := startGameNode(t)
	c := newExplorerClient(newRESTClient(t, n.dir))
	mine := unquote(t, n.must(t, "getnewaddress"))
	evilURL := `https://x.example/"><script>alert(1)</script>`
	evilOID := `<script>alert(2)</script><img src=x onerror=alert(3)>`
	if _, re := n.call(t, "cp.create", "scripted", evilURL); re != nil {
		t.Fatalf("cp.create: %v", re)
	}
	n.must(t, "generatetoaddress", 1, mine)
	created := gameRes(t, n.must(t, "prop.create", "scripted", evilOID, "0.0001"))
	n.must(t, "generatetoaddress", 1, mine)
	var prop struct{ Owner string }
	json.Unmarshal(n.must(t, "prop.byid", created.Objects[0].ID), &prop)
	pages := []string{"/explorer/producer/scripted", "/explorer/prop/" + created.Objects[0].ID,
		"/explorer/address/" + prop.Owner, "/explorer/tx/" + created.TxID + "?block=" + unquote(t, n.must(t, "getbestblockhash"))}
	for _, p := range pages {
		page := c.html(t, p, 200)
		for _, bad := range []string{"<script>alert", "<img src=x", `"><script>`} {
			if strings.Contains(page, bad) {
				t.Errorf("GET %s: %q unescaped", p, bad)
			}
		}
		if !strings.Contains(page, "&lt;script&gt;alert(") {
			t.Errorf("GET %s: the metadata is not shown escaped: %.3000s", p, page)
		}
		if strings.Count(page, "<script") != 1 { // the page's own module only
			t.Errorf("GET %s: %d script elements", p, strings.Count(page, "<script"))
		}
	}
}

// TestExplorerLiveBids: the explorer's pages follow the events at
// /explorer/ws without a login: a higher bid on the prop shown arrives
// as an event, and the prop page's JSON (what the page's script asks
// again) then shows it. The connection may subscribe and nothing else:
// methods and the operator's log topic are refused.
func TestExplorerLiveBids(t *testing.T) {
	r := startRESTNode(t)
	c := newExplorerClient(r.rest)
	u := "ws://" + strings.TrimPrefix(r.rest.base, "http://") + "/explorer/ws"
	conn, _, err := websocket.Dial(t.Context(), u, nil)
	if err != nil {
		t.Fatalf("dial %s without a login: %v", u, err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	w := &wsClient{t: t, conn: conn}
	w.subscribe(map[string]any{"topics": []string{"props"}})
	if _, e := w.call("getblockcount", []any{}); e == nil || e.Code != rpc.CodeForbidden {
		t.Errorf("a method on the explorer's socket: %v", e)
	}
	if _, e := w.call("subscribe", map[string]any{"topics": []string{"log"}}); e == nil {
		t.Error("the log topic on the explorer's socket")
	}
	carol := unquote(t, r.must(t, "address.create", "carol"))
	r.must(t, "tx.send", carol, "3")
	r.gen(t, 1)
	r.must(t, "prop.buy", r.gem, "0.75", "carol")
	note, _ := w.until("prop.outbid")
	if !strings.Contains(string(note.Params.Data), r.gem) {
		t.Errorf("outbid event: %s", note)
	}
	gem := c.json(t, "/explorer/prop/"+r.gem, 200)
	if got := str(dig(gem, "prop", "auction", "bid")); got != "0.75" && got != "0.75000000" {
		t.Errorf("prop page after the bid: auction %v", dig(gem, "prop", "auction"))
	}
	// A page of another origin cannot open it.
	if _, _, err := websocket.Dial(t.Context(), u, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"http://evil.example"}}}); err == nil {
		t.Error("a cross-origin page opened the explorer's socket")
	}
}

// TestRESTContractBook: /rest/game/contracts/book.json is the book's
// offers as contract.list answers them (the explorer's contracts page
// lists them); bad params are 400.
func TestRESTContractBook(t *testing.T) {
	r := startRESTNode(t)
	c := r.rest
	sameJSON(t, c, "/rest/game/contracts/book.json", r.must(t, "contract.list"))
	sameJSON(t, c, "/rest/game/contracts/book.json?state=published&limit=1&skip=0", r.must(t, "contract.list", "published", nil, 0, 1))
	sameJSON(t, c, "/rest/game/contracts/book.json?state=signed", r.must(t, "contract.list", "signed"))
	for _, q := range []string{"?state=settled", "?limit=0", "?limit=1001", "?skip=-1", "?limit=x"} {
		if code, _, b := c.get(t, "/rest/game/contracts/book.json"+q); code != http.StatusBadRequest {
			t.Errorf("book%s: %d %s", q, code, b)
		}
	}
	if code, _, _ := c.get(t, "/rest/game/contracts/book.hex"); code != http.StatusBadRequest {
		t.Errorf("book.hex: %d", code)
	}
	page := newExplorerClient(c).both(t, "/explorer/contracts", "Offers in the book", r.inBook[:8])
	if len(dig(page, "book", "contracts").([]any)) == 0 {
		t.Errorf("contracts page: %v", page)
	}
}
