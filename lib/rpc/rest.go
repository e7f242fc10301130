package rpc

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/wire"
)

// The read-only REST routes under /rest/ (docs/rest.md): bitcoind's
// chain routes with its paths and .json/.hex/.bin forms, and the game
// registries under /rest/game/. Each answer is built by the same code as
// the JSON-RPC method it mirrors, so the two agree.

// REST limits.
const (
	// RESTMaxHeaders bounds /rest/headers' count (bitcoind's).
	RESTMaxHeaders = 2000
	// RESTDefaultHeaders is /rest/headers' count when none is given.
	RESTDefaultHeaders = 5
	// RESTMaxOutpoints bounds the outpoints of one /rest/getutxos
	// (bitcoind's).
	RESTMaxOutpoints = 15
	// RESTMaxPage bounds a page's limit.
	RESTMaxPage = 1000
	// RESTDefaultPage is a page's limit when none is given.
	RESTDefaultPage = 100
	// RESTDeepConfirmations is how many confirmations make a main-chain
	// answer cacheable for RESTDeepMaxAge seconds (a reorg that deep
	// being unlikely, not impossible).
	RESTDeepConfirmations = 6
	RESTDeepMaxAge        = 3600
	// restMempoolHeight is the height getutxos gives an output of a
	// mempool transaction (bitcoind's MEMPOOL_HEIGHT).
	restMempoolHeight = 0x7fffffff
)

// RESTPages are the cursor-paged registry queries of the REST game
// routes: each lists up to limit items in key order after the key of the
// previous page's last item (nil or "": from the first).
type RESTPages interface {
	ProducersAfter(after string, limit int) ([]game.Producer, error)
	PropsByOwnerAfter(pkScript []byte, after *game.ID, limit int) ([]game.Prop, error)
	PropsByProducerAfter(producer game.ID, after *game.ID, limit int) ([]game.Prop, error)
	// ContractsByPartyAfter lists the contracts key is a party to, the
	// book's offers (as contract.list shows them) and the chain's (as
	// contract.get shows them), by id.
	ContractsByPartyAfter(key []byte, after *game.ID, limit int) ([]ContractJSON, error)
}

// REST serves the read-only REST routes over the services whose methods
// they mirror. Game, Contract and Pages are optional: without them the
// routes needing them answer 404.
type REST struct {
	Node     *NodeService
	Game     *GameService
	Contract *ContractService
	Pages    RESTPages
}

// Route is the /rest/ route serving r, for Server.Handle; it needs the
// RESTPerm permission.
func (r *REST) Route() Route {
	return Route{Prefix: "/rest/", Perm: RESTPerm, Handler: func(w http.ResponseWriter, req *http.Request, _ *Access) {
		r.ServeHTTP(w, req)
	}}
}

// restKind names a route.
type restKind int

const (
	restChainInfo restKind = iota + 1
	restBlock
	restBlockNoTx
	restBlockHeight
	restBlockHeightNoTx
	restHeaders
	restBlockHash
	restTx
	restMempoolInfo
	restMempoolContents
	restUTXOs
	restProducer
	restProducerName
	restProducers
	restProp
	restPropsOwner
	restPropsProducer
	restAuctions
	restContract
	restContractsParty
	restPropHistory
	restContractBook
	restMempoolEntry
	restNumKinds // one past the last
)

// restJSONOnly are the routes without .hex and .bin forms.
var restJSONOnly = map[restKind]bool{restChainInfo: true, restMempoolInfo: true, restMempoolContents: true, restMempoolEntry: true,
	restProducer: true, restProducerName: true, restProducers: true, restProp: true, restPropsOwner: true,
	restPropsProducer: true, restAuctions: true, restContract: true, restContractsParty: true, restPropHistory: true,
	restContractBook: true}

// restPaged maps the paged routes to their cursor tags: a cursor names
// the route it came from, so one route's cursor is refused by another.
var restPaged = map[restKind]byte{restProducers: 'n', restPropsOwner: 'o', restPropsProducer: 'p', restContractsParty: 'c', restPropHistory: 'h'}

