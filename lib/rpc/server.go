package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Handler serves one method. params is the raw JSON params value (an
// array or an object). A returned *Error keeps its code; any other error
// becomes CodeMisc; either message is mapped by publicError.
type Handler func(ctx context.Context, params json.RawMessage) (any, error)

// Method describes a registered method.
type Method struct {
	Name    string
	Params  string // e.g. "height" or "[verbose]"
	Help    string
	Handler Handler
}

// Server dispatches JSON-RPC calls.
type Server struct {
	mu      sync.RWMutex
	methods map[string]*Method
	auth    Authenticator
	limits  Limits
	log     *slog.Logger
	logins  *authLimiter
	budget  byteBudget
	conns   connLimiter
	pubRate *rateLimiter // the public listener's, per source

	httpMu sync.Mutex
	http   *http.Server
	public []*http.Server // ServePublic's
	shut   bool           // Shutdown was called
	// onShut run first in Shutdown: they close what net/http no longer
	// tracks (hijacked WebSocket connections).
	onShut []func(ctx context.Context)

	routes []Route // sorted by decreasing prefix length

	observe func(method string, code int, d time.Duration)
}

// SetObserver has fn called after every JSON-RPC call (HTTP or
// WebSocket) with its method ("" when the request did not decode), the
// error code (0 for success) and how long it ran. fn must be quick and
// safe for concurrent use (metrics).
func (s *Server) SetObserver(fn func(method string, code int, d time.Duration)) {
	s.mu.Lock()
	s.observe = fn
	s.mu.Unlock()
}

// Call runs one encoded JSON-RPC request as access, as an HTTP POST of
// it would, and returns the encoded reply (for other transports: the
// WebSocket).
func (s *Server) Call(ctx context.Context, raw []byte, access *Access) []byte {
	resp := s.call(ctx, raw, access)
	b, err := json.Marshal(resp)
	if err != nil {
		b, _ = json.Marshal(response{ID: resp.ID, Error: Errorf(CodeInternal, "encode response")})
	}
	return b
}

// Route is an HTTP endpoint served beside JSON-RPC (REST, /ws, /metrics).
type Route struct {
	// Prefix selects the requests: a path equal to it, or under it when
	// it ends in "/".
	Prefix string
	// Methods are the HTTP methods served; others get 405. Empty: GET
	// and HEAD.
	Methods []string
	// Perm is the permission a login's Access must allow (RESTPerm,
	// EventsPerm, MetricsPerm); the route answers 403 otherwise. Empty:
	// any login (the WebSocket checks each call itself).
	Perm string
	// Public serves the route without a login (Access is nil then).
	Public bool
	// Handler serves an admitted request.
	Handler func(w http.ResponseWriter, r *http.Request, access *Access)
}

// Handle adds a route; a duplicate prefix panics (a programming error).
func (s *Server) Handle(rt Route) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.routes {
		if o.Prefix == rt.Prefix {
			panic("rpc: duplicate route " + rt.Prefix)
		}
	}
	if len(rt.Methods) == 0 {
		rt.Methods = []string{http.MethodGet, http.MethodHead}
	}
	s.routes = append(s.routes, rt)
	sort.SliceStable(s.routes, func(i, j int) bool { return len(s.routes[i].Prefix) > len(s.routes[j].Prefix) })
}

// route returns the route serving path, if any.
func (s *Server) route(path string) (Route, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, rt := range s.routes {
		if path == rt.Prefix || strings.HasSuffix(rt.Prefix, "/") && strings.HasPrefix(path, rt.Prefix) {
			return rt, true
		}
	}
	return Route{}, false
}

// serveRoute serves a request for a registered route: its method, the
// login (unless public), the permission, then the handler.
func (s *Server) serveRoute(w http.ResponseWriter, r *http.Request, rc *http.ResponseController, rt Route) {
	if !s.routeMethod(w, r, rc, rt) {
		return
	}
	if rt.Public {
		s.runRoute(w, r, rt, nil)
		return
	}
	access, ok := s.login(w, r, rc)
	if !ok {
		return
	}
	s.serveRouteAs(w, r, rc, rt, access)
}

