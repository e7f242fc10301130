package rpc

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
)

// PublicAccess is what the public listener grants every
// request: the REST routes and WebSocket event subscriptions, no method.
func PublicAccess() *Access { return NewAccess("public", []string{RESTPerm, EventsPerm}) }

// ServePublic serves the routes on ln without a login, as access (use
// PublicAccess): the public listener, off unless the operator asks for
// it. A route access does not allow answers 403; JSON-RPC and every
// other path answer 404, naming what the listener serves: served, the
// caller's list (such as "the explorer under /explorer/"), or without
// one the REST routes and events. The limits' timeouts and connection caps
// apply as on Serve, and a rate limit per source (Limits.PublicRate).
// The Host is not checked (the listener is meant for any name the
// operator gives it, and holds nothing a login would protect);
// cross-origin writes are refused as on Serve. It returns http.ErrServerClosed after Shutdown.
func (s *Server) ServePublic(ln net.Listener, access *Access, served ...string) error {
	if len(served) == 0 {
		served = []string{"REST under /rest/", "events on /ws"}
	}
	l := s.limits
	hs := &http.Server{Handler: publicHandler{s: s, access: access, served: joinServed(served)}, ReadHeaderTimeout: positive(l.ReadHeaderTimeout),
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
	served string // what the listener serves, for the 404
}

// joinServed lists items as a sentence: "a, b and c".
func joinServed(items []string) string {
	if len(items) == 1 {
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
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
		writeJSON(w, http.StatusNotFound, routeError{Error: fmt.Sprintf("%s: not served on the public listener (%s only)", r.URL.Path, h.served)})
		return
	}
	if h.s.routeMethod(w, r, rc, rt) {
		h.s.serveRouteAs(w, r, rc, rt, h.access) // the listener itself is the login
	}
}
