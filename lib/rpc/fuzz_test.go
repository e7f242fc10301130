package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
)

// refDuplicate is a reference duplicate-key finder over encoding/json's
// tokens, to check duplicateKey against. ok is false for invalid JSON.
func refDuplicate(b []byte) (dup, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var walk func() (bool, error)
	walk = func() (bool, error) {
		tok, err := dec.Token()
		if err != nil {
			return false, err
		}
		d, isDelim := tok.(json.Delim)
		if !isDelim {
			return false, nil
		}
		found := false
		seen := map[string]bool{}
		for dec.More() {
			if d == '{' {
				kt, err := dec.Token()
				if err != nil {
					return false, err
				}
				k := kt.(string)
				found = found || seen[k]
				seen[k] = true
			}
			sub, err := walk()
			if err != nil {
				return false, err
			}
			found = found || sub
		}
		_, err = dec.Token()
		return found, err
	}
	dup, err := walk()
	return dup, err == nil
}

var requestSeeds = []string{
	`{"jsonrpc":"2.0","id":1,"method":"echo","params":["x"]}`,
	`{"id":"a","method":"echo","params":{"value":"x"}}`,
	`{"method":"getblockhash","method":"stop"}`,
	`{"method":"echo","\u006dethod":"stop"}`,
	`{"method":"echo","Method":"stop"}`,
	`{"method":"echo","params":{"a":1,"a":2}}`,
	`{"method":"echo","params":[{"a":{"b":1,"b":2}}]}`,
	`{"id":{},"method":"echo"}`,
	`{"jsonrpc":"3.0","method":"echo"}`,
	`{"method":5}`,
	`{"method":"echo","params":"x"}`,
	`[{"id":1,"method":"echo","params":["a"]},{"id":2,"method":"nope"},3]`,
	`[]`,
	` [ ] `,
	`{"id":`,
	`"\ud800"`,
	`{"a\ud800":1,"a\udbff":2}`,
	"{\"a\xff\":1,\"a\xfe\":2}",
}

// FuzzDecodeRequest checks the request and batch decoder: it never
// panics, refuses only with -32700 or -32600, agrees with encoding/json
// on duplicate keys and batch length, and what it accepts is well formed.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range requestSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		single, batch, err := decodeBody(body, 5)
		if err != nil {
			if err.Code != CodeParse && err.Code != CodeInvalidRequest {
				t.Fatalf("decodeBody(%q): code %d", body, err.Code)
			}
			if err.Code == CodeParse && json.Valid(body) {
				t.Fatalf("decodeBody(%q): parse error on valid JSON", body)
			}
			if err.Code == CodeInvalidRequest {
				var all []json.RawMessage
				if json.Unmarshal(body, &all) != nil || (len(all) >= 1 && len(all) <= 5) {
					t.Fatalf("decodeBody(%q): batch refused, %d calls", body, len(all))
				}
			}
			return
		}
		calls := batch
		if batch == nil {
			calls = []json.RawMessage{single}
		} else if n := len(batch); n < 1 || n > 5 {
			t.Fatalf("decodeBody(%q): batch of %d", body, n)
		}
		for _, raw := range calls {
			req, rerr := decodeRequest(raw)
			dup, ok := refDuplicate(raw)
			if !ok {
				t.Fatalf("element %q of a decoded body is not JSON", raw)
			}
			if !scalarID(req.ID) {
				t.Fatalf("decodeRequest(%q): id %q", raw, req.ID)
			}
			if rerr != nil {
				if rerr.Code != CodeInvalidRequest {
					t.Fatalf("decodeRequest(%q): code %d", raw, rerr.Code)
				}
				continue
			}
			if dup {
				t.Fatalf("decodeRequest(%q) accepted duplicate keys", raw)
			}
			var m map[string]json.RawMessage
			if json.Unmarshal(raw, &m) != nil || req.Method == "" {
				t.Fatalf("decodeRequest(%q): accepted %+v", raw, req)
			}
			var method string
			if json.Unmarshal(m["method"], &method) != nil || method != req.Method {
				t.Fatalf("decodeRequest(%q): method %q, encoding/json reads %q", raw, req.Method, method)
			}
			if c := req.Params[0]; c != '[' && c != '{' {
				t.Fatalf("decodeRequest(%q): params %q", raw, req.Params)
			}
		}
	})
}