// restRequest is a parsed REST request.
type restRequest struct {
	kind    restKind
	format  string // "json", "hex" or "bin"
	hash    chainhash.Hash
	height  int32
	count   int
	outs    []wire.OutPoint
	mempool bool // getutxos/checkmempool
	verbose bool // mempool/contents
	id      game.ID
	skip    int    // contracts/book's offset
	ref     string // a producer name or reference, an owner address; contracts/book's state
	key     []byte // a party's public key
	limit   int
	after   []byte // the cursor's key; nil from the first
}

// restError is a refusal: its HTTP status and message.
type restError struct {
	status int
	msg    string
}

func (e *restError) Error() string { return e.msg }

func badRequest(format string, args ...any) *restError {
	return &restError{http.StatusBadRequest, truncateMessage(fmt.Sprintf(format, args...))}
}

func notFound(format string, args ...any) *restError {
	return &restError{http.StatusNotFound, truncateMessage(fmt.Sprintf(format, args...))}
}

// parseREST reads a REST path (below /rest/, decoded) and its query. An
// unknown route is 404; a known one with bad parts is 400.
func parseREST(path string, q url.Values) (*restRequest, *restError) {
	parts := strings.Split(path, "/")
	last := parts[len(parts)-1]
	format := ""
	if i := strings.LastIndexByte(last, '.'); i >= 0 {
		last, format = last[:i], last[i+1:]
	}
	parts[len(parts)-1] = last
	req := &restRequest{}
	if err := req.route(parts, q); err != nil {
		return nil, err
	}
	switch {
	case format == "":
		return nil, badRequest("missing format suffix: end the path in .json%s", restFormats(req.kind))
	case format != "json" && format != "hex" && format != "bin":
		return nil, badRequest("format .%s not available (available: .json%s)", format, restFormats(req.kind))
	case format != "json" && restJSONOnly[req.kind]:
		return nil, badRequest("format .%s not available (available: .json)", format)
	}
	req.format = format
	return req, nil
}

func restFormats(k restKind) string {
	if restJSONOnly[k] {
		return ""
	}
	return ", .hex, .bin"
}

// route matches parts (the last one without its format suffix) to a
// route and parses its parameters.
func (req *restRequest) route(p []string, q url.Values) *restError {
	n := len(p)
	switch {
	case n == 1 && p[0] == "chaininfo":
		req.kind = restChainInfo
	case n == 2 && p[0] == "block":
		req.kind = restBlock
		return req.parseHash(p[1], "block hash")
	case n == 3 && p[0] == "block" && p[1] == "notxdetails":
		req.kind = restBlockNoTx
		return req.parseHash(p[2], "block hash")
	case n == 2 && p[0] == "blockbyheight":
		req.kind = restBlockHeight
		return req.parseHeight(p[1])
	case n == 3 && p[0] == "blockbyheight" && p[1] == "notxdetails":
		req.kind = restBlockHeightNoTx
		return req.parseHeight(p[2])
	case n == 2 && p[0] == "headers":
		req.kind = restHeaders
		count := RESTDefaultHeaders
		if q.Has("count") {
			c, err := restCount(q.Get("count"))
			if err != nil {
				return err
			}
			count = c
		}
		req.count = count
		return req.parseHash(p[1], "block hash")
	case n == 3 && p[0] == "headers":
		req.kind = restHeaders
		c, err := restCount(p[1])
		if err != nil {
			return err
		}
		req.count = c
		return req.parseHash(p[2], "block hash")
	case n == 2 && p[0] == "blockhashbyheight":
		req.kind = restBlockHash
		return req.parseHeight(p[1])
	case n == 2 && p[0] == "tx":
		req.kind = restTx
		return req.parseHash(p[1], "txid")
	case n == 2 && p[0] == "mempool" && p[1] == "info":
		req.kind = restMempoolInfo
	case n == 2 && p[0] == "mempool" && p[1] == "contents":
		req.kind = restMempoolContents
		req.verbose = true
		if q.Has("verbose") {
			switch q.Get("verbose") {
			case "true":
			case "false":
				req.verbose = false
			default:
				return badRequest("verbose must be true or false")
			}
		}
	case n == 3 && p[0] == "mempool" && p[1] == "entry":
		req.kind = restMempoolEntry
		return req.parseHash(p[2], "txid")
	case n >= 1 && p[0] == "getutxos":
		req.kind = restUTXOs
		return req.parseOutpoints(p[1:])
	case n >= 2 && p[0] == "game":
		return req.gameRoute(p[1:], q)
	default:
		return notFound("no such route: /rest/%s", strings.Join(p, "/"))
	}
	return nil
}

