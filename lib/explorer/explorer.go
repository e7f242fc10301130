package explorer

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Source answers the node's read-only REST routes in-process.
type Source interface {
	// REST serves a GET of target (a /rest/ path with its query, as
	// docs/rest.md names it) and returns the reply's status and body.
	REST(ctx context.Context, target string) (status int, body []byte)
}

// Config configures an Explorer.
type Config struct {
	Source Source
	Params *chaincfg.Params
	// Prefix is the path the pages live under, with a trailing slash
	// (default "/explorer/").
	Prefix string
	// Logger receives the pages' internal errors (default: discard).
	Logger *slog.Logger
}

// ContentSecurityPolicy is the policy of every page and static file: the
// node's own scripts, styles and connections (fetch, WebSocket) only;
// no inline script or style, no eval, no plugin, no framing.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Explorer serves the pages; it is an http.Handler for the paths under
// its prefix.
type Explorer struct {
	src    Source
	params *chaincfg.Params
	prefix string
	log    *slog.Logger
	pages  map[string]*template.Template
	static http.Handler
	xpubs  xpubCache
}

// pageNames are the templates besides layout.html, one per page kind.
var pageNames = []string{"home", "block", "tx", "address", "xpub", "producer", "prop", "auctions", "contracts", "contract", "search", "error"}

// New returns an explorer over cfg.Source.
func New(cfg Config) (*Explorer, error) {
	if cfg.Source == nil || cfg.Params == nil {
		return nil, errors.New("explorer: a source and network parameters are needed")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "/explorer/"
	}
	if !strings.HasPrefix(cfg.Prefix, "/") || !strings.HasSuffix(cfg.Prefix, "/") {
		return nil, fmt.Errorf("explorer: prefix %q: want /path/", cfg.Prefix)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Explorer{src: cfg.Source, params: cfg.Params, prefix: cfg.Prefix, log: cfg.Logger, pages: map[string]*template.Template{}}
	funcs := template.FuncMap{
		"u":     func(p string, parts ...any) string { return e.url(p, parts...) },
		"short": short,
		"time":  unixTime,
		"str":   func(v any) string { return fmt.Sprint(v) },
		"isnil": func(v any) bool { return v == nil },
	}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("explorer: template %s: %w", name, err)
		}
		e.pages[name] = t
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	e.static = http.StripPrefix(cfg.Prefix+"static/", http.FileServerFS(sub))
	return e, nil
}

// Prefix is the path the pages live under.
func (e *Explorer) Prefix() string { return e.prefix }

// url is the explorer URL of page kind p with its path parts escaped.
func (e *Explorer) url(p string, parts ...any) string {
	var sb strings.Builder
	sb.WriteString(e.prefix)
	sb.WriteString(p)
	for _, x := range parts {
		sb.WriteByte('/')
		sb.WriteString(url.PathEscape(fmt.Sprint(x)))
	}
	return sb.String()
}

// short is a long hex string cut to its first and last 8 characters.
func short(v any) string {
	s := fmt.Sprint(v)
	if len(s) <= 20 {
		return s
	}
	return s[:8] + "…" + s[len(s)-8:]
}

// unixTime formats a block time (seconds since 1970, JSON number).
func unixTime(v any) string {
	var n int64
	switch x := v.(type) {
	case json.Number:
		n, _ = x.Int64()
	case int64:
		n = x
	case int32:
		n = int64(x)
	case int:
		n = int64(x)
	default:
		return fmt.Sprint(v)
	}
	return time.Unix(n, 0).UTC().Format("2006-01-02 15:04:05 UTC")
}

// page is what a page handler builds: its template and data, or a
// refusal.
type page struct {
	name   string
	title  string
	data   map[string]any
	status int
	csv    []byte // a CSV download instead of a page
	csvFor string
}

// pageError is a page refusal: its status and message.
type pageError struct {
	status int
	msg    string
}

func (e *pageError) Error() string { return e.msg }

