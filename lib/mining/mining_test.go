package mining_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/mempool"
	"github.com/gamegold/gg/lib/mining"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

var params = chaincfg.RegTestParams

// testNow is the fixed clock: an hour after the regtest genesis block.
var testNow = time.Unix(int64(params.GenesisBlock.Header.Timestamp)+3600, 0)

// payTo is the anyone-can-spend script the test miner pays to.
var payTo = chaingen.OpTrueP2SH

// env is a real chain on a temp bbolt file, a real pool following it
// through notifications, a template generator and a CPU miner.
type env struct {
	tb    testing.TB
	chain *chain.Chain
	pool  *mempool.Pool
	gen   *mining.Generator
	miner *mining.CPUMiner
	txgen *chaingen.Generator // builds anyone-can-spend transactions
	coins []chaingen.SpendableOut
}

// newEnv mines blocks (at least 101) and keeps every coinbase output that
// is mature for the next block.
func newEnv(tb testing.TB, blocks int, policy mempool.Policy) *env {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "chain.db"), store.Options{NoSync: true, Timeout: 2 * time.Second})
	if err != nil {
		tb.Fatalf("store.Open: %v", err)
	}
	clock := func() time.Time { return testNow }
	c, err := chain.New(chain.Config{DB: db, Params: params, TimeSource: clock})
	if err != nil {
		db.Close()
		tb.Fatalf("chain.New: %v", err)
	}
	tb.Cleanup(func() {
		c.Close()
		db.Close()
	})
	pool := mempool.New(mempool.Config{Params: params, Chain: c, Policy: policy, TimeSource: clock})
	c.Subscribe(pool.HandleNotification)
	gen := mining.NewGenerator(params, c, pool, clock)
	e := &env{tb: tb, chain: c, pool: pool, gen: gen, miner: mining.NewCPUMiner(gen, c), txgen: chaingen.New(params)}
	hashes, err := e.miner.Generate(context.Background(), blocks, payTo)
	if err != nil {
		tb.Fatalf("Generate(%d): %v", blocks, err)
	}
	next := c.Best().Height + 1
	for i, h := range hashes {
		height := int32(i + 1)
		if next-height < params.CoinbaseMaturity {
			break
		}
		blk, err := c.BlockByHash(h)
		if err != nil {
			tb.Fatalf("BlockByHash: %v", err)
		}
		e.coins = append(e.coins, chaingen.SpendableOutFromTx(blk.Transactions[0], 0, height))
	}
	return e
}

// coin pops a mature coinbase output.
func (e *env) coin() *chaingen.SpendableOut {
	e.tb.Helper()
	if len(e.coins) == 0 {
		e.tb.Fatal("out of mature coins")
	}
	c := e.coins[0]
	e.coins = e.coins[1:]
	return &c
}

// spend builds a transaction spending in with one P2SH(OP_TRUE) output
// paying fee.
func (e *env) spend(in *chaingen.SpendableOut, fee int64) *wire.MsgTx {
	return e.txgen.CreateSpendTx(in, fee)
}

// accept puts tx into the pool and returns its descriptor.
func (e *env) accept(tx *wire.MsgTx) *mempool.TxDesc {
	e.tb.Helper()
	descs, err := e.pool.ProcessTransaction(tx, false)
	if err != nil {
		e.tb.Fatalf("ProcessTransaction %s: %v", tx.TxHash(), err)
	}
	for _, d := range descs {
		if d.TxID == tx.TxHash() {
			return d
		}
	}
	e.tb.Fatalf("tx %s not accepted", tx.TxHash())
	return nil
}

// outOf describes output idx of a pool transaction.
func outOf(tx *wire.MsgTx, idx uint32) *chaingen.SpendableOut {
	o := chaingen.SpendableOutFromTx(tx, idx, mempool.UnconfirmedHeight)
	return &o
}

// txids lists the block's transaction ids after the coinbase.
func txids(blk *wire.MsgBlock) []chainhash.Hash {
	var ids []chainhash.Hash
	for _, tx := range blk.Transactions[1:] {
		ids = append(ids, tx.TxHash())
	}
	return ids
}