// gameRoute matches the parts after /rest/game/.
func (req *restRequest) gameRoute(p []string, q url.Values) *restError {
	n := len(p)
	switch {
	case n == 2 && p[0] == "producer":
		req.kind = restProducer
		return req.parseID(p[1], "producer id")
	case n == 3 && p[0] == "producer" && p[1] == "name":
		req.kind = restProducerName
		if err := game.CheckName(p[2]); err != nil {
			return badRequest("%s", ruleMsg(err))
		}
		req.ref = p[2]
	case n == 1 && p[0] == "producers":
		req.kind = restProducers
	case n == 2 && p[0] == "prop":
		req.kind = restProp
		return req.parseID(p[1], "prop id")
	case n == 3 && p[0] == "prop" && p[2] == "history":
		req.kind = restPropHistory
		if err := req.parseID(p[1], "prop id"); err != nil {
			return err
		}
	case n == 3 && p[0] == "props" && p[1] == "owner":
		req.kind = restPropsOwner
		if p[2] == "" {
			return badRequest("missing owner address")
		}
		req.ref = p[2]
	case n == 3 && p[0] == "props" && p[1] == "producer":
		req.kind = restPropsProducer
		if _, err := game.ParseID(p[2]); err != nil && game.CheckName(p[2]) != nil {
			return badRequest("producer %q: want an id (64 hex digits) or a name", p[2])
		}
		req.ref = p[2]
	case n == 1 && p[0] == "auctions":
		req.kind = restAuctions
	case n == 2 && p[0] == "contract":
		req.kind = restContract
		return req.parseID(p[1], "contract id")
	case n == 2 && p[0] == "contracts" && p[1] == "book":
		req.kind = restContractBook
		req.ref = q.Get("state")
		if req.ref != "" && req.ref != "published" && req.ref != "signed" {
			return badRequest("state %q: want published or signed (the book's states)", req.ref)
		}
		lq := url.Values{}
		if q.Has("limit") {
			lq.Set("limit", q.Get("limit"))
		}
		if err := req.parsePage(0, lq); err != nil { // the limit; no cursor: skip pages
			return err
		}
		if q.Has("skip") {
			s, err := strconv.Atoi(q.Get("skip"))
			if err != nil || s < 0 || !decimal(q.Get("skip")) {
				return badRequest("skip %q: want 0 or more", q.Get("skip"))
			}
			req.skip = s
		}
	case n == 3 && p[0] == "contracts" && p[1] == "party":
		req.kind = restContractsParty
		k, err := parseKey(p[2], "party key")
		if err != nil {
			return badRequest("%s", err.(*Error).Message)
		}
		req.key = k
	default:
		return notFound("no such route: /rest/game/%s", strings.Join(p, "/"))
	}
	if tag, ok := restPaged[req.kind]; ok {
		return req.parsePage(tag, q)
	}
	return nil
}

func (req *restRequest) parseHash(s, what string) *restError {
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		return badRequest("invalid %s %q: want 64 hex digits", what, s)
	}
	req.hash = h
	return nil
}

func (req *restRequest) parseHeight(s string) *restError {
	h, err := strconv.ParseInt(s, 10, 32)
	if err != nil || h < 0 || !decimal(s) {
		return badRequest("invalid height %q: want 0 to 2147483647", s)
	}
	req.height = int32(h)
	return nil
}

func (req *restRequest) parseID(s, what string) *restError {
	id, err := game.ParseID(s)
	if err != nil {
		return badRequest("invalid %s %q: want 64 hex digits", what, s)
	}
	req.id = id
	return nil
}

