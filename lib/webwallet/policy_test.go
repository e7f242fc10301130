package webwallet_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/explorer"
	"github.com/gamegold/gg/lib/webwallet"
)

// directives splits a Content-Security-Policy into its directives'
// sources.
func directives(policy string) map[string][]string {
	m := map[string][]string{}
	for _, d := range strings.Split(policy, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			m[f[0]] = f[1:]
		}
	}
	return m
}

// TestWalletPolicyExtendsExplorer: the wallet's policy is the explorer's
// (lib/webwallet cannot import lib/explorer, a package of its layer, so
// it restates it) with only WebAssembly compilation in script-src and
// manifest-src, worker-src 'self' added: a change to the explorer's
// policy that the wallet's misses fails here.
func TestWalletPolicyExtendsExplorer(t *testing.T) {
	ex, w := directives(explorer.ContentSecurityPolicy), directives(webwallet.ContentSecurityPolicy)
	added := map[string][]string{"script-src": {"'wasm-unsafe-eval'"}, "manifest-src": {"'self'"}, "worker-src": {"'self'"}}
	want := map[string][]string{}
	for d, src := range ex {
		want[d] = slices.Clone(src)
	}
	for d, src := range added {
		want[d] = append(want[d], src...)
	}
	for d, src := range want {
		if got, ok := w[d]; !ok || !slices.Equal(sorted(got), sorted(src)) {
			t.Errorf("wallet %s %q, want the explorer's and the wallet's additions: %q", d, got, src)
		}
	}
	for d := range w {
		if _, ok := want[d]; !ok {
			t.Errorf("wallet directive %s is neither the explorer's nor an addition", d)
		}
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
