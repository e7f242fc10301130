package rpc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRPCDocListsEveryMethod keeps docs/rpc.md in step with the methods
// the node registers.
func TestRPCDocListsEveryMethod(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "rpc.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	methods := append((&NodeService{}).Methods(), NewServer(&Auth{}, Limits{}, nil).Methods()...)
	methods = append(methods, (&TokenService{}).Methods()...)
	for _, m := range methods {
		if !strings.Contains(doc, "`"+m.Name+"`") {
			t.Errorf("docs/rpc.md does not document %s", m.Name)
		}
	}
}
