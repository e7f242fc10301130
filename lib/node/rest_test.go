package node

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/rpc"
)

// restClient calls a node's REST routes with its cookie.
type restClient struct {
	base, user, pass string
}

func newRESTClient(t testing.TB, dir string) *restClient {
	t.Helper()
	addr, err := os.ReadFile(filepath.Join(dir, rpc.AddrFile))
	if err != nil {
		t.Fatal(err)
	}
	cookie, err := os.ReadFile(filepath.Join(dir, rpc.CookieFile))
	if err != nil {
		t.Fatal(err)
	}
	user, pass, _ := strings.Cut(strings.TrimSpace(string(cookie)), ":")
	return &restClient{base: "http://" + strings.TrimSpace(string(addr)), user: user, pass: pass}
}

// do sends method path with headers (name, value pairs).
func (c *restClient) do(t testing.TB, method, path string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, c.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.user != "" {
		req.SetBasicAuth(c.user, c.pass)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func (c *restClient) get(t testing.TB, path string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	return c.do(t, http.MethodGet, path, hdr...)
}

// ok gets path, expecting 200.
func (c *restClient) ok(t testing.TB, path string) []byte {
	t.Helper()
	code, _, b := c.get(t, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, b)
	}
	return b
}

// decode reads JSON keeping numbers as written.
func decode(t testing.TB, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("not JSON: %.300s", b)
	}
	return v
}

// sameJSON fails unless the REST answer at path equals the RPC answer
// (keys dropped from both first).
func sameJSON(t *testing.T, c *restClient, path string, rpcAnswer json.RawMessage, drop ...string) any {
	t.Helper()
	got, want := decode(t, c.ok(t, path)), decode(t, rpcAnswer)
	for _, k := range drop {
		delete(got.(map[string]any), k)
		delete(want.(map[string]any), k)
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("GET %s:\n got %.600s\nwant %.600s", path, g, w)
	}
	return got
}

// restPage is a page of a paged route.
type restPage struct {
	Producers []json.RawMessage `json:"producers"`
	Props     []json.RawMessage `json:"props"`
	Contracts []json.RawMessage `json:"contracts"`
	Next      *string           `json:"next"`
}

func (p restPage) items() []json.RawMessage {
	return append(append(append([]json.RawMessage{}, p.Producers...), p.Props...), p.Contracts...)
}

