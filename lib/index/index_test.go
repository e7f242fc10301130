package index

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/gcs"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// env is a real chain on a real bbolt file, optionally with the filter
// index, and the blocks a generator built for it.
type env struct {
	t   *testing.T
	dir string
	db  *store.DB
	c   *chain.Chain
	mgr *Manager
	fi  *FilterIndex
	// all: the transaction and address indexes too (ti, ai).
	all bool
	ti  *TxIndex
	ai  *AddrIndex
	g   *chaingen.Generator
	// scripts of every output ever created, to find what blocks spend
	// without asking the chain.
	outs map[wire.OutPoint][]byte
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, dir: t.TempDir(), g: chaingen.New(chaincfg.RegTestParams), outs: map[wire.OutPoint][]byte{}}
	e.open(true)
	return e
}

// open opens the chain, with the filter index when indexed.
func (e *env) open(indexed bool) {
	t := e.t
	t.Helper()
	db, err := store.Open(filepath.Join(e.dir, "chain.db"), store.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e.db = db
	cfg := chain.Config{DB: db, Params: chaincfg.RegTestParams}
	e.mgr, e.fi = nil, nil
	if indexed {
		e.fi = NewFilterIndex(db)
		idx := []Index{e.fi}
		if e.all {
			e.ti, e.ai = NewTxIndex(db), NewAddrIndex(db)
			idx = append(idx, e.ti, e.ai)
		}
		if e.mgr, err = New(db, nil, idx...); err != nil {
			t.Fatal(err)
		}
		cfg.Indexer = e.mgr
	}
	if e.c, err = chain.New(cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.close)
}

func (e *env) close() {
	if e.db == nil {
		return
	}
	e.c.Close()
	e.db.Close()
	e.db = nil
}

func (e *env) catchUp() {
	e.t.Helper()
	if err := e.mgr.CatchUp(context.Background(), e.c); err != nil {
		e.t.Fatal(err)
	}
}

// unique gives the coinbase an extra output whose script is the block's
// own, so filters differ from block to block.
func unique(tag string) func(*wire.MsgBlock) {
	return func(b *wire.MsgBlock) {
		h := sha256.Sum256([]byte(tag))
		b.Transactions[0].TxOut = append(b.Transactions[0].TxOut, &wire.TxOut{PkScript: append([]byte{0x00, 0x20}, h[:]...)})
	}
}

// next builds a block on the generator's tip, spending the oldest mature
// coinbase output once there is one.
func (e *env) next(name string) *wire.MsgBlock {
	var spend *chaingen.SpendableOut
	if e.g.NextHeight() > 101 {
		if s, ok := e.g.TryOldestCoinbaseOut(); ok {
			spend = &s
		}
	}
	return e.g.NextBlock(name, spend, unique(name))
}

// process gives blocks to the chain.
func (e *env) process(blks ...*wire.MsgBlock) {
	e.t.Helper()
	for _, b := range blks {
		if _, _, err := e.c.ProcessBlock(b, chain.BFRequested); err != nil {
			e.t.Fatalf("block %v: %v", b.BlockHash(), err)
		}
		e.learn(b)
	}
}

func (e *env) learn(b *wire.MsgBlock) {
	for _, tx := range b.Transactions {
		id := tx.TxHash()
		for i, o := range tx.TxOut {
			e.outs[wire.OutPoint{Hash: id, Index: uint32(i)}] = o.PkScript
		}
	}
}

// build makes n blocks on the generator's tip and processes them.
func (e *env) build(prefix string, n int) {
	for i := range n {
		e.process(e.next(fmt.Sprintf("%s%d", prefix, i)))
	}
}

// wantFilter is block b's filter computed from the test's own record of
// outputs.
func (e *env) wantFilter(b *wire.MsgBlock) *gcs.Filter {
	e.t.Helper()
	var spent [][]byte
	for _, tx := range b.Transactions[1:] {
		for _, in := range tx.TxIn {
			s, ok := e.outs[in.PreviousOutPoint]
			if !ok {
				e.t.Fatalf("unknown outpoint %v", in.PreviousOutPoint)
			}
			spent = append(spent, s)
		}
	}
	f, err := gcs.BuildBasic(b, spent)
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}

// check compares the whole index with filters and headers computed from
// the active chain's blocks.
func (e *env) check() {
	t := e.t
	t.Helper()
	best := e.c.Best()
	if h, err := e.fi.Height(); err != nil || h != best.Height {
		t.Fatalf("index height %d (%v), chain %d", h, err, best.Height)
	}
	var prev chainhash.Hash
	for h := int32(0); h <= best.Height; h++ {
		hash, err := e.c.BlockHashByHeight(h)
		if err != nil {
			t.Fatal(err)
		}
		blk, err := e.c.BlockByHash(hash)
		if err != nil {
			t.Fatal(err)
		}
		e.learn(blk)
		want := e.wantFilter(blk)
		got, err := e.fi.ByHash(hash)
		if err != nil {
			t.Fatalf("height %d: %v", h, err)
		}
		hdr := gcs.Header(want.Hash(), prev)
		if got.Height != h || got.Block != hash || string(got.Filter) != string(want.Bytes()) || got.FilterHash != want.Hash() || got.Header != hdr {
			t.Fatalf("height %d: record %+v, want filter %x header %v", h, got, want.Bytes(), hdr)
		}
		prev = hdr
	}
}

// TestFilterIndexFollowsChain: blocks connected through the chain are
// indexed in the same transaction, with filters and headers as lib/gcs
// computes them from the blocks; a reorganisation and an invalidation
// take the old blocks' records away and index the new branch.
func TestFilterIndexFollowsChain(t *testing.T) {
	e := newEnv(t)
	e.catchUp() // genesis
	e.build("a", 105)
	e.check()
	// A fork from 3 below the tip, one block longer.
	old := e.g.Tip().BlockHash()
	e.g.SetTip("a101")
	var fork []*wire.MsgBlock
	for i := range 4 {
		fork = append(fork, e.g.NextBlock(fmt.Sprintf("b%d", i), nil, unique(fmt.Sprintf("b%d", i))))
	}
	e.process(fork...)
	if e.c.Best().Hash != fork[3].BlockHash() {
		t.Fatalf("no reorganisation")
	}
	e.check()
	if _, err := e.fi.ByHash(old); !errors.Is(err, ErrNotIndexed) {
		t.Fatalf("old tip still indexed: %v", err)
	}
	if err := e.c.InvalidateBlock(fork[2].BlockHash()); err != nil {
		t.Fatal(err)
	}
	// Back on the a-branch (heavier than what is left of b).
	e.check()
	st, err := e.mgr.Status()
	if err != nil || len(st) != 1 || st[0].Name != FilterIndexName || st[0].Height != e.c.Best().Height || !st[0].Synced {
		t.Fatalf("status %+v, %v", st, err)
	}
}

// TestFilterIndexCatchUp: an index added to an existing chain catches up
// in batches, while the chain keeps connecting blocks, and then follows
// the chain.
func TestFilterIndexCatchUp(t *testing.T) {
	defer func(b int32) { catchUpBatch = b }(catchUpBatch)
	catchUpBatch = 7
	e := newEnv(t)
	e.close()
	e.open(false)
	e.build("a", 110)
	e.close()
	e.open(true)
	select {
	case <-e.mgr.Synced():
		t.Fatal("synced before catching up")
	default:
	}
	if h, _ := e.fi.Height(); h != -1 {
		t.Fatalf("new index at height %d", h)
	}
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		errc <- e.mgr.CatchUp(context.Background(), e.c)
	}()
	more := make([]*wire.MsgBlock, 30)
	for i := range more {
		more[i] = e.next(fmt.Sprintf("c%d", i))
	}
	e.process(more...)
	wg.Wait()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	<-e.mgr.Synced()
	e.build("d", 3) // the chain keeps it at the tip
	e.check()
}

