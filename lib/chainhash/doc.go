// Package chainhash provides the 32-byte hash type used for block and
// transaction identifiers, with the Bitcoin convention that hashes are kept
// in internal (hash output) byte order and displayed byte-reversed.
package chainhash
