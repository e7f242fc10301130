package node

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/rpc"
)

func withIndexes(c *Config) { c.TxIndex, c.AddressIndex = true, true }

// startIndexedNode is startRESTNode's chain with the transaction and
// address indexes on, caught up.
func startIndexedNode(t *testing.T) *restNode {
	r := startRESTNode(t, withIndexes)
	<-r.node.IndexesSynced()
	return r
}

// addrTxs is a page of /rest/address/ADDR/txs.json.
type addrTxs struct {
	Address string `json:"address"`
	Height  int32  `json:"height"`
	Txs     []struct {
		TxID      string          `json:"txid"`
		Height    int32           `json:"height"`
		BlockHash string          `json:"blockhash"`
		Received  json.RawMessage `json:"received"`
		Sent      json.RawMessage `json:"sent"`
	} `json:"txs"`
	Next *string `json:"next"`
}

func (r *restNode) addrTxs(t *testing.T, addr, query string) addrTxs {
	t.Helper()
	var p addrTxs
	if err := json.Unmarshal(r.rest.ok(t, "/rest/address/"+addr+"/txs.json"+query), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// txids are every txid of addr's history, following the pages.
func (r *restNode) txids(t *testing.T, addr, order string, limit int) []string {
	t.Helper()
	var out []string
	q := "?order=" + order + "&limit=" + itoa(limit)
	for range 200 {
		p := r.addrTxs(t, addr, q)
		if len(p.Txs) > limit {
			t.Fatalf("%d lines, limit %d", len(p.Txs), limit)
		}
		for _, l := range p.Txs {
			out = append(out, l.TxID)
		}
		if p.Next == nil {
			return out
		}
		q = "?order=" + order + "&limit=" + itoa(limit) + "&cursor=" + *p.Next
	}
	t.Fatal("pages do not end")
	return nil
}

type addrBalance struct {
	Height   int32   `json:"height"`
	Balance  float64 `json:"balance"`
	Received float64 `json:"received"`
	Sent     float64 `json:"sent"`
	Txs      int64   `json:"txs"`
	UTXOs    int64   `json:"utxos"`
}

func (r *restNode) balance(t *testing.T, addr string) addrBalance {
	t.Helper()
	var b addrBalance
	if err := json.Unmarshal(r.rest.ok(t, "/rest/address/"+addr+"/balance.json"), &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// propHistory is every event of /rest/game/prop/ID/history.json,
// following the pages of limit.
func (r *restNode) propHistory(t *testing.T, id string, limit int) []rpc.GameEventJSON {
	t.Helper()
	var out []rpc.GameEventJSON
	q := "?limit=" + itoa(limit)
	for range 100 {
		var p struct {
			History []rpc.GameEventJSON `json:"history"`
			Next    *string             `json:"next"`
		}
		if err := json.Unmarshal(r.rest.ok(t, "/rest/game/prop/"+id+"/history.json"+q), &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p.History...)
		if p.Next == nil {
			return out
		}
		q = "?limit=" + itoa(limit) + "&cursor=" + *p.Next
	}
	t.Fatal("pages do not end")
	return nil
}

func owners(h []rpc.GameEventJSON) []string {
	var out []string
	for _, e := range h {
		out = append(out, e.Op+":"+e.Owner)
	}
	return out
}

// TestRESTAddress: on a regtest chain with game activity, the address
// routes answer as the RPC methods, pages join up in both orders, the
// totals agree with the unspent outputs and the chain's own UTXO set,
// the CSV export holds the same lines, and mined transactions are found
// by txid.
func TestRESTAddress(t *testing.T) {
	r := startIndexedNode(t)
	c := r.rest
	tip := int32(0)
	json.Unmarshal(r.must(t, "getblockcount"), &tip)
	for _, addr := range []string{r.bob, r.mine} {
		sameJSON(t, c, "/rest/address/"+addr+"/balance.json", r.must(t, "address.balance", addr))
		sameJSON(t, c, "/rest/address/"+addr+"/txs.json?limit=3&order=desc", r.must(t, "address.txs", addr, 3, nil, "desc"))
		sameJSON(t, c, "/rest/address/"+addr+"/utxos.json?limit=4", r.must(t, "address.utxos", addr, 4))
		asc, desc := r.txids(t, addr, "asc", 2), r.txids(t, addr, "desc", 3)
		b := r.balance(t, addr)
		if len(asc) == 0 || int64(len(asc)) != b.Txs || len(desc) != len(asc) || b.Height != tip {
			t.Fatalf("%s: %d lines asc, %d desc, totals %+v, tip %d", addr, len(asc), len(desc), b, tip)
		}
		for i := range asc {
			if asc[i] != desc[len(desc)-1-i] {
				t.Fatalf("%s: desc is not asc reversed at %d", addr, i)
			}
		}
		// The unspent outputs: as many as the totals say, summing to the
		// balance, each unspent in the chain's own UTXO set.
		var us struct {
			UTXOs []struct {
				TxID  string  `json:"txid"`
				Vout  int     `json:"vout"`
				Value float64 `json:"value"`
			} `json:"utxos"`
		}
		json.Unmarshal(c.ok(t, "/rest/address/"+addr+"/utxos.json?limit=1000"), &us)
		sum := 0.0
		for _, u := range us.UTXOs {
			sum += u.Value
			var out *struct{ Value float64 }
			json.Unmarshal(r.must(t, "gettxout", u.TxID, u.Vout, false), &out)
			if out == nil || out.Value != u.Value {
				t.Fatalf("%s: utxo %s:%d is not the chain's: %+v", addr, u.TxID, u.Vout, out)
			}
		}
		if int64(len(us.UTXOs)) != b.UTXOs || (sum-b.Balance) > 1e-8 || (b.Balance-sum) > 1e-8 || b.Received-b.Sent-b.Balance > 1e-8 {
			t.Fatalf("%s: %d utxos summing to %v, totals %+v", addr, len(us.UTXOs), sum, b)
		}
		// CSV: a header, then the same lines.
		code, hdr, body := c.get(t, "/rest/address/"+addr+"/txs.csv?limit=1000")
		rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if code != http.StatusOK || err != nil || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") || len(rows) != len(asc)+1 ||
			strings.Join(rows[0], ",") != "height,time,blockhash,txid,position,received,sent,delta" || rows[1][3] != asc[0] {
			t.Fatalf("%s csv: %d %v %d rows %v", addr, code, err, len(rows), rows[:min(2, len(rows))])
		}
		if _, hdr, _ := c.get(t, "/rest/address/"+addr+"/txs.csv?limit=1"); len(asc) > 1 && !strings.Contains(hdr.Get("Link"), `rel="next"`) {
			t.Fatalf("%s csv page: no Link to the next page", addr)
		}
	}
	// bob's first transaction is the 5 GG the wallet sent him.
	first := r.addrTxs(t, r.bob, "?limit=1")
	var got, sent float64
	json.Unmarshal(first.Txs[0].Received, &got)
	json.Unmarshal(first.Txs[0].Sent, &sent)
	if got != 5 || sent != 0 {
		t.Fatalf("bob's first line %+v", first.Txs[0])
	}
	// A mined transaction is found by txid: RPC and REST.
	mined := first.Txs[0].TxID
	var raw struct {
		BlockHash     string `json:"blockhash"`
		Confirmations int    `json:"confirmations"`
	}
	json.Unmarshal(r.must(t, "getrawtransaction", mined, true), &raw)
	if raw.BlockHash != first.Txs[0].BlockHash || raw.Confirmations < 1 {
		t.Fatalf("getrawtransaction of a mined tx: %+v", raw)
	}
	sameJSON(t, c, "/rest/tx/"+mined+".json", r.must(t, "getrawtransaction", mined, true))
	if got := strings.TrimSpace(string(c.ok(t, "/rest/tx/"+mined+".hex"))); got != unquote(t, r.must(t, "getrawtransaction", mined)) {
		t.Fatal("/rest/tx hex differs")
	}
	// getindexinfo lists both indexes at the tip.
	var info map[string]struct {
		Synced bool  `json:"synced"`
		Height int32 `json:"best_block_height"`
	}
	json.Unmarshal(r.must(t, "getindexinfo"), &info)
	for _, name := range []string{"txindex", "addressindex"} {
		if s, ok := info[name]; !ok || !s.Synced || s.Height != tip {
			t.Fatalf("getindexinfo %s: %+v", name, info)
		}
	}
}

// TestRESTPropHistory: a prop's owner history from creation, with each
// event's owner address, paged, equal to prop.history.
func TestRESTPropHistory(t *testing.T) {
	r := startIndexedNode(t)
	sent := r.props[2] // created to mine, sent to bob
	h := r.propHistory(t, sent, 1)
	if got := owners(h); !reflect.DeepEqual(got, []string{"prop-create:" + r.mine, "prop-send:" + r.bob}) {
		t.Fatalf("history %v", got)
	}
	var all []rpc.GameEventJSON
	json.Unmarshal(r.must(t, "prop.history", sent), &all)
	if !reflect.DeepEqual(all, h) {
		t.Fatalf("prop.history %+v, pages %+v", all, h)
	}
	// Destroyed: the last event has no owner.
	r.must(t, "prop.found", r.props[5])
	r.gen(t, 1)
	if got := owners(r.propHistory(t, r.props[5], 10)); len(got) != 2 || got[1] != "prop-destroy:" {
		t.Fatalf("destroyed prop's history %v", got)
	}
}

// TestIndexesReorg: a reorganisation rolls the address and prop answers
// back, and mining the transaction again brings them forward.
func TestIndexesReorg(t *testing.T) {
	r := startIndexedNode(t)
	moved := r.props[4]
	before := r.balance(t, r.bob)
	beforeTxs := r.txids(t, r.bob, "asc", 100)
	send := gameRes(t, r.must(t, "prop.send", r.bob, moved)).TxID
	r.gen(t, 1)
	tip := r.best(t)
	after := r.balance(t, r.bob)
	last := func() string {
		h := r.propHistory(t, moved, 100)
		return owners(h)[len(h)-1]
	}
	// The block also confirms the mempool's payments to bob.
	if txs := r.txids(t, r.bob, "asc", 100); !slices.Contains(txs, send) || after.Txs <= before.Txs || after.Balance <= before.Balance ||
		last() != "prop-send:"+r.bob {
		t.Fatalf("after the send: %+v (before %+v), last event %s", after, before, last())
	}
	r.must(t, "invalidateblock", tip)
	if got := r.balance(t, r.bob); got.Txs != before.Txs || got.Balance != before.Balance || got.Height != after.Height-1 {
		t.Fatalf("after invalidateblock: %+v, want %+v", got, before)
	}
	if got := r.txids(t, r.bob, "asc", 100); !reflect.DeepEqual(got, beforeTxs) || last() != "prop-create:"+r.mine {
		t.Fatalf("after invalidateblock: %d lines, last event %s", len(got), last())
	}
	if _, re := r.call(t, "getrawtransaction", send, true); re != nil {
		t.Fatalf("the send back in the mempool: %v", re)
	}
	r.gen(t, 1)
	if got := r.balance(t, r.bob); got != after || last() != "prop-send:"+r.bob {
		t.Fatalf("mined again: %+v, want %+v", got, after)
	}
}

// TestIndexesReindex: --reindex rebuilds both indexes to the same
// answers.
func TestIndexesReindex(t *testing.T) {
	r := startIndexedNode(t)
	paths := []string{"/rest/address/" + r.bob + "/txs.json?limit=1000", "/rest/address/" + r.mine + "/utxos.json?limit=1000",
		"/rest/address/" + r.mine + "/balance.json", "/rest/game/prop/" + r.props[2] + "/history.json"}
	want := map[string]string{}
	for _, p := range paths {
		want[p] = string(r.rest.ok(t, p))
	}
	mined := r.addrTxs(t, r.bob, "?limit=1").Txs[0].TxID
	wantTx := string(r.must(t, "getrawtransaction", mined, true))
	if err := r.node.Close(); err != nil {
		t.Fatal(err)
	}
	n := startWalletNode(t, r.dir, withIndexes, func(c *Config) { c.Reindex = true })
	r.walletNode.node = n.node // startGameNode's cleanup closes it
	<-n.node.IndexesSynced()
	rest := newRESTClient(t, r.dir)
	for _, p := range paths {
		if got := string(rest.ok(t, p)); got != want[p] {
			t.Fatalf("%s after --reindex:\n got %.300s\nwant %.300s", p, got, want[p])
		}
	}
	if got := string(n.must(t, "getrawtransaction", mined, true)); got != wantTx {
		t.Fatalf("getrawtransaction after --reindex: %.200s", got)
	}
}

// TestRESTAddressRejects: bad addresses, cursors, limits, orders and
// formats are 400 (-5/-8 over RPC); with the indexes off the routes are
// 404 and the methods -1, and a mined transaction is not found by txid.
func TestRESTAddressRejects(t *testing.T) {
	r := startIndexedNode(t)
	c := r.rest
	bob := r.bob
	txsPage := r.addrTxs(t, bob, "?limit=1")
	var utxos struct{ Next *string }
	json.Unmarshal(c.ok(t, "/rest/address/"+r.mine+"/utxos.json?limit=1"), &utxos)
	var hist struct{ Next *string }
	json.Unmarshal(c.ok(t, "/rest/game/prop/"+r.props[2]+"/history.json?limit=1"), &hist)
	if txsPage.Next == nil || utxos.Next == nil || hist.Next == nil {
		t.Fatal("no second pages to take cursors from")
	}
	cases := []struct {
		path string
		code int
		msg  string
	}{
		{"/rest/address/notanaddress/txs.json", 400, "invalid address"},
		{"/rest/address/" + bob + "/txs.json?cursor=zz", 400, "bad cursor"},
		{"/rest/address/" + bob + "/txs.json?cursor=", 400, "bad cursor"},
		{"/rest/address/" + bob + "/txs.json?cursor=" + *utxos.Next, 400, "bad cursor"}, // another route's
		{"/rest/address/" + bob + "/utxos.json?cursor=" + *txsPage.Next, 400, "bad cursor"},
		{"/rest/address/" + bob + "/txs.json?cursor=" + (*txsPage.Next)[:10], 400, "bad cursor"},
		{"/rest/address/" + bob + "/txs.json?limit=0", 400, "limit"},
		{"/rest/address/" + bob + "/txs.json?limit=1001", 400, "limit"},
		{"/rest/address/" + bob + "/txs.json?limit=-1", 400, "limit"},
		{"/rest/address/" + bob + "/txs.json?order=sideways", 400, "order"},
		{"/rest/address/" + bob + "/txs.bin", 400, "format .bin"},
		{"/rest/address/" + bob + "/utxos.csv", 400, "format .csv"},
		{"/rest/address/" + bob + "/balance", 400, "missing format"},
		{"/rest/address/" + bob + "/history.json", 404, "no such route"},
		{"/rest/address/" + bob + ".json", 404, "no such route"},
		{"/rest/address/" + bob + "/txs/x.json", 404, "no such route"},
		{"/rest/game/prop/" + r.props[2] + "/history.json?cursor=" + *txsPage.Next, 400, "bad cursor"},
		{"/rest/game/prop/" + r.props[2] + "/history.hex", 400, "format .hex"},
		{"/rest/game/prop/nothex/history.json", 400, "invalid prop id"},
		{"/rest/game/prop/" + strings.Repeat("ab", 32) + "/history.json", 404, "no prop or producer"},
	}
	for _, k := range cases {
		code, _, body := c.get(t, k.path)
		if code != k.code || !strings.Contains(string(body), k.msg) {
			t.Errorf("GET %s: %d %s, want %d %q", k.path, code, body, k.code, k.msg)
		}
	}
	rpcCases := []struct {
		method string
		params []any
		code   int
	}{
		{"address.txs", []any{"notanaddress"}, rpc.CodeInvalidAddress},
		{"address.txs", []any{bob, 10, "zz"}, rpc.CodeInvalidParam},
		{"address.txs", []any{bob, 10, *utxos.Next}, rpc.CodeInvalidParam},
		{"address.txs", []any{bob, 1001}, rpc.CodeInvalidParam},
		{"address.txs", []any{bob, 10, nil, "up"}, rpc.CodeInvalidParam},
		{"address.utxos", []any{bob, -1}, rpc.CodeInvalidParam},
		{"address.balance", []any{}, rpc.CodeInvalidParams},
		{"address.balance", []any{"rg1qnope"}, rpc.CodeInvalidAddress},
	}
	for _, k := range rpcCases {
		if _, re := r.call(t, k.method, k.params...); re == nil || re.Code != k.code {
			t.Errorf("%s %v: %v, want code %d", k.method, k.params, re, k.code)
		}
	}

	// A node without the indexes.
	off := startRESTNode(t)
	for _, p := range []string{"/rest/address/" + off.bob + "/txs.json", "/rest/address/" + off.bob + "/balance.json"} {
		code, _, body := off.rest.get(t, p)
		if code != http.StatusNotFound || !strings.Contains(string(body), "--addressindex") {
			t.Errorf("index off: GET %s: %d %s", p, code, body)
		}
	}
	if _, re := off.call(t, "address.balance", off.bob); re == nil || re.Code != rpc.CodeMisc || !strings.Contains(re.Message, "--addressindex") {
		t.Errorf("index off: address.balance: %v", re)
	}
	minedOff := unquote(t, off.must(t, "getblockhash", 102))
	var blk struct{ Tx []string }
	json.Unmarshal(off.must(t, "getblock", minedOff), &blk)
	if _, re := off.call(t, "getrawtransaction", blk.Tx[1]); re == nil || re.Code != rpc.CodeInvalidAddress || !strings.Contains(re.Message, "--txindex") {
		t.Errorf("txindex off: getrawtransaction of a mined tx: %v", re)
	}
	if code, _, _ := off.rest.get(t, "/rest/tx/"+blk.Tx[1]+".json"); code != http.StatusNotFound {
		t.Errorf("txindex off: /rest/tx of a mined tx: %d", code)
	}
	var info map[string]any
	json.Unmarshal(off.must(t, "getindexinfo"), &info)
	if len(info) != 0 {
		t.Errorf("getindexinfo without indexes: %v", info)
	}
}
