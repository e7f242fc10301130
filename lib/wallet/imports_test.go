package wallet

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// forbiddenImports are the packages lib/wallet must never depend on
// (architecture §2: it sees the chain only through ChainClient).
var forbiddenImports = []string{
	"github.com/gamegold/gg/lib/chain",
	"github.com/gamegold/gg/lib/mempool",
	"github.com/gamegold/gg/lib/node",
}

func TestNoChainImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("glob: %v (%d files)", err, len(files))
	}
	fset := token.NewFileSet()
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			for _, bad := range forbiddenImports {
				if p == bad {
					t.Errorf("%s imports %s", f, p)
				}
			}
		}
	}
	// Transitively too, when the go command is at hand.
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Log("go command not found: transitive check skipped")
		return
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").Output()
	if err != nil {
		t.Logf("go list: %v: transitive check skipped", err)
		return
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range forbiddenImports {
			if dep == bad {
				t.Errorf("lib/wallet depends on %s", dep)
			}
		}
	}
}