// TestFilterIndexOffChain: an index whose tip left the active chain
// while the node ran without it is rebuilt.
func TestFilterIndexOffChain(t *testing.T) {
	e := newEnv(t)
	e.catchUp()
	e.build("a", 10)
	e.close()
	e.open(false)
	e.g.SetTip("a7")
	for i := range 4 {
		e.process(e.g.NextBlock(fmt.Sprintf("b%d", i), nil, unique(fmt.Sprintf("b%d", i))))
	}
	e.close()
	e.open(true)
	if h, _ := e.fi.Height(); h != 10 {
		t.Fatalf("stale index at height %d, want 10", h)
	}
	e.catchUp()
	e.check()
}

// TestFilterIndexReset: Reset (what --reindex does first) empties the
// index, and catching up after chain.Reindex rebuilds the same records.
func TestFilterIndexReset(t *testing.T) {
	e := newEnv(t)
	e.catchUp()
	e.build("a", 104)
	before, _, err := e.fi.Range(0, e.c.Best().Hash, 2000, true)
	if err != nil {
		t.Fatal(err)
	}
	e.close()
	db, err := store.Open(filepath.Join(e.dir, "chain.db"), store.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := Reset(db, NewFilterIndex(db)); err != nil {
		t.Fatal(err)
	}
	if err := chain.Reindex(context.Background(), chain.Config{DB: db, Params: chaincfg.RegTestParams}, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	e.open(true)
	if h, _ := e.fi.Height(); h != -1 {
		t.Fatalf("index at height %d after Reset", h)
	}
	e.catchUp()
	after, _, err := e.fi.Range(0, e.c.Best().Hash, 2000, true)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatal("rebuilt index differs")
	}
	e.check()
}

// TestFilterIndexRangeErrors: the queries refuse what BIP157 requests
// must not get.
func TestFilterIndexRangeErrors(t *testing.T) {
	e := newEnv(t)
	e.catchUp()
	e.build("a", 12)
	tip := e.c.Best().Hash
	h5, _ := e.c.BlockHashByHeight(5)
	if _, _, err := e.fi.Range(6, h5, 100, false); !errors.Is(err, ErrBadRange) {
		t.Errorf("start above stop: %v", err)
	}
	if _, _, err := e.fi.Range(-1, h5, 100, false); !errors.Is(err, ErrBadRange) {
		t.Errorf("negative start: %v", err)
	}
	if _, _, err := e.fi.Range(0, tip, 12, false); !errors.Is(err, ErrRangeTooLarge) {
		t.Errorf("13 blocks, max 12: %v", err)
	}
	if _, _, err := e.fi.Range(0, chainhash.Hash{1}, 100, false); !errors.Is(err, ErrNotIndexed) {
		t.Errorf("unknown stop: %v", err)
	}
	if _, err := e.fi.Checkpoints(chainhash.Hash{1}, 1000); !errors.Is(err, ErrNotIndexed) {
		t.Errorf("checkpoints, unknown stop: %v", err)
	}
	es, prev, err := e.fi.Range(5, tip, 8, false)
	if err != nil || len(es) != 8 || es[0].Height != 5 || es[7].Block != tip || es[0].Filter != nil {
		t.Fatalf("range 5..12: %d entries, %v", len(es), err)
	}
	e4, _ := e.fi.ByHash(mustHash(e.c, 4))
	if prev != e4.Header {
		t.Errorf("prev header %v, want %v", prev, e4.Header)
	}
	cps, err := e.fi.Checkpoints(tip, 5)
	if err != nil || len(cps) != 2 || cps[1] != es[5].Header {
		t.Errorf("checkpoints every 5 up to 12: %v, %v", cps, err)
	}
	if _, err := New(e.db, nil, e.fi, NewFilterIndex(e.db)); err == nil {
		t.Error("the same index twice accepted")
	}
}

func mustHash(c *chain.Chain, h int32) chainhash.Hash {
	x, err := c.BlockHashByHeight(h)
	if err != nil {
		panic(err)
	}
	return x
}

// failing is an index whose Connect fails: a local failure.
type failing struct{ FilterIndex }

func (f *failing) Name() string { return "failing" }
func (f *failing) Connect(*store.Tx, *Block) error {
	return errFire
}

var errFire = errors.New("disk on fire")

// TestIndexFailureRollsBack: an index that fails to connect a block
// stops the chain from connecting it, without marking it invalid: the
// chain and the index stay together.
func TestIndexFailureRollsBack(t *testing.T) {
	e := newEnv(t)
	e.catchUp()
	e.build("a", 3)
	e.close()
	db, err := store.Open(filepath.Join(e.dir, "chain.db"), store.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bad := &failing{}
	mgr, err := New(db, nil, bad)
	if err != nil {
		t.Fatal(err)
	}
	// Put the failing index at the tip so the next block goes to it.
	tip := e.g.Tip().BlockHash()
	if err := db.Update(func(tx *store.Tx) error { return writeTip(tx, "failing", Tip{tip, 3}, true) }); err != nil {
		t.Fatal(err)
	}
	c, err := chain.New(chain.Config{DB: db, Params: chaincfg.RegTestParams, Indexer: mgr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	blk := e.next("x")
	if _, _, err := c.ProcessBlock(blk, chain.BFNone); !errors.Is(err, errFire) || c.Best().Height != 3 {
		t.Fatalf("block connected despite the index: %v, height %d", err, c.Best().Height)
	}
	var re chain.RuleError
	if _, _, err := c.ProcessBlock(blk, chain.BFNone); errors.As(err, &re) && errors.Is(err, chain.ErrKnownInvalid) {
		t.Fatalf("block marked invalid: %v", err)
	}
}
