// Package wire serializes transactions (with BIP144 witness data), block
// headers and blocks in Bitcoin's exact byte format, and computes their
// identifiers and merkle roots. It performs no consensus validation.
//
// Decoding is canonical and strict: CompactSize integers must be minimally
// encoded, counts are checked against the bytes that remain before anything
// is allocated, a witness marker must be followed by a non-empty witness,
// and DecodeTx/DecodeBlock/DecodeHeader reject trailing bytes. Every
// rejection is a *DecodeError whose Kind can be tested with errors.Is.
//
// A transaction without inputs is ambiguous in BIP144 serialization (its
// zero input count reads as the witness marker), so DecodeTx refuses it,
// as blocks and peers require. DecodeTxLenient and DecodeTxHexLenient
// also read it, for transactions a user hands over (command lines, RPC
// parameters): what gg-tx create prints before a wallet funds it.
package wire
