// Package address encodes and decodes GameGold addresses: base58check
// P2PKH and P2SH, bech32 segwit v0 (P2WPKH, P2WSH) and bech32m for later
// witness versions, with the human-readable part of each network (gg, tg,
// rg). Decoding names the network mismatch or checksum failure as a typed
// error, and refuses a string longer than MaxLen (ErrTooLong) before it
// decodes anything.
package address
