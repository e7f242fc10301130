// Package explorer serves gg-node's web explorer of the chain and its
// game objects: server-rendered pages (html/template from an embed.FS,
// a few plain ES modules, a strict Content-Security-Policy) whose JSON
// twin is the same URL asked with "Accept: application/json".
//
// The explorer builds no data of its own: every page is made of answers
// of the node's read-only REST routes (docs/rest.md), which it asks
// in-process through a Source, so a page and the REST route it shows
// agree. The pages are read-only; the node serves them on its RPC
// listener without a login and on the public read-only listener.
//
// URLs (below Prefix, "/explorer/" in gg-node; docs/rest.md):
//
//	/                          home: tip, recent blocks, mempool, live auctions
//	/block/HASH|HEIGHT         a block and its transactions
//	/tx/TXID[?block=HASH]      a transaction, its game record decoded
//	/address/ADDR[?cursor=C]   history, unspent outputs, balance, props held
//	/address/ADDR/txs.csv      the history page as CSV
//	/xpub/XPUB                 a wallet from its account's extended public
//	                           key: balance, used addresses, recent history
//	/producer/ID|NAME          a producer, its owner history, its props
//	/prop/ID                   a prop, its owner history, its live auction
//	/auctions                  the market of live auctions
//	/contracts[?party=KEY]     a party's contracts (book and chain)
//	/contract/ID               one contract
//	/search?q=Q                height, hash, txid, address, id or name
//	/static/...                the scripts and the style sheet
package explorer
