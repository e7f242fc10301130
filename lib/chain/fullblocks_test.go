package chain_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// fbNow is the fixed clock of the full-block tests: a day after the
// regtest genesis block, far ahead of every generated timestamp.
var fbNow = time.Unix(int64(chaincfg.RegTestParams.GenesisBlock.Header.Timestamp)+86400, 0)

// fbCase is one block submitted to the chain and what must happen.
type fbCase struct {
	name          string
	block         *wire.MsgBlock
	wantAccepted  bool // ProcessBlock returned no error
	wantMainChain bool
	wantOrphan    bool
	wantKind      chain.ErrorKind // with !wantAccepted: errors.Is(err, wantKind)
	wantTip       string          // generator name of the tip afterwards
	check         func(t *testing.T, c *chain.Chain)
}

// fbBuilder records cases while driving the generator. tip is the name of
// the block the chain's tip must be after the cases so far.
type fbBuilder struct {
	g     *chaingen.Generator
	tip   string
	cases []fbCase
}

// accept expects blk to extend the main chain and become the tip.
func (b *fbBuilder) accept(name string, blk *wire.MsgBlock) {
	b.tip = b.g.NameOf(blk.BlockHash())
	b.cases = append(b.cases, fbCase{name: name, block: blk, wantAccepted: true, wantMainChain: true, wantTip: b.tip})
}

// reject expects blk to fail with kind, leaving the tip alone, and moves
// the generator back to the tip.
func (b *fbBuilder) reject(name string, blk *wire.MsgBlock, kind chain.ErrorKind) {
	b.cases = append(b.cases, fbCase{name: name, block: blk, wantKind: kind, wantTip: b.tip})
	b.g.SetTip(b.tip)
}

// side expects blk to be stored on a side chain without a reorg.
func (b *fbBuilder) side(name string, blk *wire.MsgBlock) {
	b.cases = append(b.cases, fbCase{name: name, block: blk, wantAccepted: true, wantTip: b.tip})
}

// reorg expects blk to be accepted and to make its branch the main chain.
func (b *fbBuilder) reorg(name string, blk *wire.MsgBlock, check func(*testing.T, *chain.Chain)) {
	b.tip = b.g.NameOf(blk.BlockHash())
	b.cases = append(b.cases, fbCase{name: name, block: blk, wantAccepted: true, wantMainChain: true, wantTip: b.tip, check: check})
}

// openChain creates a chain on a fresh bbolt file in a test temp dir.
func openChain(t *testing.T) *chain.Chain {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "chain.db"), store.Options{NoSync: true, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	c, err := chain.New(chain.Config{DB: db, Params: chaincfg.RegTestParams, TimeSource: func() time.Time { return fbNow }})
	if err != nil {
		db.Close()
		t.Fatalf("chain.New: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("chain.Close: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("db.Close: %v", err)
		}
	})
	return c
}

// submit hands the chain a private copy of blk, as blocks the node asked
// for (the side chains are stored whatever their work, as a syncing node
// fetches them).
func submit(c *chain.Chain, blk *wire.MsgBlock) (bool, bool, error) {
	return c.ProcessBlock(chaingen.CopyBlock(blk), chain.BFRequested)
}

// replayUtxoHash feeds the path to the named block into a fresh chain and
// returns its UTXO set hash: the state a node that never saw a side chain
// has.
func replayUtxoHash(t *testing.T, g *chaingen.Generator, name string) (chainhash.Hash, uint64) {
	t.Helper()
	c := openChain(t)
	for _, blk := range g.PathTo(name) {
		if _, _, err := submit(c, blk); err != nil {
			t.Fatalf("replay to %s: block %s: %v", name, blk.BlockHash(), err)
		}
	}
	h, n, err := c.UtxoSetHash()
	if err != nil {
		t.Fatalf("replay UtxoSetHash: %v", err)
	}
	return h, n
}