// decimal reports whether s is digits only (strconv also takes a sign).
func decimal(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// restCount parses a headers count: 1 to RESTMaxHeaders.
func restCount(s string) (int, *restError) {
	c, err := strconv.Atoi(s)
	if err != nil || c < 1 || c > RESTMaxHeaders || !decimal(s) {
		return 0, badRequest("header count %q: want 1 to %d", s, RESTMaxHeaders)
	}
	return c, nil
}

// parseOutpoints reads getutxos' [checkmempool/]TXID-N/... parts.
func (req *restRequest) parseOutpoints(p []string) *restError {
	if len(p) > 0 && p[0] == "checkmempool" {
		req.mempool = true
		p = p[1:]
	}
	if len(p) == 0 || len(p) == 1 && p[0] == "" {
		return badRequest("empty request: name outpoints as TXID-N")
	}
	if len(p) > RESTMaxOutpoints {
		return badRequest("max outpoints exceeded (max: %d, tried: %d)", RESTMaxOutpoints, len(p))
	}
	for _, s := range p {
		txs, ns, ok := strings.Cut(s, "-")
		h, err := chainhash.NewHashFromStr(txs)
		n, nerr := strconv.ParseUint(ns, 10, 32)
		if !ok || err != nil || nerr != nil {
			return badRequest("invalid outpoint %q: want TXID-N", s)
		}
		req.outs = append(req.outs, wire.OutPoint{Hash: h, Index: uint32(n)})
	}
	return nil
}

// parsePage reads limit and cursor.
func (req *restRequest) parsePage(tag byte, q url.Values) *restError {
	req.limit = RESTDefaultPage
	if q.Has("limit") {
		l, err := strconv.Atoi(q.Get("limit"))
		if err != nil || l < 1 || l > RESTMaxPage || !decimal(q.Get("limit")) {
			return badRequest("limit %q: want 1 to %d", q.Get("limit"), RESTMaxPage)
		}
		req.limit = l
	}
	if !q.Has("cursor") {
		return nil
	}
	c := q.Get("cursor")
	b, err := hex.DecodeString(c)
	if err != nil || len(b) < 2 || b[0] != tag {
		return badRequest("bad cursor %q: pass the next value of the page before", c)
	}
	key := b[1:]
	switch {
	case tag == 'n' && len(key) > game.MaxNameLen:
		return badRequest("bad cursor %q: pass the next value of the page before", c)
	case tag == 'h' && len(key) != historyCursorLen:
		return badRequest("bad cursor %q: pass the next value of the page before", c)
	case tag != 'n' && tag != 'h' && len(key) != 32:
		return badRequest("bad cursor %q: pass the next value of the page before", c)
	}
	req.after = key
	return nil
}

// restCursor encodes the cursor of the page after key.
func restCursor(tag byte, key []byte) *string {
	s := hex.EncodeToString(append([]byte{tag}, key...))
	return &s
}

// afterID is the cursor's key as a game id, nil from the first.
func (req *restRequest) afterID() *game.ID {
	if req.after == nil {
		return nil
	}
	id := game.ID(req.after)
	return &id
}

// restReply is an answer: its body and caching.
type restReply struct {
	json  any    // the JSON answer, or
	raw   []byte // the .bin or .hex bytes (hex already encoded)
	etag  string // quoted; "" for none
	cache string // Cache-Control; "" for no-cache
}

// ServeHTTP serves a GET or HEAD of a /rest/ path (the server admits it:
// method, login and RESTPerm).
func (r *REST) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	req, rerr := parseREST(strings.TrimPrefix(hr.URL.Path, "/rest/"), hr.URL.Query())
	if rerr != nil {
		writeRESTError(w, rerr)
		return
	}
	// A tag known before the answer is built saves building it again.
	if etag, cache := r.earlyETag(req); etag != "" && etagMatch(hr.Header.Get("If-None-Match"), etag) {
		writeNotModified(w, etag, cache)
		return
	}
	if replyBudgetSpent(hr) {
		writeRESTBusy(w, req.format)
		return
	}
	rep, err := r.serve(hr.Context(), req)
	if err != nil {
		writeRESTError(w, restErrorOf(err))
		return
	}
	if rep.etag != "" && etagMatch(hr.Header.Get("If-None-Match"), rep.etag) {
		writeNotModified(w, rep.etag, rep.cache)
		return
	}
	body, contentType := rep.raw, "application/octet-stream"
	switch req.format {
	case "json":
		b, err := json.Marshal(rep.json)
		if err != nil {
			writeRESTError(w, &restError{http.StatusInternalServerError, "encode response"})
			return
		}
		body, contentType = append(b, '\n'), "application/json"
	case "hex":
		contentType = "text/plain"
	}
	// The reply is held until written, at the client's pace: it counts
	// against the server's in-flight budget like a batch's replies.
	give, ok := chargeReply(hr, int64(len(body)))
	if !ok {
		writeRESTBusy(w, req.format)
		return
	}
	defer give()
	h := w.Header()
	if rep.etag != "" {
		h.Set("ETag", rep.etag)
	}
	h.Set("Cache-Control", orDefault(rep.cache, "no-cache"))
	h.Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// writeRESTBusy answers 503 to a reply that does not fit the in-flight
// budget: a JSON error for .json, plain text for .hex and .bin.
func writeRESTBusy(w http.ResponseWriter, format string) {
	w.Header().Set("Retry-After", "1")
	w.Header().Set("Cache-Control", "no-store")
	if format == "json" {
		writeJSON(w, http.StatusServiceUnavailable, routeError{Error: errReplyBusy})
		return
	}
	http.Error(w, errReplyBusy, http.StatusServiceUnavailable)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func writeRESTError(w http.ResponseWriter, e *restError) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, e.status, routeError{Error: e.msg})
}

