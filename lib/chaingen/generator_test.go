package chaingen

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// buildChain extends a fresh generator by n blocks, spending the oldest
// mature coinbase output in each block once one exists.
func buildChain(t *testing.T, n int) (*Generator, []chainhash.Hash) {
	t.Helper()
	g := New(nil)
	var hashes []chainhash.Hash
	for i := range n {
		var spend *SpendableOut
		if out, ok := g.TryOldestCoinbaseOut(); ok {
			spend = &out
		}
		blk := g.NextBlock(blockName(i), spend)
		hashes = append(hashes, blk.BlockHash())
	}
	return g, hashes
}

func blockName(i int) string { return "b" + string(rune('a'+i/26)) + string(rune('a'+i%26)) }

// checkBlock verifies the properties every generated block must have.
func checkBlock(t *testing.T, g *Generator, name string, blk *wire.MsgBlock) {
	t.Helper()
	if !MeetsTarget(&blk.Header) {
		t.Errorf("%s: hash %s misses target %08x", name, blk.BlockHash(), blk.Header.Bits)
	}
	root, mutated := wire.BlockMerkleRoot(blk.Transactions)
	if root != blk.Header.MerkleRoot || mutated {
		t.Errorf("%s: merkle root %s, want %s (mutated %v)", name, blk.Header.MerkleRoot, root, mutated)
	}
	if blk.Header.Bits != chaincfg.RegTestParams.PowLimitBits {
		t.Errorf("%s: bits %08x", name, blk.Header.Bits)
	}
	cb := blk.Transactions[0]
	if !cb.IsCoinBase() {
		t.Fatalf("%s: first tx is not a coinbase", name)
	}
	height := g.HeightOf(name)
	if want := CoinbaseScript(height, 0)[:len(appendInt(nil, int64(height)))]; !bytes.HasPrefix(cb.TxIn[0].SignatureScript, want) {
		t.Errorf("%s: coinbase script %x lacks BIP34 prefix %x", name, cb.TxIn[0].SignatureScript, want)
	}
	if n := len(cb.TxIn[0].SignatureScript); n < 2 || n > 100 {
		t.Errorf("%s: coinbase script length %d", name, n)
	}
	checkWitnessCommitment(t, name, blk)
}

func checkWitnessCommitment(t *testing.T, name string, blk *wire.MsgBlock) {
	t.Helper()
	cb := blk.Transactions[0]
	i := commitmentIndex(cb)
	if !hasWitnessTx(blk) {
		if i >= 0 {
			t.Errorf("%s: commitment without witness transactions", name)
		}
		return
	}
	if i < 0 {
		t.Fatalf("%s: witness transactions but no commitment", name)
	}
	if len(cb.TxIn[0].Witness) != 1 || len(cb.TxIn[0].Witness[0]) != 32 {
		t.Fatalf("%s: coinbase witness %x", name, cb.TxIn[0].Witness)
	}
	want := WitnessCommitmentScript(wire.WitnessMerkleRoot(blk.Transactions), cb.TxIn[0].Witness[0])
	if !bytes.Equal(cb.TxOut[i].PkScript, want) {
		t.Errorf("%s: commitment %x, want %x", name, cb.TxOut[i].PkScript, want)
	}
}

func TestGeneratorDeterministic(t *testing.T) {
	n := 130
	if testing.Short() {
		n = 110
	}
	g1, h1 := buildChain(t, n)
	_, h2 := buildChain(t, n)
	for i := range h1 {
		if h1[i] != h2[i] {
			t.Fatalf("block %d: %s vs %s", i, h1[i], h2[i])
		}
	}
	seen := map[chainhash.Hash]bool{}
	for i := range n {
		name := blockName(i)
		blk := g1.BlockByName(name)
		checkBlock(t, g1, name, blk)
		if seen[blk.BlockHash()] {
			t.Fatalf("%s: repeated hash", name)
		}
		seen[blk.BlockHash()] = true
		if g1.HeightOf(name) != int32(i+1) {
			t.Errorf("%s: height %d", name, g1.HeightOf(name))
		}
		parent := g1.params().GenesisBlock
		if i > 0 {
			parent = g1.BlockByName(blockName(i - 1))
		}
		if blk.Header.PrevBlock != parent.BlockHash() || blk.Header.Timestamp != parent.Header.Timestamp+1 {
			t.Errorf("%s: parent/timestamp wrong", name)
		}
	}
	// Spends start once the first coinbase is mature (block at height 101
	// spends height 1).
	if len(g1.BlockByName(blockName(99)).Transactions) != 1 {
		t.Errorf("block 100 spends before maturity")
	}
	spender := g1.BlockByName(blockName(100))
	if len(spender.Transactions) != 2 {
		t.Fatalf("block 101 has %d txs", len(spender.Transactions))
	}
	first := g1.BlockByName(blockName(0)).Transactions[0]
	if spender.Transactions[1].TxIn[0].PreviousOutPoint != (wire.OutPoint{Hash: first.TxHash()}) {
		t.Errorf("block 101 does not spend the height-1 coinbase")
	}
	wantValue := g1.Params.Subsidy(101) + DefaultFee
	if v := spender.Transactions[0].TxOut[0].Value; v != wantValue {
		t.Errorf("coinbase value %d, want %d", v, wantValue)
	}
}

