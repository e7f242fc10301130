package chain

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

const (
	benchUtxos       = 200_000
	benchTxsPerBlock = 2000
	benchAmount      = 100_000
	benchKeys        = 16
)

// benchFixture is a chain whose UTXO set holds benchUtxos P2WPKH entries
// owned by a few keys, and a cursor over the entries not yet spent.
type benchFixture struct {
	tc    *testChain
	g     *blockGen
	tip   *wire.MsgBlock
	keys  []*testKey
	next  int
	total int
}

func benchOutPoint(i int) wire.OutPoint {
	var b [12]byte
	copy(b[:], "bench")
	binary.BigEndian.PutUint32(b[8:], uint32(i))
	return wire.OutPoint{Hash: chainhash.Hash(sha256.Sum256(b[:])), Index: uint32(i % 3)}
}

func newBenchFixture(b *testing.B) *benchFixture {
	b.Helper()
	tc := openChain(b)
	f := &benchFixture{tc: tc, g: newBlockGen(), tip: tc.params.GenesisBlock}
	for i := range benchKeys {
		f.keys = append(f.keys, newTestKey("bench"+itoa(i)))
	}
	f.addUtxos(b, benchUtxos)
	return f
}

// addUtxos writes n more entries straight into the UTXO bucket with fsync
// off, then syncs: a quick stand-in for a long chain history.
func (f *benchFixture) addUtxos(b *testing.B, n int) {
	db := f.tc.db
	db.SetNoSync(true)
	const batch = 20_000
	for start := f.total; start < f.total+n; start += batch {
		end := min(start+batch, f.total+n)
		err := db.Update(func(tx *store.Tx) error {
			bk := tx.Bucket(bucketUtxo)
			for i := start; i < end; i++ {
				k := outpointKey(benchOutPoint(i))
				e := &UtxoEntry{Amount: benchAmount, PkScript: f.keys[i%benchKeys].pk, Height: 1}
				if err := bk.Put(k[:], appendEntry(nil, e)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Sync(); err != nil {
		b.Fatal(err)
	}
	db.SetNoSync(false)
	f.total += n
}

// nextBlock builds a block of benchTxsPerBlock signed 1-input 2-output
// P2WPKH transactions on the tip.
func (f *benchFixture) nextBlock(b *testing.B) *wire.MsgBlock {
	if f.next+benchTxsPerBlock > f.total {
		f.addUtxos(b, benchUtxos)
	}
	txs := make([]*wire.MsgTx, benchTxsPerBlock)
	for j := range txs {
		i := f.next + j
		k := f.keys[i%benchKeys]
		tx := &wire.MsgTx{Version: 2,
			TxIn: []*wire.TxIn{{PreviousOutPoint: benchOutPoint(i), Sequence: wire.MaxTxInSequenceNum}},
			TxOut: []*wire.TxOut{
				{Value: benchAmount/2 - 1000, PkScript: k.pk},
				{Value: benchAmount/2 - 1000, PkScript: f.keys[(i+1)%benchKeys].pk},
			}}
		k.signP2WPKH(tx, script.NewSigHashes(tx), 0, benchAmount)
		txs[j] = tx
	}
	f.next += benchTxsPerBlock
	blk := f.g.next(f.tip, txs, 2000*benchTxsPerBlock)
	return blk
}

func (f *benchFixture) connect(b *testing.B, blk *wire.MsgBlock) {
	main, _, err := f.tc.ProcessBlock(blk, BFNone)
	if err != nil || !main {
		b.Fatalf("connect: main=%v err=%v", main, err)
	}
	f.tip = blk
}

// BenchmarkConnectBlock connects blocks of 2,000 signed P2WPKH
// transactions onto a 200,000-entry UTXO set with fsync on. "cold" starts
// every block with an empty signature cache; "warm" has the signatures
// verified once beforehand (as the mempool does). The blocks' UTXO
// changes stay in the write-back cache; it is flushed once at the end,
// untimed: flush-ms/block is that flush's time per block, and
// disk-B/block includes the pages it added.
func BenchmarkConnectBlock(b *testing.B) {
	f := newBenchFixture(b)
	// Warm the database pages a little with one unmeasured block.
	f.connect(b, f.nextBlock(b))
	if err := f.tc.FlushUtxoCache(); err != nil {
		b.Fatal(err)
	}
	for _, warm := range []bool{false, true} {
		name := "cold"
		if warm {
			name = "warm"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var added int64
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				blk := f.nextBlock(b)
				f.tc.freshSigCache(b, blk, 2*benchTxsPerBlock, warm)
				before := f.tc.diskUsed(b)
				cpu0 := processCPU(b)
				b.StartTimer()
				f.connect(b, blk)
				b.StopTimer()
				cpu += processCPU(b) - cpu0
				added += f.tc.diskUsed(b) - before
				b.StartTimer()
			}
			// The UTXO cache's flush is not timed (at the default
			// budget it comes every few hundred such blocks): its
			// cost and the pages it adds are reported per block.
			b.StopTimer()
			before := f.tc.diskUsed(b)
			t0 := time.Now()
			if err := f.tc.FlushUtxoCache(); err != nil {
				b.Fatal(err)
			}
			flush := time.Since(t0)
			added += f.tc.diskUsed(b) - before
			b.StartTimer()
			b.ReportMetric(float64(benchTxsPerBlock*b.N)/b.Elapsed().Seconds(), "tx/s")
			b.ReportMetric(float64(cpu.Microseconds())/float64(benchTxsPerBlock*b.N), "cpu-µs/tx")
			b.ReportMetric(float64(added)/float64(b.N), "disk-B/block")
			b.ReportMetric(flush.Seconds()*1000/float64(b.N), "flush-ms/block")
		})
	}
}

// processCPU is the process's user plus system CPU time: on a shared
// machine steadier than wall time.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// diskUsed is what the chain occupies on disk: the pages chain.db uses
// (its high-water mark, which the file never shrinks below) plus the
// sizes of the block files beside it.
func (tc *testChain) diskUsed(tb testing.TB) int64 {
	tb.Helper()
	var n int64
	if err := tc.db.View(func(tx *store.Tx) error { n = tx.Size(); return nil }); err != nil {
		tb.Fatal(err)
	}
	return n + dirSize(tb, filepath.Join(tc.dir, "blocks"))
}

// dirSize sums the sizes of the regular files in dir (0 if it does not
// exist).
func dirSize(tb testing.TB, dir string) int64 {
	tb.Helper()
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0
	}
	if err != nil {
		tb.Fatal(err)
	}
	var n int64
	for _, e := range ents {
		fi, err := e.Info()
		if err != nil {
			tb.Fatal(err)
		}
		if fi.Mode().IsRegular() {
			n += fi.Size()
		}
	}
	return n
}

// fileSize is the size of path.
func fileSize(tb testing.TB, path string) int64 {
	tb.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return fi.Size()
}

// BenchmarkChainSize connects 1,000 and 10,000 empty regtest blocks
// (coinbase only, fsync off: the sizes do not depend on it) and reports
// what the chain then occupies: chaindb-B the pages chain.db uses,
// chaindb-file-B its file's size (bbolt grows it in steps), blockfiles-B
// the block and undo files, and disk-B/block the used total per block.
// One iteration is enough: the figures do not vary.
func BenchmarkChainSize(b *testing.B) {
	for _, n := range []int{1000, 10_000} {
		b.Run(fmt.Sprintf("empty-%d", n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				g := newBlockGen()
				tc := openChain(b)
				base := tc.diskUsed(b)
				tip := g.params.GenesisBlock
				b.StartTimer()
				for range n {
					tip = g.next(tip, nil, 0)
					if _, _, err := tc.ProcessBlock(tip, BFNone); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				used := tc.diskUsed(b)
				files := dirSize(b, filepath.Join(tc.dir, "blocks"))
				b.ReportMetric(float64(used-files), "chaindb-B")
				b.ReportMetric(float64(fileSize(b, filepath.Join(tc.dir, "chain.db"))), "chaindb-file-B")
				b.ReportMetric(float64(files), "blockfiles-B")
				b.ReportMetric(float64(used-base)/float64(n), "disk-B/block")
				tc.close()
				b.StartTimer()
			}
		})
	}
}

// fetchBlockInputs loads the confirmed outputs blk's transactions spend.
// freshSigCache gives the chain an empty signature cache of size
// entries; warm fills it with blk's signatures first, as the mempool
// would have (the "warm" connect benchmarks).
func (tc *testChain) freshSigCache(b *testing.B, blk *wire.MsgBlock, size int, warm bool) {
	b.Helper()
	sc := script.NewSigCache(size)
	tc.cfg.SigCache = sc
	if !warm {
		return
	}
	view, err := tc.fetchBlockInputs(blk)
	if err != nil {
		b.Fatal(err)
	}
	for _, tx := range blk.Transactions[1:] {
		if err := ValidateTransactionScripts(tx, view, script.ConsensusFlags, sc); err != nil {
			b.Fatal(err)
		}
	}
}

func (tc *testChain) fetchBlockInputs(blk *wire.MsgBlock) (*UtxoViewpoint, error) {
	view := NewUtxoViewpoint()
	for _, tx := range blk.Transactions[1:] {
		v, err := tc.FetchUtxoView(tx)
		if err != nil {
			return nil, err
		}
		for op, e := range v.Entries() {
			view.entries[op] = e
		}
	}
	return view, nil
}

// BenchmarkVerifyP2WPKH is the floor under BenchmarkConnectBlock/cold: one
// uncached P2WPKH signature check on one goroutine.
func BenchmarkVerifyP2WPKH(b *testing.B) {
	k := newTestKey("verify")
	tx := &wire.MsgTx{Version: 2,
		TxIn:  []*wire.TxIn{{PreviousOutPoint: benchOutPoint(1), Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: 1000, PkScript: k.pk}}}
	hashes := script.NewSigHashes(tx)
	k.signP2WPKH(tx, hashes, 0, benchAmount)
	for b.Loop() {
		if err := script.VerifyInput(tx, 0, k.pk, benchAmount, script.ConsensusFlags, nil, hashes); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConnectBlockPropTransfers connects a block of 1,000 prop-send
// transactions (each one signed P2WPKH input carrying a prop, one record
// output, one carrier output) with fsync on: game rules, registry writes
// and their undo journal included. Each iteration disconnects the block
// (not timed) and connects it again from storage; "cold" starts with an
// empty signature cache, "warm" with the signatures verified beforehand.
func BenchmarkConnectBlockPropTransfers(b *testing.B) {
	const n = 1000
	e := newGameEnv(b)
	owner, holder, dest := chaingen.NewKey("bench-owner"), chaingen.NewKey("bench-holder"), chaingen.NewKey("bench-dest")
	reg, pid := e.register("BenchCo", owner)
	e.mine(reg)
	golds := make([]int64, n)
	for i := range golds {
		golds[i] = 20_000
	}
	cr := e.create(gout(reg, 1), owner, pid, holder, golds...)
	e.mine(cr)
	txs := make([]*wire.MsgTx, n)
	for i := range txs {
		out := gout(cr, uint32(2+i))
		txs[i] = e.send(holder, dest, []chaingen.SpendableOut{out}, []game.ID{game.PropID(cr.TxHash(), out.PrevOut.Index)})
	}
	blk := e.mine(txs...)
	if p, _ := e.tc.Prop(game.PropID(cr.TxHash(), 2)); p == nil || string(p.Owner) != string(dest.P2WPKH()) {
		b.Fatal("transfer block not applied")
	}
	e.tc.db.SetNoSync(false)
	for _, warm := range []bool{false, true} {
		name := "cold"
		if warm {
			name = "warm"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				e.tc.disconnectTip(b)
				e.tc.freshSigCache(b, blk, 2*n, warm)
				b.StartTimer()
				e.tc.reconnect(b, blk.BlockHash())
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "tx/s")
		})
	}
}

// headerChain builds n solved headers on parent (time ts), salted so
// chains built on the same parent differ.
func headerChain(parent chainhash.Hash, ts uint32, bits uint32, n int, salt byte) []wire.BlockHeader {
	out := make([]wire.BlockHeader, n)
	for i := range out {
		h := wire.BlockHeader{Version: 0x20000000, PrevBlock: parent, Timestamp: ts + uint32(i) + 1,
			Bits: bits}
		h.MerkleRoot[0], h.MerkleRoot[1] = salt, 1
		solve(&h)
		out[i] = h
		parent = h.BlockHash()
	}
	return out
}

// BenchmarkSideHeaderEviction: the side-header store full (10,000 in
// memory), a 2,000-header batch forking from genesis is indexed and
// evicted again, header by header.
func BenchmarkSideHeaderEviction(b *testing.B) {
	tc := openChain(b, func(c *Config) { c.Params = memOnlyParams() })
	gen := tc.params.GenesisBlock.Header
	if _, err := tc.ProcessHeaders(headerChain(tc.params.GenesisHash, gen.Timestamp, gen.Bits, DefaultMaxSideHeaders, 1)); err != nil {
		b.Fatal(err)
	}
	light := headerChain(tc.params.GenesisHash, gen.Timestamp, gen.Bits, 2000, 2)
	for b.Loop() {
		if res, err := tc.ProcessHeaders(light); err != nil || res.Added != len(light) {
			b.Fatal(res, err)
		}
	}
}

// BenchmarkWorthStoringLead: during a headers-first sync the best
// header leads the tip by 10,000; is the block just above the tip worth
// storing?
func BenchmarkWorthStoringLead(b *testing.B) {
	tc := openChain(b)
	gen := tc.params.GenesisBlock.Header
	hdrs := headerChain(tc.params.GenesisHash, gen.Timestamp, gen.Bits, 10_000, 1)
	if _, err := tc.ProcessHeaders(hdrs); err != nil {
		b.Fatal(err)
	}
	n := tc.index.nodes[hdrs[0].BlockHash()]
	tc.mu.Lock()
	defer tc.mu.Unlock()
	for b.Loop() {
		if !tc.worthStoring(n, BFNone) {
			b.Fatal("not worth storing")
		}
	}
}
