//go:build !(js && wasm)

// Command wasm is the browser wallet's WebAssembly module: the thin
// syscall/js bridge to lib/h5wallet's Session, built by `make build`
// with GOOS=js GOARCH=wasm into lib/webwallet/static/gen/wallet.wasm,
// which gg-node serves at /wallet/. Built for any other target it only
// says so.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "wasm: build with GOOS=js GOARCH=wasm (make build does)")
	os.Exit(2)
}