func wantOrder(t *testing.T, blk *wire.MsgBlock, want ...*wire.MsgTx) {
	t.Helper()
	got := txids(blk)
	if len(got) != len(want) {
		t.Fatalf("template has %d txs, want %d", len(got), len(want))
	}
	for i, tx := range want {
		if got[i] != tx.TxHash() {
			t.Errorf("position %d: %s, want %s", i+1, got[i], tx.TxHash())
		}
	}
}

// checkTemplate verifies the invariants every template must keep.
func checkTemplate(t *testing.T, e *env, tmpl *mining.BlockTemplate) {
	t.Helper()
	blk := tmpl.Block
	best := e.chain.Best()
	if tmpl.Height != best.Height+1 || blk.Header.PrevBlock != best.Hash {
		t.Errorf("template height %d on %s, tip %d %s", tmpl.Height, blk.Header.PrevBlock, best.Height, best.Hash)
	}
	var fees int64
	for _, f := range tmpl.Fees[1:] {
		fees += f
	}
	if tmpl.Fees[0] != -fees {
		t.Errorf("Fees[0] = %d, want %d", tmpl.Fees[0], -fees)
	}
	want := params.Subsidy(tmpl.Height) + fees
	if tmpl.CoinbaseValue != want || blk.Transactions[0].TxOut[0].Value != want {
		t.Errorf("coinbase value %d / %d, want subsidy + fees %d", tmpl.CoinbaseValue, blk.Transactions[0].TxOut[0].Value, want)
	}
	if len(tmpl.Fees) != len(blk.Transactions) || len(tmpl.SigOpCosts) != len(blk.Transactions) {
		t.Errorf("%d fees, %d sigop costs for %d txs", len(tmpl.Fees), len(tmpl.SigOpCosts), len(blk.Transactions))
	}
	if mtp := e.chain.MedianTimePast(); int64(blk.Header.Timestamp) <= mtp || int64(blk.Header.Timestamp) < testNow.Unix() {
		t.Errorf("timestamp %d, mtp %d, now %d", blk.Header.Timestamp, mtp, testNow.Unix())
	}
	if bits, _ := e.chain.NextRequiredBits(blk.Header.Timestamp); blk.Header.Bits != bits {
		t.Errorf("bits %08x, want %08x", blk.Header.Bits, bits)
	}
	if err := e.chain.CheckConnectBlockTemplate(blk); err != nil {
		t.Errorf("CheckConnectBlockTemplate: %v", err)
	}
	if !tmpl.ValidPayAddress {
		t.Error("ValidPayAddress false")
	}
}

func TestNewBlockTemplateParentFirst(t *testing.T) {
	e := newEnv(t, 104, mempool.Policy{})
	parent := e.spend(e.coin(), 200)
	child := e.spend(outOf(parent, 0), 20_000)
	other := e.spend(e.coin(), 5_000)
	low := e.spend(e.coin(), 150)
	// Pool order differs from the wanted block order.
	e.accept(other)
	e.accept(parent)
	e.accept(low)
	e.accept(child)
	tmpl, err := e.gen.NewBlockTemplate(payTo, 1)
	if err != nil {
		t.Fatal(err)
	}
	// The child's fee pays for its parent: package rate (200+20000)/2 txs
	// beats the independent 5000, and the parent must come first.
	wantOrder(t, tmpl.Block, parent, child, other, low)
	checkTemplate(t, e, tmpl)
	if tmpl.WitnessCommitment != nil {
		t.Error("witness commitment without witness transactions")
	}
}

func TestNewBlockTemplateFeeRateOrder(t *testing.T) {
	e := newEnv(t, 105, mempool.Policy{})
	fees := []int64{300, 5_000, 1_000, 20_000, 700}
	txs := make([]*wire.MsgTx, len(fees))
	for i, f := range fees {
		txs[i] = e.spend(e.coin(), f)
		e.accept(txs[i])
	}
	tmpl, err := e.gen.NewBlockTemplate(payTo, 1)
	if err != nil {
		t.Fatal(err)
	}
	wantOrder(t, tmpl.Block, txs[3], txs[1], txs[2], txs[4], txs[0])
	checkTemplate(t, e, tmpl)
	for i, f := range []int64{20_000, 5_000, 1_000, 700, 300} {
		if tmpl.Fees[i+1] != f {
			t.Errorf("Fees[%d] = %d, want %d", i+1, tmpl.Fees[i+1], f)
		}
	}
}

