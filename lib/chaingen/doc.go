// Package chaingen builds deterministic test chains for consensus tests.
//
// A Generator starts at a network's genesis block (regtest by default) and
// builds blocks on a current tip, each under a test-chosen name. Every block
// gets a BIP34 coinbase (height push plus an 8-byte extra nonce) paying the
// subsidy and fees to an anyone-can-spend output, optionally one transaction
// spending a given output, a correct merkle root, a BIP141 witness
// commitment whenever a transaction carries witness data, a timestamp one
// second after its parent, the regtest bits and a nonce that meets the
// target. Mungers passed to NextBlock edit the block before the merkle root
// and the proof of work are computed, so most invalid blocks need nothing
// more than a munger; the Break* helpers damage what is computed last (the
// proof of work, the merkle root, the witness commitment) and re-register
// the block under its name.
//
// Coinbase outputs are remembered so tests can spend them once mature
// (OldestCoinbaseOut). Anyone-can-spend outputs are P2SH(OP_TRUE) by
// default, with P2WSH(OP_TRUE) and bare OP_TRUE also spendable without keys;
// NewKey gives deterministic secp256k1 keys, and CreateP2WPKHSpend /
// CreateBadP2WPKHSpend sign (or mis-sign) P2WPKH spends with lib/script's
// BIP143 hashing.
//
// The package is a test helper: misuse (an unknown name, a reused name, no
// mature output left) panics rather than returning errors, so test code
// stays linear. Everything it produces is deterministic: two generators fed
// the same calls produce byte-identical blocks.
package chaingen
