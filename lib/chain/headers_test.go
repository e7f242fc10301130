package chain

import (
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

func headersOf(blks []*wire.MsgBlock) []wire.BlockHeader {
	out := make([]wire.BlockHeader, len(blks))
	for i, b := range blks {
		out[i] = b.Header
	}
	return out
}

// TestProcessHeaders: headers first, then the blocks in any order; the
// headers survive a restart; a bad header keeps the valid prefix; a batch
// that does not connect is refused.
func TestProcessHeaders(t *testing.T) {
	g := newBlockGen()
	blks := g.chainOf(g.params.GenesisBlock, 60)
	dir := t.TempDir()
	tc := openChainAt(t, dir)
	res, err := tc.ProcessHeaders(headersOf(blks[:40]))
	if err != nil || res.Added != 40 || !res.Stored || res.Height != 40 {
		t.Fatalf("headers: %+v %v", res, err)
	}
	if h, height, _ := tc.BestHeader(); h != blks[39].BlockHash() || height != 40 || tc.Best().Height != 0 {
		t.Fatalf("best header %v %d, tip %d", h, height, tc.Best().Height)
	}
	// Again: all known.
	if res, err := tc.ProcessHeaders(headersOf(blks[:40])); err != nil || res.Added != 0 || res.Skipped != 40 {
		t.Fatalf("repeat: %+v %v", res, err)
	}
	// What to fetch: lowest first, skipping what is in flight.
	inFlight := map[chainhash.Hash]bool{blks[0].BlockHash(): true}
	want := tc.BlocksToFetch(3, func(h chainhash.Hash) bool { return inFlight[h] })
	if len(want) != 3 || want[0].Height != 2 || want[2].Height != 4 {
		t.Fatalf("to fetch %+v", want)
	}
	// Restart: the headers were written.
	tc.close()
	tc = openChainAt(t, dir)
	if _, height, _ := tc.BestHeader(); height != 40 {
		t.Fatalf("best header after restart at %d", height)
	}
	// Blocks out of order (unsolicited: they lead to the best header, so
	// they are stored), the chain follows as the gaps fill.
	order := []int{5, 3, 1, 2, 0, 4}
	for _, i := range order {
		tc.process(t, BFNone, blks[i])
	}
	if tc.Best().Height != 6 {
		t.Fatalf("tip %d after blocks 1–6 out of order", tc.Best().Height)
	}
	for _, b := range blks[6:40] {
		tc.process(t, BFNone, b)
	}
	if tc.Best().Hash != blks[39].BlockHash() {
		t.Fatal("did not reach the best header")
	}
	if got := tc.BlocksToFetch(10, nil); len(got) != 0 {
		t.Fatalf("nothing left to fetch, got %+v", got)
	}
	// A batch whose third header has wrong bits: two kept.
	bad := headersOf(blks[40:45])
	bad[2].Bits = 0x1d00ffff
	res, err = tc.ProcessHeaders(bad)
	if !errors.Is(err, ErrBadBits) && !errors.Is(err, ErrHighHash) || res.Added != 2 {
		t.Fatalf("bad header: %+v %v", res, err)
	}
	// A batch that does not connect, and one with a gap.
	if _, err := tc.ProcessHeaders(headersOf(blks[50:52])); !errors.Is(err, ErrPrevBlockNotFound) {
		t.Fatalf("unconnected: %v", err)
	}
	gap := headersOf(blks[42:46])
	gap = append(gap[:1], gap[2:]...)
	if _, err := tc.ProcessHeaders(gap); !errors.Is(err, ErrHeadersNotConnected) {
		t.Fatalf("gap: %v", err)
	}
	if err := tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}
}

