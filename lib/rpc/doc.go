// Package rpc is gg-node's JSON-RPC server and client: HTTP POST on one
// listener, single and batched requests, bitcoind's error codes, request
// size limits and timeouts, and authentication that is on by default (a
// cookie file regenerated at each start, or configured users with salted
// password hashes in bitcoind's rpcauth style and optional per-user method
// whitelists).
package rpc
