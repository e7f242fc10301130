package game

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// FuzzDecodeRecord checks that the decoder never panics and is
// canonical: every payload it accepts re-encodes to the same bytes.
func FuzzDecodeRecord(f *testing.F) {
	for _, v := range vectors {
		b, _ := hex.DecodeString(v.hex)
		f.Add(b)
	}
	for _, v := range contractVectors {
		b, _ := hex.DecodeString(v.hex)
		f.Add(b)
	}
	f.Add([]byte{0x67, 0x67, 0x01, 0x05, 0xfd, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Decode(b)
		if err != nil {
			if Code(err) != CodeBadRecord {
				t.Fatalf("decode error without the bad-record code: %v", err)
			}
			return
		}
		enc, err := Encode(r)
		if err != nil {
			t.Fatalf("decoded record does not encode: %v", err)
		}
		if !bytes.Equal(enc, b) {
			t.Fatalf("not canonical:\n in  %x\n out %x", b, enc)
		}
		// The record script form round-trips through FindRecord too.
		s, err := RecordScript(r)
		if err != nil {
			t.Fatal(err)
		}
		if !IsRecordScript(s) {
			t.Fatal("record script not recognised")
		}
		if _, err := recordPayload(s); err != nil {
			t.Fatalf("record script refused: %v", err)
		}
	})
}

// FuzzDecodeObject checks the UTXO annotation decoder: accepted bytes
// re-encode identically.
func FuzzDecodeObject(f *testing.F) {
	f.Add([]byte{})
	f.Add(append([]byte{1}, make([]byte, 32)...))
	f.Add(append([]byte{2}, bytes.Repeat([]byte{0xff}, 32)...))
	f.Add([]byte{3})
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := DecodeObject(b)
		if err != nil {
			return
		}
		if !bytes.Equal(o.Bytes(), b) && !(len(b) == 0 && o.Bytes() == nil) {
			t.Fatalf("object %x re-encodes as %x", b, o.Bytes())
		}
	})
}

// FuzzDecodeTerms checks the terms decoder: it never panics and is
// canonical (accepted bytes re-encode identically, and the contract id
// and escrow script of accepted terms are computable).
func FuzzDecodeTerms(f *testing.F) {
	for _, h := range []string{termsVectorHex, swapTermsVectorHex} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Add(make([]byte, 66+8+1+8+1+1+1+4+8))
	f.Fuzz(func(t *testing.T, b []byte) {
		tm, err := DecodeTerms(b)
		if err != nil {
			if Code(err) != CodeBadRecord {
				t.Fatalf("decode error without the bad-record code: %v", err)
			}
			return
		}
		enc, err := EncodeTerms(tm)
		if err != nil {
			t.Fatalf("decoded terms do not encode: %v", err)
		}
		if !bytes.Equal(enc, b) {
			t.Fatalf("not canonical:\n in  %x\n out %x", b, enc)
		}
		if _, err := ContractID(tm); err != nil {
			t.Fatal(err)
		}
		if _, err := EscrowScript(tm); err != nil {
			t.Fatal(err)
		}
		_ = CheckTerms(tm)
	})
}
