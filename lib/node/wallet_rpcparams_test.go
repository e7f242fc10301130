package node

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/rpc"
)

// TestAddressCreateTimeLockRules: address.create reads its lock params
// as uint32 (-32602 outside that range) and leaves every other rule to
// the wallet's (-8, in the wallet's words), checked before the account
// is created.
func TestAddressCreateTimeLockRules(t *testing.T) {
	n := startWalletNode(t, t.TempDir())
	defer n.node.Close()
	n.must(t, "wallet.create", "pw", walletMnemonic)
	n.must(t, "wallet.unlock", "pw", 0)
	cases := []struct {
		name   string
		params []any
		code   int
		msg    string
	}{
		{"two locks", []any{"vault", 5, 3}, rpc.CodeInvalidParam, "give one of"},
		{"a height that is a time", []any{"vault", 600_000_000}, rpc.CodeInvalidParam, "lock height 600000000"},
		{"too many blocks", []any{"vault", 0, 70_000}, rpc.CodeInvalidParam, "lock blocks 70000"},
		{"a time that is a height", []any{"vault", 0, 0, 5}, rpc.CodeInvalidParam, "lock time 5"},
		{"too many seconds", []any{"vault", 0, 0, 0, 40_000_000}, rpc.CodeInvalidParam, "lock seconds 40000000"},
		{"negative", []any{"vault", -1}, rpc.CodeInvalidParams, "lock_height"},
		{"beyond 32 bits", []any{"vault", 0, 0, 1 << 32}, rpc.CodeInvalidParams, "lock_time"},
	}
	for _, c := range cases {
		if _, re := n.call(t, "address.create", c.params...); re == nil || re.Code != c.code || !strings.Contains(re.Message, c.msg) {
			t.Errorf("%s: %v; want %d containing %q", c.name, re, c.code, c.msg)
		}
	}
	if accts := string(n.must(t, "account.list")); strings.Contains(accts, "vault") {
		t.Errorf("a refused lock created the account: %s", accts)
	}
	if out := string(n.must(t, "address.create", "vault", 500)); !strings.Contains(out, `"lock_height":500`) {
		t.Errorf("a valid lock: %s", out)
	}
}

// TestBalanceAllLocks: balance.all breaks the locked money down by
// release point, and its total is the locked balance.
func TestBalanceAllLocks(t *testing.T) {
	n := startGameNode(t)
	var vault struct{ Address string }
	json.Unmarshal(n.must(t, "address.create", "vault", 500), &vault)
	n.must(t, "tx.send", vault.Address, "2")
	n.must(t, "tx.send", vault.Address, "0.5")
	n.must(t, "generatetoaddress", 1, unquote(t, n.must(t, "getnewaddress")))
	got := string(n.must(t, "balance.all", "vault"))
	for _, want := range []string{`"locked":2.50000000`, `"locks":[{"amount":2.50000000,"coins":2,"until_height":500}]}`} {
		if !strings.Contains(got, want) {
			t.Errorf("balance.all vault: %s, want %s", got, want)
		}
	}
	if got := string(n.must(t, "balance.all", "default")); !strings.Contains(got, `"locked":0.00000000`) || !strings.Contains(got, `"locks":[]}`) {
		t.Errorf("balance.all default: %s, want no locks", got)
	}
}