func writeNotModified(w http.ResponseWriter, etag, cache string) {
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", orDefault(cache, "no-cache"))
	w.WriteHeader(http.StatusNotModified)
}

// etagMatch reports whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 asks for If-None-Match) or is "*".
func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// restErrorOf maps a service error to a refusal: bad params are 400, a
// missing object 404 (the routes check addresses and ids before they
// ask, so CodeInvalidAddress means "not found"), anything else 500.
func restErrorOf(err error) *restError {
	var re *restError
	if errors.As(err, &re) {
		return re
	}
	pe := publicError(err)
	switch pe.Code {
	case CodeInvalidParam, CodeInvalidParams, CodeDeserialize, CodeTypeError:
		return &restError{http.StatusBadRequest, pe.Message}
	case CodeInvalidAddress:
		return &restError{http.StatusNotFound, pe.Message}
	}
	if strings.HasSuffix(pe.Message, "methods are not available on this node") {
		return &restError{http.StatusNotFound, pe.Message}
	}
	return &restError{http.StatusInternalServerError, pe.Message}
}

// Cache-Control values.
const (
	cacheImmutable = "public, max-age=31536000, immutable"
)

var cacheDeep = "public, max-age=" + strconv.Itoa(RESTDeepMaxAge)

// earlyETag is the ETag of an answer that can be known before it is
// built: a known block's by hash (its bytes never change; its JSON
// changes with the tip: confirmations, nextblockhash).
func (r *REST) earlyETag(req *restRequest) (etag, cache string) {
	if req.kind == restBlock || req.kind == restBlockNoTx {
		if _, _, err := r.Node.Chain.HeaderByHash(req.hash); err != nil {
			return "", ""
		}
		if req.format != "json" {
			return `"` + req.hash.String() + `"`, cacheImmutable
		}
		return `"` + req.hash.String() + "-" + r.Node.Chain.Best().Hash.String() + `"`, ""
	}
	return "", ""
}

// params encodes positional JSON-RPC params.
func params(vs ...any) json.RawMessage {
	b, _ := json.Marshal(vs)
	return b
}

