package chain

import (
	"bytes"
	"github.com/gamegold/gg/lib/blockfile"
	"reflect"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
)

// The chain's own records are untrusted once the datadir may be damaged:
// their decoders must refuse garbage without panicking, and whatever they
// accept must survive a re-encode/decode round trip unchanged.

func FuzzDecodeEntry(f *testing.F) {
	f.Add(appendEntry(nil, &UtxoEntry{Amount: 5000, PkScript: []byte{0, 20, 1, 2}, Height: 7, Coinbase: true, Game: []byte{9}}))
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, rest, err := decodeEntry(b)
		if err != nil {
			return
		}
		again, rest2, err := decodeEntry(appendEntry(nil, e))
		if err != nil || len(rest2) != 0 || !reflect.DeepEqual(normEntry(again), normEntry(e)) {
			t.Fatalf("entry round trip: %+v vs %+v (%v)", e, again, err)
		}
		_ = rest
	})
}

func FuzzDecodeUndo(f *testing.F) {
	u := &blockUndo{spent: []*UtxoEntry{{Amount: 1, PkScript: []byte{0x51}, Height: 2}}, game: []byte("g")}
	f.Add(u.encode())
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := decodeUndo(b)
		if err != nil {
			return
		}
		again, err := decodeUndo(u.encode())
		if err != nil || len(again.spent) != len(u.spent) || !bytes.Equal(again.game, u.game) {
			t.Fatalf("undo round trip: %v", err)
		}
	})
}

func FuzzDecodeIndexRecord(f *testing.F) {
	g := chaincfg.RegTestParams.GenesisBlock
	n := newBlockNode(&g.Header, nil)
	f.Add(indexKey(n), indexValue(n))
	f.Add(indexKey(n), indexValue(n)[:legacyIndexValueSize])
	f.Fuzz(func(t *testing.T, k, v []byte) {
		r, err := decodeIndexRecord(k, v)
		if err != nil {
			return
		}
		hash := r.header.BlockHash()
		if !bytes.Equal(hash[:], k[4:]) {
			t.Fatal("accepted a record whose header does not hash to its key")
		}
		m := &blockNode{hash: hash, height: r.height, header: r.header, status: r.status, numTxns: r.numTxns,
			blockPos: r.blockPos, undoPos: r.undoPos}
		want := v
		if r.legacy {
			want = append(bytes.Clone(v), make([]byte, 2*blockfile.PosSize)...)
		}
		if !bytes.Equal(indexKey(m), k) || !bytes.Equal(indexValue(m), want) {
			t.Fatal("index record round trip")
		}
	})
}

// normEntry treats nil and empty byte slices alike.
func normEntry(e *UtxoEntry) UtxoEntry {
	c := *e
	if len(c.PkScript) == 0 {
		c.PkScript = nil
	}
	if len(c.Game) == 0 {
		c.Game = nil
	}
	return c
}
