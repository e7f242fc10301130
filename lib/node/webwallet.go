package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/webwallet"
)

// The H5 wallet's paths (docs/rest.md "H5 wallet").
const (
	// WalletPrefix is the wallet page's path on both listeners.
	WalletPrefix = "/wallet/"
	// WalletRESTPrefix serves the REST routes' reads to the page:
	// /wallet/rest/X answers as /rest/X.
	WalletRESTPrefix = "/wallet/rest"
	// BroadcastPath takes a signed transaction in hex by POST.
	BroadcastPath = "/rest/tx"
	// MaxBroadcastBody bounds a POST /rest/tx body: the hex of the
	// largest standard transaction (at most mempool.MaxStandardTxWeight
	// bytes, as no byte weighs less than 1) and a line end. A larger,
	// non-standard one goes by sendrawtransaction.
	MaxBroadcastBody = 2*mempool.MaxStandardTxWeight + 2
	// broadcastHoldFactor is what a POST /rest/tx is charged against the
	// in-flight budget per byte of MaxBroadcastBody: the body, its text,
	// the decoded transaction and the JSON-RPC request built from it.
	broadcastHoldFactor = 4
)

// serveWallet adds the H5 wallet page (lib/webwallet), the page's view
// of the REST reads and the broadcast route. The page is login-free.
// The REST view and the broadcast are login-free on the RPC listener
// only when loginFree (a loopback RPC listener, whose clients are this
// machine's); otherwise they need a login allowed rpc.RESTPerm, or
// sendrawtransaction, as /rest/ and the method do. On the public
// listener the REST view is served as its other REST reads, and the
// broadcast only with gg-node --public-broadcast.
func (n *Node) serveWallet(loginFree bool, rest ...rpc.Route) error {
	w, err := webwallet.New(webwallet.Config{Network: n.cfg.Params.Name, Prefix: WalletPrefix, REST: WalletRESTPrefix,
		Broadcast: BroadcastPath, Events: ExplorerPrefix + "ws", Explorer: ExplorerPrefix})
	if err != nil {
		return err
	}
	n.rpc.Handle(rpc.Route{Prefix: WalletPrefix, Public: true, Handler: func(rw http.ResponseWriter, r *http.Request, _ *rpc.Access) {
		w.ServeHTTP(rw, r)
	}})
	restView := rpc.Route{Prefix: WalletRESTPrefix + "/", Public: true, Handler: func(rw http.ResponseWriter, r *http.Request, _ *rpc.Access) {
		serveRESTAs(rw, r, rest, "/rest"+strings.TrimPrefix(r.URL.Path, WalletRESTPrefix))
	}}
	broadcast := rpc.Route{Prefix: BroadcastPath, Methods: []string{http.MethodPost}, Public: true, Handler: n.serveBroadcast}
	if !loginFree {
		restView.Public, restView.Perm = false, rpc.RESTPerm
		broadcast.Public = false // serveBroadcast checks the method
	}
	n.rpc.Handle(restView)
	n.rpc.Handle(broadcast)
	return nil
}

// serveRESTAs serves r by the REST route of path (a /rest/ path), as
// that route would on the RPC listener after the login.
func serveRESTAs(w http.ResponseWriter, r *http.Request, routes []rpc.Route, path string) {
	best := bestRoute(routes, path)
	if best == nil || !strings.HasPrefix(path, "/rest/") {
		writeRouteError(w, http.StatusNotFound, "no such route")
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = path, ""
	best.Handler(w, r2, nil)
}

// bestRoute returns the route of routes serving path as rpc.Server
// would: the longest prefix that is path, or ends in "/" and starts it.
func bestRoute(routes []rpc.Route, path string) *rpc.Route {
	var best *rpc.Route
	for i, rt := range routes {
		if (path == rt.Prefix || strings.HasSuffix(rt.Prefix, "/") && strings.HasPrefix(path, rt.Prefix)) &&
			(best == nil || len(rt.Prefix) > len(best.Prefix)) {
			best = &routes[i]
		}
	}
	return best
}

func writeRouteError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// broadcastAccess is what a login-free POST /rest/tx may call.
var broadcastAccess = rpc.NewAccess("broadcast", []string{"sendrawtransaction"})

// serveBroadcast takes a signed transaction (hex, the body) to the
// mempool and relay, as sendrawtransaction (with its default fee-rate
// ceiling). A login (access, on the RPC listener) must be allowed
// sendrawtransaction; login-free (no access) it needs none, as a
// transaction carries its own authority and peers relay anyone's. On
// the public listener (publicAccess) it is refused unless gg-node
// --public-broadcast.
func (n *Node) serveBroadcast(w http.ResponseWriter, r *http.Request, access *rpc.Access) {
	switch {
	case access == publicAccess:
		if !n.cfg.PublicBroadcast {
			writeRouteError(w, http.StatusForbidden, "broadcast is off on the public listener (gg-node --public-broadcast turns it on)")
			return
		}
		access = broadcastAccess
	case access == nil:
		access = broadcastAccess
	case !access.Allows("sendrawtransaction"):
		writeRouteError(w, http.StatusForbidden, fmt.Sprintf("%s: sendrawtransaction not allowed for %s", BroadcastPath, access))
		return
	}
	// The body, its text and what is built from it are held until the
	// reply: charged against the server's in-flight budget.
	if !rpc.HoldReply(r.Context(), broadcastHoldFactor*MaxBroadcastBody) {
		w.Header().Set("Retry-After", "1")
		writeRouteError(w, http.StatusServiceUnavailable, "server busy: too many reply bytes in flight, retry")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBroadcastBody))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeRouteError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body above %d bytes", MaxBroadcastBody))
		return
	case err != nil:
		writeRouteError(w, http.StatusBadRequest, "read body: "+err.Error())
		return
	}
	hexTx := strings.TrimSpace(string(body))
	if hexTx == "" || strings.Trim(hexTx, "0123456789abcdefABCDEF") != "" {
		writeRouteError(w, http.StatusBadRequest, "the body must be a transaction in hex")
		return
	}
	req, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "sendrawtransaction", "params": []string{hexTx}})
	var resp struct {
		Result string `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(n.rpc.Call(r.Context(), req, access), &resp); err != nil {
		writeRouteError(w, http.StatusInternalServerError, "decode the node's answer")
		return
	}
	if resp.Error != nil {
		status := http.StatusBadRequest
		if resp.Error.Code == rpc.CodeInternal {
			status = http.StatusInternalServerError
		}
		writeRouteError(w, status, resp.Error.Message)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]string{"txid": resp.Result})
}
