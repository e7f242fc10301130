package mempool

import (
	"errors"
	"fmt"
	"sort"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// The game layer in the pool. Every transaction is checked with
// game.CheckTx (ModePool) at the next block's height, over a view made of
// the chain's registries at the tip overlaid with the effects of the pool
// transactions: producers and props they create or change, names they
// claim, contracts they fulfil or settle. Each pool entry keeps its Effect; the overlay is an index of
// those effects maintained by txGraph.add and txGraph.remove, so it is
// exact whatever way a transaction leaves (mined, replaced, evicted,
// expired, lapsed, dropped after a reorg).

// gameInfo is what the pool keeps of a transaction with a game record.
type gameInfo struct {
	objs    []game.Object // per output, the object it carries
	eff     *game.Effect  // what the transaction does to the registries
	auction *Auction      // a Sale record
	// producer is the producer of a listing's prop (the per-producer
	// listing cap counts by it).
	producer game.ID
}

// gameIndex indexes the effects of the pool's transactions.
type gameIndex struct {
	objs      map[game.ID][]*entry // entries whose effect has a new record of the object
	names     map[string][]*entry  // entries whose effect claims the folded name
	contracts map[game.ID][]*entry // entries whose effect fulfils or settles the contract
	sales     map[*entry]bool      // entries carrying a Sale record
	// listingsBy counts the listings per producer of the listed prop.
	listingsBy map[game.ID]int
}

func newGameIndex() gameIndex {
	return gameIndex{objs: make(map[game.ID][]*entry), names: make(map[string][]*entry),
		contracts: make(map[game.ID][]*entry), sales: make(map[*entry]bool), listingsBy: make(map[game.ID]int)}
}

func (x *gameIndex) add(e *entry) {
	gi := e.game
	if gi == nil {
		return
	}
	if gi.auction != nil {
		x.sales[e] = true
		if gi.auction.Listing {
			x.listingsBy[gi.producer]++
		}
	}
	if gi.eff == nil {
		return
	}
	for _, p := range gi.eff.Producers {
		x.objs[p.ID] = append(x.objs[p.ID], e)
	}
	for _, p := range gi.eff.Props {
		x.objs[p.ID] = append(x.objs[p.ID], e)
	}
	for _, n := range gi.eff.ClaimNames {
		x.names[n] = append(x.names[n], e)
	}
	for _, c := range gi.eff.Contracts {
		x.contracts[c.ID] = append(x.contracts[c.ID], e)
	}
}

func (x *gameIndex) remove(e *entry) {
	gi := e.game
	if gi == nil {
		return
	}
	if x.sales[e] && gi.auction.Listing {
		if x.listingsBy[gi.producer]--; x.listingsBy[gi.producer] <= 0 {
			delete(x.listingsBy, gi.producer)
		}
	}
	delete(x.sales, e)
	if gi.eff == nil {
		return
	}
	drop := func(s []*entry) []*entry {
		for i, o := range s {
			if o == e {
				return append(s[:i:i], s[i+1:]...)
			}
		}
		return s
	}
	for _, p := range gi.eff.Producers {
		if x.objs[p.ID] = drop(x.objs[p.ID]); len(x.objs[p.ID]) == 0 {
			delete(x.objs, p.ID)
		}
	}
	for _, p := range gi.eff.Props {
		if x.objs[p.ID] = drop(x.objs[p.ID]); len(x.objs[p.ID]) == 0 {
			delete(x.objs, p.ID)
		}
	}
	for _, n := range gi.eff.ClaimNames {
		if x.names[n] = drop(x.names[n]); len(x.names[n]) == 0 {
			delete(x.names, n)
		}
	}
	for _, c := range gi.eff.Contracts {
		if x.contracts[c.ID] = drop(x.contracts[c.ID]); len(x.contracts[c.ID]) == 0 {
			delete(x.contracts, c.ID)
		}
	}
}

// poolView is a game.View: the chain's registries overlaid with the
// effects of the pool's transactions, except those in skip (the
// transaction being checked and its in-pool descendants). Requires p.mu.
type poolView struct {
	chain game.View
	g     *txGraph
	skip  map[*entry]bool
}

func (v *poolView) live(es []*entry) []*entry {
	if len(v.skip) == 0 {
		return es
	}
	var out []*entry
	for _, e := range es {
		if !v.skip[e] {
			out = append(out, e)
		}
	}
	return out
}

// latest returns, of entries that all touch one object, the one whose
// effect is the object's current state: the one none of the others
// descends from (they form a chain of spends of the object's carrier).
func (v *poolView) latest(es []*entry) *entry {
	es = v.live(es)
	switch len(es) {
	case 0:
		return nil
	case 1:
		return es[0]
	}
	in := make(map[*entry]bool, len(es))
	for _, e := range es {
		in[e] = true
	}
	for _, e := range es {
		last := true
		for _, d := range v.g.descendants(e) {
			if in[d] {
				last = false
				break
			}
		}
		if last {
			return e
		}
	}
	// Links broken (Remove without descendants): the newest entry.
	sort.Slice(es, func(i, j int) bool { return es[i].seq < es[j].seq })
	return es[len(es)-1]
}

// ProducerIDByName implements game.View: a name claimed by a pool
// transaction is taken; a name freed only by one stays taken (the chain
// still holds it) until the transaction is mined.
func (v *poolView) ProducerIDByName(folded string) (game.ID, bool, error) {
	if es := v.live(v.g.game.names[folded]); len(es) > 0 {
		for _, p := range es[0].game.eff.Producers {
			return p.ID, true, nil
		}
	}
	return v.chain.ProducerIDByName(folded)
}

// Producer implements game.View.
func (v *poolView) Producer(id game.ID) (*game.Producer, error) {
	if e := v.latest(v.g.game.objs[id]); e != nil {
		for i := range e.game.eff.Producers {
			if p := &e.game.eff.Producers[i]; p.ID == id {
				cp := *p
				return &cp, nil
			}
		}
	}
	return v.chain.Producer(id)
}

// Prop implements game.View.
func (v *poolView) Prop(id game.ID) (*game.Prop, error) {
	if e := v.latest(v.g.game.objs[id]); e != nil {
		for i := range e.game.eff.Props {
			if p := &e.game.eff.Props[i]; p.ID == id {
				cp := *p
				return &cp, nil
			}
		}
	}
	return v.chain.Prop(id)
}

// Contract implements game.View: a contract a pool transaction fulfils
// (or settles) is the one of its latest pool effect, so a second fulfil
// of the same contract is refused ("game-contract-exists").
func (v *poolView) Contract(id game.ID) (*game.Contract, error) {
	if e := v.latest(v.g.game.contracts[id]); e != nil {
		for i := range e.game.eff.Contracts {
			if c := &e.game.eff.Contracts[i]; c.ID == id {
				cp := *c
				return &cp, nil
			}
		}
	}
	return v.chain.Contract(id)
}

// errStale reports that the chain's tip moved during a game check.
var errStale = errors.New("mempool: chain tip moved during the game check")

// annotation returns the game annotation of output i of pool entry e.
func (e *entry) annotation(i uint32) []byte {
	if e.game == nil || int(i) >= len(e.game.objs) {
		return nil
	}
	return e.game.objs[i].Bytes()
}

// poolDescendants returns the pool entries spending outputs of the
// transaction id (not in the pool itself: a block transaction put back
// after a disconnect) and their descendants.
func (p *Pool) poolDescendants(id chainhash.Hash, nOut int) map[*entry]bool {
	var skip map[*entry]bool
	for i := 0; i < nOut; i++ {
		s := p.g.spenders[wire.OutPoint{Hash: id, Index: uint32(i)}]
		if s == nil {
			continue
		}
		if skip == nil {
			skip = make(map[*entry]bool)
		}
		skip[s] = true
		for _, d := range p.g.descendants(s) {
			skip[d] = true
		}
	}
	return skip
}

// checkGame applies the game rules and the pool's game policy to tx at
// height (the tip's height + 1) with the coins it spends from view
// (annotated), over gv overlaid with the pool. skip holds the pool
// entries to leave out of the overlay (tx itself and its descendants
// when it is already in the pool). It returns nil for a transaction
// without a record that spends no game object. Errors: an ErrGameRule
// rejection, errStale, or a failure of the chain. Requires p.mu (read).
func (p *Pool) checkGame(tx *wire.MsgTx, id chainhash.Hash, view chain.UtxoView, gv game.View, height int32,
	skip map[*entry]bool, policy bool) (*gameInfo, error) {
	objs := game.AnnotateTxid(tx, id)
	spent := make([]game.Coin, len(tx.TxIn))
	for i, in := range tx.TxIn {
		u := view.LookupEntry(in.PreviousOutPoint)
		if u == nil {
			return nil, ruleError(ErrMissingInputs, "input "+in.PreviousOutPoint.String()+" is missing")
		}
		o, err := game.DecodeObject(u.Game)
		if err != nil {
			return nil, fmt.Errorf("mempool: annotation of %v: %w", in.PreviousOutPoint, err)
		}
		spent[i] = game.Coin{Value: u.Amount, PkScript: u.PkScript, Object: o}
	}
	pv := &poolView{chain: gv, g: p.g, skip: skip}
	eff, err := game.CheckTx(tx, id, spent, height, pv, p.cfg.Params, game.ModePool)
	switch {
	case errors.Is(err, chain.ErrStaleGameView):
		return nil, errStale
	case errors.Is(err, game.ErrRule):
		return nil, gameError(err)
	case err != nil:
		return nil, fmt.Errorf("mempool: game check of %s: %w", id, err)
	}
	if eff == nil {
		return nil, nil // no record (and, CheckTx made sure, no object spent)
	}
	gi := &gameInfo{objs: objs, eff: eff}
	if a, ok := AuctionOf(tx); ok {
		gi.auction = &a
		if a.Listing {
			prop, err := pv.Prop(a.Sale.Prop)
			switch {
			case errors.Is(err, chain.ErrStaleGameView):
				return nil, errStale
			case err != nil:
				return nil, fmt.Errorf("mempool: prop of listing %s: %w", id, err)
			case prop != nil:
				gi.producer = prop.Producer
			}
		}
		if policy {
			if err := p.checkSalePolicy(tx, id, a, spent[0].PkScript, height); err != nil {
				return nil, err
			}
			if a.Listing {
				if err := p.checkListingCaps(id, gi.producer, estimateUsage(tx)+gameUsage(gi), skip); err != nil {
					return nil, err
				}
			}
		}
	}
	return gi, nil
}

// checkListingCaps refuses a listing beyond Policy.MaxListings,
// MaxListingsPerProducer for producer, or one whose estimated memory use
// (usage) would take the listings' beyond MaxListingBytes (listings in
// skip, which the new transaction replaces, do not count). Requires p.mu
// (read).
func (p *Pool) checkListingCaps(id chainhash.Hash, producer game.ID, usage int64, skip map[*entry]bool) error {
	total, mine, held := p.g.listings, p.g.game.listingsBy[producer], p.g.listingUsage
	for e := range skip {
		if e.listing && p.g.entries[e.id()] == e {
			total--
			held -= e.usage
			if e.game != nil && e.game.producer == producer {
				mine--
			}
		}
	}
	if total >= p.policy.MaxListings {
		return gameRuleError(CodeListingsFull, fmt.Sprintf("listing %s: the pool holds %d listings, its limit", id, total))
	}
	if held+usage > p.policy.MaxListingBytes {
		return gameRuleError(CodeListingsFull, fmt.Sprintf("listing %s: %d bytes of listings held, %d more would pass the limit of %d",
			id, held, usage, p.policy.MaxListingBytes))
	}
	if mine >= p.policy.MaxListingsPerProducer {
		return gameRuleError(CodeListingsFull, fmt.Sprintf("listing %s: the pool holds %d listings of producer %v's props, the limit per producer", id, mine, producer))
	}
	return nil
}

// checkSalePolicy applies the pool's rules for listings and bids at
// height: the end window, and a listing's SIGHASH_SINGLE|ANYONECANPAY
// signature.
func (p *Pool) checkSalePolicy(tx *wire.MsgTx, id chainhash.Hash, a Auction, pkScript []byte, height int32) error {
	end := int64(a.Sale.End)
	last := int64(height) + 2*int64(p.cfg.Params.AuctionPeriod)
	if end > last {
		return gameRuleError(CodeSaleEnd, fmt.Sprintf("transaction %s: sale end %d beyond height %d (next block + 2×%d)", id, end, last, p.cfg.Params.AuctionPeriod))
	}
	if !a.Listing {
		return nil
	}
	if end < int64(height) {
		return gameRuleError(CodeSaleEnd, fmt.Sprintf("transaction %s: sale end %d before the next block %d", id, end, height))
	}
	const want = 0x83 // SIGHASH_SINGLE|SIGHASH_ANYONECANPAY
	w := tx.TxIn[0].Witness
	sigs := 0
	if len(w) > 0 {
		items := w[:len(w)-1] // P2WSH: every item but the script
		if script.Classify(pkScript) == script.WitnessV0PubKeyHashTy {
			items = w[:1] // P2WPKH: signature, public key
		}
		for _, it := range items {
			if !looksLikeSig(it) {
				continue
			}
			if it[len(it)-1] != want {
				return gameRuleError(CodeSaleSigHash, fmt.Sprintf("transaction %s: listing input 0 signed with hash type 0x%02x, want SINGLE|ANYONECANPAY (0x83)", id, it[len(it)-1]))
			}
			sigs++
		}
	}
	if sigs == 0 {
		return gameRuleError(CodeSaleSigHash, fmt.Sprintf("transaction %s: listing input 0 has no SINGLE|ANYONECANPAY signature", id))
	}
	return nil
}

// looksLikeSig reports whether b has the shape of a DER signature with a
// hash type byte.
func looksLikeSig(b []byte) bool {
	return len(b) >= 9 && len(b) <= 73 && b[0] == 0x30 && int(b[1]) == len(b)-3
}

// gameCoinView adds pool outputs, annotated, to a chain view of tx's
// inputs. Requires p.mu.
func (p *Pool) gameCoinView(tx *wire.MsgTx) (*chain.UtxoViewpoint, error) {
	view, err := p.cfg.Chain.FetchUtxoView(tx)
	if err != nil {
		return nil, err
	}
	for _, in := range tx.TxIn {
		op := in.PreviousOutPoint
		if view.LookupEntry(op) != nil {
			continue
		}
		if par := p.g.entries[op.Hash]; par != nil && int(op.Index) < len(par.desc.Tx.TxOut) {
			out := par.desc.Tx.TxOut[op.Index]
			view.AddEntry(op, &chain.UtxoEntry{Amount: out.Value, PkScript: out.PkScript, Height: UnconfirmedHeight, Game: par.annotation(op.Index)})
		}
	}
	return view, nil
}

// recheckGame checks the game rules of the given pool entries again
// against the current tip (parents first), removes those that fail with
// their descendants for reason, and re-indexes the effects of the others.
// It returns how many transactions left. Requires p.mu.
func (p *Pool) recheckGame(es []*entry, reason RemoveReason) int {
	if len(es) == 0 {
		return 0
	}
	order := p.g.topoOrder()
	want := make(map[*entry]bool, len(es))
	for _, e := range es {
		want[e] = true
	}
	gone := 0
	for _, e := range order {
		if !want[e] || p.g.entries[e.id()] != e {
			continue
		}
		var err error
		var gi *gameInfo
		for range maxAcceptAttempts {
			gi, err = p.recheckOne(e)
			if !errors.Is(err, errStale) {
				break
			}
		}
		switch {
		case err == nil:
			p.g.game.remove(e)
			e.game = gi
			p.g.game.add(e)
		case errors.Is(err, game.ErrRule) || errors.Is(err, ErrMissingInputs):
			p.log.Debug("game rules no longer hold", "txid", e.id(), "err", err)
			out := p.g.removeTree(e)
			p.emitRemoved(out, reason)
			gone += len(out)
		default:
			p.log.Debug("game recheck failed", "txid", e.id(), "err", err)
		}
	}
	return gone
}

func (p *Pool) recheckOne(e *entry) (*gameInfo, error) {
	best := p.cfg.Chain.Best()
	gv := p.cfg.Chain.GameView()
	if h, _ := gv.Tip(); h != best.Hash {
		return nil, errStale
	}
	view, err := p.gameCoinView(e.desc.Tx)
	if err != nil {
		return nil, err
	}
	skip := map[*entry]bool{e: true}
	for _, d := range p.g.descendants(e) {
		skip[d] = true
	}
	return p.checkGame(e.desc.Tx, e.id(), view, gv, best.Height+1, skip, false)
}

// gameAfterBlock runs after blk's transactions left the pool: it removes
// sales that lapsed (end + grace below the next height) with their
// descendants, re-checks the fulfils and claims whose contract expires
// at or below the next height (RemoveLapsed when they fail), and
// re-checks the pool transactions claiming a producer name or fulfilling
// or settling a contract that one of blk's records names
// (RemoveConflict). Requires p.mu.
func (p *Pool) gameAfterBlock(blk *wire.MsgBlock) (lapsed, conflicts int) {
	next := p.cfg.Chain.Best().Height + 1
	var old []*entry
	for e := range p.g.game.sales {
		if e.game.auction.lapsed(next, p.cfg.Params) {
			old = append(old, e)
		}
	}
	sort.Slice(old, func(i, j int) bool { return old[i].seq < old[j].seq })
	for _, e := range old {
		if p.g.entries[e.id()] == e {
			gone := p.g.removeTree(e)
			p.emitRemoved(gone, RemoveLapsed)
			lapsed += len(gone)
		}
	}
	var expired []*entry
	for _, es := range p.g.game.contracts {
		for _, e := range es {
			if contractExpires(e, next) {
				expired = append(expired, e)
			}
		}
	}
	lapsed += p.recheckGame(expired, RemoveLapsed)
	var claim []*entry
	seen := make(map[*entry]bool)
	add := func(es []*entry) {
		for _, e := range es {
			if !seen[e] {
				seen[e] = true
				claim = append(claim, e)
			}
		}
	}
	// Only pool entries in the name and contract maps can be claimed.
	noClaims := len(p.g.game.names) == 0 && len(p.g.game.contracts) == 0
	for _, tx := range blk.Transactions {
		if noClaims {
			break
		}
		r, _, err := game.FindRecord(tx)
		if err != nil || r == nil {
			continue
		}
		switch r := r.(type) {
		case *game.ProducerRegister:
			add(p.g.game.names[game.FoldName(r.Name)])
		case *game.ProducerChange:
			add(p.g.game.names[game.FoldName(r.Name)])
		case *game.ContractFulfil:
			if id, err := game.ContractID(&r.Terms); err == nil {
				add(p.g.game.contracts[id])
			}
		case *game.ContractExecute:
			add(p.g.game.contracts[r.Contract])
		}
	}
	return lapsed, p.recheckGame(claim, RemoveConflict)
}

// contractExpires reports whether pool entry e fulfils a contract, or
// claims an escrow, whose expiry is at or below height: the rules refuse
// both from the expiry ("game-contract-expired").
func contractExpires(e *entry, height int32) bool {
	for _, c := range e.game.eff.Contracts {
		if int64(height) < int64(c.Terms.Expiry) {
			continue
		}
		if c.FulfilTxid == e.id() || (c.SettleTxid == e.id() && c.Path == game.PathClaim) {
			return true
		}
	}
	return false
}

// gameEntries lists the pool entries with a game record or game inputs.
// Requires p.mu.
func (p *Pool) gameEntries() []*entry {
	var out []*entry
	for _, e := range p.g.entries {
		if e.game != nil {
			out = append(out, e)
		}
	}
	return out
}

// candidateGame runs the game check of a candidate that would evict
// evict (with their descendants). A transaction without a record output
// that spends no game object skips it: nothing in the registries or the
// pool can make it invalid. Requires p.mu (read).
func (p *Pool) candidateGame(c *candidate, evict []*entry, o acceptOpts) (*gameInfo, error) {
	if !gameRelevant(c.tx, c.view) {
		return nil, nil
	}
	if c.gv == nil {
		gv := p.cfg.Chain.GameView()
		if tip, _ := gv.Tip(); tip != c.best.Hash {
			return nil, errStale
		}
		c.gv = gv
	}
	skip := p.poolDescendants(c.id, len(c.tx.TxOut))
	if len(evict) > 0 && skip == nil {
		skip = make(map[*entry]bool)
	}
	for _, e := range evict {
		skip[e] = true
		for _, d := range p.g.descendants(e) {
			skip[d] = true
		}
	}
	return p.checkGame(c.tx, c.id, c.view, c.gv, c.best.Height+1, skip, !o.bypassLimits)
}

// gameRelevant reports whether tx has a game record output (well formed
// or not) or spends a coin carrying a game object.
func gameRelevant(tx *wire.MsgTx, view chain.UtxoView) bool {
	for _, out := range tx.TxOut {
		if game.IsRecordScript(out.PkScript) {
			return true
		}
	}
	for _, in := range tx.TxIn {
		if u := view.LookupEntry(in.PreviousOutPoint); u != nil && len(u.Game) > 0 {
			return true
		}
	}
	return false
}