// allPages follows path's cursors (limit per page) and returns every item
// and how many pages it took.
func (c *restClient) allPages(t *testing.T, path string, limit int) ([]any, int) {
	t.Helper()
	var out []any
	cursor := ""
	for pages := 1; pages < 100; pages++ {
		u := path + "?limit=" + itoa(limit)
		if cursor != "" {
			u += "&cursor=" + cursor
		}
		var p restPage
		if err := json.Unmarshal(c.ok(t, u), &p); err != nil {
			t.Fatal(err)
		}
		if len(p.items()) > limit {
			t.Fatalf("%s: %d items, limit %d", u, len(p.items()), limit)
		}
		for _, it := range p.items() {
			out = append(out, decode(t, it))
		}
		if p.Next == nil {
			return out, pages
		}
		cursor = *p.Next
	}
	t.Fatalf("%s: pages do not end", path)
	return nil, 0
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// listOf decodes an RPC page answer's list field.
func listOf(t *testing.T, raw json.RawMessage, field string) []any {
	t.Helper()
	v := decode(t, raw).(map[string]any)[field]
	if v == nil {
		return nil
	}
	return v.([]any)
}

// restNode is a game node with a producer "starfall", props (some sent
// to bob, one on auction with a bid), a contract fulfilled on chain and
// one published in the book.
type restNode struct {
	*walletNode
	rest                   *restClient
	mine, bob, bkey        string
	pid, sword, gem        string
	props                  []string
	onChain, inBook, mtxid string
}

func startRESTNode(t *testing.T, mod ...func(*Config)) *restNode {
	n := startGameNode(t, mod...)
	r := &restNode{walletNode: n, rest: newRESTClient(t, n.dir)}
	r.bob = unquote(t, n.must(t, "address.create", "bob"))
	r.mine = unquote(t, n.must(t, "getnewaddress"))
	n.must(t, "tx.send", r.bob, "5")
	r.gen(t, 1)
	r.pid = gameRes(t, n.must(t, "cp.create", "starfall", "https://starfall.example", "", "rpg", 15)).Objects[0].ID
	n.must(t, "cp.create", "moonrise")
	r.gen(t, 1)
	var specs []map[string]any
	for i := range 7 {
		specs = append(specs, map[string]any{"oid": "item-" + itoa(i), "gold": "0.0001", "address": r.mine})
	}
	for _, o := range gameRes(t, n.must(t, "prop.createlist", "starfall", specs)).Objects {
		r.props = append(r.props, o.ID)
	}
	r.gen(t, 1)
	r.sword, r.gem = r.props[0], r.props[1]
	n.must(t, "prop.send", r.bob, r.props[2])
	n.must(t, "prop.send", r.bob, r.props[3])
	r.gen(t, 1)
	n.must(t, "prop.sale", r.gem, "1")
	n.must(t, "prop.buy", r.gem, "0.5", "bob")

	var key struct{ Key string }
	json.Unmarshal(n.must(t, "contract.key", "bob"), &key)
	r.bkey = key.Key
	var tip int
	json.Unmarshal(n.must(t, "getblockcount"), &tip)
	h := sha256.Sum256([]byte("a secret"))
	r.onChain = cAct(t, n.must(t, "contract.publish", r.bkey, tip+20, "1", nil, 0, nil, "memo", hex.EncodeToString(h[:]))).ID
	n.must(t, "contract.sign", r.onChain, "bob")
	n.must(t, "contract.fulfil", r.onChain, "bob")
	r.gen(t, 1)
	r.inBook = cAct(t, n.must(t, "contract.publish", r.bkey, tip+30, "0.5")).ID
	// A mempool transaction for /rest/tx and getutxos.
	r.mtxid = unquote(t, n.must(t, "tx.send", r.bob, "1"))
	return r
}

func (r *restNode) gen(t *testing.T, k int) { r.must(t, "generatetoaddress", k, r.mine) }

func (r *restNode) best(t *testing.T) string { return unquote(t, r.must(t, "getbestblockhash")) }

// TestRESTChain checks each chain route's answer against the RPC method
// it mirrors, in each form it has.
func TestRESTChain(t *testing.T) {
	r := startRESTNode(t)
	c := r.rest
	best := r.best(t)
	var height int
	json.Unmarshal(r.must(t, "getblockcount"), &height)
	sameJSON(t, c, "/rest/chaininfo.json", r.must(t, "getblockchaininfo"), "uptime")
	sameJSON(t, c, "/rest/block/"+best+".json", r.must(t, "getblock", best, 2))
	sameJSON(t, c, "/rest/block/notxdetails/"+best+".json", r.must(t, "getblock", best, 1))
	sameJSON(t, c, "/rest/blockbyheight/"+itoa(height-1)+".json", r.must(t, "block.info.byheight", height-1, 2))
	sameJSON(t, c, "/rest/blockbyheight/notxdetails/"+itoa(height)+".json", r.must(t, "block.info.byheight", height, 1))
	rawHex := unquote(t, r.must(t, "getblock", best, 0))
	if got := string(c.ok(t, "/rest/block/"+best+".hex")); got != rawHex+"\n" {
		t.Fatalf("block hex %.80s", got)
	}
	if got := c.ok(t, "/rest/block/notxdetails/"+best+".bin"); hex.EncodeToString(got) != rawHex {
		t.Fatal("block bin differs from getblock 0")
	}

	// Headers: upward from a hash, both path forms, each format.
	h1 := unquote(t, r.must(t, "getblockhash", height-2))
	var want []json.RawMessage
	wantBin := ""
	for i := height - 2; i <= height; i++ {
		bh := unquote(t, r.must(t, "getblockhash", i))
		want = append(want, r.must(t, "getblockheader", bh))
		wantBin += unquote(t, r.must(t, "getblockheader", bh, false))
	}
	wantJSON, _ := json.Marshal(want)
	sameListJSON(t, c.ok(t, "/rest/headers/"+h1+".json?count=5"), wantJSON) // only 3 exist
	if got := string(c.ok(t, "/rest/headers/3/"+h1+".hex")); got != wantBin+"\n" {
		t.Fatalf("headers hex %.80s", got)
	}
	if got := c.ok(t, "/rest/headers/"+h1+".bin?count=2"); hex.EncodeToString(got) != wantBin[:320] {
		t.Fatalf("headers bin of %d bytes", len(got))
	}
	if got := string(c.ok(t, "/rest/headers/"+h1+".json")); len(decode(t, []byte(got)).([]any)) != 3 {
		t.Fatalf("default count: %s", got)
	}
	// Not on the main chain: none, as bitcoind.
	if got := string(c.ok(t, "/rest/headers/"+strings.Repeat("ab", 32)+".json")); got != "[]\n" {
		t.Fatalf("headers of an unknown hash: %s", got)
	}

	// Block hash by height.
	hh := unquote(t, r.must(t, "getblockhash", height-1))
	if got := decode(t, c.ok(t, "/rest/blockhashbyheight/"+itoa(height-1)+".json")); !reflect.DeepEqual(got, map[string]any{"blockhash": hh}) {
		t.Fatalf("blockhashbyheight json %v", got)
	}
	if got := string(c.ok(t, "/rest/blockhashbyheight/"+itoa(height-1)+".hex")); got != hh+"\n" {
		t.Fatalf("blockhashbyheight hex %q", got)
	}
	hb, _ := chainhash.NewHashFromStr(hh)
	if got := c.ok(t, "/rest/blockhashbyheight/"+itoa(height-1)+".bin"); !bytes.Equal(got, hb[:]) {
		t.Fatalf("blockhashbyheight bin %x", got)
	}

	// A mempool transaction; a confirmed one without a tx index is 404.
	sameJSON(t, c, "/rest/tx/"+r.mtxid+".json", r.must(t, "getrawtransaction", r.mtxid, true))
	txHex := unquote(t, r.must(t, "getrawtransaction", r.mtxid, false))
	if got := string(c.ok(t, "/rest/tx/"+r.mtxid+".hex")); got != txHex+"\n" {
		t.Fatal("tx hex differs")
	}
	if got := c.ok(t, "/rest/tx/"+r.mtxid+".bin"); hex.EncodeToString(got) != txHex {
		t.Fatal("tx bin differs")
	}
	var blk struct{ Tx []string }
	json.Unmarshal(r.must(t, "getblock", best, 1), &blk)
	if code, _, body := c.get(t, "/rest/tx/"+blk.Tx[0]+".json"); code != http.StatusNotFound || !strings.Contains(string(body), `"error"`) {
		t.Fatalf("confirmed tx: %d %s", code, body)
	}

	// Mempool.
	sameJSON(t, c, "/rest/mempool/info.json", r.must(t, "getmempoolinfo"))
	sameJSON(t, c, "/rest/mempool/contents.json", r.must(t, "getrawmempool", true))
	sameListJSON(t, c.ok(t, "/rest/mempool/contents.json?verbose=false"), r.must(t, "getrawmempool"))
	// One entry, as getmempoolentry and as its line in the verbose pool.
	entry := sameJSON(t, c, "/rest/mempool/entry/"+r.mtxid+".json", r.must(t, "getmempoolentry", r.mtxid))
	pool := decode(t, r.must(t, "getrawmempool", true)).(map[string]any)
	if !reflect.DeepEqual(entry, pool[r.mtxid]) || entry.(map[string]any)["fee"] == nil {
		t.Fatalf("mempool entry %v, the pool's line %v", entry, pool[r.mtxid])
	}

	// getutxos: the mempool tx's outputs exist only with checkmempool;
	// a confirmed coin it spends is spent only with checkmempool.
	var mtx struct {
		Vin []struct {
			Txid string
			Vout int
		}
		Vout []struct{ N int }
	}
	json.Unmarshal(r.must(t, "getrawtransaction", r.mtxid, true), &mtx)
	spent := mtx.Vin[0].Txid + "-" + itoa(mtx.Vin[0].Vout)
	newOut := r.mtxid + "-0"
	missing := r.mtxid + "-" + itoa(len(mtx.Vout))
	var u struct {
		ChainHeight  int
		ChaintipHash string
		Bitmap       string
		UTXOs        []struct {
			Height int
			Value  json.Number
		} `json:"utxos"`
	}
	json.Unmarshal(c.ok(t, "/rest/getutxos/checkmempool/"+spent+"/"+newOut+"/"+missing+".json"), &u)
	if u.Bitmap != "010" || len(u.UTXOs) != 1 || u.UTXOs[0].Height != 0x7fffffff || u.ChainHeight != height || u.ChaintipHash != best {
		t.Fatalf("getutxos checkmempool %+v", u)
	}
	u.UTXOs = nil
	json.Unmarshal(c.ok(t, "/rest/getutxos/"+spent+"/"+newOut+".json"), &u)
	if u.Bitmap != "10" || len(u.UTXOs) != 1 {
		t.Fatalf("getutxos chain only %+v", u)
	}
	var txout struct{ Value json.Number }
	json.Unmarshal(r.must(t, "gettxout", mtx.Vin[0].Txid, mtx.Vin[0].Vout, false), &txout)
	if u.UTXOs[0].Value != txout.Value {
		t.Fatalf("getutxos value %s, gettxout %s", u.UTXOs[0].Value, txout.Value)
	}
	bin := c.ok(t, "/rest/getutxos/"+spent+"/"+newOut+".bin")
	// int32 height, tip hash, bitmap (1 byte), 1 coin: version, height,
	// value, script.
	if len(bin) < 4+32+2+1+8 || int(binary.LittleEndian.Uint32(bin)) != height || bin[36] != 1 || bin[37] != 0b01 || bin[38] != 1 {
		t.Fatalf("getutxos bin %x", bin)
	}
	if got := string(c.ok(t, "/rest/getutxos/"+spent+"/"+newOut+".hex")); got != hex.EncodeToString(bin)+"\n" {
		t.Fatal("getutxos hex differs from bin")
	}
}

// sameListJSON compares two JSON texts as values.
func sameListJSON(t *testing.T, got, want []byte) {
	t.Helper()
	if g, w := decode(t, got), decode(t, want); !reflect.DeepEqual(g, w) {
		t.Fatalf("got %.600s\nwant %.600s", got, want)
	}
}

// TestRESTGame checks each game route against the RPC method it
// mirrors, and the pages against the RPC's lists.
func TestRESTGame(t *testing.T) {
	r := startRESTNode(t)
	c := r.rest
	sameJSON(t, c, "/rest/game/producer/"+r.pid+".json", r.must(t, "cp.byId", r.pid))
	sameJSON(t, c, "/rest/game/producer/name/StarFall.json", r.must(t, "cp.byName", "StarFall"))
	sameJSON(t, c, "/rest/game/prop/"+r.gem+".json", r.must(t, "prop.byid", r.gem)) // with its auction
	sameListJSON(t, c.ok(t, "/rest/game/auctions.json"), r.must(t, "prop.bidlist"))
	sameJSON(t, c, "/rest/game/contract/"+r.onChain+".json", r.must(t, "contract.get", r.onChain))
	sameJSON(t, c, "/rest/game/contract/"+r.inBook+".json", r.must(t, "contract.get", r.inBook))

	// Pages joined equal the RPC's lists.
	got, pages := c.allPages(t, "/rest/game/producers.json", 1)
	if want := listOf(t, r.must(t, "cp.list"), "producers"); pages != 2 || !reflect.DeepEqual(got, want) {
		t.Fatalf("producers in %d pages: %v, want %v", pages, got, want)
	}
	got, pages = c.allPages(t, "/rest/game/props/owner/"+r.mine+".json", 2)
	if want := listOf(t, r.must(t, "prop.list", nil, r.mine), "props"); len(want) != 5 || pages != 3 || !reflect.DeepEqual(got, want) {
		t.Fatalf("props of the owner in %d pages: %v, want %v", pages, got, want)
	}
	got, _ = c.allPages(t, "/rest/game/props/owner/"+r.bob+".json", 1000)
	if want := decode(t, r.must(t, "prop.byaddress", r.bob)); len(got) != 2 || !reflect.DeepEqual(any(got), want) {
		t.Fatalf("bob's props %v, want %v", got, want)
	}
	got, pages = c.allPages(t, "/rest/game/props/producer/starfall.json", 3)
	if want := listOf(t, r.must(t, "prop.list", "starfall"), "props"); len(want) != 7 || pages != 3 || !reflect.DeepEqual(got, want) {
		t.Fatalf("props of the producer in %d pages: %v", pages, got)
	}
	got2, _ := c.allPages(t, "/rest/game/props/producer/"+r.pid+".json", 1000)
	if !reflect.DeepEqual(got, got2) {
		t.Fatal("props by producer id and by name differ")
	}
	// Contracts of B: the on-chain one as contract.get, the book's as
	// contract.list, by id.
	got, pages = c.allPages(t, "/rest/game/contracts/party/"+r.bkey+".json", 1)
	book := listOf(t, r.must(t, "contract.list", "", r.bkey), "contracts")
	chainC := decode(t, r.must(t, "contract.get", r.onChain))
	want := []any{chainC, book[0]}
	if r.inBook < r.onChain {
		want = []any{book[0], chainC}
	}
	if len(book) != 1 || pages != 2 || !reflect.DeepEqual(got, want) {
		t.Fatalf("contracts of B in %d pages: %v\nwant %v", pages, got, want)
	}

	// A page's cursor holds its place across new blocks and new props:
	// the next page is what follows the cursor's key then.
	var first restPage
	json.Unmarshal(c.ok(t, "/rest/game/props/producer/starfall.json?limit=3"), &first)
	var more []map[string]any
	for i := range 20 {
		more = append(more, map[string]any{"oid": "more-" + itoa(i), "gold": "0.0001"})
	}
	r.must(t, "prop.createlist", "starfall", more)
	r.gen(t, 2)
	var lastID struct{ ID string }
	json.Unmarshal(first.Props[2], &lastID)
	all, _ := c.allPages(t, "/rest/game/props/producer/starfall.json", 1000)
	var after []any
	for _, p := range all {
		if p.(map[string]any)["id"].(string) > lastID.ID {
			after = append(after, p)
		}
	}
	var second restPage
	json.Unmarshal(c.ok(t, "/rest/game/props/producer/starfall.json?limit=1000&cursor="+*first.Next), &second)
	var secondItems []any
	for _, it := range second.items() {
		secondItems = append(secondItems, decode(t, it))
	}
	if len(all) != 27 || !reflect.DeepEqual(secondItems, after) {
		t.Fatalf("page after the cursor: %d items, want the %d after %s", len(secondItems), len(after), lastID.ID)
	}
}

// TestRESTRejects checks the refusals: unknown routes and objects 404,
// bad parameters 400, each with a JSON error; other methods 405; no
// login 401.
func TestRESTRejects(t *testing.T) {
	r := startRESTNode(t)
	c := r.rest
	best := r.best(t)
	unknown := strings.Repeat("ab", 32)
	outs := strings.Repeat("/"+r.mtxid+"-0", 16)
	cases := []struct {
		path string
		code int
		msg  string
	}{
		{"/rest/nosuch.json", 404, "no such route"},
		{"/rest/game/nosuch/x.json", 404, "no such route"},
		{"/rest/block/" + unknown + ".json", 404, "block not found"},
		{"/rest/block/" + unknown + ".bin", 404, "block not found"},
		{"/rest/block/xyz.json", 400, "invalid block hash"},
		{"/rest/block/" + best + ".xml", 400, "format .xml not available"},
		{"/rest/block/" + best, 400, "missing format suffix"},
		{"/rest/chaininfo.hex", 400, "format .hex not available (available: .json)"},
		{"/rest/blockbyheight/99999.json", 404, "out of range"},
		{"/rest/blockbyheight/-1.json", 400, "invalid height"},
		{"/rest/blockhashbyheight/99999.hex", 404, "out of range"},
		{"/rest/blockhashbyheight/x.json", 400, "invalid height"},
		{"/rest/headers/" + best + ".json?count=0", 400, "header count"},
		{"/rest/headers/" + best + ".json?count=2001", 400, "header count"},
		{"/rest/headers/abc/" + best + ".json", 400, "header count"},
		{"/rest/tx/" + unknown + ".json", 404, "no such mempool"},
		{"/rest/tx/zz.hex", 400, "invalid txid"},
		{"/rest/mempool/contents.json?verbose=yes", 400, "verbose must be"},
		{"/rest/mempool/info.bin", 400, "not available"},
		{"/rest/mempool/entry/" + unknown + ".json", 404, "transaction not in mempool"},
		{"/rest/mempool/entry/" + best + ".json", 404, "transaction not in mempool"},
		{"/rest/mempool/entry/zz.json", 400, "invalid txid"},
		{"/rest/mempool/entry/" + r.mtxid + ".bin", 400, "not available"},
		{"/rest/getutxos.json", 400, "empty request"},
		{"/rest/getutxos/checkmempool.json", 400, "empty request"},
		{"/rest/getutxos" + outs + ".json", 400, "max outpoints exceeded (max: 15, tried: 16)"},
		{"/rest/getutxos/" + r.mtxid + ".json", 400, "invalid outpoint"},
		{"/rest/getutxos/" + r.mtxid + "-x.json", 400, "invalid outpoint"},
		{"/rest/game/producer/" + unknown + ".json", 404, "no producer"},
		{"/rest/game/producer/12.json", 400, "invalid producer id"},
		{"/rest/game/producer/name/nosuchname.json", 404, "no producer named"},
		{"/rest/game/producer/name/a.json", 400, "name"},
		{"/rest/game/prop/" + unknown + ".json", 404, "no prop"},
		{"/rest/game/prop/" + r.gem + ".hex", 400, "not available"},
		{"/rest/game/props/owner/notanaddress.json", 400, "invalid owner address"},
		{"/rest/game/props/producer/nosuchname.json", 404, "no producer named"},
		{"/rest/game/props/producer/-x-.json", 400, "want an id"},
		{"/rest/game/contract/" + unknown + ".json", 404, "no contract"},
		{"/rest/game/contracts/party/02ab.json", 400, "compressed public key"},
		{"/rest/game/producers.json?limit=0", 400, "limit"},
		{"/rest/game/producers.json?limit=1001", 400, "limit"},
		{"/rest/game/producers.json?cursor=zz", 400, "bad cursor"},
		{"/rest/game/props/owner/" + r.mine + ".json?cursor=6e61", 400, "bad cursor"},              // a producers cursor
		{"/rest/game/props/owner/" + r.mine + ".json?cursor=6f" + unknown[:62], 400, "bad cursor"}, // 31 bytes
		{"/rest/game/producers.json?cursor=6e" + strings.Repeat("61", 41), 400, "bad cursor"},
	}
	for _, tc := range cases {
		code, h, body := c.get(t, tc.path)
		var e struct{ Error string }
		if code != tc.code || json.Unmarshal(body, &e) != nil || !strings.Contains(e.Error, tc.msg) {
			t.Errorf("GET %s: %d %s, want %d with %q", tc.path, code, body, tc.code, tc.msg)
		}
		if h.Get("Content-Type") != "application/json" || h.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: headers %v", tc.path, h)
		}
	}
	if code, _, _ := c.do(t, http.MethodPost, "/rest/chaininfo.json"); code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", code)
	}
	anon := &restClient{base: c.base}
	if code, _, _ := anon.get(t, "/rest/chaininfo.json"); code != http.StatusUnauthorized {
		t.Errorf("no login: %d", code)
	}
	if code, _, body := c.do(t, http.MethodHead, "/rest/chaininfo.json"); code != http.StatusOK || len(body) != 0 {
		t.Errorf("HEAD: %d %q", code, body)
	}
}

