package chain

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

type testChain struct {
	*Chain
	db  *store.DB
	dir string
}

func openChainAt(t testing.TB, dir string, mod ...func(*Config)) *testChain {
	t.Helper()
	db, err := store.Open(filepath.Join(dir, "chain.db"), store.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{DB: db, Params: chaincfg.RegTestParams, SigCache: script.NewSigCache(10_000)}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	tc := &testChain{Chain: c, db: db, dir: dir}
	t.Cleanup(func() { tc.close() })
	return tc
}

func openChain(t testing.TB, mod ...func(*Config)) *testChain {
	return openChainAt(t, t.TempDir(), mod...)
}

func (tc *testChain) close() {
	tc.Chain.Close()
	tc.db.Close()
}

func (tc *testChain) mustAccept(t testing.TB, blks ...*wire.MsgBlock) {
	t.Helper()
	for _, b := range blks {
		if _, orphan, err := tc.ProcessBlock(b, BFRequested); err != nil || orphan {
			t.Fatalf("block %v: orphan=%v err=%v", b.BlockHash(), orphan, err)
		}
	}
}

func (tc *testChain) utxoHash(t testing.TB) (chainhash.Hash, uint64) {
	t.Helper()
	h, n, err := tc.UtxoSetHash()
	if err != nil {
		t.Fatal(err)
	}
	return h, n
}

// replayHash connects blks to a fresh chain and returns its UTXO hash.
func replayHash(t testing.TB, blks []*wire.MsgBlock) (chainhash.Hash, uint64) {
	t.Helper()
	tc := openChain(t)
	defer tc.close()
	tc.mustAccept(t, blks...)
	return tc.utxoHash(t)
}

// matureBase builds 101 empty blocks: block 1's coinbase is spendable in
// block 101's successor.
func matureBase(g *blockGen) []*wire.MsgBlock {
	return g.chainOf(g.params.GenesisBlock, 101)
}

func TestChainNew(t *testing.T) {
	tc := openChain(t)
	b := tc.Best()
	p := chaincfg.RegTestParams
	if b.Hash != p.GenesisHash || b.Height != 0 || b.NumTxns != 1 || b.TotalTxns != 1 {
		t.Fatalf("best = %+v", b)
	}
	if b.Work.Cmp(chaincfg.CalcWork(p.PowLimitBits)) != 0 {
		t.Fatalf("work = %v", b.Work)
	}
	if _, n := tc.utxoHash(t); n != 0 {
		t.Fatalf("genesis created %d utxos, want 0", n)
	}
	if err := tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Params: p}); err == nil {
		t.Fatal("New without DB succeeded")
	}
}

