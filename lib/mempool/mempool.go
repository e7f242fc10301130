package mempool

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// UnconfirmedHeight is the Height of a UtxoEntry that a pool transaction
// creates.
const UnconfirmedHeight int32 = 0x7fffffff

// maxAcceptAttempts bounds how often an acceptance restarts because the
// chain tip or a pool parent changed while its scripts were verified.
const maxAcceptAttempts = 4

// Config wires a Pool to its chain and sets its policy.
type Config struct {
	Params   *chaincfg.Params
	Chain    Chain
	SigCache *script.SigCache // may be nil
	Policy   Policy           // zero fields take defaults
	// TimeSource gives the current time (nil = time.Now); it stamps Added
	// and drives expiry and the rolling minimum fee's decay.
	TimeSource func() time.Time
	Logger     *slog.Logger // nil = discard
	// Replacement judges conflicting transactions; nil =
	// AuctionReplacement over FeeReplacement.
	Replacement ReplacementPolicy
	// OnAccept and OnRemove, if set, report transactions entering and
	// leaving the pool. They are called after the pool's lock is
	// released, one event at a time; see Listener for the guarantees.
	OnAccept func(*TxDesc)
	OnRemove func(desc *TxDesc, reason RemoveReason)
}

// Pool is the unconfirmed transaction pool. It is safe for concurrent use.
type Pool struct {
	cfg    Config
	policy Policy
	now    func() time.Time
	log    *slog.Logger
	rbf    ReplacementPolicy

	saveMu  sync.Mutex // serialises Save
	mu      sync.RWMutex
	g       *txGraph
	orphans *orphanPool
	rolling rollingFee
	deltas  map[chainhash.Hash]int64

	events notifier
}

