//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/gamegold/gg/lib/h5wallet"
)

// main publishes globalThis.ggwallet = {call(method, args) → answer}
// and a "ggwallet-ready" event, then stays alive for the page's calls.
// args and the answer ({result} or {error}) are plain objects, carried
// through syscall/js as lib/h5wallet's values (no JSON codec linked).
func main() {
	var s h5wallet.Session
	object, array := js.Global().Get("Object"), js.Global().Get("Array")
	call := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) < 1 || typeOf(args[0]) != js.TypeString {
			return js.ValueOf(map[string]any{"error": "call: method missing"})
		}
		var a any
		if len(args) > 1 {
			var ok bool
			if a, ok = fromJS(object, array, args[1], 0); !ok {
				return js.ValueOf(map[string]any{"error": args[0].String() + ": arguments: an unsupported value (a BigInt, function or symbol, nesting deeper than 8 or a list longer than 100,000)"})
			}
		}
		return js.ValueOf(s.Call(args[0].String(), a))
	})
	obj := object.New()
	obj.Set("call", call)
	js.Global().Set("ggwallet", obj)
	js.Global().Call("dispatchEvent", js.Global().Get("Event").New("ggwallet-ready"))
	select {}
}

// maxDepth bounds the nesting fromJS follows (the deepest request, a
// sale's coin, is 2; a cycle would never end); maxItems the elements of
// an array or properties of an object.
const (
	maxDepth = 8
	maxItems = 100_000
)

// typeOf is v's type; -1 for a value syscall/js has no type for (a
// BigInt: js.Value.Type panics on it).
func typeOf(v js.Value) (t js.Type) {
	defer func() {
		if recover() != nil {
			t = -1
		}
	}()
	return v.Type()
}

// fromJS converts a page's value to the bridge's model: numbers to
// float64, arrays to []any, other objects to map[string]any of their
// own enumerable properties; undefined and null to nil. A BigInt, a
// function or a symbol is refused (false), as is nesting deeper than
// maxDepth or more than maxItems elements.
func fromJS(object, array js.Value, v js.Value, depth int) (any, bool) {
	switch typeOf(v) {
	case js.TypeUndefined, js.TypeNull:
		return nil, true
	case js.TypeBoolean:
		return v.Bool(), true
	case js.TypeNumber:
		return v.Float(), true
	case js.TypeString:
		return v.String(), true
	case js.TypeObject:
		if depth >= maxDepth {
			return nil, false
		}
		if array.Call("isArray", v).Bool() {
			if v.Length() > maxItems {
				return nil, false
			}
			out := make([]any, v.Length())
			for i := range out {
				x, ok := fromJS(object, array, v.Index(i), depth+1)
				if !ok {
					return nil, false
				}
				out[i] = x
			}
			return out, true
		}
		keys := object.Call("keys", v)
		if keys.Length() > maxItems {
			return nil, false
		}
		out := make(map[string]any, keys.Length())
		for i := 0; i < keys.Length(); i++ {
			k := keys.Index(i).String()
			x, ok := fromJS(object, array, v.Get(k), depth+1)
			if !ok {
				return nil, false
			}
			out[k] = x
		}
		return out, true
	}
	return nil, false
}
