package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

// zeroInputTx is what gg-tx create prints before funding: outputs, no
// inputs, so its legacy serialization starts with the bytes 00 01 that
// also begin a BIP144 extended serialization.
func zeroInputTx(outs ...int64) *MsgTx {
	tx := &MsgTx{Version: 2}
	for _, v := range outs {
		tx.TxOut = append(tx.TxOut, &TxOut{Value: v, PkScript: []byte{0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}})
	}
	return tx
}

func TestDecodeTxLenient(t *testing.T) {
	cases := []struct {
		name string
		tx   *MsgTx
	}{
		{"zero inputs one output", zeroInputTx(100_000_000)},
		{"zero inputs two outputs", zeroInputTx(150_000_000, 1)},
		{"zero inputs no outputs", &MsgTx{Version: 1, LockTime: 9}},
		{"zero inputs zero value", zeroInputTx(0)},
		{"witness tx", sampleTx()},
		{"legacy tx", func() *MsgTx { tx := sampleTx(); tx.TxIn[0].Witness = nil; return tx }()},
	}
	for _, c := range cases {
		b := c.tx.Bytes()
		got, err := DecodeTxLenient(b)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !bytes.Equal(got.Bytes(), b) || got.TxHash() != c.tx.TxHash() {
			t.Errorf("%s: round trip differs", c.name)
		}
		if len(got.TxIn) != len(c.tx.TxIn) || len(got.TxOut) != len(c.tx.TxOut) {
			t.Errorf("%s: %d inputs %d outputs, want %d and %d", c.name,
				len(got.TxIn), len(got.TxOut), len(c.tx.TxIn), len(c.tx.TxOut))
		}
		hexTx, err := DecodeTxHexLenient(" " + hex.EncodeToString(b) + "\n")
		if err != nil || hexTx.TxHash() != c.tx.TxHash() {
			t.Errorf("%s: hex: %v", c.name, err)
		}
	}
}

// TestDecodeTxStrictRefusesZeroInputs pins the consensus decoder: a
// block's or peer's transaction without inputs stays undecodable, so
// the lenient reading never reaches blocks or P2P.
func TestDecodeTxStrictRefusesZeroInputs(t *testing.T) {
	b := zeroInputTx(100_000_000).Bytes()
	if _, err := DecodeTx(b); err == nil {
		t.Fatal("strict decoder accepted a transaction without inputs")
	}
	blk := &MsgBlock{Transactions: []*MsgTx{zeroInputTx(100_000_000)}}
	if _, err := DecodeBlock(blk.Bytes()); err == nil {
		t.Fatal("block decoder accepted a transaction without inputs")
	}
}

func TestDecodeTxLenientErrors(t *testing.T) {
	zb := zeroInputTx(100_000_000).Bytes()
	cases := []struct {
		name string
		b    []byte
		kind ErrorKind
	}{
		{"empty", nil, ErrShortRead},
		{"version only", zb[:4], ErrShortRead},
		{"zero inputs truncated", zb[:len(zb)-1], ErrShortRead},
		{"zero inputs trailing byte", append(append([]byte{}, zb...), 0), ErrTrailingBytes},
		{"zero inputs output count past end", append(append([]byte{}, zb[:4]...), 0x00, 0xfd, 0xff, 0xff), ErrTooLarge},
		{"witness tx trailing byte", append(sampleTx().Bytes(), 0), ErrTrailingBytes},
	}
	for _, c := range cases {
		_, err := DecodeTxLenient(c.b)
		if !errors.Is(err, c.kind) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.kind)
		}
	}
	if _, err := DecodeTxHexLenient("zz"); err == nil {
		t.Error("bad hex accepted")
	}
}

func FuzzDecodeTxLenient(f *testing.F) {
	f.Add(sampleTx().Bytes())
	f.Add(zeroInputTx(100_000_000).Bytes())
	f.Add(zeroInputTx(1, 2).Bytes())
	f.Add((&MsgTx{Version: 1}).Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := DecodeTxLenient(b)
		strict, serr := DecodeTx(b)
		if err != nil {
			if serr == nil {
				t.Fatal("lenient refused what the strict decoder accepts")
			}
			return
		}
		// Accepted bytes re-encode identically (round trip).
		if !bytes.Equal(tx.Bytes(), b) {
			t.Fatalf("non-canonical accept: % x", b)
		}
		if tx.SerializeSize() != len(b) {
			t.Fatal("size mismatch")
		}
		// Where the strict decoder accepts, both agree; beyond it, only
		// transactions without inputs are added.
		if serr == nil {
			if strict.WitnessHash() != tx.WitnessHash() {
				t.Fatal("lenient and strict disagree")
			}
		} else if len(tx.TxIn) != 0 {
			t.Fatalf("lenient accepted %d inputs the strict decoder refused", len(tx.TxIn))
		}
	})
}
