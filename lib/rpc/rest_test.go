package rpc

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/game"
)

const restHash = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"

// TestRESTParse reads each route's path and query.
func TestRESTParse(t *testing.T) {
	id := strings.Repeat("0a", 32)
	key := "02" + strings.Repeat("11", 32)
	cases := []struct {
		path, query string
		kind        restKind
		format      string
		check       func(*restRequest) bool
	}{
		{"chaininfo.json", "", restChainInfo, "json", nil},
		{"block/" + restHash + ".bin", "", restBlock, "bin", func(r *restRequest) bool { return r.hash.String() == restHash }},
		{"block/notxdetails/" + restHash + ".hex", "", restBlockNoTx, "hex", nil},
		{"blockbyheight/7.json", "", restBlockHeight, "json", func(r *restRequest) bool { return r.height == 7 }},
		{"blockbyheight/notxdetails/0.bin", "", restBlockHeightNoTx, "bin", nil},
		{"headers/" + restHash + ".json", "", restHeaders, "json", func(r *restRequest) bool { return r.count == RESTDefaultHeaders }},
		{"headers/" + restHash + ".bin", "count=2000", restHeaders, "bin", func(r *restRequest) bool { return r.count == 2000 }},
		{"headers/12/" + restHash + ".hex", "", restHeaders, "hex", func(r *restRequest) bool { return r.count == 12 }},
		{"blockhashbyheight/2147483647.hex", "", restBlockHash, "hex", func(r *restRequest) bool { return r.height == 1<<31-1 }},
		{"tx/" + restHash + ".bin", "", restTx, "bin", nil},
		{"mempool/info.json", "", restMempoolInfo, "json", nil},
		{"mempool/contents.json", "", restMempoolContents, "json", func(r *restRequest) bool { return r.verbose }},
		{"mempool/contents.json", "verbose=false", restMempoolContents, "json", func(r *restRequest) bool { return !r.verbose }},
		{"mempool/entry/" + restHash + ".json", "", restMempoolEntry, "json", func(r *restRequest) bool { return r.hash.String() == restHash }},
		{"getutxos/" + restHash + "-0/" + restHash + "-4294967295.bin", "", restUTXOs, "bin", func(r *restRequest) bool {
			return !r.mempool && len(r.outs) == 2 && r.outs[1].Index == 1<<32-1
		}},
		{"getutxos/checkmempool/" + restHash + "-1.json", "", restUTXOs, "json", func(r *restRequest) bool { return r.mempool && len(r.outs) == 1 }},
		{"getutxos" + strings.Repeat("/"+restHash+"-1", 15) + ".json", "", restUTXOs, "json", nil},
		{"game/producer/" + id + ".json", "", restProducer, "json", func(r *restRequest) bool { return r.id[0] == 0x0a }},
		{"game/producer/name/star.fall.json", "", restProducerName, "json", func(r *restRequest) bool { return r.ref == "star.fall" }},
		{"game/producers.json", "", restProducers, "json", func(r *restRequest) bool { return r.limit == RESTDefaultPage && r.after == nil }},
		{"game/producers.json", "limit=1000&cursor=6e616263", restProducers, "json", func(r *restRequest) bool {
			return r.limit == 1000 && string(r.after) == "abc"
		}},
		{"game/prop/" + id + ".json", "", restProp, "json", nil},
		{"game/props/owner/rg1qxyz.json", "limit=1", restPropsOwner, "json", func(r *restRequest) bool { return r.ref == "rg1qxyz" && r.limit == 1 }},
		{"game/props/producer/starfall.json", "cursor=70" + id, restPropsProducer, "json", func(r *restRequest) bool {
			return r.afterID() != nil && r.afterID()[0] == 0x0a
		}},
		{"game/props/producer/" + id + ".json", "", restPropsProducer, "json", nil},
		{"game/auctions.json", "", restAuctions, "json", nil},
		{"game/contract/" + id + ".json", "", restContract, "json", nil},
		{"game/contracts/party/" + key + ".json", "cursor=63" + id, restContractsParty, "json", func(r *restRequest) bool { return len(r.key) == 33 }},
	}
	for _, c := range cases {
		q, _ := url.ParseQuery(c.query)
		req, err := parseREST(c.path, q)
		if err != nil {
			t.Errorf("%s?%s: %v", c.path, c.query, err)
			continue
		}
		if req.kind != c.kind || req.format != c.format || c.check != nil && !c.check(req) {
			t.Errorf("%s?%s: %+v", c.path, c.query, req)
		}
	}
}