// serve builds the answer to req.
func (r *REST) serve(ctx context.Context, req *restRequest) (*restReply, error) {
	switch req.kind {
	case restChainInfo:
		v, err := r.Node.chainInfo(ctx, nil)
		return &restReply{json: v}, err
	case restBlock, restBlockNoTx:
		return r.block(req, req.hash)
	case restBlockHeight, restBlockHeightNoTx:
		h, err := r.hashAt(req.height)
		if err != nil {
			return nil, err
		}
		rep, err := r.block(req, h)
		if err != nil {
			return nil, err
		}
		rep.etag, rep.cache = "", "" // what a height names can change
		return rep, nil
	case restHeaders:
		return r.headers(req)
	case restBlockHash:
		return r.blockHash(req)
	case restTx:
		return r.tx(ctx, req)
	case restMempoolInfo:
		v, err := r.Node.mempoolInfo(ctx, nil)
		return &restReply{json: v}, err
	case restMempoolContents:
		v, err := r.Node.rawMempool(ctx, params(req.verbose))
		return &restReply{json: v}, err
	case restMempoolEntry:
		v, err := r.Node.mempoolEntry(ctx, params(req.hash.String()))
		return &restReply{json: v}, err
	case restUTXOs:
		return r.utxos(req)
	}
	return r.serveGame(ctx, req)
}

// hashAt is the main-chain block at height; beyond the tip is 404.
func (r *REST) hashAt(height int32) (chainhash.Hash, error) {
	if best := r.Node.Chain.Best().Height; height > best {
		return chainhash.Hash{}, notFound("block height %d out of range (tip %d)", height, best)
	}
	return r.Node.Chain.BlockHashByHeight(height)
}

// block answers a block as getblock does: verbosity 2 (txs in detail),
// 1 with notxdetails, 0 (raw) for .hex and .bin.
func (r *REST) block(req *restRequest, h chainhash.Hash) (*restReply, error) {
	etag, cache := r.earlyETag(&restRequest{kind: restBlock, hash: h, format: req.format})
	if req.format == "json" {
		verbosity := 2
		if req.kind == restBlockNoTx || req.kind == restBlockHeightNoTx {
			verbosity = 1
		}
		v, err := r.Node.blockResult(h, verbosity)
		return &restReply{json: v, etag: etag, cache: cache}, err
	}
	blk, err := r.Node.Chain.BlockByHash(h)
	if err != nil {
		return nil, notFound("block not found: %s", h)
	}
	return &restReply{raw: rawOrHex(req.format, blk.Bytes()), etag: etag, cache: cache}, nil
}

// rawOrHex is b for .bin, its hex and a newline for .hex.
func rawOrHex(format string, b []byte) []byte {
	if format == "hex" {
		return append([]byte(hex.EncodeToString(b)), '\n')
	}
	return b
}

// headers answers up to count main-chain headers from req.hash upward;
// a hash not on the main chain gives none (as bitcoind).
func (r *REST) headers(req *restRequest) (*restReply, error) {
	c := r.Node.Chain
	best := c.Best()
	var hashes []chainhash.Hash
	if _, height, err := c.HeaderByHash(req.hash); err == nil && c.MainChainHasBlock(req.hash) {
		for h := height; h <= best.Height && len(hashes) < req.count; h++ {
			bh, err := c.BlockHashByHeight(h)
			if err != nil {
				break // the chain shrank under us: answer what we have
			}
			hashes = append(hashes, bh)
		}
	}
	if req.format == "json" {
		out := []*HeaderJSON{}
		for _, h := range hashes {
			j, err := r.Node.headerJSON(h)
			if err != nil {
				return nil, err
			}
			out = append(out, j)
		}
		return &restReply{json: out}, nil
	}
	var b []byte
	for _, h := range hashes {
		hdr, _, err := c.HeaderByHash(h)
		if err != nil {
			return nil, notFound("block not found: %s", h)
		}
		b = hdr.AppendTo(b)
	}
	rep := &restReply{raw: rawOrHex(req.format, b)}
	if len(hashes) > 0 {
		last := hashes[len(hashes)-1]
		rep.etag = fmt.Sprintf(`"%s-%s-%d"`, req.hash, last, len(hashes))
		if _, height, err := c.HeaderByHash(last); err == nil && len(hashes) == req.count && best.Height-height+1 >= RESTDeepConfirmations {
			rep.cache = cacheDeep
		}
	}
	return rep, nil
}

