// Package chain validates blocks and transactions and maintains the best
// chain: the in-memory block index, the UTXO set in bbolt with a
// write-back cache in front of it, per-block undo data, reorganisations to the
// chain with the most work, orphan blocks and notifications.
//
// # Validation
//
// ProcessBlock runs, in order: the context-free checks (CheckBlockSanity:
// proof of work, size and weight, one coinbase in first place,
// transaction sanity, merkle root and its CVE-2012-2459 mutation, legacy
// sigops, BIP141 witness commitment), the header checks against the parent
// (required bits per Bitcoin's retarget with the testnet minimum-difficulty
// exception, timestamp after the median time past of 11 blocks and at most
// two hours ahead, version at least 4), the contextual block checks (BIP34
// height in the coinbase, finality at the parent's median time past), and
// finally, when the block extends the best chain, the UTXO checks: BIP30,
// inputs present and unspent, coinbase maturity, no overspend, BIP68
// sequence locks, sigop cost at most 80,000, coinbase at most subsidy plus
// fees, the game rules (lib/game: CheckTx per transaction in block order,
// against the registries as left by the block's earlier transactions), an
// optional extra GameHook, and every input script under
// script.ConsensusFlags. Scripts are verified on runtime.NumCPU()
// goroutines, one BIP143 midstate per transaction, through the signature
// cache, while the block's database writes proceed; the transaction
// commits only once they all passed. All soft forks are active from
// genesis. The genesis coinbase never enters the UTXO set.
//
// Blocks whose failure could come from a corrupted transaction list
// (merkle mismatch or mutation, witness commitment, size) are refused
// without remembering their header, so the intact block is accepted when it
// arrives. Other failures mark the block, and everything built on it,
// invalid for good (on disk, unless the block's parent is a side header
// kept in memory only: then in memory with it).
//
// # Storage layout
//
// Full blocks and undo data live in flat files (lib/blockfile) in
// Config.BlocksDir, by default "blocks" beside the database file:
// blk00000.dat, blk00001.dat, ... hold blocks (records with magic "ggbk"),
// rev00000.dat, ... undo data ("ggun"), each file capped at
// Config.BlockFileSize (128 MiB). Everything else lives in the lib/store
// database (one bbolt file), in these buckets:
//
//	chainstate  "best" -> tip hash (32, internal order) || tip height
//	            (uint32 BE) || total transactions up to the tip (uint64 BE)
//	            || tip block weight (uint32 BE) || tip transaction count
//	            (uint32 BE); "utxotip" -> hash (32) || height (uint32
//	            BE) of the block the utxo bucket is consistent with
//	            (the last flush of the UTXO cache; absent in a database
//	            written before the cache, or just reindexed: the best
//	            record's block, and New writes it); "reindex" -> target
//	            tip hash (32) || height rebuilt (uint32 BE), only while a
//	            Reindex is unfinished
//	blockindex  height (uint32 BE) || block hash (32) -> header (80) ||
//	            status (1 byte: 0x01 data stored, 0x02 fully validated,
//	            0x04 failed validation, 0x08 descends from a failed block,
//	            0x10 data or undo data deleted by pruning) ||
//	            transaction count (uint32 BE) || block position ||
//	            undo position, where a position is file (uint32 BE) ||
//	            offset (uint32 BE) || length (uint32 BE), length 0 for
//	            none: the block's full serialization (with witness) in the
//	            block files, and the undo data of an active-chain block in
//	            the undo files: uvarint(n) then n spent entries (entry
//	            format below) in block order (transaction, then input),
//	            then uvarint(len) || game undo bytes: the registry journal
//	            (below) followed by the optional GameHook's own bytes. A
//	            fixed-size value, so rewriting a record never splits a
//	            page. Every known header: active chain, side chains and
//	            remembered invalid blocks. Keys sort by height, so loading
//	            visits parents before children.
//	blockfiles  kind ('b' block files, 'u' undo files) || file number
//	            (uint32 BE) -> committed length || records || lowest
//	            height || highest height (uint32 BE each)
//	mainchain   height (uint32 BE) -> hash of the active chain's block
//	utxo        txid (32, internal order) || output index (uint32 BE) ->
//	            entry: uvarint(height<<1 | coinbase) || uvarint(amount in
//	            dust) || uvarint(len) || output script || uvarint(len) ||
//	            game annotation (game.Object: kind || id, or empty)
//
// A database written before the block files keeps blocks and undo data
// in buckets "blocks" and "undo" (hash -> the same bytes); open moves
// them into the files in batches, resumable after a kill (migrate.go).
//
// The game registries (lib/game; docs/protocol.md "Game records") live in
// seven more buckets, written in the same transaction as the UTXO set:
//
//	game-producers          producer id -> str name || str url || str ip
//	                        || str class || share (1) || outpoint (32 +
//	                        uint32 BE) || uvarint(len) owner script ||
//	                        uvarint(value) || height (uint32 BE) ||
//	                        updated (uint32 BE); str is uvarint(len) ||
//	                        bytes
//	game-names              folded name -> producer id
//	game-props              prop id -> producer id (32) || str oid ||
//	                        uvarint(gold) || outpoint || uvarint(len)
//	                        owner script || status (1: live, 2: destroyed,
//	                        3: escrow) || height || updated (uint32 BE
//	                        each) || uvarint(last settled price), then,
//	                        for status 3 only, the contract id (32)
//	game-props-by-owner     sha256(owner script) || prop id -> empty; live
//	                        props only
//	game-props-by-producer  producer id || prop id -> empty; every prop
//	                        ever created
//	game-history            object id || height (uint32 BE) || index of
//	                        the transaction in its block (uint32 BE) ->
//	                        op (record type, 1) || kind (1) || txid (32) ||
//	                        vout (uint32 BE; 0xffffffff: destroyed) ||
//	                        uvarint(price)
//	game-contracts          contract id -> uvarint(len) terms
//	                        (game.EncodeTerms) || state (1) || fulfil txid
//	                        (32) || fulfil height (uint32 BE) || uvarint(n)
//	                        || n escrow outpoints || settle txid (32) ||
//	                        settle height (uint32 BE) || path (1) ||
//	                        uvarint(len) preimage
//
// Connecting a block collects its registry writes in memory (so each
// transaction sees the earlier ones), then writes them and returns the
// journal stored in the undo record: uvarint(n) then n entries of bucket
// number (0-6 in the order above, 1 byte) || uvarint(len) key || 0x00 (key
// was absent) or 0x01 || uvarint(len) previous value, one per key the
// block changed, sorted by bucket and key. Disconnecting replays the
// journal backwards, which restores every bucket byte for byte
// (RegistryHash).
//
// Provably unspendable outputs (OP_RETURN, scripts over 10,000 bytes) are
// never stored.
//
// # Durability
//
// Connecting a block, or a whole reorganisation, is one bbolt write
// transaction: the game layer's changes, the optional indexes, the
// height index, the index status, the positions of the block's data and
// undo data, the files' lengths and the best record commit together (with
// fsync), so a crash at any moment leaves the previous or the next
// consistent state; TestCrashConsistency kills a connecting process
// repeatedly to check it.
//
// The UTXO changes go to a write-back cache instead (utxocache.go, as
// Bitcoin Core's coins cache): an in-memory layer of the outputs created
// and spent since the last flush, looked at before the read cache and
// the utxo bucket by every lookup (ProcessBlock, FetchUtxoEntry,
// FetchUtxoView: the mempool, gettxout, the wallet). An output created
// and spent between two flushes never reaches bbolt. The layer is
// written to the utxo bucket after a block's commit when
// Config.UtxoCacheBytes (gg-node --dbcache) is passed, every
// UtxoFlushBlocks blocks or UtxoFlushInterval, before every
// reorganisation's commit, and before UtxoSetHash, UtxoSetInfo, pruning a
// block file it would need, and in Close. A flush writes in key order, in
// write transactions of flushChunkEntries (16,384) entries each, and
// only the last records "utxotip", the block the bucket is consistent
// with: bbolt reuses only pages freed by committed transactions, so one
// transaction rewriting most of the bucket would need its old and new
// pages at once and grow the file; each chunk reuses the pages the one
// before it freed. An entry leaves the layer once its chunk committed,
// so lookups (the layer first, then the bucket) see the tip's set
// throughout. A crash between flushes, or between two chunks of one,
// leaves the utxo bucket holding, for each output, its state at "utxotip"
// or at a later active-chain block, and everything else at the best
// record: New re-applies the active chain's blocks after "utxotip" from
// the block files (a block's UTXO changes follow from its transactions
// alone, so nothing is validated and no undo data is read) and flushes.
// The replay takes no output for absent from the bucket ("fresh"): each
// of its changes is a put or a delete, harmless where a part-written
// flush made it already, so it ends at the tip's set whatever part of a
// flush got through (TestUtxoCacheChunkedFlushCrash,
// TestUtxoCacheReplayIdempotent); validation keeps its strict lookups.
// A reorganisation first flushes the layer (to the old tip, still the
// active one) and then writes its own UTXO changes and "utxotip" in its
// commit, one transaction bounded by the branch's size; so "utxotip" is
// always on the active chain, and the replay only goes forward; a record
// off it is corruption (reindex). With a negative UtxoCacheBytes every
// commit writes its changes so, without a layer. A flush after a block's
// commit that fails is logged; the block stays connected and the layer
// keeps the entries not yet written. The game
// registries stay written with each block rather than cached: checking a
// game transaction reads them at every step, their per-block journal is
// the undo record, and game transactions are few, so caching them would
// buy little and cost a second replay path; written through, they are at
// the tip after any crash, as the UTXO replay needs nothing from them. The block and undo records are appended to
// their files and fsynced before that commit; the files' lengths
// recorded with it are their committed lengths, and on open anything past
// them (a torn or uncommitted tail) is cut off, a file shorter than them
// is an error. A side-chain block is stored in its own transaction before
// the reorganisation onto it; if a crash falls in between, New finishes
// the reorganisation on the next start. With the database's fsync off (a
// bulk load), the files are not fsynced either until Chain.Sync.
//
// # Pruning
//
// With Config.PruneTarget set, after each commit that leaves the block
// and undo files larger than the target, whole files are deleted, oldest
// first, as long as every record in them is more than MinBlocksToKeep
// (288) blocks below the tip; the file being written stays. One
// transaction drops their positions and lengths and flags the blocks
// statusPruned; the files are deleted after it commits. BlockByHash,
// RawBlockByHash and SpentOutputs answer ErrPruned for those blocks, a
// pruned side chain is never reorganised onto, and Reindex refuses a
// pruned chain (ErrReindexPruned).
//
// # Reindex
//
// Reindex rebuilds the utxo, undopos and game registry buckets and the
// undo files from the active chain's stored blocks, validating each
// again (writing the UTXO set directly, without the cache; its first
// commit drops "utxotip"); the block index, block files, height index and best record stay. It commits in batches under
// a durable "reindex" record: while the record exists New fails with
// ErrReindexPending and the next Reindex resumes at the recorded height.
// TestReindexCrash kills a reindexing process repeatedly to check it.
//
// # Concurrency and notifications
//
// A Chain is safe for concurrent use: ProcessBlock takes an exclusive lock,
// queries a shared one, and Best is lock-free. Subscribers are called
// synchronously after each commit, outside the lock, in the order
// documented on NotificationType.
package chain