func TestChainConnectDisconnect(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t)
	key := newTestKey("connect")
	blocks := matureBase(g)
	hashes := make([]chainhash.Hash, 0, 110)
	h0, _ := tc.utxoHash(t)
	hashes = append(hashes, h0)
	for _, b := range blocks {
		tc.mustAccept(t, b)
		h, _ := tc.utxoHash(t)
		hashes = append(hashes, h)
	}
	tip := blocks[len(blocks)-1]
	// 102: split block 1's coinbase into OP_TRUE, P2WSH(OP_TRUE) and P2WPKH.
	cb := cbOut(blocks[0])
	tx1 := spend([]spendOut{cb}, nil, 10_000, 20_000, 30_000)
	tx1.TxOut[1].PkScript = opTrueP2WSH
	tx1.TxOut[2].PkScript = key.pk
	fee1 := cb.amount - 60_000
	b102 := g.next(tip, []*wire.MsgTx{tx1}, fee1)
	// 103: a chain of two transactions inside one block, one witness spend.
	tx2 := spend([]spendOut{outOf(tx1, 0), outOf(tx1, 1)}, nil, 29_000)
	tx3 := spend([]spendOut{outOf(tx2, 0)}, nil, 28_000)
	b103 := g.next(b102, []*wire.MsgTx{tx2, tx3}, 2_000)
	// 104: a real P2WPKH signature, and an OP_RETURN output.
	tx4 := spend([]spendOut{outOf(tx1, 2)}, key, 25_000, 0)
	tx4.TxOut[1].PkScript = []byte{script.OP_RETURN, 1, 7}
	key.signP2WPKH(tx4, script.NewSigHashes(tx4), 0, 30_000)
	b104 := g.next(b103, []*wire.MsgTx{tx4}, 5_000)
	for _, b := range []*wire.MsgBlock{b102, b103, b104} {
		tc.mustAccept(t, b)
		h, _ := tc.utxoHash(t)
		hashes = append(hashes, h)
	}
	_, n := tc.utxoHash(t)
	// 104 coinbases less block 1's, plus tx3's and tx4's spendable outputs.
	if n != 103+2 {
		t.Fatalf("utxo count = %d, want 105", n)
	}
	if e, err := tc.FetchUtxoEntry(outOf(tx4, 0).op); err != nil || e == nil || e.Amount != 25_000 || e.Height != 104 {
		t.Fatalf("tx4 output = %+v, %v", e, err)
	}
	if e, _ := tc.FetchUtxoEntry(outOf(tx4, 1).op); e != nil {
		t.Fatal("OP_RETURN output in the UTXO set")
	}
	if e, _ := tc.FetchUtxoEntry(cb.op); e != nil {
		t.Fatal("spent coinbase still in the UTXO set")
	}
	// Disconnect down to each earlier height: the set must be exactly
	// what it was.
	for _, target := range []int32{103, 102, 101, 100, 60} {
		hash, _ := tc.BlockHashByHeight(target + 1)
		if err := tc.InvalidateBlock(hash); err != nil {
			t.Fatal(err)
		}
		if b := tc.Best(); b.Height != target {
			t.Fatalf("after invalidating %d: height %d", target+1, b.Height)
		}
		if h, _ := tc.utxoHash(t); h != hashes[target] {
			t.Fatalf("UTXO set at %d after disconnect differs from when first connected", target)
		}
		if err := tc.checkConsistency(); err != nil {
			t.Fatal(err)
		}
	}
	if e, _ := tc.FetchUtxoEntry(cb.op); e == nil || !e.Coinbase || e.Height != 1 {
		t.Fatalf("restored coinbase entry = %+v", e)
	}
	// The invalidated blocks stay rejected.
	if _, _, err := tc.ProcessBlock(b102, BFNone); !errors.Is(err, ErrKnownInvalid) {
		t.Fatalf("resubmitting an invalidated block: %v", err)
	}
}

