package explorer

import (
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
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

// cannedSource answers the REST targets it knows by prefix with fixed
// JSON, everything else 404.
type cannedSource map[string]string

func (c cannedSource) REST(_ context.Context, target string) (int, []byte) {
	for prefix, body := range c {
		if strings.HasPrefix(target, prefix) {
			return http.StatusOK, []byte(body)
		}
	}
	return http.StatusNotFound, []byte(`{"error":"not found"}`)
}

var reTag = regexp.MustCompile(`<(/?)([a-z0-9]+)([^>]*)>`)

// liveRegions scans a rendered page and returns the ids of its data-live
// elements and whether the #live line sits inside one of them (where a
// swap of the region would drop it).
func liveRegions(t *testing.T, page string) (ids []string, liveInside bool) {
	t.Helper()
	void := map[string]bool{"meta": true, "link": true, "input": true, "br": true, "img": true}
	type open struct {
		tag  string
		live bool
	}
	var stack []open
	inLive := func() bool {
		for _, o := range stack {
			if o.live {
				return true
			}
		}
		return false
	}
	for _, m := range reTag.FindAllStringSubmatch(page, -1) {
		closing, tag, attrs := m[1] == "/", m[2], m[3]
		if void[tag] {
			continue
		}
		if closing {
			if len(stack) == 0 || stack[len(stack)-1].tag != tag {
				t.Fatalf("unbalanced </%s> in\n%s", tag, page)
			}
			stack = stack[:len(stack)-1]
			continue
		}
		id := regexp.MustCompile(`\bid="([^"]*)"`).FindStringSubmatch(attrs)
		if id != nil && id[1] == "live" && inLive() {
			liveInside = true
		}
		live := strings.Contains(attrs, " data-live")
		if live {
			if id == nil {
				t.Errorf("a data-live <%s> without an id: %s", tag, m[0])
			} else {
				ids = append(ids, id[1])
			}
		}
		stack = append(stack, open{tag, live})
	}
	return ids, liveInside
}

// TestLiveRegions: the pages the script keeps live mark what changes
// (the tip, blocks, auctions, a prop's details, auction and history) as
// data-live regions with ids, which the script swaps for their new
// rendering, and the #live status line is outside them. Found by the
// browser test: the script used to patch only the best bid of the rows
// it had, so a settled auction stayed listed and a sold prop kept its
// old owner and auction until a reload.
func TestLiveRegions(t *testing.T) {
	const id = "40aa7cca4d27674b58c0c4cff6058ea6ca5bf5d9527bc3c1ac3e5de3afd86772"
	auctions := `[{"prop":"` + id + `","seller":"rg1qseller","gold":"0.001","buynow":"5","reserve":"1","end":113,"bid":"2","bidder":"rg1qbidder"}]`
	src := cannedSource{
		"/rest/chaininfo.json":        `{"blocks":103,"bestblockhash":"00ff"}`,
		"/rest/blockhashbyheight/":    `{"blockhash":"00aa"}`,
		"/rest/headers/":              `[{"height":103,"hash":"00ff","time":1700000000}]`,
		"/rest/mempool/info.json":     `{"size":1,"bytes":250}`,
		"/rest/game/auctions.json":    auctions,
		"/rest/game/prop/" + id + "/": `{"history":[{"height":103,"op":"prop-create","txid":"` + id + `","owner":"rg1qseller","price":"0"}]}`,
		"/rest/game/prop/" + id:       `{"id":"` + id + `","producer":"` + id + `","oid":"sword","gold":"0.001","status":"live","owner":"rg1qseller","last_price":"0","auction":{"buynow":"5","reserve":"1","end":113,"bid":"2","bidder":"rg1qbidder"}}`,
	}
	e, err := New(Config{Source: src, Params: chaincfg.RegTestParams})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want []string
	}{
		{"/explorer/", []string{"tip", "recent", "market"}},
		{"/explorer/auctions", []string{"market"}},
		{"/explorer/prop/" + id, []string{"details", "auction", "history"}},
	} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", c.path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d\n%s", c.path, rec.Code, rec.Body)
		}
		ids, inside := liveRegions(t, rec.Body.String())
		if strings.Join(ids, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s: live regions %q, want %q", c.path, ids, c.want)
		}
		if inside {
			t.Errorf("%s: the #live line is inside a live region", c.path)
		}
	}
}
