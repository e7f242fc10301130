package mining

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"math"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

func TestCmpRate(t *testing.T) {
	tests := []struct {
		f1, w1, f2, w2 int64
		want           int
	}{
		{1, 1, 1, 1, 0},
		{2, 1, 1, 1, 1},
		{1, 2, 1, 1, -1},
		{1000, 400, 2500, 1000, 0}, // both 2.5
		{0, 5, 0, 7, 0},
		{0, 5, 1, 700, -1},
		{-1, 5, 0, 7, -1},
		{-1, 5, -1, 10, -1}, // -0.2 < -0.1
		{-3, 10, -1, 10, -1},
		{math.MaxInt64, 4_000_000, math.MaxInt64 - 1, 4_000_000, 1}, // would overflow int64 products
		{math.MaxInt64, 3_999_999, math.MaxInt64, 4_000_000, 1},
		{5, 0, 5, 1, 0}, // zero weight counts as one
	}
	for _, tc := range tests {
		if got := cmpRate(tc.f1, tc.w1, tc.f2, tc.w2); got != tc.want {
			t.Errorf("cmpRate(%d/%d, %d/%d) = %d, want %d", tc.f1, tc.w1, tc.f2, tc.w2, got, tc.want)
		}
		if got := cmpRate(tc.f2, tc.w2, tc.f1, tc.w1); got != -tc.want {
			t.Errorf("cmpRate(%d/%d, %d/%d) = %d, want %d", tc.f2, tc.w2, tc.f1, tc.w1, got, -tc.want)
		}
	}
}

func TestCoinbaseScript(t *testing.T) {
	tests := []struct {
		height int32
		flags  []byte
		want   string
	}{
		{1, nil, "51" + "080807060504030201"},
		{16, nil, "60" + "080807060504030201"},
		{17, nil, "0111" + "080807060504030201"},
		{128, nil, "028000" + "080807060504030201"},
		{500_000, []byte("/gg/"), "0320a107" + "080807060504030201" + "042f67672f"},
	}
	for _, tc := range tests {
		got, err := CoinbaseScript(tc.height, 0x0102030405060708, tc.flags)
		if err != nil || hex.EncodeToString(got) != tc.want {
			t.Errorf("height %d: %x, %v; want %s", tc.height, got, err, tc.want)
		}
	}
}

func TestCoinbaseScriptErrors(t *testing.T) {
	for _, n := range []int{90, 200} {
		_, err := CoinbaseScript(1000, 1, bytes.Repeat([]byte{'x'}, n))
		if !errors.Is(err, ErrCoinbaseScript) {
			t.Errorf("flags of %d bytes: err %v", n, err)
		}
	}
}

// coinbaseOnlyBlock returns a block with a template coinbase at height.
func coinbaseOnlyBlock(t *testing.T, height int32, flags []byte) *wire.MsgBlock {
	t.Helper()
	cb, err := newCoinbase(height, 1, flags, []byte{0x51}, 50, nil)
	if err != nil {
		t.Fatal(err)
	}
	blk := &wire.MsgBlock{Header: wire.BlockHeader{Version: 1, Bits: chaincfg.RegTestParams.PowLimitBits},
		Transactions: []*wire.MsgTx{cb}}
	blk.Header.MerkleRoot, _ = wire.BlockMerkleRoot(blk.Transactions)
	return blk
}

func TestUpdateExtraNonce(t *testing.T) {
	for _, flags := range [][]byte{nil, []byte("/gg/"), bytes.Repeat([]byte{'f'}, 80)} {
		blk := coinbaseOnlyBlock(t, 300, flags)
		before := blk.Header.MerkleRoot
		if err := UpdateExtraNonce(blk, 300, 0xdeadbeef); err != nil {
			t.Fatalf("flags %q: %v", flags, err)
		}
		want, _ := CoinbaseScript(300, 0xdeadbeef, flags)
		if got := blk.Transactions[0].TxIn[0].SignatureScript; !bytes.Equal(got, want) {
			t.Errorf("flags %q: script %x, want %x", flags, got, want)
		}
		root, _ := wire.BlockMerkleRoot(blk.Transactions)
		if blk.Header.MerkleRoot != root || root == before {
			t.Errorf("flags %q: merkle root not updated", flags)
		}
	}
}