func TestChainReorg(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t)
	base := matureBase(g)
	tc.mustAccept(t, base...)
	var notes []*Notification
	tc.Subscribe(func(n *Notification) { notes = append(notes, n) })
	fork := base[len(base)-1]
	// Branch a spends block 1's coinbase, branch b block 2's and the same
	// coinbase differently.
	a1 := g.next(fork, []*wire.MsgTx{spend([]spendOut{cbOut(base[0])}, nil, 1000)}, cbOut(base[0]).amount-1000)
	a2 := g.next(a1, nil, 0)
	a3 := g.next(a2, nil, 0)
	b1 := g.next(fork, []*wire.MsgTx{spend([]spendOut{cbOut(base[0])}, nil, 7000)}, cbOut(base[0]).amount-7000)
	b2 := g.next(b1, []*wire.MsgTx{spend([]spendOut{cbOut(base[1])}, nil, 100)}, cbOut(base[1]).amount-100)
	b3 := g.next(b2, nil, 0)
	b4 := g.next(b3, nil, 0)
	tc.mustAccept(t, a1, a2, a3, b1, b2, b3)
	if tc.Best().Hash != a3.BlockHash() {
		t.Fatal("equal-work side branch took over")
	}
	for _, b := range []*wire.MsgBlock{b1, b2, b3} {
		if tc.MainChainHasBlock(b.BlockHash()) || !tc.HaveBlock(b.BlockHash()) {
			t.Fatal("side-chain block state wrong")
		}
	}
	notes = nil
	mainChain, _, err := tc.ProcessBlock(b4, BFNone)
	if err != nil || !mainChain {
		t.Fatalf("b4: main=%v err=%v", mainChain, err)
	}
	type ev struct {
		typ NotificationType
		h   chainhash.Hash
	}
	want := []ev{
		{NTBlockDisconnected, a3.BlockHash()}, {NTBlockDisconnected, a2.BlockHash()}, {NTBlockDisconnected, a1.BlockHash()},
		{NTBlockConnected, b1.BlockHash()}, {NTTxConfirmed, b1.BlockHash()}, {NTTxConfirmed, b1.BlockHash()},
		{NTBlockConnected, b2.BlockHash()}, {NTTxConfirmed, b2.BlockHash()}, {NTTxConfirmed, b2.BlockHash()},
		{NTBlockConnected, b3.BlockHash()}, {NTTxConfirmed, b3.BlockHash()},
		{NTBlockConnected, b4.BlockHash()}, {NTTxConfirmed, b4.BlockHash()},
		{NTBlockAccepted, b4.BlockHash()},
	}
	if len(notes) != len(want) {
		t.Fatalf("%d notifications, want %d", len(notes), len(want))
	}
	for i, w := range want {
		if notes[i].Type != w.typ || notes[i].Hash != w.h {
			t.Fatalf("notification %d = %v %v, want %v %v", i, notes[i].Type, notes[i].Hash, w.typ, w.h)
		}
	}
	if notes[4].Tx.TxHash() != b1.Transactions[0].TxHash() || notes[5].Tx.TxHash() != b1.Transactions[1].TxHash() {
		t.Fatal("NTTxConfirmed does not carry the block's transactions in order")
	}
	for _, n := range notes {
		if n.Type != NTBlockConnected {
			if n.TxIDs != nil {
				t.Fatalf("%v notification carries TxIDs", n.Type)
			}
			continue
		}
		if len(n.TxIDs) != len(n.Block.Transactions) {
			t.Fatalf("block %v: %d TxIDs for %d transactions", n.Hash, len(n.TxIDs), len(n.Block.Transactions))
		}
		for i, tx := range n.Block.Transactions {
			if n.TxIDs[i] != tx.TxHash() {
				t.Fatalf("block %v: TxIDs[%d] is not its transaction's id", n.Hash, i)
			}
		}
	}
	wantB, nB := replayHash(t, append(append([]*wire.MsgBlock(nil), base...), b1, b2, b3, b4))
	if h, n := tc.utxoHash(t); h != wantB || n != nB {
		t.Fatal("UTXO set after reorg differs from a clean replay of the new branch")
	}
	if err := tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}
	// And back to a.
	a4 := g.next(a3, nil, 0)
	a5 := g.next(a4, nil, 0)
	tc.mustAccept(t, a4, a5)
	if tc.Best().Hash != a5.BlockHash() {
		t.Fatal("did not reorganise back")
	}
	wantA, nA := replayHash(t, append(append([]*wire.MsgBlock(nil), base...), a1, a2, a3, a4, a5))
	if h, n := tc.utxoHash(t); h != wantA || n != nA {
		t.Fatal("UTXO set after reorg back differs from a clean replay")
	}
	if err := tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}
	tips := tc.Tips()
	if len(tips) != 2 || tips[0].Status != "active" || tips[0].Hash != a5.BlockHash() ||
		tips[1].Hash != b4.BlockHash() || tips[1].Status != "valid-fork" || tips[1].BranchLen != 4 {
		t.Fatalf("tips = %+v", tips)
	}
}

