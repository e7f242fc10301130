package index

import (
	"crypto/sha256"
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chain"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wire"
)

// The index benchmarks' blocks are BenchmarkConnectBlock's (lib/chain):
// 2,000 transactions of one P2WPKH input and two P2WPKH outputs.
const (
	benchTxs      = 2000
	benchKeys     = 16
	benchPrefill  = 100 // blocks indexed before measuring: 200,000 unspent outputs per index
	benchAmount   = 100_000
	benchDistinct = "distinct"
)

// benchChain makes synthetic blocks whose transactions spend the first
// output of the previous block's, paying benchKeys scripts (a few busy
// addresses, as lib/chain's benchmark) or a new script per output
// (distinct: every output a new address, the index's worst case).
type benchChain struct {
	distinct bool
	height   int32
	prev     []wire.OutPoint
	prevPk   [][]byte
	keys     [][]byte
}

func newBenchChain(distinct bool) *benchChain {
	c := &benchChain{distinct: distinct}
	for i := range benchKeys {
		h := sha256.Sum256([]byte{byte(i)})
		c.keys = append(c.keys, script.PayToWitnessPubKeyHash(h[:20]))
	}
	return c
}

func (c *benchChain) pk(tx, out int) []byte {
	if !c.distinct {
		return c.keys[(tx+out)%benchKeys]
	}
	var b [12]byte
	binary.BigEndian.PutUint32(b[:], uint32(c.height))
	binary.BigEndian.PutUint32(b[4:], uint32(tx))
	binary.BigEndian.PutUint32(b[8:], uint32(out))
	h := sha256.Sum256(b[:])
	return script.PayToWitnessPubKeyHash(h[:20])
}

func (c *benchChain) next() *Block {
	c.height++
	blk := &wire.MsgBlock{}
	cb := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
		SignatureScript: binary.BigEndian.AppendUint32(nil, uint32(c.height))}},
		TxOut: []*wire.TxOut{{Value: 50e8, PkScript: c.pk(-1, 1)}}}
	blk.Transactions = append(blk.Transactions, cb)
	var spent []*chain.UtxoEntry
	var outs []wire.OutPoint
	var outPk [][]byte
	for j := range benchTxs {
		in := wire.OutPoint{Hash: chainhash.Hash(sha256.Sum256(binary.BigEndian.AppendUint32([]byte("seed"), uint32(j)))), Index: 0}
		inPk := []byte{script.OP_RETURN} // the seed coins: not indexed
		if c.prev != nil {
			in, inPk = c.prev[j], c.prevPk[j]
		}
		tx := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{PreviousOutPoint: in, Sequence: wire.MaxTxInSequenceNum}},
			TxOut: []*wire.TxOut{{Value: benchAmount / 2, PkScript: c.pk(j, 0)}, {Value: benchAmount / 2, PkScript: c.pk(j, 1)}}}
		blk.Transactions = append(blk.Transactions, tx)
		spent = append(spent, &chain.UtxoEntry{Amount: benchAmount, PkScript: inPk, Height: c.height - 1})
		outs = append(outs, wire.OutPoint{Hash: tx.TxHash(), Index: 0})
		outPk = append(outPk, tx.TxOut[0].PkScript)
	}
	c.prev, c.prevPk = outs, outPk
	blk.Header.Timestamp = uint32(c.height)
	return &Block{Block: blk, Hash: blk.BlockHash(), Height: c.height, Spent: spent}
}

// BenchmarkIndexConnect is what the optional indexes add to connecting
// a block of 2,000 transactions (lib/chain's BenchmarkConnectBlock, its
// figure measured beside it): each index's Connect in one write
// transaction committed with fsync on, over an index already holding
// 100 such blocks. "none" is the empty transaction's commit, the floor;
// the blocks are built beforehand (txids included, as the chain hands
// them over).
func BenchmarkIndexConnect(b *testing.B) {
	for _, shape := range []string{"keys16", benchDistinct} {
		for _, which := range []string{"none", TxIndexName, AddrIndexName, "cfbasic"} {
			b.Run(shape+"/"+which, func(b *testing.B) {
				db, err := store.Open(filepath.Join(b.TempDir(), "chain.db"), store.Options{NoSync: true, Timeout: time.Second})
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				var x Index
				switch which {
				case TxIndexName:
					x = NewTxIndex(db)
				case AddrIndexName:
					x = NewAddrIndex(db)
				case "cfbasic":
					x = benchFilter{}
				}
				if x != nil {
					if err := db.Update(x.Init); err != nil {
						b.Fatal(err)
					}
				}
				c := newBenchChain(shape == benchDistinct)
				connect := func(blk *Block) {
					if err := db.Update(func(tx *store.Tx) error {
						if x == nil {
							_, err := tx.CreateBucketIfNotExists([]byte("bench"))
							return err
						}
						return x.Connect(tx, blk)
					}); err != nil {
						b.Fatal(err)
					}
				}
				for range benchPrefill {
					blk := c.next()
					blk.TxHashes()
					connect(blk)
				}
				db.SetNoSync(false)
				b.ReportAllocs()
				for b.Loop() {
					b.StopTimer()
					blk := c.next()
					blk.TxHashes()
					b.StartTimer()
					connect(blk)
				}
			})
		}
	}
}

// benchFilter is the filter index's per-block work without its chaining
// check (the benchmark's blocks have no genesis below them): the filter
// built and stored, each block's record at height 0.
type benchFilter struct{}

func (benchFilter) Name() string                       { return "bench-cfbasic" }
func (benchFilter) Init(tx *store.Tx) error            { return (&FilterIndex{}).Init(tx) }
func (benchFilter) Reset(tx *store.Tx) error           { return nil }
func (benchFilter) Disconnect(*store.Tx, *Block) error { return nil }
func (benchFilter) Connect(tx *store.Tx, b *Block) error {
	h := b.Height
	b.Height = 0 // no parent record to chain to
	defer func() { b.Height = h }()
	return (&FilterIndex{}).Connect(tx, b)
}
