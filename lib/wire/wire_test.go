package wire

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/internal/vectors"
)

func mustHex(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Bitcoin's genesis header: a known 80-byte encoding and hash.
const btcGenesisHeader = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c"

func TestHeaderEncoding(t *testing.T) {
	raw := mustHex(t, btcGenesisHeader)
	h, err := DecodeHeader(raw)
	if err != nil {
		t.Fatal(err)
	}
	if h.Version != 1 || h.Timestamp != 1231006505 || h.Bits != 0x1d00ffff || h.Nonce != 2083236893 {
		t.Fatalf("fields: %+v", h)
	}
	if got := h.BlockHash().String(); got != "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f" {
		t.Fatalf("hash %s", got)
	}
	if !bytes.Equal(h.Bytes(), raw) {
		t.Fatal("re-encoding differs")
	}
}

func TestHeaderDecodeErrors(t *testing.T) {
	raw := mustHex(t, btcGenesisHeader)
	for _, b := range [][]byte{nil, raw[:79], append(append([]byte{}, raw...), 0)} {
		if _, err := DecodeHeader(b); !errors.Is(err, ErrHeaderTooShort) {
			t.Errorf("len %d: err %v", len(b), err)
		}
	}
}

// TestTxVectorsRoundTrip decodes every transaction in Bitcoin Core's
// tx-valid.json and checks that re-encoding gives the same bytes.
func TestTxVectorsRoundTrip(t *testing.T) {
	raw, src := vectors.Read(t, vectors.TxValid) // $GG_VECTORS, ../shared or the btcd module's copy
	var cases [][]json.RawMessage
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	n, witness := 0, 0
	for _, c := range cases {
		if len(c) < 2 {
			continue
		}
		var s string
		if json.Unmarshal(c[1], &s) != nil {
			continue
		}
		b := mustHex(t, s)
		tx, err := DecodeTx(b)
		if err != nil {
			t.Errorf("decode %s…: %v", s[:16], err)
			continue
		}
		if !bytes.Equal(tx.Bytes(), b) {
			t.Errorf("round trip differs for %s…", s[:16])
		}
		if tx.SerializeSize() != len(b) {
			t.Errorf("SerializeSize %d, len %d", tx.SerializeSize(), len(b))
		}
		if tx.HasWitness() {
			witness++
			if tx.TxHash() == tx.WitnessHash() {
				t.Error("witness tx: txid equals wtxid")
			}
		} else if tx.TxHash() != tx.WitnessHash() {
			t.Error("non-witness tx: txid differs from wtxid")
		}
		n++
	}
	t.Logf("%s: %d transactions round-tripped (%d with witness)", src, n, witness)
	if n < 100 {
		t.Fatalf("only %d transactions found", n)
	}
}

func sampleTx() *MsgTx {
	return &MsgTx{Version: 2, LockTime: 7,
		TxIn: []*TxIn{{PreviousOutPoint: OutPoint{Hash: chainhash.HashH([]byte("a")), Index: 1},
			SignatureScript: []byte{1, 2, 3}, Sequence: 0xfffffffe,
			Witness: TxWitness{{0xaa}, make([]byte, 300)}}},
		TxOut: []*TxOut{{Value: 5000, PkScript: []byte{0x51}}, {Value: 0, PkScript: nil}}}
}

func TestTxEncoding(t *testing.T) {
	tx := sampleTx()
	b := tx.Bytes()
	got, err := DecodeTx(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), b) || got.TxHash() != tx.TxHash() || got.WitnessHash() != tx.WitnessHash() {
		t.Fatal("round trip")
	}
	if tx.SerializeSizeStripped() != len(tx.BytesNoWitness()) {
		t.Fatal("stripped size")
	}
	if w := tx.Weight(); w != 3*len(tx.BytesNoWitness())+len(b) {
		t.Fatalf("weight %d", w)
	}
	c := tx.Copy()
	c.TxIn[0].Witness[0][0] = 0xbb
	c.TxOut[0].PkScript[0] = 0x52
	if tx.TxIn[0].Witness[0][0] != 0xaa || tx.TxOut[0].PkScript[0] != 0x51 {
		t.Fatal("Copy is shallow")
	}
	if tx.IsCoinBase() {
		t.Fatal("not a coinbase")
	}
	op, err := ParseOutPoint(tx.TxIn[0].PreviousOutPoint.String())
	if err != nil || op != tx.TxIn[0].PreviousOutPoint {
		t.Fatalf("outpoint round trip: %v", err)
	}
}