func (g *Generator) params() *chaincfg.Params { return g.Params }

func TestGeneratorWitnessCommitment(t *testing.T) {
	g := New(nil)
	g.PayScript = OpTrueP2WSH
	for i := range 101 {
		g.NextBlock(blockName(i), nil)
	}
	out := g.OldestCoinbaseOut()
	if !bytes.Equal(out.PkScript, OpTrueP2WSH) {
		t.Fatalf("coinbase pays %x", out.PkScript)
	}
	blk := g.NextBlock("w1", &out)
	if !blk.Transactions[1].HasWitness() {
		t.Fatal("P2WSH spend has no witness")
	}
	checkBlock(t, g, "w1", blk)
	if commitmentIndex(blk.Transactions[0]) < 0 {
		t.Fatal("no commitment")
	}

	g.BreakWitnessCommitment("w1")
	if !MeetsTarget(&blk.Header) || g.Tip().BlockHash() != blk.BlockHash() {
		t.Error("broken block not re-solved/registered")
	}
	want := WitnessCommitmentScript(wire.WitnessMerkleRoot(blk.Transactions), WitnessReservedValue)
	if bytes.Equal(blk.Transactions[0].TxOut[commitmentIndex(blk.Transactions[0])].PkScript, want) {
		t.Error("BreakWitnessCommitment left it intact")
	}
	g.DropWitnessCommitment("w1")
	if commitmentIndex(blk.Transactions[0]) >= 0 || len(blk.Transactions[0].TxIn[0].Witness) != 0 {
		t.Error("commitment not dropped")
	}
	if root, _ := wire.BlockMerkleRoot(blk.Transactions); root != blk.Header.MerkleRoot {
		t.Error("merkle root stale after drop")
	}
	if g.NameOf(blk.BlockHash()) != "w1" {
		t.Error("name not re-registered")
	}
}

func TestGeneratorBreakHelpers(t *testing.T) {
	g := New(nil)
	for i := range 101 {
		g.NextBlock(blockName(i), nil)
	}
	out1, out2 := g.OldestCoinbaseOut(), g.OldestCoinbaseOut()
	tx2 := g.CreateSpendTx(&out2, 7)
	blk := g.NextBlock("m", &out1, AddTxs(tx2))
	if len(blk.Transactions) != 3 {
		t.Fatalf("%d txs", len(blk.Transactions))
	}
	checkBlock(t, g, "m", blk)

	dup := DuplicateLastTx(blk)
	root, mutated := wire.BlockMerkleRoot(dup.Transactions)
	if root != blk.Header.MerkleRoot || !mutated || dup.BlockHash() != blk.BlockHash() || len(dup.Transactions) != 4 {
		t.Errorf("duplicate: root same %v mutated %v", root == blk.Header.MerkleRoot, mutated)
	}

	g.SetTip(blockName(100))
	bad := g.NextBlock("badpow", nil)
	g.BreakPoW("badpow")
	if MeetsTarget(&bad.Header) {
		t.Error("BreakPoW: block still meets target")
	}
	if g.BlockByName("badpow").BlockHash() != bad.BlockHash() || g.NameOf(bad.BlockHash()) != "badpow" {
		t.Error("BreakPoW: not re-registered")
	}

	g.SetTip(blockName(100))
	bm := g.NextBlock("badmerkle", nil)
	g.BreakMerkleRoot("badmerkle")
	if root, _ := wire.BlockMerkleRoot(bm.Transactions); root == bm.Header.MerkleRoot {
		t.Error("BreakMerkleRoot left root intact")
	}
	if !MeetsTarget(&bm.Header) {
		t.Error("BreakMerkleRoot: not re-solved")
	}
	if g.HeightOf("badmerkle") != 102 {
		t.Errorf("height %d", g.HeightOf("badmerkle"))
	}

	// Resolve after a late edit.
	bm.Transactions[0].TxOut[0].Value--
	g.Resolve("badmerkle")
	checkBlock(t, g, "badmerkle", bm)
}