// TestRESTCache checks ETag and Cache-Control: a block's bytes by hash
// are immutable, its JSON changes with the tip; If-None-Match gets 304.
func TestRESTCache(t *testing.T) {
	r := startRESTNode(t)
	c := r.rest
	best := r.best(t)
	code, h, _ := c.get(t, "/rest/block/"+best+".bin")
	if code != 200 || h.Get("ETag") != `"`+best+`"` || !strings.Contains(h.Get("Cache-Control"), "immutable") {
		t.Fatalf("block bin: %d %v", code, h)
	}
	code, h2, body := c.get(t, "/rest/block/"+best+".bin", "If-None-Match", `"`+best+`"`)
	if code != http.StatusNotModified || len(body) != 0 || h2.Get("ETag") != h.Get("ETag") {
		t.Fatalf("revalidated block bin: %d %v %d bytes", code, h2, len(body))
	}
	if code, _, _ := c.get(t, "/rest/block/"+best+".bin", "If-None-Match", `"other"`); code != 200 {
		t.Fatalf("other etag: %d", code)
	}
	_, hj, _ := c.get(t, "/rest/block/"+best+".json")
	tag := hj.Get("ETag")
	if tag == "" || hj.Get("Cache-Control") != "no-cache" {
		t.Fatalf("block json headers %v", hj)
	}
	if code, _, _ := c.get(t, "/rest/block/"+best+".json", "If-None-Match", "W/"+tag); code != http.StatusNotModified {
		t.Fatalf("revalidated block json: %d", code)
	}
	r.gen(t, 1) // its confirmations change
	if code, h, _ := c.get(t, "/rest/block/"+best+".json", "If-None-Match", tag); code != 200 || h.Get("ETag") == tag {
		t.Fatalf("block json after a new block: %d %v", code, h)
	}
	// A deep block hash by height is cacheable for a while; the tip's is
	// not; mutable game answers carry no ETag.
	_, hd, _ := c.get(t, "/rest/blockhashbyheight/1.hex")
	var height int
	json.Unmarshal(r.must(t, "getblockcount"), &height)
	_, ht, _ := c.get(t, "/rest/blockhashbyheight/"+itoa(height)+".hex")
	if !strings.Contains(hd.Get("Cache-Control"), "max-age=3600") || ht.Get("Cache-Control") != "no-cache" {
		t.Fatalf("blockhashbyheight caching: deep %v, tip %v", hd, ht)
	}
	if _, hp, _ := c.get(t, "/rest/game/prop/"+r.gem+".json"); hp.Get("ETag") != "" || hp.Get("Cache-Control") != "no-cache" {
		t.Fatalf("prop headers %v", hp)
	}
	if code, _, _ := c.get(t, "/rest/headers/1/"+best+".bin"); code != 200 {
		t.Fatalf("headers: %d", code)
	}
}

