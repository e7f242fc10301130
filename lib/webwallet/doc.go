// Package webwallet serves gg-node's H5 wallet page: a non-custodial
// wallet whose keys never leave the browser. The page (html/template
// from an embed.FS, one plain ES module, a style sheet) loads the
// WebAssembly build of lib/h5wallet (lib/h5wallet/wasm, built by `make
// build` into static/gen/ with the Go toolchain's wasm_exec.js beside
// it; both git-ignored) for keys, addresses and signing, keeps the
// mnemonic encrypted in IndexedDB under a passphrase (WebCrypto:
// PBKDF2-SHA256 → AES-GCM), reads the address index and game routes
// through the node's REST routes, follows the node's WebSocket events
// and broadcasts through POST /rest/tx (docs/rest.md "H5 wallet").
//
// URLs (below Prefix, "/wallet/" in gg-node):
//
//	/                       the page
//	/manifest.webmanifest   the PWA manifest
//	/sw.js                  the service worker (static assets only)
//	/static/...             script, style, icon; gen/wallet.wasm and
//	                        gen/wasm_exec.js once built
//
// Without the built module (a fresh clone), the page says "wallet module
// not built: run make build". Its Content-Security-Policy is the
// explorer's plus 'wasm-unsafe-eval' (WebAssembly compilation) and
// manifest-src 'self'; no other page of the node allows WebAssembly.
package webwallet