func TestNewBlockTemplateWeightLimit(t *testing.T) {
	e := newEnv(t, 120, mempool.Policy{})
	var txs []*wire.MsgTx
	for i := range 20 {
		tx := e.spend(e.coin(), int64(1000+100*i))
		e.accept(tx)
		txs = append(txs, tx)
	}
	txWeight := txs[0].Weight()
	e.gen.MaxBlockWeight = mining.CoinbaseReservedWeight + 5*txWeight + txWeight/2
	tmpl, err := e.gen.NewBlockTemplate(payTo, 1)
	if err != nil {
		t.Fatal(err)
	}
	wantOrder(t, tmpl.Block, txs[19], txs[18], txs[17], txs[16], txs[15])
	if w := tmpl.Block.Weight(); w > e.gen.MaxBlockWeight {
		t.Errorf("block weight %d above the limit %d", w, e.gen.MaxBlockWeight)
	}
	checkTemplate(t, e, tmpl)

	// A limit below one transaction leaves the coinbase alone.
	e.gen.MaxBlockWeight = mining.CoinbaseReservedWeight + txWeight - 1
	tmpl, err = e.gen.NewBlockTemplate(payTo, 2)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tmpl.Block.Transactions); n != 1 {
		t.Errorf("%d txs with no room", n)
	}
}

func TestNewBlockTemplateSigOpLimit(t *testing.T) {
	e := newEnv(t, 104, mempool.Policy{AcceptNonStd: true})
	var txs []*wire.MsgTx
	for i := range 4 {
		in := e.coin()
		tx := e.txgen.SpendTx([]chaingen.SpendableOut{*in}, []*wire.TxOut{
			{Value: in.Amount - int64(2000+1000*i), PkScript: payTo},
			{Value: 0, PkScript: append(chaingen.RepeatOpScript(chaingen.OpCheckSig, 10), 0x51)},
		})
		d := e.accept(tx)
		if d.SigOpCost != 40 {
			t.Fatalf("sigop cost %d, want 40", d.SigOpCost)
		}
		txs = append(txs, tx)
	}
	e.gen.MaxSigOpCost = mining.CoinbaseReservedSigOps + 3*40
	tmpl, err := e.gen.NewBlockTemplate(payTo, 1)
	if err != nil {
		t.Fatal(err)
	}
	wantOrder(t, tmpl.Block, txs[3], txs[2], txs[1])
	checkTemplate(t, e, tmpl)
}

func TestNewBlockTemplateWitness(t *testing.T) {
	e := newEnv(t, 101, mempool.Policy{})
	in := e.coin()
	fund := e.txgen.SpendTx([]chaingen.SpendableOut{*in}, []*wire.TxOut{{Value: in.Amount - 1000, PkScript: chaingen.OpTrueP2WSH}})
	e.accept(fund)
	wit := e.spend(outOf(fund, 0), 1000)
	if !wit.HasWitness() {
		t.Fatal("P2WSH spend without witness")
	}
	e.accept(wit)
	tmpl, err := e.gen.NewBlockTemplate(payTo, 1)
	if err != nil {
		t.Fatal(err)
	}
	wantOrder(t, tmpl.Block, fund, wit)
	checkTemplate(t, e, tmpl)
	cb := tmpl.Block.Transactions[0]
	if tmpl.WitnessCommitment == nil || len(cb.TxIn[0].Witness) != 1 {
		t.Fatalf("commitment %x, coinbase witness %x", tmpl.WitnessCommitment, cb.TxIn[0].Witness)
	}
	if last := cb.TxOut[len(cb.TxOut)-1].PkScript; string(last) != string(tmpl.WitnessCommitment) {
		t.Error("WitnessCommitment is not the coinbase's commitment output")
	}
	// Bumping the extra nonce keeps the block valid.
	if err := mining.UpdateExtraNonce(tmpl.Block, tmpl.Height, 99); err != nil {
		t.Fatal(err)
	}
	if !mining.SolveBlock(context.Background(), &tmpl.Block.Header) {
		t.Fatal("not solved")
	}
	if main, _, err := e.chain.ProcessBlock(tmpl.Block, chain.BFNone); err != nil || !main {
		t.Fatalf("ProcessBlock: main %v, %v", main, err)
	}
	if e.pool.Count() != 0 {
		t.Errorf("%d txs left in the pool", e.pool.Count())
	}
}

