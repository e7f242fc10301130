package rpc

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
)

// jsonStr is s as a JSON string.
func jsonStr(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestParseParamsTooLong: every param is bounded, by its JSON text, before
// it is decoded: a string param to MaxStringParam, any other to
// MaxValueParam with every string inside it to MaxStringParam, and the
// params carrying whole transactions, blocks or backups to their own
// limits. The old ParseParams decoded a 2 MB "address" and handed it on.
func TestParseParamsTooLong(t *testing.T) {
	big := strings.Repeat("z", 2<<20)
	for _, c := range []struct {
		name, raw string
		names     []string
		dst       func() any
		want      string // "" accepted, else the error text
	}{
		{"2 MB address, positional", `[` + jsonStr(big) + `]`, []string{"address"}, newString,
			fmt.Sprintf(`param "address": %d bytes, at most %d`, len(big)+2, MaxStringParam)},
		{"2 MB address, named", `{"address":` + jsonStr(big) + `}`, []string{"address"}, newString, `param "address": 2097154 bytes`},
		{"2 MB name", `["` + big + `"]`, []string{"name"}, newString, `param "name"`},
		{"escapes count as written", `["` + strings.Repeat(`\u00e9`, MaxStringParam/6+1) + `"]`, []string{"memo"}, newString, `param "memo"`},
		{"one byte over", `["` + strings.Repeat("a", MaxStringParam-1) + `"]`, []string{"passphrase"}, newString, `param "passphrase": 4097 bytes`},
		{"at the limit", `["` + strings.Repeat("a", MaxStringParam-2) + `"]`, []string{"passphrase"}, newString, ""},
		{"string in a list", `[[{"address":"` + strings.Repeat("z", 5000) + `","prop":"00"}]]`, []string{"moves"}, newMoves, `param "moves": a string of 5000 bytes, at most 4096`},
		{"2 MB list", `[[{"address":"` + big + `","prop":"00"}]]`, []string{"moves"}, newMoves, `param "moves": 2097180 bytes, at most 1048576`},
		{"2 MB unknown name", `{"` + big + `":1}`, []string{"address"}, newString, `unknown param "zzzz`},
		{"2 MB number", `[` + strings.Repeat("9", MaxValueParam) + `]`, []string{"count"}, newInt, `param "count": expected int, got number 99`},
		{"key in an object", `[{"` + strings.Repeat("k", MaxStringParam+1) + `":1}]`, []string{"options"}, newAny, `param "options": a string of 4097 bytes`},
		{"list over MaxValueParam", `[[` + strings.Repeat(`"0",`, MaxValueParam/4) + `"0"]]`, []string{"prop"}, newAny, fmt.Sprintf(`param "prop": %d bytes, at most %d`, MaxValueParam+5, MaxValueParam)},
		{"1000 moves fit", `[[` + strings.TrimSuffix(strings.Repeat(`{"address":"`+strings.Repeat("q", 90)+`","prop":"`+strings.Repeat("0", 64)+`"},`, 1000), ",") + `]]`,
			[]string{"moves"}, newMoves, ""},
		{"2 MB raw tx", `["` + strings.Repeat("00", 1<<20) + `"]`, []string{"hexstring"}, newString, ""},
		{"raw tx over a block", `["` + strings.Repeat("0", maxTxHex) + `"]`, []string{"hexstring"}, newString, fmt.Sprintf(`param "hexstring": %d bytes, at most %d`, maxTxHex+2, maxTxHex)},
		{"8 MB block", `["` + strings.Repeat("0", maxBlockHex-2) + `"]`, []string{"hexdata"}, newString, ""},
		{"proposal", `[{"mode":"proposal","data":"` + strings.Repeat("0", 2<<20) + `"}]`, []string{"template_request"}, newAny, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := ParseParams(json.RawMessage(c.raw), c.names, 1, c.dst())
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %.200v", err)
			case c.want == "":
			case err == nil:
				t.Fatalf("accepted, want %q", c.want)
			case err.(*Error).Code != CodeInvalidParams || !strings.Contains(err.(*Error).Message, c.want) || len(err.Error()) > 200:
				t.Fatalf("err = %.200v, want -32602 %q", err, c.want)
			}
		})
	}
}

func newString() any { return new(string) }
func newAny() any    { return new(json.RawMessage) }
func newInt() any    { return new(int) }
func newMoves() any {
	return new([]struct {
		Address string `json:"address"`
		Prop    string `json:"prop"`
	})
}

// TestValidateAddressOversized: a 2 MB address sent to validateaddress
// through a real listener is refused as -32602 with a short message,
// before the address decoder sees it.
func TestValidateAddressOversized(t *testing.T) {
	dir := t.TempDir()
	cookie, err := NewCookie(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(&Auth{Cookie: cookie}, Limits{}, nil)
	srv.Register((&NodeService{Params: chaincfg.RegTestParams}).Methods()...)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	ts := hs.URL
	user, pass, _ := ReadCookie(dir)
	var out json.RawMessage
	err = NewClient(ts, user, pass).Call(t.Context(), "validateaddress", &out, "1"+strings.Repeat("z", 2<<20))
	re, ok := err.(*Error)
	if !ok || re.Code != CodeInvalidParams || !strings.Contains(re.Message, `param "address": 2097155 bytes, at most 4096`) {
		t.Fatalf("validateaddress(2 MB) = %.200s, %.200v; want -32602 naming the size", out, err)
	}
	if err := NewClient(ts, user, pass).Call(t.Context(), "validateaddress", &out, "rg1qqqq"); err != nil || !strings.Contains(string(out), `"isvalid":false`) {
		t.Fatalf("validateaddress(short) = %s, %v", out, err)
	}
}
