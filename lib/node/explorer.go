package node

import (
	"bytes"
	"context"
	"net/http"

	"github.com/gamegold/gg/lib/explorer"
	"github.com/gamegold/gg/lib/rpc"
)

// ExplorerPrefix is the path of the web explorer on the RPC listener and
// on the public read-only listener.
const ExplorerPrefix = "/explorer/"

// serveExplorer adds the web explorer (lib/explorer) to the RPC server:
// read-only pages built from the REST routes rest, served without a
// login (they show what /rest/ shows) on the RPC listener and on the
// public listener.
func (n *Node) serveExplorer(rest ...rpc.Route) error {
	e, err := explorer.New(explorer.Config{Source: restSource(rest), Params: n.cfg.Params, Prefix: ExplorerPrefix,
		Logger: n.log.With("sub", "explorer")})
	if err != nil {
		return err
	}
	n.rpc.Handle(rpc.Route{Prefix: ExplorerPrefix, Public: true, Handler: func(w http.ResponseWriter, r *http.Request, _ *rpc.Access) {
		e.ServeHTTP(w, r)
	}})
	return nil
}

// explorerHoldFactor is what an in-process REST answer is charged per
// byte while a page is built: the body, plus its JSON decoded into maps
// (about three times the text).
const explorerHoldFactor = 4

// restSource answers the explorer's REST requests in-process by the
// routes' own handlers.
type restSource []rpc.Route

// REST implements explorer.Source.
func (s restSource) REST(ctx context.Context, target string) (int, []byte) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return http.StatusBadRequest, []byte(`{"error":"bad request target"}`)
	}
	best := bestRoute(s, req.URL.Path)
	if best == nil {
		return http.StatusNotFound, []byte(`{"error":"no such route"}`)
	}
	rec := &restRecorder{h: http.Header{}}
	best.Handler(rec, req, nil)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	// The route gave its reply's charge back once written into rec; the
	// page keeps the body and its decoded tree (a few times its size)
	// until the page is served, so they count against the in-flight
	// budget until then.
	if !rpc.HoldReply(ctx, explorerHoldFactor*int64(rec.body.Len())) {
		return http.StatusServiceUnavailable, []byte(`{"error":"server busy: too many reply bytes in flight, retry"}`)
	}
	return rec.status, rec.body.Bytes()
}

// restRecorder is the http.ResponseWriter of an in-process REST request.
type restRecorder struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (r *restRecorder) Header() http.Header { return r.h }

func (r *restRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *restRecorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}