// routeMethod answers 405 and returns false when rt does not serve r's
// HTTP method.
func (s *Server) routeMethod(w http.ResponseWriter, r *http.Request, rc *http.ResponseController, rt Route) bool {
	if slices.Contains(rt.Methods, r.Method) {
		return true
	}
	w.Header().Set("Allow", strings.Join(rt.Methods, ", "))
	hangUp(w, rc)
	writeJSON(w, http.StatusMethodNotAllowed, routeError{Error: fmt.Sprintf("%s is not served on %s", r.Method, rt.Prefix)})
	return false
}

// serveRouteAs serves rt for a login with access: the permission (403;
// a route without one admits any login), then the handler.
func (s *Server) serveRouteAs(w http.ResponseWriter, r *http.Request, rc *http.ResponseController, rt Route, access *Access) {
	if rt.Perm != "" && !access.Allows(rt.Perm) {
		hangUp(w, rc)
		writeJSON(w, http.StatusForbidden, routeError{Error: fmt.Sprintf("%s: not allowed for %s", rt.Prefix, access.Name)})
		return
	}
	s.runRoute(w, r, rt, access)
}

// runRoute runs rt's handler with the server's in-flight budget in the
// request's context, for chargeReply.
func (s *Server) runRoute(w http.ResponseWriter, r *http.Request, rt Route, access *Access) {
	rt.Handler(w, r.WithContext(context.WithValue(r.Context(), budgetKey{}, &s.budget)), access)
}

// routeError is the JSON body of an HTTP route's error reply.
type routeError struct {
	Error string `json:"error"`
}

// Authenticator checks HTTP basic credentials and returns what the login
// may do.
type Authenticator interface {
	Authenticate(user, pass string) (access *Access, ok bool)
}

// CookieAuthenticator is an Authenticator that holds the cookie, a
// 256-bit random secret no guessing finds: the server checks it before
// the login backoff, so a source backing off after failed logins (a
// script polling with the cookie of an earlier start, say) does not lock
// out the local clients that read the current cookie. Only passwords are
// subject to the backoff. The cookie grants every method.
type CookieAuthenticator interface {
	Authenticator
	CheckCookie(user, pass string) bool
}

// NewServer returns a server using auth (required: use a Cookie or Users).
// It panics on limits that Limits.Validate refuses: check them first.
func NewServer(auth Authenticator, limits Limits, log *slog.Logger) *Server {
	if err := limits.Validate(); err != nil {
		panic(err)
	}
	limits = limits.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{methods: map[string]*Method{}, auth: auth, limits: limits, log: log,
		logins: newAuthLimiter(limits, log), budget: byteBudget{max: limits.MaxInFlight},
		conns:   connLimiter{max: limits.MaxConns, perIP: limits.MaxConnsPerIP, bySource: map[string]int{}},
		pubRate: newRateLimiter(limits)}
	s.Register(s.helpMethods()...) // help over every method registered (help.go)
	return s
}

// Serve accepts connections on ln and serves them over HTTP with the
// limits' timeouts and connection caps, until Shutdown (then it returns
// http.ErrServerClosed).
func (s *Server) Serve(ln net.Listener) error {
	l := s.limits
	hs := &http.Server{Handler: hostGuard{s: s, strict: loopbackAddr(ln.Addr())}, ReadHeaderTimeout: positive(l.ReadHeaderTimeout), ReadTimeout: positive(l.ReadTimeout),
		IdleTimeout: positive(l.IdleTimeout), MaxHeaderBytes: maxHeaderBytes,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	// No http.Server.WriteTimeout: it would run from the end of the
	// headers and cut a long poll; ServeHTTP sets the write deadline of
	// each reply instead.
	s.httpMu.Lock()
	switch {
	case s.shut:
		s.httpMu.Unlock()
		ln.Close()
		return http.ErrServerClosed
	case s.http != nil:
		s.httpMu.Unlock()
		return errors.New("rpc: server already serving")
	}
	s.http = hs
	s.httpMu.Unlock()
	return hs.Serve(&limitListener{Listener: ln, l: &s.conns})
}

// maxHeaderBytes bounds a request's headers (net/http adds 4 KiB).
const maxHeaderBytes = 64 << 10

// Shutdown stops Serve, or a Serve not yet called: it closes the listener
// and idle connections and waits for active requests until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.httpMu.Lock()
	hs := s.http
	public := s.public
	s.shut = true
	fns := s.onShut
	s.onShut = nil
	s.httpMu.Unlock()
	for _, fn := range fns {
		fn(ctx)
	}
	var err error
	for _, p := range public {
		err = errors.Join(err, p.Shutdown(ctx))
	}
	if hs == nil {
		return err
	}
	return errors.Join(err, hs.Shutdown(ctx))
}

