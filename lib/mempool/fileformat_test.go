package mempool

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

func TestFileFormat(t *testing.T) {
	a := graphTx(1, 2)
	b := graphTx(2, 1, out(a, 0))
	b.TxIn[0].Witness = [][]byte{{1, 2, 3}}
	recs := []fileRecord{
		{tx: a, added: time.Unix(1_700_000_000, 123), feeDelta: -5},
		{tx: b, added: time.Unix(1_700_000_100, 0), feeDelta: 0},
	}
	data := encodeFile(0xabcd, recs)
	got, err := decodeFile(data, 0xabcd)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d records", len(got))
	}
	for i := range recs {
		if got[i].tx.WitnessHash() != recs[i].tx.WitnessHash() || !got[i].added.Equal(recs[i].added) || got[i].feeDelta != recs[i].feeDelta {
			t.Errorf("record %d differs", i)
		}
	}
	empty, err := decodeFile(encodeFile(1, nil), 1)
	if err != nil || len(empty) != 0 {
		t.Fatalf("empty file: %v, %d", err, len(empty))
	}
}

func TestFileFormatErrors(t *testing.T) {
	a := graphTx(1, 2)
	good := encodeFile(7, []fileRecord{{tx: a, added: time.Unix(1, 0)}})
	flip := func(i int) []byte {
		b := append([]byte(nil), good...)
		b[i] ^= 1
		return b
	}
	// resum rewrites the checksum so damage behind it is seen by the parser.
	resum := func(b []byte) []byte {
		body := b[:len(b)-32]
		return encodeRaw(body)
	}
	badVersion := append([]byte(nil), good[:len(good)-32]...)
	binary.LittleEndian.PutUint32(badVersion[4:], 2)
	badCount := append([]byte(nil), good[:len(good)-32]...)
	binary.LittleEndian.PutUint64(badCount[12:], 1<<40)
	badLen := append([]byte(nil), good[:len(good)-32]...)
	binary.LittleEndian.PutUint32(badLen[fileHeaderSize+16:], 1<<30)
	badTx := append([]byte(nil), good[:len(good)-32]...)
	badTx[fileHeaderSize+fileRecordHead+4] = 0xfd // input count becomes a bogus compact size
	trailing := append(append([]byte(nil), good[:len(good)-32]...), 0)
	tests := []struct {
		name string
		data []byte
		net  uint32
	}{
		{"empty", nil, 7},
		{"truncated", good[:len(good)-1], 7},
		{"truncated to header", good[:fileHeaderSize], 7},
		{"flipped body byte", flip(30), 7},
		{"flipped checksum", flip(len(good) - 1), 7},
		{"wrong network", good, 8},
		{"bad magic", resum(flip(0)), 7},
		{"unknown version", encodeRaw(badVersion), 7},
		{"count beyond data", encodeRaw(badCount), 7},
		{"length beyond data", encodeRaw(badLen), 7},
		{"undecodable tx", encodeRaw(badTx), 7},
		{"trailing bytes", encodeRaw(trailing), 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := decodeFile(tt.data, tt.net)
			if !errors.Is(err, ErrBadFile) {
				t.Fatalf("err = %v, want ErrBadFile", err)
			}
			if recs != nil {
				t.Fatal("records returned with an error")
			}
		})
	}
}

// encodeRaw appends a fresh checksum to body.
func encodeRaw(body []byte) []byte {
	sum := sha256Sum(body)
	return append(append([]byte(nil), body...), sum[:]...)
}
