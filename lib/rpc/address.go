package rpc

import (
	"context"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/index"
)

// The address index over JSON-RPC (address.txs, address.utxos,
// address.balance) and REST (/rest/address/ADDR/{txs,utxos,balance}):
// what the active chain paid to and spent from an address. bitcoind has
// no such methods; the names follow GameGold's dotted style.

// AddressIndex is the address index (*index.AddrIndex).
type AddressIndex interface {
	Txs(pkScript, after []byte, limit int, desc bool) ([]index.AddrTx, index.AddrTip, error)
	UTXOs(pkScript, after []byte, limit int) ([]index.AddrUTXO, index.AddrTip, error)
	Summary(pkScript []byte) (index.AddrSummary, index.AddrTip, error)
}

// AddressService implements the address methods and routes. A nil Index
// means the address index is off: the methods answer -1, the routes 404.
type AddressService struct {
	Params *chaincfg.Params
	// Chain gives the blocks' times (optional: without it, time is 0).
	Chain ChainBackend
	Index AddressIndex
}

// Cursor tags of the address pages (restCursor's form: tag || key).
const (
	cursorAddrTxs   = 't'
	cursorAddrUTXOs = 'u'
)

var errAddrIndexOff = Errorf(CodeMisc, "the address index is off (start gg-node with --addressindex)")

// Methods returns the address methods.
func (s *AddressService) Methods() []Method {
	return methodsOf([]methodDef{
		{[]string{"address.txs"}, "address [limit=100] [cursor] [order=asc]",
			"a page of the confirmed transactions paying or spending address, in chain order (order=desc: newest first): {address, height, txs: [{txid, height, blockhash, time, position, received, sent}], next} (needs gg-node --addressindex)", s.txs},
		{[]string{"address.utxos"}, "address [limit=100] [cursor]",
			"a page of address's confirmed unspent outputs, oldest first: {address, height, utxos: [{txid, vout, height, value, coinbase}], next} (needs gg-node --addressindex)", s.utxos},
		{[]string{"address.balance"}, "address",
			"address's confirmed totals: {address, height, blockhash, balance, received, sent, txs, utxos} (needs gg-node --addressindex)", s.balance},
	}, nil)
}

// addrPage is a parsed request of an address page.
type addrPage struct {
	addr  string
	pk    []byte
	limit int
	after []byte
	desc  bool
}

// parseAddrPage checks an address, a limit (0: the default), a cursor
// with tag ("" for none) and an order ("" for asc).
func (s *AddressService) parseAddrPage(addr string, limit int, cursor string, tag byte, order string) (*addrPage, error) {
	a, err := address.Decode(addr, s.Params)
	if err != nil {
		return nil, Errorf(CodeInvalidAddress, "invalid address %q: %v", truncate(addr, 100), err)
	}
	p := &addrPage{addr: addr, pk: a.PkScript(), limit: limit}
	if p.limit == 0 {
		p.limit = RESTDefaultPage
	}
	if p.limit < 1 || p.limit > RESTMaxPage {
		return nil, Errorf(CodeInvalidParam, "limit %d: want 1 to %d", limit, RESTMaxPage)
	}
	if cursor != "" {
		b, err := hex.DecodeString(cursor)
		want := index.AddrTxCursorLen
		if tag == cursorAddrUTXOs {
			want = index.AddrUTXOCursorLen
		}
		if err != nil || len(b) != 1+want || b[0] != tag {
			return nil, Errorf(CodeInvalidParam, "bad cursor %q: pass the next value of the page before", truncate(cursor, 100))
		}
		p.after = b[1:]
	}
	switch order {
	case "", "asc":
	case "desc":
		p.desc = true
	default:
		return nil, Errorf(CodeInvalidParam, "order %q: want asc or desc", truncate(order, 20))
	}
	return p, nil
}