// blockHash answers the main-chain block hash at a height.
func (r *REST) blockHash(req *restRequest) (*restReply, error) {
	h, err := r.hashAt(req.height)
	if err != nil {
		return nil, err
	}
	rep := &restReply{etag: `"` + h.String() + `"`}
	if r.Node.Chain.Best().Height-req.height+1 >= RESTDeepConfirmations {
		rep.cache = cacheDeep
	}
	switch req.format {
	case "json":
		rep.json = map[string]string{"blockhash": h.String()}
	case "hex":
		rep.raw = []byte(h.String() + "\n") // display order, as bitcoind
	default:
		rep.raw = append([]byte(nil), h[:]...)
	}
	return rep, nil
}

// tx answers a transaction as getrawtransaction does: from the mempool,
// else through the tx index if the node has one.
func (r *REST) tx(ctx context.Context, req *restRequest) (*restReply, error) {
	v, err := r.Node.getRawTransaction(ctx, params(req.hash.String(), req.format == "json"))
	if err != nil {
		return nil, err
	}
	if req.format == "json" {
		return &restReply{json: v}, nil
	}
	b, err := hex.DecodeString(v.(string))
	if err != nil {
		return nil, err
	}
	return &restReply{raw: rawOrHex(req.format, b)}, nil
}

// restUTXO is one unspent output of getutxos.
type restUTXO struct {
	Height       int32            `json:"height"`
	Value        GG               `json:"value"`
	ScriptPubKey ScriptPubKeyJSON `json:"scriptPubKey"`
	pkScript     []byte
}

// utxos answers getutxos (BIP64): which outpoints are unspent, in the
// chain or (checkmempool) the chain and the mempool.
func (r *REST) utxos(req *restRequest) (*restReply, error) {
	best := r.Node.Chain.Best()
	bitmap := make([]byte, (len(req.outs)+7)/8)
	var bits strings.Builder
	utxos := []restUTXO{}
	for i, op := range req.outs {
		u, err := r.utxo(op, req.mempool)
		if err != nil {
			return nil, err
		}
		if u == nil {
			bits.WriteByte('0')
			continue
		}
		bits.WriteByte('1')
		bitmap[i/8] |= 1 << (i % 8)
		utxos = append(utxos, *u)
	}
	if req.format == "json" {
		return &restReply{json: struct {
			ChainHeight  int32      `json:"chainHeight"`
			ChaintipHash string     `json:"chaintipHash"`
			Bitmap       string     `json:"bitmap"`
			UTXOs        []restUTXO `json:"utxos"`
		}{best.Height, best.Hash.String(), bits.String(), utxos}}, nil
	}
	b := binary.LittleEndian.AppendUint32(nil, uint32(best.Height))
	b = append(b, best.Hash[:]...)
	b = wire.AppendVarBytes(b, bitmap)
	b = wire.AppendCompactSize(b, uint64(len(utxos)))
	for _, u := range utxos {
		b = binary.LittleEndian.AppendUint32(b, 0) // the tx version, unused (BIP64)
		b = binary.LittleEndian.AppendUint32(b, uint32(u.Height))
		b = binary.LittleEndian.AppendUint64(b, uint64(int64(u.Value)))
		b = wire.AppendVarBytes(b, u.pkScript)
	}
	return &restReply{raw: rawOrHex(req.format, b)}, nil
}

// utxo is op's output if unspent, else nil.
func (r *REST) utxo(op wire.OutPoint, mempool bool) (*restUTXO, error) {
	mk := func(height int32, value int64, pk []byte) *restUTXO {
		return &restUTXO{Height: height, Value: GG(value), ScriptPubKey: DecodeScriptPubKey(pk, r.Node.Params), pkScript: pk}
	}
	if mempool {
		if _, spent := r.Node.Mempool.Spender(op); spent {
			return nil, nil
		}
		if d, ok := r.Node.Mempool.Fetch(op.Hash); ok {
			if int(op.Index) >= len(d.Tx.TxOut) {
				return nil, nil
			}
			out := d.Tx.TxOut[op.Index]
			return mk(restMempoolHeight, out.Value, out.PkScript), nil
		}
	}
	e, err := r.Node.Chain.FetchUtxoEntry(op)
	if err != nil {
		return nil, Errorf(CodeDatabase, "%v", err)
	}
	if e == nil {
		return nil, nil
	}
	return mk(e.Height, e.Amount, e.PkScript), nil
}

