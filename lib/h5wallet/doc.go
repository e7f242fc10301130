// Package h5wallet is the logic of the browser (H5) wallet that gg-node
// serves at /wallet: a BIP39 mnemonic, the receive and change addresses
// of its first BIP44 account (the paths gg-wallet uses, so a mnemonic
// restores the same addresses in both), and transactions built and
// signed with the project's own formats: a plain GG send, a prop sale
// listing and a bid on a live auction.
//
// It is pure functions over JSON-able types (coins, outputs, requests
// and results carry amounts in dust, the 1e-8 GG unit), tested natively
// with go test; lib/h5wallet/wasm is the thin js/wasm main that exposes it
// to the page, Session.Call's values passed as plain objects through
// syscall/js (the module links no encoding/json: value.go). It links no database, no network and no node: only
// lib/wallet/seed, lib/keys, lib/address, lib/wire, lib/script and
// lib/game, so the WebAssembly module stays small.
package h5wallet