// AddressTxJSON is one line of address.txs.
type AddressTxJSON struct {
	TxID      string `json:"txid"`
	Height    int32  `json:"height"`
	BlockHash string `json:"blockhash"`
	Time      int64  `json:"time"`
	Position  uint32 `json:"position"`
	Received  GG     `json:"received"`
	Sent      GG     `json:"sent"`
}

// AddressTxsJSON is a page of address.txs.
type AddressTxsJSON struct {
	Address string          `json:"address"`
	Height  int32           `json:"height"` // the index's tip
	Txs     []AddressTxJSON `json:"txs"`
	Next    *string         `json:"next"`
}

// AddressUTXOJSON is one output of address.utxos.
type AddressUTXOJSON struct {
	TxID     string `json:"txid"`
	Vout     uint32 `json:"vout"`
	Height   int32  `json:"height"`
	Value    GG     `json:"value"`
	Coinbase bool   `json:"coinbase"`
}

// AddressUTXOsJSON is a page of address.utxos.
type AddressUTXOsJSON struct {
	Address string            `json:"address"`
	Height  int32             `json:"height"`
	UTXOs   []AddressUTXOJSON `json:"utxos"`
	Next    *string           `json:"next"`
}

// AddressBalanceJSON is address.balance's answer.
type AddressBalanceJSON struct {
	Address   string `json:"address"`
	Height    int32  `json:"height"`
	BlockHash string `json:"blockhash"`
	Balance   GG     `json:"balance"`
	Received  GG     `json:"received"`
	Sent      GG     `json:"sent"`
	Txs       int64  `json:"txs"`
	UTXOs     int64  `json:"utxos"`
}

func (s *AddressService) indexError(err error) error {
	if errors.Is(err, index.ErrBadCursor) {
		return Errorf(CodeInvalidParam, "bad cursor: pass the next value of the page before")
	}
	return Errorf(CodeDatabase, "address index: %v", err)
}

// blockTime is a block's header time, 0 when unknown.
func (s *AddressService) blockTime(h index.AddrTx) int64 {
	if s.Chain == nil {
		return 0
	}
	hdr, _, err := s.Chain.HeaderByHash(h.Block)
	if err != nil {
		return 0
	}
	return int64(hdr.Timestamp)
}

func (s *AddressService) txsPage(p *addrPage) (*AddressTxsJSON, error) {
	if s.Index == nil {
		return nil, errAddrIndexOff
	}
	lines, tip, err := s.Index.Txs(p.pk, p.after, p.limit+1, p.desc)
	if err != nil {
		return nil, s.indexError(err)
	}
	out := &AddressTxsJSON{Address: p.addr, Height: tip.Height, Txs: []AddressTxJSON{}}
	for _, l := range lines[:min(len(lines), p.limit)] {
		out.Txs = append(out.Txs, AddressTxJSON{TxID: l.Txid.String(), Height: l.Height, BlockHash: l.Block.String(),
			Time: s.blockTime(l), Position: l.Position, Received: GG(l.Received), Sent: GG(l.Sent)})
	}
	if len(lines) > p.limit {
		out.Next = restCursor(cursorAddrTxs, lines[p.limit-1].Cursor)
	}
	return out, nil
}

func (s *AddressService) utxosPage(p *addrPage) (*AddressUTXOsJSON, error) {
	if s.Index == nil {
		return nil, errAddrIndexOff
	}
	us, tip, err := s.Index.UTXOs(p.pk, p.after, p.limit+1)
	if err != nil {
		return nil, s.indexError(err)
	}
	out := &AddressUTXOsJSON{Address: p.addr, Height: tip.Height, UTXOs: []AddressUTXOJSON{}}
	for _, u := range us[:min(len(us), p.limit)] {
		out.UTXOs = append(out.UTXOs, AddressUTXOJSON{TxID: u.OutPoint.Hash.String(), Vout: u.OutPoint.Index,
			Height: u.Height, Value: GG(u.Amount), Coinbase: u.Coinbase})
	}
	if len(us) > p.limit {
		out.Next = restCursor(cursorAddrUTXOs, us[p.limit-1].Cursor)
	}
	return out, nil
}

