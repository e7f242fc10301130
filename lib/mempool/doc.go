// Package mempool holds the node's unconfirmed transactions: it validates
// them against the chain tip plus the pool, applies the relay policy,
// enforces the game rules against the chain's registries and the pool's
// own game transactions, runs auctions, resolves orphans, replaces
// conflicts by fee, caps its size by evicting the cheapest packages,
// follows the chain through connects and reorgs, and saves itself across
// restarts.
//
// # Acceptance
//
// ProcessTransaction runs, in order: no coinbase; the chain's
// CheckTransactionSanity; standardness (below); "already in the pool";
// "already confirmed" (an output of the transaction is in the UTXO set);
// input lookup in the chain's UTXO set and then among pool outputs (an
// unknown input makes the transaction an orphan, or a
// "bad-txns-inputs-missingorspent" rejection when orphans are not
// allowed); the chain's CheckTransactionInputs at height tip+1 (existence,
// coinbase maturity, value ranges, fee >= 0); standard inputs and
// witnesses; sigop cost <= 16,000 (MaxBlockSigOpsCost/5); minimum relay
// fee and the rolling minimum fee; conflicts and replacement; ancestor and
// descendant limits; the game rules (below); finality at tip+1 with the
// tip's median time past (BIP113); BIP68 sequence locks; scripts.
//
// Scripts are verified with script.StandardFlags without holding the
// pool's lock, so concurrent callers verify in parallel; a script that
// fails those flags but passes script.ConsensusFlags is refused as
// non-standard ("non-mandatory-script-verify-flag"), one that fails both
// returns the chain's consensus error. After verification the pool lock
// is taken again and everything that depends on the pool or the tip is
// re-checked (tip unchanged, in-pool parents still present, conflicts,
// limits, fees) before the transaction is inserted; if the tip or a
// parent moved, validation restarts.
//
// Policy rejections are *RuleError values whose Kind works with errors.Is
// and whose Reason() is the short reject string; consensus failures are
// the chain's RuleError. Reason(err) extracts either. The policy reasons:
//
//	txn-already-in-mempool          ErrDuplicate
//	txn-already-known               ErrAlreadyKnown (confirmed)
//	coinbase                        ErrCoinbase
//	bad-txns-inputs-missingorspent  ErrMissingInputs (orphans not allowed)
//	orphan                          ErrOrphanTooLarge
//	version, tx-size, scriptsig-size, scriptsig-not-pushonly,
//	scriptpubkey, multi-op-return, dust
//	                                standardness of the transaction
//	bad-txns-nonstandard-inputs     ErrNonStandardInputs
//	bad-witness-nonstandard         ErrNonStandardWitness
//	non-mandatory-script-verify-flag ErrNonStandardScript
//	non-final, non-BIP68-final      ErrNonFinal, ErrSequenceLocked
//	bad-txns-too-many-sigops        ErrTooManySigOps
//	min relay fee not met           ErrMinRelayFee
//	mempool min fee not met         ErrMempoolMinFee
//	txn-mempool-conflict            ErrConflict
//	insufficient fee                ErrInsufficientFee (replacement)
//	too many potential replacements ErrTooManyReplaced
//	bad-txns-spends-conflicting-tx  ErrSpendsConflicting
//	too-long-mempool-chain          ErrTooLongChain
//	mempool full                    ErrPoolFull
//	bad-mempool-file                ErrBadFile (Load)
//	game-...                        ErrGameRule: the game code (below)
//
// # Standardness (Policy.AcceptNonStd turns it off)
//
//   - version 1..MaxTxVersion (2); weight <= 400,000;
//   - signature scripts <= 1,650 bytes and push-only;
//   - outputs P2PK, P2PKH, P2SH, P2WPKH, P2WSH, bare multisig with at most
//     3 keys, or one OP_RETURN data carrier whose script is <= 83 bytes;
//     a game record output (OP_RETURN "gg"...) is standard up to
//     game.MaxRecordSize bytes of payload and does not count as the data
//     carrier;
//     witness programs of unknown versions are not standard;
//   - dust: an output (other than OP_RETURN) is dust when its value is
//     below (output size + spend size) × DustRelayFeeRate / 1000, where the
//     spend size is 148 bytes, or 67 vbytes for witness programs (546 dust
//     for P2PKH and 294 for P2WPKH at the default 3,000 dust/kvB);
//   - inputs may not spend non-standard or unknown-witness-version
//     outputs; a P2SH redeem script has at most 15 sigops; a witness on a
//     non-witness input is refused; P2WSH witnesses: script <= 3,600
//     bytes, <= 100 stack items of <= 80 bytes each.
//
// # Fees
//
// Fee rates are dust per 1000 virtual bytes. A transaction must pay
// vsize × MinRelayFeeRate / 1000 ("min relay fee not met") and, while the
// pool has recently been full, vsize × rolling minimum / 1000 ("mempool
// min fee not met"). PrioritiseTransaction adds an operator delta that
// counts for the floors, replacement, eviction and mining (Fee+FeeDelta).
//
// # Package limits
//
// Counting the transaction itself: at most MaxAncestors (25) in-pool
// ancestors and MaxAncestorSize (101,000) vbytes of them, and no ancestor
// may reach more than MaxDescendants (25) descendants or
// MaxDescendantSize (101,000) vbytes ("too-long-mempool-chain").
//
// # Replacement
//
// A transaction spending an outpoint already spent in the pool replaces
// the spender (full RBF, no signalling). It may evict at most 100
// transactions counting descendants ("too many potential replacements"),
// may not spend an output of a transaction it evicts
// ("bad-txns-spends-conflicting-tx"), and the ReplacementPolicy (default
// FeeReplacement) must accept it: a fee rate above each directly
// conflicting transaction's, a total fee above the sum of all evicted, and
// the difference at least its own vsize at MinRelayFeeRate ("insufficient
// fee"). Evicted transactions leave with all their descendants. The
// default policy, AuctionReplacement, judges auction bids first (see Game
// rules) and applies FeeReplacement to every other conflict. With
// Policy.NoReplacement set, every conflict is refused with
// "txn-mempool-conflict".
//
// # Game rules
//
// Every transaction is checked with game.CheckTx in ModePool at height
// tip+1, with the coins it spends and their game annotations (pool
// outputs are annotated with game.Annotate like the chain's), over a
// view made of the chain's registries at the tip (chain.GameView)
// overlaid with the effects of the pool's transactions: producers and
// props they create or change, names they claim. A name freed only by a
// pool transaction (a rename) stays taken until the rename is mined. The
// overlay is an index of each pool entry's game.Effect, updated whenever
// an entry enters or leaves, so it stays exact through mining,
// replacement, eviction, expiry, lapse and reorgs. A violation is a
// *RuleError of kind ErrGameRule whose Cause is the *game.RuleError:
// errors.Is(err, game.ErrRule) holds, Error() is "<code>: <message>" and
// Reason() is the code. Policy-only codes: CodePropOnSale,
// CodeAuctionClosed, CodeSaleEnd, CodeSaleSigHash, CodeUnfinalParent,
// CodeListingsFull.
//
// Auctions. A listing (Sale record, one input, one output) must end
// within tip+1 … tip+1+2·AuctionPeriod and sign input 0
// SIGHASH_SINGLE|ANYONECANPAY; its fee is 0 (the prop's gold goes on to
// the buyer with every bid), it pays no fee floor, is outside the size cap
// and eviction, and the pool holds at most MaxListings of them,
// MaxListingsPerProducer per producer of the listed props and
// MaxListingBytes of their estimated memory (a tenth of MaxPoolBytes by
// default) ("game-listings-full"). A bid (the settlement form) spends the same
// prop carrier as input 0, so it conflicts with the listing or the
// current best bid: AuctionReplacement accepts it only with the same
// record, a bid that beats the current best (above it, or equal with a
// txid sorting first as displayed; the listing counts as 0), at least the
// gold and the reserve, while the current best is below buy-now
// ("game-auction-closed"), and paying at least the fees of what it evicts
// plus its own relay (BIP125 rules 3 and 4, ErrInsufficientFee); the
// previous one leaves with its descendants (RemoveReplaced). Nothing may
// spend an output of a bid that is not final at the next height
// ("game-spends-unfinal-bid"): such a child could close another auction
// or hold a name in every pool while no block can include it; after a
// reorg that makes a bid non-final again, its children leave
// (RemoveReorg). Any other conflict with a
// listing or bid ("game-prop-on-sale") is refused: the seller cannot send
// or destroy a prop on sale, a bidder cannot withdraw a bid. Listings and
// bids not final at a template's height never go into templates (mining
// filters them with Auction.Final). When a block connects, sales with
// end + AuctionGrace below the next height leave with their descendants
// (RemoveLapsed), fulfils and escrow claims whose contract expiry is at
// or below the next height are checked again (RemoveLapsed when they
// fail), and pool transactions claiming a name, or fulfilling or settling
// a contract, the block's records name are checked again (RemoveConflict
// when they fail). A second fulfil of a contract a pool transaction
// fulfils is refused ("game-contract-exists"). After
// a disconnect every game transaction is checked again (RemoveReorg).
//
// # Orphans
//
// Up to MaxOrphanTxs (100) orphans of at most MaxOrphanTxSize (100,000)
// bytes each are held, indexed by the outpoints they spend, for OrphanTTL
// (20 minutes); when full, a random one makes room. When a transaction is
// accepted (or a block connects) the orphans spending its outputs are
// validated again, recursively. Orphans that a block mines or conflicts
// with are dropped.
//
// # Size cap and rolling minimum fee
//
// When the sum of virtual sizes exceeds MaxPoolBytes (300 MB), the package
// (a transaction and all its descendants) with the lowest fee rate
// (descendant fees / descendant size) is evicted, repeatedly, until the
// pool fits. Each eviction raises the rolling minimum fee rate to the
// evicted package's rate plus MinRelayFeeRate; it then halves every
// MinFeeHalfLife (12 hours) and drops to zero below half of
// MinRelayFeeRate. If the newcomer itself is evicted it is refused with
// "mempool full".
//
// # Blocks
//
// BlockConnected removes mined transactions (their pool children stay and
// now spend confirmed outputs), evicts pool transactions that double-spend
// the block's inputs together with their descendants, drops mined and
// conflicting orphans, then retries orphans that the block unlocks.
// BlockDisconnected re-accepts the block's non-coinbase transactions in
// block order against the new tip (fee floors waived), then re-checks the
// pool transactions a disconnect can break (those spending coinbases or
// the disconnected block's outputs, or using lock times) and drops those
// whose inputs vanished or became immature, or that are no longer final
// or sequence-locked, with their descendants. Transactions expire after
// Policy.Expiry (14 days) when Expire is called.
//
// # Events
//
// Config.OnAccept and Config.OnRemove (and listeners added with Listen)
// hear of every transaction entering the pool (submitted, unlocked
// orphans, re-added after a disconnect, loaded) and leaving it, with a
// RemoveReason (mined, replaced, conflict, sizelimit, expired, reorg,
// removed, lapsed). Events are queued in the order the pool changed and delivered
// one at a time after the pool's lock is released; a callback may call
// back into the pool. See Listener.
//
// # Persistence format (version 1)
//
// Save writes the whole pool to a temporary file in the target directory,
// fsyncs it, renames it over the target and fsyncs the directory, so a
// crash leaves either the old or the new file. Layout, integers
// little-endian:
//
//	offset  size  field
//	0       4     magic "GGMP"
//	4       4     version, uint32 = 1
//	8       4     network magic (chaincfg.Params.Net), uint32
//	12      8     record count N, uint64
//	20      ...   N records:
//	                added     int64  Unix time in nanoseconds
//	                feeDelta  int64  PrioritiseTransaction delta, dust
//	                length    uint32 byte length of tx
//	                tx        BIP144 serialization (witness included)
//	end-32  32    SHA-256 of every preceding byte
//
// Records are in dependency order (parents before children). Load checks
// the checksum, magic, version, network, counts and every transaction's
// strict decoding before accepting anything, so a truncated or corrupt
// file is an error (ErrBadFile) and leaves the pool untouched; then it
// re-accepts the records in order against the current tip, keeping their
// Added times and deltas, and counts those now confirmed, invalid or
// expired as failed.
//
// # Contract book
//
// Book (book.go) holds the offers of contracts that are published or
// signed but not fulfilled (docs/rpc.md "Contracts"): terms, A's
// signature over the id and A's fulfil skeleton signed
// SIGHASH_ALL|ANYONECANPAY, checked on entry against the chain and the
// pool (BookConfig.PrevOut). Nothing in it is mined. An offer leaves when
// its fulfil transaction enters the pool or a block (SawTx), when A
// withdraws it, or when the tip reaches expiry − 1 (Prune). It persists
// to its own file after every change, the same way Save does, in the
// layout of bookfile.go ("GGCB", version 1, network, offers in id order,
// SHA-256); its decoder is as strict (FuzzDecodeBook). Listen reports
// published, signed, withdrawn, expired and fulfilled; Submit is the
// entry point for relay.
package mempool
