package node

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/rpc"
)

// bearer sends a request to n's RPC listener with "Authorization: Bearer
// tok" and returns the status and the body.
func (n *walletNode) bearer(t *testing.T, method, path, tok, body string) (int, string) {
	t.Helper()
	addr, err := os.ReadFile(filepath.Join(n.dir, rpc.AddrFile))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(method, "http://"+strings.TrimSpace(string(addr))+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// TestNodeTokens: a token limited to prop.* reads props and is refused
// wallet.send and tx.send (-2 not allowed) and a REST route (403); with
// rest it gets the route; revoked, it is refused on JSON-RPC and routes
// and the Access a route (the WebSocket) holds turns revoked; a restart
// keeps the tokens, not the revoked one.
func TestNodeTokens(t *testing.T) {
	dir := t.TempDir()
	n := startGameNode2(t, dir)
	mine := unquote(t, n.must(t, "getnewaddress"))
	n.must(t, "cp.create", "starfall", "https://starfall.example", "", "rpg", 15)
	n.must(t, "generatetoaddress", 1, mine)
	ring := gameRes(t, n.must(t, "prop.create", "starfall", "ring", "0.001")).Objects[0].ID
	n.must(t, "generatetoaddress", 1, mine)

	// A route beside the REST routes (which are another branch's): the
	// test's own prefix, with the REST permission.
	var held *rpc.Access
	n.node.rpc.Handle(rpc.Route{Prefix: "/rest/tokentest/", Perm: rpc.RESTPerm, Handler: func(w http.ResponseWriter, r *http.Request, a *rpc.Access) {
		held = a
		io.WriteString(w, `{"ok":true}`)
	}})
	var props, reader rpc.TokenCreated
	json.Unmarshal(n.must(t, "token.create", "partner", []string{"prop.*"}), &props)
	json.Unmarshal(n.must(t, "token.create", "reader", "prop.*,rest"), &reader)
	if props.Token == "" || reader.Token == "" {
		t.Fatalf("tokens %+v %+v", props, reader)
	}
	byID := `{"method":"prop.byid","params":["` + ring + `"],"id":1}`
	if code, body := n.bearer(t, "POST", "/", props.Token, byID); code != 200 || !strings.Contains(body, `"oid":"ring"`) {
		t.Errorf("prop.byid: %d %s", code, body)
	}
	for _, m := range []string{"wallet.send", "tx.send", "sendtoaddress", "getblockcount", "token.list"} {
		code, body := n.bearer(t, "POST", "/", props.Token, `{"method":"`+m+`","params":["`+mine+`","1"],"id":1}`)
		if code != 403 || !strings.Contains(body, `"code":-2`) || !strings.Contains(body, "not allowed for token:partner") {
			t.Errorf("%s: %d %s, want -2 not allowed", m, code, body)
		}
	}
	if code, body := n.bearer(t, "GET", "/rest/tokentest/x", props.Token, ""); code != 403 {
		t.Errorf("REST without rest: %d %s, want 403", code, body)
	}
	if code, body := n.bearer(t, "GET", "/rest/tokentest/x", reader.Token, ""); code != 200 || held == nil || held.Revoked() {
		t.Errorf("REST with rest: %d %s", code, body)
	}

	n.must(t, "token.revoke", "reader")
	if !held.Revoked() || held.Allows(rpc.RESTPerm) {
		t.Error("the Access of a live login still allows after revoke")
	}
	if code, _ := n.bearer(t, "POST", "/", reader.Token, byID); code != 401 {
		t.Errorf("revoked, JSON-RPC: %d, want 401", code)
	}
	if code, _ := n.bearer(t, "GET", "/rest/tokentest/x", reader.Token, ""); code != 401 {
		t.Errorf("revoked, REST: %d, want 401", code)
	}

	n.node.Close()
	n = startWalletNode(t, dir)
	t.Cleanup(func() { n.node.Close() })
	var list []rpc.TokenInfo
	json.Unmarshal(n.must(t, "token.list"), &list)
	if len(list) != 1 || list[0].Name != "partner" || !slices.Equal(list[0].Grants, []string{"prop.*"}) {
		t.Errorf("after restart: %+v", list)
	}
	if code, body := n.bearer(t, "POST", "/", props.Token, byID); code != 200 || !strings.Contains(body, `"oid":"ring"`) {
		t.Errorf("prop.byid after restart: %d %s", code, body)
	}
	if code, _ := n.bearer(t, "POST", "/", reader.Token, byID); code != 401 {
		t.Errorf("revoked token after restart: %d, want 401", code)
	}
}

// startGameNode2 is startGameNode on dir, closed by the test.
func startGameNode2(t *testing.T, dir string) *walletNode {
	t.Helper()
	n := startWalletNode(t, dir)
	n.must(t, "wallet.create", "pw", walletMnemonic)
	n.must(t, "wallet.unlock", "pw", 0)
	n.must(t, "generatetoaddress", 101, unquote(t, n.must(t, "getnewaddress")))
	return n
}

// TestNodeAccountToken: a token bound to an account acts on it only:
// balances and addresses of that account, sends from it, another account
// and wallet-wide methods refused; the account must exist.
func TestNodeAccountToken(t *testing.T) {
	n := startGameNode(t)
	n.must(t, "account.create", "shop")
	shopAddr := unquote(t, n.must(t, "address.create", "shop"))
	n.must(t, "tx.send", shopAddr, "10")
	n.must(t, "generatetoaddress", 1, unquote(t, n.must(t, "getnewaddress")))
	if _, re := n.call(t, "token.create", "x", "*", "nosuch"); re == nil || re.Code != rpc.CodeInvalidParam {
		t.Errorf("token for a missing account: %v", re)
	}
	var shop rpc.TokenCreated
	json.Unmarshal(n.must(t, "token.create", "shop", "*", "shop"), &shop)
	call := func(method string, params ...any) (int, string) {
		b, _ := json.Marshal(map[string]any{"method": method, "params": params, "id": 1})
		return n.bearer(t, "POST", "/", shop.Token, string(b))
	}
	if code, body := call("getbalance"); code != 200 || !strings.Contains(body, `"result":10.`) {
		t.Errorf("getbalance of the bound account: %d %s", code, body)
	}
	if code, body := call("address.list"); code != 200 || !strings.Contains(body, shopAddr) || strings.Contains(body, `"default"`) {
		t.Errorf("address.list: %d %.300s", code, body)
	}
	if code, body := call("tx.send", shopAddr, "1"); code != 200 {
		t.Errorf("tx.send from the bound account: %d %s", code, body)
	}
	for _, c := range []struct {
		method string
		params []any
	}{
		{"getbalance", []any{"default"}},
		{"getbalance", []any{"*"}},
		{"tx.send", []any{shopAddr, "1", false, "default"}},
		{"prop.mine", []any{"default"}},
		{"wallet.backup", []any{"x"}},
		{"key.export.private", []any{shopAddr}},
		{"token.list", nil},
	} {
		if code, body := call(c.method, c.params...); code != 403 || !strings.Contains(body, `"code":-2`) {
			t.Errorf("%s %v: %d %s, want -2", c.method, c.params, code, body)
		}
	}
}

// TestAccountBoundMethods: every wallet method (one that answers "no
// wallet" on a node without one) either takes an account, which a
// bound login's is put in, or is wallet-wide, refused to a bound login
// (rpc.WalletWide): a new wallet method cannot slip past the binding.
func TestAccountBoundMethods(t *testing.T) {
	n := startWalletNode(t, t.TempDir())
	defer n.node.Close()
	for _, m := range n.node.rpc.Methods() {
		_, re := n.call(t, m.Name)
		if re == nil || re.Code != rpc.CodeWalletNotFound {
			continue
		}
		takesAccount := slices.ContainsFunc(m.ParamList(), func(p rpc.Param) bool { return p.Name == "account" })
		if !takesAccount && !rpc.WalletWide(m.Name) && m.Name != "fundrawtransaction" {
			t.Errorf("wallet method %s takes no account and is not wallet-wide", m.Name)
		}
		if takesAccount && rpc.WalletWide(m.Name) {
			t.Errorf("wallet method %s takes an account yet is listed wallet-wide", m.Name)
		}
	}
}
