// Package wire serializes transactions (with BIP144 witness data), block
// headers and blocks in Bitcoin's exact byte format, and computes their
// identifiers and merkle roots. It performs no consensus validation.
//
// Decoding is canonical and strict: CompactSize integers must be minimally
// encoded, counts are checked against the bytes that remain before anything
// is allocated, a witness marker must be followed by a non-empty witness,
// and DecodeTx/DecodeBlock/DecodeHeader reject trailing bytes. Every
// rejection is a *DecodeError whose Kind can be tested with errors.Is.
package wire
