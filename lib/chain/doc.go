// Package chain validates blocks and transactions and maintains the best
// chain: the in-memory block index, the UTXO set in bbolt with a bounded
// read cache in front of it, per-block undo data, reorganisations to the
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
// fees, the game layer's rules (GameHook), and every input script under
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
// invalid for good.
//
// # Storage layout
//
// All state lives in the lib/store database (one bbolt file), in these
// buckets:
//
//	chainstate  "best" -> tip hash (32, internal order) || tip height
//	            (uint32 BE) || total transactions up to the tip (uint64 BE)
//	            || tip block weight (uint32 BE) || tip transaction count
//	            (uint32 BE)
//	blockindex  height (uint32 BE) || block hash (32) -> header (80) ||
//	            status (1 byte: 0x01 data stored, 0x02 fully validated,
//	            0x04 failed validation, 0x08 descends from a failed block) ||
//	            transaction count (uint32 BE). Every known header: active
//	            chain, side chains and remembered invalid blocks. Keys sort
//	            by height, so loading visits parents before children.
//	blocks      block hash -> the block's full serialization (with witness)
//	undo        block hash -> undo data of an active-chain block:
//	            uvarint(n) then n spent entries (entry format below) in
//	            block order (transaction, then input), then
//	            uvarint(len) || the game layer's undo bytes
//	mainchain   height (uint32 BE) -> hash of the active chain's block
//	utxo        txid (32, internal order) || output index (uint32 BE) ->
//	            entry: uvarint(height<<1 | coinbase) || uvarint(amount in
//	            dust) || uvarint(len) || output script || uvarint(len) ||
//	            game annotation
//
// Provably unspendable outputs (OP_RETURN, scripts over 10,000 bytes) are
// never stored.
//
// # Durability
//
// Connecting a block, or a whole reorganisation, is one bbolt write
// transaction: the block's data, its undo data, the UTXO changes, the game
// layer's changes, the height index, the index status and the best record
// commit together (with fsync), so a crash at any moment leaves the
// previous or the next consistent state; TestCrashConsistency kills a
// connecting process repeatedly to check it. A side-chain block is stored
// in its own transaction before the reorganisation onto it; if a crash
// falls in between, New finishes the reorganisation on the next start.
// The UTXO cache is a read cache only, updated after each commit.
//
// # Concurrency and notifications
//
// A Chain is safe for concurrent use: ProcessBlock takes an exclusive lock,
// queries a shared one, and Best is lock-free. Subscribers are called
// synchronously after each commit, outside the lock, in the order
// documented on NotificationType.
package chain