// TestRESTReorg invalidates the block that moved a prop: the props of
// its owners roll back (REST answers the old owner), and mining the send
// again rolls them forward.
func TestRESTReorg(t *testing.T) {
	r := startRESTNode(t)
	c := r.rest
	moved := r.props[4]
	ownerOf := func() string {
		var p struct{ Owner string }
		json.Unmarshal(c.ok(t, "/rest/game/prop/"+moved+".json"), &p)
		return p.Owner
	}
	has := func(addr string) bool {
		ps, _ := c.allPages(t, "/rest/game/props/owner/"+addr+".json", 1000)
		for _, p := range ps {
			if p.(map[string]any)["id"] == moved {
				return true
			}
		}
		return false
	}
	send := gameRes(t, r.must(t, "prop.send", r.bob, moved)).TxID
	r.gen(t, 1)
	tip := r.best(t)
	if ownerOf() != r.bob || !has(r.bob) || has(r.mine) {
		t.Fatalf("after the send: owner %s", ownerOf())
	}
	r.must(t, "invalidateblock", tip)
	if ownerOf() != r.mine || has(r.bob) || !has(r.mine) {
		t.Fatalf("after invalidateblock: owner %s", ownerOf())
	}
	var pool []string
	json.Unmarshal(r.must(t, "getrawmempool"), &pool)
	if !strings.Contains(strings.Join(pool, " "), send) {
		t.Fatal("the send did not return to the mempool")
	}
	r.gen(t, 1)
	if r.best(t) == tip || ownerOf() != r.bob || !has(r.bob) || has(r.mine) {
		t.Fatalf("mined again: owner %s", ownerOf())
	}
}
