package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/webwallet"
)

// The H5 wallet's paths (docs/rest.md "H5 wallet").
const (
	// WalletPrefix is the wallet page's path on both listeners.
	WalletPrefix = "/wallet/"
	// WalletRESTPrefix serves the REST routes' reads to the page
	// without a login: /wallet/rest/X answers as /rest/X.
	WalletRESTPrefix = "/wallet/rest"
	// BroadcastPath takes a signed transaction in hex by POST.
	BroadcastPath = "/rest/tx"
	// MaxBroadcastBody bounds a POST /rest/tx body: the hex of the
	// largest transaction a block can hold, and white space.
	MaxBroadcastBody = 2<<20 + 2
)

// serveWallet adds the H5 wallet page (lib/webwallet), the page's
// login-free view of the REST reads and the broadcast route.
func (n *Node) serveWallet(rest ...rpc.Route) error {
	w, err := webwallet.New(webwallet.Config{Network: n.cfg.Params.Name, Prefix: WalletPrefix, REST: WalletRESTPrefix,
		Broadcast: BroadcastPath, Events: ExplorerPrefix + "ws", Explorer: ExplorerPrefix})
	if err != nil {
		return err
	}
	n.rpc.Handle(rpc.Route{Prefix: WalletPrefix, Public: true, Handler: func(rw http.ResponseWriter, r *http.Request, _ *rpc.Access) {
		w.ServeHTTP(rw, r)
	}})
	n.rpc.Handle(rpc.Route{Prefix: WalletRESTPrefix + "/", Public: true, Handler: func(rw http.ResponseWriter, r *http.Request, _ *rpc.Access) {
		serveRESTAs(rw, r, rest, "/rest"+strings.TrimPrefix(r.URL.Path, WalletRESTPrefix))
	}})
	n.rpc.Handle(rpc.Route{Prefix: BroadcastPath, Methods: []string{http.MethodPost}, Public: true, Handler: n.serveBroadcast})
	return nil
}

// serveRESTAs serves r by the REST route of path (a /rest/ path), as
// that route would on the RPC listener after the login.
func serveRESTAs(w http.ResponseWriter, r *http.Request, routes []rpc.Route, path string) {
	var best *rpc.Route
	for i, rt := range routes {
		if strings.HasPrefix(path, rt.Prefix) && (best == nil || len(rt.Prefix) > len(best.Prefix)) {
			best = &routes[i]
		}
	}
	if best == nil || !strings.HasPrefix(path, "/rest/") {
		writeRouteError(w, http.StatusNotFound, "no such route")
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = path, ""
	best.Handler(w, r2, nil)
}

func writeRouteError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// broadcastAccess is what a POST /rest/tx may call.
var broadcastAccess = rpc.NewAccess("broadcast", []string{"sendrawtransaction"})

// serveBroadcast takes a signed transaction (hex, the body) to the
// mempool and relay, as sendrawtransaction (with its default fee-rate
// ceiling). No login: a transaction carries its own authority, and
// peers relay anyone's. On the public listener (access set) it is
// refused unless gg-node --public-broadcast.
func (n *Node) serveBroadcast(w http.ResponseWriter, r *http.Request, access *rpc.Access) {
	if access != nil && !n.cfg.PublicBroadcast {
		writeRouteError(w, http.StatusForbidden, "broadcast is off on the public listener (gg-node --public-broadcast turns it on)")
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
	if err := json.Unmarshal(n.rpc.Call(r.Context(), req, broadcastAccess), &resp); err != nil {
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