// serveGame answers the /rest/game/ routes.
func (r *REST) serveGame(ctx context.Context, req *restRequest) (*restReply, error) {
	if r.Game == nil || r.Game.Backend == nil || (req.kind == restContract || req.kind == restContractsParty || req.kind == restContractBook) && (r.Contract == nil || r.Contract.Backend == nil) {
		return nil, notFound("the game routes are not available on this node")
	}
	g := r.Game
	switch req.kind {
	case restProducer:
		v, err := g.cpByID(ctx, params(req.id.String()))
		return &restReply{json: v}, err
	case restProducerName:
		v, err := g.cpByName(ctx, params(req.ref))
		return &restReply{json: v}, err
	case restProp:
		v, err := g.propByID(ctx, params(req.id.String()))
		return &restReply{json: v}, err
	case restAuctions:
		v, err := g.propBidList(ctx, nil)
		return &restReply{json: v}, err
	case restContract:
		v, err := r.Contract.get(ctx, params(req.id.String()))
		return &restReply{json: v}, err
	case restContractBook:
		var state any
		if req.ref != "" {
			state = req.ref
		}
		v, err := r.Contract.list(ctx, params(state, nil, req.skip, req.limit))
		return &restReply{json: v}, err
	case restPropHistory:
		v, err := g.propHistoryPage(req.id, req.after, req.limit)
		return &restReply{json: v}, err
	}
	if r.Pages == nil {
		return nil, notFound("paged routes are not available on this node")
	}
	tag := restPaged[req.kind]
	switch req.kind {
	case restProducers:
		ps, err := r.Pages.ProducersAfter(string(req.after), req.limit+1)
		if err != nil {
			return nil, err
		}
		out := struct {
			Producers []*ProducerJSON `json:"producers"`
			Next      *string         `json:"next"`
		}{Producers: []*ProducerJSON{}}
		for i := range ps[:min(len(ps), req.limit)] {
			out.Producers = append(out.Producers, g.producerJSON(&ps[i]))
		}
		if len(ps) > req.limit {
			out.Next = restCursor(tag, []byte(game.FoldName(ps[req.limit-1].Name)))
		}
		return &restReply{json: out}, nil
	case restPropsOwner, restPropsProducer:
		var ps []game.Prop
		if req.kind == restPropsOwner {
			pk, err := g.script(req.ref, "owner")
			if err != nil {
				return nil, badRequest("%s", err.(*Error).Message)
			}
			if ps, err = r.Pages.PropsByOwnerAfter(pk, req.afterID(), req.limit+1); err != nil {
				return nil, err
			}
		} else {
			pid, err := g.producerRef(req.ref)
			if err != nil {
				return nil, err
			}
			if ps, err = r.Pages.PropsByProducerAfter(pid, req.afterID(), req.limit+1); err != nil {
				return nil, err
			}
		}
		out := struct {
			Props []*PropJSON `json:"props"`
			Next  *string     `json:"next"`
		}{Props: []*PropJSON{}}
		for i := range ps[:min(len(ps), req.limit)] {
			j := g.propJSON(&ps[i])
			if err := g.withAuction(j, ps[i].ID); err != nil {
				return nil, err
			}
			out.Props = append(out.Props, j)
		}
		if len(ps) > req.limit {
			out.Next = restCursor(tag, ps[req.limit-1].ID[:])
		}
		return &restReply{json: out}, nil
	case restContractsParty:
		cs, err := r.Pages.ContractsByPartyAfter(req.key, req.afterID(), req.limit+1)
		if err != nil {
			return nil, err
		}
		out := struct {
			Contracts []ContractJSON `json:"contracts"`
			Next      *string        `json:"next"`
		}{Contracts: append([]ContractJSON{}, cs[:min(len(cs), req.limit)]...)}
		if len(cs) > req.limit {
			id, err := game.ParseID(cs[req.limit-1].ID)
			if err != nil {
				return nil, err
			}
			out.Next = restCursor(tag, id[:])
		}
		return &restReply{json: out}, nil
	}
	return nil, notFound("no such route")
}
