package explorer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/wallet/seed"
)

// Page sizes.
const (
	recentBlocks = 10 // on the home page
	historyPage  = 25 // an address's transactions and unspent outputs
	listPage     = 50 // a producer's props, an owner's props, contracts
)

// get asks the source for a REST route's JSON answer, decoded with
// numbers kept as written. A 400 or 404 becomes a *pageError with the
// route's message; another failure an error.
func (e *Explorer) get(ctx context.Context, target string) (any, error) {
	status, body := e.src.REST(ctx, target)
	if status != http.StatusOK {
		var re struct {
			Error string `json:"error"`
		}
		msg := strings.TrimSpace(string(body))
		if json.Unmarshal(body, &re) == nil && re.Error != "" {
			msg = re.Error
		}
		if status == http.StatusBadRequest || status == http.StatusNotFound || status == http.StatusServiceUnavailable {
			return nil, &pageError{status, msg}
		}
		return nil, fmt.Errorf("%s: %d %s", target, status, msg)
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s: decode: %w", target, err)
	}
	return v, nil
}

// getOpt is get where a 404 is an absent part of a page (nil, its
// message) rather than the page's failure.
func (e *Explorer) getOpt(ctx context.Context, target string) (v any, missing string, err error) {
	v, err = e.get(ctx, target)
	if pe, ok := err.(*pageError); ok && pe.status == http.StatusNotFound {
		return nil, pe.msg, nil
	}
	return v, "", err
}

// generic is v as decoded JSON, so that the templates read every page's
// data by its JSON names.
func generic(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out any
	d.Decode(&out)
	return out
}

// field is m[key] of a decoded JSON object (nil when m is not one).
func field(v any, key string) any {
	m, _ := v.(map[string]any)
	return m[key]
}

func esc(s string) string { return url.PathEscape(s) }

// decimal reports whether s is digits only.
func decimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != "" && len(s) <= 10
}

// isHash64 reports whether s is 64 hex digits.
func isHash64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func (e *Explorer) home(ctx context.Context) (*page, error) {
	info, err := e.get(ctx, "/rest/chaininfo.json")
	if err != nil {
		return nil, err
	}
	tip, _ := strconv.Atoi(fmt.Sprint(field(info, "blocks")))
	from := max(0, tip-recentBlocks+1)
	hash, err := e.get(ctx, fmt.Sprintf("/rest/blockhashbyheight/%d.json", from))
	if err != nil {
		return nil, err
	}
	hdrs, err := e.get(ctx, fmt.Sprintf("/rest/headers/%d/%s.json", recentBlocks, field(hash, "blockhash")))
	if err != nil {
		return nil, err
	}
	list, _ := hdrs.([]any)
	blocks := make([]any, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		blocks = append(blocks, list[i])
	}
	mp, err := e.get(ctx, "/rest/mempool/info.json")
	if err != nil {
		return nil, err
	}
	auctions, _, err := e.getOpt(ctx, "/rest/game/auctions.json")
	if err != nil {
		return nil, err
	}
	return &page{name: "home", title: "GameGold explorer", data: map[string]any{
		"chain": info, "blocks": blocks, "mempool": mp, "auctions": orEmpty(auctions)}}, nil
}

func orEmpty(v any) any {
	if v == nil {
		return []any{}
	}
	return v
}

// blockHash resolves a height or a hash to a block hash.
func (e *Explorer) blockHash(ctx context.Context, ref string) (string, error) {
	if decimal(ref) {
		v, err := e.get(ctx, "/rest/blockhashbyheight/"+ref+".json")
		if err != nil {
			return "", err
		}
		return fmt.Sprint(field(v, "blockhash")), nil
	}
	if !isHash64(ref) {
		return "", badRequest("block %q: want a height or a block hash (64 hex digits)", ref)
	}
	return strings.ToLower(ref), nil
}

func (e *Explorer) block(ctx context.Context, ref string) (*page, error) {
	h, err := e.blockHash(ctx, ref)
	if err != nil {
		return nil, err
	}
	b, err := e.get(ctx, "/rest/block/notxdetails/"+h+".json")
	if err != nil {
		return nil, err
	}
	return &page{name: "block", title: fmt.Sprintf("Block %v", field(b, "height")), data: map[string]any{"block": b}}, nil
}

