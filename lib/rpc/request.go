package rpc

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// The request decoder is strict where a lenient one would let two
// readers of the same bytes disagree:
//
//   - the body must be valid JSON (-32700 otherwise);
//   - a request is an object; within it (params included) no object
//     repeats a key, compared after unescaping as encoding/json compares
//     them: {"method":"a","\u006dethod":"b"} is refused, not read as "b";
//   - the members are matched exactly: "Method" beside "method" is
//     refused, not folded onto it (encoding/json would);
//   - jsonrpc is absent, "1.0" or "2.0"; id a string, a number or null;
//     method a string; params absent, null, an array or an object.
//
// Other members (python-bitcoinrpc's "version") are ignored. A failure of
// shape is -32600 and runs nothing; in a batch it answers that call only.

// request is a decoded call.
type request struct {
	ID     json.RawMessage // as sent; "null" when absent or refused
	Method string
	Params json.RawMessage // an array or an object
}

var nullID = json.RawMessage("null")

// members are the request members, matched exactly.
var members = [...]string{"jsonrpc", "id", "method", "params"}

// decodeBody classifies a whole body: a single request (its bytes) or a
// batch (its elements, at most maxBatch). err is -32700 for invalid JSON
// and -32600 for a batch that is empty or too long.
func decodeBody(body []byte, maxBatch int) (single []byte, batch []json.RawMessage, err *Error) {
	body = bytes.TrimSpace(body)
	if !json.Valid(body) {
		var v any
		msg := "parse error"
		if e := json.Unmarshal(body, &v); e != nil {
			msg += ": " + e.Error()
		}
		return nil, nil, Errorf(CodeParse, "%s", msg)
	}
	if body[0] != '[' {
		return body, nil, nil
	}
	if n := batchLen(body, maxBatch); n == 0 || n > maxBatch {
		return nil, nil, Errorf(CodeInvalidRequest, "batch must hold 1 to %d calls", maxBatch)
	}
	if err := json.Unmarshal(body, &batch); err != nil { // valid JSON: cannot fail
		return nil, nil, Errorf(CodeParse, "parse error: %v", err)
	}
	return nil, batch, nil
}

// decodeRequest decodes one call from valid JSON. On error the request's
// ID is still set when it was readable, so the answer can carry it.
func decodeRequest(raw []byte) (request, *Error) {
	req := request{ID: nullID}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return req, Errorf(CodeInvalidRequest, "a request must be a JSON object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return req, Errorf(CodeParse, "parse error: %v", err)
	}
	if id, ok := m["id"]; ok {
		if !scalarID(id) {
			return req, Errorf(CodeInvalidRequest, "id must be a string, a number or null")
		}
		req.ID = id
	}
	if dup, found := duplicateKey(raw); found {
		return req, Errorf(CodeInvalidRequest, "duplicate key %q in request", dup)
	}
	for k := range m {
		for _, name := range members {
			if k != name && strings.EqualFold(k, name) {
				return req, Errorf(CodeInvalidRequest, "member %q: names are case-sensitive (want %q)", k, name)
			}
		}
	}
	if v, ok := m["jsonrpc"]; ok && string(v) != `"1.0"` && string(v) != `"2.0"` {
		return req, Errorf(CodeInvalidRequest, `jsonrpc must be "1.0" or "2.0"`)
	}
	method, ok := m["method"]
	if !ok {
		return req, Errorf(CodeInvalidRequest, "missing method")
	}
	if len(method) == 0 || method[0] != '"' || json.Unmarshal(method, &req.Method) != nil {
		return req, Errorf(CodeInvalidRequest, "method must be a string")
	}
	if req.Method == "" {
		return req, Errorf(CodeInvalidRequest, "missing method")
	}
	req.Params = m["params"]
	switch {
	case len(req.Params) == 0 || string(req.Params) == "null":
		req.Params = json.RawMessage("[]")
	case req.Params[0] != '[' && req.Params[0] != '{':
		return req, Errorf(CodeInvalidRequest, "params must be an array or an object")
	}
	return req, nil
}

// scalarID reports a JSON string, number or null (raw is valid JSON
// without surrounding space, as encoding/json hands out members).
func scalarID(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return false
	}
	switch c := raw[0]; {
	case c == '"', c == '-', c >= '0' && c <= '9':
		return true
	default:
		return string(raw) == "null"
	}
}

// batchLen counts the elements of valid JSON b, a top-level array,
// stopping once past limit. It only counts: the keys are decodeRequest's
// business, call by call.
func batchLen(b []byte, limit int) int {
	depth, n := 0, 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '[', '{':
			if depth == 0 {
				if k := bytes.TrimSpace(b[i+1:]); len(k) > 0 && k[0] != ']' {
					n = 1
				}
			}
			depth++
		case ']', '}':
			depth--
		case ',':
			if depth == 1 {
				if n++; n > limit {
					return n
				}
			}
		case '"':
			i = stringEnd(b, i)
		}
	}
	return n
}

// stringEnd returns the index of the closing quote of the JSON string
// opening at b[i] (b is valid JSON).
func stringEnd(b []byte, i int) int {
	j := i + 1
	for b[j] != '"' {
		if b[j] == '\\' {
			j++
		}
		j++
	}
	return j
}

// duplicateKey walks valid JSON b once and finds the first key that
// repeats within one object, at any depth. Keys are compared as
// encoding/json decodes them.
func duplicateKey(b []byte) (dup string, found bool) {
	var st []keyFrame
	push := func(obj bool) {
		if len(st) < cap(st) {
			st = st[:len(st)+1]
			f := &st[len(st)-1]
			f.obj, f.wantKey, f.keys, f.set = obj, obj, f.keys[:0], nil
			return
		}
		st = append(st, keyFrame{obj: obj, wantKey: obj})
	}
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '{', '[':
			push(c == '{')
		case '}', ']':
			st = st[:len(st)-1]
		case ',':
			f := &st[len(st)-1]
			f.wantKey = f.obj
		case '"':
			j := stringEnd(b, i)
			if n := len(st); n > 0 && st[n-1].wantKey {
				f := &st[n-1]
				f.wantKey = false
				if k := jsonKey(b[i : j+1]); f.seen(k) {
					return string(k), true
				}
			}
			i = j
		}
	}
	return "", false
}

// keyFrame is an open object or array of duplicateKey.
type keyFrame struct {
	obj, wantKey bool // an object; the next string is a key
	keys         [][]byte
	set          map[string]struct{} // keys, once there are many
}

// seen records key k of the object and reports whether it was there.
func (f *keyFrame) seen(k []byte) bool {
	if f.set != nil {
		if _, ok := f.set[string(k)]; ok {
			return true
		}
		f.set[string(k)] = struct{}{}
		return false
	}
	for _, o := range f.keys {
		if bytes.Equal(o, k) {
			return true
		}
	}
	f.keys = append(f.keys, k)
	if len(f.keys) > 16 {
		f.set = make(map[string]struct{}, 2*len(f.keys))
		for _, o := range f.keys {
			f.set[string(o)] = struct{}{}
		}
	}
	return false
}

// jsonKey returns the decoded key of the JSON string s (quotes included):
// the bytes between the quotes unless escapes or invalid UTF-8 need
// encoding/json's reading.
func jsonKey(s []byte) []byte {
	k := s[1 : len(s)-1]
	if bytes.IndexByte(k, '\\') < 0 && utf8.Valid(k) {
		return k
	}
	var d string
	if json.Unmarshal(s, &d) != nil {
		return k
	}
	return []byte(d)
}