// New returns an empty pool.
func New(cfg Config) *Pool {
	p := &Pool{cfg: cfg, policy: cfg.Policy.withDefaults(), now: cfg.TimeSource, log: cfg.Logger, rbf: cfg.Replacement}
	if p.now == nil {
		p.now = time.Now
	}
	if p.log == nil {
		p.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if p.rbf == nil {
		p.rbf = AuctionReplacement{Fallback: FeeReplacement{}}
	}
	if p.cfg.Params == nil {
		p.cfg.Params = chaincfg.MainNetParams
	}
	p.g = newTxGraph()
	p.orphans = newOrphanPool(p.policy.MaxOrphanTxs, p.policy.MaxOrphanTxSize, p.policy.OrphanTTL)
	p.rolling.halfLife = p.policy.MinFeeHalfLife
	p.deltas = make(map[chainhash.Hash]int64)
	if cfg.OnAccept != nil || cfg.OnRemove != nil {
		p.Listen(Listener{OnAccept: cfg.OnAccept, OnRemove: cfg.OnRemove})
	}
	return p
}

// Policy returns the effective policy (defaults filled in).
func (p *Pool) Policy() Policy { return p.policy }

// ProcessTransaction validates tx against the chain tip and the pool and
// adds it. It returns the descriptors of everything accepted: tx first,
// then any orphans it unlocked (recursively). A transaction with unknown
// inputs is kept as an orphan when allowOrphan is set (nil, nil: nothing
// accepted yet; IsOrphan reports it) and refused with ErrMissingInputs
// otherwise. Rejections are *RuleError for policy, or the chain's
// RuleError for consensus failures. Listeners hear of each acceptance
// (and of what a replacement evicted) before it returns, unless another
// goroutine is delivering events at the time (see Listener).
func (p *Pool) ProcessTransaction(tx *wire.MsgTx, allowOrphan bool) ([]*TxDesc, error) {
	now := p.now()
	desc, missing, err := p.maybeAccept(tx, acceptOpts{added: now})
	if err != nil {
		return nil, err
	}
	if missing {
		id := tx.TxHash()
		if !allowOrphan {
			return nil, ruleError(ErrMissingInputs, "transaction "+id.String()+" spends unknown or spent outputs")
		}
		p.mu.Lock()
		_, err := p.orphans.add(tx, id, now)
		p.mu.Unlock()
		if err == nil {
			p.log.Debug("orphan stored", "txid", id)
		}
		return nil, err
	}
	accepted := []*TxDesc{desc}
	return append(accepted, p.processOrphans([]*TxDesc{desc})...), nil
}

// processOrphans accepts the orphans that the given new pool (or block)
// transactions unlock, breadth first, and returns them.
func (p *Pool) processOrphans(parents []*TxDesc) []*TxDesc {
	type parent struct {
		id   chainhash.Hash
		nOut int
	}
	queue := make([]parent, 0, len(parents))
	for _, d := range parents {
		queue = append(queue, parent{d.TxID, len(d.Tx.TxOut)})
	}
	var out []*TxDesc
	for len(queue) > 0 {
		par := queue[0]
		queue = queue[1:]
		p.mu.RLock()
		kids := p.orphans.childrenOf(par.id, par.nOut)
		p.mu.RUnlock()
		for _, o := range kids {
			desc, missing, err := p.maybeAccept(o.tx, acceptOpts{added: p.now()})
			if missing {
				continue // still waiting for another parent
			}
			p.mu.Lock()
			p.orphans.remove(o.id)
			p.mu.Unlock()
			if err != nil {
				p.log.Debug("orphan rejected", "txid", o.id, "err", err)
				continue
			}
			out = append(out, desc)
			queue = append(queue, parent{desc.TxID, len(desc.Tx.TxOut)})
		}
	}
	return out
}

// processBlockOrphans feeds orphans waiting on a block's transactions.
// ids is nil or the block's transaction ids.
func (p *Pool) processBlockOrphans(blk *wire.MsgBlock, ids []chainhash.Hash) {
	p.mu.RLock()
	none := p.orphans.count() == 0
	p.mu.RUnlock()
	if none {
		return
	}
	ids = blockTxIDs(blk, ids)
	ds := make([]*TxDesc, 0, len(blk.Transactions))
	for i, tx := range blk.Transactions {
		ds = append(ds, &TxDesc{Tx: tx, TxID: ids[i]})
	}
	p.processOrphans(ds)
}

type acceptOpts struct {
	added time.Time
	// bypassLimits skips the fee floors, as for transactions of a
	// disconnected block (they were good enough for a miner once).
	bypassLimits bool
}

// candidate is a transaction being validated.
type candidate struct {
	tx       *wire.MsgTx
	id       chainhash.Hash
	weight   int64
	vsize    int64
	fee      int64
	modFee   int64
	delta    int64
	parents  map[chainhash.Hash]bool // in-pool parents the view relies on
	view     *chain.UtxoViewpoint
	best     chain.BestState
	gv       *chain.GameView // the game registries at best, once needed
	gi       *gameInfo       // the game check's result
	sigops   int
	coinbase bool // spends a confirmed coinbase output
	listing  bool // a sale listing: its fee is 0 (see checkInputs)
}

// maybeAccept runs the full validation of tx and inserts it. missing
// reports unknown inputs (nothing else is checked then).
func (p *Pool) maybeAccept(tx *wire.MsgTx, o acceptOpts) (*TxDesc, bool, error) {
	if tx.IsCoinBase() {
		return nil, false, ruleError(ErrCoinbase, "transaction "+tx.TxHash().String()+" is a coinbase")
	}
	if err := chain.CheckTransactionSanity(tx); err != nil {
		return nil, false, err
	}
	c := &candidate{tx: tx, id: tx.TxHash(), weight: int64(tx.Weight())}
	if a, ok := AuctionOf(tx); ok && a.Listing {
		c.listing = true
	}
	c.vsize = (c.weight + wire.WitnessScaleFactor - 1) / wire.WitnessScaleFactor
	if !p.policy.AcceptNonStd {
		if err := checkTxStandard(tx, c.weight, &p.policy); err != nil {
			return nil, false, err
		}
	}
	for attempt := 0; ; attempt++ {
		desc, missing, retry, err := p.tryAccept(c, o)
		p.flush()
		if !retry {
			return desc, missing, err
		}
		if attempt+1 >= maxAcceptAttempts {
			return nil, false, fmt.Errorf("mempool: accept %s: chain tip or pool kept changing during validation", c.id)
		}
	}
}

func (p *Pool) tryAccept(c *candidate, o acceptOpts) (desc *TxDesc, missing, retry bool, err error) {
	p.mu.RLock()
	dup := p.g.entries[c.id] != nil
	c.delta = p.deltas[c.id]
	p.mu.RUnlock()
	if dup {
		return nil, false, false, ruleError(ErrDuplicate, "transaction "+c.id.String()+" is already in the pool")
	}

	// Confirmed state at the tip, read without the pool lock.
	c.best = p.cfg.Chain.Best()
	c.gv = nil // taken when a game check needs it
	view, err := p.cfg.Chain.FetchUtxoView(c.tx)
	if err != nil {
		return nil, false, false, fmt.Errorf("mempool: fetch inputs of %s: %w", c.id, err)
	}
	for i := range c.tx.TxOut {
		if view.LookupEntry(wire.OutPoint{Hash: c.id, Index: uint32(i)}) != nil {
			return nil, false, false, ruleError(ErrAlreadyKnown, "transaction "+c.id.String()+" is already confirmed")
		}
	}
	c.view = view
	nextHeight := c.best.Height + 1

	// Overlay pool outputs, then the cheap checks that need the pool.
	p.mu.RLock()
	missing = p.fillPoolInputs(c)
	if !missing {
		err = p.checkInputs(c, nextHeight)
		var evict []*entry
		if err == nil {
			evict, err = p.checkPoolPolicy(c, o, p.now())
		}
		if err == nil {
			c.gi, err = p.candidateGame(c, evict, o)
		}
	}
	p.mu.RUnlock()
	if errors.Is(err, errStale) {
		return nil, false, true, nil
	}
	if missing || err != nil {
		return nil, missing, false, err
	}

	// Chain-dependent and expensive checks, without the pool lock.
	if !chain.IsFinalizedTransaction(c.tx, nextHeight, c.best.MedianTime) {
		return nil, false, false, ruleError(ErrNonFinal, "transaction "+c.id.String()+" is not final in the next block")
	}
	lock, err := p.cfg.Chain.CalcSequenceLock(c.tx, c.view, true)
	if err != nil {
		return nil, false, false, err
	}
	if !chain.SequenceLockActive(lock, nextHeight, c.best.MedianTime) {
		return nil, false, false, ruleError(ErrSequenceLocked, "transaction "+c.id.String()+" is locked by BIP68 sequence locks")
	}
	if err := p.checkScripts(c); err != nil {
		return nil, false, false, err
	}

	// Re-check under the write lock and insert.
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cfg.Chain.Best().Hash != c.best.Hash {
		return nil, false, true, nil
	}
	if p.g.entries[c.id] != nil {
		return nil, false, false, ruleError(ErrDuplicate, "transaction "+c.id.String()+" is already in the pool")
	}
	for id := range c.parents {
		if p.g.entries[id] == nil {
			return nil, false, true, nil
		}
	}
	c.delta = p.deltas[c.id]
	c.modFee = c.fee + c.delta
	now := p.now()
	evict, err := p.checkPoolPolicy(c, o, now)
	if err != nil {
		return nil, false, false, err
	}
	if c.gi, err = p.candidateGame(c, evict, o); err != nil {
		if errors.Is(err, errStale) {
			return nil, false, true, nil
		}
		return nil, false, false, err
	}
	for _, e := range evict {
		if p.g.entries[e.id()] == e {
			for _, r := range p.g.removeTree(e) {
				p.log.Debug("replaced", "txid", r.id(), "by", c.id)
				p.emit(r.desc, RemoveReplaced)
			}
		}
	}
	e := p.newEntry(c, o.added)
	p.g.add(e)
	p.orphans.remove(c.id)
	for _, r := range p.trimToSize(now) {
		if r != e {
			p.emit(r.desc, RemoveSizeLimit)
		}
	}
	if p.g.entries[c.id] != e {
		return nil, false, false, ruleError(ErrPoolFull, "transaction "+c.id.String()+" fee rate too low to stay in the full pool")
	}
	p.emit(e.desc, 0)
	p.log.Debug("accepted", "txid", c.id, "fee", c.fee, "vsize", c.vsize)
	return e.desc, false, false, nil
}

// fillPoolInputs adds the pool outputs tx spends to its view and records
// the in-pool parents. It reports whether any input is unknown.
func (p *Pool) fillPoolInputs(c *candidate) (missing bool) {
	c.parents = make(map[chainhash.Hash]bool)
	c.coinbase = false
	for _, in := range c.tx.TxIn {
		op := in.PreviousOutPoint
		if e := c.view.LookupEntry(op); e != nil {
			if e.Coinbase {
				c.coinbase = true
			}
			continue
		}
		par := p.g.entries[op.Hash]
		if par == nil || int(op.Index) >= len(par.desc.Tx.TxOut) {
			missing = true
			continue
		}
		out := par.desc.Tx.TxOut[op.Index]
		c.view.AddEntry(op, &chain.UtxoEntry{Amount: out.Value, PkScript: out.PkScript, Height: UnconfirmedHeight,
			Game: par.annotation(op.Index)})
		c.parents[op.Hash] = true
	}
	return missing
}

// checkInputs runs the consensus input checks and the standard-input and
// sigop policies; it sets fee and sigops.
func (p *Pool) checkInputs(c *candidate, nextHeight int32) error {
	fee, err := chain.CheckTransactionInputs(c.tx, nextHeight, c.view, p.cfg.Params)
	if err != nil {
		return err
	}
	if c.listing {
		// The prop's gold that a listing spends is not a fee: every bid
		// carries it on to the buyer with the prop, and the listing itself
		// is never mined. Counting it would rank listings above paying
		// transactions in eviction and replacement.
		fee = 0
	}
	c.fee = fee
	c.modFee = fee + c.delta
	if !p.policy.AcceptNonStd {
		if err := checkInputsStandard(c.tx, c.view); err != nil {
			return err
		}
		if err := checkWitnessStandard(c.tx, c.view); err != nil {
			return err
		}
	}
	sigops, err := chain.GetSigOpCost(c.tx, c.view, script.StandardFlags)
	if err != nil {
		return err
	}
	if sigops > p.policy.MaxSigOpCost {
		return ruleError(ErrTooManySigOps, fmt.Sprintf("transaction %s sigop cost %d exceeds %d", c.id, sigops, p.policy.MaxSigOpCost))
	}
	c.sigops = sigops
	return nil
}

// checkScripts verifies every input with the policy flags; a failure that
// the consensus flags accept is a policy rejection, not an invalid
// transaction.
func (p *Pool) checkScripts(c *candidate) error {
	flags := script.StandardFlags
	if p.policy.AcceptNonStd {
		flags = script.ConsensusFlags
	}
	err := chain.ValidateTransactionScripts(c.tx, c.view, flags, p.cfg.SigCache)
	if err == nil || flags == script.ConsensusFlags {
		return err
	}
	if chain.ValidateTransactionScripts(c.tx, c.view, script.ConsensusFlags, p.cfg.SigCache) == nil {
		return ruleError(ErrNonStandardScript, fmt.Sprintf("transaction %s: %v", c.id, err))
	}
	return err
}

// checkPoolPolicy applies the rules that depend on the pool: fee floors,
// conflicts and replacement, package limits. It returns the direct
// conflicts to evict (with their descendants). Requires p.mu (read).
func (p *Pool) checkPoolPolicy(c *candidate, o acceptOpts, now time.Time) ([]*entry, error) {
	// A bid below buy-now cannot be mined before its sale's end height;
	// a child of it could close another auction or hold a producer name
	// in every pool while no block can include it (auction pinning).
	next := c.best.Height + 1
	for id := range c.parents {
		if par := p.g.entries[id]; par != nil && par.unminableBid(next, p.cfg.Params) {
			a := par.game.auction
			return nil, gameRuleError(CodeUnfinalParent, fmt.Sprintf(
				"transaction %s spends an output of bid %s, which cannot be mined before height %d (bid %d below buy-now %d)",
				c.id, id, a.Sale.End, a.Bid, a.Sale.BuyNow))
		}
	}
	if !o.bypassLimits && !c.listing {
		if need := feeForVSize(p.policy.MinRelayFeeRate, c.vsize); c.modFee < need {
			return nil, ruleError(ErrMinRelayFee, fmt.Sprintf("transaction %s pays %d dust, relay needs %d", c.id, c.modFee, need))
		}
		if rate := p.rolling.at(now, p.policy.MinRelayFeeRate); rate > 0 {
			if need := feeForVSize(rate, c.vsize); c.modFee < need {
				return nil, ruleError(ErrMempoolMinFee, fmt.Sprintf("transaction %s pays %d dust, the pool's minimum is %d (%d dust/kvB)", c.id, c.modFee, need, rate))
			}
		}
	}

	// Direct conflicts, in input order.
	var conflicts []*entry
	seen := make(map[*entry]bool)
	for _, in := range c.tx.TxIn {
		if s := p.g.spenders[in.PreviousOutPoint]; s != nil && !seen[s] {
			seen[s] = true
			conflicts = append(conflicts, s)
		}
	}
	evicted := make(map[*entry]bool)
	if len(conflicts) > 0 {
		if p.policy.NoReplacement {
			return nil, ruleError(ErrConflict, fmt.Sprintf("transaction %s spends an output already spent by %s", c.id, conflicts[0].id()))
		}
		if err := p.checkReplacement(c, conflicts, evicted); err != nil {
			return nil, err
		}
	}

	// Ancestor and descendant limits.
	ancestors := make(map[*entry]bool)
	for id := range c.parents {
		par := p.g.entries[id]
		if par == nil {
			continue
		}
		ancestors[par] = true
		for _, a := range p.g.ancestors(par) {
			ancestors[a] = true
		}
	}
	if n := len(ancestors) + 1; n > p.policy.MaxAncestors {
		return nil, ruleError(ErrTooLongChain, fmt.Sprintf("transaction %s would have %d ancestors, limit %d", c.id, n, p.policy.MaxAncestors))
	}
	size := c.vsize
	for a := range ancestors {
		size += a.desc.VSize
	}
	if size > p.policy.MaxAncestorSize {
		return nil, ruleError(ErrTooLongChain, fmt.Sprintf("transaction %s ancestor size %d exceeds %d", c.id, size, p.policy.MaxAncestorSize))
	}
	for a := range ancestors {
		if a.descCount+1 > p.policy.MaxDescendants {
			return nil, ruleError(ErrTooLongChain, fmt.Sprintf("transaction %s would give %s %d descendants, limit %d", c.id, a.id(), a.descCount+1, p.policy.MaxDescendants))
		}
		if a.descSize+c.vsize > p.policy.MaxDescendantSize {
			return nil, ruleError(ErrTooLongChain, fmt.Sprintf("transaction %s would give %s descendant size %d, limit %d", c.id, a.id(), a.descSize+c.vsize, p.policy.MaxDescendantSize))
		}
	}
	return conflicts, nil
}

// checkReplacement applies the structural replacement rules and the
// ReplacementPolicy; it fills evicted.
func (p *Pool) checkReplacement(c *candidate, conflicts []*entry, evicted map[*entry]bool) error {
	for _, cf := range conflicts {
		evicted[cf] = true
		for _, d := range p.g.descendants(cf) {
			evicted[d] = true
		}
		if len(evicted) > p.policy.MaxReplacementEvictions {
			return ruleError(ErrTooManyReplaced, fmt.Sprintf("replacement %s would evict more than %d transactions", c.id, p.policy.MaxReplacementEvictions))
		}
	}
	for id := range c.parents {
		if par := p.g.entries[id]; par != nil && evicted[par] {
			return ruleError(ErrSpendsConflicting, fmt.Sprintf("replacement %s spends an output of %s, which it would evict", c.id, id))
		}
	}
	r := &Replacement{
		Tx:              &TxDesc{Tx: c.tx, TxID: c.id, Fee: c.fee, FeeDelta: c.delta, VSize: c.vsize, Weight: c.weight, SigOpCost: c.sigops, FeeRate: feeRate(c.fee, c.vsize), Height: c.best.Height},
		ModFee:          c.modFee,
		MinRelayFeeRate: p.policy.MinRelayFeeRate,
	}
	for _, cf := range conflicts {
		r.Conflicts = append(r.Conflicts, cf.desc)
	}
	for _, e := range sortedSet(evicted) {
		r.Evicted = append(r.Evicted, e.desc)
		r.EvictedModFees += e.modFee
	}
	return p.rbf.CheckReplacement(r)
}

func sortedSet(s map[*entry]bool) []*entry {
	out := make([]*entry, 0, len(s))
	for e := range s {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

func (p *Pool) newEntry(c *candidate, added time.Time) *entry {
	desc := &TxDesc{
		Tx: c.tx, TxID: c.id, WTxID: c.tx.WitnessHash(), Added: added, Height: c.best.Height,
		Fee: c.fee, FeeDelta: c.delta, VSize: c.vsize, Weight: c.weight,
		SigOpCost: c.sigops, FeeRate: feeRate(c.fee, c.vsize),
	}
	timeLocked := c.tx.LockTime != 0
	if c.tx.Version >= 2 {
		for _, in := range c.tx.TxIn {
			if in.Sequence&wire.SequenceLockTimeDisabled == 0 {
				timeLocked = true
			}
		}
	}
	return &entry{desc: desc, modFee: c.modFee, spendsCoinbase: c.coinbase, timeLocked: timeLocked, usage: estimateUsage(c.tx) + gameUsage(c.gi),
		listing: c.listing, game: c.gi}
}

// trimToSize evicts the lowest fee-rate packages until the pool's
// estimated memory use (listings aside) fits MaxPoolBytes, raising the
// rolling minimum fee, and returns what it evicted.
// Requires p.mu.
func (p *Pool) trimToSize(now time.Time) []*entry {
	var out []*entry
	for p.g.usage-p.g.listingUsage > p.policy.MaxPoolBytes && len(p.g.entries) > p.g.listings {
		w := p.g.worstPackage()
		if w == nil {
			break
		}
		rate := feeRate(w.descFees, w.descSize)
		p.rolling.bump(rate+p.policy.MinRelayFeeRate, now, p.policy.MinRelayFeeRate)
		for _, e := range p.g.removeTree(w) {
			p.log.Debug("evicted for size", "txid", e.id(), "package_rate", rate)
			out = append(out, e)
		}
	}
	return out
}

// Have reports whether h is in the pool (orphans excluded).
func (p *Pool) Have(h chainhash.Hash) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.g.entries[h] != nil
}

// IsOrphan reports whether h is held in the orphan pool.
func (p *Pool) IsOrphan(h chainhash.Hash) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.orphans.have(h)
}

// OrphanCount is the number of orphans held.
func (p *Pool) OrphanCount() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.orphans.count()
}

