package rpc

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTokensCreateVerifyRevoke: a created token logs in with its grants
// and account; a wrong secret, another name or a malformed token does
// not; a revoked token is refused and the Access of a login made before
// allows nothing.
func TestTokensCreateVerifyRevoke(t *testing.T) {
	toks, err := OpenTokens(filepath.Join(t.TempDir(), TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	info, tok, err := toks.Create("partner", []string{"prop.*", RESTPerm}, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, "ggt_partner_") || len(tok) != len("ggt_partner_")+43 {
		t.Errorf("token %q: want ggt_partner_ and 43 base64url characters", tok)
	}
	if info.Name != "partner" || info.Account != "shop" || info.Created == 0 || strings.Join(info.Grants, ",") != "prop.*,rest" {
		t.Errorf("info %+v", info)
	}
	a, ok := toks.AuthenticateToken(tok)
	if !ok || a.Name != "token:partner" || a.Account != "shop" || !a.Token() || !a.Allows("prop.byid") || !a.Allows(RESTPerm) ||
		a.Allows("tx.send") || a.Allows(EventsPerm) || a.Full() {
		t.Fatalf("login: %+v %v", a, ok)
	}
	_, other, err := toks.Create("other", []string{"*"}, "")
	if err != nil {
		t.Fatal(err)
	}
	secret := tok[len("ggt_partner_"):]
	flipped := []byte(secret)
	flipped[10] ^= 1
	for name, bad := range map[string]string{
		"empty":          "",
		"wrong secret":   "ggt_partner_" + string(flipped),
		"other's secret": "ggt_partner_" + other[len("ggt_other_"):],
		"unknown name":   "ggt_nobody_" + secret,
		"no prefix":      "partner_" + secret,
		"short secret":   tok[:len(tok)-1],
		"long secret":    tok + "A",
		"not base64":     "ggt_partner_" + strings.Repeat("!", 43),
		"no name":        "ggt__" + secret,
	} {
		if a, ok := toks.AuthenticateToken(bad); ok || a != nil {
			t.Errorf("%s: %q logged in", name, bad)
		}
	}
	for name, c := range map[string]struct {
		name   string
		grants []string
		want   string
	}{
		"exists":       {"partner", []string{"*"}, "exists"},
		"no grants":    {"x", nil, "no grants"},
		"empty grant":  {"x", []string{""}, "grant"},
		"spaced grant": {"x", []string{"prop. *"}, "grant"},
		"comma grant":  {"x", []string{"a,b"}, "grant"},
		"bad name":     {"a b", []string{"*"}, "character"},
		"empty name":   {"", []string{"*"}, "1 to 64"},
		"long name":    {strings.Repeat("n", 65), []string{"*"}, "1 to 64"},
	} {
		if _, tok, err := toks.Create(c.name, c.grants, ""); err == nil || tok != "" || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %q, %v; want an error saying %q", name, tok, err, c.want)
		}
	}
	if _, err := toks.Revoke("partner"); err != nil {
		t.Fatal(err)
	}
	if a.Allows("prop.byid") || !a.Revoked() {
		t.Error("the Access of an earlier login still allows after revoke")
	}
	if _, ok := toks.AuthenticateToken(tok); ok {
		t.Error("a revoked token logged in")
	}
	if _, err := toks.Revoke("partner"); !errors.Is(err, ErrTokenNotFound) {
		t.Errorf("second revoke: %v, want ErrTokenNotFound", err)
	}
	if l := toks.List(); len(l) != 1 || l[0].Name != "other" {
		t.Errorf("list after revoke: %+v", l)
	}
	// The name is free again; the new token is not the old one.
	_, again, err := toks.Create("partner", []string{"prop.*"}, "")
	if err != nil || again == tok {
		t.Fatalf("recreate: %q %v", again, err)
	}
	if _, ok := toks.AuthenticateToken(tok); ok {
		t.Error("the revoked token logs in as its successor")
	}
}

// TestTokensPersist: tokens survive reopening the store; the file is
// 0600 and holds each secret's SHA-256, never the secret; a revoked
// token stays revoked.
func TestTokensPersist(t *testing.T) {
	path := filepath.Join(t.TempDir(), TokenFile)
	toks, err := OpenTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("opening created the file: %v", err)
	}
	_, keep, err := toks.Create("keep", []string{"getblockcount"}, "")
	if err != nil {
		t.Fatal(err)
	}
	_, gone, err := toks.Create("gone", []string{"*"}, "acct")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := toks.Revoke("gone"); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("file: %v %v, want mode 0600", st, err)
	}
	b, _ := os.ReadFile(path)
	for _, tok := range []string{keep, gone} {
		_, secret, ok := parseToken(tok)
		if !ok {
			t.Fatalf("parse %q", tok)
		}
		for _, form := range []string{tok, tok[len(tok)-43:], hex.EncodeToString(secret), base64.StdEncoding.EncodeToString(secret)} {
			if strings.Contains(string(b), form) {
				t.Errorf("the file holds the secret (%s):\n%s", form, b)
			}
		}
	}
	if !strings.Contains(string(b), `"sha256"`) || strings.Contains(string(b), `"gone"`) {
		t.Errorf("file:\n%s", b)
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.tmp")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
	again, err := OpenTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	if l := again.List(); len(l) != 1 || l[0].Name != "keep" || l[0].Grants[0] != "getblockcount" {
		t.Errorf("reopened list: %+v", l)
	}
	if a, ok := again.AuthenticateToken(keep); !ok || !a.Allows("getblockcount") {
		t.Error("a kept token no longer logs in")
	}
	if _, ok := again.AuthenticateToken(gone); ok {
		t.Error("a revoked token logs in after reopening")
	}
}