func TestChainReorgToInvalidBranch(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t)
	base := matureBase(g)
	tc.mustAccept(t, base...)
	fork := base[len(base)-1]
	a1 := g.next(fork, nil, 0)
	tc.mustAccept(t, a1)
	// b1 is valid, b2 overspends, b3 builds on b2. b2 makes its branch the
	// heaviest, the reorganisation fails, and the chain stays on a1 (b1
	// has only equal work).
	b1 := g.next(fork, nil, 0)
	b2 := g.next(b1, []*wire.MsgTx{spend([]spendOut{cbOut(base[0])}, nil, cbOut(base[0]).amount+1)}, 0)
	b3 := g.next(b2, nil, 0)
	tc.mustAccept(t, b1)
	if _, _, err := tc.ProcessBlock(b2, BFNone); !errors.Is(err, ErrSpendTooHigh) {
		t.Fatalf("b2: err = %v, want ErrSpendTooHigh", err)
	}
	if tc.Best().Hash != a1.BlockHash() {
		t.Fatalf("tip after failed reorg = %v, want a1", tc.Best().Hash)
	}
	if h, _ := tc.utxoHash(t); h != func() chainhash.Hash {
		h, _ := replayHash(t, append(append([]*wire.MsgBlock(nil), base...), a1))
		return h
	}() {
		t.Fatal("UTXO set changed by the failed reorganisation")
	}
	if _, _, err := tc.ProcessBlock(b2, BFNone); !errors.Is(err, ErrKnownInvalid) {
		t.Fatalf("b2 again: err = %v, want ErrKnownInvalid", err)
	}
	if _, _, err := tc.ProcessBlock(b3, BFNone); !errors.Is(err, ErrInvalidAncestor) {
		t.Fatalf("b3: err = %v, want ErrInvalidAncestor", err)
	}
	if err := tc.checkConsistency(); err != nil {
		t.Fatal(err)
	}
	statuses := map[chainhash.Hash]string{}
	for _, ti := range tc.Tips() {
		statuses[ti.Hash] = ti.Status
	}
	// b2 is remembered as invalid; b3, refused for its invalid parent, is
	// not indexed at all (cheap to produce, cheap to refuse again).
	if _, ok := statuses[b3.BlockHash()]; ok || statuses[b2.BlockHash()] != "invalid" {
		t.Fatalf("tips = %v", statuses)
	}
}

// TestChainUtxoSetInfo: the summary agrees with UtxoSetHash,
// RegistryHash and the coinbases paid (block 102 spends one coinbase
// into three outputs of one transaction, paying a fee back to its own
// coinbase), and follows a disconnect.
func TestChainUtxoSetInfo(t *testing.T) {
	g := newBlockGen()
	tc := openChain(t)
	defer tc.close()
	info := func() UtxoSetInfo {
		t.Helper()
		i, err := tc.UtxoSetInfo()
		if err != nil {
			t.Fatal(err)
		}
		h, n := tc.utxoHash(t)
		reg, err := tc.RegistryHash()
		if err != nil || i.Hash != h || i.TxOuts != n || i.RegistryHash != reg {
			t.Fatalf("info %+v, UtxoSetHash %v %d, RegistryHash %v %v", i, h, n, reg, err)
		}
		if b := tc.Best(); i.Height != b.Height || i.BestBlock != b.Hash {
			t.Fatalf("info at %d %v, best %d %v", i.Height, i.BestBlock, b.Height, b.Hash)
		}
		return i
	}
	if i := info(); i.TxOuts != 0 || i.Transactions != 0 || i.Total != 0 {
		t.Fatalf("genesis: %+v", i)
	}
	blocks := matureBase(g)
	tc.mustAccept(t, blocks...)
	var total int64
	for _, b := range blocks {
		for _, o := range b.Transactions[0].TxOut {
			total += o.Value
		}
	}
	before := info()
	if before.Total != total || before.Height != 101 {
		t.Fatalf("after 101 blocks: %+v, want total %d", before, total)
	}
	cb := cbOut(blocks[0])
	tx := spend([]spendOut{cb}, nil, 10_000, 20_000, 30_000)
	b102 := g.next(blocks[len(blocks)-1], []*wire.MsgTx{tx}, cb.amount-60_000)
	tc.mustAccept(t, b102)
	after := info()
	var paid int64
	for _, o := range b102.Transactions[0].TxOut {
		paid += o.Value
	}
	if after.Total != total-cb.amount+60_000+paid || after.Transactions != before.Transactions+1 {
		t.Fatalf("after block 102: %+v (before %+v)", after, before)
	}
	if err := tc.InvalidateBlock(b102.BlockHash()); err != nil {
		t.Fatal(err)
	}
	if again := info(); again != before {
		t.Fatalf("after disconnecting 102: %+v, want %+v", again, before)
	}
}
