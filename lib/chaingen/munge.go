package chaingen

import (
	"fmt"

	"github.com/gamegold/gg/lib/wire"
)

// AddTxs appends transactions to the block. Their fees are not claimed by
// the coinbase (paying less than allowed is valid).
func AddTxs(txs ...*wire.MsgTx) Munger {
	return func(b *wire.MsgBlock) { b.Transactions = append(b.Transactions, txs...) }
}

// SetTimestamp sets the header timestamp.
func SetTimestamp(ts uint32) Munger {
	return func(b *wire.MsgBlock) { b.Header.Timestamp = ts }
}

// SetBits sets the header's difficulty bits.
func SetBits(bits uint32) Munger {
	return func(b *wire.MsgBlock) { b.Header.Bits = bits }
}

// SetVersion sets the header version.
func SetVersion(v int32) Munger {
	return func(b *wire.MsgBlock) { b.Header.Version = v }
}

// AddCoinbaseValue adds delta to the coinbase's first output.
func AddCoinbaseValue(delta int64) Munger {
	return func(b *wire.MsgBlock) { b.Transactions[0].TxOut[0].Value += delta }
}

// SetCoinbaseScript replaces the coinbase input script.
func SetCoinbaseScript(s []byte) Munger {
	return func(b *wire.MsgBlock) { b.Transactions[0].TxIn[0].SignatureScript = append([]byte(nil), s...) }
}

// ReplaceSpendTx swaps the block's second transaction (NextBlock's
// spending transaction) for the result of fn applied to a copy of it.
func ReplaceSpendTx(fn func(tx *wire.MsgTx)) Munger {
	return func(b *wire.MsgBlock) {
		tx := b.Transactions[1].Copy()
		fn(tx)
		b.Transactions[1] = tx
	}
}

// CopyBlock returns a deep copy of blk.
func CopyBlock(blk *wire.MsgBlock) *wire.MsgBlock {
	c := &wire.MsgBlock{Header: blk.Header, Transactions: make([]*wire.MsgTx, len(blk.Transactions))}
	for i, tx := range blk.Transactions {
		c.Transactions[i] = tx.Copy()
	}
	return c
}

// BreakPoW gives the named block a nonce whose hash is above its target
// and re-registers it.
func (g *Generator) BreakPoW(name string) *wire.MsgBlock {
	blk := g.BlockByName(name)
	if !searchNonce(&blk.Header, false) {
		panic(fmt.Sprintf("chaingen: block %q: every nonce meets the target", name))
	}
	g.UpdateBlockState(name)
	return blk
}

// BreakMerkleRoot flips a bit of the named block's merkle root, re-solves
// and re-registers it.
func (g *Generator) BreakMerkleRoot(name string) *wire.MsgBlock {
	blk := g.BlockByName(name)
	blk.Header.MerkleRoot[0] ^= 0x01
	g.solveOrPanic(name, blk)
	g.UpdateBlockState(name)
	return blk
}

// BreakWitnessCommitment corrupts the named block's witness commitment,
// then recomputes its merkle root, re-solves and re-registers it. It
// panics when the block has no commitment.
func (g *Generator) BreakWitnessCommitment(name string) *wire.MsgBlock {
	blk := g.BlockByName(name)
	cb := blk.Transactions[0]
	i := commitmentIndex(cb)
	if i < 0 {
		panic(fmt.Sprintf("chaingen: block %q has no witness commitment", name))
	}
	cb.TxOut[i].PkScript[len(cb.TxOut[i].PkScript)-1] ^= 0x01
	UpdateMerkleRoot(blk)
	g.solveOrPanic(name, blk)
	g.UpdateBlockState(name)
	return blk
}

// DropWitnessCommitment removes the named block's witness commitment
// outputs and the coinbase witness, then recomputes its merkle root,
// re-solves and re-registers it.
func (g *Generator) DropWitnessCommitment(name string) *wire.MsgBlock {
	blk := g.BlockByName(name)
	cb := blk.Transactions[0]
	kept := cb.TxOut[:0]
	for _, out := range cb.TxOut {
		if !isWitnessCommitment(out.PkScript) {
			kept = append(kept, out)
		}
	}
	cb.TxOut = kept
	cb.TxIn[0].Witness = nil
	UpdateMerkleRoot(blk)
	g.solveOrPanic(name, blk)
	g.UpdateBlockState(name)
	return blk
}

func (g *Generator) solveOrPanic(name string, blk *wire.MsgBlock) {
	if !g.Solve(blk) {
		panic(fmt.Sprintf("chaingen: block %q: nonce space exhausted", name))
	}
}

// DuplicateLastTx returns a copy of blk with its last transaction listed
// twice: the CVE-2012-2459 mutation, which leaves the merkle root and so
// the block hash unchanged. It needs an odd number (at least three) of
// transactions and panics otherwise.
func DuplicateLastTx(blk *wire.MsgBlock) *wire.MsgBlock {
	n := len(blk.Transactions)
	if n < 3 || n%2 == 0 {
		panic(fmt.Sprintf("chaingen: duplicating the last of %d transactions changes the merkle root", n))
	}
	c := CopyBlock(blk)
	c.Transactions = append(c.Transactions, c.Transactions[n-1].Copy())
	return c
}

// PadToWeight returns a munger that appends one transaction spending spend
// (anyone-can-spend) whose OP_RETURN padding output makes the whole block
// weigh exactly target. The change (spend.Amount minus g.Fee) goes to
// P2SH(OP_TRUE). Run it after any munger that changes the block's size.
// It panics when target cannot be hit exactly (weights of blocks without
// witness data are multiples of four).
func (g *Generator) PadToWeight(spend *SpendableOut, target int) Munger {
	return func(b *wire.MsgBlock) {
		tx := g.SpendTx([]SpendableOut{*spend}, []*wire.TxOut{
			{Value: spend.Amount - g.Fee, PkScript: OpTrueP2SH},
			{Value: 0, PkScript: []byte{opReturn}},
		})
		b.Transactions = append(b.Transactions, tx)
		pad := tx.TxOut[1]
		for range 16 {
			UpdateWitnessCommitment(b)
			w := b.Weight()
			if w == target {
				return
			}
			grow := (target - w) / wire.WitnessScaleFactor
			if grow == 0 {
				break
			}
			n := len(pad.PkScript) - 1 + grow
			if n < 0 {
				break
			}
			pad.PkScript = append([]byte{opReturn}, make([]byte, n)...)
		}
		panic(fmt.Sprintf("chaingen: cannot pad block to weight %d (at %d)", target, b.Weight()))
	}
}
