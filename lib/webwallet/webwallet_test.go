package webwallet

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// builtStatic is a static directory with a (fake) built module.
func builtStatic(t *testing.T, module []byte) string {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "gen"), 0o755)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(module)
	zw.Close()
	for name, b := range map[string][]byte{WasmFile: module, WasmGzipFile: gz.Bytes(), WasmExecFile: []byte("// go"), "wallet.js": []byte("//"), "sw.js": []byte("//")} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestWasmGzip: a client that accepts gzip gets the module's gzipped
// copy (Content-Encoding, Vary, the wasm type) and it decompresses to
// the module; one that does not, or refuses gzip with q=0, gets it raw,
// and so does every client when there is no gzipped copy.
func TestWasmGzip(t *testing.T) {
	module := append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte("gamegold "), 5000)...)
	w, err := New(Config{Network: "regtest", REST: "/r", Broadcast: "/b", Events: "/e", Static: os.DirFS(builtStatic(t, module))})
	if err != nil || !w.Built() {
		t.Fatalf("built %v, %v", w != nil && w.Built(), err)
	}
	get := func(enc string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/wallet/static/"+WasmFile, nil)
		if enc != "" {
			r.Header.Set("Accept-Encoding", enc)
		}
		rec := httptest.NewRecorder()
		w.ServeHTTP(rec, r)
		return rec
	}
	rec := get("br, gzip;q=0.8")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Content-Type") != "application/wasm" ||
		!strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") || rec.Body.Len() >= len(module)/4 {
		t.Fatalf("gzip: %d %v, %d bytes", rec.Code, rec.Header(), rec.Body.Len())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(zr); !bytes.Equal(got, module) {
		t.Fatal("the gzipped module does not decompress to the module")
	}
	for _, enc := range []string{"", "identity", "gzip;q=0"} {
		if rec := get(enc); rec.Header().Get("Content-Encoding") != "" || !bytes.Equal(rec.Body.Bytes(), module) {
			t.Errorf("Accept-Encoding %q: %v, %d bytes", enc, rec.Header(), rec.Body.Len())
		}
	}
}

func TestWasmGzipMissing(t *testing.T) {
	module := []byte("\x00asm\x01\x00\x00\x00")
	dir := builtStatic(t, module)
	os.Remove(filepath.Join(dir, WasmGzipFile))
	w, err := New(Config{Network: "regtest", REST: "/r", Broadcast: "/b", Events: "/e", Static: os.DirFS(dir)})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/wallet/static/"+WasmFile, nil)
	r.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	w.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "" || !bytes.Equal(rec.Body.Bytes(), module) {
		t.Errorf("no gzipped copy: %d %v", rec.Code, rec.Header())
	}
}
