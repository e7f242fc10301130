package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// onSyncDir replaces syncDir for one test.
func onSyncDir(t *testing.T, f func(dir string) error) {
	t.Helper()
	old := syncDir
	syncDir = f
	t.Cleanup(func() { syncDir = old })
}

// TestWrite: a new file and a replaced one get the data and the mode
// (whatever the old file's), no temporary file stays, and the directory
// is synced once the target holds the new data.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	var synced []string
	onSyncDir(t, func(d string) error {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("directory synced before the rename: %v", err)
		}
		synced = append(synced, d+" "+string(b))
		return nil
	})
	if err := os.WriteFile(filepath.Join(dir, "other"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		data string
		perm fs.FileMode
	}{
		{"first", 0o640},
		{"second, longer than the first", 0o600},
		{"", 0o604},
	} {
		if err := Write(path, []byte(c.data), c.perm); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		b, err := os.ReadFile(path)
		if err != nil || string(b) != c.data {
			t.Fatalf("write %d: read %q %v, want %q", i, b, err, c.data)
		}
		if st, _ := os.Stat(path); st.Mode().Perm() != c.perm {
			t.Errorf("write %d: mode %v, want %v", i, st.Mode().Perm(), c.perm)
		}
		if want := dir + " " + c.data; len(synced) != i+1 || synced[i] != want {
			t.Errorf("write %d: directory syncs %q, want the last %q", i, synced, want)
		}
	}
	wantFiles(t, dir, "other", "state.json")
}

// TestWriteErrors: a missing directory, a target the rename cannot
// replace, and a failing directory sync are errors naming the target;
// the old content stays whole and no temporary file is left.
func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	onSyncDir(t, func(string) error { return nil })

	missing := filepath.Join(dir, "no", "such", "file")
	if err := Write(missing, []byte("x"), 0o600); !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "write "+missing+": ") {
		t.Errorf("missing directory: %v", err)
	}

	// A non-empty directory where the file should go: the rename fails.
	busy := filepath.Join(dir, "busy")
	if err := os.MkdirAll(filepath.Join(busy, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := Write(busy, []byte("x"), 0o600)
	if err == nil || !strings.HasPrefix(err.Error(), "write "+busy+": ") || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("rename over a directory: %v", err)
	}
	if st, err := os.Stat(filepath.Join(busy, "child")); err != nil || !st.IsDir() {
		t.Errorf("the directory in the way changed: %v", err)
	}
	wantFiles(t, dir, "busy")

	// The directory sync fails: reported, the file is in place.
	path := filepath.Join(dir, "state")
	onSyncDir(t, func(string) error { return errors.New("sync refused") })
	if err := Write(path, []byte("new"), 0o600); err == nil || !strings.Contains(err.Error(), "sync directory: sync refused") {
		t.Errorf("failing directory sync: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("after the failing directory sync the file holds %q", b)
	}
	wantFiles(t, dir, "busy", "state")
}

// TestSyncDir: the real directory sync succeeds on a directory and fails
// on a missing one.
func TestSyncDir(t *testing.T) {
	if err := syncDir(t.TempDir()); err != nil {
		t.Errorf("sync of a directory: %v", err)
	}
	if err := syncDir(filepath.Join(t.TempDir(), "gone")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("sync of a missing directory: %v", err)
	}
}

// wantFiles fails unless dir holds exactly names.
func wantFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("files %q, want %q", got, names)
	}
}