// sameUtxoSetAs returns a check that the chain's UTXO set equals that of
// a fresh chain fed only the path to name.
func sameUtxoSetAs(g *chaingen.Generator, name string) func(*testing.T, *chain.Chain) {
	return func(t *testing.T, c *chain.Chain) {
		t.Helper()
		got, gotN, err := c.UtxoSetHash()
		if err != nil {
			t.Fatalf("UtxoSetHash: %v", err)
		}
		want, wantN := replayUtxoHash(t, g, name)
		if got != want || gotN != wantN {
			t.Errorf("utxo set %s (%d entries), replay of %s gives %s (%d)", got, gotN, name, want, wantN)
		}
	}
}

// allChecks runs every non-nil check in order.
func allChecks(checks ...func(*testing.T, *chain.Chain)) func(*testing.T, *chain.Chain) {
	return func(t *testing.T, c *chain.Chain) {
		t.Helper()
		for _, check := range checks {
			if check != nil {
				check(t, c)
			}
		}
	}
}

// unspent returns a check that tx's first output is (or is not) in the
// chain's UTXO set.
func unspent(tx *wire.MsgTx, want bool) func(*testing.T, *chain.Chain) {
	return func(t *testing.T, c *chain.Chain) {
		t.Helper()
		op := wire.OutPoint{Hash: tx.TxHash()}
		e, err := c.FetchUtxoEntry(op)
		if err != nil {
			t.Fatalf("FetchUtxoEntry %v: %v", op, err)
		}
		if (e != nil) != want {
			t.Errorf("output %v unspent %v, want %v", op, e != nil, want)
		}
	}
}

// fullBlockSetup builds n coinbase-only blocks named s1..sn so coinbase
// outputs mature.
func fullBlockSetup(g *chaingen.Generator, n int) []*wire.MsgBlock {
	var blocks []*wire.MsgBlock
	for i := 1; i <= n; i++ {
		blocks = append(blocks, g.NextBlock(fmt.Sprintf("s%d", i), nil))
	}
	return blocks
}

// coinbaseScriptOfLen returns a BIP34 coinbase script for height padded
// with one data push to exactly n bytes (n >= 14).
func coinbaseScriptOfLen(height int32, n int) []byte {
	s := chaingen.CoinbaseScript(height, 1)
	pad := n - len(s) - 2 // OP_PUSHDATA1 <len> <pad bytes>
	s = append(s, 0x4c, byte(pad))
	return append(s, make([]byte, pad)...)
}