// extraSource adds descriptors the pool would never hold to its own.
type extraSource struct {
	pool  *mempool.Pool
	extra []*mempool.TxDesc
}

func (s extraSource) MiningDescs() []*mempool.TxDesc {
	return append(s.pool.MiningDescs(), s.extra...)
}

func descOf(tx *wire.MsgTx, fee int64) *mempool.TxDesc {
	return &mempool.TxDesc{Tx: tx, TxID: tx.TxHash(), Fee: fee, Weight: int64(tx.Weight()), VSize: int64(tx.VSize())}
}

func TestNewBlockTemplateSkipsUnusable(t *testing.T) {
	e := newEnv(t, 104, mempool.Policy{})
	good := e.spend(e.coin(), 1000)
	e.accept(good)
	next := e.chain.Best().Height + 1

	// Not final at the next height: lock time = next height.
	byHeight := e.spend(e.coin(), 50_000)
	byHeight.LockTime, byHeight.TxIn[0].Sequence = uint32(next), 0
	heightChild := e.spend(outOf(byHeight, 0), 50_000)
	// Not final at the tip's median time past.
	byTime := e.spend(e.coin(), 50_000)
	byTime.LockTime, byTime.TxIn[0].Sequence = uint32(e.chain.MedianTimePast()+1000), 0
	// Spends an output the chain does not have.
	ghost := e.spend(&chaingen.SpendableOut{PrevOut: wire.OutPoint{Hash: chainhash.HashH([]byte("ghost"))},
		Amount: 1e8, PkScript: payTo}, 50_000)
	// Final: lock time just below the next height.
	final := e.spend(e.coin(), 40_000)
	final.LockTime, final.TxIn[0].Sequence = uint32(next-1), 0

	gen := mining.NewGenerator(params, e.chain, extraSource{e.pool, []*mempool.TxDesc{
		descOf(byHeight, 50_000), descOf(heightChild, 50_000), descOf(byTime, 50_000),
		descOf(ghost, 50_000), descOf(final, 40_000),
	}}, func() time.Time { return testNow })
	tmpl, err := gen.NewBlockTemplate(payTo, 1)
	if err != nil {
		t.Fatal(err)
	}
	wantOrder(t, tmpl.Block, final, good)
	checkTemplate(t, e, tmpl)

	// Once the height lock has passed the transaction is mined.
	if _, err := e.miner.Generate(context.Background(), 1, payTo); err != nil {
		t.Fatal(err)
	}
	tmpl, err = gen.NewBlockTemplate(payTo, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantOrder(t, tmpl.Block, byHeight, heightChild, final)
	checkTemplate(t, e, tmpl)
}

func TestNewBlockTemplateErrors(t *testing.T) {
	e := newEnv(t, 1, mempool.Policy{})
	for _, pay := range [][]byte{nil, {}} {
		if _, err := e.gen.NewBlockTemplate(pay, 1); !errors.Is(err, mining.ErrNoPayScript) {
			t.Errorf("payTo %x: err %v", pay, err)
		}
	}
	e.gen.CoinbaseFlags = make([]byte, 120)
	if _, err := e.gen.NewBlockTemplate(payTo, 1); !errors.Is(err, mining.ErrCoinbaseScript) {
		t.Errorf("oversized flags: err %v", err)
	}
}

func TestGenerate(t *testing.T) {
	e := newEnv(t, 103, mempool.Policy{})
	start := e.chain.Best().Height
	var txs []*wire.MsgTx
	for i := range 3 {
		tx := e.spend(e.coin(), int64(1000*(i+1)))
		e.accept(tx)
		txs = append(txs, tx)
	}
	hashes, err := e.miner.Generate(context.Background(), 10, payTo)
	if err != nil {
		t.Fatal(err)
	}
	if len(hashes) != 10 || e.chain.Best().Height != start+10 || e.chain.Best().Hash != hashes[9] {
		t.Fatalf("%d hashes, tip %d (started %d)", len(hashes), e.chain.Best().Height, start)
	}
	first, err := e.chain.BlockByHash(hashes[0])
	if err != nil {
		t.Fatal(err)
	}
	wantOrder(t, first, txs[2], txs[1], txs[0])
	if e.pool.Count() != 0 {
		t.Errorf("%d txs still in the pool", e.pool.Count())
	}
	for i, h := range hashes {
		if got, err := e.chain.BlockHashByHeight(start + int32(i) + 1); err != nil || got != h {
			t.Errorf("height %d: %s, %v", start+int32(i)+1, got, err)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	e := newEnv(t, 1, mempool.Policy{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name  string
		ctx   context.Context
		payTo []byte
		want  error
	}{
		{"no pay script", context.Background(), nil, mining.ErrNoPayScript},
		{"canceled", ctx, payTo, context.Canceled},
	}
	for _, tc := range tests {
		hashes, err := e.miner.Generate(tc.ctx, 2, tc.payTo)
		if !errors.Is(err, tc.want) || len(hashes) != 0 {
			t.Errorf("%s: %d hashes, err %v", tc.name, len(hashes), err)
		}
	}
	if e.chain.Best().Height != 1 {
		t.Errorf("tip moved to %d", e.chain.Best().Height)
	}
}

// TestGenerateConcurrent runs miners and template builders at once (for
// the race detector): every Generate call must land all its blocks.
func TestGenerateConcurrent(t *testing.T) {
	e := newEnv(t, 1, mempool.Policy{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 3 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := e.miner.Generate(context.Background(), 3, payTo); err != nil {
				errs <- err
			}
		}()
		go func() {
			defer wg.Done()
			// A template may lose the race against the miners every time
			// it retries; that is the only failure allowed.
			if _, err := e.gen.NewBlockTemplate(payTo, 7); err != nil && !errors.Is(err, chain.ErrNotExtendingTip) {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if h := e.chain.Best().Height; h != 10 {
		t.Errorf("tip height %d, want 10", h)
	}
}

func BenchmarkNewBlockTemplate(b *testing.B) {
	const n = 2000
	e := newEnv(b, 101, mempool.Policy{})
	in := e.coin()
	each := (in.Amount - 100_000) / n
	outs := make([]*wire.TxOut, n)
	for i := range outs {
		outs[i] = &wire.TxOut{Value: each, PkScript: payTo}
	}
	fan := e.txgen.SpendTx([]chaingen.SpendableOut{*in}, outs)
	e.accept(fan)
	if _, err := e.miner.Generate(context.Background(), 1, payTo); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		e.accept(e.spend(outOf(fan, uint32(i)), int64(200+i)))
	}
	if e.pool.Count() != n {
		b.Fatalf("pool holds %d txs", e.pool.Count())
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tmpl, err := e.gen.NewBlockTemplate(payTo, uint64(i))
		if err != nil {
			b.Fatal(err)
		}
		if len(tmpl.Block.Transactions) != n+1 {
			b.Fatalf("%d txs", len(tmpl.Block.Transactions))
		}
	}
}

// otherTipChain answers MedianTimePast as a chain whose tip moved since
// Best would: the template must take every time from one Best snapshot.
type otherTipChain struct{ *chain.Chain }

func (c otherTipChain) MedianTimePast() int64 { return c.Chain.Best().MedianTime + 7200 }

// TestTemplateTimeOneSnapshot: the template's timestamp is the clock
// raised to the tip's MinNextTime (which includes median time past + 1),
// read from the same Best snapshot as the height and parent; a separate
// median-time read could belong to another tip.
func TestTemplateTimeOneSnapshot(t *testing.T) {
	e := newEnv(t, 101, mempool.Policy{})
	gen := mining.NewGenerator(params, otherTipChain{e.chain}, e.pool, func() time.Time { return testNow })
	best := e.chain.Best()
	tmpl, err := gen.NewBlockTemplate(payTo, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := int64(tmpl.Block.Header.Timestamp), max(testNow.Unix(), best.MinNextTime); got != want {
		t.Fatalf("timestamp %d, want %d (now %d, min next time %d)", got, want, testNow.Unix(), best.MinNextTime)
	}
}