func (e *Explorer) tx(ctx context.Context, txid, block string) (*page, error) {
	if !isHash64(txid) {
		return nil, badRequest("transaction %q: want a txid (64 hex digits)", txid)
	}
	txid = strings.ToLower(txid)
	tx, err := e.get(ctx, "/rest/tx/"+txid+".json")
	if pe, ok := err.(*pageError); ok && pe.status == http.StatusNotFound && isHash64(block) {
		// Without the tx index a confirmed transaction is found in the
		// block the link names.
		b, berr := e.get(ctx, "/rest/block/"+esc(block)+".json")
		if berr != nil {
			return nil, berr
		}
		txs, _ := field(b, "tx").([]any)
		for _, t := range txs {
			if field(t, "txid") == txid {
				tx, err = t, nil
				if m, ok := t.(map[string]any); ok {
					m["blockhash"] = field(b, "hash")
					m["blockheight"] = field(b, "height")
				}
			}
		}
		if tx == nil {
			return nil, notFound("transaction %s is not in block %s", txid, block)
		}
	}
	if pe, ok := err.(*pageError); ok && pe.status == http.StatusNotFound {
		return nil, notFound("%s (a confirmed transaction needs gg-node --txindex, or a link from its block page)", pe.msg)
	}
	if err != nil {
		return nil, err
	}
	data := map[string]any{"tx": tx}
	if g := decodeGame(fmt.Sprint(field(tx, "hex")), e.params); g != nil {
		data["game"] = generic(g)
	}
	return &page{name: "tx", title: "Transaction " + short(txid), data: data}, nil
}

// addressRoutes are the address page's REST routes.
func addressTxs(addr, cursor string, limit int) string {
	t := fmt.Sprintf("/rest/address/%s/txs.json?order=desc&limit=%d", esc(addr), limit)
	if cursor != "" {
		t += "&cursor=" + url.QueryEscape(cursor)
	}
	return t
}

func (e *Explorer) address(ctx context.Context, addr, cursor string) (*page, error) {
	if _, err := address.Decode(addr, e.params); err != nil {
		return nil, badRequest("invalid address %q: %v", addr, err)
	}
	data := map[string]any{"address": addr, "cursor": cursor}
	bal, off, err := e.getOpt(ctx, "/rest/address/"+esc(addr)+"/balance.json")
	if err != nil {
		return nil, err
	}
	if off != "" {
		data["index"] = off // the address index is off: say so
	} else {
		data["balance"] = bal
		if data["txs"], err = e.get(ctx, addressTxs(addr, cursor, historyPage)); err != nil {
			return nil, err
		}
		if data["utxos"], err = e.get(ctx, fmt.Sprintf("/rest/address/%s/utxos.json?limit=%d", esc(addr), historyPage)); err != nil {
			return nil, err
		}
	}
	props, _, err := e.getOpt(ctx, fmt.Sprintf("/rest/game/props/owner/%s.json?limit=%d", esc(addr), listPage))
	if err != nil {
		return nil, err
	}
	data["props"] = field(props, "props")
	data["props_next"] = field(props, "next")
	return &page{name: "address", title: "Address " + addr, data: data}, nil
}

func (e *Explorer) addressCSV(ctx context.Context, addr, cursor string) (*page, error) {
	if _, err := address.Decode(addr, e.params); err != nil {
		return nil, badRequest("invalid address %q: %v", addr, err)
	}
	t := fmt.Sprintf("/rest/address/%s/txs.csv?order=desc&limit=1000", esc(addr))
	if cursor != "" {
		t += "&cursor=" + url.QueryEscape(cursor)
	}
	status, body := e.src.REST(ctx, t)
	if status != http.StatusOK {
		var re struct {
			Error string `json:"error"`
		}
		json.Unmarshal(body, &re)
		return nil, &pageError{status, re.Error}
	}
	return &page{csv: body, csvFor: addr + "-txs.csv"}, nil
}

func (e *Explorer) producer(ctx context.Context, ref, cursor string) (*page, error) {
	var target string
	switch {
	case isHash64(ref):
		target = "/rest/game/producer/" + strings.ToLower(ref) + ".json"
	case game.CheckName(ref) == nil:
		target = "/rest/game/producer/name/" + ref + ".json"
	default:
		return nil, badRequest("producer %q: want an id (64 hex digits) or a name", ref)
	}
	p, err := e.get(ctx, target)
	if err != nil {
		return nil, err
	}
	id := fmt.Sprint(field(p, "id"))
	hist, err := e.get(ctx, "/rest/game/prop/"+id+"/history.json?limit=1000")
	if err != nil {
		return nil, err
	}
	t := fmt.Sprintf("/rest/game/props/producer/%s.json?limit=%d", id, listPage)
	if cursor != "" {
		t += "&cursor=" + url.QueryEscape(cursor)
	}
	props, err := e.get(ctx, t)
	if err != nil {
		return nil, err
	}
	return &page{name: "producer", title: fmt.Sprintf("Producer %v", field(p, "name")), data: map[string]any{
		"producer": p, "history": field(hist, "history"), "props": field(props, "props"), "next": field(props, "next")}}, nil
}