func TestGeneratorMungers(t *testing.T) {
	g := New(nil)
	g.NextBlock("a", nil)
	blk := g.NextBlock("b", nil, SetTimestamp(12345), SetVersion(7), AddCoinbaseValue(-1),
		SetCoinbaseScript([]byte{1, 2, 3}))
	if blk.Header.Timestamp != 12345 || blk.Header.Version != 7 {
		t.Errorf("header %+v", blk.Header)
	}
	if blk.Transactions[0].TxOut[0].Value != g.Params.Subsidy(2)-1 {
		t.Errorf("coinbase value %d", blk.Transactions[0].TxOut[0].Value)
	}
	if !bytes.Equal(blk.Transactions[0].TxIn[0].SignatureScript, []byte{1, 2, 3}) {
		t.Error("coinbase script not replaced")
	}
	if root, _ := wire.BlockMerkleRoot(blk.Transactions); root != blk.Header.MerkleRoot || !MeetsTarget(&blk.Header) {
		t.Error("munged block not finished")
	}
	// The next block still lands strictly above the median time past even
	// though its parent's timestamp went backwards.
	c := g.NextBlock("c", nil)
	if mtp := g.medianTimePast(g.BlockByName("b")); int64(c.Header.Timestamp) <= mtp {
		t.Errorf("timestamp %d <= mtp %d", c.Header.Timestamp, mtp)
	}
	if g.MedianTimePast() != int64(chaincfg.RegTestParams.GenesisBlock.Header.Timestamp+1) {
		t.Errorf("mtp %d", g.MedianTimePast())
	}
}

func TestGeneratorPadToWeight(t *testing.T) {
	g := New(nil)
	for i := range 102 {
		g.NextBlock(blockName(i), nil)
	}
	out1, out2 := g.OldestCoinbaseOut(), g.OldestCoinbaseOut()
	for _, target := range []int{wire.MaxBlockWeight, wire.MaxBlockWeight + 4, 40_000} {
		g.SetTip(blockName(101))
		name := "pad" + hex.EncodeToString([]byte{byte(target), byte(target >> 8), byte(target >> 16)})
		blk := g.NextBlock(name, &out1, g.PadToWeight(&out2, target))
		if w := blk.Weight(); w != target {
			t.Errorf("weight %d, want %d", w, target)
		}
		checkBlock(t, g, name, blk)
	}
}

func TestGeneratorPadToWeightErrors(t *testing.T) {
	g := New(nil)
	for i := range 101 {
		g.NextBlock(blockName(i), nil)
	}
	out := g.OldestCoinbaseOut()
	for _, target := range []int{wire.MaxBlockWeight + 1, 100} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("target %d: no panic", target)
				}
			}()
			g.NextBlock("p"+hex.EncodeToString([]byte{byte(target)}), nil, g.PadToWeight(&out, target))
		}()
		g.SetTip(blockName(100))
	}
}

func TestOldestCoinbaseOut(t *testing.T) {
	g := New(nil)
	for i := range 100 {
		g.NextBlock(blockName(i), nil)
	}
	// Tip at height 100: the height-1 output needs a block at height 101.
	if g.NextHeight() != 101 {
		t.Fatalf("next height %d", g.NextHeight())
	}
	out, ok := g.TryOldestCoinbaseOut()
	if !ok || out.Height != 1 || !out.Coinbase || out.Amount != g.Params.Subsidy(1) {
		t.Fatalf("got %+v %v", out, ok)
	}
	if _, ok := g.TryOldestCoinbaseOut(); ok {
		t.Fatal("height-2 output handed out before maturity")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("OldestCoinbaseOut did not panic")
			}
		}()
		g.OldestCoinbaseOut()
	}()
	g.NextBlock("x", nil)
	if out := g.OldestCoinbaseOut(); out.Height != 2 {
		t.Errorf("height %d", out.Height)
	}
	// A side branch below maturity hands out nothing new.
	g.SetTip(blockName(50))
	if _, ok := g.TryOldestCoinbaseOut(); ok {
		t.Error("output handed out on an immature branch")
	}
}

func TestGeneratorNameErrors(t *testing.T) {
	g := New(nil)
	g.NextBlock("a", nil)
	for name, fn := range map[string]func(){
		"reused name":   func() { g.NextBlock("a", nil) },
		"unknown name":  func() { g.BlockByName("nope") },
		"unknown tip":   func() { g.SetTip("nope") },
		"key needed":    func() { g.CreateSpendTx(&SpendableOut{PkScript: NewKey("k").P2WPKH()}, 1) },
		"even dup":      func() { DuplicateLastTx(g.Tip()) },
		"no commitment": func() { g.BreakWitnessCommitment("a") },
		"break unknown": func() { g.BreakPoW("nope") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			fn()
		}()
	}
}

