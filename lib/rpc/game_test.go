package rpc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGameDocListsEveryMethod keeps docs/rpc.md's Game section in step
// with the game methods.
func TestGameDocListsEveryMethod(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "rpc.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, m := range (&GameService{}).Methods() {
		if !strings.Contains(doc, "`"+m.Name+"`") {
			t.Errorf("docs/rpc.md does not document %s", m.Name)
		}
	}
}
