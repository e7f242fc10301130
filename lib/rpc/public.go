package rpc

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
)

// PublicAccess is what the public read-only listener grants every
// request: the REST routes and WebSocket event subscriptions, no method.
func PublicAccess() *Access { return NewAccess("public", []string{RESTPerm, EventsPerm}) }

// ServePublic serves the routes on ln without a login, as access (use
// PublicAccess): the public read-only listener, off unless the operator
// asks for it. A route access does not allow answers 403; JSON-RPC and
// every other path answer 404. The limits' timeouts and connection caps
// apply as on Serve, and a rate limit per source (Limits.PublicRate).
// The Host is not checked (the listener is meant for any name the
// operator gives it, and holds nothing a login would protect);
// cross-origin writes are refused as on Serve. It returns http.ErrServerClosed after Shutdown.
func (s *Server) ServePublic(ln net.Listener, access *Access) error {
	l := s.limits
	hs := &http.Server{Handler: publicHandler{s: s, access: access}, ReadHeaderTimeout: positive(l.ReadHeaderTimeout),
		ReadTimeout: positive(l.ReadTimeout), IdleTimeout: positive(l.IdleTimeout), MaxHeaderBytes: maxHeaderBytes,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	s.httpMu.Lock()
	if s.shut {
		s.httpMu.Unlock()
		ln.Close()
		return http.ErrServerClosed
	}
	s.public = append(s.public, hs)
	s.httpMu.Unlock()
	return hs.Serve(&limitListener{Listener: ln, l: &s.conns})
}

type publicHandler struct {
	s      *Server
	access *Access
}

func (h publicHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	h.s.setWriteDeadline(rc)
	if ok, wait := h.s.pubRate.allow(sourceOf(r.RemoteAddr)); !ok {
		rateRefuse(w, rc, wait)
		return
	}
	if !h.s.browserGuard(w, r, rc) {
		return
	}
	rt, ok := h.s.route(r.URL.Path)
	if !ok {
		writeJSON(w, http.StatusNotFound, routeError{Error: fmt.Sprintf("%s: not served on the public listener (REST under /rest/, events on /ws and the explorer under /explorer/ only)", r.URL.Path)})
		return
	}
	if h.s.routeMethod(w, r, rc, rt) {
		h.s.serveRouteAs(w, r, rc, rt, h.access) // the listener itself is the login
	}
}