// TestRESTParseErrors: unknown routes are 404, bad parts of known ones
// 400, each with a message naming the fault.
func TestRESTParseErrors(t *testing.T) {
	id := strings.Repeat("0a", 32)
	cases := []struct {
		path, query string
		status      int
		msg         string
	}{
		{"", "", 404, "no such route"},
		{"nosuch.json", "", 404, "no such route"},
		{"block.json", "", 404, "no such route"},
		{"block/a/b/c.json", "", 404, "no such route"},
		{"game/x.json", "", 404, "no such route"},
		{"game/producer/name/a/b.json", "", 404, "no such route"},
		{"chaininfo", "", 400, "missing format suffix"},
		{"chaininfo.", "", 400, "missing format suffix"},
		{"chaininfo.bin", "", 400, "available: .json)"},
		{"block/" + restHash + ".JSON", "", 400, "format .JSON not available (available: .json, .hex, .bin)"},
		{"block/" + restHash[1:] + ".json", "", 400, "invalid block hash"},
		{"block/notxdetails/x.hex", "", 400, "invalid block hash"},
		{"blockbyheight/-1.json", "", 400, "invalid height"},
		{"blockhashbyheight/2147483648.json", "", 400, "invalid height"},
		{"blockhashbyheight/1e3.json", "", 400, "invalid height"},
		{"blockhashbyheight/+1.json", "", 400, "invalid height"},
		{"headers/+5/" + restHash + ".json", "", 400, "header count"},
		{"game/producers.json", "limit=+5", 400, "limit"},
		{"headers/" + restHash + ".json", "count=0", 400, "header count \"0\": want 1 to 2000"},
		{"headers/" + restHash + ".json", "count=2001", 400, "header count"},
		{"headers/" + restHash + ".json", "count=", 400, "header count"},
		{"headers/-5/" + restHash + ".json", "", 400, "header count"},
		{"tx/" + restHash + "00.json", "", 400, "invalid txid"},
		{"mempool/contents.json", "verbose=1", 400, "verbose must be true or false"},
		{"mempool/info.hex", "", 400, "available: .json"},
		{"mempool/entry/" + restHash + ".hex", "", 400, "available: .json"},
		{"mempool/entry/" + restHash[1:] + ".json", "", 400, "invalid txid"},
		{"mempool/entry/" + restHash + "00.json", "", 400, "invalid txid"},
		{"mempool/entry/zz.json", "", 400, "invalid txid"},
		{"mempool/entry.json", "", 404, "no such route"},
		{"mempool/entry/" + restHash + "/x.json", "", 404, "no such route"},
		{"getutxos.json", "", 400, "empty request"},
		{"getutxos/.json", "", 400, "empty request"},
		{"getutxos/checkmempool.bin", "", 400, "empty request"},
		{"getutxos" + strings.Repeat("/"+restHash+"-1", 16) + ".json", "", 400, "max outpoints exceeded (max: 15, tried: 16)"},
		{"getutxos/" + restHash + ".json", "", 400, "invalid outpoint"},
		{"getutxos/" + restHash + "--1.json", "", 400, "invalid outpoint"},
		{"getutxos/" + restHash + "-4294967296.json", "", 400, "invalid outpoint"},
		{"getutxos/abc-1.json", "", 400, "invalid outpoint"},
		{"game/producer/xyz.json", "", 400, "invalid producer id"},
		{"game/producer/name/ab.json", "", 400, "name \"ab\" has 2 bytes"},
		{"game/producer/name/-abc.json", "", 400, "must not start or end"},
		{"game/prop/" + id + "0.json", "", 400, "invalid prop id"},
		{"game/prop/" + id + ".bin", "", 400, "available: .json"},
		{"game/props/owner/.json", "", 400, "missing owner address"},
		{"game/props/producer/a b.json", "", 400, "want an id"},
		{"game/contract/x.json", "", 400, "invalid contract id"},
		{"game/contracts/party/04" + strings.Repeat("11", 32) + ".json", "", 400, "compressed public key"},
		{"game/producers.json", "limit=0", 400, "limit \"0\": want 1 to 1000"},
		{"game/producers.json", "limit=1001", 400, "limit"},
		{"game/producers.json", "limit=x", 400, "limit"},
		{"game/producers.json", "cursor=", 400, "bad cursor"},
		{"game/producers.json", "cursor=6e", 400, "bad cursor"},
		{"game/producers.json", "cursor=xx", 400, "bad cursor"},
		{"game/producers.json", "cursor=6e" + strings.Repeat("61", game.MaxNameLen+1), 400, "bad cursor"},
		{"game/props/owner/rg1q.json", "cursor=70" + id, 400, "bad cursor"}, // the producer route's
		{"game/props/producer/" + id + ".json", "cursor=70" + id[2:], 400, "bad cursor"},
		{"game/contracts/party/02" + strings.Repeat("11", 32) + ".json", "cursor=63" + id + "00", 400, "bad cursor"},
	}
	for _, c := range cases {
		q, _ := url.ParseQuery(c.query)
		req, err := parseREST(c.path, q)
		if err == nil {
			t.Errorf("%s?%s: accepted %+v", c.path, c.query, req)
			continue
		}
		if err.status != c.status || !strings.Contains(err.msg, c.msg) {
			t.Errorf("%s?%s: %d %q, want %d with %q", c.path, c.query, err.status, err.msg, c.status, c.msg)
		}
	}
}

