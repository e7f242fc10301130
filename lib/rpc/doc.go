// Package rpc is gg-node's JSON-RPC server and client: HTTP POST on one
// listener, single and batched requests decoded strictly (duplicate keys,
// wrong shapes, versions and ids refused), bitcoind's error codes with
// bounded messages, and authentication that is on by default (a cookie
// file regenerated at each start, or configured users with salted
// password hashes in bitcoind's rpcauth style and optional per-user method
// whitelists, or named API tokens presented as Bearer tokens, stored
// hashed, revocable at once and optionally bound to one wallet account:
// Tokens, TokenService). Server.Serve bounds what clients cost: timeouts, caps on
// connections and on the request bytes held at once, and a per-source
// backoff after failed logins (see Limits). Client calls a node, one call
// per request (Call, CallNamed) or several in one batch (Batch).
package rpc
