package rpc

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// Block filters (BIP158) over JSON-RPC and REST: getblockfilter and
// getindexinfo with bitcoind's shapes, and bitcoind's
// /rest/blockfilter/ and /rest/blockfilterheaders/ routes.

// FilterTypeBasic is the only filter type, by its bitcoind name.
const FilterTypeBasic = "basic"

// Errors a FilterBackend wraps.
var (
	// ErrFilterUnknownBlock: no such block.
	ErrFilterUnknownBlock = errors.New("block not found")
	// ErrFilterNotActive: the block is not on the active chain (filters
	// are kept for the active chain only).
	ErrFilterNotActive = errors.New("block not on the active chain: filters are kept for the active chain only")
	// ErrFilterIndexing: the index has not reached the block yet.
	ErrFilterIndexing = errors.New("filter not found: block filters are still being indexed (see getindexinfo)")
)

// FilterBackend serves block filters (lib/node over lib/index).
type FilterBackend interface {
	// BlockFilter returns the basic filter's serialization and the
	// filter header of active-chain block h.
	BlockFilter(h chainhash.Hash) (filter []byte, header chainhash.Hash, err error)
	// FilterHeaders returns the filter headers of up to count
	// active-chain blocks from h upward.
	FilterHeaders(h chainhash.Hash, count int) ([]chainhash.Hash, error)
	// Indexes reports the optional indexes.
	Indexes() ([]IndexInfo, error)
}

// IndexInfo is one index as getindexinfo shows it.
type IndexInfo struct {
	// Name is bitcoind's ("basic block filter index").
	Name string
	// Synced: caught up with the chain.
	Synced bool
	// Height is the index's best block height.
	Height int32
}

// FilterService implements getblockfilter and getindexinfo. A nil
// Backend means the block filter index is off.
type FilterService struct {
	Backend FilterBackend
	// Status reports the optional indexes for getindexinfo (Backend
	// when nil): the node may run other indexes with filters off.
	Status interface{ Indexes() ([]IndexInfo, error) }
}

// Methods returns the filter methods.
func (s *FilterService) Methods() []Method {
	return methodsOf([]methodDef{
		{[]string{"block.filter", "getblockfilter"}, "blockhash [filtertype=basic]",
			"the BIP158 filter of an active-chain block and its filter header: {filter, header} (needs gg-node --blockfilterindex)", s.getBlockFilter},
		{[]string{"sys.indexes", "getindexinfo"}, "[index_name]",
			"the optional indexes (block filters, txindex, addressindex): {name: {synced, best_block_height}}", s.getIndexInfo},
	}, nil)
}

var errFilterOff = Errorf(CodeMisc, "the block filter index is off (start gg-node with --blockfilterindex)")

// filterError maps a backend error to an RPC error.
func filterError(h chainhash.Hash, err error) error {
	switch {
	case errors.Is(err, ErrFilterUnknownBlock):
		return Errorf(CodeInvalidAddress, "block not found: %s", h)
	case errors.Is(err, ErrFilterNotActive):
		return Errorf(CodeInvalidAddress, "block %s is not on the active chain: filters are kept for the active chain only", h)
	case errors.Is(err, ErrFilterIndexing):
		return Errorf(CodeMisc, "filter not found: block filters are still being indexed (see getindexinfo)")
	}
	return err
}

func checkFilterType(t string) error {
	if t != FilterTypeBasic {
		return Errorf(CodeInvalidAddress, "unknown filtertype %q (known: basic)", truncate(t, 64))
	}
	return nil
}

func (s *FilterService) getBlockFilter(_ context.Context, p json.RawMessage) (any, error) {
	var hs string
	ftype := FilterTypeBasic
	if err := ParseParams(p, []string{"blockhash", "filtertype"}, 1, &hs, &ftype); err != nil {
		return nil, err
	}
	h, err := parseHash(hs, "blockhash")
	if err != nil {
		return nil, err
	}
	if err := checkFilterType(ftype); err != nil {
		return nil, err
	}
	if s.Backend == nil {
		return nil, errFilterOff
	}
	f, hdr, err := s.Backend.BlockFilter(h)
	if err != nil {
		return nil, filterError(h, err)
	}
	return struct {
		Filter string `json:"filter"`
		Header string `json:"header"`
	}{hex.EncodeToString(f), hdr.String()}, nil
}

// indexStatusJSON is one index in getindexinfo.
type indexStatusJSON struct {
	Synced bool  `json:"synced"`
	Height int32 `json:"best_block_height"`
}

func (s *FilterService) getIndexInfo(_ context.Context, p json.RawMessage) (any, error) {
	var name string
	if err := ParseParams(p, []string{"index_name"}, 0, &name); err != nil {
		return nil, err
	}
	out := map[string]indexStatusJSON{}
	var st interface{ Indexes() ([]IndexInfo, error) } = s.Status
	if st == nil && s.Backend != nil {
		st = s.Backend
	}
	if st == nil {
		return out, nil
	}
	list, err := st.Indexes()
	if err != nil {
		return nil, err
	}
	for _, ix := range list {
		if name == "" || name == ix.Name {
			out[ix.Name] = indexStatusJSON{Synced: ix.Synced, Height: ix.Height}
		}
	}
	return out, nil
}