// TestRESTETagMatch reads If-None-Match lists.
func TestRESTETagMatch(t *testing.T) {
	for _, c := range []struct {
		header string
		want   bool
	}{
		{`"a"`, true}, {`W/"a"`, true}, {`"b", "a"`, true}, {`*`, true},
		{``, false}, {`"b"`, false}, {`a`, false}, {`"a`, false},
	} {
		if got := etagMatch(c.header, `"a"`); got != c.want {
			t.Errorf("If-None-Match %q: %v", c.header, got)
		}
	}
}

// TestRESTErrorStatus maps service errors to HTTP statuses.
func TestRESTErrorStatus(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{Errorf(CodeInvalidParam, "x"), http.StatusBadRequest},
		{InvalidParams("x"), http.StatusBadRequest},
		{Errorf(CodeInvalidAddress, "no prop"), http.StatusNotFound},
		{Errorf(CodeMisc, "game methods are not available on this node"), http.StatusNotFound},
		{Errorf(CodeDatabase, "disk"), http.StatusInternalServerError},
		{notFound("x"), http.StatusNotFound},
	} {
		if got := restErrorOf(c.err); got.status != c.want {
			t.Errorf("%v: %d, want %d", c.err, got.status, c.want)
		}
	}
}

// FuzzRESTPath feeds the REST path and query parser untrusted input: it
// never panics, refuses with 400 or 404 and a bounded message, and what
// it accepts is within the routes' bounds.
func FuzzRESTPath(f *testing.F) {
	for _, s := range []string{"chaininfo.json", "block/" + restHash + ".bin", "headers/5/" + restHash + ".hex",
		"getutxos/checkmempool/" + restHash + "-1.json", "game/producers.json", "game/producer/name/abcd.json",
		"game/props/owner/rg1qxyz.json", "getutxos/" + restHash + "-1/" + restHash + "-2.hex"} {
		f.Add(s, "count=3&limit=10&cursor=6e61")
	}
	f.Fuzz(func(t *testing.T, path, query string) {
		q, _ := url.ParseQuery(query)
		req, err := parseREST(path, q)
		if err != nil {
			if err.status != 400 && err.status != 404 || len(err.msg) > MaxErrorMessage+4 {
				t.Fatalf("refusal %d %q", err.status, err.msg)
			}
			return
		}
		switch {
		case req.kind < restChainInfo || req.kind >= restNumKinds:
			t.Fatalf("kind %d", req.kind)
		case req.format != "json" && req.format != "hex" && req.format != "bin":
			t.Fatalf("format %q", req.format)
		case req.format != "json" && restJSONOnly[req.kind]:
			t.Fatalf("%s for a JSON-only route", req.format)
		case req.kind == restHeaders && (req.count < 1 || req.count > RESTMaxHeaders):
			t.Fatalf("count %d", req.count)
		case req.kind == restUTXOs && (len(req.outs) < 1 || len(req.outs) > RESTMaxOutpoints):
			t.Fatalf("%d outpoints", len(req.outs))
		case req.height < 0:
			t.Fatalf("height %d", req.height)
		}
		if _, paged := restPaged[req.kind]; paged && (req.limit < 1 || req.limit > RESTMaxPage || req.after != nil && len(req.after) == 0) {
			t.Fatalf("page %d after %x", req.limit, req.after)
		}
	})
}