// FuzzServerReply sends arbitrary bodies through ServeHTTP: the reply is
// always JSON, its errors are bounded and the status is one of the
// documented ones.
func FuzzServerReply(f *testing.F) {
	for _, s := range requestSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"method":"echo","params":["` + strings.Repeat("é", 400) + `"]}`))
	s := NewServer(allowAll{}, Limits{MaxBodyBytes: 1 << 16, MaxBatch: 5}, nil)
	s.Register(Method{Name: "echo", Handler: func(_ context.Context, p json.RawMessage) (any, error) {
		var v string
		if err := ParseParams(p, []string{"value"}, 1, &v); err != nil {
			return nil, err
		}
		return nil, errors.New(v) // echoes its input as an error
	}})
	f.Fuzz(func(t *testing.T, body []byte) {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)))
		switch w.Code {
		case 200, 400, 404, 413, 500:
		default:
			t.Fatalf("status %d for %q", w.Code, body)
		}
		var one response
		var many []response
		out := w.Body.Bytes()
		if json.Unmarshal(out, &one) != nil && json.Unmarshal(out, &many) != nil {
			t.Fatalf("reply %q to %q is not JSON-RPC", out, body)
		}
		for _, r := range append(many, one) {
			if r.Error != nil && len(r.Error.Message) > MaxErrorMessage+len("…") {
				t.Fatalf("message of %d bytes", len(r.Error.Message))
			}
		}
	})
}

// FuzzTemplateRequest checks getblocktemplate's request decoding: no
// panic, refusals are -32602.
func FuzzTemplateRequest(f *testing.F) {
	for _, s := range []string{`[{"rules":["segwit"]}]`, `[{"mode":"proposal","data":"00"}]`, `{"template_request":{"longpollid":"x","workid":1}}`,
		`[null]`, `[]`, `[{"rules":"segwit"}]`, `["x"]`, `[{"capabilities":["longpoll"],"rules":["segwit"],"longpollid":"` + strings.Repeat("ab", 32) + `7"}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		req, err := parseTemplateRequest(p)
		if err != nil {
			var re *Error
			if !errors.As(err, &re) || re.Code != CodeInvalidParams {
				t.Fatalf("parseTemplateRequest(%q): %v, want -32602", p, err)
			}
			return
		}
		if req == nil {
			t.Fatalf("parseTemplateRequest(%q): nil request", p)
		}
	})
}

// FuzzLongPollID checks that only ids in the form the node issues parse,
// and that every issued id parses back.
func FuzzLongPollID(f *testing.F) {
	f.Add(strings.Repeat("ab", 32)+"7", []byte{1, 2, 3}, uint64(7))
	f.Add(strings.Repeat("AB", 32)+"07", []byte{}, uint64(0))
	f.Add(strings.Repeat("0", 64)+"18446744073709551615", []byte{0xff}, ^uint64(0))
	f.Fuzz(func(t *testing.T, id string, tipBytes []byte, gen uint64) {
		if tip, g, ok := parseLongPollID(id); ok && longPollID(tip, g) != id {
			t.Fatalf("parseLongPollID(%q) accepted a form the node never issues (%s, %d)", id, tip, g)
		}
		var tip chainhash.Hash
		copy(tip[:], tipBytes)
		issued := longPollID(tip, gen)
		if t2, g2, ok := parseLongPollID(issued); !ok || t2 != tip || g2 != gen {
			t.Fatalf("issued id %q does not parse back: %s %d %v", issued, t2, g2, ok)
		}
	})
}