// Stats are the server's gauges.
type Stats struct {
	Conns         int   // open connections admitted by Serve
	InFlightBytes int64 // request-body and reply bytes held (see Limits.MaxInFlight)
	AuthSources   int   // sources with failed logins on record
}

// Stats returns the current gauges.
func (s *Server) Stats() Stats {
	return Stats{Conns: s.conns.open(), InFlightBytes: s.budget.used.Load(), AuthSources: s.logins.tracked()}
}

// Register adds methods; a duplicate name panics (a programming error).
func (s *Server) Register(ms ...Method) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range ms {
		m := ms[i]
		if _, dup := s.methods[m.Name]; dup {
			panic("rpc: duplicate method " + m.Name)
		}
		s.methods[m.Name] = &m
	}
}

// Methods returns the registered methods sorted by name.
func (s *Server) Methods() []Method {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Method, 0, len(s.methods))
	for _, m := range s.methods {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

type response struct {
	Result any             `json:"result"`
	Error  *Error          `json:"error"`
	ID     json.RawMessage `json:"id"`
}

// ServeHTTP implements http.Handler for POST requests. The order bounds
// what an unauthenticated client costs: the method, then the cookie (a
// constant-time compare), else the source's login backoff and the
// password (from the headers); only then is the body read, within the
// in-flight byte budget. Every refusal before the body closes the
// connection without reading the body.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	s.setWriteDeadline(rc)
	if !s.browserGuard(w, r, rc) {
		return
	}
	if rt, ok := s.route(r.URL.Path); ok {
		s.serveRoute(w, r, rc, rt)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		hangUp(w, rc)
		http.Error(w, "JSON-RPC server handles only POST requests", http.StatusMethodNotAllowed)
		return
	}
	access, ok := s.login(w, r, rc)
	if !ok {
		return
	}
	body, held, err := s.readBody(w, r)
	defer s.budget.give(held)
	if err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			hangUp(w, rc)
			writeJSON(w, http.StatusRequestEntityTooLarge, response{Error: Errorf(CodeInvalidRequest,
				"request body exceeds %d bytes", s.limits.MaxBodyBytes), ID: nullID})
		case errors.Is(err, errBusy):
			w.Header().Set("Retry-After", "1")
			hangUp(w, rc)
			http.Error(w, "server busy: too many request bytes in flight, retry", http.StatusServiceUnavailable)
		}
		return // else the connection failed (a read timeout): nobody to answer
	}
	// The body was read to its end: net/http has lifted the read deadline
	// (ReadTimeout no longer applies) and cancels ctx if the client goes.
	var (
		ctx    context.Context
		cancel context.CancelFunc
	)
	if s.limits.Timeout > 0 {
		ctx, cancel = context.WithTimeout(r.Context(), s.limits.Timeout)
	} else {
		ctx, cancel = context.WithCancel(r.Context())
	}
	status, reply, replyHeld := s.dispatch(ctx, body, access)
	defer s.budget.give(replyHeld)
	cancel()
	s.setWriteDeadline(rc) // the reply's own time, however long the call took
	if parts, ok := reply.([]json.RawMessage); ok {
		writeBatch(w, parts)
		return
	}
	writeJSON(w, status, reply)
}

