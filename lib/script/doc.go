// Package script implements Bitcoin's transaction script system as used by
// GameGold: the script interpreter with every pre-taproot soft fork (P2SH,
// BIP66 strict DER, CHECKLOCKTIMEVERIFY, CHECKSEQUENCEVERIFY, segregated
// witness version 0, NULLDUMMY) plus the policy flags of Bitcoin Core's
// standard verification set, legacy and BIP143 signature hashing, signature
// operation counting, a concurrent signature cache, standard output
// templates, a script builder, a disassembler, the test-vector "short form"
// assembler and transaction input signing (including partial multisig).
//
// The interpreter follows Bitcoin Core's consensus behaviour byte for byte
// and is checked against Bitcoin Core's script, transaction and sighash test
// vectors. Rejections are *Error values whose Code (an ErrorCode, named after
// Core's script errors) can be tested with errors.Is:
//
//	err := script.VerifyInput(tx, i, prevScript, prevValue, script.ConsensusFlags, cache, hashes)
//	if errors.Is(err, script.ErrEvalFalse) { ... }
//
// VerifyInput is safe for concurrent use on the same transaction as long as
// the transaction is not modified; share one SigHashes (NewSigHashes) among
// all inputs of a transaction and one SigCache among all verifiers.
//
// A Batch verifies many inputs with their signature checks gathered and
// verified together, each distinct public key parsed once; its verdicts
// are VerifyInput's. Signatures are verified with btcec's curve
// arithmetic (pure Go) by default, the multiplication by the public key
// done here against the key's odd multiples, kept in a Batch for a key
// that signs again (ecdsa_multiples.go; held to btcec's own verification
// by tests and FuzzKeyMultiplesAgree); the build tag libsecp256k1 selects
// Bitcoin Core's C library (cgo, Debian's libsecp256k1-dev), which
// verifies a Batch's checks in one call. Parsing (lax BER or strict DER,
// as the flags say) is the same Go code for both, and both pass the same
// vectors and a differential fuzz test (FuzzBackendsAgree). Backend names
// the one built in.
package script