// fullBlockCases returns the named accept/reject cases, in order, built on
// the setup chain at g's tip.
func fullBlockCases(g *chaingen.Generator) []fbCase {
	b := &fbBuilder{g: g, tip: g.TipName()}
	out := func() *chaingen.SpendableOut { o := g.OldestCoinbaseOut(); return &o }
	fee := g.Fee

	// A spare mature output for blocks that are rejected anyway.
	spare := out()

	outB1 := out()
	b1 := g.NextBlock("b1", outB1)
	b.accept("valid block spending a mature coinbase", b1)
	b1Tx := b1.Transactions[1]

	// Header-level failures.
	g.NextBlock("badpow", spare)
	b.reject("bad PoW (hash > target)", g.BreakPoW("badpow"), chain.ErrHighHash)
	b.reject("bits too easy vs required", g.NextBlock("easybits", spare, chaingen.SetBits(0x2100ffff)), chain.ErrHighHash)
	b.reject("wrong difficulty bits", g.NextBlock("hardbits", spare, chaingen.SetBits(0x1f7fffff)), chain.ErrBadBits)
	g.NextBlock("badmerkle", spare)
	b.reject("bad merkle root", g.BreakMerkleRoot("badmerkle"), chain.ErrBadMerkleRoot)

	// CVE-2012-2459: the mutated block has the same hash as the real one,
	// which must still be accepted afterwards.
	o2, o3 := out(), out()
	b2 := g.NextBlock("b2", o2, chaingen.AddTxs(g.CreateSpendTx(o3, fee)))
	b.cases = append(b.cases, fbCase{name: "duplicate tx (merkle mutation)", block: chaingen.DuplicateLastTx(b2),
		wantKind: chain.ErrDuplicateTx, wantTip: b.tip})
	b.accept("same header with the correct txs accepted", b2)

	// Coinbase rules.
	b.reject("bad coinbase height (BIP34)", g.NextBlock("badcbheight", spare,
		chaingen.SetCoinbaseScript(chaingen.CoinbaseScript(g.NextHeight()+1, 7))), chain.ErrBadCoinbaseHeight)
	cbTooMuch := g.NextBlock("cbtoomuch", spare, chaingen.AddCoinbaseValue(1))
	b.reject("coinbase pays too much", cbTooMuch, chain.ErrBadCoinbaseValue)
	g.SetTip("cbtoomuch")
	b.reject("block on an invalid parent", g.NextBlock("childofbad", nil), chain.ErrInvalidAncestor)
	b.reject("coinbase script too short (1 byte)", g.NextBlock("cbshort", nil,
		chaingen.SetCoinbaseScript([]byte{0x51})), chain.ErrBadCoinbaseScriptLen)
	b.reject("coinbase script too long (101 bytes)", g.NextBlock("cblong", nil,
		chaingen.SetCoinbaseScript(coinbaseScriptOfLen(g.NextHeight(), 101))), chain.ErrBadCoinbaseScriptLen)
	b.accept("coinbase script of 100 bytes accepted", g.NextBlock("cb100", nil,
		chaingen.SetCoinbaseScript(coinbaseScriptOfLen(g.NextHeight(), 100))))

	// Input and amount rules.
	b.reject("overspend (outputs > inputs)", g.NextBlock("overspend", spare, chaingen.AddCoinbaseValue(-fee),
		chaingen.ReplaceSpendTx(func(tx *wire.MsgTx) { tx.TxOut[0].Value = spare.Amount + 1 })), chain.ErrSpendTooHigh)
	b.reject("double spend within a block", g.NextBlock("dblinblock", spare,
		chaingen.AddTxs(g.CreateSpendTx(spare, 2*fee))), chain.ErrDoubleSpendInBlock)
	b.reject("double spend across blocks", g.NextBlock("dblacross", nil,
		chaingen.AddTxs(g.CreateSpendTx(outB1, 2*fee))), chain.ErrMissingTxOut)
	missing := chaingen.SpendableOut{PrevOut: wire.OutPoint{Hash: chainhash.HashH([]byte("nowhere"))},
		Amount: 100_000_000, PkScript: chaingen.OpTrueP2SH}
	b.reject("spend of a missing output", g.NextBlock("missing", &missing), chain.ErrMissingTxOut)
	immature := g.CoinbaseOutOf(fmt.Sprintf("s%d", g.NextHeight()-g.Params.CoinbaseMaturity+1))
	b.reject("immature coinbase spend (99 confirmations)", g.NextBlock("immature", &immature), chain.ErrImmatureSpend)
	mature := g.TakeCoinbaseOut(fmt.Sprintf("s%d", g.NextHeight()-g.Params.CoinbaseMaturity))
	b.accept("coinbase spend at exactly 100 confirmations", g.NextBlock("mature", &mature))

	// A funding block: P2WPKH, P2WSH and P2SH outputs for the script,
	// witness and lock-time cases.
	alice := g.NewKey("alice")
	fundIn := out()
	fundTx := g.SpendTx([]chaingen.SpendableOut{*fundIn}, []*wire.TxOut{
		{Value: 10_0000_0000, PkScript: alice.P2WPKH()},
		{Value: 10_0000_0000, PkScript: chaingen.OpTrueP2WSH},
		{Value: 10_0000_0000, PkScript: chaingen.OpTrueP2SH},
		{Value: 10_0000_0000, PkScript: chaingen.OpTrueP2SH},
		{Value: fundIn.Amount - 40_0000_0000 - fee, PkScript: chaingen.OpTrueP2SH},
	})
	b.accept("funding block for script cases", g.NextBlock("fund", nil, chaingen.AddTxs(fundTx)))
	fundHeight := g.HeightOf("fund")
	wpkh := chaingen.SpendableOutFromTx(fundTx, 0, fundHeight)
	wsh := chaingen.SpendableOutFromTx(fundTx, 1, fundHeight)
	csvOut := chaingen.SpendableOutFromTx(fundTx, 2, fundHeight)
	toP2SH := []*wire.TxOut{{Value: wpkh.Amount - fee, PkScript: chaingen.OpTrueP2SH}}
	b.reject("bad signature (P2WPKH)", g.NextBlock("badsig", nil,
		chaingen.AddTxs(g.CreateBadP2WPKHSpend(&wpkh, alice, toP2SH))), chain.ErrScriptValidation)
	b.accept("good signature (P2WPKH) accepted", g.NextBlock("goodsig", nil,
		chaingen.AddTxs(g.CreateP2WPKHSpend(&wpkh, alice, toP2SH))))

	// Lock times: a lock time counts as satisfied only below the block
	// height, or below the median time past of the parent (BIP113).
	lockTx := func(lockTime uint32) *wire.MsgTx {
		tx := g.CreateSpendTx(spare, fee)
		tx.LockTime = lockTime
		tx.TxIn[0].Sequence = wire.MaxTxInSequenceNum - 1
		return tx
	}
	b.reject("locktime non-final by height", g.NextBlock("lockheight", nil,
		chaingen.AddTxs(lockTx(uint32(g.NextHeight())))), chain.ErrUnfinalizedTx)
	b.reject("locktime non-final by time", g.NextBlock("locktime", nil,
		chaingen.AddTxs(lockTx(uint32(g.MedianTimePast())))), chain.ErrUnfinalizedTx)
	lt1 := out()
	ltHeight := g.CreateSpendTx(lt1, fee)
	ltHeight.LockTime, ltHeight.TxIn[0].Sequence = uint32(g.NextHeight()-1), 0
	b.accept("locktime final by height accepted", g.NextBlock("lockheightok", nil, chaingen.AddTxs(ltHeight)))
	lt2 := out()
	ltTime := g.CreateSpendTx(lt2, fee)
	ltTime.LockTime, ltTime.TxIn[0].Sequence = uint32(g.MedianTimePast()-1), 0
	b.accept("locktime final by time accepted", g.NextBlock("locktimeok", nil, chaingen.AddTxs(ltTime)))

	// BIP68: a relative lock of n blocks on an output confirmed at height
	// h is satisfied from height h+n on.
	csvTx := func(blocks int32) *wire.MsgTx {
		tx := g.CreateSpendTx(&csvOut, fee)
		tx.Version = 2
		tx.TxIn[0].Sequence = uint32(blocks)
		return tx
	}
	need := g.NextHeight() - fundHeight
	b.reject("CSV/BIP68 sequence lock violation", g.NextBlock("csvlocked", nil,
		chaingen.AddTxs(csvTx(need+1))), chain.ErrSequenceLocked)
	b.accept("CSV/BIP68 sequence lock satisfied accepted", g.NextBlock("csvok", nil,
		chaingen.AddTxs(csvTx(need))))

	// Size and sigop limits.
	b.reject("oversize block (stripped size > 1e6, weight > 4e6)", g.NextBlock("oversize", nil,
		g.PadToWeight(spare, wire.MaxBlockWeight+4)), chain.ErrBlockTooBig)
	b.reject("overweight block (witness weight > 4e6)", g.NextBlock("overweight", spare, func(blk *wire.MsgBlock) {
		// Weight is checked before scripts, so the junk witness item only
		// has to be heavy.
		blk.Transactions[1].TxIn[0].Witness = wire.TxWitness{make([]byte, wire.MaxBlockWeight)}
	}), chain.ErrBlockWeightTooHigh)
	b.accept("max-valid-size block accepted", g.NextBlock("maxsize", nil,
		g.PadToWeight(out(), wire.MaxBlockWeight)))
	sigopTx := func(in *chaingen.SpendableOut, n int) *wire.MsgTx {
		return g.SpendTx([]chaingen.SpendableOut{*in}, []*wire.TxOut{
			{Value: in.Amount - fee, PkScript: chaingen.OpTrueP2SH},
			{Value: 0, PkScript: chaingen.RepeatOpScript(chaingen.OpCheckSig, n)},
		})
	}
	maxSigOps := chain.MaxBlockSigOpsCost / wire.WitnessScaleFactor
	b.reject("too many sigops", g.NextBlock("sigops", nil,
		chaingen.AddTxs(sigopTx(spare, maxSigOps+1))), chain.ErrTooManySigOps)
	b.accept("max sigops accepted", g.NextBlock("sigopsok", nil, chaingen.AddTxs(sigopTx(out(), maxSigOps))))

	// Timestamps.
	b.reject("time too old (<= median time past)", g.NextBlock("tooold", nil,
		chaingen.SetTimestamp(uint32(g.MedianTimePast()))), chain.ErrTimeTooOld)
	b.reject("time too new (> now + 2h)", g.NextBlock("toonew", nil,
		chaingen.SetTimestamp(uint32(fbNow.Add(chain.MaxFutureBlockTime).Unix()+1))), chain.ErrTimeTooNew)

	// Block structure.
	b.reject("no coinbase", g.NextBlock("nocb", spare,
		func(blk *wire.MsgBlock) { blk.Transactions = blk.Transactions[1:] }), chain.ErrFirstTxNotCoinbase)
	b.reject("two coinbases", g.NextBlock("twocb", nil,
		chaingen.AddTxs(g.CreateCoinbaseTx(g.NextHeight(), 0))), chain.ErrMultipleCoinbases)
	b.reject("coinbase not first", g.NextBlock("cbsecond", spare, func(blk *wire.MsgBlock) {
		blk.Transactions[0], blk.Transactions[1] = blk.Transactions[1], blk.Transactions[0]
	}), chain.ErrFirstTxNotCoinbase)
	b.reject("empty block (no txs)", g.NextBlock("empty", nil,
		func(blk *wire.MsgBlock) { blk.Transactions = nil }), chain.ErrNoTransactions)

	// Witness commitments.
	g.NextBlock("badwc", &wsh)
	b.reject("bad witness commitment", g.BreakWitnessCommitment("badwc"), chain.ErrBadWitnessCommitment)
	g.NextBlock("nowc", &wsh)
	b.reject("witness data without commitment", g.DropWitnessCommitment("nowc"), chain.ErrUnexpectedWitness)
	b.accept("witness block with a valid commitment accepted", g.NextBlock("wgood", &wsh))

	// Resubmissions and BIP30.
	b.reject("duplicate block submitted again", b1, chain.ErrDuplicateBlock)
	b.reject("duplicate block of the tip submitted again", g.BlockByName(b.tip), chain.ErrDuplicateBlock)
	b.reject("BIP30 overwrite of an unspent tx", g.NextBlock("bip30", nil, chaingen.AddTxs(b1Tx)), chain.ErrOverwriteTx)

	// Transactions depending on each other inside one block.
	chainIn := out()
	parent := g.CreateSpendTx(chainIn, fee)
	child := g.CreateSpendTx(&chaingen.SpendableOut{PrevOut: wire.OutPoint{Hash: parent.TxHash()},
		Amount: parent.TxOut[0].Value, PkScript: parent.TxOut[0].PkScript}, fee)
	b.reject("spend of an output created later in the same block", g.NextBlock("laterinblock", nil,
		chaingen.AddTxs(child, parent)), chain.ErrMissingTxOut)
	b.accept("spend of an output created earlier in the same block", g.NextBlock("earlierinblock", nil,
		chaingen.AddTxs(parent, child)))

	// Output kinds.
	zIn := out()
	zeroTx := g.SpendTx([]chaingen.SpendableOut{*zIn}, []*wire.TxOut{
		{Value: 0, PkScript: chaingen.OpTrueP2SH},
		{Value: zIn.Amount - fee, PkScript: chaingen.OpTrueP2SH},
	})
	b.accept("zero-value outputs accepted", g.NextBlock("zerovalue", nil, chaingen.AddTxs(zeroTx)))
	rIn := out()
	nullData := g.SpendTx([]chaingen.SpendableOut{*rIn}, []*wire.TxOut{
		{Value: rIn.Amount - fee, PkScript: chaingen.OpTrueP2SH},
		{Value: 0, PkScript: chaingen.OpReturnScript([]byte("gamegold"))},
	})
	b.accept("OP_RETURN output accepted", g.NextBlock("opreturn", nil, chaingen.AddTxs(nullData)))
	b.cases[len(b.cases)-1].check = func(t *testing.T, c *chain.Chain) {
		t.Helper()
		id := nullData.TxHash()
		if e, err := c.FetchUtxoEntry(wire.OutPoint{Hash: id, Index: 1}); err != nil || e != nil {
			t.Errorf("OP_RETURN output in the UTXO set: %+v, %v", e, err)
		}
		if e, err := c.FetchUtxoEntry(wire.OutPoint{Hash: id, Index: 0}); err != nil || e == nil || e.Amount != rIn.Amount-fee {
			t.Errorf("spendable output: %+v, %v", e, err)
		}
		if e, err := c.FetchUtxoEntry(wire.OutPoint{Hash: zeroTx.TxHash(), Index: 0}); err != nil || e == nil || e.Amount != 0 {
			t.Errorf("zero-value output: %+v, %v", e, err)
		}
	}

	// Orphans: the child arrives first and connects with its parent.
	orphanParent := g.NextBlock("orphanparent", nil)
	orphanChild := g.NextBlock("orphanchild", nil)
	b.cases = append(b.cases, fbCase{name: "orphan block arriving before its parent", block: orphanChild,
		wantAccepted: true, wantOrphan: true, wantTip: b.tip})
	b.tip = "orphanchild"
	b.cases = append(b.cases, fbCase{name: "orphan connected when its parent arrives", block: orphanParent,
		wantAccepted: true, wantMainChain: true, wantTip: b.tip})

	// Side chains and reorgs. Fork point F = current tip.
	fork := b.tip
	g.SetTip(g.NameOf(g.BlockByName("orphanparent").Header.PrevBlock))
	b.side("side-chain block with less work does not reorg", g.NextBlock("lesswork", nil))
	g.SetTip(fork)
	reorgOut, m2Out := out(), out()
	b.accept("main m1", g.NextBlock("m1", reorgOut))
	b.accept("main m2", g.NextBlock("m2", m2Out))
	b.accept("main m3", g.NextBlock("m3", nil))
	// The state before the reorgs: the live chain's UTXO set at m3 equals
	// a fresh replay, as it must again after both reorgs (at m5).
	b.cases[len(b.cases)-1].check = sameUtxoSetAs(g, "m3")
	g.SetTip(fork)
	s2Out := out()
	b.side("side s1 (double-spends what m1 spent)", g.NextBlock("side1", reorgOut,
		chaingen.ReplaceSpendTx(func(tx *wire.MsgTx) { tx.TxOut[0].Value-- })))
	b.side("side s2", g.NextBlock("side2", s2Out))
	b.side("side s3 (equal work, no reorg)", g.NextBlock("side3", nil))
	b.cases[len(b.cases)-1].check = sameUtxoSetAs(g, "m3") // side blocks leave the state alone
	m1Spend := g.BlockByName("m1").Transactions[1]
	side1Spend := g.BlockByName("side1").Transactions[1]
	b.reorg("3-deep reorg to the longer side chain", g.NextBlock("side4", nil),
		allChecks(sameUtxoSetAs(g, "side4"), unspent(side1Spend, true), unspent(m1Spend, false)))
	g.SetTip("m3")
	b.side("original chain m4 (equal work, no reorg)", g.NextBlock("m4", nil))
	b.reorg("reorg back to the original chain", g.NextBlock("m5", nil),
		allChecks(sameUtxoSetAs(g, "m5"), unspent(side1Spend, false), unspent(m1Spend, true),
			unspent(g.BlockByName("m4").Transactions[0], true), unspent(g.BlockByName("m5").Transactions[0], true)))

	// A heavier branch whose middle block is invalid: the chain must stay
	// on (or return to) the best valid branch.
	g.SetTip("m3")
	b.side("branch x1 (valid, less work)", g.NextBlock("x1", nil))
	b.side("branch x2 (invalid spend, equal work)", g.NextBlock("x2", &missing))
	b.reject("reorg onto a branch with an invalid block", g.NextBlock("x3", nil), chain.ErrMissingTxOut)
	g.SetTip("x3")
	b.reject("block on the invalid branch", g.NextBlock("x4", nil), chain.ErrInvalidAncestor)
	b.accept("main chain extends after the failed reorg", g.NextBlock("m6", nil))
	b.cases[len(b.cases)-1].check = sameUtxoSetAs(g, "m6")
	// Last, as every later block would be too new as well.
	b.accept("time exactly now + 2h accepted", g.NextBlock("maxfuture", nil,
		chaingen.SetTimestamp(uint32(fbNow.Add(chain.MaxFutureBlockTime).Unix()))))
	return b.cases
}