// restDocPaths is how docs/rest.md names each route.
var restDocPaths = map[restKind]string{
	restChainInfo: "/rest/chaininfo.json", restBlock: "/rest/block/HASH.{json,hex,bin}",
	restBlockNoTx: "/rest/block/notxdetails/HASH.{json,hex,bin}", restBlockHeight: "/rest/blockbyheight/N.{json,hex,bin}",
	restBlockHeightNoTx: "/rest/blockbyheight/notxdetails/N.{json,hex,bin}", restHeaders: "/rest/headers/HASH.{json,hex,bin}",
	restBlockHash: "/rest/blockhashbyheight/N.{json,hex,bin}", restTx: "/rest/tx/TXID.{json,hex,bin}",
	restMempoolInfo: "/rest/mempool/info.json", restMempoolContents: "/rest/mempool/contents.json",
	restMempoolEntry: "/rest/mempool/entry/TXID.json",
	restUTXOs:        "/rest/getutxos[/checkmempool]/TXID-N/....{json,hex,bin}", restProducer: "/rest/game/producer/ID.json",
	restProducerName: "/rest/game/producer/name/NAME.json", restProducers: "/rest/game/producers.json",
	restProp: "/rest/game/prop/ID.json", restPropsOwner: "/rest/game/props/owner/ADDRESS.json",
	restPropsProducer: "/rest/game/props/producer/PRODUCER.json", restAuctions: "/rest/game/auctions.json",
	restContract: "/rest/game/contract/ID.json", restContractsParty: "/rest/game/contracts/party/KEY.json",
	restPropHistory:  "/rest/game/prop/ID/history.json",
	restContractBook: "/rest/game/contracts/book.json",
}

// TestRESTDocListsEveryRoute keeps docs/rest.md in step with the routes.
func TestRESTDocListsEveryRoute(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "rest.md"))
	if err != nil {
		t.Fatal(err)
	}
	for k := restChainInfo; k < restNumKinds; k++ {
		p, ok := restDocPaths[k]
		if !ok {
			t.Errorf("route kind %d has no documented path", k)
		} else if !strings.Contains(string(b), "`"+p+"`") {
			t.Errorf("docs/rest.md does not document %s", p)
		}
	}
}

