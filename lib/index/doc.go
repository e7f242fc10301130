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
package index
