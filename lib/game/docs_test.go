package game

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestProtocolDocVectors checks that docs/protocol.md §6.7 shows the
// payloads of the test vectors, in order, and the id vectors of §6.2.
func TestProtocolDocVectors(t *testing.T) {
	raw, err := os.ReadFile("../../docs/protocol.md")
	if err != nil {
		t.Skipf("docs/protocol.md not found: %v", err)
	}
	doc := string(raw)
	start, end := strings.Index(doc, "### 6.7"), strings.Index(doc, "### 6.8")
	if start < 0 || end < start {
		t.Fatal("docs/protocol.md has no §6.7 test vectors section")
	}
	blocks := regexp.MustCompile("(?s)```\n(.*?)```").FindAllStringSubmatch(doc[start:end], -1)
	if len(blocks) != len(vectors) {
		t.Fatalf("§6.7 has %d vectors, the tests %d", len(blocks), len(vectors))
	}
	for i, b := range blocks {
		got := strings.NewReplacer(" ", "", "\n", "").Replace(b[1])
		if got != vectors[i].hex {
			t.Errorf("§6.7 vector %d (%s):\n doc  %s\n test %s", i, vectors[i].name, got, vectors[i].hex)
		}
	}
	for _, v := range []string{producerIDVector, propIDVector} {
		if !strings.Contains(doc, v) {
			t.Errorf("§6.2 lacks id vector %s", v)
		}
	}
}