// TestLowWorkHeaders: headers of a fork lighter than the tip stay in
// memory (bounded) and are not written; headers of a heavier fork are.
func TestLowWorkHeaders(t *testing.T) {
	g := newBlockGen()
	dir := t.TempDir()
	tc := openChainAt(t, dir, func(c *Config) { c.MaxSideHeaders = 5 })
	main := g.chainOf(g.params.GenesisBlock, 30)
	tc.process(t, BFNone, main...)
	light := g.chainOf(main[0], 20) // up to height 21: lighter than 30
	res, err := tc.ProcessHeaders(headersOf(light))
	if err != nil || res.Stored {
		t.Fatalf("light fork: %+v %v", res, err)
	}
	if n := tc.SideHeaders(); n > 5 {
		t.Fatalf("%d side headers in memory, bound 5", n)
	}
	heavy := g.chainOf(main[19], 15) // up to height 35
	res, err = tc.ProcessHeaders(headersOf(heavy))
	if err != nil || !res.Stored {
		t.Fatalf("heavy fork: %+v %v", res, err)
	}
	tc.close()
	tc = openChainAt(t, dir)
	if _, h, _ := tc.BestHeader(); h != 35 {
		t.Fatalf("heavy fork's headers not kept: best header at %d", h)
	}
	if _, _, err := tc.HeaderByHash(light[19].BlockHash()); err == nil {
		t.Fatal("light fork's headers written")
	}
}

// TestBlockLocator and LocateHeaders: the locator is dense then sparse,
// and a peer's locator finds the fork.
func TestBlockLocator(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t)
	blks := g.chainOf(g.params.GenesisBlock, 100)
	tc.process(t, BFNone, blks...)
	loc := tc.BlockLocator(nil)
	if loc[0] != blks[99].BlockHash() || loc[len(loc)-1] != g.params.GenesisHash || len(loc) > 25 {
		t.Fatalf("locator of %d hashes", len(loc))
	}
	// A peer at height 50 on our chain: we send 51…
	peerLoc := []chainhash.Hash{chainhash.Hash{9}, blks[49].BlockHash()}
	hs := tc.LocateHeaders(peerLoc, chainhash.Hash{}, 2000)
	if len(hs) != 50 || hs[0].BlockHash() != blks[50].BlockHash() {
		t.Fatalf("%d headers", len(hs))
	}
	if hs := tc.LocateHeaders(peerLoc, blks[54].BlockHash(), 2000); len(hs) != 5 {
		t.Fatalf("with stop: %d", len(hs))
	}
	if hs := tc.LocateHeaders(nil, chainhash.Hash{}, 10); len(hs) != 10 || hs[0].BlockHash() != blks[0].BlockHash() {
		t.Fatal("empty locator starts after genesis")
	}
}

// TestInitialBlockDownload: a tip older than a day, or below the minimum
// chain work, is initial block download; once left, it stays left.
func TestInitialBlockDownload(t *testing.T) {
	g := newBlockGen()
	now := time.Unix(int64(g.params.GenesisBlock.Header.Timestamp), 0).Add(48 * time.Hour)
	p := *chaincfg.RegTestParams
	p.MinimumChainWork = new(big.Int).Mul(chaincfg.CalcWork(p.PowLimitBits), big.NewInt(4)) // genesis + 3 blocks
	tc := openChain(t, func(c *Config) { c.Params = &p; c.TimeSource = func() time.Time { return now } })
	if !tc.IsInitialBlockDownload() {
		t.Fatal("a two-day-old genesis tip is not IBD")
	}
	ts := uint32(now.Unix() - 600)
	recent := func(b *wire.MsgBlock) { ts += 60; b.Header.Timestamp = ts }
	b1 := g.next(g.params.GenesisBlock, nil, 0, recent)
	b2 := g.next(b1, nil, 0, recent)
	tc.process(t, BFRequested, b1, b2)
	if !tc.IsInitialBlockDownload() {
		t.Fatal("a recent tip below the minimum chain work is not IBD")
	}
	tc.process(t, BFRequested, g.next(b2, nil, 0, recent))
	if tc.IsInitialBlockDownload() {
		t.Fatal("a recent tip with the minimum work is still IBD")
	}
	now = now.Add(72 * time.Hour)
	if tc.IsInitialBlockDownload() {
		t.Fatal("an old tip put the node back into IBD")
	}
	if pr := tc.Progress(); pr.TipHeight != 3 || pr.HeaderHeight != 3 {
		t.Fatalf("progress %+v", pr)
	}
}
