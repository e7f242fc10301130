package explorer

import (
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
)

// staticBudget is the budget for the explorer's scripts and
// styles together, gzipped.
const staticBudget = 30 << 10

// TestStaticBudget: the explorer's JS and CSS stay within 30 KB
// gzipped, and are plain files (no bundle, no source map).
func TestStaticBudget(t *testing.T) {
	var raw, zipped int
	err := fs.WalkDir(staticFS, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !strings.HasSuffix(path, ".js") && !strings.HasSuffix(path, ".css") {
			t.Errorf("static file %s: only .js and .css are served", path)
		}
		b, err := fs.ReadFile(staticFS, path)
		if err != nil {
			return err
		}
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		raw, zipped = raw+len(b), zipped+z.Len()
		if bytes.Contains(b, []byte("sourceMappingURL")) || bytes.Contains(b, []byte("eval(")) {
			t.Errorf("%s: a source map or eval", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("explorer JS+CSS: %d bytes, %d gzipped (budget %d)", raw, zipped, staticBudget)
	if zipped > staticBudget {
		t.Fatalf("explorer JS+CSS %d bytes gzipped, over the budget of %d", zipped, staticBudget)
	}
}

// TestTemplatesParse: every page's template parses with the layout, and
// no template holds an inline script or style (the CSP forbids them).
func TestTemplatesParse(t *testing.T) {
	entries, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, _ := fs.ReadFile(templateFS, "templates/"+e.Name())
		s := string(b)
		for _, bad := range []string{"<script>", "<style", " style=", " onclick=", " onload=", " onerror=", "javascript:"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s: inline script or style (%q)", e.Name(), bad)
			}
		}
	}
	if len(entries) != len(pageNames)+1 {
		t.Errorf("%d templates, want %d pages and the layout", len(entries), len(pageNames))
	}
}

// TestAcceptsJSON: the JSON twin is chosen when Accept prefers
// application/json to text/html, or by ?format=json; a browser's Accept
// and none get HTML.
func TestAcceptsJSON(t *testing.T) {
	for _, c := range []struct {
		accept, query string
		want          bool
	}{
		{"application/json", "", true},
		{"application/json, text/plain, */*", "", true},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "", false},
		{"text/html;q=0.5, application/json", "", true},
		{"application/json;q=0.4, text/html", "", false},
		{"application/json;q=0", "", false},
		{"", "", false},
		{"*/*", "", false},
		{"", "format=json", true},
		{"bad;;;", "", false},
	} {
		r := httptest.NewRequest("GET", "/explorer/?"+c.query, nil)
		if c.accept != "" {
			r.Header.Set("Accept", c.accept)
		}
		if got := acceptsJSON(r); got != c.want {
			t.Errorf("Accept %q ?%s: JSON %v, want %v", c.accept, c.query, got, c.want)
		}
	}
}

// notFoundSource answers every REST request 404.
type notFoundSource struct{}

func (notFoundSource) REST(context.Context, string) (int, []byte) {
	return http.StatusNotFound, []byte(`{"error":"not found"}`)
}

// TestPageIcon: every page names its icon, an empty data: URL the CSP's
// img-src allows, so a browser does not ask the node for /favicon.ico
// (outside the explorer, refused: a console error on every page).
func TestPageIcon(t *testing.T) {
	e, err := New(Config{Source: notFoundSource{}, Params: chaincfg.RegTestParams})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/explorer/search", "/explorer/block/xyz"} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if body := rec.Body.String(); !strings.Contains(body, `<link rel="icon" href="data:,">`) {
			t.Errorf("%s (%d): no icon link in\n%s", path, rec.Code, body)
		}
	}
	if !strings.Contains(ContentSecurityPolicy, "img-src 'self' data:") {
		t.Errorf("the CSP refuses the data: icon: %s", ContentSecurityPolicy)
	}
}