// Fetch returns the descriptor of pool transaction h.
func (p *Pool) Fetch(h chainhash.Hash) (*TxDesc, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if e := p.g.entries[h]; e != nil {
		return e.desc, true
	}
	return nil, false
}

// FetchByWtxid returns the descriptor of the pool transaction whose
// witness hash is w.
func (p *Pool) FetchByWtxid(w chainhash.Hash) (*TxDesc, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if e := p.g.byWtxid[w]; e != nil {
		return e.desc, true
	}
	return nil, false
}

// PackageFees returns the fees (with operator deltas) of pool transaction
// h and all its in-pool descendants: what a replacement of h must pay
// beyond its own relay (BIP125 rule 3).
func (p *Pool) PackageFees(h chainhash.Hash) (int64, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if e := p.g.entries[h]; e != nil {
		return e.descFees, true
	}
	return 0, false
}

// Changes counts the transactions that entered or left the pool since it
// started: a saver compares it with its last value to skip a save that
// would write the same file.
func (p *Pool) Changes() uint64 {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.g.changes
}

// Count is the number of pool transactions.
func (p *Pool) Count() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.g.entries)
}

// TxIDs lists the pool's transaction ids in ascending byte order.
func (p *Pool) TxIDs() []chainhash.Hash {
	p.mu.RLock()
	ids := make([]chainhash.Hash, 0, len(p.g.entries))
	for id := range p.g.entries {
		ids = append(ids, id)
	}
	p.mu.RUnlock()
	sort.Slice(ids, func(i, j int) bool { return bytes.Compare(ids[i][:], ids[j][:]) < 0 })
	return ids
}