// TestRESTReplyBudget: a REST reply is charged to the server's in-flight
// byte budget until it is written, on the public listener as on the
// authenticated one: a reply that does not fit what is left is answered
// 503 with Retry-After (a JSON error for .json, plain text for .hex and
// .bin), and the bytes come back once a reply is written.
func TestRESTReplyBudget(t *testing.T) {
	f := newConfiguredFixture(t, 0x11, func(f *nodeFixture) { f.limits = Limits{MaxBodyBytes: 1000, MaxInFlight: 64 << 10} })
	s := f.srv
	s.Handle((&REST{Node: f.svc}).Route())
	var hs []string
	json.Unmarshal(f.must(t, "generatetoaddress", 1, f.addr.String()), &hs)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.ServePublic(ln, PublicAccess()) // ended by the fixture's Shutdown
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get("http://" + ln.Addr().String() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	paths := []struct{ path, contentType string }{
		{"/rest/block/" + hs[0] + ".json", "application/json"},
		{"/rest/block/" + hs[0] + ".hex", "text/plain"},
		{"/rest/mempool/contents.json", "application/json"},
	}
	for _, p := range paths {
		resp, body := get(p.path)
		if resp.StatusCode != 200 || len(body) < 2 {
			t.Fatalf("%s within the budget: %d %q", p.path, resp.StatusCode, body)
		}
		if got := s.Stats().InFlightBytes; got != 0 {
			t.Errorf("%s: in flight %d bytes after the reply, want 0", p.path, got)
		}
		// Other requests hold all of the budget but less than the reply.
		other := s.budget.max - int64(len(body)) + 1
		if !s.budget.take(other) {
			t.Fatal("budget not free")
		}
		resp, refusal := get(p.path)
		s.budget.give(other)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), p.contentType) || !strings.Contains(refusal, "in flight") {
			t.Errorf("%s with %d bytes of the budget left: %d Retry-After %q %s %q, want 503 with Retry-After, %s",
				p.path, len(body)-1, resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"), refusal, p.contentType)
		}
		if p.contentType == "application/json" {
			var e routeError
			if err := json.Unmarshal([]byte(refusal), &e); err != nil || e.Error == "" {
				t.Errorf("%s: refusal not a JSON error: %q", p.path, refusal)
			}
		}
		if got := s.Stats().InFlightBytes; got != 0 {
			t.Errorf("%s: in flight %d bytes after the refusal, want 0", p.path, got)
		}
	}
	// A spent budget refuses before the answer is built.
	s.budget.take(s.budget.max)
	resp, refusal := get("/rest/chaininfo.json")
	s.budget.give(s.budget.max)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(refusal, "in flight") {
		t.Errorf("chaininfo with the budget spent: %d %q, want 503", resp.StatusCode, refusal)
	}
}

// TestHoldReply: a route's held bytes count against the server's
// in-flight budget until its request ends, and a hold that does not fit
// is refused without reserving anything.
func TestHoldReply(t *testing.T) {
	f := newConfiguredFixture(t, 0x12, func(f *nodeFixture) { f.limits = Limits{MaxBodyBytes: 1000, MaxInFlight: 64 << 10} })
	s := f.srv
	release := make(chan struct{})
	held := make(chan int64, 2)
	s.Handle(Route{Prefix: "/hold/", Public: true, Handler: func(w http.ResponseWriter, r *http.Request, _ *Access) {
		if !HoldReply(r.Context(), 40<<10) {
			held <- -1
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		held <- s.Stats().InFlightBytes
		<-release
	}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.ServePublic(ln, PublicAccess())
	url := "http://" + ln.Addr().String() + "/hold/x"
	first := make(chan int)
	go func() {
		resp, err := http.Get(url)
		if err != nil {
			first <- 0
			return
		}
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	if got := <-held; got < 40<<10 {
		t.Fatalf("in flight while held: %d, want at least %d", got, 40<<10)
	}
	// A second hold of 40 KiB does not fit beside the first.
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := <-held; got != -1 || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("second hold: %d (status %d), want refused", got, resp.StatusCode)
	}
	close(release)
	if code := <-first; code != http.StatusOK {
		t.Fatalf("first request: %d", code)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Stats().InFlightBytes != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("in flight after the request ended: %d, want 0", s.Stats().InFlightBytes)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