// TestTokensFileErrors: a tokens file that does not parse, or holds a
// bad entry, stops OpenTokens with an error naming the file.
func TestTokensFileErrors(t *testing.T) {
	h := strings.Repeat("ab", 32)
	for name, body := range map[string]string{
		"not json":      "{",
		"unknown field": `{"tokens":[],"secret":"x"}`,
		"bad hash":      `{"tokens":[{"name":"a","grants":["*"],"created":1,"sha256":"abc"}]}`,
		"duplicate":     `{"tokens":[{"name":"a","grants":["*"],"created":1,"sha256":"` + h + `"},{"name":"a","grants":["*"],"created":1,"sha256":"` + h + `"}]}`,
		"no grants":     `{"tokens":[{"name":"a","grants":[],"created":1,"sha256":"` + h + `"}]}`,
		"bad name":      `{"tokens":[{"name":"a b","grants":["*"],"created":1,"sha256":"` + h + `"}]}`,
	} {
		path := filepath.Join(t.TempDir(), TokenFile)
		os.WriteFile(path, []byte(body), 0o600)
		var fe *FileError
		if _, err := OpenTokens(path); !errors.As(err, &fe) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want a FileError naming the file", name, err)
		}
	}
}

// tokenServer is a server with the cookie, the token store and the test
// methods, a /rest/ route (RESTPerm) and a /ws route (EventsPerm, GET).
func tokenServer(t *testing.T, l Limits) (*Server, string, *Tokens, *Cookie) {
	t.Helper()
	dir := t.TempDir()
	cookie, err := NewCookie(dir)
	if err != nil {
		t.Fatal(err)
	}
	toks, err := OpenTokens(filepath.Join(dir, TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(WithTokens(&Auth{Cookie: cookie}, toks), l, nil)
	echoAccount := func(_ context.Context, p json.RawMessage) (any, error) {
		var acct string
		err := ParseParams(p, []string{"account"}, 0, &acct)
		return acct, err
	}
	s.Register(
		Method{Name: "prop.byid", Params: "id", Handler: func(_ context.Context, p json.RawMessage) (any, error) { return "prop", nil }},
		Method{Name: "tx.send", Params: "address amount [account=default]", Handler: func(_ context.Context, p json.RawMessage) (any, error) { return "sent", nil }},
		Method{Name: "balance.all", Params: "[account=*]", Handler: echoAccount},
	)
	s.Register((&TokenService{Tokens: toks, ServerMethods: s.Methods}).Methods()...)
	route := func(w http.ResponseWriter, r *http.Request, a *Access) { io.WriteString(w, "ok "+a.Name) }
	s.Handle(Route{Prefix: "/rest/", Perm: RESTPerm, Handler: route})
	s.Handle(Route{Prefix: "/ws", Perm: EventsPerm, Handler: route})
	return s, serveTCP(t, s), toks, cookie
}

// httpDo sends a request with the given Authorization header (if any)
// and returns the status and the body.
func httpDo(t *testing.T, method, url, authz, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// TestServerBearerToken: a token presented as "Authorization: Bearer"
// calls what it grants on JSON-RPC and routes, and is refused the rest
// (-2 not allowed, 403); ?access_token= logs in on GET routes only; a
// revoked token is refused everywhere.
func TestServerBearerToken(t *testing.T) {
	_, addr, toks, _ := tokenServer(t, Limits{})
	base := "http://" + addr
	_, tok, err := toks.Create("partner", []string{"prop.*", RESTPerm}, "")
	if err != nil {
		t.Fatal(err)
	}
	bearer := "Bearer " + tok
	call := func(authz, method string) (int, string) {
		return httpDo(t, "POST", base, authz, `{"method":"`+method+`","params":["x","1"],"id":1}`)
	}
	if code, body := call(bearer, "prop.byid"); code != 200 || !strings.Contains(body, `"result":"prop"`) {
		t.Errorf("granted method: %d %s", code, body)
	}
	if code, body := call("bearer  "+tok, "prop.byid"); code != 200 {
		t.Errorf("scheme in lower case: %d %s", code, body)
	}
	for _, m := range []string{"tx.send", "token.list", "nosuchmethod"} {
		code, body := call(bearer, m)
		if code != 403 || !strings.Contains(body, `"code":-2`) || !strings.Contains(body, "not allowed for token:partner") {
			t.Errorf("%s: %d %s, want -2 not allowed", m, code, body)
		}
	}
	if code, body := httpDo(t, "GET", base+"/rest/chaininfo.json", bearer, ""); code != 200 || body != "ok token:partner" {
		t.Errorf("REST with rest: %d %s", code, body)
	}
	if code, _ := httpDo(t, "GET", base+"/ws", bearer, ""); code != 403 {
		t.Errorf("route without its permission: %d, want 403", code)
	}
	if code, body := httpDo(t, "GET", base+"/rest/x?access_token="+tok, "", ""); code != 200 || body != "ok token:partner" {
		t.Errorf("access_token on GET: %d %s", code, body)
	}
	if code, _ := httpDo(t, "POST", base+"/?access_token="+tok, "", `{"method":"prop.byid","params":["x"]}`); code != 401 {
		t.Errorf("access_token on a POST: %d, want 401", code)
	}
	if code, _ := httpDo(t, "GET", base+"/rest/x?access_token=ggt_partner_"+strings.Repeat("A", 43), "", ""); code != 401 {
		t.Errorf("wrong access_token: %d, want 401", code)
	}
	if _, err := toks.Revoke("partner"); err != nil {
		t.Fatal(err)
	}
	if code, _ := call(bearer, "prop.byid"); code != 401 {
		t.Errorf("revoked, JSON-RPC: %d, want 401", code)
	}
	if code, _ := httpDo(t, "GET", base+"/rest/x", bearer, ""); code != 401 {
		t.Errorf("revoked, REST: %d, want 401", code)
	}
}

// TestServerTokenBackoff: wrong tokens spend the source's login budget
// like wrong passwords (then 429 even for the right token); the valid
// cookie still gets in first.
func TestServerTokenBackoff(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	_, addr, toks, cookie := tokenServer(t, Limits{AuthFailures: 2, AuthBackoff: time.Minute, Now: clock.Now})
	_, tok, err := toks.Create("partner", []string{"prop.*"}, "")
	if err != nil {
		t.Fatal(err)
	}
	body := `{"method":"prop.byid","params":["x"]}`
	try := func(authz string) int {
		c, br := rawConnFrom(t, "127.0.0.2", addr)
		resp, _ := roundTrip(t, c, br, fmt.Sprintf("POST / HTTP/1.1\r\nHost: localhost\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n%s", authz, len(body), body))
		return resp.StatusCode
	}
	wrong := "Bearer ggt_partner_" + strings.Repeat("A", 43)
	for i, want := range []int{401, 401, 429} {
		if got := try(wrong); got != want {
			t.Errorf("wrong token %d: %d, want %d", i+1, got, want)
		}
	}
	if got := try("Bearer " + tok); got != 429 {
		t.Errorf("right token while backing off: %d, want 429", got)
	}
	if got := try("Basic " + basic(CookieUser, cookie.secret)); got != 200 {
		t.Errorf("cookie while backing off: %d, want 200", got)
	}
	clock.add(time.Minute)
	if got := try("Bearer " + tok); got != 200 {
		t.Errorf("right token after the wait: %d, want 200", got)
	}
}

// TestAccountBinding: a token bound to an account acts on it only: a
// method's account param left out becomes the bound account (not
// "every account"), the bound account passes, another one is refused
// (-2), positionally and by name; a wallet-wide method is refused
// whatever the grants; fundrawtransaction's options.account is bound
// too.
func TestAccountBinding(t *testing.T) {
	s := NewServer(&Auth{}, Limits{}, nil)
	echo := func(names ...string) Handler {
		return func(_ context.Context, p json.RawMessage) (any, error) {
			vals := make([]any, len(names))
			for i := range vals {
				vals[i] = new(json.RawMessage)
			}
			if err := ParseParams(p, names, 0, vals...); err != nil {
				return nil, err
			}
			return vals, nil
		}
	}
	s.Register(
		Method{Name: "balance.all", Params: "[account=*]", Handler: echo("account")},
		Method{Name: "tx.send", Params: "address amount [subtractfee=false] [account=default] [maxfeerate=0.10]",
			Handler: echo("address", "amount", "subtractfee", "account", "maxfeerate")},
		Method{Name: "fundrawtransaction", Params: "hexstring [options]", Handler: echo("hexstring", "options")},
		Method{Name: "wallet.backup", Params: "backup_passphrase", Handler: echo("backup_passphrase")},
		Method{Name: "getblockcount", Handler: echo()},
	)
	bound := NewAccess("token:shop", []string{"*"})
	bound.Account = "shop"
	cases := []struct {
		name, req, result string
		code              int
	}{
		{"absent", `{"method":"balance.all"}`, `["shop"]`, 0},
		{"null", `{"method":"balance.all","params":[null]}`, `["shop"]`, 0},
		{"same", `{"method":"balance.all","params":["shop"]}`, `["shop"]`, 0},
		{"every account", `{"method":"balance.all","params":["*"]}`, "", CodeForbidden},
		{"other", `{"method":"balance.all","params":["default"]}`, "", CodeForbidden},
		{"escaped other", `{"method":"balance.all","params":["\u0064efault"]}`, "", CodeForbidden},
		{"named other", `{"method":"balance.all","params":{"account":"default"}}`, "", CodeForbidden},
		{"named absent", `{"method":"balance.all","params":{}}`, `["shop"]`, 0},
		{"padded", `{"method":"tx.send","params":["addr","1"]}`, `["addr","1",null,"shop",null]`, 0},
		{"positional other", `{"method":"tx.send","params":["addr","1",false,"default"]}`, "", CodeForbidden},
		{"named send", `{"method":"tx.send","params":{"address":"a","amount":"1"}}`, `["a","1",null,"shop",null]`, 0},
		{"options absent", `{"method":"fundrawtransaction","params":["00"]}`, `["00",{"account":"shop"}]`, 0},
		{"options other", `{"method":"fundrawtransaction","params":["00",{"account":"x"}]}`, "", CodeForbidden},
		{"options kept", `{"method":"fundrawtransaction","params":["00",{"feeRate":1}]}`, `["00",{"account":"shop","feeRate":1}]`, 0},
		{"wallet-wide", `{"method":"wallet.backup","params":["pw"]}`, "", CodeForbidden},
		{"no account param", `{"method":"getblockcount"}`, `[]`, 0},
	}
	for _, c := range cases {
		var resp struct {
			Result json.RawMessage
			Error  *Error
		}
		if err := json.Unmarshal(s.Call(context.Background(), []byte(c.req), bound), &resp); err != nil {
			t.Fatal(err)
		}
		switch {
		case c.code != 0 && (resp.Error == nil || resp.Error.Code != c.code || !strings.Contains(resp.Error.Message, "not allowed")):
			t.Errorf("%s: %s %v, want error %d not allowed", c.name, resp.Result, resp.Error, c.code)
		case c.code == 0 && (resp.Error != nil || string(resp.Result) != c.result):
			t.Errorf("%s: %s %v, want %s", c.name, resp.Result, resp.Error, c.result)
		}
	}
	// Unbound: the call's params as they are.
	out := s.Call(context.Background(), []byte(`{"method":"balance.all","params":["default"]}`), FullAccess("cookie"))
	if !strings.Contains(string(out), `"result":["default"]`) {
		t.Errorf("unbound: %s", out)
	}
}

// TestTokenMethods: token.create, token.list and token.revoke over
// JSON-RPC with the cookie; grants that name nothing are refused; a
// token, even one granted "*", may not call them.
func TestTokenMethods(t *testing.T) {
	_, addr, _, cookie := tokenServer(t, Limits{})
	base := "http://" + addr
	op := "Basic " + basic(CookieUser, cookie.secret)
	call := func(authz, method, params string) (int, string) {
		return httpDo(t, "POST", base, authz, `{"method":"`+method+`","params":`+params+`}`)
	}
	code, body := call(op, "token.create", `["partner",["prop.*","rest"],"shop"]`)
	var created struct {
		Result TokenCreated
	}
	if code != 200 || json.Unmarshal([]byte(body), &created) != nil || !strings.HasPrefix(created.Result.Token, "ggt_partner_") ||
		created.Result.Account != "shop" || len(created.Result.Grants) != 2 {
		t.Fatalf("create: %d %s", code, body)
	}
	if code, body := call(op, "token.create", `["all","*"]`); code != 200 || !strings.Contains(body, `"grants":["*"]`) {
		t.Fatalf("create with a string: %d %s", code, body)
	}
	var all struct{ Result TokenCreated }
	json.Unmarshal([]byte(body), &all)
	for _, bad := range []string{`["x",["nosuch.*"]]`, `["x",["getblock"]]`, `["x",[]]`, `["x","a b"]`, `["partner",["*"]]`, `["x y",["*"]]`} {
		if code, body := call(op, "token.create", bad); code != 500 || !strings.Contains(body, `"code":-8`) {
			t.Errorf("create %s: %d %s, want -8", bad, code, body)
		}
	}
	code, body = call(op, "token.list", `[]`)
	if code != 200 || strings.Contains(body, "ggt_") || strings.Contains(body, "sha256") ||
		!strings.Contains(body, `{"name":"all","grants":["*"],"created":`) || !strings.Contains(body, `"name":"partner","grants":["prop.*","rest"],"account":"shop"`) {
		t.Errorf("list: %d %s", code, body)
	}
	for _, authz := range []string{"Bearer " + all.Result.Token} {
		for _, m := range []string{"token.list", "token.create", "token.revoke"} {
			if code, body := call(authz, m, `["y",["*"]]`); code != 403 || !strings.Contains(body, `"code":-2`) {
				t.Errorf("%s by a * token: %d %s, want -2", m, code, body)
			}
		}
	}
	if code, body := call(op, "token.revoke", `["partner"]`); code != 200 || !strings.Contains(body, `"name":"partner"`) {
		t.Errorf("revoke: %d %s", code, body)
	}
	if code, body := call(op, "token.revoke", `["partner"]`); code != 500 || !strings.Contains(body, `no token \"partner\"`) {
		t.Errorf("revoke again: %d %s", code, body)
	}
	if code, _ := call("Bearer "+created.Result.Token, "prop.byid", `["x"]`); code != 401 {
		t.Errorf("revoked by RPC, then used: %d, want 401", code)
	}
}

// TestApplyWhitelists: --rpcwhitelist USER:M1,M2 sets an rpcauth user's
// methods; a user named twice gets what both allow; an unknown user, an
// empty list or lists with nothing in common are errors.
func TestApplyWhitelists(t *testing.T) {
	users := func() []User { return []User{{Name: "alice"}, {Name: "bob"}} }
	us := users()
	if err := ApplyWhitelists(us, []string{"alice:getblockcount, prop.*", "alice:prop.*,getblock,getblockcount"}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(us[0].Methods, ","); got != "getblockcount,prop.*" || us[1].Methods != nil {
		t.Errorf("methods %q and %q", got, us[1].Methods)
	}
	for _, bad := range [][]string{{"carol:getblock"}, {"alice:"}, {"alice"}, {":getblock"}, {"alice:a b"}, {"alice:getblock", "alice:getblockcount"}} {
		if err := ApplyWhitelists(users(), bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// FuzzTokenLogin: no string but the issued token logs in, and none
// panics.
func FuzzTokenLogin(f *testing.F) {
	toks, err := OpenTokens(filepath.Join(f.TempDir(), TokenFile))
	if err != nil {
		f.Fatal(err)
	}
	_, tok, err := toks.Create("partner", []string{"prop.*"}, "")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tok)
	f.Add("ggt_partner_" + strings.Repeat("A", 43))
	f.Add("ggt__")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if _, ok := toks.AuthenticateToken(s); ok && s != tok {
			t.Fatalf("%q logged in", s)
		}
	})
}

// FuzzBindAccount: whatever params a bound login sends, the call either
// is refused or, if the method's params decode, acts on the bound
// account.
func FuzzBindAccount(f *testing.F) {
	a := NewAccess("token:shop", []string{"*"})
	a.Account = "shop"
	m := &Method{Name: "tx.send", Params: "address amount [subtractfee=false] [account=default]"}
	names := []string{"address", "amount", "subtractfee", "account"}
	for _, s := range []string{`["a","1"]`, `["a","1",false,"shop"]`, `["a","1",false,"x"]`, `{"account":"x"}`,
		`{"address":"a"}`, `[null,null,null,"\u0073hop"]`, `null`, `["a","1",false,"shop","extra"]`, `[1,2,3,4]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := a.bindAccount(m, raw)
		if err != nil {
			return
		}
		var addr, amt, acct string
		var sub bool
		if ParseParams(out, names, 0, &addr, &amt, &sub, &acct) == nil && acct != "shop" {
			t.Fatalf("%s became %s: account %q", raw, out, acct)
		}
	})
}

// TestTokensConcurrent: logins, checks of live Access values, creations
// and revocations at once (run with -race).
func TestTokensConcurrent(t *testing.T) {
	toks, err := OpenTokens(filepath.Join(t.TempDir(), TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := toks.Create("busy", []string{"*"}, "")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := toks.AuthenticateToken(tok)
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 200 {
				toks.AuthenticateToken(tok)
				a.Allows("getblockcount")
				toks.List()
			}
		}()
	}
	for i := range 20 {
		name := fmt.Sprintf("t%d", i)
		if _, _, err := toks.Create(name, []string{"*"}, ""); err != nil {
			t.Error(err)
		}
		if _, err := toks.Revoke(name); err != nil {
			t.Error(err)
		}
	}
	toks.Revoke("busy")
	for range 4 {
		<-done
	}
	if a.Allows("getblockcount") {
		t.Error("revoked, still allowed")
	}
}