// MiningDescs is a snapshot of every pool transaction, parents before
// children.
func (p *Pool) MiningDescs() []*TxDesc {
	p.mu.RLock()
	defer p.mu.RUnlock()
	order := p.g.topoOrder()
	out := make([]*TxDesc, len(order))
	for i, e := range order {
		out[i] = e.desc
	}
	return out
}

// ForEachWtxid calls f with the witness hash and transaction of every
// pool transaction, in no particular order, until f returns false: a
// cheap scan (no ordering, no copy of the pool) for matching compact
// block short ids. f runs under the pool's read lock and must not call
// the pool.
func (p *Pool) ForEachWtxid(f func(wtxid chainhash.Hash, tx *wire.MsgTx) bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	for w, e := range p.g.byWtxid {
		if !f(w, e.desc.Tx) {
			return
		}
	}
}

// LookupEntry makes the pool's unspent outputs a chain.UtxoView: outputs
// of pool transactions not spent by another pool transaction, at
// UnconfirmedHeight, with their game annotation. Confirmed outputs are
// not included.
func (p *Pool) LookupEntry(op wire.OutPoint) *chain.UtxoEntry {
	p.mu.RLock()
	defer p.mu.RUnlock()
	e := p.g.entries[op.Hash]
	if e == nil || int(op.Index) >= len(e.desc.Tx.TxOut) || p.g.spenders[op] != nil {
		return nil
	}
	out := e.desc.Tx.TxOut[op.Index]
	return &chain.UtxoEntry{Amount: out.Value, PkScript: append([]byte(nil), out.PkScript...), Height: UnconfirmedHeight,
		Game: e.annotation(op.Index)}
}

