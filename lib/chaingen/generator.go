package chaingen

import (
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// DefaultBlockVersion is the header version of generated blocks (BIP9
// top bits, above every version-gated soft fork).
const DefaultBlockVersion int32 = 0x20000000

// DefaultFee is the fee NextBlock's spending transaction pays.
const DefaultFee int64 = 1000

// SpendableOut is an output a test may spend, with what is needed to
// build the spending input.
type SpendableOut struct {
	PrevOut  wire.OutPoint
	Amount   int64
	PkScript []byte
	Height   int32 // height of the block holding the creating tx; -1 if not known
	Coinbase bool
}

// SpendableOutFromTx describes output idx of tx, created at height.
func SpendableOutFromTx(tx *wire.MsgTx, idx uint32, height int32) SpendableOut {
	out := tx.TxOut[idx]
	return SpendableOut{
		PrevOut:  wire.OutPoint{Hash: tx.TxHash(), Index: idx},
		Amount:   out.Value,
		PkScript: append([]byte(nil), out.PkScript...),
		Height:   height,
		Coinbase: tx.IsCoinBase(),
	}
}

// Munger edits a block before its witness commitment, merkle root and
// proof of work are computed.
type Munger func(*wire.MsgBlock)

// Generator builds named blocks on a movable tip. It is not safe for
// concurrent use.
type Generator struct {
	// Params is the network whose rules blocks follow.
	Params *chaincfg.Params
	// Fee is what NextBlock's spending transaction pays (DefaultFee).
	Fee int64
	// BlockVersion is the header version of new blocks.
	BlockVersion int32
	// PayScript is the coinbase output script (OpTrueP2SH).
	PayScript []byte

	tip        *wire.MsgBlock
	tipName    string
	byName     map[string]*wire.MsgBlock
	hashOf     map[string]chainhash.Hash
	nameOf     map[chainhash.Hash]string
	byHash     map[chainhash.Hash]*wire.MsgBlock
	heights    map[chainhash.Hash]int32
	used       map[wire.OutPoint]bool
	extraNonce uint64
}

// New returns a generator whose tip is params' genesis block, registered
// under the name "genesis". A nil params means regtest.
func New(params *chaincfg.Params) *Generator {
	if params == nil {
		params = chaincfg.RegTestParams
	}
	g := &Generator{
		Params:       params,
		Fee:          DefaultFee,
		BlockVersion: DefaultBlockVersion,
		PayScript:    OpTrueP2SH,
		byName:       make(map[string]*wire.MsgBlock),
		hashOf:       make(map[string]chainhash.Hash),
		nameOf:       make(map[chainhash.Hash]string),
		byHash:       make(map[chainhash.Hash]*wire.MsgBlock),
		heights:      make(map[chainhash.Hash]int32),
		used:         make(map[wire.OutPoint]bool),
	}
	gen := params.GenesisBlock
	h := gen.BlockHash()
	g.byName["genesis"] = gen
	g.hashOf["genesis"] = h
	g.nameOf[h] = "genesis"
	g.byHash[h] = gen
	g.heights[h] = 0
	g.tip, g.tipName = gen, "genesis"
	return g
}

// Tip returns the current tip block.
func (g *Generator) Tip() *wire.MsgBlock { return g.tip }

// TipName returns the name of the current tip.
func (g *Generator) TipName() string { return g.tipName }

// TipHeight returns the height of the current tip.
func (g *Generator) TipHeight() int32 { return g.heights[g.hashOf[g.tipName]] }

// NextHeight returns the height the next block on the tip will have.
func (g *Generator) NextHeight() int32 { return g.TipHeight() + 1 }

// SetTip moves the tip to the named block.
func (g *Generator) SetTip(name string) {
	g.tip = g.BlockByName(name)
	g.tipName = name
}

// BlockByName returns the named block; it panics for unknown names.
func (g *Generator) BlockByName(name string) *wire.MsgBlock {
	blk, ok := g.byName[name]
	if !ok {
		panic(fmt.Sprintf("chaingen: no block named %q", name))
	}
	return blk
}

// HeightOf returns the height of the named block.
func (g *Generator) HeightOf(name string) int32 {
	g.BlockByName(name)
	return g.heights[g.hashOf[name]]
}

// NameOf returns the name a block hash was registered under, or "".
func (g *Generator) NameOf(h chainhash.Hash) string { return g.nameOf[h] }

// ancestors returns the chain from genesis (index 0) to blk.
func (g *Generator) ancestors(blk *wire.MsgBlock) []*wire.MsgBlock {
	var rev []*wire.MsgBlock
	for cur := blk; cur != nil; {
		rev = append(rev, cur)
		if cur.Header.PrevBlock.IsZero() {
			break
		}
		cur = g.byHash[cur.Header.PrevBlock]
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

// MedianTimePast returns the median timestamp of the tip and up to ten of
// its ancestors (the BIP113 clock a block on the tip is judged by).
func (g *Generator) MedianTimePast() int64 {
	return g.medianTimePast(g.tip)
}

func (g *Generator) medianTimePast(blk *wire.MsgBlock) int64 {
	var ts []int64
	for cur := blk; cur != nil && len(ts) < 11; {
		ts = append(ts, int64(cur.Header.Timestamp))
		if cur.Header.PrevBlock.IsZero() {
			break
		}
		cur = g.byHash[cur.Header.PrevBlock]
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	return ts[len(ts)/2]
}

// NextBits returns the bits a block on the tip must carry. Regtest (and
// any network without retargeting) always uses the proof-of-work limit;
// elsewhere the generator keeps its parent's bits, which is right within a
// retarget window.
func (g *Generator) NextBits() uint32 {
	if g.Params.NoRetargeting {
		return g.Params.PowLimitBits
	}
	return g.tip.Header.Bits
}

// CreateCoinbaseTx returns a coinbase for height paying value to
// g.PayScript, with the next extra nonce in its script.
func (g *Generator) CreateCoinbaseTx(height int32, value int64) *wire.MsgTx {
	g.extraNonce++
	return &wire.MsgTx{
		Version: 1,
		TxIn: []*wire.TxIn{{
			PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
			SignatureScript:  CoinbaseScript(height, g.extraNonce),
			Sequence:         wire.MaxTxInSequenceNum,
		}},
		TxOut: []*wire.TxOut{{Value: value, PkScript: append([]byte(nil), g.PayScript...)}},
	}
}

// unlock fills in the script signature or witness that spends an
// anyone-can-spend output. It panics for scripts that need a key.
func unlock(in *wire.TxIn, pkScript []byte) {
	switch {
	case bytesEqual(pkScript, OpTrueP2SH):
		in.SignatureScript = appendPush(nil, OpTrueScript)
	case bytesEqual(pkScript, OpTrueP2WSH):
		in.Witness = wire.TxWitness{append([]byte(nil), OpTrueScript...)}
	case bytesEqual(pkScript, OpTrueScript):
	default:
		panic(fmt.Sprintf("chaingen: cannot spend script %x without a key", pkScript))
	}
}

func bytesEqual(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// CreateSpendTx returns a version-1 transaction spending spend with one
// P2SH(OP_TRUE) output worth spend.Amount - fee.
func (g *Generator) CreateSpendTx(spend *SpendableOut, fee int64) *wire.MsgTx {
	return g.SpendTx([]SpendableOut{*spend}, []*wire.TxOut{{Value: spend.Amount - fee, PkScript: OpTrueP2SH}})
}

// SpendTx returns a version-1 transaction spending every output of ins
// (all anyone-can-spend) to outs, with final sequences and no lock time.
func (g *Generator) SpendTx(ins []SpendableOut, outs []*wire.TxOut) *wire.MsgTx {
	tx := &wire.MsgTx{Version: 1}
	for _, s := range ins {
		in := &wire.TxIn{PreviousOutPoint: s.PrevOut, Sequence: wire.MaxTxInSequenceNum}
		unlock(in, s.PkScript)
		tx.TxIn = append(tx.TxIn, in)
	}
	for _, o := range outs {
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: o.Value, PkScript: append([]byte(nil), o.PkScript...)})
	}
	return tx
}

// NextBlock builds a block named name on the tip, makes it the new tip and
// returns it. The coinbase pays the subsidy plus the fee of the optional
// spending transaction (which spends spend with g.Fee). Mungers then edit
// the block; afterwards the witness commitment (if any non-coinbase
// transaction has witness data), the merkle root and the nonce are
// computed.
func (g *Generator) NextBlock(name string, spend *SpendableOut, mungers ...func(*wire.MsgBlock)) *wire.MsgBlock {
	if _, dup := g.byName[name]; dup {
		panic(fmt.Sprintf("chaingen: block name %q already used", name))
	}
	height := g.NextHeight()
	value := g.Params.Subsidy(height)
	var txs []*wire.MsgTx
	if spend != nil {
		txs = append(txs, g.CreateSpendTx(spend, g.Fee))
		value += g.Fee
	}
	cb := g.CreateCoinbaseTx(height, value)
	ts := g.tip.Header.Timestamp + 1
	if mtp := g.MedianTimePast(); int64(ts) <= mtp {
		ts = uint32(mtp + 1)
	}
	blk := &wire.MsgBlock{
		Header: wire.BlockHeader{
			Version:   g.BlockVersion,
			PrevBlock: g.tip.BlockHash(),
			Timestamp: ts,
			Bits:      g.NextBits(),
		},
		Transactions: append([]*wire.MsgTx{cb}, txs...),
	}
	for _, m := range mungers {
		m(blk)
	}
	UpdateWitnessCommitment(blk)
	UpdateMerkleRoot(blk)
	if !g.Solve(blk) {
		panic(fmt.Sprintf("chaingen: block %q: nonce space exhausted", name))
	}
	g.register(name, blk)
	g.tip, g.tipName = blk, name
	return blk
}

// register records blk under name. Its height follows from its parent
// when the parent is known; otherwise it is the tip's next height.
func (g *Generator) register(name string, blk *wire.MsgBlock) {
	h := blk.BlockHash()
	height := g.NextHeight()
	if ph, ok := g.heights[blk.Header.PrevBlock]; ok {
		height = ph + 1
	}
	g.byName[name] = blk
	g.hashOf[name] = h
	g.nameOf[h] = name
	g.byHash[h] = blk
	g.heights[h] = height
}

// UpdateBlockState re-registers the named block after it was edited in
// place (its hash changed). Blocks already built on the old hash keep
// pointing at it, so edit a block before building its children.
func (g *Generator) UpdateBlockState(name string) {
	blk := g.BlockByName(name)
	old := g.hashOf[name]
	height := g.heights[old]
	if g.nameOf[old] == name {
		delete(g.nameOf, old)
		delete(g.byHash, old)
		delete(g.heights, old)
	}
	h := blk.BlockHash()
	g.hashOf[name] = h
	g.nameOf[h] = name
	g.byHash[h] = blk
	g.heights[h] = height
}

// Resolve recomputes the named block's witness commitment (when it has
// witness transactions), merkle root and nonce after an edit, and
// re-registers it.
func (g *Generator) Resolve(name string) *wire.MsgBlock {
	blk := g.BlockByName(name)
	UpdateWitnessCommitment(blk)
	UpdateMerkleRoot(blk)
	if !g.Solve(blk) {
		panic(fmt.Sprintf("chaingen: block %q: nonce space exhausted", name))
	}
	g.UpdateBlockState(name)
	return blk
}

// MeetsTarget reports whether the header's hash is at or below the target
// its bits encode (false for zero, negative or overflowing targets).
func MeetsTarget(h *wire.BlockHeader) bool {
	target := chaincfg.CompactToBig(h.Bits)
	if target.Sign() <= 0 || h.Bits&0x00800000 != 0 {
		return false
	}
	hash := h.BlockHash()
	return chaincfg.HashToBig(&hash).Cmp(target) <= 0
}

// Solve searches nonces from zero for one meeting the block's target and
// reports whether it found one. Regtest needs about two tries.
func (g *Generator) Solve(blk *wire.MsgBlock) bool {
	return searchNonce(&blk.Header, true)
}

func searchNonce(h *wire.BlockHeader, wantValid bool) bool {
	target := chaincfg.CompactToBig(h.Bits)
	buf := h.Bytes()
	for n := uint64(0); n <= 0xffffffff; n++ {
		binary.LittleEndian.PutUint32(buf[76:], uint32(n))
		hash := chainhash.DoubleHashH(buf)
		ok := target.Sign() > 0 && chaincfg.HashToBig(&hash).Cmp(target) <= 0
		if ok == wantValid {
			h.Nonce = uint32(n)
			return true
		}
	}
	return false
}

// UpdateMerkleRoot sets the header's merkle root from the transactions.
func UpdateMerkleRoot(blk *wire.MsgBlock) {
	blk.Header.MerkleRoot, _ = wire.BlockMerkleRoot(blk.Transactions)
}

// WitnessReservedValue is the 32-byte coinbase witness the generator uses.
var WitnessReservedValue = make([]byte, 32)

// WitnessCommitmentScript returns the BIP141 commitment output script for
// a witness merkle root and reserved value.
func WitnessCommitmentScript(witnessRoot chainhash.Hash, reserved []byte) []byte {
	buf := append(append([]byte(nil), witnessRoot[:]...), reserved...)
	c := chainhash.DoubleHashB(buf)
	return append(append([]byte(nil), witnessCommitmentHeader...), c...)
}

// hasWitnessTx reports whether a non-coinbase transaction has witness data.
func hasWitnessTx(blk *wire.MsgBlock) bool {
	for i, tx := range blk.Transactions {
		if i > 0 && tx.HasWitness() {
			return true
		}
	}
	return false
}

// commitmentIndex returns the index of the coinbase's last output shaped
// like a witness commitment, or -1.
func commitmentIndex(cb *wire.MsgTx) int {
	for i := len(cb.TxOut) - 1; i >= 0; i-- {
		if isWitnessCommitment(cb.TxOut[i].PkScript) {
			return i
		}
	}
	return -1
}

// UpdateWitnessCommitment writes a correct BIP141 commitment into the
// coinbase when any other transaction has witness data: the coinbase gets
// the reserved value as its witness (unless it has one already) and the
// last commitment output is replaced, or one is appended. Blocks without
// witness transactions are left alone.
func UpdateWitnessCommitment(blk *wire.MsgBlock) {
	if len(blk.Transactions) == 0 || !hasWitnessTx(blk) {
		return
	}
	cb := blk.Transactions[0]
	if len(cb.TxIn) == 0 {
		return
	}
	if len(cb.TxIn[0].Witness) == 0 {
		cb.TxIn[0].Witness = wire.TxWitness{append([]byte(nil), WitnessReservedValue...)}
	}
	reserved := cb.TxIn[0].Witness[0]
	script := WitnessCommitmentScript(wire.WitnessMerkleRoot(blk.Transactions), reserved)
	if i := commitmentIndex(cb); i >= 0 {
		cb.TxOut[i].PkScript = script
		return
	}
	cb.TxOut = append(cb.TxOut, &wire.TxOut{Value: 0, PkScript: script})
}

// coinbaseOut describes output 0 of a block's coinbase at height.
func coinbaseOut(blk *wire.MsgBlock, height int32) SpendableOut {
	return SpendableOutFromTx(blk.Transactions[0], 0, height)
}

// CoinbaseOutOf returns the named block's first coinbase output.
func (g *Generator) CoinbaseOutOf(name string) SpendableOut {
	return coinbaseOut(g.BlockByName(name), g.HeightOf(name))
}

// TryOldestCoinbaseOut is OldestCoinbaseOut reporting false instead of
// panicking when no coinbase output on the tip's chain is mature and
// unused.
func (g *Generator) TryOldestCoinbaseOut() (SpendableOut, bool) {
	next := g.NextHeight()
	for height, blk := range g.ancestors(g.tip) {
		if height == 0 {
			continue // the genesis output is never spendable
		}
		if next-int32(height) < g.Params.CoinbaseMaturity {
			break
		}
		if len(blk.Transactions) == 0 || len(blk.Transactions[0].TxOut) == 0 {
			continue
		}
		out := coinbaseOut(blk, int32(height))
		if g.used[out.PrevOut] || !spendableWithoutKey(out.PkScript) {
			continue
		}
		g.used[out.PrevOut] = true
		return out, true
	}
	return SpendableOut{}, false
}

// OldestCoinbaseOut returns, and marks as used, the oldest coinbase output
// on the tip's chain that is mature for a block on the tip and has not
// been handed out before. It panics when there is none.
func (g *Generator) OldestCoinbaseOut() SpendableOut {
	out, ok := g.TryOldestCoinbaseOut()
	if !ok {
		panic(fmt.Sprintf("chaingen: no mature unused coinbase output at height %d", g.NextHeight()))
	}
	return out
}

func spendableWithoutKey(pk []byte) bool {
	return bytesEqual(pk, OpTrueP2SH) || bytesEqual(pk, OpTrueP2WSH) || bytesEqual(pk, OpTrueScript)
}

// TakeCoinbaseOut returns the named block's first coinbase output and
// marks it used, so OldestCoinbaseOut will not hand it out again. It
// panics if the output was already handed out.
func (g *Generator) TakeCoinbaseOut(name string) SpendableOut {
	out := g.CoinbaseOutOf(name)
	if g.used[out.PrevOut] {
		panic(fmt.Sprintf("chaingen: coinbase output of %q already used", name))
	}
	g.used[out.PrevOut] = true
	return out
}

// PathTo returns the blocks from height 1 up to and including the named
// block, the order in which a fresh node must receive them.
func (g *Generator) PathTo(name string) []*wire.MsgBlock {
	path := g.ancestors(g.BlockByName(name))
	if len(path) > 0 && path[0].Header.PrevBlock.IsZero() {
		path = path[1:]
	}
	return path
}