func (e *Explorer) prop(ctx context.Context, id string) (*page, error) {
	if !isHash64(id) {
		return nil, badRequest("prop %q: want an id (64 hex digits)", id)
	}
	id = strings.ToLower(id)
	p, err := e.get(ctx, "/rest/game/prop/"+id+".json")
	if err != nil {
		return nil, err
	}
	hist, err := e.get(ctx, "/rest/game/prop/"+id+"/history.json?limit=1000")
	if err != nil {
		return nil, err
	}
	return &page{name: "prop", title: "Prop " + short(id), data: map[string]any{"prop": p, "history": field(hist, "history")}}, nil
}

func (e *Explorer) auctions(ctx context.Context) (*page, error) {
	a, err := e.get(ctx, "/rest/game/auctions.json")
	if err != nil {
		return nil, err
	}
	return &page{name: "auctions", title: "Auctions", data: map[string]any{"auctions": orEmpty(a)}}, nil
}

func (e *Explorer) contracts(ctx context.Context, party, cursor string) (*page, error) {
	data := map[string]any{"party": party}
	book, _, err := e.getOpt(ctx, fmt.Sprintf("/rest/game/contracts/book.json?limit=%d", listPage))
	if err != nil {
		return nil, err
	}
	data["book"] = book
	if party != "" {
		t := fmt.Sprintf("/rest/game/contracts/party/%s.json?limit=%d", esc(party), listPage)
		if cursor != "" {
			t += "&cursor=" + url.QueryEscape(cursor)
		}
		cs, err := e.get(ctx, t)
		if err != nil {
			return nil, err
		}
		data["contracts"], data["next"] = field(cs, "contracts"), field(cs, "next")
	}
	return &page{name: "contracts", title: "Contracts", data: data}, nil
}

func (e *Explorer) contract(ctx context.Context, id string) (*page, error) {
	if !isHash64(id) {
		return nil, badRequest("contract %q: want an id (64 hex digits)", id)
	}
	c, err := e.get(ctx, "/rest/game/contract/"+strings.ToLower(id)+".json")
	if err != nil {
		return nil, err
	}
	return &page{name: "contract", title: "Contract " + short(id), data: map[string]any{"contract": c}}, nil
}

// search finds what q names and answers the URL of its page: a height,
// a block hash, a txid, a prop, producer or contract id, an address or a
// producer name.
func (e *Explorer) search(ctx context.Context, q string) (*page, error) {
	q = strings.TrimSpace(q)
	found := func(kind, u string) (*page, error) {
		return &page{name: "search", title: "Search", status: http.StatusSeeOther, data: map[string]any{
			"query": q, "kind": kind, "url": u}}, nil
	}
	switch {
	case q == "":
		return &page{name: "search", title: "Search", data: map[string]any{"query": q}}, nil
	case decimal(q):
		if _, err := e.blockHash(ctx, q); err != nil {
			return nil, err
		}
		return found("block", e.url("block", q))
	case isHash64(q):
		q = strings.ToLower(q)
		if v, _, err := e.getOpt(ctx, "/rest/headers/1/"+q+".json"); err != nil {
			return nil, err
		} else if l, _ := v.([]any); len(l) > 0 {
			return found("block", e.url("block", q))
		}
		for _, c := range []struct{ kind, route string }{
			{"tx", "/rest/tx/" + q + ".json"},
			{"prop", "/rest/game/prop/" + q + ".json"},
			{"producer", "/rest/game/producer/" + q + ".json"},
			{"contract", "/rest/game/contract/" + q + ".json"},
		} {
			v, _, err := e.getOpt(ctx, c.route)
			if err != nil {
				if pe, ok := err.(*pageError); ok && pe.status == http.StatusBadRequest {
					continue
				}
				return nil, err
			}
			if v != nil {
				return found(c.kind, e.url(c.kind, q))
			}
		}
	case func() bool { _, err := address.Decode(q, e.params); return err == nil }():
		return found("address", e.url("address", q))
	case func() bool { _, err := seed.ParseExtPubKey(q, e.params); return err == nil }():
		return found("xpub", e.url("xpub", q))
	case game.CheckName(q) == nil:
		if v, _, err := e.getOpt(ctx, "/rest/game/producer/name/"+q+".json"); err != nil {
			return nil, err
		} else if v != nil {
			return found("producer", e.url("producer", field(v, "id")))
		}
	}
	return nil, notFound("nothing found for %q (search a height, a block hash, a txid, an address, an account xpub, a prop or producer id, or a producer name)", q)
}