func (s *AddressService) balanceOf(p *addrPage) (*AddressBalanceJSON, error) {
	if s.Index == nil {
		return nil, errAddrIndexOff
	}
	sum, tip, err := s.Index.Summary(p.pk)
	if err != nil {
		return nil, s.indexError(err)
	}
	return &AddressBalanceJSON{Address: p.addr, Height: tip.Height, BlockHash: tip.Hash.String(),
		Balance: GG(sum.Balance()), Received: GG(sum.Received), Sent: GG(sum.Sent), Txs: sum.Txs, UTXOs: sum.UTXOs}, nil
}

func (s *AddressService) txs(_ context.Context, raw json.RawMessage) (any, error) {
	var addr, cursor, order string
	var limit int
	if err := ParseParams(raw, []string{"address", "limit", "cursor", "order"}, 1, &addr, &limit, &cursor, &order); err != nil {
		return nil, err
	}
	p, err := s.parseAddrPage(addr, limit, cursor, cursorAddrTxs, order)
	if err != nil {
		return nil, err
	}
	return s.txsPage(p)
}

func (s *AddressService) utxos(_ context.Context, raw json.RawMessage) (any, error) {
	var addr, cursor string
	var limit int
	if err := ParseParams(raw, []string{"address", "limit", "cursor"}, 1, &addr, &limit, &cursor); err != nil {
		return nil, err
	}
	p, err := s.parseAddrPage(addr, limit, cursor, cursorAddrUTXOs, "")
	if err != nil {
		return nil, err
	}
	return s.utxosPage(p)
}

func (s *AddressService) balance(_ context.Context, raw json.RawMessage) (any, error) {
	var addr string
	if err := ParseParams(raw, []string{"address"}, 1, &addr); err != nil {
		return nil, err
	}
	p, err := s.parseAddrPage(addr, 0, "", 0, "")
	if err != nil {
		return nil, err
	}
	return s.balanceOf(p)
}

// restAddressPrefix is the address routes' prefix.
const restAddressPrefix = "/rest/address/"

// Routes are the REST routes of the address index, for Server.Handle
// (RESTPerm, as the other REST routes): /rest/address/ADDR/txs.{json,csv},
// /rest/address/ADDR/utxos.json and /rest/address/ADDR/balance.json.
func (s *AddressService) Routes() []Route {
	return []Route{{Prefix: restAddressPrefix, Perm: RESTPerm, Handler: func(w http.ResponseWriter, r *http.Request, _ *Access) {
		s.serveREST(w, r)
	}}}
}

// restAddrError maps a method's error to a REST refusal: the index off
// is 404, bad params 400.
func restAddrError(err error) *restError {
	pe := publicError(err)
	switch pe.Code {
	case CodeInvalidAddress, CodeInvalidParam, CodeInvalidParams:
		return &restError{http.StatusBadRequest, pe.Message}
	case CodeMisc:
		return &restError{http.StatusNotFound, pe.Message}
	}
	return &restError{http.StatusInternalServerError, pe.Message}
}

