package testscripts

import (
	"bufio"
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A client call (gg-node rpc, gg-wallet balance ...) starts a whole
// binary, which initializes every package it links before main runs
// (docs/performance.md "Client start-up"). startupBudget keeps that work
// a client's: it bounds, per binary, the sum over its packages of what
// GODEBUG=inittrace=1 reports. Allocations are counted, not timed: the
// same on a busy machine.
//
// Measured when set (go1.26, make build's TAGS): gg-node 5,550
// allocations / 1,367,392 bytes (it links the daemon: Prometheus),
// gg-wallet 3,664 / 1,097,736 (5,495 / 1,347,376 while it linked lib/node
// for serve), gg-tx 3,485 / 1,067,960, gg-prop 3,284 / 1,029,576,
// gg-contract 3,280 / 1,029,256; before the lazy initialization gg-node
// made 7,580 allocations of 2,460,784 bytes, and 5,547 of 2,043,328 with
// go-bip39's word lists (686 KB). What is left is in dependencies:
// tablewriter's width cache (663 KB), gojq, Prometheus. The bounds leave
// about 5 % for growth (gg-node about 3 %): a package that builds its tables in init (lib/cli's
// regexps, 1,308 allocations, the markdown library, 762, or the word lists
// of every BIP39 language) does not fit, nor lib/node in gg-wallet.
var startupBudget = map[string]struct{ allocs, bytes int }{
	"gg-node":     {5700, 1375 << 10},
	"gg-wallet":   {3850, 1125 << 10},
	"gg-tx":       {3650, 1100 << 10},
	"gg-prop":     {3450, 1060 << 10},
	"gg-contract": {3450, 1060 << 10},
}

// ownInitBytes bounds what one of the project's own packages may allocate
// in its init: a table of a few dozen entries fits, one of hundreds (an
// opcode-name map, every RPC param's type) is built on first use instead.
const ownInitBytes = 5 << 10

// heavyInits are packages whose init builds large tables no client call
// needs: none of them may be linked into a binary as make build builds it.
var heavyInits = []string{
	"github.com/russross/blackfriday/v2", // man-page markdown (urfave/cli's ToMan; tests only)
	"github.com/cpuguy83/go-md2man/v2/md2man",
	"github.com/tyler-smith/go-bip39", // all eight languages' word lists and maps: 686 KB (lib/wallet's bip39.go has English, on first use)
}

// daemonSymbols are prefixes of symbols only the node needs: its
// composition root, P2P and sync, the chain's own methods (block
// connect, reorgs) and Prometheus. The thin clients link none of them
// (gg-wallet serve runs on lib/wallethost, not lib/node): the node's
// packages' inits and larger binary cost every call about 150 page
// faults. gg-node links all of them, so the names are checked to be
// real.
var daemonSymbols = []string{
	"github.com/gamegold/gg/lib/node.",
	"github.com/gamegold/gg/lib/p2p.",
	"github.com/gamegold/gg/lib/netsync.",
	"github.com/gamegold/gg/lib/chain.(*Chain).",
	"github.com/prometheus/",
}

// thinClients are the binaries that must not link daemonSymbols.
var thinClients = []string{"gg-wallet", "gg-tx", "gg-prop", "gg-contract"}

// linkedPrefixes returns, of prefixes, those some symbol of bin (go tool
// nm) starts with, and one such symbol each.
func linkedPrefixes(t *testing.T, bin string, prefixes []string) map[string]string {
	t.Helper()
	out, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm %s: %v", bin, err)
	}
	found := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 {
			continue
		}
		sym := strings.Join(f[2:], " ")
		for _, p := range prefixes {
			if _, ok := found[p]; !ok && strings.HasPrefix(sym, p) {
				found[p] = sym
			}
		}
	}
	return found
}

