package rpc

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestServerHelp checks help and sys.help answer about every method the
// server registers, whichever service registered it, not only their own.
func TestServerHelp(t *testing.T) {
	srv := NewServer(&Auth{}, Limits{}, nil)
	srv.Register((&NodeService{}).Methods()...)
	srv.Register((&WalletService{}).Methods()...)
	srv.Register((&GameService{}).Methods()...)
	srv.Register((&ContractService{}).Methods()...)
	srv.Register(Method{Name: "x.late", Params: "a [b=2]", Help: "registered last", Handler: nil})
	call := func(method string, params string) (any, error) {
		t.Helper()
		for _, m := range srv.Methods() {
			if m.Name == method {
				return m.Handler(context.Background(), json.RawMessage(params))
			}
		}
		t.Fatalf("%s is not registered", method)
		return nil, nil
	}
	for _, name := range []string{"help", "sys.help"} {
		out, err := call(name, `[]`)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		list := "\n" + out.(string) + "\n"
		for _, m := range srv.Methods() {
			line := strings.TrimSpace(m.Name + " " + m.Params)
			if !strings.Contains(list, "\n"+line+"\n") {
				t.Errorf("%s does not list %q", name, line)
			}
		}
		for _, one := range []string{"prop.bidlist", "wallet.info", "contract.list", "x.late", "getblock"} {
			out, err := call(name, `["`+one+`"]`)
			if err != nil {
				t.Errorf("%s %s: %v", name, one, err)
				continue
			}
			if s := out.(string); !strings.HasPrefix(s, one) {
				t.Errorf("%s %s: %q", name, one, s)
			}
		}
	}
	out, _ := call("help", `["x.late"]`)
	want := "x.late a [b=2]\n\nregistered last\n\nArguments:\n  a  any, required\n  b  any, optional, default 2"
	if out != want {
		t.Errorf("help x.late:\n%s\nwant:\n%s", out, want)
	}
	out, _ = call("help", `{"method":"getblock"}`)
	if s := out.(string); !strings.Contains(s, "  blockhash  string, required\n  verbosity  number, optional, default 1") {
		t.Errorf("help getblock (named): %q", s)
	}
}

func TestServerHelpErrors(t *testing.T) {
	srv := NewServer(&Auth{}, Limits{}, nil)
	srv.Register((&NodeService{}).Methods()...)
	for _, tc := range []struct {
		method, params string
		code           int
	}{
		{"help", `["nosuch"]`, CodeMethodNotFound},
		{"sys.help", `["prop.bidlist"]`, CodeMethodNotFound}, // not registered here
		{"help", `[1]`, CodeInvalidParams},
		{"help", `["a", "b"]`, CodeInvalidParams},
		{"sys.params", `["nosuch"]`, CodeMethodNotFound},
		{"sys.params", `[true]`, CodeInvalidParams},
	} {
		var h Handler
		for _, m := range srv.Methods() {
			if m.Name == tc.method {
				h = m.Handler
			}
		}
		_, err := h(context.Background(), json.RawMessage(tc.params))
		re, ok := err.(*Error)
		if !ok || re.Code != tc.code {
			t.Errorf("%s %s: %v, want code %d", tc.method, tc.params, err, tc.code)
		}
	}
}

func TestServerParams(t *testing.T) {
	srv := NewServer(&Auth{}, Limits{}, nil)
	srv.Register((&NodeService{}).Methods()...)
	srv.Register((&GameService{}).Methods()...)
	var h Handler
	for _, m := range srv.Methods() {
		if m.Name == "sys.params" {
			h = m.Handler
		}
	}
	out, err := h(context.Background(), json.RawMessage(`["gettxout"]`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Param{{Name: "txid", Type: TypeString, Required: true}, {Name: "n", Type: TypeNumber, Required: true},
		{Name: "include_mempool", Type: TypeBool, Default: "true"}}
	if !reflect.DeepEqual(out, want) {
		t.Errorf("sys.params gettxout: %+v, want %+v", out, want)
	}
	all, err := h(context.Background(), json.RawMessage(`[]`))
	if err != nil {
		t.Fatal(err)
	}
	m := all.(map[string][]Param)
	if len(m) != len(srv.Methods()) || len(m["prop.sale"]) != 7 || m["getblockcount"] == nil {
		t.Errorf("sys.params: %d methods, prop.sale %+v, getblockcount %v", len(m), m["prop.sale"], m["getblockcount"])
	}
}

func TestParseParamList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Param
	}{
		{"", []Param{}},
		{"height", []Param{{Name: "height", Type: TypeNumber, Required: true}}},
		{"prop buynow [reserve=0] [end=tip+auction period] [account=default]", []Param{
			{Name: "prop", Type: TypeString, Required: true}, {Name: "buynow", Type: TypeAmount, Required: true},
			{Name: "reserve", Type: TypeAmount, Default: "0"}, {Name: "end", Type: TypeNumber, Default: "tip+auction period"},
			{Name: "account", Type: TypeString, Default: "default"}}},
		{"[template_request]", []Param{{Name: "template_request", Type: TypeObject}}},
		{"mystery", []Param{{Name: "mystery", Type: TypeAny, Required: true}}},
	} {
		if got := ParseParamList(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseParamList(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// TestParamTypesDeclared: every param of every method has a declared type
// (a new param name needs a line in paramTypes).
func TestParamTypesDeclared(t *testing.T) {
	var all []Method
	all = append(all, (&NodeService{}).Methods()...)
	all = append(all, (&MempoolFileService{}).Methods()...)
	all = append(all, (&WalletService{}).Methods()...)
	all = append(all, (&GameService{}).Methods()...)
	all = append(all, (&ContractService{Book: bookStub{}}).Methods()...)
	all = append(all, NewServer(&Auth{}, Limits{}, nil).Methods()...)
	for _, m := range all {
		for _, p := range m.ParamList() {
			if p.Type == TypeAny {
				t.Errorf("%s: param %q has no type in paramTypes", m.Name, p.Name)
			}
		}
	}
}

// bookStub makes ContractService register the book's methods.
type bookStub struct{ ContractBook }

func TestMethodParamList(t *testing.T) {
	for _, m := range (&GameService{}).Methods() {
		want := TypeString
		if m.Name == "prop.found" {
			want = TypeStringOrArray // one id or a list
		}
		for _, p := range m.ParamList() {
			if p.Name == "prop" && p.Type != want {
				t.Errorf("%s: prop is %s, want %s", m.Name, p.Type, want)
			}
		}
	}
}