func TestFullBlocks(t *testing.T) {
	g := chaingen.New(chaincfg.RegTestParams)
	setup := fullBlockSetup(g, 130)
	cases := fullBlockCases(g)
	c := openChain(t)
	for i, blk := range setup {
		main, orphan, err := submit(c, blk)
		if err != nil || !main || orphan {
			t.Fatalf("setup block %d: main %v orphan %v err %v", i+1, main, orphan, err)
		}
	}
	passed := 0
	for _, tc := range cases {
		if runFullBlockCase(t, g, c, tc) {
			passed++
		}
	}
	if len(cases) < 40 {
		t.Errorf("only %d named cases", len(cases))
	}
	fmt.Printf("fullblocks: %d cases, %d passed\n", len(cases), passed)
}

// runFullBlockCase submits one case's block and checks everything it
// promises, reporting whether all held.
func runFullBlockCase(t *testing.T, g *chaingen.Generator, c *chain.Chain, tc fbCase) bool {
	t.Helper()
	ok := true
	fail := func(format string, args ...any) {
		t.Errorf("%s: "+format, append([]any{tc.name}, args...)...)
		ok = false
	}
	main, orphan, err := submit(c, tc.block)
	t.Logf("%-55s main=%-5v orphan=%-5v err=%v", tc.name, main, orphan, err)
	switch {
	case tc.wantAccepted && err != nil:
		fail("rejected: %v", err)
	case !tc.wantAccepted && err == nil:
		fail("accepted (main %v, orphan %v), want %q", main, orphan, tc.wantKind)
	case !tc.wantAccepted && !errors.Is(err, tc.wantKind):
		fail("error %v, want kind %q", err, tc.wantKind)
	}
	if err == nil && (main != tc.wantMainChain || orphan != tc.wantOrphan) {
		fail("main %v orphan %v, want %v %v", main, orphan, tc.wantMainChain, tc.wantOrphan)
	}
	if want := g.BlockByName(tc.wantTip).BlockHash(); c.Best().Hash != want {
		fail("tip %s (%s), want %s (%s)", c.Best().Hash, g.NameOf(c.Best().Hash), want, tc.wantTip)
	} else if c.Best().Height != g.HeightOf(tc.wantTip) {
		fail("tip height %d, want %d", c.Best().Height, g.HeightOf(tc.wantTip))
	}
	if tc.check != nil {
		if !t.Run(tc.name, func(t *testing.T) { tc.check(t, c) }) {
			ok = false
		}
	}
	return ok
}