func TestCoinbaseScript(t *testing.T) {
	tests := []struct {
		height int32
		want   string // height part
	}{
		{1, "51"}, {16, "60"}, {17, "0111"}, {127, "017f"}, {128, "028000"},
		{255, "02ff00"}, {256, "020001"}, {32767, "02ff7f"}, {32768, "03008000"},
		{1 << 23, "0400008000"},
	}
	for _, tc := range tests {
		got := hex.EncodeToString(CoinbaseScript(tc.height, 0x0102030405060708))
		want := tc.want + "080807060504030201"
		if got != want {
			t.Errorf("height %d: %s, want %s", tc.height, got, want)
		}
	}
}

func TestScriptNum(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, ""}, {1, "01"}, {-1, "81"}, {127, "7f"}, {128, "8000"}, {-128, "8080"},
		{255, "ff00"}, {-255, "ff80"}, {256, "0001"}, {-32768, "008080"},
	}
	for _, tc := range tests {
		if got := hex.EncodeToString(scriptNum(tc.n)); got != tc.want {
			t.Errorf("%d: %s, want %s", tc.n, got, tc.want)
		}
	}
}

func TestAppendPush(t *testing.T) {
	tests := []struct {
		n    int
		head string
	}{{0, "00"}, {2, "02"}, {75, "4b"}, {76, "4c4c"}, {255, "4cff"}, {256, "4d0001"}, {65536, "4e00000100"}}
	for _, tc := range tests {
		data := bytes.Repeat([]byte{0x22}, tc.n)
		got := appendPush(nil, data)
		head, _ := hex.DecodeString(tc.head)
		if !bytes.HasPrefix(got, head) || len(got) != len(head)+tc.n {
			t.Errorf("len %d: head %x", tc.n, got[:min(len(got), 5)])
		}
	}
	if got := appendPush(nil, []byte{5}); !bytes.Equal(got, []byte{0x55}) {
		t.Errorf("small int push %x", got)
	}
	if got := appendPush(nil, []byte{0x81}); !bytes.Equal(got, []byte{op1Negate}) {
		t.Errorf("-1 push %x", got)
	}
}

func TestAnyoneCanSpendScripts(t *testing.T) {
	if hex.EncodeToString(OpTrueP2SH) != "a914da1745e9b549bd0bfa1a569971c77eba30cd5a4b87" {
		t.Errorf("P2SH(OP_TRUE) = %x", OpTrueP2SH)
	}
	if hex.EncodeToString(OpTrueP2WSH) != "00204ae81572f06e1b88fd5ced7a1a000945432e83e1551e6f721ee9c00b8cc33260" {
		t.Errorf("P2WSH(OP_TRUE) = %x", OpTrueP2WSH)
	}
	k1, k2 := NewKey("alice"), NewKey("alice")
	if !bytes.Equal(k1.PubKey, k2.PubKey) || len(k1.PubKey) != 33 || len(k1.KeyHash) != 20 {
		t.Error("NewKey not deterministic")
	}
	if bytes.Equal(NewKey("bob").PubKey, k1.PubKey) {
		t.Error("different seeds, same key")
	}
	if p := k1.P2WPKH(); len(p) != 22 || p[0] != 0 || p[1] != 20 {
		t.Errorf("P2WPKH %x", p)
	}
}

func TestTakeCoinbaseOutAndPathTo(t *testing.T) {
	g := New(nil)
	for i := range 101 {
		g.NextBlock(blockName(i), nil)
	}
	g.SetTip(blockName(2))
	g.NextBlock("fork", nil)
	path := g.PathTo("fork")
	if len(path) != 4 || path[0] != g.BlockByName(blockName(0)) || path[3] != g.BlockByName("fork") {
		t.Fatalf("path of %d blocks", len(path))
	}
	for i := 1; i < len(path); i++ {
		if path[i].Header.PrevBlock != path[i-1].BlockHash() {
			t.Errorf("path broken at %d", i)
		}
	}
	g.SetTip(blockName(100))
	got := g.TakeCoinbaseOut(blockName(0))
	if got.Height != 1 {
		t.Errorf("height %d", got.Height)
	}
	if out := g.OldestCoinbaseOut(); out.Height != 2 {
		t.Errorf("OldestCoinbaseOut handed out height %d after Take", out.Height)
	}
	defer func() {
		if recover() == nil {
			t.Error("second Take did not panic")
		}
	}()
	g.TakeCoinbaseOut(blockName(1))
}
