// Package sha256d searches the nonce space of an 80-byte block header for
// a double SHA-256 at or below a target, as proof-of-work miners do.
//
// NewJob hashes the first 64 header bytes once (the midstate) and fixes
// the rest of the work: the second 64-byte block is the header's last 16
// bytes (merkle root tail, time, bits, nonce) with constant padding, and
// the outer hash is the 32-byte inner digest with constant padding. Each
// nonce then costs two SHA-256 compressions and no allocation. The hash is
// read as a little-endian 256-bit integer and compared with the target as
// eight 32-bit words from the most significant down, leaving at the first
// word that differs.
//
// On amd64 CPUs with the SHA extensions (SHA-NI) Search runs an assembly
// loop that hashes two nonces at a time; it skips the first two rounds of
// the inner compression (they see only job constants) and the last two
// rounds of the outer one (they do not reach the digest's most significant
// word), and hands every nonce whose top word passes to the exact check.
// Elsewhere a pure-Go compression does the same work (Impl says which
// one runs). Both are checked against crypto/sha256 by a differential test
// and a fuzz target.
package sha256d
