package vectors

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Bitcoin Core's vector files, by their names in the shared folder.
const (
	ScriptTests  = "script-tests.json"
	TxValid      = "tx-valid.json"
	TxInvalid    = "tx-invalid.json"
	SighashTests = "sighash-tests.json"
	// FilterValid are BIP158's basic filter vectors (Core's
	// blockfilters.json): no copy in the btcd module.
	FilterValid = "filter-valid.json"
)

// btcdNames maps the Core files to their names in the btcd module's
// txscript/data.
var btcdNames = map[string]string{
	ScriptTests:  "script_tests.json",
	TxValid:      "tx_valid.json",
	TxInvalid:    "tx_invalid.json",
	SighashTests: "sighash.json",
}

// BtcdModule is the module whose txscript/data holds Core's vectors.
const BtcdModule = "github.com/btcsuite/btcd"

// Source says where a vector file was found.
type Source struct {
	Path string
	// Btcd: the copy in the btcd module (an older snapshot of Core's
	// files; see the callers for what that changes).
	Btcd bool
}

func (s Source) String() string {
	if s.Btcd {
		return s.Path + " (the btcd module's copy)"
	}
	return s.Path
}

// ErrNotFound: no place holds the vector file.
var ErrNotFound = errors.New("vectors: not found")

// places are where find looks, in order; empty fields are skipped.
type places struct {
	env    string // $GG_VECTORS
	shared string // ../shared/testdata/vectors beside the repository
	btcd   func() (string, error)
}

// find returns the first place holding name; with env set only env is
// looked at. Core names fall back to the btcd module's copy.
func find(name string, p places) (Source, error) {
	if p.env != "" {
		path := filepath.Join(p.env, name)
		if _, err := os.Stat(path); err != nil {
			return Source{}, fmt.Errorf("%w: %s (GG_VECTORS=%s): %v", ErrNotFound, name, p.env, err)
		}
		return Source{Path: path}, nil
	}
	var tried []string
	if p.shared != "" {
		path := filepath.Join(p.shared, name)
		if _, err := os.Stat(path); err == nil {
			return Source{Path: path}, nil
		}
		tried = append(tried, path)
	}
	if bn, ok := btcdNames[name]; ok && p.btcd != nil {
		dir, err := p.btcd()
		if err != nil {
			tried = append(tried, fmt.Sprintf("the %s module (%v)", BtcdModule, err))
		} else {
			path := filepath.Join(dir, "txscript", "data", bn)
			if _, err := os.Stat(path); err == nil {
				return Source{Path: path, Btcd: true}, nil
			}
			tried = append(tried, path)
		}
	}
	return Source{}, fmt.Errorf("%w: %s (tried %s)", ErrNotFound, name, strings.Join(tried, ", "))
}

// repoRoot is the directory holding go.mod, from the working directory
// (a package's directory under go test) up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("vectors: no go.mod above the working directory")
		}
		dir = parent
	}
}

var btcdDir = sync.OnceValues(func() (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	return moduleDir(root, BtcdModule)
})

// moduleDir asks the go command where module mod of the module at root
// is on disk (the module cache).
func moduleDir(root, mod string) (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("no go command to locate it: %v", err)
	}
	cmd := exec.Command(gobin, "list", "-m", "-f", "{{.Dir}}", mod)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("go list -m %s: %v: %s", mod, err, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", fmt.Errorf("go list -m %s: %v", mod, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("%s is not in the module cache (go mod download)", mod)
	}
	return dir, nil
}

// defaultPlaces are the places of this checkout and environment.
func defaultPlaces() places {
	p := places{env: os.Getenv("GG_VECTORS"), btcd: btcdDir}
	if root, err := repoRoot(); err == nil {
		p.shared = filepath.Join(root, "..", "shared", "testdata", "vectors")
	}
	return p
}

// Skip reports whether GG_SKIP_VECTORS=1 asks vector tests to skip.
func Skip() bool { return os.Getenv("GG_SKIP_VECTORS") == "1" }

// Read returns the vector file name (a Core file, or another file of the
// shared folder) and where it was found. When it is nowhere, the test
// fails, or skips under GG_SKIP_VECTORS=1.
func Read(t testing.TB, name string) ([]byte, Source) {
	t.Helper()
	src, err := find(name, defaultPlaces())
	if err == nil {
		var b []byte
		if b, err = os.ReadFile(src.Path); err == nil {
			return b, src
		}
	}
	if Skip() {
		t.Skipf("%v (GG_SKIP_VECTORS=1)", err)
		return nil, Source{}
	}
	t.Fatalf("%v: set GG_VECTORS to a folder holding it, run go mod download, or set GG_SKIP_VECTORS=1 to skip", err)
	return nil, Source{}
}

// Shared returns the path of a file of the shared vector folder
// ($GG_VECTORS or ../shared/testdata/vectors) that has no copy elsewhere,
// or false: callers run what they have without it.
func Shared(name string) (string, bool) {
	p := defaultPlaces()
	p.btcd = nil
	src, err := find(name, p)
	return src.Path, err == nil
}
