//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/gamegold/gg/lib/h5wallet"
)

// main publishes globalThis.ggwallet = {call(method, argsJSON) →
// answerJSON} and a "ggwallet-ready" event, then stays alive for the
// page's calls.
func main() {
	var s h5wallet.Session
	call := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) < 1 {
			return `{"error":"call: method missing"}`
		}
		var a []byte
		if len(args) > 1 && args[1].Type() == js.TypeString {
			a = []byte(args[1].String())
		}
		return string(s.Call(args[0].String(), a))
	})
	obj := js.Global().Get("Object").New()
	obj.Set("call", call)
	js.Global().Set("ggwallet", obj)
	js.Global().Call("dispatchEvent", js.Global().Get("Event").New("ggwallet-ready"))
	select {}
}
