// Package game is the consensus core of GameGold's game layer: producers
// (game companies) and props (in-game items backed by gold).
//
// Game data lives in transactions. A transaction carries at most one game
// record, in an output OP_RETURN <push "gg" 01 type body>, whose canonical
// binary encoding this package defines (Encode, Decode, RecordScript,
// FindRecord). The record names which of the transaction's ordinary
// P2WPKH/P2WSH outputs carry which game object; the UTXO entry of such an
// output remembers the object (Annotate, Object).
//
// The rules come in two layers:
//
//   - CheckRecord: stateless checks that need only the transaction and the
//     network parameters (field syntax, value floors, carrier outputs);
//   - CheckTx: the contextual state machine over a read-only View of the
//     registries (producers by id and by case-folded name, props by id). It
//     returns an Effect, the new full records the transaction produces, which
//     the chain writes into its registries.
//
// Contracts (contract.go) are deterministic hash/time-locked escrows
// between two parties: canonical Terms (EncodeTerms, ContractID), the
// P2WSH escrow script the consensus recomputes (EscrowScript), the
// witness of each settlement path (ClaimWitness, RefundWitness,
// CoopWitness, EscrowPath), and two records: ContractFulfil funds the
// escrow (or settles a plain swap at once) and ContractExecute settles
// it. Props in an escrow have status PropEscrow and cannot be sent, sold
// or destroyed.
//
// Every rule violation is a *RuleError with a stable short code;
// errors.Is(err, ErrRule) holds for all of them. The package is pure: no
// I/O, no database, no logging. docs/protocol.md ("Game records")
// documents the encoding byte by byte.
package game
