package vectors

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func touch(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("[]"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFind: GG_VECTORS alone when set; else the shared folder; else the
// btcd module's copy under its own name; nowhere is ErrNotFound.
func TestFind(t *testing.T) {
	env, shared, btcd := t.TempDir(), t.TempDir(), t.TempDir()
	touch(t, filepath.Join(env, TxValid))
	touch(t, filepath.Join(shared, TxValid))
	touch(t, filepath.Join(shared, "hd.json"))
	touch(t, filepath.Join(btcd, "txscript", "data", "tx_valid.json"))
	touch(t, filepath.Join(btcd, "txscript", "data", "sighash.json"))
	mod := func() (string, error) { return btcd, nil }
	noMod := func() (string, error) { return "", errors.New("not in the module cache") }
	for _, tc := range []struct {
		name string
		file string
		p    places
		want string // "" for ErrNotFound
		btcd bool
	}{
		{"env wins", TxValid, places{env: env, shared: shared, btcd: mod}, filepath.Join(env, TxValid), false},
		{"env only", SighashTests, places{env: env, shared: shared, btcd: mod}, "", false},
		{"shared", TxValid, places{shared: shared, btcd: mod}, filepath.Join(shared, TxValid), false},
		{"shared absent: btcd", TxValid, places{shared: filepath.Join(shared, "none"), btcd: mod}, filepath.Join(btcd, "txscript", "data", "tx_valid.json"), true},
		{"btcd name map", SighashTests, places{shared: shared, btcd: mod}, filepath.Join(btcd, "txscript", "data", "sighash.json"), true},
		{"not a Core file: no btcd", "hd.json", places{shared: t.TempDir(), btcd: mod}, "", false},
		{"nothing anywhere", TxInvalid, places{shared: shared, btcd: mod}, "", false},
		{"no module", TxValid, places{shared: t.TempDir(), btcd: noMod}, "", false},
	} {
		src, err := find(tc.file, tc.p)
		if tc.want == "" {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%s: %+v, %v; want ErrNotFound", tc.name, src, err)
			}
			continue
		}
		if err != nil || src.Path != tc.want || src.Btcd != tc.btcd {
			t.Errorf("%s: %+v, %v; want %s (btcd %v)", tc.name, src, err, tc.want, tc.btcd)
		}
	}
}

// TestBtcdModule: the pinned btcd module is found through the go command
// and ships every Core file the tests read.
func TestBtcdModule(t *testing.T) {
	dir, err := btcdDir()
	if err != nil {
		t.Fatalf("btcd module: %v", err)
	}
	for name, bn := range btcdNames {
		if fi, err := os.Stat(filepath.Join(dir, "txscript", "data", bn)); err != nil || fi.Size() == 0 {
			t.Errorf("%s (%s): %v", name, bn, err)
		}
	}
}

// recorder is a testing.TB that records how Read ended the test.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Fatalf(f string, args ...any) { r.fatal = fmt.Sprintf(f, args...) }
func (r *recorder) Skipf(f string, args ...any)  { r.skip = fmt.Sprintf(f, args...) }

// TestReadMissing: a vector file found nowhere fails the test, naming the
// ways out; GG_SKIP_VECTORS=1 turns the failure into a skip.
func TestReadMissing(t *testing.T) {
	t.Setenv("GG_VECTORS", t.TempDir())
	t.Setenv("GG_SKIP_VECTORS", "")
	r := &recorder{TB: t}
	if b, _ := Read(r, TxValid); b != nil || r.skip != "" || !strings.Contains(r.fatal, "GG_SKIP_VECTORS=1") {
		t.Fatalf("fatal %q skip %q", r.fatal, r.skip)
	}
	t.Setenv("GG_SKIP_VECTORS", "1")
	r = &recorder{TB: t}
	if b, _ := Read(r, TxValid); b != nil || r.fatal != "" || r.skip == "" {
		t.Fatalf("fatal %q skip %q", r.fatal, r.skip)
	}
	// found: read, no verdict
	dir := t.TempDir()
	touch(t, filepath.Join(dir, TxValid))
	t.Setenv("GG_VECTORS", dir)
	r = &recorder{TB: t}
	if b, src := Read(r, TxValid); string(b) != "[]" || src.Btcd || r.fatal != "" || r.skip != "" {
		t.Fatalf("%q %+v fatal %q skip %q", b, src, r.fatal, r.skip)
	}
}
