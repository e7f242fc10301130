package node

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/rpc"
)

// TestRPCHelpEveryMethod: every method a full node registers (chain,
// mempool, wallet, game, contract and book methods) has help, is listed
// by help and sys.help, and is described by help METHOD.
func TestRPCHelpEveryMethod(t *testing.T) {
	n := startWalletNode(t, t.TempDir())
	defer n.node.Close()
	methods := n.node.rpc.Methods()
	if len(methods) < 100 {
		t.Fatalf("only %d methods registered", len(methods))
	}
	for _, name := range []string{"help", "sys.help"} {
		list := "\n" + unquote(t, n.must(t, name)) + "\n"
		for _, m := range methods {
			if !strings.Contains(list, "\n"+strings.TrimSpace(m.Name+" "+m.Params)+"\n") {
				t.Errorf("%s does not list %s", name, m.Name)
			}
		}
	}
	for _, m := range methods {
		if strings.TrimSpace(m.Help) == "" {
			t.Errorf("%s has no help", m.Name)
			continue
		}
		out, re := n.call(t, "help", m.Name)
		if re != nil {
			t.Errorf("help %s: %v", m.Name, re)
			continue
		}
		if s := unquote(t, out); !strings.HasPrefix(s, m.Name) || !strings.Contains(s, m.Help) {
			t.Errorf("help %s: %q", m.Name, s)
		}
	}
}

// TestRPCParamTypes checks the declared type of every param of every
// method of a full node against what its handler decodes: a value of
// another type is refused naming the param, a value of the declared type
// is not refused for its type. (Types a handler decodes itself, such as
// amounts and one-or-many ids, are checked only on the accepting side.)
func TestRPCParamTypes(t *testing.T) {
	n := startWalletNode(t, t.TempDir())
	defer n.node.Close()
	n.must(t, "wallet.create", "pw") // locked: nothing below can spend
	good := map[rpc.ParamType]any{rpc.TypeString: "x", rpc.TypeNumber: 1, rpc.TypeBool: true, rpc.TypeAmount: 1,
		rpc.TypeObject: map[string]any{}, rpc.TypeArray: []any{}, rpc.TypeStringOrArray: "x"}
	bad := map[rpc.ParamType]any{rpc.TypeString: 7, rpc.TypeNumber: "x", rpc.TypeBool: "x", rpc.TypeArray: "x", rpc.TypeObject: "x"}
	// bitcoind's getrawtransaction takes verbose as a boolean or a number.
	lenient := map[string]bool{"getrawtransaction verbose": true, "tx.get verbose": true}
	for _, m := range n.node.rpc.Methods() {
		if m.Name == "sys.stop" || m.Name == "stop" {
			continue
		}
		params := m.ParamList()
		for i, p := range params {
			if _, ok := good[p.Type]; !ok {
				t.Errorf("%s: param %q has type %q", m.Name, p.Name, p.Type)
				continue
			}
			obj := map[string]any{}
			for _, q := range params[:i] {
				if q.Required {
					obj[q.Name] = good[q.Type]
				}
			}
			typeErr := `param "` + p.Name + `": expected`
			obj[p.Name] = good[p.Type]
			if re := n.callNamed(t, m.Name, obj); re != nil && strings.Contains(re.Message, typeErr) {
				t.Errorf("%s: declared %s, but %s refused: %v", m.Name, p.Type, mustJSON(obj), re)
			}
			w, ok := bad[p.Type]
			if !ok || lenient[m.Name+" "+p.Name] {
				continue
			}
			obj[p.Name] = w
			if re := n.callNamed(t, m.Name, obj); re == nil || re.Code != rpc.CodeInvalidParams || !strings.Contains(re.Message, `param "`+p.Name+`"`) {
				t.Errorf("%s: declared %s, but %s: %v", m.Name, p.Type, mustJSON(obj), re)
			}
		}
	}
}

// callNamed calls method with named params and returns its JSON-RPC error.
func (n *walletNode) callNamed(t *testing.T, method string, params map[string]any) *rpc.Error {
	t.Helper()
	err := n.client.CallNamed(t.Context(), method, nil, params)
	var re *rpc.Error
	if err != nil && !errors.As(err, &re) {
		t.Fatalf("%s: transport error %v", method, err)
	}
	return re
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