func (s *AddressService) serveREST(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, restAddressPrefix), "/")
	if len(parts) != 2 || parts[0] == "" {
		writeRESTError(w, notFound("no such route: %s", truncate(r.URL.Path, 200)))
		return
	}
	route, format, _ := strings.Cut(parts[1], ".")
	var tag byte
	switch route {
	case "txs":
		tag = cursorAddrTxs
	case "utxos":
		tag = cursorAddrUTXOs
	case "balance":
	default:
		writeRESTError(w, notFound("no such route: %s", truncate(r.URL.Path, 200)))
		return
	}
	switch {
	case format == "":
		writeRESTError(w, badRequest("missing format suffix: end the path in .json%s", map[bool]string{true: " or .csv"}[route == "txs"]))
		return
	case format == "csv" && route == "txs", format == "json":
	case route == "txs":
		writeRESTError(w, badRequest("format .%s not available (available: .json, .csv)", truncate(format, 20)))
		return
	default:
		writeRESTError(w, badRequest("format .%s not available (available: .json)", truncate(format, 20)))
		return
	}
	q := r.URL.Query()
	limit := 0
	if tag != 0 && q.Has("limit") {
		l, err := strconv.Atoi(q.Get("limit"))
		if err != nil || l < 1 || l > RESTMaxPage || !decimal(q.Get("limit")) {
			writeRESTError(w, badRequest("limit %q: want 1 to %d", truncate(q.Get("limit"), 20), RESTMaxPage))
			return
		}
		limit = l
	}
	if q.Has("cursor") && q.Get("cursor") == "" {
		writeRESTError(w, badRequest("bad cursor \"\": pass the next value of the page before"))
		return
	}
	order := ""
	if route == "txs" {
		order = q.Get("order")
		if q.Has("order") && order == "" {
			order = "?"
		}
	}
	p, err := s.parseAddrPage(parts[0], limit, q.Get("cursor"), tag, order)
	if err != nil {
		writeRESTError(w, restAddrError(err))
		return
	}
	if replyBudgetSpent(r) {
		writeRESTBusy(w, "json")
		return
	}
	var v any
	switch route {
	case "txs":
		page, err := s.txsPage(p)
		if err != nil {
			writeRESTError(w, restAddrError(err))
			return
		}
		v = page
		if format == "csv" {
			s.writeCSV(w, r, page)
			return
		}
	case "utxos":
		v, err = s.utxosPage(p)
	default:
		v, err = s.balanceOf(p)
	}
	if err != nil {
		writeRESTError(w, restAddrError(err))
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		writeRESTError(w, &restError{http.StatusInternalServerError, "encode response"})
		return
	}
	writeRESTBody(w, r, append(b, '\n'), "application/json", "")
}

// writeRESTBody writes a 200 reply charged against the in-flight budget
// (as the other REST replies), with a Link to the next page when next
// is a cursor.
func writeRESTBody(w http.ResponseWriter, r *http.Request, body []byte, contentType, next string) {
	give, ok := chargeReply(r, int64(len(body)))
	if !ok {
		writeRESTBusy(w, "json")
		return
	}
	defer give()
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Type", contentType)
	if next != "" {
		u := *r.URL
		q := u.Query()
		q.Set("cursor", next)
		u.RawQuery = q.Encode()
		h.Set("Link", "<"+(&url.URL{Path: u.Path, RawQuery: u.RawQuery}).String()+`>; rel="next"`)
	}
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// writeCSV writes a history page as CSV: a header line, then one line
// per transaction (amounts in GG, delta = received - sent). The next
// page's cursor is in the Link header (rel="next").
func (s *AddressService) writeCSV(w http.ResponseWriter, r *http.Request, page *AddressTxsJSON) {
	var sb strings.Builder
	cw := csv.NewWriter(&sb)
	cw.Write([]string{"height", "time", "blockhash", "txid", "position", "received", "sent", "delta"})
	for _, t := range page.Txs {
		cw.Write([]string{strconv.Itoa(int(t.Height)), strconv.FormatInt(t.Time, 10), t.BlockHash, t.TxID,
			strconv.Itoa(int(t.Position)), amount.Amount(t.Received).Format(), amount.Amount(t.Sent).Format(),
			amount.Amount(t.Received - t.Sent).Format()})
	}
	cw.Flush()
	next := ""
	if page.Next != nil {
		next = *page.Next
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+page.Address+`-txs.csv"`)
	writeRESTBody(w, r, []byte(sb.String()), "text/csv; charset=utf-8", next)
}
