package stratum

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStratumDoc keeps docs/stratum.md in step with the code: every
// method, error code, reject reason and limit it names, and rpc.md
// documents miner.stratum.info and links the page.
func TestStratumDoc(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "docs", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	doc := read("stratum.md")
	want := []string{MethodSubscribe, MethodAuthorize, MethodSubmit, MethodNotify, MethodSetDifficulty,
		MethodSuggestDifficulty, MethodExtranonceSubscribe, MethodConfigure, "16 KiB", "1fffe000"}
	for _, r := range RejectReasons {
		want = append(want, "`"+r+"`")
	}
	for _, code := range []string{"| 20 |", "| 21 |", "| 22 |", "| 23 |", "| 24 |", "| 25 |"} {
		want = append(want, code)
	}
	for _, w := range want {
		if !strings.Contains(doc, w) {
			t.Errorf("docs/stratum.md lacks %q", w)
		}
	}
	rpc := read("rpc.md")
	for _, w := range []string{"`miner.stratum.info`", "(stratum.md)", "`gg_stratum_shares_rejected_total`"} {
		if !strings.Contains(rpc, w) {
			t.Errorf("docs/rpc.md lacks %q", w)
		}
	}
}