// makefileVar returns the value the Makefile assigns to name ("" if none).
func makefileVar(t *testing.T, name string) string {
	t.Helper()
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s*[:?]?=[ \t]*(.*)$`)
	m := re.FindSubmatch(mk)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(string(m[1]))
}

// initTrace sums the allocations and bytes of bin's package inits (run
// with args under GODEBUG=inittrace=1) and lists the packages traced,
// with the bytes each allocated.
func initTrace(t *testing.T, bin string, args ...string) (allocs, size int, pkgs map[string]int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", bin, args, err, stderr.String())
	}
	// init PKG @T ms, C ms clock, B bytes, A allocs
	line := regexp.MustCompile(`^init (\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs$`)
	pkgs = map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(stderr.String()))
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		b, _ := strconv.Atoi(m[2])
		a, _ := strconv.Atoi(m[3])
		size += b
		allocs += a
		pkgs[m[1]] = b
	}
	if len(pkgs) == 0 {
		t.Fatalf("%s: no inittrace lines in:\n%s", bin, stderr.String())
	}
	return allocs, size, pkgs
}

// elfInterpreter returns the program interpreter (dynamic loader) an ELF
// binary names, "" for a static one (or a binary that is not ELF).
func elfInterpreter(t *testing.T, bin string) string {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		return ""
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err != nil {
				t.Fatal(err)
			}
			return strings.TrimRight(string(b), "\x00")
		}
	}
	return ""
}

// TestClientStartup builds each binary as make build does (its TAGS) and
// checks that it is linked statically (no dynamic loader and libc to
// start: about 60 page faults a call), that its package inits stay within
// its startupBudget, that none of the project's own allocates more than
// ownInitBytes, and that no package of heavyInits is linked in.
func TestClientStartup(t *testing.T) {
	tags := makefileVar(t, "TAGS")
	dir := t.TempDir()
	build := exec.Command("go", "build", "-tags", tags, "-o", dir+string(filepath.Separator), "./cmd/...")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Run("daemon-only", func(t *testing.T) {
		if found := linkedPrefixes(t, filepath.Join(dir, "gg-node"), daemonSymbols); len(found) != len(daemonSymbols) {
			t.Fatalf("gg-node links only %v of %v: the daemon's symbol names changed", found, daemonSymbols)
		}
		for _, name := range thinClients {
			for p, sym := range linkedPrefixes(t, filepath.Join(dir, name), daemonSymbols) {
				t.Errorf("%s links %s (%s), which only the node needs", name, strings.TrimSuffix(p, "."), sym)
			}
		}
	})
	for name, budget := range startupBudget {
		t.Run(name, func(t *testing.T) {
			bin := filepath.Join(dir, name)
			list := exec.Command("go", "list", "-tags", tags, "-deps", "./cmd/"+name)
			list.Dir = ".."
			deps, err := list.Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", name, err)
			}
			for _, h := range heavyInits {
				if bytes.Contains(append([]byte("\n"), deps...), []byte("\n"+h+"\n")) {
					t.Errorf("%s links %s, whose init no client call needs", name, h)
				}
			}
			if interp := elfInterpreter(t, bin); interp != "" {
				t.Errorf("%s is linked dynamically (loaded by %s): the loader and libc's start-up cost every call; want the Makefile's TAGS to keep cgo out (netgo osusergo)", name, interp)
			}
			allocs, size, pkgs := initTrace(t, bin, "--version")
			t.Logf("%s: package inits: %d allocs, %d bytes, %d packages", name, allocs, size, len(pkgs))
			for pkg, b := range pkgs {
				if strings.HasPrefix(pkg, "github.com/gamegold/gg/") && b > ownInitBytes {
					t.Errorf("%s: %s allocates %d bytes in its init, more than %d: build its tables on first use", name, pkg, b, ownInitBytes)
				}
			}
			if allocs > budget.allocs || size > budget.bytes {
				t.Errorf("%s: package inits allocate %d times, %d bytes: want at most %d and %d (GODEBUG=inittrace=1 %s --version names them)",
					name, allocs, size, budget.allocs, budget.bytes, name)
			}
		})
	}
}