// Spender returns the pool transaction spending op, confirmed or not.
func (p *Pool) Spender(op wire.OutPoint) (*TxDesc, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if e := p.g.spenders[op]; e != nil {
		return e.desc, true
	}
	return nil, false
}

// Remove drops h from the pool, with its descendants if asked (otherwise
// they stay and are treated as spending confirmed outputs).
func (p *Pool) Remove(h chainhash.Hash, withDescendants bool) {
	defer p.flush()
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.g.entries[h]
	if e == nil {
		return
	}
	if withDescendants {
		p.emitRemoved(p.g.removeTree(e), RemoveExplicit)
	} else {
		p.g.remove(e)
		p.emit(e.desc, RemoveExplicit)
	}
}

// PrioritiseTransaction adds delta to the fee the pool credits h with
// (for eviction, replacement and mining order; never for the relay of the
// actual fee). Deltas of transactions not yet in the pool are kept and
// applied on arrival.
func (p *Pool) PrioritiseTransaction(h chainhash.Hash, delta int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deltas[h] += delta
	if p.deltas[h] == 0 {
		delete(p.deltas, h)
	}
	if e := p.g.entries[h]; e != nil {
		d := *e.desc
		d.FeeDelta = p.deltas[h]
		e.desc = &d
		p.g.setModFee(e, d.Fee+d.FeeDelta)
	}
}

