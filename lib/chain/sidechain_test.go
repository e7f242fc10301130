package chain

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// storedBlocks counts the block index records with a position in the
// block files.
func (tc *testChain) storedBlocks(t *testing.T) int {
	t.Helper()
	n := 0
	if err := tc.db.View(func(tx *store.Tx) error {
		return tx.Bucket(bucketBlockIndex).ForEach(func(k, v []byte) error {
			r, err := decodeIndexRecord(k, v)
			if r.blockPos.Size != 0 {
				n++
			}
			return err
		})
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func (tc *testChain) process(t *testing.T, flags BehaviorFlags, blks ...*wire.MsgBlock) {
	t.Helper()
	for _, b := range blks {
		if _, orphan, err := tc.ProcessBlock(b, flags); err != nil || orphan {
			t.Fatalf("block %v: orphan=%v err=%v", b.BlockHash(), orphan, err)
		}
	}
}

// TestSideChainStorage: an unsolicited side-chain block is stored only
// when its chain reaches the tip's work (or leads to a header that does);
// a lighter one leaves its header in memory, bounded, and no data on disk.
func TestSideChainStorage(t *testing.T) {
	g := newBlockGen()
	dir := t.TempDir()
	tc := openChainAt(t, dir, func(c *Config) { c.MaxSideHeaders = 6 })
	main := g.chainOf(g.params.GenesisBlock, 20)
	tc.process(t, BFNone, main...)
	stored := tc.storedBlocks(t)

	// A fork from height 2: six blocks, all lighter than the tip.
	low := g.chainOf(main[1], 8)
	tc.process(t, BFNone, low[:6]...)
	if n := tc.storedBlocks(t); n != stored {
		t.Fatalf("%d light side-chain blocks stored", n-stored)
	}
	for _, b := range low[:6] {
		if tc.HaveBlock(b.BlockHash()) {
			t.Fatalf("light block at height %d reported as held", g.height(b))
		}
		if _, h, err := tc.HeaderByHash(b.BlockHash()); err != nil || h != g.height(b) {
			t.Fatalf("side header at height %d: %d %v", g.height(b), h, err)
		}
	}
	if n := tc.SideHeaders(); n != 6 {
		t.Fatalf("%d side headers kept, want 6", n)
	}
	if tips := tc.Tips(); len(tips) != 2 || tips[1].Status != "headers-only" || tips[1].Hash != low[5].BlockHash() {
		t.Errorf("tips %+v", tips)
	}
	// The bound: a seventh header evicts the lightest leaf, here itself;
	// its child is then an orphan.
	tc.process(t, BFNone, low[6])
	if _, _, err := tc.HeaderByHash(low[6].BlockHash()); err == nil || tc.SideHeaders() != 6 {
		t.Fatal("header kept beyond the bound")
	}
	if _, orphan, err := tc.ProcessBlock(low[7], BFNone); err != nil || !orphan {
		t.Fatalf("child of an evicted header: orphan %v %v", orphan, err)
	}
	// A heavier light fork (from height 15) pushes the lightest leaf out.
	mid := g.next(main[14], nil, 0)
	tc.process(t, BFNone, mid)
	if _, _, err := tc.HeaderByHash(mid.BlockHash()); err != nil || tc.SideHeaders() != 6 {
		t.Fatal("heavier side header not kept")
	}
	if _, _, err := tc.HeaderByHash(low[5].BlockHash()); err == nil {
		t.Fatal("the lightest leaf was not evicted")
	}
	low = low[:5]
	// The same block again is not a duplicate (it was never stored).
	if _, _, err := tc.ProcessBlock(low[4], BFNone); err != nil {
		t.Errorf("light block offered again: %v", err)
	}
	// An operator (submitblock) stores one whatever its work.
	extra := g.next(low[4], nil, 0)
	tc.process(t, BFRequested, extra)
	if !tc.HaveBlock(extra.BlockHash()) || tc.storedBlocks(t) != stored+1 {
		t.Error("a requested light block was not stored")
	}

	// A fork from height 18: its block 19 is lighter than the tip (header
	// only), 20 equals the tip (stored), 21 beats it (stored) but cannot
	// be connected without 19.
	f := g.chainOf(main[17], 3)
	tc.process(t, BFNone, f...)
	if tc.HaveBlock(f[0].BlockHash()) || !tc.HaveBlock(f[1].BlockHash()) || !tc.HaveBlock(f[2].BlockHash()) {
		t.Fatal("fork at 18: wrong blocks stored")
	}
	if tc.Best().Hash != main[19].BlockHash() {
		t.Fatal("reorganised onto a branch with a missing block")
	}
	if h, height, _ := tc.BestHeader(); h != f[2].BlockHash() || height != 21 {
		t.Fatalf("best header %v at %d", h, height)
	}
	// The missing block, offered again, leads to the best header: stored,
	// and the heavier branch becomes the chain.
	tc.process(t, BFNone, f[0])
	if b := tc.Best(); b.Hash != f[2].BlockHash() || b.Height != 21 {
		t.Fatalf("tip %d %v after the missing block arrived", b.Height, b.Hash)
	}
	if err := tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}

	// Headers without blocks are memory only: gone after a restart.
	tc.close()
	tc2 := openChainAt(t, dir)
	if _, _, err := tc2.HeaderByHash(mid.BlockHash()); err == nil {
		t.Error("a side header without its block was persisted")
	}
	// ...except those a stored block descends from, written with it so
	// the stored index reaches genesis.
	if _, h, err := tc2.HeaderByHash(low[4].BlockHash()); err != nil || h != 7 || tc2.HaveBlock(low[4].BlockHash()) {
		t.Errorf("ancestor of a stored side block: %d %v", h, err)
	}
	if tc2.Best().Height != 21 || !tc2.HaveBlock(extra.BlockHash()) {
		t.Error("state after restart")
	}
}

// TestMinimumChainWork: below the network's minimum chain work an
// unsolicited chain is not stored, even one extending the tip; a block the
// node asked for is.
func TestMinimumChainWork(t *testing.T) {
	g := newBlockGen()
	p := *chaincfg.RegTestParams
	p.MinimumChainWork = new(big.Int).Mul(chaincfg.CalcWork(p.PowLimitBits), big.NewInt(11)) // genesis + 10 blocks
	tc := openChain(t, func(c *Config) { c.Params = &p })
	blks := g.chainOf(g.params.GenesisBlock, 12)
	tc.process(t, BFNone, blks[:9]...)
	if tc.Best().Height != 0 || tc.storedBlocks(t) != 1 {
		t.Fatalf("unsolicited blocks below the minimum chain work connected: tip %d", tc.Best().Height)
	}
	// Block 10 reaches the minimum: it leads nowhere yet (1..9 missing).
	tc.process(t, BFNone, blks[9])
	if !tc.HaveBlock(blks[9].BlockHash()) || tc.Best().Height != 0 {
		t.Fatal("block 10 at the minimum work")
	}
	// The missing blocks now lead to the best header: stored, connected.
	tc.process(t, BFNone, blks[:9]...)
	if tc.Best().Height != 10 {
		t.Fatalf("tip %d after the missing blocks", tc.Best().Height)
	}
	tc.process(t, BFNone, blks[10:]...)
	if tc.Best().Height != 12 {
		t.Fatalf("tip %d", tc.Best().Height)
	}
	// Requested blocks are stored below the minimum.
	tc2 := openChain(t, func(c *Config) { c.Params = &p })
	tc2.process(t, BFRequested, blks[:3]...)
	if tc2.Best().Height != 3 {
		t.Fatalf("requested blocks: tip %d", tc2.Best().Height)
	}
}

// TestCheckpoints: a block at a checkpoint's height must be the
// checkpoint, and nothing may fork below the last checkpoint the index
// knows; both are refused without indexing the header.
func TestCheckpoints(t *testing.T) {
	g := newBlockGen()
	blks := g.chainOf(g.params.GenesisBlock, 8)
	p := *chaincfg.RegTestParams
	p.Checkpoints = []chaincfg.Checkpoint{{Height: 5, Hash: blks[4].BlockHash()}}
	tc := openChain(t, func(c *Config) { c.Params = &p })
	tc.process(t, BFNone, blks[:4]...)
	// Before the checkpoint is known, forks below it are fine...
	tc.process(t, BFRequested, g.next(blks[0], nil, 0))
	// ...but a block at its height must be it.
	other := g.chainOf(blks[3], 1)[0]
	_, _, err := tc.ProcessBlock(other, BFRequested)
	checkRule(t, err, ErrCheckpointMismatch, "checkpoint-mismatch")
	tc.process(t, BFNone, blks[4:]...)
	// Past the checkpoint: a fork below it is refused, requested or not.
	for _, parent := range []*wire.MsgBlock{blks[1], blks[2]} {
		fork := g.next(parent, nil, 0)
		_, _, err := tc.ProcessBlock(fork, BFRequested)
		checkRule(t, err, ErrForkBeforeCheckpoint, "bad-fork-prior-to-checkpoint")
		if _, _, err := tc.HeaderByHash(fork.BlockHash()); err == nil {
			t.Error("a refused fork's header was indexed")
		}
	}
	// At and above the checkpoint forks are ordinary.
	tc.process(t, BFRequested, g.next(blks[4], nil, 0))
	if tc.Best().Hash != blks[7].BlockHash() {
		t.Fatal("tip moved")
	}
}

// TestOrphanBytes: the orphan pool is bounded in bytes as well as count.
func TestOrphanBytes(t *testing.T) {
	g := newBlockGen()
	blks := g.chainOf(g.params.GenesisBlock, 5)
	size := blks[1].SerializeSize()
	tc := openChain(t, func(c *Config) { c.MaxOrphanBytes = 2*size + size/2 })
	for _, b := range blks[1:] {
		if _, orphan, err := tc.ProcessBlock(b, BFNone); err != nil || !orphan {
			t.Fatalf("orphan %v %v", orphan, err)
		}
	}
	if tc.IsKnownOrphan(blks[1].BlockHash()) || tc.IsKnownOrphan(blks[2].BlockHash()) ||
		!tc.IsKnownOrphan(blks[3].BlockHash()) || !tc.IsKnownOrphan(blks[4].BlockHash()) {
		t.Fatal("the orphan byte budget did not evict the oldest")
	}
	big := g.next(blks[4], nil, 0)
	tc3 := openChain(t, func(c *Config) { c.MaxOrphanBytes = big.SerializeSize() - 1 })
	if _, orphan, err := tc3.ProcessBlock(g.next(big, nil, 0), BFNone); err != nil || !orphan {
		t.Fatal(orphan, err)
	}
	if tc3.orphanBytes != 0 || len(tc3.orphans) != 0 {
		t.Fatal("an orphan above the whole budget was kept")
	}
}

// TestInvalidBlockOnMemoryHeader: a block that fails its contextual
// checks on a parent kept in memory only stays in memory too, so the
// stored index still reaches genesis and the node restarts; the block is
// refused again once its parent is back.
func TestInvalidBlockOnMemoryHeader(t *testing.T) {
	g := newBlockGen()
	dir := t.TempDir()
	tc := openChainAt(t, dir)
	main := g.chainOf(g.params.GenesisBlock, 5)
	tc.process(t, BFNone, main...)
	// A at height 4 is lighter than the tip: header only.
	a := g.next(main[2], nil, 0)
	tc.process(t, BFNone, a)
	if tc.HaveBlock(a.BlockHash()) || tc.SideHeaders() != 1 {
		t.Fatal("the light block was stored")
	}
	// B at height 5 ties the tip (worth storing) but its coinbase names
	// the wrong height.
	b := g.next(a, nil, 0, func(blk *wire.MsgBlock) {
		blk.Transactions[0].TxIn[0].SignatureScript = coinbaseScript(6, 999)
	})
	_, _, err := tc.ProcessBlock(b, BFNone)
	checkRule(t, err, ErrBadCoinbaseHeight, "")
	_, _, err = tc.ProcessBlock(b, BFNone)
	checkRule(t, err, ErrKnownInvalid, "")
	if tips := tc.Tips(); len(tips) != 2 || tips[1].Hash != b.BlockHash() || tips[1].Status != "invalid" {
		t.Fatalf("tips %+v", tips)
	}
	tc.close()

	tc2 := openChainAt(t, dir)
	if tc2.Best().Hash != main[4].BlockHash() {
		t.Fatal("tip after restart")
	}
	if _, orphan, err := tc2.ProcessBlock(b, BFNone); err != nil || !orphan {
		t.Fatalf("B without its parent: orphan %v %v", orphan, err)
	}
	// A again: B leaves the orphan pool and is refused once more.
	tc2.process(t, BFNone, a)
	if tc2.IsKnownOrphan(b.BlockHash()) || tc2.HaveBlock(b.BlockHash()) {
		t.Fatal("B kept after its parent came back")
	}
	_, _, err = tc2.ProcessBlock(b, BFNone)
	checkRule(t, err, ErrKnownInvalid, "")
	if err := tc2.checkConsistency(); err != nil {
		t.Fatal(err)
	}
}

// TestOversizedOrphanKeepsPool: an orphan larger than the whole byte
// budget is dropped without evicting the orphans already held.
func TestOversizedOrphanKeepsPool(t *testing.T) {
	g := newBlockGen()
	blks := g.chainOf(g.params.GenesisBlock, 3)
	size := blks[1].SerializeSize()
	tc := openChain(t, func(c *Config) { c.MaxOrphanBytes = 2*size + size/2 })
	for _, b := range blks[1:] {
		if _, orphan, err := tc.ProcessBlock(b, BFNone); err != nil || !orphan {
			t.Fatalf("orphan %v %v", orphan, err)
		}
	}
	big := g.next(blks[2], nil, 0, func(blk *wire.MsgBlock) {
		data := make([]byte, 3*size)
		pk := append([]byte{0x6a, 0x4d, byte(len(data)), byte(len(data) >> 8)}, data...) // OP_RETURN OP_PUSHDATA2
		blk.Transactions[0].TxOut = append(blk.Transactions[0].TxOut, &wire.TxOut{PkScript: pk})
	})
	if big.SerializeSize() <= 2*size+size/2 {
		t.Fatal("test block not oversized")
	}
	if _, orphan, err := tc.ProcessBlock(big, BFNone); err != nil || !orphan {
		t.Fatalf("oversized orphan: %v %v", orphan, err)
	}
	if tc.IsKnownOrphan(big.BlockHash()) {
		t.Fatal("an orphan above the whole budget was kept")
	}
	if !tc.IsKnownOrphan(blks[1].BlockHash()) || !tc.IsKnownOrphan(blks[2].BlockHash()) || tc.orphanBytes != 2*size {
		t.Fatalf("the oversized orphan emptied the pool: %d orphans, %d bytes", len(tc.orphans), tc.orphanBytes)
	}
}

// memOnlyParams is regtest with a minimum chain work no test chain
// reaches: every unsolicited header stays in memory.
func memOnlyParams() *chaincfg.Params {
	p := *chaincfg.RegTestParams
	p.MinimumChainWork = new(big.Int).Lsh(big.NewInt(1), 200)
	return &p
}

// TestSideHeaderEvictionCost: with the side-header store full, a light
// batch is evicted at a cost per header that does not grow with the
// store, the bound holds, and replaying the batch costs the same again.
func TestSideHeaderEvictionCost(t *testing.T) {
	g := newBlockGen()
	const bound = 300
	tc := openChain(t, func(c *Config) { c.Params = memOnlyParams(); c.MaxSideHeaders = bound })
	full := g.chainOf(g.params.GenesisBlock, bound)
	if res, err := tc.ProcessHeaders(headersOf(full)); err != nil || res.Stored || tc.SideHeaders() != bound {
		t.Fatalf("filling: %+v %v, %d side headers", res, err, tc.SideHeaders())
	}
	light := g.chainOf(g.params.GenesisBlock, 200)
	for round := range 2 {
		visits := tc.evictVisits
		res, err := tc.ProcessHeaders(headersOf(light))
		if err != nil || res.Added != len(light) {
			t.Fatalf("round %d: %+v %v", round, res, err)
		}
		if n := tc.SideHeaders(); n != bound {
			t.Fatalf("round %d: %d side headers, bound %d", round, n, bound)
		}
		// The light batch is the lightest: it went, the full chain stayed.
		if _, _, err := tc.HeaderByHash(light[0].BlockHash()); err == nil {
			t.Fatalf("round %d: the light batch was kept", round)
		}
		if h, height, _ := tc.BestHeader(); h != full[bound-1].BlockHash() || height != bound {
			t.Fatalf("round %d: best header %v at %d", round, h, height)
		}
		// 200 evictions; each may look at the best header (kept) and its
		// victim, not at the whole store.
		if v := tc.evictVisits - visits; v > 3*len(light) {
			t.Fatalf("round %d: eviction looked at %d headers for %d evictions", round, v, len(light))
		}
	}
}

// TestSideHeaderEvictionOrder: eviction always takes the side-header
// leaf with the least work (ties: the lowest hash), never the best
// header, on a random tree of headers whose best header moves.
func TestSideHeaderEvictionOrder(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t, func(c *Config) { c.Params = memOnlyParams(); c.MaxSideHeaders = 1000 })
	rng := rand.New(rand.NewPCG(1, 2))
	known := []*wire.MsgBlock{g.params.GenesisBlock}
	grow := func(n int) {
		for range n {
			parent := known[rng.IntN(len(known))]
			if tc.index.nodes[parent.BlockHash()] == nil {
				continue // evicted
			}
			b := g.next(parent, nil, 0)
			if _, err := tc.ProcessHeaders([]wire.BlockHeader{b.Header}); err != nil {
				t.Fatal(err)
			}
			known = append(known, b)
		}
	}
	// want is the leaf the old full scan picks.
	want := func() *blockNode {
		var v *blockNode
		for n := range tc.headersOnly {
			if len(n.children) == 0 && n != tc.bestHeader && (v == nil || lighter(n, v)) {
				v = n
			}
		}
		return v
	}
	evict := func(n int) {
		for i := 0; i < n || n < 0; i++ {
			w, before := want(), len(tc.headersOnly)
			ok := tc.evictHeaderOnly()
			if ok != (w != nil) {
				t.Fatalf("eviction %d: evicted %v, want %v", i, ok, w)
			}
			if !ok {
				return
			}
			if tc.index.nodes[w.hash] != nil || len(tc.headersOnly) != before-1 {
				t.Fatalf("eviction %d: %v (height %d) not the one evicted", i, w.hash, w.height)
			}
		}
	}
	grow(150)
	bh := tc.bestHeader
	evict(60)
	grow(100)
	// Move the best header to another branch: the old one becomes an
	// evictable leaf.
	var off *blockNode
	for n := range tc.headersOnly {
		if len(n.children) == 0 && n != tc.bestHeader && (off == nil || lighter(off, n)) {
			off = n
		}
	}
	if off == nil {
		t.Fatal("no leaf off the best header's chain")
	}
	ext := g.chainOf(g.blocks[off.hash], int(tc.bestHeader.height-off.height)+1)
	if _, err := tc.ProcessHeaders(headersOf(ext)); err != nil {
		t.Fatal(err)
	}
	if tc.bestHeader == bh || tc.bestHeader.hash != ext[len(ext)-1].BlockHash() {
		t.Fatal("the best header did not move")
	}
	evict(-1)
	// Left: the best header and its ancestors.
	if n := len(tc.headersOnly); n != int(tc.bestHeader.height) {
		t.Fatalf("%d side headers left, best header at height %d", n, tc.bestHeader.height)
	}
}

// TestWorthStoringBestHeaderPath: a block is worth storing by its own
// chain's work or by the best header it leads to; checked for every
// known header and a fresh child of each, as the best header moves from
// branch to branch (the best-header path cache follows it).
func TestWorthStoringBestHeaderPath(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t)
	main := g.chainOf(g.params.GenesisBlock, 10)
	tc.process(t, BFNone, main...)
	// want is the definition: the best header's work counts when n is
	// one of its ancestors.
	want := func(n *blockNode) bool {
		work := n.workSum
		if bh := tc.bestHeader; bh.workSum.Cmp(work) > 0 {
			for a := bh; a != nil; a = a.parent {
				if a == n {
					work = bh.workSum
				}
			}
		}
		return work.Cmp(tc.index.tip().workSum) >= 0
	}
	check := func(stage string) {
		t.Helper()
		for _, n := range tc.index.nodes {
			fresh := newBlockNode(&wire.BlockHeader{PrevBlock: n.hash, Bits: g.params.PowLimitBits, Nonce: 7}, n)
			for _, x := range []*blockNode{n, fresh} {
				if got := tc.worthStoring(x, BFNone); got != want(x) {
					t.Fatalf("%s: header at height %d (fresh %v): worth storing %v, want %v", stage, x.height, x == fresh, got, !got)
				}
			}
		}
	}
	headers := func(blks []*wire.MsgBlock) {
		t.Helper()
		if _, err := tc.ProcessHeaders(headersOf(blks)); err != nil {
			t.Fatal(err)
		}
	}
	check("tip only")
	a := g.chainOf(main[9], 30) // heights 11-40
	headers(a)
	headers(g.chainOf(main[3], 3)) // a light side branch
	check("headers ahead")
	b := g.chainOf(a[10], 35) // heights 22-56: the best header moves
	headers(b)
	check("best header on another branch")
	tc.process(t, BFNone, a[:5]...) // the tip moves up the old branch
	check("tip moved")
	headers(g.chainOf(a[29], 20)) // heights 41-60: back to the first branch
	check("best header back")
	if tc.bestHeader.height != 60 {
		t.Fatalf("best header at %d", tc.bestHeader.height)
	}
}

