package rpc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"

	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/wire"
)

// Size limits of one param, in bytes of its JSON text. ParseParams checks
// them before it decodes the param, so no method decodes, hashes or
// quotes back megabytes of what should be an address, an id or a name
// (base58 decoding alone costs the square of the length); the request
// body limit bounds a request, these bound each value in it.
const (
	// MaxStringParam bounds a string param and every string (key or
	// value) inside a list or object param: addresses, ids, names, URLs,
	// amounts, keys, signatures, secrets, memos (256 bytes, even written
	// as \uXXXX escapes) and passphrases all fit.
	MaxStringParam = 4 << 10
	// MaxValueParam bounds a param that is not a string: a list of 1000
	// moves or props, an options object.
	MaxValueParam = 1 << 20

	// maxTxHex bounds a raw transaction in hex (with its quotes): no
	// transaction is larger than a block.
	maxTxHex = 2*wire.MaxBlockSerializedSize + 2
	// maxBlockHex bounds a block in hex (with its quotes).
	maxBlockHex = 2*wire.MaxBlockSerializedSize + 2
	// maxBackupParam bounds a base64 wallet backup: the wallet takes up
	// to 64 MiB, more than the request body limit lets through.
	maxBackupParam = 4*(64<<20)/3 + 4 + 2
)

// bigParams names the params that carry whole transactions, blocks or
// backups, with their limits (the total only: their strings are as long
// as the total). A name means the same thing in every method that uses it.
var bigParams = map[string]int{
	"hexstring":        maxTxHex,                 // sendrawtransaction, decoderawtransaction, fund..., sign...
	"tx":               maxTxHex,                 // contract.submit
	"hex":              maxTxHex,                 // contract.execute: the other party's half-signed settlement
	"hexdata":          maxBlockHex,              // submitblock
	"template_request": maxBlockHex + 4<<10,      // getblocktemplate: a proposal carries a block
	"terms":            2*game.MaxRecordSize + 2, // contract.submit: encoded terms in hex
	"backup":           maxBackupParam,           // wallet.import
}

// ParseParams decodes positional (array) or named (object) params into
// dst, in the order of names. The first `required` are mandatory. Type
// mismatches, missing and surplus params, and params over their size
// limit (MaxStringParam, MaxValueParam) give a -32602 error naming the
// parameter.
func ParseParams(raw json.RawMessage, names []string, required int, dst ...any) error {
	if len(names) != len(dst) {
		panic("rpc: ParseParams names/dst length mismatch")
	}
	raw = bytes.TrimSpace(raw)
	var vals []json.RawMessage
	switch {
	case len(raw) == 0 || string(raw) == "null":
	case raw[0] == '[':
		if err := json.Unmarshal(raw, &vals); err != nil {
			return InvalidParams("params: %v", err)
		}
		if len(vals) > len(names) {
			return InvalidParams("too many params: got %d, at most %d (%v)", len(vals), len(names), names)
		}
	case raw[0] == '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return InvalidParams("params: %v", err)
		}
		vals = make([]json.RawMessage, len(names))
		last := -1
		for i, n := range names {
			if v, ok := obj[n]; ok {
				vals[i] = v
				last = i
				delete(obj, n)
			}
		}
		for k := range obj {
			return InvalidParams("unknown param %q", truncate(k, 64))
		}
		vals = vals[:last+1]
	default:
		return InvalidParams("params must be an array or an object")
	}
	for i := range names {
		if i >= len(vals) || len(vals[i]) == 0 || string(vals[i]) == "null" {
			if i < required {
				return InvalidParams("missing required param %q", names[i])
			}
			continue
		}
		if err := checkParamSize(names[i], vals[i]); err != nil {
			return err
		}
		if err := exactKeys(vals[i], reflect.TypeOf(dst[i])); err != nil {
			return InvalidParams("param %q: %v", names[i], err)
		}
		dec := json.NewDecoder(bytes.NewReader(vals[i]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(dst[i]); err != nil {
			return InvalidParams("param %q: %s", names[i], typeMsg(err))
		}
	}
	return nil
}

// isAbsent reports a param left out or given as JSON null (its default);
// anything else, an empty string included, must parse.
func isAbsent(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// checkParamSize applies the size limits to the JSON text v of param name.
func checkParamSize(name string, v json.RawMessage) error {
	limit, big := bigParams[name]
	if !big {
		limit = MaxValueParam
		if v[0] == '"' {
			limit = MaxStringParam
		}
	}
	if len(v) > limit {
		return InvalidParams("param %q: %d bytes, at most %d", name, len(v), limit)
	}
	if big || (v[0] != '[' && v[0] != '{') {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil // malformed: the decoder after this says how
		}
		if s, ok := tok.(string); ok && len(s) > MaxStringParam {
			return InvalidParams("param %q: a string of %d bytes, at most %d", name, len(s), MaxStringParam)
		}
	}
}

// truncate shortens s for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func typeMsg(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		return fmt.Sprintf("expected %s, got %s", te.Type, truncate(te.Value, 64))
	}
	return err.Error()
}