func TestUpdateExtraNonceErrors(t *testing.T) {
	notCB := coinbaseOnlyBlock(t, 5, nil)
	notCB.Transactions[0].TxIn[0].PreviousOutPoint.Index = 0
	tests := []struct {
		name string
		blk  *wire.MsgBlock
	}{
		{"no transactions", &wire.MsgBlock{}},
		{"first tx not coinbase", notCB},
	}
	for _, tc := range tests {
		if err := UpdateExtraNonce(tc.blk, 5, 1); !errors.Is(err, ErrBadTemplate) {
			t.Errorf("%s: err %v", tc.name, err)
		}
	}
}

func TestWitnessCommitmentScript(t *testing.T) {
	var root chainhash.Hash
	root[0] = 7
	s := witnessCommitmentScript(root, witnessReservedValue)
	if len(s) != 38 || !bytes.HasPrefix(s, []byte{0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed}) {
		t.Fatalf("script %x", s)
	}
	want := chainhash.DoubleHashB(append(root[:], witnessReservedValue...))
	if !bytes.Equal(s[6:], want) {
		t.Errorf("commitment %x, want %x", s[6:], want)
	}
}

func TestSolveBlock(t *testing.T) {
	blk := coinbaseOnlyBlock(t, 1, nil)
	if !SolveBlock(context.Background(), &blk.Header) {
		t.Fatal("regtest block not solved")
	}
	hash := blk.BlockHash()
	if chaincfg.HashToBig(&hash).Cmp(chaincfg.RegTestParams.PowLimit) > 0 {
		t.Errorf("hash %s above target", hash)
	}
}

func TestSolveBlockFailures(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	hard := coinbaseOnlyBlock(t, 1, nil).Header
	hard.Bits = 0x03000001 // target 1: unreachable
	tests := []struct {
		name string
		ctx  context.Context
		bits uint32
	}{
		{"canceled context", canceled, 0x1d00ffff},
		{"zero target", context.Background(), 0},
		{"negative target", context.Background(), 0x04923456},
	}
	for _, tc := range tests {
		h := hard
		h.Bits = tc.bits
		if SolveBlock(tc.ctx, &h) {
			t.Errorf("%s: solved", tc.name)
		}
		if h.Nonce != hard.Nonce {
			t.Errorf("%s: nonce moved to %d", tc.name, h.Nonce)
		}
	}
}

// refSolve is the nonce-by-nonce loop SolveBlock replaced: the verdicts
// must stay the same.
func refSolve(header wire.BlockHeader, limit int) (uint32, bool) {
	target := chaincfg.CompactToBig(header.Bits)
	for range limit {
		hash := header.BlockHash()
		if chaincfg.HashToBig(&hash).Cmp(target) <= 0 {
			return header.Nonce, true
		}
		header.Nonce++
	}
	return 0, false
}

// TestSolveBlockMatchesReference checks that SolveBlock picks the nonce
// the plain loop picks, from several start nonces (one near the wrap) and
// at targets from regtest's to one in 65,536.
func TestSolveBlockMatchesReference(t *testing.T) {
	for _, bits := range []uint32{chaincfg.RegTestParams.PowLimitBits, 0x200fffff, 0x1f0fffff, 0x1f00ffff} {
		for _, start := range []uint32{0, 12345, 0xffffff00} {
			blk := coinbaseOnlyBlock(t, 7, nil)
			blk.Header.Bits = bits
			blk.Header.Nonce = start
			want, ok := refSolve(blk.Header, 1<<20)
			if !ok {
				t.Fatalf("bits %08x start %d: reference found nothing", bits, start)
			}
			if !SolveBlock(context.Background(), &blk.Header) || blk.Header.Nonce != want {
				t.Errorf("bits %08x start %d: SolveBlock nonce %d, reference %d", bits, start, blk.Header.Nonce, want)
			}
		}
	}
}