// TestSiblingFlood: equal-work siblings at one height, even submitted
// with BFRequested (submitblock), are stored up to MaxStoredSiblings
// (the first seen); the rest keep only their header, with no error. A
// sibling whose chain then gets more work than the tip is stored and
// connected.
func TestSiblingFlood(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t)
	base := matureBase(g)[:5]
	tc.mustAccept(t, base...)
	parent := base[len(base)-1]
	stored0 := tc.storedBlocks(t)
	var sibs []*wire.MsgBlock
	for range 20 {
		b := g.next(parent, nil, 0)
		sibs = append(sibs, b)
		if _, orphan, err := tc.ProcessBlock(b, BFRequested); err != nil || orphan {
			t.Fatalf("sibling: orphan=%v err=%v", orphan, err)
		}
	}
	// The first sibling became the tip; MaxStoredSiblings stored in all.
	if got := tc.storedBlocks(t) - stored0; got != MaxStoredSiblings {
		t.Fatalf("%d of 20 equal-work siblings stored, want %d", got, MaxStoredSiblings)
	}
	if tc.Best().Hash != sibs[0].BlockHash() {
		t.Fatal("the first sibling seen is not the tip")
	}
	for i, b := range sibs {
		if want := i < MaxStoredSiblings; tc.HaveBlock(b.BlockHash()) != want {
			t.Fatalf("sibling %d stored = %v, want %v", i, !want, want)
		}
		if _, _, err := tc.HeaderByHash(b.BlockHash()); err != nil {
			t.Fatalf("sibling %d: header not kept: %v", i, err)
		}
	}
	// A late sibling's child makes its chain the heaviest: the sibling's
	// block, sent again, is stored, and the chain moves to it.
	late := sibs[len(sibs)-1]
	child := g.next(late, nil, 0)
	if _, _, err := tc.ProcessBlock(child, BFNone); err != nil {
		t.Fatal(err)
	}
	if _, _, err := tc.ProcessBlock(late, BFRequested); err != nil {
		t.Fatal(err)
	}
	if tc.Best().Hash != child.BlockHash() {
		t.Fatalf("tip %v, want the late sibling's child", tc.Best().Hash)
	}
	if err := tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}
}
