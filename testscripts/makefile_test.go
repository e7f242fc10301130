package testscripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// makeTarget runs the project's Makefile target with vars, in a scratch
// directory, and returns its combined output.
func makeTarget(t *testing.T, target string, vars ...string) string {
	t.Helper()
	mk, err := filepath.Abs(filepath.Join("..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	bin, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make not found")
	}
	cmd := exec.Command(bin, append([]string{"-s", "-f", mk, target}, vars...)...)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make %s: %v\n%s", target, err, out)
	}
	return string(out)
}

func touch(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestMakeClean: make clean removes the build output only; make
// clean-regtest removes the regtest chain data and keeps wallet.db (and
// the user's files) unless FORCE=1.
func TestMakeClean(t *testing.T) {
	dir := t.TempDir()
	bin, data := filepath.Join(dir, "bin"), filepath.Join(dir, "regtest")
	chainFiles := []string{"chain.db", "blocks/blk00000.dat", "mempool.dat", "contracts.dat", "rpc.addr", ".cookie", "peers.json", "banlist.json", "p2p.addr", "public.addr"}
	keep := []string{"wallet.db", "pass.txt", "key.wif"}
	var all []string
	for _, f := range append(chainFiles, keep...) {
		all = append(all, filepath.Join(data, f))
	}
	touch(t, append(all, filepath.Join(bin, "gg-node"))...)

	makeTarget(t, "clean", "BIN="+bin, "DATADIR="+data)
	if exists(bin) {
		t.Error("make clean left the build output")
	}
	for _, p := range all {
		if !exists(p) {
			t.Errorf("make clean removed %s", p)
		}
	}

	out := makeTarget(t, "clean-regtest", "BIN="+bin, "DATADIR="+data)
	for _, f := range chainFiles {
		if exists(filepath.Join(data, f)) {
			t.Errorf("make clean-regtest left %s", f)
		}
	}
	for _, f := range keep {
		if !exists(filepath.Join(data, f)) {
			t.Errorf("make clean-regtest removed %s without FORCE=1", f)
		}
	}
	if !strings.Contains(out, "wallet.db") || !strings.Contains(out, "FORCE=1") {
		t.Errorf("make clean-regtest does not say it kept the wallet:\n%s", out)
	}

	// The README says what clean-regtest removes.
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sentence, _ := strings.Cut(string(readme), "`make clean-regtest`\nremoves")
	sentence, _, _ = strings.Cut(sentence, ".\n")
	for _, f := range chainFiles {
		if dir, _, ok := strings.Cut(f, "/"); ok {
			f = dir + "/"
		}
		if !strings.Contains(sentence, "`"+f+"`") {
			t.Errorf("the README's clean-regtest sentence lacks %s: %q", f, sentence)
		}
	}

	makeTarget(t, "clean-regtest", "BIN="+bin, "DATADIR="+data, "FORCE=1")
	if exists(data) {
		t.Error("make clean-regtest FORCE=1 left the datadir")
	}
	// Nothing to clean is fine.
	makeTarget(t, "clean-regtest", "BIN="+bin, "DATADIR="+data)
}