// Info summarises the pool.
type Info struct {
	Size       int   // transactions
	Bytes      int64 // sum of virtual sizes
	Usage      int64 // approximate memory use
	MaxBytes   int64
	MinFeeRate int64 // the fee rate a newcomer needs now, dust per kvB
	TotalFee   int64
	Orphans    int
}

// Info returns the pool's summary.
func (p *Pool) Info() Info {
	now := p.now()
	p.mu.RLock()
	defer p.mu.RUnlock()
	min := p.rolling.at(now, p.policy.MinRelayFeeRate)
	if min < p.policy.MinRelayFeeRate {
		min = p.policy.MinRelayFeeRate
	}
	return Info{
		Size: len(p.g.entries), Bytes: p.g.bytes, Usage: p.g.usage,
		MaxBytes: p.policy.MaxPoolBytes, MinFeeRate: min, TotalFee: p.g.fees,
		Orphans: p.orphans.count(),
	}
}

// Expire drops transactions (with their descendants) that have waited
// longer than Policy.Expiry, and expired orphans. It returns how many pool
// transactions left.
func (p *Pool) Expire(now time.Time) int {
	cutoff := now.Add(-p.policy.Expiry)
	defer p.flush()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.orphans.expire(now)
	var old []*entry
	for _, e := range p.g.entries {
		if e.desc.Added.Before(cutoff) {
			old = append(old, e)
		}
	}
	sort.Slice(old, func(i, j int) bool { return old[i].seq < old[j].seq })
	n := 0
	for _, e := range old {
		if p.g.entries[e.id()] == e {
			gone := p.g.removeTree(e)
			p.emitRemoved(gone, RemoveExpired)
			n += len(gone)
		}
	}
	return n
}
