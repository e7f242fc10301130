package webwallet

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"testing"
)

// discard is a ResponseWriter that keeps no body.
type discard struct {
	h    http.Header
	code int
	n    int
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) WriteHeader(code int) {
	if d.code == 0 {
		d.code = code
	}
}
func (d *discard) Write(b []byte) (int, error) { d.n += len(b); return len(b), nil }

// allocated returns the bytes f allocates (the heap's running total).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestWasmGzipNoCopy: a gzip GET of the module serves the copy read once
// by New, allocating far less per request than the copy's size; New
// checks that the module is built without reading all of it.
func TestWasmGzipNoCopy(t *testing.T) {
	// An incompressible module: its gzipped copy is about as large.
	module := make([]byte, 2<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range module {
		module[i] = byte(rng.Uint32())
	}
	copy(module, "\x00asm\x01\x00\x00\x00")
	w, err := New(Config{Network: "regtest", REST: "/r", Broadcast: "/b", Events: "/e", Static: os.DirFS(builtStatic(t, module))})
	if err != nil || !w.Built() {
		t.Fatalf("built %v, %v", w != nil && w.Built(), err)
	}
	const runs = 8
	var served int
	per := allocated(func() {
		for range runs {
			r := httptest.NewRequest(http.MethodGet, "/wallet/static/"+WasmFile, nil)
			r.Header.Set("Accept-Encoding", "gzip")
			d := &discard{h: http.Header{}}
			w.ServeHTTP(d, r)
			if d.code != http.StatusOK && d.code != 0 || d.h.Get("Content-Encoding") != "gzip" {
				t.Fatalf("gzip GET: %d %v", d.code, d.h)
			}
			served = d.n
		}
	}) / runs
	if served < len(module) || per > uint64(len(module))/16 {
		t.Errorf("a gzip GET of a %d-byte copy served %d bytes and allocated %d bytes, want far below the copy", len(module), served, per)
	}

	// A large module that gzips small: New must not read the module.
	big := append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte("gamegold "), 1<<20)...)
	dir := builtStatic(t, big)
	var built bool
	if n := allocated(func() {
		w, err := New(Config{Network: "regtest", REST: "/r", Broadcast: "/b", Events: "/e", Static: os.DirFS(dir)})
		built = err == nil && w.Built()
	}); !built || n > uint64(len(big))/8 {
		t.Errorf("New with a %d-byte module: built %v, allocated %d bytes, want far below the module", len(big), built, n)
	}
}
