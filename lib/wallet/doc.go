// Package wallet is GameGold's wallet library: a BIP39/BIP32 keystore
// encrypted at rest, BIP44-style named accounts with receive and change
// chains and a gap limit, imported keys, addresses, scripts and xpubs,
// and the bridge that lets lib/script sign with the wallet's keys. It
// keeps its own bbolt file (through lib/store: one writer, a lock
// timeout, versioned migrations) and sees the chain only through the
// ChainClient interface (interface.go); it never imports lib/chain,
// lib/mempool or lib/node.
//
// # Keys
//
// A wallet is created from a BIP39 mnemonic (generated with 128 to 256
// bits of entropy, or given to restore; its words and checksum are
// checked before a seed is derived: bip39.go, the English list only,
// embedded and split into words on first use) and an optional seed
// passphrase. The BIP32 master key comes from btcutil/hdkeychain with
// GameGold's version bytes (HDParams adapts lib/chaincfg to btcd's
// parameter type); derivation is standard (Derive, not
// DeriveNonStandard) and an index whose key is invalid is skipped.
// Account n of network p is m/44'/p.HDCoinType'/n'; its chains are /0/i
// (receive) and /1/i (change); addresses are bech32 P2WPKH.
// GameGold's per-user "openid" accounts map onto named accounts: the
// name is free UTF-8 (1 to 128 bytes, no control characters, not "*").
//
// Each chain derives GapLimit (default 20) addresses past the highest
// one handed out or seen used, so IsMine recognises payments to them;
// MarkUsed, called for every payment seen, moves the mark and extends
// the lookahead. Lookahead derivation needs only the account xpub, so it
// works while the wallet is locked; creating an account, importing a
// private key and signing need it unlocked, and fail with ErrLocked
// ("wallet is locked: unlock it first") otherwise.
//
// # Encryption at rest
//
// Every secret (the mnemonic record, each account's extended private key,
// each imported private key) is sealed with XChaCha20-Poly1305 under a
// random 32-byte master key, with associated data naming the slot. The
// master key is sealed under argon2id(passphrase, salt) with the
// parameters (time, memory KiB, threads) and salt stored beside it, so
// ChangePassphrase re-seals only the master key. A derivation of 8 MiB
// or more hands its memory back to the OS before returning
// (debug.FreeOSMemory), so an unlock does not leave the process 64 MiB
// larger. A wrong passphrase is
// ErrWrongPassphrase. Unlock keeps the master key in memory until Lock,
// the unlock timeout (checked against the injectable clock on every use,
// and by a timer) or Close. A wallet without a passphrase exists only if
// created with CreateOptions.Unencrypted; it stores the master key in
// the clear and cannot be locked.
//
// # File layout
//
// A wallet file appears whole or not at all (file.go): Create and
// RestoreBackup build it in a temporary file beside its path, committed
// with fsync, publish it with a hard link (never replacing a file) or a
// rename over a file without a wallet, and fsync the directory; the next
// Create removes a temporary file a kill left. Open reports a file
// without a wallet (zero length, or a database without wallet records)
// as ErrNoWallet, which Create may replace, and a database holding
// wallet records but no wallet metadata as ErrCorrupt, never replaced.
//
// The schema is lib/store's migrations (its "meta" bucket with
// "schema_version") followed by the wallet's; SchemaVersion is the total
// (3 today: store's meta bucket; wallet v1, the buckets below but
// contracts; wallet v2, the contracts bucket). New layouts append
// migrations, never edit one; a bucket is created by a migration, never
// on first use, and TestSchemaMigrationContracts opens a file of the
// previous version. New flag bits and meta keys need no migration (old
// records stay valid). Integers are big-endian. Records
// start with a version byte (1) and hold length-prefixed fields (u16
// length ‖ bytes, written str16/bytes16 below).
//
//	wallet        meta:
//	  "network"      chaincfg name ("main", "testnet", "regtest")
//	  "birthday"     u32 height rescans start from
//	  "gaplimit"     u32
//	  "created"      u64 unix seconds
//	  "kdf"          1 ‖ time u32 ‖ memory KiB u32 ‖ threads u8 ‖
//	                 salt bytes16 ‖ sealed master key bytes16
//	                 (encrypted wallets only)
//	  "masterkey"    32-byte master key (unencrypted wallets only)
//	  "seed"         sealed(1 ‖ mnemonic str16 ‖ seed passphrase str16)
//	  "nextaccount"  u32 next BIP44 account index
//	  "nextwatch"    u32 next number for xpub/imported accounts (from 2^31)
//	  "synced"       height u32 ‖ block hash 32: the last block the wallet
//	                 processed (its sync tip)
//	  "blk/" ‖ height u32   block hash 32: the last 144 blocks processed,
//	                 to find the fork point of a reorg missed while away
//	  "contractkey/" ‖ account u32   the account's contract key (33,
//	                 compressed): a receive-chain key fixed at first use
//	                 or, in a restored wallet, taken from the first
//	                 fulfil record naming a key of the account
//	accounts      account number u32 -> 1 ‖ kind u8 (1 hd, 2 xpub,
//	              3 imported) ‖ number u32 ‖ name str16 ‖ xpub str16 ‖
//	              sealed xprv bytes16 ‖ for receive, change: issued u32 ‖
//	              used u32 ‖ derived u32 ‖ imported count u32.
//	              Numbers below 2^31 are BIP44 account indexes of the seed;
//	              xpub and imported accounts are numbered from 2^31.
//	accountnames  name -> account number u32
//	addrs         pkScript -> 1 ‖ account u32 ‖ branch u8 (0 receive,
//	              1 change, 2 imported) ‖ index u32 ‖ flags u8 (1
//	              watch-only, 2 compressed key, 4 imported script) ‖
//	              public key bytes16 ‖ label str16
//	addrindex     account u32 ‖ branch u8 ‖ index u32 ‖ pkScript -> empty
//	              (listing per account in order)
//	keys          hash160(public key) -> sealed(private key 32 ‖
//	              compressed u8): imported WIF keys
//	scripts       hash160(script) and sha256(script) -> script: imported
//	              redeem/witness scripts, served by ScriptDB
//
// Transactions and coins (buckets created by the first migration):
//
//	txs           txid 32 (internal byte order) -> tx record: 1 ‖ flags u8
//	              (1 pending, 2 conflicted, 4 abandoned, 8 coinbase,
//	              16 expired: a sale listing or bid whose auction lapsed) ‖
//	              height u32 (0xffffffff unconfirmed) ‖ block hash 32 ‖
//	              first-seen u64 unix seconds ‖ serialized tx (with witness)
//	txheight      height u32 ‖ txid 32 -> empty (confirmed txs only:
//	              rewind and history paging by height)
//	pending       txid 32 -> insertion sequence u64 (the bucket's
//	              NextSequence): unconfirmed wallet txs to rebroadcast,
//	              in dependency order, ties by sequence
//	coins         txid 32 ‖ vout u32 -> coin record (plain coins; those
//	              with flag 16 are in gamecoins): 1 ‖ value u64 ‖
//	              height u32 (0xffffffff unconfirmed) ‖ flags u8 (1
//	              coinbase, 2 change, 4 time-locked, 8 reserved, 16 game
//	              object, 32 relative lock: with 4, the lock u32 is a
//	              number of blocks after confirmation, CSV) ‖ lock
//	              height/time u32 ‖ pkScript bytes16 ‖
//	              game object id bytes16 (game.Object.Bytes of the object
//	              the output carries, from game.Annotate; 8 reserved
//	              marks the outputs of a pending bid)
//	spends        txid 32 ‖ vout u32 (the coin) -> spending txid 32 of
//	              an unconfirmed wallet tx (conflict detection; the coin
//	              stays in coins or gamecoins until the spend confirms)
//
// Since schema version 4 the coins carrying a game object (flag 16) are
// kept apart, so coin selection walks only plain coins and an action finds
// an object's coin through its index (the version 4 migration moved them):
//
//	gamecoins     txid 32 ‖ vout u32 -> coin record (as in coins)
//	objcoins      game object id ‖ txid 32 ‖ vout u32 -> empty: the coins
//	              of each object (the current one, and one a pending
//	              transaction spends); a coin tagged by MarkGameCoin is
//	              indexed under its tag, whatever its length, and one with
//	              an empty id not at all
//
// Contracts (schema version 3):
//
//	contracts     contract id 32 -> JSON object: terms (game.EncodeTerms,
//	              base64), a_account and b_account (the parties that are
//	              accounts of this wallet), state (published, signed,
//	              fulfilled, exchanged, refunded, settled, expired,
//	              withdrawn), reserved (outpoints A committed, "txid:n"),
//	              offer (A's skeleton tx), fulfil_txid, escrow (the
//	              fulfil's escrow outpoints), settle_txid, height (of the
//	              last chain-derived change), preimage (a claim's)
//
// Game objects live in the coin records of gamecoins (flag 16 and the
// object id), found by object through objcoins.
//
// # Transactions
//
// The Wallet is a ChainHandler. BlockConnected records every transaction
// of the block that pays an address of the wallet or spends one of its
// coins: the tx record (confirmed), its outputs to the wallet as coins
// (coinbase outputs flagged; P2WSH outputs of an imported script that
// starts "<n> OP_CHECKLOCKTIMEVERIFY" flagged time-locked until n, and
// of a "<n> OP_CHECKSEQUENCEVERIFY OP_DROP <key> OP_CHECKSIG" script
// flagged relatively locked for n blocks after confirmation), the
// coins it spends deleted, and MarkUsed for each address paid (which
// extends the lookahead). A confirmed spend of a coin that a pending
// wallet tx also spends conflicts that tx: it and its descendants are
// marked conflicted, their coins vanish and their other inputs return.
// RelevantTx records a mempool transaction as unconfirmed and pending
// (a mempool tx that double-spends a pending one replaced it); TxDropped
// (DropHandler) conflicts a pending tx the mempool dropped for good — a
// replacement that does not touch the wallet's coins (e.g. a replaced
// parent of an incoming payment), a block that took what it claimed on a
// game rule (a producer name), a reorg after which it no longer passes —
// and expires a sale listing or bid whose auction lapsed.
// BlockDisconnected undoes a block exactly: its coinbase txs are removed
// with their coins; its other txs become unconfirmed and pending again,
// the coins they spent restored from the stored parent txs. Each update
// is keyed by txid and (txid, vout), so replaying a block or a mempool
// tx changes nothing; the sync tip (and the recent block hashes) move
// with each block. Start(client) subscribes, then Resync finds the
// newest recent block still on the client's chain, unconfirms the wallet
// txs above it whose block left the chain, rescans from there (or from
// the birthday), and rebroadcasts the pending txs parents first (Kahn's
// algorithm over the in-wallet edges).
//
// Rescan (and the first sync of a new wallet) looks at every block in
// its range again, already processed or not, so addresses imported since
// find their coins. It ends with BIP44 account discovery: while the
// highest account of the seed has a used address, the next account's
// first gap-limit addresses on both chains are searched for in the range;
// a hit creates the account as "account-<n>" (account names are not on
// the chain, so a wallet restored from its mnemonic gets these names) and
// rescans for its transactions. Discovery derives hardened account keys
// from the seed, so an encrypted wallet must be unlocked; when locked it
// is skipped with a warning.
//
// Balances count coins by state: confirmed (mature, unlocked), unconfirmed,
// immature (coinbase with at most CoinbaseMaturity confirmations),
// locked (time lock not reached) and reserved (coins spent by a live bid
// of the account, whose own outputs count nowhere until it settles). A
// coin spent by another pending tx counts nowhere; that tx's change
// counts as unconfirmed. Coins carrying game objects are Game value, not
// money (game.go).
//
// # Game objects
//
// game.go: coins are annotated with the producer or prop their output
// carries (game.Annotate, as the chain and the mempool do), so GameCoins
// lists what each account owns, idempotently (a coin is keyed by its
// outpoint). RegisterProducer, ChangeProducer, CreateProps, SendProps,
// DestroyProps, Sale and Bid build, sign and broadcast the game
// transactions (GameOptions.DryRun only builds and signs). A live bid's
// coins return when it is replaced (TxReplaced), when a block spends the
// prop it bids on otherwise (conflicted), or when its auction lapses at
// end + grace (expired).
//
// # Contracts
//
// contract.go: the wallet's side of lib/game's contracts (publish, sign,
// fulfil, execute). Every block it processes, connected or rescanned,
// is searched whole for contract records, whether or not a transaction
// touches the wallet's coins: a ContractFulfil naming a key of the
// wallet as a_key or b_key (any key in addrs: a derived key of either
// chain, handed out or within the gap-limit lookahead, or an imported
// one) records the contract with that party's account, state fulfilled
// (exchanged for a swap) and its escrow outpoints; the ContractExecute
// that spends them (its record names the contract) moves it to
// exchanged (with the preimage), refunded or settled. A contract key is
// a receive address, so a wallet restored from its mnemonic finds it
// like any payment as long as it is within the gap limit; the fulfil
// marks it used (the lookahead moves on and BIP44 discovery counts an
// account whose only use is a contract) and makes it the account's
// contract key again. So a restore and rescan rebuild every on-chain
// contract of the wallet, B's side of a pure escrow included (B pays
// nothing at fulfil), and the restored wallet can claim; the off-chain
// states (published, signed, withdrawn) live only in the node's book and
// the original wallet. The fulfil and execute transactions enter the
// wallet's transaction history only when they move its coins.
//
// # Time locks
//
// NewTimeLockedAddress (GameGold's locktype) hands out a P2WSH address
// whose witness script is "<H> OP_CHECKLOCKTIMEVERIFY OP_DROP <key>
// OP_CHECKSIG" (absolute, CLTV) or "<N> OP_CHECKSEQUENCEVERIFY OP_DROP
// <key> OP_CHECKSIG" (relative, CSV) over the key of a fresh receive
// address of the account; the script is stored like an imported one. A
// coin paid to it is locked while H > tip (a spend needs nLockTime >= H
// and must be final in block tip+1), or for CSV while unconfirmed or
// while its height + N - 1 > tip (BIP68). Locked coins count under
// Balance.Locked; coin selection skips them (an overdraft then says how
// much is locked and until when), an explicit input of one is a
// *TimeLockedError ("coin ... locked until height H"), and Sign refuses
// a spend whose lock time or sequence the script can never accept.
// Unlocked, they are selected like P2WPKH coins (sized as the larger
// script spend): Fund sets nLockTime to at least H with a non-final
// sequence, or version 2 and nSequence N, and the signer writes the
// witness <sig> <script> itself (lib/script signs only standard forms).
//
// The time forms lock until a unix time T (CLTV with T >= 500,000,000:
// TimeLock.Time) or for a duration (CSV with BIP68's time flag and units
// of 512 seconds, rounded up: TimeLock.Seconds). Both compare with the
// median time past (BIP113) of the tip, MTP: the CLTV coin is locked
// while MTP <= T (its spend has nLockTime T), the CSV one while
// unconfirmed and while MTP <= base + 512U - 1, base being the median
// time past of the block before the one that confirmed it. The wallet
// computes these from the timestamps of the blocks it processed (kept
// per height in its meta bucket); where a window reaches back before
// the wallet followed the chain it uses the bound that keeps a coin
// locked longer. Released CLTV coins of a height and of a time never
// share a transaction. Locks breaks Balance.Locked down by release.
//
// Coin selection (CreateTx, Send, Fund) uses only P2WPKH coins the wallet
// has keys for, and time-locked coins of its own keys whose lock ended,
// that are confirmed (or the wallet's own unconfirmed change,
// if confirmed coins are not enough), mature, unlocked, not reserved, not
// carrying a game object and not spent by a pending tx. It tries
// branch-and-bound for a change-less match within the cost of a change
// output, then the better of largest-first and the smallest sufficient
// coin; change below the dust limit goes to the fee. Fees use the given
// rate or the client's estimate, never below 1000 dust/kvB, over
// estimated P2WPKH sizes. A rate above the ceiling (TxOptions.MaxFeeRate,
// GameOptions.MaxFeeRate; amount.DefaultMaxFeeRate, 0.10 GG/kvB, unless
// raised, or lifted with amount.NoMaxFeeRate) is a *FeeRateError
// (ErrFeeTooHigh) before anything is built: payments, funding, game
// actions and contracts. A bid also pays the fees of what it replaces
// (BidRequest.ReplacedFees, which descendants others attach to the
// current bid raise): once its coins are chosen, that total over its size
// must stay within the ceiling too.
//
// # Backup
//
// Backup seals, under a backup passphrase (at least
// MinBackupPassphraseLen characters; argon2id with its parameters
// and salt in the blob's header, XChaCha20-Poly1305 with the header as
// associated data), a JSON document of everything the chain cannot give
// back: the mnemonic and seed passphrase, birthday and gap limit, the
// accounts with their names, kinds, xpubs and the number of addresses
// handed out on each chain, imported keys as WIF, watch-only scripts,
// imported and time-locked witness scripts, and labels (backup.go).
// RestoreBackup creates a wallet from it: the seed, then the accounts in
// number order (BIP44 ones must get the same numbers), the issued
// counts, keys, watch-only entries, scripts and labels; the first sync
// then rescans from the birthday. The decoder checks the header and
// every field (ErrBadBackup) before using any; a header asking for more
// than 10 argon2id passes or 1 GiB (the limits of every KDF the wallet
// writes or reads) is ErrKDFCost too, refused before the KDF runs.
// FuzzBackupDecode covers it. RenameAccount renames any account but the default one.
//
// Slices that bbolt returns are copied before a transaction ends.
//
// # Concurrency and logging
//
// A Wallet is safe for concurrent use; one mutex guards the key state and
// every database call. The package logs only to the slog.Logger in
// OpenOptions (silent by default).
package wallet
