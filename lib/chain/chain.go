package chain

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gamegold/gg/lib/blockfile"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// Defaults for Config fields left zero.
const (
	DefaultMaxOrphanBlocks  = 100
	DefaultMaxOrphanBytes   = 32 << 20
	DefaultUtxoCacheEntries = 250_000
	DefaultMaxSideHeaders   = 10_000
)

// ErrClosed is returned by ProcessBlock after Close.
var ErrClosed = errors.New("chain: closed")

// Config configures New.
type Config struct {
	DB               *store.DB        // opened by the caller; the chain owns its buckets
	Params           *chaincfg.Params // network rules
	SigCache         *script.SigCache // may be nil
	GameHook         GameHook         // optional extra hook after the built-in game rules; may be nil
	TimeSource       func() time.Time // nil means time.Now; judges "too far in the future"
	MaxOrphanBlocks  int              // default DefaultMaxOrphanBlocks
	MaxOrphanBytes   int              // bound of the orphans' serialized sizes; default DefaultMaxOrphanBytes
	MaxSideHeaders   int              // bound of the headers kept in memory without their blocks; default DefaultMaxSideHeaders
	UtxoCacheEntries int              // bound of the in-memory UTXO read cache; default DefaultUtxoCacheEntries, <0 disables
	// UtxoCacheBytes bounds the write-back UTXO cache (utxocache.go):
	// the outputs connected blocks created and spent since the last
	// flush to the database, by estimated memory. Past it the next
	// commit flushes. 0 means DefaultUtxoCacheBytes; below zero every
	// commit flushes (write-through). gg-node --dbcache, in MiB, at
	// least MinUtxoCacheBytes.
	UtxoCacheBytes int64
	// UtxoFlushBlocks and UtxoFlushInterval bound how many blocks and
	// how long the cache holds changes before a flush, and so how much
	// a crash leaves to replay (0: DefaultUtxoFlushBlocks,
	// DefaultUtxoFlushInterval).
	UtxoFlushBlocks   int
	UtxoFlushInterval time.Duration
	Logger            *slog.Logger // nil means silent
	// BlocksDir holds the block and undo files; empty means "blocks" in
	// the directory of DB's file.
	BlocksDir string
	// BlockFileSize caps each block or undo file (0: 128 MiB; tests use
	// small caps).
	BlockFileSize int64
	// PruneTarget, when above zero, bounds the bytes of the block and
	// undo files: whole files are deleted, oldest first, once every block
	// in them is more than MinBlocksToKeep below the tip (prune.go).
	// Nodes refuse targets below MinPruneTarget; the chain takes any.
	PruneTarget int64
	// ConnectObserver, if not nil, is called after each commit that
	// joins blocks to the active chain, with how many joined and how
	// long the commit's work took: disconnecting the blocks a
	// reorganisation leaves, validating, writing and committing. It runs
	// under the chain's lock, so it must be quick (metrics).
	ConnectObserver func(blocks int, d time.Duration)
	// Indexer, if not nil, keeps the optional indexes (lib/index) in
	// step: called in each connect and disconnect (indexhook.go).
	Indexer Indexer
}

// BestState describes the tip of the active chain.
type BestState struct {
	Hash       chainhash.Hash
	Height     int32
	Bits       uint32
	MedianTime int64
	Timestamp  int64
	// MinNextTime is the earliest timestamp a block on this tip may
	// carry: one second after the median time past and, on a BIP94
	// network where the next block opens a retarget window, not more than
	// MaxTimewarp before this block.
	MinNextTime int64
	Work        *big.Int // cumulative work; do not modify
	TotalTxns   uint64
	BlockWeight int
	NumTxns     int
}

// TipInfo describes one chain tip, as getchaintips reports it.
type TipInfo struct {
	Hash      chainhash.Hash
	Height    int32
	BranchLen int32  // blocks between the tip and the active chain
	Status    string // "active", "valid-fork", "valid-headers", "invalid"
}

// NotificationType says what happened.
type NotificationType int

// Notification types. For one ProcessBlock call they arrive in this order:
// NTBlockDisconnected for each block leaving the active chain (newest
// first), then for each block joining it (oldest first) NTBlockConnected
// followed by one NTTxConfirmed per transaction in block order, and last
// NTBlockAccepted for every block accepted into the index (main chain or
// side chain), in acceptance order.
const (
	NTBlockAccepted NotificationType = iota
	NTBlockConnected
	NTBlockDisconnected
	NTTxConfirmed
)

func (t NotificationType) String() string {
	switch t {
	case NTBlockAccepted:
		return "block accepted"
	case NTBlockConnected:
		return "block connected"
	case NTBlockDisconnected:
		return "block disconnected"
	case NTTxConfirmed:
		return "transaction confirmed"
	}
	return fmt.Sprintf("notification(%d)", int(t))
}

// Notification is delivered to subscribers after the change is committed.
type Notification struct {
	Type   NotificationType
	Block  *wire.MsgBlock
	Hash   chainhash.Hash // block hash
	Height int32
	Tx     *wire.MsgTx // NTTxConfirmed only
	// TxIDs are the block's transaction ids in block order
	// (NTBlockConnected only; nil otherwise): computed once by the
	// chain, for subscribers to use instead of hashing each transaction
	// again. Read-only.
	TxIDs []chainhash.Hash
}

type orphanBlock struct {
	blk   *wire.MsgBlock
	hash  chainhash.Hash
	flags BehaviorFlags
	size  int // serialized size
}

// pendingBlock is a block not yet stored, connected in the same database
// transaction that stores it.
type pendingBlock struct {
	blk   *wire.MsgBlock
	txids []chainhash.Hash
}

// connectError reports which block of a branch broke a rule.
type connectError struct {
	node *blockNode
	err  error
}

func (e *connectError) Error() string { return e.err.Error() }
func (e *connectError) Unwrap() error { return e.err }

