package chain

import (
	"crypto/sha256"
	"encoding/binary"
	mathbig "math/big"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// testKey is a deterministic secp256k1 key with its P2WPKH script.
type testKey struct {
	priv   *btcec.PrivateKey
	pub    []byte
	pkHash []byte
	pk     []byte // P2WPKH output script
}

func newTestKey(seed string) *testKey {
	d := sha256.Sum256([]byte("chain test key/" + seed))
	priv, _ := btcec.PrivKeyFromBytes(d[:])
	pub := priv.PubKey().SerializeCompressed()
	h := script.Hash160(pub)
	return &testKey{priv: priv, pub: pub, pkHash: h, pk: script.PayToWitnessPubKeyHash(h)}
}

// signP2WPKH fills in the witness of input idx, which spends amount
// locked to k's P2WPKH script.
func (k *testKey) signP2WPKH(tx *wire.MsgTx, hashes *script.SigHashes, idx int, amount int64) {
	code := script.PayToPubKeyHash(k.pkHash)
	h, err := script.CalcWitnessSignatureHash(code, hashes, script.SigHashAll, tx, idx, amount)
	if err != nil {
		panic(err)
	}
	sig := ecdsa.Sign(k.priv, h).Serialize()
	sig = append(sig, byte(script.SigHashAll))
	tx.TxIn[idx].Witness = wire.TxWitness{sig, k.pub}
}

// opTrue is the bare anyone-can-spend script.
var opTrue = []byte{script.OP_TRUE}

// opTrueP2WSH is P2WSH(OP_TRUE), spent with the witness {OP_TRUE}.
var opTrueP2WSH = func() []byte {
	h := sha256.Sum256(opTrue)
	return script.PayToWitnessScriptHash(h[:])
}()

// coinbaseScript is a BIP34 coinbase script for height plus an extra
// nonce push.
func coinbaseScript(height int32, extra uint64) []byte {
	b := script.NewBuilder().AddInt64(int64(height))
	var en [8]byte
	binary.LittleEndian.PutUint64(en[:], extra)
	s, err := b.AddData(en[:]).Script()
	if err != nil {
		panic(err)
	}
	return s
}

func hashOf(s string) chainhash.Hash { return chainhash.HashH([]byte(s)) }

// blockGen builds regtest blocks for tests.
type blockGen struct {
	params *chaincfg.Params
	extra  uint64
	// byHash remembers blocks and heights so children can be built on
	// any of them.
	heights map[chainhash.Hash]int32
	blocks  map[chainhash.Hash]*wire.MsgBlock
}

func newBlockGen() *blockGen {
	p := chaincfg.RegTestParams
	g := &blockGen{params: p, heights: map[chainhash.Hash]int32{}, blocks: map[chainhash.Hash]*wire.MsgBlock{}}
	g.heights[p.GenesisHash] = 0
	g.blocks[p.GenesisHash] = p.GenesisBlock
	return g
}

func (g *blockGen) height(b *wire.MsgBlock) int32 { return g.heights[b.BlockHash()] }

// next builds a block on parent holding txs after a coinbase that pays
// the subsidy plus fees to OP_TRUE. Mungers run before the witness
// commitment, merkle root and proof of work are computed.
func (g *blockGen) next(parent *wire.MsgBlock, txs []*wire.MsgTx, fees int64, mungers ...func(*wire.MsgBlock)) *wire.MsgBlock {
	height := g.height(parent) + 1
	g.extra++
	cb := &wire.MsgTx{Version: 1,
		TxIn: []*wire.TxIn{{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript: coinbaseScript(height, g.extra), Sequence: wire.MaxTxInSequenceNum}},
		TxOut: []*wire.TxOut{{Value: g.params.Subsidy(height) + fees, PkScript: opTrue}}}
	blk := &wire.MsgBlock{
		Header: wire.BlockHeader{Version: 0x20000000, PrevBlock: parent.BlockHash(),
			Timestamp: parent.Header.Timestamp + 1, Bits: g.params.PowLimitBits},
		Transactions: append([]*wire.MsgTx{cb}, txs...),
	}
	for _, m := range mungers {
		m(blk)
	}
	g.finish(blk)
	g.heights[blk.BlockHash()] = height
	g.blocks[blk.BlockHash()] = blk
	return blk
}

// finish adds the witness commitment (when needed), merkle root and
// nonce.
func (g *blockGen) finish(blk *wire.MsgBlock) {
	cb := blk.Transactions[0]
	hasWitness := false
	for _, tx := range blk.Transactions[1:] {
		if tx.HasWitness() {
			hasWitness = true
		}
	}
	if hasWitness && witnessCommitmentIndex(cb) < 0 {
		cb.TxIn[0].Witness = wire.TxWitness{make([]byte, 32)}
		root := wire.WitnessMerkleRoot(blk.Transactions)
		c := chainhash.DoubleHashH(append(root[:], make([]byte, 32)...))
		cb.TxOut = append(cb.TxOut, &wire.TxOut{PkScript: append(append([]byte(nil), witnessCommitmentPrefix...), c[:]...)})
	}
	blk.Header.MerkleRoot, _ = wire.BlockMerkleRoot(blk.Transactions)
	solve(&blk.Header)
}

func solve(h *wire.BlockHeader) {
	target := chaincfg.CompactToBig(h.Bits)
	for h.Nonce = 0; ; h.Nonce++ {
		hash := h.BlockHash()
		if chaincfg.HashToBig(&hash).Cmp(target) <= 0 {
			return
		}
	}
}

// chainOf builds n empty blocks on parent and returns them.
func (g *blockGen) chainOf(parent *wire.MsgBlock, n int) []*wire.MsgBlock {
	out := make([]*wire.MsgBlock, n)
	for i := range out {
		parent = g.next(parent, nil, 0)
		out[i] = parent
	}
	return out
}

// spendOut is an output a test may spend.
type spendOut struct {
	op     wire.OutPoint
	amount int64
	pk     []byte
}

func cbOut(blk *wire.MsgBlock) spendOut {
	return spendOut{op: wire.OutPoint{Hash: blk.Transactions[0].TxHash()}, amount: blk.Transactions[0].TxOut[0].Value, pk: opTrue}
}

// spend returns a transaction spending ins (OP_TRUE, P2WSH(OP_TRUE) or
// the key's P2WPKH) to OP_TRUE outputs of the given values.
func spend(ins []spendOut, key *testKey, values ...int64) *wire.MsgTx {
	tx := &wire.MsgTx{Version: 2}
	for _, in := range ins {
		ti := &wire.TxIn{PreviousOutPoint: in.op, Sequence: wire.MaxTxInSequenceNum}
		if string(in.pk) == string(opTrueP2WSH) {
			ti.Witness = wire.TxWitness{opTrue}
		}
		tx.TxIn = append(tx.TxIn, ti)
	}
	for _, v := range values {
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: v, PkScript: opTrue})
	}
	if key != nil {
		hashes := script.NewSigHashes(tx)
		for i, in := range ins {
			if string(in.pk) == string(key.pk) {
				key.signP2WPKH(tx, hashes, i, in.amount)
			}
		}
	}
	return tx
}

func outOf(tx *wire.MsgTx, i uint32) spendOut {
	return spendOut{op: wire.OutPoint{Hash: tx.TxHash(), Index: i}, amount: tx.TxOut[i].Value, pk: tx.TxOut[i].PkScript}
}

type bigInt = mathbig.Int

func newBig(n int64) *bigInt { return mathbig.NewInt(n) }
