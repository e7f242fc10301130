package webwallet

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

//go:embed templates/wallet.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Built files, below static/.
const (
	WasmFile     = "gen/wallet.wasm"
	WasmExecFile = "gen/wasm_exec.js"
	WasmGzipFile = "gen/wallet.wasm.gz" // the module gzipped, served to clients that take gzip
)

// ContentSecurityPolicy is the wallet page's policy: the explorer's
// (the node's own scripts, styles and connections only; no inline
// script, no eval, no framing) plus WebAssembly compilation and the
// manifest. lib/explorer is a package of this one's layer, so the policy
// is restated here; TestWalletPolicyExtendsExplorer holds the two in
// step.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; manifest-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Config configures a Wallet page.
type Config struct {
	// Network is the node's network name (chaincfg), which the page
	// derives addresses for.
	Network string
	// Prefix is the page's path with a trailing slash (default
	// "/wallet/").
	Prefix string
	// REST is the path the page reads the node's REST routes under
	// (the /rest/ paths with this prefix instead), and Broadcast the
	// path it POSTs transactions to.
	REST, Broadcast string
	// Events is the path of the node's WebSocket events; Explorer the
	// explorer's prefix (links).
	Events, Explorer string
	// Static replaces the embedded static files (tests).
	Static fs.FS
}

// Wallet serves the page; it is an http.Handler for the paths under
// its prefix.
type Wallet struct {
	cfg    Config
	page   *template.Template
	static fs.FS
	files  http.Handler
	built  bool
	gz     []byte    // WasmGzipFile, read once by New (nil: none)
	gzTime time.Time // its modification time
}

// New returns the wallet page.
func New(cfg Config) (*Wallet, error) {
	if cfg.Network == "" || cfg.REST == "" || cfg.Broadcast == "" || cfg.Events == "" {
		return nil, errors.New("webwallet: network, REST, broadcast and events paths are needed")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "/wallet/"
	}
	if !strings.HasPrefix(cfg.Prefix, "/") || !strings.HasSuffix(cfg.Prefix, "/") {
		return nil, fmt.Errorf("webwallet: prefix %q: want /path/", cfg.Prefix)
	}
	t, err := template.ParseFS(templateFS, "templates/wallet.html")
	if err != nil {
		return nil, fmt.Errorf("webwallet: template: %w", err)
	}
	st := cfg.Static
	if st == nil {
		if st, err = fs.Sub(staticFS, "static"); err != nil {
			return nil, err
		}
	}
	w := &Wallet{cfg: cfg, page: t, static: st, files: http.StripPrefix(cfg.Prefix+"static/", http.FileServerFS(st))}
	w.built = isBuilt(st)
	if w.built {
		// Read once: fs.ReadFile copies (an embed.FS too), and the copy
		// is megabytes.
		if gz, err := fs.ReadFile(st, WasmGzipFile); err == nil {
			w.gz = gz
			if fi, err := fs.Stat(st, WasmGzipFile); err == nil {
				w.gzTime = fi.ModTime()
			}
		}
	}
	return w, nil
}

// isBuilt reports whether the static files hold a built module: a
// WebAssembly binary (its magic number) and wasm_exec.js.
func isBuilt(st fs.FS) bool {
	f, err := st.Open(WasmFile)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil || string(magic[:]) != "\x00asm" {
		return false
	}
	_, err = fs.Stat(st, WasmExecFile)
	return err == nil
}

// Built reports whether the page has its WebAssembly module.
func (w *Wallet) Built() bool { return w.built }

// Prefix is the page's path.
func (w *Wallet) Prefix() string { return w.cfg.Prefix }

// ServeHTTP serves a GET or HEAD of the page, its manifest, service
// worker and static files; other methods are 405.
func (w *Wallet) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	h := rw.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(rw, "the wallet page is GET and HEAD only", http.StatusMethodNotAllowed)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, w.cfg.Prefix)
	if !ok {
		if r.URL.Path+"/" == w.cfg.Prefix {
			http.Redirect(rw, r, w.cfg.Prefix, http.StatusMovedPermanently)
			return
		}
		http.NotFound(rw, r)
		return
	}
	switch {
	case rest == "":
		w.servePage(rw)
	case rest == "manifest.webmanifest":
		h.Set("Content-Type", "application/manifest+json")
		h.Set("Cache-Control", "no-cache")
		fmt.Fprintf(rw, `{"name":"gg wallet (%[1]s)","short_name":"gg wallet","start_url":%[2]q,"scope":%[2]q,"display":"standalone",`+
			`"background_color":"#ffffff","theme_color":"#1d4ed8","icons":[{"src":%[3]q,"sizes":"any","type":"image/svg+xml"}]}`+"\n",
			w.cfg.Network, w.cfg.Prefix, w.cfg.Prefix+"static/icon.svg")
	case rest == "sw.js":
		b, err := fs.ReadFile(w.static, "sw.js")
		if err != nil {
			http.NotFound(rw, r)
			return
		}
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("Service-Worker-Allowed", w.cfg.Prefix)
		rw.Write(b)
	case strings.HasPrefix(rest, "static/"):
		name := strings.TrimPrefix(rest, "static/")
		if name == "sw.js" {
			http.NotFound(rw, r) // only at PREFIX/sw.js, its scope
			return
		}
		h.Set("Cache-Control", "no-cache")
		if strings.HasSuffix(name, ".wasm") {
			h.Set("Content-Type", "application/wasm")
			if name == WasmFile && w.built && acceptsGzip(r) {
				w.serveGzipped(rw, r)
				return
			}
		}
		w.files.ServeHTTP(rw, r)
	default:
		http.NotFound(rw, r)
	}
}

// acceptsGzip reports whether r's Accept-Encoding names gzip with a
// non-zero weight.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			return strings.ReplaceAll(params, " ", "") != "q=0"
		}
	}
	return false
}

// serveGzipped serves the module gzipped (about a third of its size:
// what a phone downloads) from the copy make wasm compressed beside it
// (WasmGzipFile, held since New), or raw without one.
func (w *Wallet) serveGzipped(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Add("Vary", "Accept-Encoding")
	if w.gz == nil {
		w.files.ServeHTTP(rw, r)
		return
	}
	rw.Header().Set("Content-Encoding", "gzip")
	http.ServeContent(rw, r, WasmGzipFile, w.gzTime, bytes.NewReader(w.gz))
}

func (w *Wallet) servePage(rw http.ResponseWriter) {
	var buf bytes.Buffer
	err := w.page.Execute(&buf, map[string]any{"Network": w.cfg.Network, "Prefix": w.cfg.Prefix, "REST": w.cfg.REST,
		"Broadcast": w.cfg.Broadcast, "Events": w.cfg.Events, "Explorer": w.cfg.Explorer, "Built": w.built})
	if err != nil {
		http.Error(rw, "render page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	rw.Write(buf.Bytes())
}