func notFound(format string, args ...any) *pageError {
	return &pageError{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *pageError {
	return &pageError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// ServeHTTP serves a GET or HEAD of a page or static file; other methods
// are refused (405): the explorer is read-only.
func (e *Explorer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "the explorer is read-only: GET and HEAD only", http.StatusMethodNotAllowed)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, e.prefix)
	if !ok {
		if r.URL.Path+"/" == e.prefix {
			http.Redirect(w, r, e.prefix, http.StatusMovedPermanently)
			return
		}
		http.NotFound(w, r)
		return
	}
	if strings.HasPrefix(rest, "static/") {
		h.Set("Cache-Control", "public, max-age=3600")
		e.static.ServeHTTP(w, r)
		return
	}
	wantJSON := acceptsJSON(r)
	p, err := e.route(r.Context(), rest, r)
	if err != nil {
		var pe *pageError
		if !errors.As(err, &pe) {
			e.log.Warn("explorer page failed", "path", r.URL.Path, "err", err)
			pe = &pageError{http.StatusInternalServerError, "internal error: " + err.Error()}
		}
		p = &page{name: "error", title: http.StatusText(pe.status), status: pe.status, data: map[string]any{"error": pe.msg}}
	}
	if p.status == http.StatusSeeOther { // a search found its page
		if !wantJSON {
			http.Redirect(w, r, p.data["url"].(string), http.StatusSeeOther)
			return
		}
		p.status = http.StatusOK
	}
	if p.status == 0 {
		p.status = http.StatusOK
	}
	h.Set("Cache-Control", "no-cache")
	h.Add("Vary", "Accept")
	if p.csv != nil {
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+p.csvFor+`"`)
		w.WriteHeader(p.status)
		w.Write(p.csv)
		return
	}
	if wantJSON {
		b, err := json.Marshal(p.data)
		if err != nil {
			http.Error(w, "encode page", http.StatusInternalServerError)
			return
		}
		h.Set("Content-Type", "application/json")
		w.WriteHeader(p.status)
		w.Write(append(b, '\n'))
		return
	}
	var buf bytes.Buffer
	err = e.pages[p.name].ExecuteTemplate(&buf, "layout.html", map[string]any{
		"Title": p.title, "Page": p.name, "D": p.data, "Network": e.params.Name, "Prefix": e.prefix})
	if err != nil {
		e.log.Warn("explorer template failed", "page", p.name, "err", err)
		http.Error(w, "render page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(p.status)
	w.Write(buf.Bytes())
}

// acceptsJSON reports whether r asks for the JSON twin: an Accept header
// preferring application/json to text/html (or ?format=json, for links).
func acceptsJSON(r *http.Request) bool {
	if r.URL.Query().Get("format") == "json" {
		return true
	}
	jsonQ, htmlQ := -1.0, -1.0
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			fmt.Sscanf(s, "%g", &q)
		}
		switch mt {
		case "application/json":
			jsonQ = max(jsonQ, q)
		case "text/html":
			htmlQ = max(htmlQ, q)
		}
	}
	return jsonQ > 0 && jsonQ > htmlQ
}

// route picks the page of rest (the path below the prefix).
func (e *Explorer) route(ctx context.Context, rest string, r *http.Request) (*page, error) {
	parts := strings.Split(rest, "/")
	q := r.URL.Query()
	switch {
	case rest == "":
		return e.home(ctx)
	case len(parts) == 2 && parts[0] == "block":
		return e.block(ctx, parts[1])
	case len(parts) == 2 && parts[0] == "tx":
		return e.tx(ctx, parts[1], q.Get("block"))
	case len(parts) == 2 && parts[0] == "address":
		return e.address(ctx, parts[1], q.Get("cursor"))
	case len(parts) == 3 && parts[0] == "address" && parts[2] == "txs.csv":
		return e.addressCSV(ctx, parts[1], q.Get("cursor"))
	case len(parts) == 2 && parts[0] == "xpub":
		return e.xpub(ctx, parts[1])
	case len(parts) == 2 && parts[0] == "producer":
		return e.producer(ctx, parts[1], q.Get("cursor"))
	case len(parts) == 2 && parts[0] == "prop":
		return e.prop(ctx, parts[1])
	case rest == "auctions":
		return e.auctions(ctx)
	case rest == "contracts":
		return e.contracts(ctx, q.Get("party"), q.Get("cursor"))
	case len(parts) == 2 && parts[0] == "contract":
		return e.contract(ctx, parts[1])
	case rest == "search":
		return e.search(ctx, q.Get("q"))
	}
	return nil, notFound("no such page: %s", path.Join(e.prefix, rest))
}
