// Package index is the node's layer of optional indexes: each Index is
// kept in step with the active chain by one Manager, which lib/chain
// calls inside the write transaction of every block it connects or
// disconnects (chain.Config.Indexer), so an index and the chain commit
// together and a crash leaves both before or both after a block.
//
// # Tips and catching up
//
// Every index records its own tip, the last block it holds, in the
// index-tips bucket (name -> block hash (32) || height (uint32 BE)). The
// Manager hands a connected block only to an index whose tip is the
// block's parent, and a disconnected block only to one whose tip is that
// block; an index that is behind (new, rebuilt, or turned off for a
// while) is left alone by the chain and brought up to the tip by
// CatchUp, which reads the active chain's blocks and spent outputs
// through the chain's read methods, outside the chain's lock, and writes
// them in batches, each block only if chain.MainHashInTx still shows it
// on the active chain in the writing transaction. Once an index reaches
// the tip, the chain's calls keep it there. An index whose tip left the
// active chain while the node ran without it is rebuilt from genesis.
// CatchUp logs its progress; Status reports each index's height and
// whether it has caught up.
//
// Reset drops an index's data and tip: gg-node's --reindex resets every
// index before chain.Reindex rebuilds the chain state, and CatchUp
// rebuilds them after.
//
// # The filter index
//
// FilterIndex (name "cfbasic") holds BIP158's basic filter of every
// active-chain block (lib/gcs) and its filter header, for BIP157 peers,
// getblockfilter and REST:
//
//	index-cfbasic         height (uint32 BE) -> block hash (32) ||
//	                      filter hash (32) || filter header (32) ||
//	                      filter (the serialization)
//	index-cfbasic-hash    block hash (32) -> height (uint32 BE)
//
// Only active-chain blocks are kept: a disconnected block's records go
// with it, and the filter of a side-chain block is not served.
//
// # The transaction index
//
// TxIndex (name "txindex") finds the active-chain block holding a
// transaction, the coinbase included:
//
//	index-tx              txid (32) -> height (uint32 BE) ||
//	                      position in the block (uvarint)
//
// The block hash comes from the chain's height index in the same read
// transaction. A disconnected block's transactions go with it (a txid
// that the index places in another block is left alone).
//
// # The address index
//
// AddrIndex (name "addrindex") keeps, per output script (keyed by
// SHA-256 of the script, as the chain's prop owner registry), the
// active chain's transactions that pay or spend it, its unspent
// outputs and its totals. Every output is indexed except the provably
// unspendable ones (OP_RETURN, game records among them); prop carriers
// are ordinary outputs here, so their gold counts in a balance.
//
//	index-addr-hist       script key (32) || height (uint32 BE) ||
//	                      position (uint32 BE) -> txid (32) ||
//	                      received (uvarint) || sent (uvarint)
//	index-addr-utxo       script key (32) || height (uint32 BE) ||
//	                      txid (32) || vout (uint32 BE) -> flags (1 byte:
//	                      1 coinbase) || amount (uvarint)
//	index-addr-sum        script key (32) -> txs || received || sent ||
//	                      utxos (each a uvarint)
//
// received sums a transaction's outputs paying the script, sent the
// outputs of the script it spends (amounts in base units). Keys sort in
// chain order, so a page is a cursor scan after (or, newest first,
// before) the last key of the page before. Connect writes one history
// record per script a transaction touches, one utxo record per output
// and deletes one per input, and rewrites each touched script's totals
// once per block; Disconnect does the reverse from the block and its
// spent outputs (the undo data), so an index that followed a
// reorganisation holds the same bytes as one rebuilt from genesis. A
// script left with no transaction loses its totals record.
package index