func TestTxDecodeErrors(t *testing.T) {
	legacy := sampleTx()
	legacy.TxIn[0].Witness = nil
	lb := legacy.Bytes()
	wb := sampleTx().Bytes()

	// A legacy tx whose input count (offset 4) is re-encoded non-minimally.
	nonMinimal := append(append(append([]byte{}, lb[:4]...), 0xfd, 0x01, 0x00), lb[5:]...)
	// Witness marker with flag 2.
	badFlag := append([]byte{}, wb...)
	badFlag[5] = 0x02
	// Witness flag set but the only witness is empty: re-encode by hand.
	emptyWit := append(append([]byte{}, lb[:4]...), 0x00, 0x01)
	emptyWit = append(emptyWit, lb[4:len(lb)-4]...)
	emptyWit = append(emptyWit, 0x00)
	emptyWit = append(emptyWit, lb[len(lb)-4:]...)
	// Input count claiming far more inputs than bytes remain.
	hugeCount := append(append(append([]byte{}, lb[:4]...), 0xfd, 0xff, 0xff), lb[5:]...)
	// Count above MaxSize.
	overMax := append(append(append([]byte{}, lb[:4]...), 0xfe, 0x00, 0x00, 0x00, 0x04), lb[5:]...)
	// Script length past the end.
	longScript := append([]byte{}, lb...)
	longScript[4+1+36] = 0xfc

	cases := []struct {
		name string
		b    []byte
		kind ErrorKind
	}{
		{"empty", nil, ErrShortRead},
		{"truncated", lb[:len(lb)-1], ErrShortRead},
		{"trailing byte", append(append([]byte{}, lb...), 0), ErrTrailingBytes},
		{"non-minimal compact size", nonMinimal, ErrNonCanonical},
		{"bad witness flag", badFlag, ErrBadWitnessFlag},
		{"superfluous witness", emptyWit, ErrEmptyWitness},
		{"count exceeds data", hugeCount, ErrTooLarge},
		{"count exceeds max size", overMax, ErrTooLarge},
		{"script past end", longScript, ErrTooLarge},
	}
	for _, c := range cases {
		_, err := DecodeTx(c.b)
		if !errors.Is(err, c.kind) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.kind)
		}
		var de *DecodeError
		if err != nil && !errors.As(err, &de) {
			t.Errorf("%s: not a *DecodeError: %T", c.name, err)
		}
	}
	if _, err := DecodeTxHex("zz"); err == nil {
		t.Error("bad hex accepted")
	}
}

func TestCompactSize(t *testing.T) {
	for _, v := range []uint64{0, 0xfc, 0xfd, 0xffff, 0x10000, MaxSize} {
		b := AppendCompactSize(nil, v)
		if len(b) != CompactSizeLen(v) {
			t.Errorf("%d: len %d vs %d", v, len(b), CompactSizeLen(v))
		}
		got, err := NewReader(b).CompactSize("x")
		if err != nil || got != v {
			t.Errorf("%d: got %d, %v", v, got, err)
		}
	}
	for _, b := range [][]byte{{0xfd, 0xfc, 0x00}, {0xfe, 0xff, 0xff, 0x00, 0x00}, {0xff, 1, 0, 0, 0, 0, 0, 0, 0}} {
		if _, err := NewReader(b).CompactSize("x"); !errors.Is(err, ErrNonCanonical) {
			t.Errorf("% x: err %v", b, err)
		}
	}
}

