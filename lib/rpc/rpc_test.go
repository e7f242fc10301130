package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testServer(t *testing.T, auth Authenticator) (*httptest.Server, *Server) {
	t.Helper()
	s := NewServer(auth, Limits{MaxBodyBytes: 4096, MaxBatch: 3}, nil)
	s.Register(
		Method{Name: "echo", Params: "value", Help: "returns value", Handler: func(_ context.Context, p json.RawMessage) (any, error) {
			var v string
			if err := ParseParams(p, []string{"value"}, 1, &v); err != nil {
				return nil, err
			}
			return v, nil
		}},
		Method{Name: "fail", Handler: func(context.Context, json.RawMessage) (any, error) { return nil, errors.New("boom") }},
		Method{Name: "panic", Handler: func(context.Context, json.RawMessage) (any, error) { panic("oops") }},
	)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts, s
}

func post(t *testing.T, url, user, pass, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.SetBasicAuth(user, pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func TestServerCalls(t *testing.T) {
	dir := t.TempDir()
	c, err := NewCookie(dir)
	if err != nil {
		t.Fatal(err)
	}
	user, pass, err := ReadCookie(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(dir, CookieFile))
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("cookie mode %v", fi.Mode())
	}
	ts, _ := testServer(t, &Auth{Cookie: c})
	cases := []struct {
		name, body string
		status     int
		want       string
	}{
		{"ok", `{"id":1,"method":"echo","params":["hi"]}`, 200, `{"result":"hi","error":null,"id":1}`},
		{"named params", `{"id":2,"method":"echo","params":{"value":"x"}}`, 200, `{"result":"x","error":null,"id":2}`},
		{"missing param", `{"id":3,"method":"echo","params":[]}`, 500, `"code":-32602`},
		{"wrong type", `{"id":4,"method":"echo","params":[5]}`, 500, `expected string, got number`},
		{"surplus param", `{"id":5,"method":"echo","params":["a","b"]}`, 500, `too many params`},
		{"unknown named", `{"id":6,"method":"echo","params":{"valu":"x"}}`, 500, `unknown param`},
		{"unknown method", `{"id":7,"method":"nope"}`, 404, `"code":-32601`},
		{"parse error", `{"id":`, 500, `"code":-32700`},
		{"no method", `{"id":8}`, 400, `"code":-32600`},
		{"handler error", `{"id":9,"method":"fail"}`, 500, `{"result":null,"error":{"code":-1,"message":"boom"},"id":9}`},
		{"handler panic", `{"id":10,"method":"panic"}`, 500, `"code":-32603`},
		{"batch", `[{"id":1,"method":"echo","params":["a"]},{"id":2,"method":"nope"}]`, 200, `[{"result":"a","error":null,"id":1},{"result":null,"error":{"code":-32601,"message":"method not found: nope"},"id":2}]`},
		{"batch too big", `[{"method":"echo"},{"method":"echo"},{"method":"echo"},{"method":"echo"}]`, 200, `"code":-32600`},
		{"empty batch", `[]`, 200, `"code":-32600`},
		{"body too large", `{"method":"echo","params":["` + strings.Repeat("x", 5000) + `"]}`, 413, `exceeds 4096 bytes`},
	}
	for _, c := range cases {
		status, body := post(t, ts.URL, user, pass, c.body)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s; want %d containing %s", c.name, status, body, c.status, c.want)
		}
	}
	if resp, err := http.Get(ts.URL); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v %v", resp.StatusCode, err)
	}
}

func TestServerAuth(t *testing.T) {
	dir := t.TempDir()
	c, _ := NewCookie(dir)
	alice, _ := NewUser("alice", "wonder")
	bob, _ := NewUser("bob", "builder", "echo")
	ts, _ := testServer(t, &Auth{Cookie: c, Users: []User{alice, bob}})
	_, cookiePass, _ := ReadCookie(dir)
	body := `{"id":1,"method":"echo","params":["x"]}`
	cases := []struct {
		name, user, pass string
		status           int
	}{
		{"cookie", CookieUser, cookiePass, 200},
		{"wrong cookie", CookieUser, "00", 401},
		{"alice", "alice", "wonder", 200},
		{"alice wrong pass", "alice", "wander", 401},
		{"nobody", "", "", 401},
		{"bob whitelisted", "bob", "builder", 200},
	}
	for _, c := range cases {
		if status, b := post(t, ts.URL, c.user, c.pass, body); status != c.status {
			t.Errorf("%s: status %d %s", c.name, status, b)
		}
	}
	if _, b := post(t, ts.URL, "bob", "builder", `{"id":1,"method":"fail"}`); !strings.Contains(b, `"code":-2`) {
		t.Errorf("bob called a method outside his whitelist: %s", b)
	}
	// A regenerated cookie invalidates the old one.
	c2, _ := NewCookie(dir)
	if _, ok := c2.Authenticate(CookieUser, cookiePass); ok {
		t.Error("old cookie still valid")
	}
}

func TestParseRPCAuth(t *testing.T) {
	u, _ := NewUser("carol", "pw")
	got, err := ParseRPCAuth(u.String())
	if err != nil || got.Hash != u.Hash || got.Salt != u.Salt {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{"", "carol", "carol:salt", "carol:salt$zz", ":salt$" + strings.Repeat("0", 64)} {
		if _, err := ParseRPCAuth(bad); err == nil {
			t.Errorf("ParseRPCAuth(%q) accepted", bad)
		}
	}
}

func TestMethodsSorted(t *testing.T) {
	_, s := testServer(t, &Auth{})
	var names bytes.Buffer
	for _, m := range s.Methods() {
		names.WriteString(m.Name + " ")
	}
	if names.String() != "echo fail help panic sys.help sys.params " { // the server's own help methods too
		t.Fatalf("methods %q", names.String())
	}
}

func FuzzParseParams(f *testing.F) {
	f.Add([]byte(`["a", 1, true]`))
	f.Add([]byte(`{"s":"x","n":2}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var s string
		var n int
		var b bool
		err := ParseParams(raw, []string{"s", "n", "b"}, 1, &s, &n, &b)
		var re *Error
		if err != nil && (!errors.As(err, &re) || re.Code != CodeInvalidParams) {
			t.Fatalf("ParseParams(%q) error %v is not -32602", raw, err)
		}
	})
}

func FuzzParseTx(f *testing.F) {
	f.Add(`{"hex":"0100"}`)
	f.Add("02000000000000000000")
	f.Fuzz(func(t *testing.T, s string) {
		tx, err := ParseTx(s)
		if err == nil && tx == nil {
			t.Fatal("nil tx without error")
		}
	})
}
