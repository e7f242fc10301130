package node

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/rpc"
)

// TestGameActionMaxFeeRate: the game and contract actions take the
// maxfeerate their fee-ceiling refusal names: below the fee rate the
// action is refused with -4 naming it, 0 lifts the ceiling, and a bad
// value is -32602 before anything is built.
func TestGameActionMaxFeeRate(t *testing.T) {
	n := startGameNode(t)
	// The node's estimate is the relay floor, 0.00001 GG/kvB here.
	_, re := n.call(t, "cp.create", "starfall", "", "", "", 0, "default", true, "0.000001")
	if re == nil || re.Code != rpc.CodeWallet || !strings.Contains(re.Message, rpc.MsgFeeCeiling+" of 0.000001 GG/kvB") ||
		!strings.Contains(re.Message, "maxfeerate") {
		t.Fatalf("cp.create under maxfeerate 0.000001: %v, want -4 naming the ceiling and maxfeerate", re)
	}
	n.must(t, "address.create", "bob")
	var key struct{ Key string }
	json.Unmarshal(n.must(t, "contract.key", "bob"), &key)
	named := map[string]any{"bkey": key.Key, "expiry": 500, "agold": "1", "dryrun": true, "maxfeerate": 1e-06}
	if re := n.callNamed(t, "contract.publish", named); re == nil || re.Code != rpc.CodeWallet || !strings.Contains(re.Message, rpc.MsgFeeCeiling) {
		t.Fatalf("contract.publish under maxfeerate 1e-06: %v, want -4", re)
	}
	res := gameRes(t, n.must(t, "cp.create", "starfall", "", "", "", 0, "default", true, 0))
	if res.Sent || res.TxID == "" {
		t.Fatalf("dry run with no ceiling: %+v", res)
	}
	for _, bad := range []any{"-1", "x", true} {
		if _, re := n.call(t, "prop.found", strings.Repeat("00", 32), "default", true, bad); re == nil || re.Code != rpc.CodeInvalidParams {
			t.Errorf("prop.found maxfeerate %v: %v, want -32602", bad, re)
		}
	}
}