// login checks r's credentials: the cookie first, else a password or an
// API token (Authorization: Bearer, or ?access_token= on a GET or HEAD
// request: a browser's WebSocket cannot set headers) within the
// source's login backoff. A refusal is answered (429 or 401) and
// returns false, with the connection hung up.
func (s *Server) login(w http.ResponseWriter, r *http.Request, rc *http.ResponseController) (access *Access, ok bool) {
	user, pass, _ := r.BasicAuth()
	if ca, isCA := s.auth.(CookieAuthenticator); isCA && ca.CheckCookie(user, pass) {
		return FullAccess("cookie"), true
	}
	token, isToken := bearerToken(r)
	ticket, wait, ok := s.logins.begin(sourceOf(r.RemoteAddr))
	if !ok {
		secs := int((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		hangUp(w, rc)
		http.Error(w, fmt.Sprintf("too many failed logins from this address: retry in %d s", secs), http.StatusTooManyRequests)
		return nil, false
	}
	if ta, isTA := s.auth.(TokenAuthenticator); isToken && isTA {
		access, ok = ta.AuthenticateToken(token)
	} else if !isToken {
		access, ok = s.auth.Authenticate(user, pass)
	}
	s.logins.end(ticket, ok)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="gg-node"`)
		if isToken {
			w.Header().Set("WWW-Authenticate", `Bearer realm="gg-node", error="invalid_token"`)
		}
		hangUp(w, rc)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return nil, false
	}
	return access, true
}

// bearerToken returns the API token r presents: "Authorization: Bearer
// TOKEN", else, on a GET or HEAD request without an Authorization
// header, the access_token query parameter.
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(tok), true
	}
	if h == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.Query().Has("access_token") {
		return r.URL.Query().Get("access_token"), true
	}
	return "", false
}

func (s *Server) setWriteDeadline(rc *http.ResponseController) {
	if d := s.limits.WriteTimeout; d > 0 {
		rc.SetWriteDeadline(time.Now().Add(d)) // ErrNotSupported outside net/http's server: no deadline
	}
}

// hangUp makes the reply the connection's last and stops reading the
// request: net/http would otherwise read what is left of the body to
// reuse the connection, at whatever pace the client sends it.
func hangUp(w http.ResponseWriter, rc *http.ResponseController) {
	w.Header().Set("Connection", "close")
	rc.SetReadDeadline(time.Now())
}

// readBody reads the body within MaxBodyBytes and the in-flight budget;
// held is what it reserved, to give back once the reply is written. A
// declared length is checked and reserved before any byte is read.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (body []byte, held int64, err error) {
	maxBody := s.limits.MaxBodyBytes
	if r.ContentLength > maxBody {
		return nil, 0, &http.MaxBytesError{Limit: maxBody}
	}
	if r.ContentLength > 0 {
		if !s.budget.take(r.ContentLength) {
			return nil, 0, errBusy
		}
		held = r.ContentLength
	}
	br := &budgetReader{r: http.MaxBytesReader(w, r.Body, maxBody), b: &s.budget, limit: maxBody, held: held}
	// Read to EOF even with a declared length: net/http then lifts the
	// read deadline and watches the connection, so a client that goes
	// away cancels the call and a long call outlives ReadTimeout.
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	_, err = buf.ReadFrom(br)
	return buf.Bytes(), br.held, err
}

// dispatch runs a body's call or batch and returns the HTTP status and
// the reply: a batch's is its calls' replies, encoded. held is what the
// batch's replies took of the in-flight budget, to give back once they
// are written.
func (s *Server) dispatch(ctx context.Context, body []byte, access *Access) (status int, reply any, held int64) {
	single, batch, derr := decodeBody(body, s.limits.MaxBatch)
	switch {
	case derr != nil && derr.Code == CodeInvalidRequest: // a bad batch
		return http.StatusOK, response{Error: publicError(derr), ID: nullID}, 0
	case derr != nil:
		return httpStatus(derr.Code), response{Error: publicError(derr), ID: nullID}, 0
	case batch != nil:
		parts, held := s.runBatch(ctx, batch, access)
		return http.StatusOK, parts, held
	}
	resp := s.call(ctx, single, access)
	status = http.StatusOK
	if resp.Error != nil {
		status = httpStatus(resp.Error.Code)
	}
	return status, resp, 0
}

// runBatch runs a batch's calls in order and encodes each reply as it
// comes, charging its bytes to the in-flight budget, so a batch of large
// results (a thousand getblock calls) holds no more than the budget and
// one reply. Once the budget is spent the calls left are not run: each is
// answered CodeOutOfMemory with its id. A call that ran keeps its reply.
// held is the bytes charged.
func (s *Server) runBatch(ctx context.Context, batch []json.RawMessage, access *Access) (parts []json.RawMessage, held int64) {
	parts = make([]json.RawMessage, len(batch))
	for i, raw := range batch {
		var resp response
		if s.budget.spent() {
			req, _ := decodeRequest(raw)
			resp = response{ID: req.ID, Error: Errorf(CodeOutOfMemory,
				"not run: the batch's replies fill the server's in-flight budget of %d bytes; send fewer calls at once", s.budget.max)}
		} else {
			resp = s.call(ctx, raw, access)
		}
		b, err := json.Marshal(resp)
		if err != nil {
			s.log.Error("rpc encode reply", "err", err)
			b, _ = json.Marshal(response{ID: resp.ID, Error: Errorf(CodeInternal, "encode response")})
		}
		s.budget.add(int64(len(b)))
		held += int64(len(b))
		parts[i] = b
	}
	return parts, held
}

// httpStatus mirrors bitcoind: 404 for unknown methods, 400 for malformed
// requests, 403 for a method the login may not call, 500 for other errors
// on single calls.
func httpStatus(code int) int {
	switch code {
	case CodeMethodNotFound:
		return http.StatusNotFound
	case CodeInvalidRequest:
		return http.StatusBadRequest
	case CodeForbidden:
		return http.StatusForbidden // as bitcoind answers a call outside a whitelist
	default:
		return http.StatusInternalServerError
	}
}

// call runs one request; every error it answers goes through
// publicError.
func (s *Server) call(ctx context.Context, raw []byte, access *Access) (resp response) {
	req, rerr := decodeRequest(raw)
	resp.ID = req.ID
	s.mu.RLock()
	observe := s.observe
	s.mu.RUnlock()
	if observe != nil {
		start := time.Now()
		defer func() {
			code := 0
			if resp.Error != nil {
				code = resp.Error.Code
			}
			observe(req.Method, code, time.Since(start))
		}()
	}
	if rerr != nil {
		resp.Error = publicError(rerr)
		return resp
	}
	if !access.Allows(req.Method) {
		resp.Error = publicError(Errorf(CodeForbidden, "method %q not allowed for %s", truncate(req.Method, 64), access))
		return resp
	}
	s.mu.RLock()
	m := s.methods[req.Method]
	s.mu.RUnlock()
	if m == nil {
		resp.Error = publicError(Errorf(CodeMethodNotFound, "method not found: %s", req.Method))
		return resp
	}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("rpc handler panic", "method", req.Method, "panic", p)
			resp.Result, resp.Error = nil, publicError(Errorf(CodeInternal, "internal error in %s", req.Method))
		}
	}()
	params, err := access.bindAccount(m, req.Params)
	if err != nil {
		resp.Error = publicError(err)
		return resp
	}
	result, err := m.Handler(WithAccess(ctx, access), params)
	if err != nil {
		resp.Error = publicError(err)
		return resp
	}
	resp.Result = result
	return resp
}

// writeBatch writes a batch's encoded replies as one JSON array.
func writeBatch(w http.ResponseWriter, parts []json.RawMessage) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	for i, p := range parts {
		sep := ","
		if i == 0 {
			sep = "["
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return
		}
		if _, err := w.Write(p); err != nil {
			return
		}
	}
	io.WriteString(w, "]\n")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(w, `{"result":null,"error":{"code":-32603,"message":"encode response"},"id":null}`)
	}
}
