package node

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/rpc"
)

// gameResult is an action's result.
type gameResult struct {
	TxID    string `json:"txid"`
	Sent    bool   `json:"sent"`
	Hex     string `json:"hex"`
	Objects []struct {
		Kind string `json:"kind"`
		ID   string `json:"id"`
	} `json:"objects"`
}

func gameRes(t *testing.T, raw json.RawMessage) gameResult {
	t.Helper()
	var r gameResult
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("not a game result: %s", raw)
	}
	return r
}

// startGameNode is a wallet node with 101 blocks mined to the wallet,
// unlocked.
func startGameNode(t *testing.T, mod ...func(*Config)) *walletNode {
	t.Helper()
	n := startWalletNode(t, t.TempDir(), mod...)
	t.Cleanup(func() { n.node.Close() })
	n.must(t, "wallet.create", "pw", walletMnemonic)
	n.must(t, "wallet.unlock", "pw", 0)
	mine := unquote(t, n.must(t, "getnewaddress"))
	n.must(t, "generatetoaddress", 101, mine)
	return n
}

// TestGameMethods calls every game method once with good params and once
// with bad ones on a regtest node whose wallet registers a producer,
// creates, sends, destroys and auctions props.
func TestGameMethods(t *testing.T) {
	n := startGameNode(t)
	other := unquote(t, n.must(t, "address.create", "bob"))
	mine := unquote(t, n.must(t, "getnewaddress"))
	gen := func() { n.must(t, "generatetoaddress", 1, mine) }
	n.must(t, "tx.send", other, "5")
	gen()

	// A producer is invisible by name until mined.
	reg := gameRes(t, n.must(t, "cp.create", "starfall", "https://starfall.example", "", "rpg", 15))
	pid := reg.Objects[0].ID
	if _, re := n.call(t, "cp.byName", "Starfall"); re == nil || re.Code != rpc.CodeInvalidAddress {
		t.Fatalf("cp.byName before mining: %v", re)
	}
	gen()
	created := gameRes(t, n.must(t, "prop.createlist", "starfall", []map[string]any{
		{"oid": "sword", "gold": "0.001"}, {"oid": "shield", "gold": 0.0002}, {"oid": "gem", "gold": "0.0001"}, {"oid": "orb", "gold": "0.0001"}}))
	if len(created.Objects) != 4 {
		t.Fatalf("created %+v", created)
	}
	sword, shield, gem, orb := created.Objects[0].ID, created.Objects[1].ID, created.Objects[2].ID, created.Objects[3].ID
	gen()
	one := gameRes(t, n.must(t, "prop.create", pid, "ring", "0.0001"))
	gen()
	// Gem goes on sale; bob bids.
	n.must(t, "prop.sale", gem, "1")
	n.must(t, "prop.buy", gem, "0.5", "bob")

	bad := strings.Repeat("zz", 32)
	unknown := strings.Repeat("ab", 32)
	cases := []struct {
		method string
		good   []any
		want   string
		bad    []any
		code   int
	}{
		{"cp.byId", []any{pid}, `"name":"starfall"`, []any{unknown}, rpc.CodeInvalidAddress},
		{"cp.byName", []any{"STARFALL"}, `"share":15`, []any{"ab"}, rpc.CodeInvalidParam},
		{"cp.list", []any{"star", "RPG"}, `"total":1`, []any{"", "", "notanaddress"}, rpc.CodeInvalidAddress},
		{"cp.mine", nil, `"confirmed":true`, []any{"nosuch"}, rpc.CodeInvalidParam},
		{"cp.create", []any{"moonrise", "", "10.0.0.1", "", 0, "default", true}, `"hex"`, []any{"moonrise", "", "", "", 50}, rpc.CodeInvalidParam},
		{"cp.change", []any{pid, nil, "https://new.example", nil, nil, nil, "", "default", true}, `"sent":false`, []any{pid, "x"}, rpc.CodeInvalidParam},
		{"prop.byid", []any{sword}, `"oid":"sword"`, []any{bad}, rpc.CodeInvalidParam},
		{"prop.byaddress", []any{other}, `[]`, []any{"nope"}, rpc.CodeInvalidAddress},
		{"prop.list", []any{"starfall"}, `"total":5`, []any{}, rpc.CodeInvalidParam},
		{"prop.bidlist", []any{gem}, `"bid":0.5`, []any{bad}, rpc.CodeInvalidParam},
		{"prop.history", []any{sword}, `"op":"prop-create"`, []any{"x"}, rpc.CodeInvalidParam},
		{"prop.mine", []any{"default"}, sword, []any{"nosuch"}, rpc.CodeInvalidParam},
		{"prop.create", []any{"starfall", "axe", "0.0001", other}, `"kind":"prop"`, []any{"starfall", "axe", "0.00009999"}, rpc.CodeInvalidParam},
		{"prop.createlist", []any{pid, []map[string]any{{"gold": 0.0001}}, "default", true}, `"hex"`, []any{pid, []map[string]any{}}, rpc.CodeInvalidParam},
		{"prop.send", []any{other, shield}, `"sent":true`, []any{other, unknown}, rpc.CodeInvalidParam},
		{"prop.sendlist", []any{[]map[string]any{{"address": other, "prop": sword}}}, `"sent":true`, []any{[]map[string]any{{"address": "x", "prop": sword}}}, rpc.CodeInvalidAddress},
		{"prop.found", []any{[]string{orb}}, `"sent":true`, []any{one.TxID}, rpc.CodeInvalidParam},
		{"prop.sale", []any{one.Objects[0].ID, "2", "0", 0, "default", true}, `"hex"`, []any{gem, "0.5", "1"}, rpc.CodeInvalidParam},
		{"prop.buy", []any{gem, "1", "bob"}, `"sent":true`, []any{gem, "2", "bob"}, rpc.CodeVerifyRejected},
	}
	for _, c := range cases {
		out, re := n.call(t, c.method, c.good...)
		if re != nil {
			t.Errorf("%s %v: %v", c.method, c.good, re)
		} else if !strings.Contains(string(out), c.want) {
			t.Errorf("%s: result %.400s lacks %q", c.method, out, c.want)
		}
		if _, re := n.call(t, c.method, c.bad...); re == nil || re.Code != c.code {
			t.Errorf("%s %v: error %v, want code %d", c.method, c.bad, re, c.code)
		}
	}
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.method] = true
	}
	for _, m := range (&rpc.GameService{}).Methods() {
		if !seen[m.Name] {
			t.Errorf("method %s has no handler test", m.Name)
		}
	}
	// The buy-now bid settles in the next block: bob owns the gem.
	gen()
	var p struct {
		Owner     string `json:"owner"`
		LastPrice json.Number
	}
	json.Unmarshal(n.must(t, "prop.byid", gem), &p)
	var bobProps []struct{ ID string }
	json.Unmarshal(n.must(t, "prop.mine", "bob"), &bobProps)
	found := false
	for _, bp := range bobProps {
		found = found || bp.ID == gem
	}
	if !found {
		t.Errorf("bob's props after settlement: %+v (prop %+v)", bobProps, p)
	}
}
