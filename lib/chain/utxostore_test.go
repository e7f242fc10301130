package chain

import (
	"bytes"
	"errors"
	"testing"

	"github.com/gamegold/gg/lib/wire"
)

func TestUtxoEntrySerialization(t *testing.T) {
	tests := []*UtxoEntry{
		{Amount: 0, PkScript: []byte{}, Height: 0},
		{Amount: 5_000_000_000, PkScript: opTrue, Height: 1, Coinbase: true},
		{Amount: MaxMoney, PkScript: bytes.Repeat([]byte{0xac}, 10_000), Height: 0x7ffffffe, Game: []byte("prop:sword-001")},
	}
	for i, e := range tests {
		b := appendEntry(nil, e)
		got, rest, err := decodeEntry(b)
		if err != nil || len(rest) != 0 {
			t.Fatalf("entry %d: %v, %d bytes left", i, err, len(rest))
		}
		if got.Amount != e.Amount || got.Height != e.Height || got.Coinbase != e.Coinbase ||
			!bytes.Equal(got.PkScript, e.PkScript) || !bytes.Equal(got.Game, e.Game) {
			t.Fatalf("entry %d: round trip gave %+v", i, got)
		}
	}
	u := &blockUndo{spent: tests, game: []byte{1, 2, 3}}
	got, err := decodeUndo(u.encode())
	if err != nil || len(got.spent) != 3 || !bytes.Equal(got.game, u.game) || got.spent[2].Amount != MaxMoney {
		t.Fatalf("undo round trip: %+v, %v", got, err)
	}
}

func TestUtxoEntrySerializationErrors(t *testing.T) {
	good := appendEntry(nil, &UtxoEntry{Amount: 7, PkScript: opTrue, Height: 3, Game: []byte{9}})
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"truncated script", good[:3]},
		{"truncated game", good[:len(good)-1]},
		{"amount above max", appendEntry(nil, &UtxoEntry{Amount: MaxMoney + 1, PkScript: opTrue})},
		{"bad varint", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := decodeEntry(tc.b); !errors.Is(err, errCorrupt) {
				t.Fatalf("err = %v, want errCorrupt", err)
			}
		})
	}
	u := (&blockUndo{spent: []*UtxoEntry{{Amount: 1, PkScript: opTrue}}}).encode()
	for _, b := range [][]byte{nil, u[:len(u)-1], append(append([]byte(nil), u...), 0), {0x05}} {
		if _, err := decodeUndo(b); !errors.Is(err, errCorrupt) {
			t.Fatalf("undo %x: err = %v, want errCorrupt", b, err)
		}
	}
}

func TestUtxoCache(t *testing.T) {
	c := newUtxoCache(100)
	for i := range 1000 {
		c.put(op("c", uint32(i)), &UtxoEntry{Amount: int64(i)})
		if c.len() > 100 {
			t.Fatalf("cache grew to %d entries, bound 100", c.len())
		}
	}
	last := op("c", 999)
	if e := c.get(last); e == nil || e.Amount != 999 {
		t.Fatal("most recent entry missing")
	}
	c.remove(last)
	if c.get(last) != nil {
		t.Fatal("removed entry still cached")
	}
	off := newUtxoCache(-1)
	off.put(op("x", 0), &UtxoEntry{})
	if off.len() != 0 || off.get(op("x", 0)) != nil {
		t.Fatal("disabled cache stored an entry")
	}
	k := outpointKey(wire.OutPoint{Hash: hashOf("k"), Index: 0x01020304})
	if !bytes.Equal(k[32:], []byte{1, 2, 3, 4}) {
		t.Fatalf("outpoint key index not big-endian: %x", k[32:])
	}
}
