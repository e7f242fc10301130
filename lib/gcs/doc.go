// Package gcs is BIP158's Golomb-coded sets and the "basic" block filter
// built on them: a compact, probabilistic set of a block's output scripts
// and the scripts its inputs spend, which a light client tests its own
// scripts against without telling anyone which scripts those are.
//
// # Golomb-coded sets
//
// Build hashes each distinct element with SipHash-2-4 (lib/siphash) under
// a 16-byte key and maps the 64-bit hash into [0, N·M) by the high word of
// the 128-bit product hash·N·M (no division). The values are sorted and
// their differences written as Golomb-Rice codes with parameter P: the
// quotient d >> P in unary (that many 1 bits, then a 0), then the low P
// bits of d, most significant bit first. The serialization is
// CompactSize(N) followed by the bit stream, zero-padded to a whole byte;
// an empty set is the single byte 00. A false positive has probability
// about 1/M per queried element.
//
// Decode reads a filter from untrusted bytes: the count must be the
// minimal CompactSize, and is checked against the bytes that follow (each
// element takes at least P+1 bits) before anything else happens; the
// stream must then hold exactly N codes, every value below N·M, followed
// by zero padding and nothing else. Decode allocates nothing but the
// Filter: the bytes are kept and Match walks them. Every refusal is a
// *DecodeError whose Kind works with errors.Is.
//
// # The basic filter
//
// BIP158's basic filter (type 0) uses P = 19 and M = 784931, and its key
// is the first 16 bytes of the block hash in internal byte order
// (BlockKey). Its elements (BasicElements) are every output script of
// every transaction of the block except empty ones and those starting
// with OP_RETURN, and the output script each input spends (the coinbase
// spends none), except empty ones; duplicates count once.
//
// The filter hash is sha256d of the filter's serialization; the filter
// header of a block is sha256d(filter hash ‖ previous block's filter
// header), with 32 zero bytes before the genesis block (Header). A chain
// of headers commits to every filter below it, so a client that trusts
// one header can check any filter a peer serves.
//
// # What the filters show of GameGold's game layer
//
// Game objects ride on ordinary P2WPKH and P2WSH outputs (carriers; see
// lib/game), so they are filter elements like any coin: the carrier of a
// producer, of a prop (created, sent, bought at auction) and a contract's
// P2WSH escrow output are in the filter of the block that creates them,
// and again, as spent scripts, in the filter of the block that spends
// them. A wallet therefore finds, by its own scripts, every prop and
// producer paid to it, every auction settlement paying it (the seller's
// output) or handing it a prop, every coin it spends, and, by the escrow
// script it computes from the terms it signed, a contract's funding and
// settlement. The game record itself is an OP_RETURN output and is not an
// element: a filter cannot be searched for a prop id, a producer name, a
// sale listing (never mined) or a record type; those are read from the
// matching block, or asked of a full node's registries.
package gcs
