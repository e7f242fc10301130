package rpc

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// ParseParams decodes positional (array) or named (object) params into
// dst, in the order of names. The first `required` are mandatory. Type
// mismatches, missing and surplus params give a -32602 error naming the
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
			return InvalidParams("unknown param %q", k)
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
		dec := json.NewDecoder(bytes.NewReader(vals[i]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(dst[i]); err != nil {
			return InvalidParams("param %q: %s", names[i], typeMsg(err))
		}
	}
	return nil
}

func typeMsg(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		return fmt.Sprintf("expected %s, got %s", te.Type, te.Value)
	}
	return err.Error()
}
