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
		if len(args) < 1 || args[0].Type() != js.TypeString {
			return js.ValueOf(map[string]any{"error": "call: method missing"})
		}
		var a any
		if len(args) > 1 {
			var ok bool
			if a, ok = fromJS(object, array, args[1], 0); !ok {
				return js.ValueOf(map[string]any{"error": args[0].String() + ": arguments: too deep"})
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
// sale's coin, is 2; a cycle would never end).
const maxDepth = 8

// fromJS converts a page's value to the bridge's model: numbers to
// float64, arrays to []any, other objects to map[string]any of their
// own enumerable properties; undefined, null and functions to nil.
func fromJS(object, array js.Value, v js.Value, depth int) (any, bool) {
	switch v.Type() {
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
	return nil, true
}