func TestMerkleRoot(t *testing.T) {
	h := func(s string) chainhash.Hash { return chainhash.HashH([]byte(s)) }
	a, b, c := h("a"), h("b"), h("c")
	r3, m3 := MerkleRoot([]chainhash.Hash{a, b, c})
	r4, m4 := MerkleRoot([]chainhash.Hash{a, b, c, c})
	if r3 != r4 {
		t.Fatal("CVE-2012-2459: roots should collide")
	}
	if m3 || !m4 {
		t.Fatalf("mutation flags: [a,b,c]=%v [a,b,c,c]=%v", m3, m4)
	}
	ab := chainhash.HashPair(&a, &b)
	cc := chainhash.HashPair(&c, &c)
	if r3 != chainhash.HashPair(&ab, &cc) {
		t.Fatal("root of three")
	}
	if r, _ := MerkleRoot([]chainhash.Hash{a}); r != a {
		t.Fatal("single leaf root is the leaf")
	}
	// A mutation deeper in the tree: duplicated pair of pairs.
	_, m := MerkleRoot([]chainhash.Hash{a, b, a, b})
	if !m {
		t.Fatal("duplicate subtree not flagged")
	}
	// Branch reconstructs the root.
	leaves := []chainhash.Hash{a, b, c, h("d"), h("e")}
	root, _ := MerkleRoot(leaves)
	for i := range leaves {
		cur := leaves[i]
		idx := i
		for _, s := range MerkleBranch(leaves, i) {
			if idx&1 == 0 {
				cur = chainhash.HashPair(&cur, &s)
			} else {
				cur = chainhash.HashPair(&s, &cur)
			}
			idx >>= 1
		}
		if cur != root {
			t.Errorf("branch %d does not reach the root", i)
		}
	}
}

func TestBlockEncoding(t *testing.T) {
	cb := &MsgTx{Version: 1, TxIn: []*TxIn{{PreviousOutPoint: OutPoint{Index: MaxPrevOutIndex},
		SignatureScript: []byte{1, 1}, Sequence: MaxTxInSequenceNum}},
		TxOut: []*TxOut{{Value: 50, PkScript: []byte{0x51}}}}
	blk := &MsgBlock{Transactions: []*MsgTx{cb, sampleTx()}}
	blk.Header.MerkleRoot, _ = BlockMerkleRoot(blk.Transactions)
	b := blk.Bytes()
	got, err := DecodeBlock(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), b) || got.BlockHash() != blk.BlockHash() {
		t.Fatal("block round trip")
	}
	if !cb.IsCoinBase() {
		t.Fatal("coinbase shape")
	}
	if blk.Weight() != 3*blk.SerializeSizeStripped()+blk.SerializeSize() {
		t.Fatal("block weight")
	}
	if _, err := DecodeBlock(append(b, 0)); !errors.Is(err, ErrTrailingBytes) {
		t.Errorf("trailing: %v", err)
	}
	if _, err := DecodeBlock(b[:len(b)-3]); err == nil {
		t.Error("truncated block accepted")
	}
	if _, err := DecodeBlock(make([]byte, MaxBlockSerializedSize+1)); !errors.Is(err, ErrBlockTooBig) {
		t.Errorf("oversize: %v", err)
	}
	hugeCount := append(append([]byte{}, b[:80]...), 0xfe, 0xff, 0xff, 0xff, 0x00)
	if _, err := DecodeBlock(hugeCount); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge tx count: %v", err)
	}
}

func FuzzDecodeTx(f *testing.F) {
	f.Add(sampleTx().Bytes())
	legacy := sampleTx()
	legacy.TxIn[0].Witness = nil
	f.Add(legacy.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := DecodeTx(b)
		if err != nil {
			return
		}
		// Decoding is canonical: accepted bytes re-encode identically.
		if !bytes.Equal(tx.Bytes(), b) {
			t.Fatalf("non-canonical accept: % x", b)
		}
		if tx.SerializeSize() != len(b) {
			t.Fatal("size mismatch")
		}
	})
}

func FuzzDecodeBlock(f *testing.F) {
	cb := &MsgTx{Version: 1, TxIn: []*TxIn{{PreviousOutPoint: OutPoint{Index: MaxPrevOutIndex},
		SignatureScript: []byte{1, 1}, Sequence: MaxTxInSequenceNum}},
		TxOut: []*TxOut{{Value: 50, PkScript: []byte{0x51}}}}
	f.Add((&MsgBlock{Transactions: []*MsgTx{cb, sampleTx()}}).Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		blk, err := DecodeBlock(b)
		if err != nil {
			return
		}
		if !bytes.Equal(blk.Bytes(), b) {
			t.Fatal("non-canonical block accept")
		}
	})
}

func FuzzDecodeHeader(f *testing.F) {
	f.Add(make([]byte, 80))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := DecodeHeader(b)
		if err != nil {
			if len(b) == BlockHeaderSize {
				t.Fatal("80 bytes rejected")
			}
			return
		}
		if !bytes.Equal(h.Bytes(), b) {
			t.Fatal("header round trip")
		}
	})
}
