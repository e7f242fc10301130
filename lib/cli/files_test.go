package cli

import (
	"errors"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
)

// withFileSizeLimit runs f with files limited to n bytes (RLIMIT_FSIZE):
// a write beyond fails with EFBIG, as on a full disk.
func withFileSizeLimit(t *testing.T, n uint64, f func()) {
	t.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skipf("no RLIMIT_FSIZE: %v", err)
	}
	signal.Ignore(syscall.SIGXFSZ)
	defer signal.Reset(syscall.SIGXFSZ)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: old.Max}); err != nil {
		t.Skipf("cannot limit file sizes: %v", err)
	}
	defer syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old)
	f()
}

func TestWriteNewFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "key")
	if err := WriteNewFile(p, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(p); err != nil || string(b) != "secret\n" {
		t.Fatalf("content %q %v", b, err)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
	// never over an existing file
	if err := WriteNewFile(p, []byte("other\n"), 0o600); !errors.Is(err, fs.ErrExist) {
		t.Errorf("over an existing file: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "secret\n" {
		t.Errorf("existing file changed: %q", b)
	}
	// a failed write leaves nothing behind
	half := filepath.Join(dir, "half")
	var err error
	withFileSizeLimit(t, 4, func() { err = WriteNewFile(half, []byte("a longer secret\n"), 0o600) })
	if err == nil {
		t.Fatal("a write beyond the file size limit succeeded")
	}
	if _, serr := os.Stat(half); !errors.Is(serr, fs.ErrNotExist) {
		t.Errorf("a half-written file is left: %v (write error %v)", serr, err)
	}
}

func TestReplaceFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "backup")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ReplaceFile(p, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(p); err != nil || string(b) != "new" {
		t.Fatalf("content %q %v", b, err)
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v (the old file's mode must not stay)", fi.Mode(), err)
	}
	// a failed write keeps the old file whole and leaves no temporary file
	var err error
	withFileSizeLimit(t, 2, func() { err = ReplaceFile(p, []byte("newer"), 0o600) })
	if err == nil {
		t.Fatal("a write beyond the file size limit succeeded")
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("a failed replace changed the file: %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("files left: %v", ents)
	}
}
