package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Handler serves one method. params is the raw JSON params value (array,
// object or absent). A returned *Error is sent as is; any other error
// becomes CodeMisc.
type Handler func(ctx context.Context, params json.RawMessage) (any, error)

// Method describes a registered method.
type Method struct {
	Name    string
	Params  string // e.g. "height" or "[verbose]"
	Help    string
	Handler Handler
}

// Limits bounds requests.
type Limits struct {
	MaxBodyBytes int64         // default 32 MiB (submitblock needs room)
	MaxBatch     int           // default 1000 calls
	Timeout      time.Duration // per HTTP request, default 60 s
}

// Server dispatches JSON-RPC calls.
type Server struct {
	mu      sync.RWMutex
	methods map[string]*Method
	auth    Authenticator
	limits  Limits
	log     *slog.Logger
}

// Authenticator checks HTTP basic credentials and returns the user's
// method whitelist (nil = all methods).
type Authenticator interface {
	Authenticate(user, pass string) (allowed map[string]bool, ok bool)
}

// NewServer returns a server using auth (required: use a Cookie or Users).
func NewServer(auth Authenticator, limits Limits, log *slog.Logger) *Server {
	if limits.MaxBodyBytes == 0 {
		limits.MaxBodyBytes = 32 << 20
	}
	if limits.MaxBatch == 0 {
		limits.MaxBatch = 1000
	}
	if limits.Timeout == 0 {
		limits.Timeout = 60 * time.Second
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{methods: map[string]*Method{}, auth: auth, limits: limits, log: log}
	s.Register(s.helpMethods()...) // help over every method registered (help.go)
	return s
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

type request struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
}

type response struct {
	Result any             `json:"result"`
	Error  *Error          `json:"error"`
	ID     json.RawMessage `json:"id"`
}

// ServeHTTP implements http.Handler for POST requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "JSON-RPC server handles only POST requests", http.StatusMethodNotAllowed)
		return
	}
	user, pass, _ := r.BasicAuth()
	allowed, ok := s.auth.Authenticate(user, pass)
	if !ok {
		time.Sleep(250 * time.Millisecond) // slow down guessing
		w.Header().Set("WWW-Authenticate", `Basic realm="gg-node"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.limits.Timeout)
	defer cancel()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.limits.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeJSON(w, http.StatusRequestEntityTooLarge, response{Error: Errorf(CodeInvalidRequest,
				"request body exceeds %d bytes", s.limits.MaxBodyBytes), ID: json.RawMessage("null")})
			return
		}
		return
	}
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var batch []json.RawMessage
		if err := json.Unmarshal(body, &batch); err != nil {
			writeJSON(w, http.StatusOK, response{Error: Errorf(CodeParse, "parse error: %v", err), ID: json.RawMessage("null")})
			return
		}
		if len(batch) == 0 || len(batch) > s.limits.MaxBatch {
			writeJSON(w, http.StatusOK, response{Error: Errorf(CodeInvalidRequest,
				"batch must hold 1 to %d calls", s.limits.MaxBatch), ID: json.RawMessage("null")})
			return
		}
		out := make([]response, len(batch))
		for i, raw := range batch {
			out[i] = s.call(ctx, raw, allowed)
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	resp := s.call(ctx, body, allowed)
	status := http.StatusOK
	if resp.Error != nil {
		status = httpStatus(resp.Error.Code)
	}
	writeJSON(w, status, resp)
}

// httpStatus mirrors bitcoind: 404 for unknown methods, 400 for malformed
// requests, 500 for other errors on single calls.
func httpStatus(code int) int {
	switch code {
	case CodeMethodNotFound:
		return http.StatusNotFound
	case CodeInvalidRequest:
		return http.StatusBadRequest
	default:
		return http.StatusInternalServerError
	}
}

func (s *Server) call(ctx context.Context, raw []byte, allowed map[string]bool) (resp response) {
	resp.ID = json.RawMessage("null")
	var req request
	if err := json.Unmarshal(raw, &req); err != nil {
		resp.Error = Errorf(CodeParse, "parse error: %v", err)
		return resp
	}
	if len(req.ID) > 0 {
		resp.ID = req.ID
	}
	if req.Method == "" {
		resp.Error = Errorf(CodeInvalidRequest, "missing method")
		return resp
	}
	if allowed != nil && !allowed[req.Method] {
		resp.Error = Errorf(CodeForbidden, "method %q not allowed for this user", req.Method)
		return resp
	}
	s.mu.RLock()
	m := s.methods[req.Method]
	s.mu.RUnlock()
	if m == nil {
		resp.Error = Errorf(CodeMethodNotFound, "method not found: %s", req.Method)
		return resp
	}
	params := req.Params
	if len(params) == 0 || string(params) == "null" {
		params = json.RawMessage("[]")
	}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("rpc handler panic", "method", req.Method, "panic", p)
			resp.Result, resp.Error = nil, Errorf(CodeInternal, "internal error in %s", req.Method)
		}
	}()
	result, err := m.Handler(ctx, params)
	if err != nil {
		var re *Error
		if !errors.As(err, &re) {
			re = &Error{Code: CodeMisc, Message: err.Error()}
		}
		resp.Error = re
		return resp
	}
	resp.Result = result
	return resp
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(w, `{"result":null,"error":{"code":-32603,"message":"encode response"},"id":null}`)
	}
}
