// Package chain validates blocks and transactions and keeps the best chain:
// the block index, the UTXO set, undo data and reorganisations.
//
// (The storage layout is documented below once the block store lands.)
package chain