// REST routes.
const (
	restFilterPrefix        = "/rest/blockfilter/"
	restFilterHeadersPrefix = "/rest/blockfilterheaders/"
)

// Routes are the REST routes of block filters, for Server.Handle (they
// need RESTPerm, as the other REST routes):
// /rest/blockfilter/basic/<hash>.<fmt> and
// /rest/blockfilterheaders/basic/<count>/<hash>.<fmt> (or
// basic/<hash>.<fmt>?count=N), fmt json, hex or bin.
func (s *FilterService) Routes() []Route {
	return []Route{
		{Prefix: restFilterPrefix, Perm: RESTPerm, Handler: func(w http.ResponseWriter, r *http.Request, _ *Access) {
			s.serveREST(w, r, false)
		}},
		{Prefix: restFilterHeadersPrefix, Perm: RESTPerm, Handler: func(w http.ResponseWriter, r *http.Request, _ *Access) {
			s.serveREST(w, r, true)
		}},
	}
}

// restFilterError maps a backend error to a REST refusal.
func restFilterError(h chainhash.Hash, err error) *restError {
	switch {
	case errors.Is(err, ErrFilterUnknownBlock), errors.Is(err, ErrFilterNotActive), errors.Is(err, ErrFilterIndexing):
		return &restError{http.StatusNotFound, publicError(filterError(h, err)).Message}
	}
	return &restError{http.StatusInternalServerError, publicError(err).Message}
}

func (s *FilterService) serveREST(w http.ResponseWriter, r *http.Request, headers bool) {
	prefix := restFilterPrefix
	if headers {
		prefix = restFilterHeadersPrefix
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, prefix), "/")
	last := parts[len(parts)-1]
	format := ""
	if i := strings.LastIndexByte(last, '.'); i >= 0 {
		last, format = last[:i], last[i+1:]
	}
	parts[len(parts)-1] = last
	var hashPart string
	count := RESTDefaultHeaders
	switch {
	case !headers && len(parts) == 2:
		hashPart = parts[1]
	case headers && len(parts) == 3:
		c, rerr := restCount(parts[1])
		if rerr != nil {
			writeRESTError(w, rerr)
			return
		}
		count, hashPart = c, parts[2]
	case headers && len(parts) == 2:
		hashPart = parts[1]
		if q := r.URL.Query(); q.Has("count") {
			c, rerr := restCount(q.Get("count"))
			if rerr != nil {
				writeRESTError(w, rerr)
				return
			}
			count = c
		}
	default:
		writeRESTError(w, notFound("no such route: %s", r.URL.Path))
		return
	}
	if parts[0] != FilterTypeBasic {
		writeRESTError(w, badRequest("unknown filter type %q (known: basic)", parts[0]))
		return
	}
	req := &restRequest{}
	if rerr := req.parseHash(hashPart, "block hash"); rerr != nil {
		writeRESTError(w, rerr)
		return
	}
	switch format {
	case "json", "hex", "bin":
	case "":
		writeRESTError(w, badRequest("missing format suffix: end the path in .json, .hex, .bin"))
		return
	default:
		writeRESTError(w, badRequest("format .%s not available (available: .json, .hex, .bin)", format))
		return
	}
	if s.Backend == nil {
		writeRESTError(w, notFound("the block filter index is off (start gg-node with --blockfilterindex)"))
		return
	}
	if replyBudgetSpent(r) {
		writeRESTBusy(w, format)
		return
	}
	var raw []byte
	var js any
	if !headers {
		f, _, err := s.Backend.BlockFilter(req.hash)
		if err != nil {
			writeRESTError(w, restFilterError(req.hash, err))
			return
		}
		// bitcoind's BlockFilter serialization: type, block hash, filter.
		raw = wire.AppendVarBytes(append([]byte{0}, req.hash[:]...), f)
		js = map[string]string{"filter": hex.EncodeToString(f)}
	} else {
		hs, err := s.Backend.FilterHeaders(req.hash, count)
		if err != nil {
			writeRESTError(w, restFilterError(req.hash, err))
			return
		}
		list := make([]string, len(hs))
		for i, h := range hs {
			raw = append(raw, h[:]...)
			list[i] = h.String()
		}
		js = list
	}
	var body []byte
	var ctype string
	switch format {
	case "json":
		b, err := json.Marshal(js)
		if err != nil {
			writeRESTError(w, &restError{http.StatusInternalServerError, "encode response"})
			return
		}
		body, ctype = append(b, '\n'), "application/json"
	case "hex":
		body, ctype = fmt.Appendf(nil, "%x\n", raw), "text/plain"
	default:
		body, ctype = raw, "application/octet-stream"
	}
	// Charged to the in-flight budget until written, as every REST reply.
	give, ok := chargeReply(r, int64(len(body)))
	if !ok {
		writeRESTBusy(w, format)
		return
	}
	defer give()
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Type", ctype)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
