package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/itchyny/gojq"
	ucli "github.com/urfave/cli/v2"
)

// JSON output that scripts can trust. Under --json every command prints
// exactly one JSON value on stdout: an object with named fields, or a
// list of objects (gg-node rpc: the method's result as it is). --fields
// a,b keeps those top-level keys of the object, or of each object of the
// list; --jq EXPR runs a jq expression (gojq) on the result and prints
// each value it yields, strings raw, as gh does. Both imply --json.
// Errors go to stderr as one JSON object under --json (see Report).

func newJSONEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc
}

// JSONMode reports whether --json, --jq or --fields asks for JSON.
func JSONMode(c *ucli.Context) bool {
	return c.Bool(FlagJSON) || c.String(FlagJQ) != "" || c.String(FlagFields) != ""
}

// WriteJSON prints v, a command's one result, as indented JSON on stdout,
// through --fields and --jq. A json.RawMessage passes as it is, its
// numbers keeping their spelling.
func WriteJSON(c *ucli.Context, v any) error {
	fields, jq := c.String(FlagFields), c.String(FlagJQ)
	if fields == "" && jq == "" {
		return PrintJSON(c.App.Writer, v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	if fields != "" {
		if doc, err = selectFields(doc, fields); err != nil {
			return err
		}
	}
	if jq == "" {
		return PrintJSON(c.App.Writer, doc)
	}
	return runJQ(c.App.Writer, jq, doc)
}

// PrintValue prints a command's single value: the line alone, or under
// --json an object naming it ({"txid": ...}).
func PrintValue(c *ucli.Context, key, value string) error {
	if JSONMode(c) {
		return WriteJSON(c, map[string]string{key: value})
	}
	_, err := fmt.Fprintln(c.App.Writer, value)
	return err
}

// selectFields keeps the named top-level keys of an object, or of each
// object of a list. A name no object has is a usage error listing the
// fields there are.
func selectFields(doc any, spec string) (any, error) {
	var names []string
	for _, f := range strings.Split(spec, ",") {
		if f = strings.TrimSpace(f); f != "" {
			names = append(names, f)
		}
	}
	if len(names) == 0 {
		return nil, Usagef("empty --fields: want names such as txid,amount")
	}
	var objs []map[string]any
	switch t := doc.(type) {
	case map[string]any:
		objs = []map[string]any{t}
	case []any:
		for _, e := range t {
			if m, ok := e.(map[string]any); ok {
				objs = append(objs, m)
			}
		}
		if len(objs) == 0 {
			return doc, nil // an empty list, or one without objects
		}
	default:
		return nil, Usagef("--fields needs objects; this result is a %s (try --jq)", jsonKind(doc))
	}
	known := map[string]bool{}
	for _, m := range objs {
		for k := range m {
			known[k] = true
		}
	}
	for _, n := range names {
		if !known[n] {
			all := make([]string, 0, len(known))
			for k := range known {
				all = append(all, k)
			}
			sort.Strings(all)
			return nil, WithHint(Usagef("unknown field %q in --fields", n), "the fields are: "+strings.Join(all, ", "))
		}
	}
	pick := func(m map[string]any) map[string]any {
		out := map[string]any{}
		for _, n := range names {
			if v, ok := m[n]; ok {
				out[n] = v
			}
		}
		return out
	}
	if m, ok := doc.(map[string]any); ok {
		return pick(m), nil
	}
	list := doc.([]any)
	out := make([]any, len(list))
	for i, e := range list {
		if m, ok := e.(map[string]any); ok {
			out[i] = pick(m)
		} else {
			out[i] = e
		}
	}
	return out, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "value"
}

// runJQ prints what the jq expression yields for doc: strings raw, other
// values as indented JSON, one after the other.
func runJQ(w io.Writer, expr string, doc any) error {
	q, err := gojq.Parse(expr)
	if err != nil {
		return WithHint(Usagef("bad --jq expression %q: %v", expr, err), "the syntax is jq's: .field, .[0], map(.x), select(...)")
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return WithHint(Usagef("bad --jq expression %q: %v", expr, err), "the syntax is jq's: .field, .[0], map(.x), select(...)")
	}
	iter := code.Run(doc)
	for {
		v, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, isErr := v.(error); isErr {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				return nil
			}
			return Failf("--jq: %v", err)
		}
		if s, isStr := v.(string); isStr {
			if _, err := fmt.Fprintln(w, s); err != nil {
				return err
			}
			continue
		}
		if err := PrintJSON(w, v); err != nil {
			return err
		}
	}
}
