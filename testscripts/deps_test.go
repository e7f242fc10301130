package testscripts

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/node"
	"github.com/gamegold/gg/lib/p2p"
	"github.com/gamegold/gg/lib/rpc"
)

const module = "github.com/gamegold/gg/"

// layer numbers follow the package map: a package may import only packages
// of a strictly lower layer (or its own sub-packages).
var layers = map[string]int{
	"lib/chainhash": 0, "lib/amount": 0, "lib/version": 0, "lib/internal": 0, "lib/sha256d": 0, "lib/siphash": 0,
	"lib/wire": 1, "lib/chaincfg": 2,
	"lib/address": 3, "lib/keys": 3, "lib/script": 3, "lib/gcs": 3,
	"lib/game": 4, "lib/store": 4, "lib/blockfile": 4, "lib/chaingen": 4,
	"lib/chain": 5, "lib/index": 6, "lib/mempool": 6, "lib/mining": 7,
	"lib/p2p": 8, "lib/netsync": 9, "lib/rpc": 8, "lib/stratum": 8, "lib/wallet": 8,
	"lib/spv": 10, "lib/netsim": 10, "lib/node": 12, "lib/tui": 12, "lib/cli": 13,
	"lib/explorer": 11, "lib/wallethost": 11, "lib/h5wallet": 9, "lib/webwallet": 11,
}

// consensus packages must not depend on network, RPC, wallet, CLI or
// terminal code, directly or transitively.
var consensus = []string{"lib/wire", "lib/chaincfg", "lib/script", "lib/game", "lib/chain"}

var consensusBanned = []string{
	"net/http", "net/rpc", module + "lib/rpc", module + "lib/p2p", module + "lib/netsync",
	module + "lib/wallet", module + "lib/cli", module + "lib/tui", module + "lib/node",
	"github.com/urfave/cli", "github.com/charmbracelet", "github.com/olekukonko/tablewriter",
	"github.com/coder/websocket", "golang.org/x/term",
}

type goPkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func listPackages(t *testing.T) []goPkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps=false", "-json", "./lib/...")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []goPkg
	for dec.More() {
		var p goPkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// top returns the lib/<name> an import path belongs to, or "".
func top(path string) string {
	rest, ok := strings.CutPrefix(path, module)
	if !ok || !strings.HasPrefix(rest, "lib/") {
		return ""
	}
	parts := strings.SplitN(rest, "/", 3)
	return parts[0] + "/" + parts[1]
}

func TestDependencyLayers(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) == 0 {
		t.Fatal("no packages listed")
	}
	for _, p := range pkgs {
		self := top(p.ImportPath)
		lv, ok := layers[self]
		if !ok {
			t.Errorf("%s: package not in the layer map; add it to deps_test.go", p.ImportPath)
			continue
		}
		for _, imp := range p.Imports {
			other := top(imp)
			if other == "" || other == self {
				continue
			}
			if ol, ok := layers[other]; ok && ol >= lv {
				t.Errorf("%s (layer %d) imports %s (layer %d): only lower layers allowed", p.ImportPath, lv, imp, ol)
			}
		}
	}
}

func TestConsensusBans(t *testing.T) {
	for _, p := range listPackages(t) {
		isConsensus := false
		for _, c := range consensus {
			if top(p.ImportPath) == c {
				isConsensus = true
			}
		}
		if !isConsensus {
			continue
		}
		cmd := exec.Command("go", "list", "-deps", p.ImportPath)
		cmd.Dir = ".."
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", p.ImportPath, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, ban := range consensusBanned {
				if dep == ban || strings.HasPrefix(dep, ban+"/") {
					t.Errorf("consensus package %s depends on banned %s", p.ImportPath, dep)
				}
			}
		}
	}
}

// The wallet sees the chain only through its own interface.
func TestWalletIndependentOfChain(t *testing.T) {
	for _, p := range listPackages(t) {
		if top(p.ImportPath) != "lib/wallet" {
			continue
		}
		for _, imp := range p.Imports {
			if o := top(imp); o == "lib/chain" || o == "lib/mempool" || o == "lib/node" {
				t.Errorf("%s imports %s", p.ImportPath, imp)
			}
		}
	}
}

// TestDocsNamePackages: the README's Layout block and the package table
// of docs/architecture.md (§4) name every lib/ package that exists, and
// neither calls one planned; §3's table names every file gg-node keeps in
// its datadir.
func TestDocsNamePackages(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	arch, err := os.ReadFile("../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	_, layout, _ := strings.Cut(string(readme), "## Layout")
	_, pkgs, _ := strings.Cut(string(arch), "## 4.")
	pkgs, _, _ = strings.Cut(pkgs, "## 5.")
	_, files, _ := strings.Cut(string(arch), "## 3.")
	files, _, _ = strings.Cut(files, "## 4.")
	planned := regexp.MustCompile(`(?s)\*Planned\*.*?(\n\n|$)`)
	existing := map[string]bool{}
	for _, p := range listPackages(t) {
		if pk := top(p.ImportPath); pk != "" && pk != "lib/internal" {
			existing[pk] = true
		}
	}
	for pk := range existing {
		if !strings.Contains(layout, pk+" ") && !strings.Contains(layout, pk+"/") {
			t.Errorf("README Layout lacks %s", pk)
		}
		if !strings.Contains(pkgs, "`"+pk+"`") {
			t.Errorf("docs/architecture.md §4 lacks %s", pk)
		}
		for _, doc := range []string{string(arch), string(readme)} {
			for _, m := range planned.FindAllString(doc, -1) {
				if strings.Contains(m, "`"+pk+"`") || strings.Contains(m, "peer-to-peer") {
					t.Errorf("%s is called planned: %q", pk, m)
				}
			}
		}
	}
	for _, dir := range []string{"cmd/", "man/", "completions/", "testscripts/", "docs/"} {
		if !strings.Contains(layout, "\n"+dir) && !strings.Contains(layout, " "+dir) {
			t.Errorf("README Layout lacks %s", dir)
		}
	}
	for _, f := range []string{node.ChainDBFile, node.MempoolFile, node.WalletDBFile, rpc.AddrFile, rpc.CookieFile,
		p2p.AddrFile, p2p.BanFile, node.P2PAddrFile} {
		if !strings.Contains(files, "`"+f+"`") {
			t.Errorf("docs/architecture.md §3 lacks %s", f)
		}
	}
	_, start, _ := strings.Cut(string(arch), "## 5.")
	if start, _, _ = strings.Cut(start, "```"); !strings.Contains(start, "start P2P") {
		t.Error("docs/architecture.md §5 lacks the P2P step of the start")
	}
}
