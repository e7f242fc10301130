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
package script