// Chain is the validated block chain with its UTXO set. It is safe for
// concurrent use.
type Chain struct {
	cfg    Config
	params *chaincfg.Params
	db     *store.DB
	log    *slog.Logger

	mu       sync.RWMutex
	index    *blockIndex
	cache    *utxoCache
	layer    *utxoLayer // the write-back UTXO cache
	utxoTip  *blockNode // the block the utxo bucket is consistent with
	replayed int        // blocks recoverUtxos replayed at start
	// flushStop, set by tests, is called after each chunk of a flush
	// but the last; true stops the flush there (a simulated kill).
	flushStop   func(chunk int) bool
	files       blockFiles
	prunedBelow int32 // pruneHeight's memo: active heights below are pruned
	// legacyRecords are the index records load found in the form
	// written before the block files, until migrateBlocks rewrites them.
	legacyRecords map[*blockNode]bool
	totalTxns     uint64
	orphans       map[chainhash.Hash]*orphanBlock
	orphansByPrev map[chainhash.Hash][]*orphanBlock
	orphanOrder   []*orphanBlock // oldest first
	orphanBytes   int            // serialized sizes of the orphans
	// headersOnly holds the index nodes kept in memory only, without
	// their blocks: side-chain blocks too light to store (their data was
	// dropped), and invalid blocks built on those. Bounded by
	// MaxSideHeaders; never written to disk.
	headersOnly map[*blockNode]struct{}
	// sideLeaves queues the headersOnly nodes without children for
	// eviction, lightest first; entries that stopped being such leaves
	// are skipped when they come up (see noteLeaf).
	sideLeaves leafHeap
	// evictVisits counts the heap entries eviction looked at (tests
	// bound its cost with it).
	evictVisits int
	// bestHeader is the valid header with the most work, whether its
	// block (and its ancestors') are stored or not.
	bestHeader *blockNode
	// candidates are the blocks that could become the tip: haveChain,
	// not invalid, without a child that is both. bestCandidate picks the
	// one with the most work.
	candidates map[*blockNode]struct{}
	bhPath     []*blockNode // the best header's chain by height (BlocksToFetch's cache)
	closed     bool
	ibdDone    atomic.Bool // latched once the node left initial block download

	best atomic.Pointer[BestState]

	// Notification batches are numbered under mu and delivered in that
	// order after mu is released, so subscribers may call the chain's
	// read methods without deadlocking against the next ProcessBlock.
	noteSeq     uint64 // next batch number (under mu)
	deliverMu   sync.Mutex
	idleMu      sync.Mutex    // guards busyN and idleCh (busy.go)
	busyN       int           // ProcessBlock calls running
	idleCh      chan struct{} // closed when busyN drops to 0
	deliverCond *sync.Cond
	delivered   uint64 // batches delivered (under deliverMu)
	subsMu      sync.Mutex
	subs        []func(*Notification)
}

// New loads the chain state from cfg.DB, initialising it with the genesis
// block on first use. It fails with ErrReindexPending while an
// interrupted Reindex has left the UTXO set and registries half built.
func New(cfg Config) (*Chain, error) {
	c, err := open(cfg)
	if err != nil {
		return nil, err
	}
	if err := c.refuseHalfBuilt(); err != nil {
		c.closeFiles()
		return nil, err
	}
	c.mu.Lock()
	err = c.recoverUtxos()
	c.mu.Unlock()
	if err != nil {
		c.closeFiles()
		return nil, err
	}
	// A crash between storing a side-chain block and reorganising onto
	// it leaves a better chain waiting: finish the job.
	c.mu.Lock()
	var notes []*Notification
	err = c.activateBestChain(&notes)
	c.mu.Unlock()
	if err != nil && !isRuleError(err) {
		c.closeFiles()
		return nil, err
	}
	c.mu.Lock()
	c.maybePrune()
	c.mu.Unlock()
	best := c.Best()
	c.log.Info("chain loaded", "height", best.Height, "tip", best.Hash, "headers", len(c.index.nodes))
	return c, nil
}

// open applies the Config defaults, creates the buckets (and the genesis
// state) if needed and loads the block index and the best record.
func open(cfg Config) (*Chain, error) {
	if cfg.DB == nil || cfg.Params == nil {
		return nil, errors.New("chain: Config.DB and Config.Params are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxOrphanBlocks <= 0 {
		cfg.MaxOrphanBlocks = DefaultMaxOrphanBlocks
	}
	if cfg.MaxOrphanBytes <= 0 {
		cfg.MaxOrphanBytes = DefaultMaxOrphanBytes
	}
	if cfg.MaxSideHeaders <= 0 {
		cfg.MaxSideHeaders = DefaultMaxSideHeaders
	}
	if cfg.UtxoCacheEntries == 0 {
		cfg.UtxoCacheEntries = DefaultUtxoCacheEntries
	}
	if cfg.UtxoCacheBytes == 0 {
		cfg.UtxoCacheBytes = DefaultUtxoCacheBytes
	}
	if cfg.GameHook != nil {
		// A hook may annotate new outputs (GameHook.ConnectBlock), which
		// the replay after a crash could not redo: every commit writes
		// the UTXO set through.
		cfg.UtxoCacheBytes = -1
	}
	if cfg.UtxoFlushBlocks <= 0 {
		cfg.UtxoFlushBlocks = DefaultUtxoFlushBlocks
	}
	if cfg.UtxoFlushInterval <= 0 {
		cfg.UtxoFlushInterval = DefaultUtxoFlushInterval
	}
	c := &Chain{
		cfg: cfg, params: cfg.Params, db: cfg.DB, log: cfg.Logger,
		index:         newBlockIndex(),
		cache:         newUtxoCache(cfg.UtxoCacheEntries),
		layer:         newUtxoLayer(),
		orphans:       make(map[chainhash.Hash]*orphanBlock),
		orphansByPrev: make(map[chainhash.Hash][]*orphanBlock),
		headersOnly:   make(map[*blockNode]struct{}),
		candidates:    make(map[*blockNode]struct{}),
	}
	c.deliverCond = sync.NewCond(&c.deliverMu)
	if err := c.initDB(); err != nil {
		c.closeFiles()
		return nil, err
	}
	if err := c.load(); err != nil {
		c.closeFiles()
		return nil, err
	}
	if err := c.migrateBlocks(); err != nil {
		c.closeFiles()
		return nil, err
	}
	return c, nil
}

func isRuleError(err error) bool {
	var re RuleError
	return errors.As(err, &re)
}

func heightKey(h int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(h)) }

// best record: hash (32) || height (u32 BE) || total txns (u64 BE) ||
// tip weight (u32 BE) || tip tx count (u32 BE).
func bestValue(n *blockNode, totalTxns uint64, weight int) []byte {
	v := append([]byte(nil), n.hash[:]...)
	v = binary.BigEndian.AppendUint32(v, uint32(n.height))
	v = binary.BigEndian.AppendUint64(v, totalTxns)
	v = binary.BigEndian.AppendUint32(v, uint32(weight))
	return binary.BigEndian.AppendUint32(v, n.numTxns)
}

