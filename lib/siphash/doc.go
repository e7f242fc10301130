// Package siphash is SipHash-2-4 (Aumasson and Bernstein, 2012) with a
// 128-bit key given as two little-endian words: the keyed hash of
// BIP152's compact-block short ids (lib/p2p/msg) and BIP158's block
// filters (lib/gcs).
package siphash
