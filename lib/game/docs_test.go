package game

import (
	"crypto/sha256"
	"encoding/hex"
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

// TestProtocolContractVectors checks that docs/protocol.md §7.8 shows the
// contract vectors, in order: the keys, the escrow terms, their id and
// escrow script, the no-hash escrow script, the swap terms and id, and
// the two record payloads.
func TestProtocolContractVectors(t *testing.T) {
	raw, err := os.ReadFile("../../docs/protocol.md")
	if err != nil {
		t.Skipf("docs/protocol.md not found: %v", err)
	}
	doc := string(raw)
	start := strings.Index(doc, "### 7.8")
	if start < 0 {
		t.Fatal("docs/protocol.md has no §7.8 contract vectors section")
	}
	end := strings.Index(doc[start:], "\n## ")
	if end < 0 {
		end = len(doc) - start
	}
	sec := doc[start : start+end]
	want := []string{
		"A=" + hex.EncodeToString(pubA) + "B=" + hex.EncodeToString(pubB),
		termsVectorHex, contractIDVector, escrowScriptVector, noHashEscrowScriptVector,
		swapTermsVectorHex, swapContractIDVector, contractVectors[0].hex, contractVectors[1].hex,
	}
	blocks := regexp.MustCompile("(?s)```\n(.*?)```").FindAllStringSubmatch(sec, -1)
	if len(blocks) != len(want) {
		t.Fatalf("§7.8 has %d blocks, the tests %d", len(blocks), len(want))
	}
	for i, b := range blocks {
		if got := strings.NewReplacer(" ", "", "\n", "").Replace(b[1]); got != want[i] {
			t.Errorf("§7.8 block %d:\n doc  %s\n test %s", i, got, want[i])
		}
	}
	for _, v := range []string{escrowPkScriptVector, hex.EncodeToString(secretHash[:]), idOf("contract").String()} {
		if !strings.Contains(sec, v) {
			t.Errorf("§7.8 lacks %s", v)
		}
	}
	if h := sha256Hex(secret); !strings.Contains(sec, h) || sha256Hex([]byte(secretText)) != hex.EncodeToString(secret) || !strings.Contains(sec, hex.EncodeToString(secret)) {
		t.Error("§7.8 secret")
	}
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