func (c *Chain) initDB() error {
	var fresh bool
	err := c.db.Update(func(tx *store.Tx) error {
		names := [][]byte{bucketChainState, bucketBlockIndex, bucketBlockFiles, bucketMainChain, bucketUtxo}
		for _, name := range append(names, regBucketNames[:]...) {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		fresh = tx.Bucket(bucketChainState).Get(keyBest) == nil
		return nil
	})
	if err != nil {
		return err
	}
	if err := c.openFiles(); err != nil {
		return err
	}
	if !fresh {
		return nil
	}
	gen := c.params.GenesisBlock
	n := newBlockNode(&gen.Header, nil)
	if n.hash != c.params.GenesisHash {
		return fmt.Errorf("chain: genesis block hashes to %v, params say %v", n.hash, c.params.GenesisHash)
	}
	n.status = statusDataStored | statusValid
	n.numTxns = uint32(len(gen.Transactions))
	return c.update(func(tx *store.Tx) error {
		var err error
		if n.blockPos, err = c.storeBlock(n, gen.Bytes()); err != nil {
			return err
		}
		if err := tx.Bucket(bucketBlockIndex).Put(indexKey(n), indexValue(n)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketMainChain).Put(heightKey(0), n.hash[:]); err != nil {
			return err
		}
		return tx.Bucket(bucketChainState).Put(keyBest, bestValue(n, uint64(n.numTxns), gen.Weight()))
	})
}

func (c *Chain) load() error {
	return c.db.View(func(tx *store.Tx) error {
		cur := tx.Bucket(bucketBlockIndex).Cursor()
		for k, v := cur.First(); k != nil; k, v = cur.Next() {
			r, err := decodeIndexRecord(k, v)
			if err != nil {
				return err
			}
			height, hdr, status := r.height, r.header, r.status
			var parent *blockNode
			if height > 0 {
				if parent = c.index.nodes[hdr.PrevBlock]; parent == nil {
					return fmt.Errorf("chain: block index: parent of %x at height %d missing", k[4:], height)
				}
			}
			n := newBlockNode(&hdr, parent)
			if n.height != height {
				return fmt.Errorf("chain: block index: %v recorded at height %d, is at %d", n.hash, height, n.height)
			}
			if height == 0 && n.hash != c.params.GenesisHash {
				return fmt.Errorf("chain: block index: height 0 block %v is not this network's genesis", n.hash)
			}
			n.status, n.numTxns, n.blockPos, n.undoPos = status, r.numTxns, r.blockPos, r.undoPos
			n.haveChain = status&statusDataStored != 0 && (parent == nil || parent.haveChain)
			c.index.add(n)
			if r.legacy {
				if c.legacyRecords == nil {
					c.legacyRecords = make(map[*blockNode]bool)
				}
				c.legacyRecords[n] = true
			}
		}
		v := tx.Bucket(bucketChainState).Get(keyBest)
		if len(v) != 52 {
			return fmt.Errorf("chain: best-state record: %w", errCorrupt)
		}
		var h chainhash.Hash
		copy(h[:], v)
		tip := c.index.nodes[h]
		if tip == nil || int32(binary.BigEndian.Uint32(v[32:])) != tip.height {
			return fmt.Errorf("chain: best block %v not in the block index", h)
		}
		c.index.main = make([]*blockNode, tip.height+1)
		for n := tip; n != nil; n = n.parent {
			c.index.main[n.height] = n
		}
		c.totalTxns = binary.BigEndian.Uint64(v[36:])
		c.setBest(tip, int(binary.BigEndian.Uint32(v[44:])))
		c.recomputeBestHeader()
		c.recomputeCandidates()
		return nil
	})
}

func (c *Chain) setBest(tip *blockNode, weight int) {
	c.best.Store(&BestState{
		Hash: tip.hash, Height: tip.height, Bits: tip.header.Bits,
		MedianTime: medianTimePast(tip), Timestamp: int64(tip.header.Timestamp),
		MinNextTime: c.minNextTime(tip),
		Work:        new(big.Int).Set(tip.workSum), TotalTxns: c.totalTxns,
		BlockWeight: weight, NumTxns: int(tip.numTxns),
	})
}

// Best returns a snapshot of the tip. It does not block on validation.
func (c *Chain) Best() BestState { return *c.best.Load() }

// Subscribe registers fn for notifications. fn runs synchronously after
// each change is committed, outside the chain lock: it may call the
// chain's read methods, but not ProcessBlock or InvalidateBlock (they
// would wait for their own notifications).
func (c *Chain) Subscribe(fn func(*Notification)) {
	c.subsMu.Lock()
	c.subs = append(c.subs, fn)
	c.subsMu.Unlock()
}

// unlockAndNotify releases the write lock and delivers notes after every
// earlier batch.
func (c *Chain) unlockAndNotify(notes []*Notification) {
	if len(notes) == 0 {
		c.mu.Unlock()
		return
	}
	seq := c.noteSeq
	c.noteSeq++
	c.mu.Unlock()
	c.deliverMu.Lock()
	for c.delivered != seq {
		c.deliverCond.Wait()
	}
	c.deliverMu.Unlock()
	c.subsMu.Lock()
	subs := slices.Clone(c.subs)
	c.subsMu.Unlock()
	defer func() {
		c.deliverMu.Lock()
		c.delivered++
		c.deliverCond.Broadcast()
		c.deliverMu.Unlock()
	}()
	for _, n := range notes {
		for _, fn := range subs {
			fn(n)
		}
	}
}

// ProcessBlock validates blk and adds it to the chain. mainChain reports
// whether blk ended up on the active chain; orphan that its parent is
// unknown (the block is kept and processed when the parent arrives).
// A rule violation comes back as a RuleError.
//
// A block is stored only when its chain could become the best one: its
// own chain's work, or that of the best known header it leads to, reaches
// the tip's and the network's MinimumChainWork. A lighter side-chain block
// costs its sender only the proof of work of its own bits (little, on a
// fork from an early height); its header is kept in memory (bounded by
// MaxSideHeaders) and its data dropped, with no error: the block can be
// sent again once its chain has the work. flags with BFRequested (the
// node asked for the block, or its operator submitted it) store it
// whatever its work.
func (c *Chain) ProcessBlock(blk *wire.MsgBlock, flags BehaviorFlags) (mainChain bool, orphan bool, err error) {
	c.enterBusy()
	defer c.leaveBusy()
	c.mu.Lock()
	var notes []*Notification
	defer func() { c.unlockAndNotify(notes) }()
	if c.closed {
		return false, false, ErrClosed
	}
	hash := blk.BlockHash()
	if n := c.index.nodes[hash]; n != nil {
		if n.status.knownInvalid() {
			return false, false, ruleError(ErrKnownInvalid, "block %v is known to be invalid", hash)
		}
		if n.status&statusDataStored != 0 {
			return false, false, ruleError(ErrDuplicateBlock, "block %v already known", hash)
		}
	}
	if _, ok := c.orphans[hash]; ok {
		return false, false, ruleError(ErrDuplicateBlock, "block %v already known as an orphan", hash)
	}
	txids, err := checkBlockSanity(blk, hash, c.params, flags)
	if err != nil {
		return false, false, err
	}
	if c.index.nodes[blk.Header.PrevBlock] == nil {
		if err := c.checkHeaderTime(&blk.Header); err != nil {
			return false, false, err
		}
		c.addOrphan(&orphanBlock{blk: blk, hash: hash, flags: flags, size: blk.SerializeSize()})
		return false, true, nil
	}
	mainChain, err = c.acceptBlock(blk, hash, txids, flags, &notes)
	if err != nil {
		return false, false, err
	}
	c.processOrphans(hash, &notes)
	return mainChain, false, nil
}

// acceptBlock runs the contextual checks on a sane block whose parent is
// known, stores it and connects it (or reorganises onto it) when it makes
// the best chain. A block whose header is already known (kept without its
// data) reuses that index node.
func (c *Chain) acceptBlock(blk *wire.MsgBlock, hash chainhash.Hash, txids []chainhash.Hash, flags BehaviorFlags, notes *[]*Notification) (bool, error) {
	prev := c.index.nodes[blk.Header.PrevBlock]
	node := c.index.nodes[hash]
	fresh := node == nil
	if fresh {
		if err := c.checkHeaderTime(&blk.Header); err != nil {
			return false, err
		}
		// Failures that cost the sender nothing beyond the proof of work
		// for the block's own bits (an invalid parent, wrong bits, a bad
		// time or version, a fork below a checkpoint) are refused without
		// indexing or storing the header, as Core's AcceptBlockHeader
		// does: remembering them would let anyone grow the index and
		// force an fsync per junk header. They are cheap to re-check.
		if prev.status.knownInvalid() {
			return false, ruleError(ErrInvalidAncestor, "block %v builds on invalid block %v", hash, prev.hash)
		}
		if err := c.checkHeaderContext(&blk.Header, prev); err != nil {
			return false, err
		}
		if err := c.checkCheckpoints(hash, prev); err != nil {
			return false, err
		}
		node = newBlockNode(&blk.Header, prev)
	}
	if !c.worthStoring(node, flags) {
		if fresh {
			c.addHeaderOnly(node)
		}
		c.log.Debug("block on a chain too light to store; header kept", "hash", hash, "height", node.height,
			"work", node.workSum, "tipWork", c.index.tip().workSum)
		return false, nil
	}
	node.numTxns = uint32(len(blk.Transactions))
	if err := checkBlockContext(blk, prev); err != nil {
		if fresh {
			node.status = statusValidateFailed
			c.addInvalidNode(node)
		} else {
			c.markInvalid(node)
		}
		return false, err
	}
	_, wasMem := c.headersOnly[node]
	if fresh {
		c.index.add(node)
		c.noteHeader(node)
	} else {
		delete(c.headersOnly, node)
	}
	// undo forgets node again after a failure that is not a rule
	// violation (the block may be offered again), or puts a known header
	// back in memory when it was kept there (a stored one stays stored).
	undo := func() {
		if fresh {
			c.index.remove(node)
			c.noteLeaf(node.parent)
			if c.bestHeader == node {
				c.recomputeBestHeader()
			}
		} else if wasMem {
			c.headersOnly[node] = struct{}{}
			c.noteLeaf(node)
		}
	}
	tip := c.index.tip()
	if prev == tip {
		err := c.connectBranch(nil, []*blockNode{node}, map[*blockNode]*pendingBlock{node: {blk, txids}}, notes)
		if err != nil {
			var ce *connectError
			if errors.As(err, &ce) {
				c.markInvalid(ce.node)
				return false, ce.err
			}
			undo()
			return false, err
		}
		*notes = append(*notes, &Notification{Type: NTBlockAccepted, Block: blk, Hash: hash, Height: node.height})
		if len(node.children) != 0 {
			// Stored descendants (that waited for this block) may make a
			// heavier chain now.
			if err := c.activateBestChain(notes); err != nil && !isRuleError(err) {
				return true, err
			}
		}
		return true, nil
	}
	// A side chain: store the block, reorganise when that completes a
	// branch with more work than the tip.
	// Ancestors known only as headers in memory are written too (without
	// data), so the stored index always reaches the genesis block.
	var memAncestors []*blockNode
	for a := node.parent; a != nil; a = a.parent {
		if _, ok := c.headersOnly[a]; !ok {
			break
		}
		memAncestors = append(memAncestors, a)
	}
	var pos blockfile.Pos
	err := c.update(func(tx *store.Tx) error {
		var err error
		if pos, err = c.storeBlock(node, blk.Bytes()); err != nil {
			return err
		}
		idxB := tx.Bucket(bucketBlockIndex)
		for _, a := range memAncestors {
			if err := idxB.Put(indexKey(a), indexValue(a)); err != nil {
				return err
			}
		}
		rec := *node
		rec.status |= statusDataStored
		rec.blockPos = pos
		return idxB.Put(indexKey(&rec), indexValue(&rec))
	})
	if err != nil {
		undo()
		return false, fmt.Errorf("chain: store block %v: %w", hash, err)
	}
	for _, a := range memAncestors {
		delete(c.headersOnly, a)
	}
	node.status |= statusDataStored
	node.blockPos = pos
	c.linkData(node)
	c.log.Debug("side-chain block stored", "hash", hash, "height", node.height)
	reorgErr := c.activateBestChain(notes)
	if node.status.knownInvalid() {
		return false, reorgErr
	}
	*notes = append(*notes, &Notification{Type: NTBlockAccepted, Block: blk, Hash: hash, Height: node.height})
	if reorgErr != nil && !isRuleError(reorgErr) {
		return false, reorgErr
	}
	return c.index.inMain(node), nil
}

// addInvalidNode records a header that failed validation so it (and
// anything built on it) is rejected at once next time. On a parent kept
// in memory only it is kept in memory only too, as markInvalid leaves
// such headers: the stored index must reach genesis (every stored node's
// ancestors are stored), or the next start could not load it.
func (c *Chain) addInvalidNode(n *blockNode) {
	if _, memOnly := c.headersOnly[n.parent]; memOnly {
		c.addHeaderOnly(n)
		return
	}
	c.index.add(n)
	if err := c.db.Update(func(tx *store.Tx) error {
		return tx.Bucket(bucketBlockIndex).Put(indexKey(n), indexValue(n))
	}); err != nil {
		c.log.Warn("cannot persist invalid block", "hash", n.hash, "err", err)
	}
}

// markInvalid flags n as failed and its descendants as having an invalid
// ancestor, in memory and on disk.
func (c *Chain) markInvalid(n *blockNode) {
	n.status |= statusValidateFailed
	all := append([]*blockNode{n}, descendants(n)...)
	for _, d := range all[1:] {
		d.status |= statusInvalidAncestor
	}
	c.log.Info("block marked invalid", "hash", n.hash, "height", n.height, "descendants", len(all)-1)
	if c.bestHeader != nil && c.bestHeader.status.knownInvalid() {
		c.recomputeBestHeader()
	}
	c.recomputeCandidates()
	if err := c.persistStatus(all); err != nil {
		c.log.Warn("cannot persist invalid block", "hash", n.hash, "err", err)
	}
}

// persistStatus writes the index records of nodes (their status), but
// not of headers kept in memory only.
func (c *Chain) persistStatus(nodes []*blockNode) error {
	return c.db.Update(func(tx *store.Tx) error {
		b := tx.Bucket(bucketBlockIndex)
		for _, d := range nodes {
			if _, memOnly := c.headersOnly[d]; memOnly {
				continue
			}
			if err := b.Put(indexKey(d), indexValue(d)); err != nil {
				return err
			}
		}
		return nil
	})
}

// bestCandidate returns the block with the most work whose data, and
// that of every ancestor, is stored and which is not known to be invalid;
// the tip wins ties.
func (c *Chain) bestCandidate() *blockNode {
	var best *blockNode
	if tip := c.index.tip(); !tip.status.knownInvalid() {
		best = tip
	}
	for n := range c.candidates {
		// A pruned block cannot be connected again.
		if n.status.knownInvalid() || !n.haveChain || n.status&statusPruned != 0 {
			continue
		}
		if best == nil || n.workSum.Cmp(best.workSum) > 0 ||
			(n.workSum.Cmp(best.workSum) == 0 && best != c.index.tip() && lighter(n, best)) {
			best = n
		}
	}
	return best
}

// InvalidateBlock marks a stored block and its descendants invalid, as
// Bitcoin Core's invalidateblock does, and moves the active chain to the
// best chain left. The genesis block cannot be invalidated.
func (c *Chain) InvalidateBlock(h chainhash.Hash) error {
	c.mu.Lock()
	var notes []*Notification
	defer func() { c.unlockAndNotify(notes) }()
	if c.closed {
		return ErrClosed
	}
	n := c.index.nodes[h]
	if n == nil {
		return fmt.Errorf("chain: block %v: %w", h, ErrBlockNotFound)
	}
	if n.height == 0 {
		return errors.New("chain: cannot invalidate the genesis block")
	}
	c.markInvalid(n)
	if err := c.activateBestChain(&notes); err != nil && !isRuleError(err) {
		return err
	}
	return nil
}

// ReconsiderBlock undoes InvalidateBlock, as Bitcoin Core's
// reconsiderblock does: it clears the invalid marks of a stored block, its
// descendants and its ancestors, and moves the active chain to the best
// chain then. A block that does break a rule is marked invalid again when
// the chain tries to connect it (the error is not returned: the chain ends
// on the best valid branch).
func (c *Chain) ReconsiderBlock(h chainhash.Hash) error {
	c.mu.Lock()
	var notes []*Notification
	defer func() { c.unlockAndNotify(notes) }()
	if c.closed {
		return ErrClosed
	}
	n := c.index.nodes[h]
	if n == nil {
		return fmt.Errorf("chain: block %v: %w", h, ErrBlockNotFound)
	}
	all := append([]*blockNode{n}, descendants(n)...)
	for a := n.parent; a != nil; a = a.parent {
		all = append(all, a)
	}
	var changed []*blockNode
	for _, d := range all {
		if d.status.knownInvalid() {
			d.status &^= statusValidateFailed | statusInvalidAncestor
			changed = append(changed, d)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	c.log.Info("block reconsidered", "hash", n.hash, "height", n.height, "cleared", len(changed))
	if err := c.persistStatus(changed); err != nil {
		return fmt.Errorf("chain: reconsider %v: %w", h, err)
	}
	c.recomputeBestHeader()
	c.recomputeCandidates()
	if err := c.activateBestChain(&notes); err != nil && !isRuleError(err) {
		return err
	}
	return nil
}

// activateBestChain reorganises onto the best candidate, falling back to
// the next best when a block of the new branch turns out invalid. It
// returns the first rule violation met (the chain is then on the best
// valid branch).
func (c *Chain) activateBestChain(notes *[]*Notification) error {
	var firstErr error
	for {
		cand := c.bestCandidate()
		tip := c.index.tip()
		if cand == tip {
			return firstErr
		}
		fork := c.index.fork(cand)
		var detach, attach []*blockNode
		for n := tip; n != fork; n = n.parent {
			detach = append(detach, n)
		}
		for n := cand; n != fork; n = n.parent {
			attach = append(attach, n)
		}
		for i, j := 0, len(attach)-1; i < j; i, j = i+1, j-1 {
			attach[i], attach[j] = attach[j], attach[i]
		}
		if len(detach) > 0 {
			c.log.Info("reorganising", "fork", fork.hash, "forkHeight", fork.height,
				"old", tip.hash, "new", cand.hash, "detach", len(detach), "attach", len(attach))
		}
		err := c.connectBranch(detach, attach, nil, notes)
		if err == nil {
			return firstErr
		}
		var ce *connectError
		if !errors.As(err, &ce) {
			return err
		}
		c.markInvalid(ce.node)
		if firstErr == nil {
			firstErr = ce.err
		}
	}
}

type appliedBlock struct {
	node    *blockNode
	blk     *wire.MsgBlock
	connect bool
	txids   []chainhash.Hash // connect only
}

// connectBranch disconnects detach (tip first) and connects attach
// (oldest first) in one database transaction, so a crash leaves either
// the old or the new tip. Blocks in pending are stored in the same
// transaction. A rule violation by one of attach comes back as a
// *connectError and leaves everything as it was.
func (c *Chain) connectBranch(detach, attach []*blockNode, pending map[*blockNode]*pendingBlock, notes *[]*Notification) error {
	start := time.Now()
	view := NewUtxoViewpoint()
	var done []appliedBlock
	total := c.totalTxns
	newTip := c.index.tip()
	var tipWeight int
	// The attached blocks' new positions, applied to the index nodes
	// once committed.
	blockPos := make([]blockfile.Pos, len(attach))
	undoPos := make([]blockfile.Pos, len(attach))
	var flush bool
	if len(detach) > 0 || c.cfg.UtxoCacheBytes < 0 {
		// The commit below writes its UTXO changes itself: on an empty
		// layer, and with the bucket at the old tip (see Durability).
		if err := c.flushUtxos(); err != nil {
			return err
		}
	}
	err := c.update(func(tx *store.Tx) error {
		done, total = done[:0], c.totalTxns
		idxB, mainB := tx.Bucket(bucketBlockIndex), tx.Bucket(bucketMainChain)
		// Appended in height order, both are rewritten in place: full
		// pages (bbolt splits at half by default).
		idxB.FillPercent, mainB.FillPercent = 1, 1
		for _, n := range detach {
			blk, err := c.loadBlock(n)
			if err != nil {
				return err
			}
			undo, err := c.loadUndo(n)
			if err != nil {
				return err
			}
			if err := disconnectBlock(view, blk, undo); err != nil {
				return err
			}
			if err := c.indexDisconnect(tx, blk, n, undo.spent); err != nil {
				return err
			}
			hookUndo, err := undoRegistries(tx, undo.game)
			if err != nil {
				return fmt.Errorf("chain: game registries disconnect of %v: %w", n.hash, err)
			}
			if hook := c.cfg.GameHook; hook != nil {
				if err := hook.DisconnectBlock(tx, blk, n.height, hookUndo); err != nil {
					return fmt.Errorf("chain: game layer disconnect of %v: %w", n.hash, err)
				}
			}
			rec := *n
			rec.undoPos = blockfile.Pos{}
			if err := idxB.Put(indexKey(&rec), indexValue(&rec)); err != nil {
				return err
			}
			if err := mainB.Delete(heightKey(n.height)); err != nil {
				return err
			}
			total -= uint64(len(blk.Transactions))
			done = append(done, appliedBlock{n, blk, false, nil})
			newTip = n.parent
			tipWeight = -1
		}
		type pendingCheck struct {
			node *blockNode
			wait func() error
		}
		var checks []pendingCheck
		// On any early return, stop the background script checks.
		defer func() {
			for _, pc := range checks {
				pc.wait()
			}
		}()
		for i, n := range attach {
			var blk *wire.MsgBlock
			var txids []chainhash.Hash
			blockPos[i] = n.blockPos
			p := pending[n]
			if p != nil {
				blk, txids = p.blk, p.txids
			} else {
				var err error
				if blk, err = c.loadBlock(n); err != nil {
					return err
				}
				txids = make([]chainhash.Hash, len(blk.Transactions))
				for i, t := range blk.Transactions {
					txids[i] = t.TxHash()
				}
			}
			undo, wait, err := c.checkConnectBlock(tx, n, blk, txids, view, true)
			if err != nil {
				// An earlier block of the branch may have failed its
				// scripts: that one is the invalid block.
				for i, pc := range checks {
					if perr := pc.wait(); perr != nil && isRuleError(perr) {
						for _, rest := range checks[i+1:] {
							rest.wait()
						}
						checks = nil
						return &connectError{node: pc.node, err: perr}
					}
				}
				checks = nil
				if isRuleError(err) {
					return &connectError{node: n, err: err}
				}
				return err
			}
			checks = append(checks, pendingCheck{n, wait})
			if p != nil {
				if blockPos[i], err = c.storeBlock(n, blk.Bytes()); err != nil {
					return err
				}
			}
			if undoPos[i], err = c.storeUndo(n, undo.encode()); err != nil {
				return err
			}
			if err := c.indexConnect(tx, blk, n, undo.spent); err != nil {
				return err
			}
			if err := mainB.Put(heightKey(n.height), n.hash[:]); err != nil {
				return err
			}
			rec := *n
			rec.status |= statusDataStored | statusValid
			rec.blockPos, rec.undoPos = blockPos[i], undoPos[i]
			if err := idxB.Put(indexKey(&rec), indexValue(&rec)); err != nil {
				return err
			}
			total += uint64(len(blk.Transactions))
			done = append(done, appliedBlock{n, blk, true, txids})
			newTip, tipWeight = n, blk.Weight()
		}
		if tipWeight < 0 {
			blk, err := c.loadBlock(newTip)
			if err != nil {
				return err
			}
			tipWeight = blk.Weight()
		}
		// The UTXO changes go to the write-back cache, flushed after
		// the commit when due. A reorganisation writes its changes in
		// its commit, on a layer flushed (to the old tip) before it, so
		// the block the utxo bucket is consistent with stays on the
		// active chain (crash recovery replays forward only); so does
		// every commit without a cache (a negative budget).
		flush = len(detach) > 0 || c.cfg.UtxoCacheBytes < 0
		if flush {
			if err := putUtxoTip(tx, newTip); err != nil {
				return err
			}
			if err := writeView(tx, view); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketChainState).Put(keyBest, bestValue(newTip, total, tipWeight)); err != nil {
			return err
		}
		// Everything is written; the commit waits for the scripts.
		for i, pc := range checks {
			err := pc.wait()
			if err != nil {
				for _, rest := range checks[i+1:] {
					rest.wait()
				}
				checks = nil
				if isRuleError(err) {
					return &connectError{node: pc.node, err: err}
				}
				return err
			}
		}
		checks = nil
		return nil
	})
	if err != nil {
		return err
	}
	// Committed: bring memory in line.
	for _, n := range detach {
		n.undoPos = blockfile.Pos{}
	}
	for i, n := range attach {
		fresh := n.status&statusDataStored == 0
		n.status |= statusDataStored | statusValid
		n.blockPos, n.undoPos = blockPos[i], undoPos[i]
		if fresh {
			c.linkData(n)
		}
	}
	c.index.main = append(c.index.main[:newTip.height+1-int32(len(attach))], attach...)
	c.totalTxns = total
	if flush {
		c.layerFlushed(newTip)
		c.cacheView(view)
	} else {
		c.layerApply(view)
		c.layer.blocks += len(attach)
		if c.flushDue() {
			// The block is committed either way: a failed flush
			// leaves the rest of the layer for the next one, and a
			// crash before that replays from "utxotip".
			if err := c.flushUtxos(); err != nil {
				c.log.Error("cannot flush the utxo cache", "err", err)
			}
		}
	}
	c.setBest(newTip, tipWeight)
	if obs := c.cfg.ConnectObserver; obs != nil && len(attach) > 0 {
		obs(len(attach), time.Since(start))
	}
	for _, a := range done {
		if !a.connect {
			*notes = append(*notes, &Notification{Type: NTBlockDisconnected, Block: a.blk, Hash: a.node.hash, Height: a.node.height})
			continue
		}
		*notes = append(*notes, &Notification{Type: NTBlockConnected, Block: a.blk, Hash: a.node.hash, Height: a.node.height, TxIDs: a.txids})
		for _, t := range a.blk.Transactions {
			*notes = append(*notes, &Notification{Type: NTTxConfirmed, Block: a.blk, Hash: a.node.hash, Height: a.node.height, Tx: t})
		}
	}
	c.log.Debug("chain tip", "hash", newTip.hash, "height", newTip.height)
	c.maybePrune()
	return nil
}

// Orphans.

func (c *Chain) addOrphan(o *orphanBlock) {
	// One that could never fit is dropped before it evicts anything.
	if o.size > c.cfg.MaxOrphanBytes {
		c.log.Debug("orphan block larger than the orphan budget dropped", "hash", o.hash, "size", o.size)
		return
	}
	for len(c.orphanOrder) > 0 && (len(c.orphanOrder) >= c.cfg.MaxOrphanBlocks || c.orphanBytes+o.size > c.cfg.MaxOrphanBytes) {
		c.removeOrphan(c.orphanOrder[0])
	}
	c.orphanBytes += o.size
	c.orphans[o.hash] = o
	prev := o.blk.Header.PrevBlock
	c.orphansByPrev[prev] = append(c.orphansByPrev[prev], o)
	c.orphanOrder = append(c.orphanOrder, o)
	c.log.Debug("orphan block", "hash", o.hash, "prev", prev, "orphans", len(c.orphans))
}

func (c *Chain) removeOrphan(o *orphanBlock) {
	delete(c.orphans, o.hash)
	c.orphanBytes -= o.size
	prev := o.blk.Header.PrevBlock
	list := c.orphansByPrev[prev]
	for i, x := range list {
		if x == o {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(c.orphansByPrev, prev)
	} else {
		c.orphansByPrev[prev] = list
	}
	for i, x := range c.orphanOrder {
		if x == o {
			c.orphanOrder = append(c.orphanOrder[:i:i], c.orphanOrder[i+1:]...)
			break
		}
	}
}

// processOrphans accepts every orphan that descends from hash, breadth
// first.
func (c *Chain) processOrphans(hash chainhash.Hash, notes *[]*Notification) {
	queue := []chainhash.Hash{hash}
	for len(queue) > 0 {
		h := queue[0]
		queue = queue[1:]
		kids := append([]*orphanBlock(nil), c.orphansByPrev[h]...)
		for _, o := range kids {
			c.removeOrphan(o)
			txids := make([]chainhash.Hash, len(o.blk.Transactions))
			for i, t := range o.blk.Transactions {
				txids[i] = t.TxHash()
			}
			if _, err := c.acceptBlock(o.blk, o.hash, txids, o.flags, notes); err != nil {
				c.log.Debug("orphan rejected", "hash", o.hash, "err", err)
				continue
			}
			queue = append(queue, o.hash)
		}
	}
}

// IsKnownOrphan reports whether h is held as an orphan.
func (c *Chain) IsKnownOrphan(h chainhash.Hash) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.orphans[h]
	return ok
}

// OrphanRoot returns the first missing ancestor's child: the oldest orphan
// in h's orphan chain (h itself when its parent is not an orphan).
func (c *Chain) OrphanRoot(h chainhash.Hash) chainhash.Hash {
	c.mu.RLock()
	defer c.mu.RUnlock()
	root := h
	for {
		o, ok := c.orphans[root]
		if !ok {
			return root
		}
		prev := o.blk.Header.PrevBlock
		if _, ok := c.orphans[prev]; !ok {
			return root
		}
		root = prev
	}
}

// Queries.

// MedianTimePast returns the median time past of the tip.
func (c *Chain) MedianTimePast() int64 { return c.Best().MedianTime }

// NextRequiredBits returns the bits a block on the tip with timestamp
// must carry.
func (c *Chain) NextRequiredBits(timestamp uint32) (uint32, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.nextRequiredBits(c.index.tip(), timestamp), nil
}

// FetchUtxoEntry returns (a copy of) the unspent output op at the tip, or
// nil, nil.
func (c *Chain) FetchUtxoEntry(op wire.OutPoint) (*UtxoEntry, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out *UtxoEntry
	err := c.db.View(func(tx *store.Tx) error {
		e, err := c.fetchEntry(tx, op)
		out = e.Clone()
		if out != nil {
			out.state = 0
		}
		return err
	})
	return out, err
}

// FetchUtxoView returns a view holding copies of the confirmed entries
// tx's inputs spend and of any confirmed outputs of tx itself.
func (c *Chain) FetchUtxoView(t *wire.MsgTx) (*UtxoViewpoint, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	view := NewUtxoViewpoint()
	err := c.db.View(func(tx *store.Tx) error {
		add := func(op wire.OutPoint) error {
			e, err := c.fetchEntry(tx, op)
			if err != nil || e == nil {
				return err
			}
			cp := e.Clone()
			cp.state = 0
			view.entries[op] = cp
			return nil
		}
		if !t.IsCoinBase() {
			for _, in := range t.TxIn {
				if err := add(in.PreviousOutPoint); err != nil {
					return err
				}
			}
		}
		txid := t.TxHash()
		for i := range t.TxOut {
			if err := add(wire.OutPoint{Hash: txid, Index: uint32(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	return view, err
}

// CalcSequenceLock returns tx's BIP68 lock for a block on the tip. With
// mempool set, inputs at UnconfirmedHeight count as confirmed in the next
// block.
func (c *Chain) CalcSequenceLock(tx *wire.MsgTx, view UtxoView, mempool bool) (*SequenceLock, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.calcSequenceLock(c.index.tip(), tx, view, mempool)
}

// CheckConnectBlockTemplate fully validates blk as the next block on the
// tip, without the proof-of-work hash check and without storing anything.
func (c *Chain) CheckConnectBlockTemplate(blk *wire.MsgBlock) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	tip := c.index.tip()
	if blk.Header.PrevBlock != tip.hash {
		return ruleError(ErrNotExtendingTip, "block builds on %v, the tip is %v", blk.Header.PrevBlock, tip.hash)
	}
	txids, err := checkBlockSanity(blk, blk.BlockHash(), c.params, BFNoPoWCheck)
	if err != nil {
		return err
	}
	if err := c.checkHeaderTime(&blk.Header); err != nil {
		return err
	}
	if err := c.checkHeaderContext(&blk.Header, tip); err != nil {
		return err
	}
	if err := checkBlockContext(blk, tip); err != nil {
		return err
	}
	node := newBlockNode(&blk.Header, tip)
	return c.db.View(func(tx *store.Tx) error {
		_, wait, err := c.checkConnectBlock(tx, node, blk, txids, NewUtxoViewpoint(), false)
		if err != nil {
			return err
		}
		return wait()
	})
}

// HaveBlock reports whether the block is stored or held as an orphan.
func (c *Chain) HaveBlock(h chainhash.Hash) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if n := c.index.nodes[h]; n != nil && n.status&statusDataStored != 0 {
		return true
	}
	_, ok := c.orphans[h]
	return ok
}

// BlockByHash loads a stored block (main chain or side chain). A block
// deleted by pruning is ErrPruned.
func (c *Chain) BlockByHash(h chainhash.Hash) (*wire.MsgBlock, error) {
	raw, err := c.rawBlock(h)
	if err != nil {
		return nil, err
	}
	blk, err := wire.DecodeBlock(raw)
	if err != nil {
		return nil, fmt.Errorf("chain: stored block %v: %w", h, err)
	}
	return blk, nil
}

// RawBlockByHash returns a stored block's serialization (witness form)
// as stored, without decoding it: what a peer asking for the block gets.
// A block deleted by pruning is ErrPruned.
func (c *Chain) RawBlockByHash(h chainhash.Hash) ([]byte, error) {
	return c.rawBlock(h)
}

// BlockHashByHeight returns the active chain's block hash at height.
func (c *Chain) BlockHashByHeight(height int32) (chainhash.Hash, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if height < 0 || int(height) >= len(c.index.main) {
		return chainhash.Hash{}, fmt.Errorf("chain: no block at height %d: %w", height, ErrBlockNotFound)
	}
	return c.index.main[height].hash, nil
}

// HeaderByHash returns a known header (any branch) and its height.
func (c *Chain) HeaderByHash(h chainhash.Hash) (wire.BlockHeader, int32, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := c.index.nodes[h]
	if n == nil {
		return wire.BlockHeader{}, 0, fmt.Errorf("chain: header %v: %w", h, ErrBlockNotFound)
	}
	return n.header, n.height, nil
}

// BlockHeightByHash returns the height of a block of the active chain.
func (c *Chain) BlockHeightByHash(h chainhash.Hash) (int32, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := c.index.nodes[h]
	if !c.index.inMain(n) {
		return 0, fmt.Errorf("chain: block %v not in the active chain: %w", h, ErrBlockNotFound)
	}
	return n.height, nil
}

// MainChainHasBlock reports whether h is on the active chain.
func (c *Chain) MainChainHasBlock(h chainhash.Hash) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.index.inMain(c.index.nodes[h])
}

// Tips lists every chain tip (blocks without children), the active one
// first, then by height, highest first.
func (c *Chain) Tips() []TipInfo {
	c.mu.RLock()
	defer c.mu.RUnlock()
	tip := c.index.tip()
	var out []TipInfo
	for _, n := range c.index.nodes {
		if len(n.children) != 0 && n != tip {
			continue
		}
		ti := TipInfo{Hash: n.hash, Height: n.height, BranchLen: n.height - c.index.fork(n).height}
		switch {
		case n == tip:
			ti.Status = "active"
		case n.status.knownInvalid():
			ti.Status = "invalid"
		case n.status&statusValid != 0:
			ti.Status = "valid-fork"
		case n.status&statusDataStored != 0:
			ti.Status = "valid-headers"
		default:
			ti.Status = "headers-only"
		}
		out = append(out, ti)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Status == "active") != (out[j].Status == "active") {
			return out[i].Status == "active"
		}
		if out[i].Height != out[j].Height {
			return out[i].Height > out[j].Height
		}
		return string(out[i].Hash[:]) < string(out[j].Hash[:])
	})
	return out
}

// UtxoSetHash hashes the whole confirmed UTXO set in key order: SHA-256
// over key || uvarint(len(value)) || value of every record. It also
// returns the number of entries. It flushes the write-back cache first.
func (c *Chain) UtxoSetHash() (chainhash.Hash, uint64, error) {
	var (
		out chainhash.Hash
		n   uint64
	)
	err := c.flushedView(func(tx *store.Tx, _ BestState) (err error) {
		out, n, err = utxoBucketHashTx(tx)
		return err
	})
	return out, n, err
}

// flushedView flushes the write-back UTXO cache under the chain's lock
// and runs fn in a database read transaction begun before the lock is
// let go: fn reads the state of best's tip (bbolt's read transactions
// are snapshots) while blocks connect, and the mempool reads, in the
// meantime. A whole-set scan holds no chain lock.
func (c *Chain) flushedView(fn func(tx *store.Tx, best BestState) error) error {
	c.mu.Lock()
	locked := true
	defer func() {
		if locked {
			c.mu.Unlock()
		}
	}()
	if !c.closed {
		if err := c.flushUtxos(); err != nil {
			return err
		}
	}
	best := c.Best()
	return c.db.View(func(tx *store.Tx) error {
		c.mu.Unlock()
		locked = false
		return fn(tx, best)
	})
}

// utxoBucketHash is UtxoSetHash of the utxo bucket as it is, without a
// flush (Reindex: its chain never replayed the blocks after the bucket's
// block, so a flush would claim too much).
func (c *Chain) utxoBucketHash() (out chainhash.Hash, n uint64, err error) {
	err = c.db.View(func(tx *store.Tx) error {
		out, n, err = utxoBucketHashTx(tx)
		return err
	})
	return out, n, err
}

// utxoBucketHashTx hashes the utxo bucket as tx sees it.
func utxoBucketHashTx(tx *store.Tx) (chainhash.Hash, uint64, error) {
	h := sha256.New()
	var n uint64
	err := func() error {
		var lb [binary.MaxVarintLen64]byte
		return tx.Bucket(bucketUtxo).ForEach(func(k, v []byte) error {
			h.Write(k)
			h.Write(binary.AppendUvarint(lb[:0], uint64(len(v))))
			h.Write(v)
			n++
			return nil
		})
	}()
	var out chainhash.Hash
	h.Sum(out[:0])
	return out, n, err
}

// UtxoSetInfo summarises the confirmed UTXO set at one tip (the
// gettxoutsetinfo RPC method).
type UtxoSetInfo struct {
	Height    int32
	BestBlock chainhash.Hash
	// TxOuts is the number of unspent outputs, Transactions the number
	// of transactions with at least one, Total their value in dust.
	TxOuts, Transactions uint64
	Total                int64
	// Hash is UtxoSetHash's, RegistryHash RegistryHash's, at this tip.
	Hash, RegistryHash chainhash.Hash
}

// UtxoSetInfo flushes the write-back UTXO cache, then reads the UTXO
// set and the game registries in one database transaction begun under
// the chain's lock (flushedView), so every figure belongs to the same
// tip.
func (c *Chain) UtxoSetInfo() (UtxoSetInfo, error) {
	var info UtxoSetInfo
	h := sha256.New()
	err := c.flushedView(func(tx *store.Tx, best BestState) error {
		info = UtxoSetInfo{Height: best.Height, BestBlock: best.Hash}
		var lb [binary.MaxVarintLen64]byte
		var lastTx []byte
		err := tx.Bucket(bucketUtxo).ForEach(func(k, v []byte) error {
			h.Write(k)
			h.Write(binary.AppendUvarint(lb[:0], uint64(len(v))))
			h.Write(v)
			info.TxOuts++
			if len(k) < chainhash.HashSize {
				return fmt.Errorf("utxo key of %d bytes: %w", len(k), errCorrupt)
			}
			if lastTx == nil || string(k[:chainhash.HashSize]) != string(lastTx) {
				info.Transactions++
				lastTx = append(lastTx[:0], k[:chainhash.HashSize]...)
			}
			_, rest, err := readUvarint(v) // height and coinbase flag
			if err != nil {
				return fmt.Errorf("utxo %x: %w", k, errCorrupt)
			}
			amt, _, err := readUvarint(rest)
			if err != nil || amt > uint64(MaxMoney) {
				return fmt.Errorf("utxo %x: %w", k, errCorrupt)
			}
			info.Total += int64(amt)
			return nil
		})
		if err != nil {
			return err
		}
		info.RegistryHash, err = registryHash(tx)
		return err
	})
	h.Sum(info.Hash[:0])
	if err != nil {
		return UtxoSetInfo{}, err
	}
	return info, nil
}

// Close stops block processing, flushes the write-back UTXO cache and
// closes the block files. The caller closes the database.
func (c *Chain) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	err := c.flushUtxos()
	c.closeFiles()
	return err
}

// checkConsistency compares the in-memory index with the database: the
// height index matches the active chain, every active block not pruned
// has its data (read back and hashed) and, above genesis, its undo data,
// and the best record names the tip.
func (c *Chain) checkConsistency() error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.db.View(func(tx *store.Tx) error {
		mainB := tx.Bucket(bucketMainChain)
		if n := mainB.Stats().KeyN; n != len(c.index.main) {
			return fmt.Errorf("height index has %d entries, active chain %d blocks", n, len(c.index.main))
		}
		for h, n := range c.index.main {
			if v := mainB.Get(heightKey(int32(h))); string(v) != string(n.hash[:]) {
				return fmt.Errorf("height index at %d is %x, active chain has %v", h, v, n.hash)
			}
			if n.status&statusValid == 0 || n.status.knownInvalid() {
				return fmt.Errorf("active block %v has status %08b", n.hash, n.status)
			}
			if n.status&statusPruned != 0 {
				continue
			}
			blk, err := c.loadBlock(n)
			if err != nil {
				return fmt.Errorf("block at height %d: %w", h, err)
			}
			if blk.BlockHash() != n.hash {
				return fmt.Errorf("block %v at height %d: the stored block hashes to %v", n.hash, h, blk.BlockHash())
			}
			if h > 0 {
				if _, err := c.loadUndo(n); err != nil {
					return fmt.Errorf("block at height %d: %w", h, err)
				}
			}
		}
		v := tx.Bucket(bucketChainState).Get(keyBest)
		if tip := c.index.tip(); len(v) < 32 || string(v[:32]) != string(tip.hash[:]) {
			return fmt.Errorf("best record does not name the tip %v", tip.hash)
		}
		return nil
	})
}
