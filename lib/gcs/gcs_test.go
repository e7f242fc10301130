package gcs

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/internal/vectors"
	"github.com/gamegold/gg/lib/wire"
)

// TestBasicFilterVectors runs every row of BIP158's vectors (Core's
// blockfilters.json, ../shared/testdata/vectors/filter-valid.json): the
// block's basic filter from the block and its spent scripts must be the
// row's bytes, decode back to itself, and chain to the row's header from
// the row's previous header.
func TestBasicFilterVectors(t *testing.T) {
	raw, src := vectors.Read(t, vectors.FilterValid)
	var rows [][]any
	if err := json.Unmarshal(raw, &rows); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	ran := 0
	for i, row := range rows {
		if len(row) == 1 || (len(row) > 0 && fmt.Sprint(row[0]) == "Block Height,Block Hash,Block,[Prev Output Scripts for Block],Previous Basic Header,Basic Filter,Basic Header,Notes") {
			continue // title and column names
		}
		if len(row) != 8 {
			t.Fatalf("row %d: %d columns", i, len(row))
		}
		name := fmt.Sprintf("height %.0f %s", row[0], row[7])
		t.Run(name, func(t *testing.T) {
			blk, err := wire.DecodeBlockHex(row[2].(string))
			if err != nil {
				t.Fatalf("block: %v", err)
			}
			if got := blk.BlockHash().String(); got != row[1].(string) {
				t.Fatalf("block hash %s, row says %s", got, row[1])
			}
			var spent [][]byte
			for _, s := range row[3].([]any) {
				spent = append(spent, mustHex(t, s.(string)))
			}
			prev := mustHash(t, row[4].(string))
			want := mustHex(t, row[5].(string))
			f, err := BuildBasic(blk, spent)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(f.Bytes(), want) {
				t.Fatalf("filter %x\nwant   %x", f.Bytes(), want)
			}
			d, err := DecodeBasic(want)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !d.Equal(f) || d.N() != f.N() {
				t.Fatalf("decoded filter differs: N %d, want %d", d.N(), f.N())
			}
			if got, want := Header(f.Hash(), prev), mustHash(t, row[6].(string)); got != want {
				t.Fatalf("header %v, want %v", got, want)
			}
			// Every element matches, in the built and the decoded filter.
			key := BlockKey(blk.BlockHash())
			for _, e := range BasicElements(blk, spent) {
				if !f.Match(key, e) || !d.Match(key, e) {
					t.Fatalf("element %x does not match", e)
				}
			}
		})
		ran++
	}
	if ran < 9 {
		t.Fatalf("%s: only %d vector rows", src, ran)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustHash reads a hash in display (byte-reversed) order, as the vectors
// give block hashes and filter headers.
func mustHash(t *testing.T, s string) chainhash.Hash {
	t.Helper()
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestBasicElements: OP_RETURN and empty output scripts are left out,
// empty spent scripts too, and everything else is in.
func TestBasicElements(t *testing.T) {
	p2wpkh := append([]byte{0x00, 0x14}, bytes.Repeat([]byte{7}, 20)...)
	record := []byte{0x6a, 0x04, 'g', 'g', 1, 3}
	tx := &wire.MsgTx{Version: 2, TxIn: []*wire.TxIn{{}}, TxOut: []*wire.TxOut{
		{Value: 0, PkScript: record}, {Value: 1, PkScript: p2wpkh}, {Value: 2, PkScript: nil}, {Value: 3, PkScript: []byte{0x51}}}}
	blk := &wire.MsgBlock{Transactions: []*wire.MsgTx{tx}}
	spent := [][]byte{{}, {0x52}, p2wpkh}
	got := BasicElements(blk, spent)
	want := [][]byte{p2wpkh, {0x51}, {0x52}, p2wpkh}
	if fmt.Sprintf("%x", got) != fmt.Sprintf("%x", want) {
		t.Fatalf("elements %x, want %x", got, want)
	}
	f, err := BuildBasic(blk, spent)
	if err != nil {
		t.Fatal(err)
	}
	if f.N() != 3 {
		t.Errorf("N %d, want 3 (duplicates count once)", f.N())
	}
	key := BlockKey(blk.BlockHash())
	if f.Match(key, record) {
		t.Error("the OP_RETURN record matches") // 1 in 784931 by chance: the key is fixed
	}
	if !f.MatchAny(key, [][]byte{{0x99}, {0x52}}) {
		t.Error("MatchAny misses a spent script")
	}
	if f.MatchAny(key, [][]byte{{0x99}, {0x98}, record}) {
		t.Error("MatchAny matches scripts not in the block")
	}
	if f.MatchAny(key, nil) {
		t.Error("MatchAny of nothing matched")
	}
}

// TestEmptyFilter: no elements is the single byte 00, which matches
// nothing.
func TestEmptyFilter(t *testing.T) {
	f, err := Build(Basic, Key{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(f.Bytes(), []byte{0}) || f.N() != 0 {
		t.Fatalf("empty filter %x", f.Bytes())
	}
	if f.Match(Key{}, []byte{1}) || f.MatchAny(Key{}, [][]byte{{1}}) {
		t.Error("the empty filter matched")
	}
}

// TestMatchRoundTrip: sets of many sizes match all their elements after
// a decode, and a sample of non-elements mostly not.
func TestMatchRoundTrip(t *testing.T) {
	key := Key{1, 2, 3}
	for _, n := range []int{1, 2, 10, 300} {
		var items [][]byte
		for i := range n {
			items = append(items, []byte(fmt.Sprintf("item-%d", i)))
		}
		f, err := Build(Basic, key, items)
		if err != nil {
			t.Fatal(err)
		}
		d, err := DecodeBasic(bytes.Clone(f.Bytes()))
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		for _, it := range items {
			if !d.Match(key, it) {
				t.Fatalf("n=%d: %s missing", n, it)
			}
		}
		if !d.MatchAny(key, [][]byte{[]byte("nope"), items[n-1]}) {
			t.Fatalf("n=%d: MatchAny misses the last item", n)
		}
		false_ := 0
		for i := range 1000 {
			if d.Match(key, []byte(fmt.Sprintf("other-%d", i))) {
				false_++
			}
		}
		if false_ > 2 {
			t.Errorf("n=%d: %d false positives in 1000 (rate 1/784931)", n, false_)
		}
	}
}

// TestDecodeErrors: every malformed filter is refused with its kind.
func TestDecodeErrors(t *testing.T) {
	good, err := Build(Basic, Key{9}, [][]byte{{1}, {2}, {3}})
	if err != nil {
		t.Fatal(err)
	}
	g := good.Bytes()
	var ten [][]byte
	for i := range 10 {
		ten = append(ten, []byte{byte(i)})
	}
	big, err := Build(Basic, Key{9}, ten)
	if err != nil {
		t.Fatal(err)
	}
	b10 := big.Bytes()
	cases := []struct {
		name string
		b    []byte
		kind ErrorKind
	}{
		{"no bytes", nil, ErrBadCount},
		{"non-minimal count", []byte{0xfd, 0x01, 0x00, 0xff}, ErrBadCount},
		{"count beyond MaxSize", []byte{0xff, 0, 0, 0, 0, 1, 0, 0, 0}, ErrBadCount},
		{"count the bytes cannot hold", []byte{0x02, 0xff}, ErrTooMany},
		{"huge count, few bytes", append([]byte{0xfe, 0xff, 0xff, 0xff, 0x01}, make([]byte, 64)...), ErrTooMany},
		{"truncated", b10[:len(b10)-1], ErrTruncated},
		{"unary runs off the end", []byte{0x01, 0xff, 0xff, 0xff}, ErrTruncated},
		{"value out of range", []byte{0x01, 0xc0, 0x00, 0x00}, ErrOutOfRange},
		{"trailing byte", append(append([]byte(nil), g...), 0), ErrTrailing},
		{"empty set with a byte", []byte{0x00, 0x00}, ErrTrailing},
		{"padding", padded(g), ErrBadPadding},
	}
	for _, c := range cases {
		_, err := DecodeBasic(c.b)
		if !errors.Is(err, c.kind) {
			t.Errorf("%s (%x): %v, want %v", c.name, c.b, err, c.kind)
		}
		var de *DecodeError
		if err != nil && !errors.As(err, &de) {
			t.Errorf("%s: %T is not a *DecodeError", c.name, err)
		}
	}
	if _, err := Decode(Params{P: 0, M: 1}, g); !errors.Is(err, ErrBadParams) {
		t.Errorf("P=0: %v", err)
	}
}

// padded sets the last padding bit of a filter whose stream does not
// end on a byte boundary.
func padded(g []byte) []byte {
	b := append([]byte(nil), g...)
	b[len(b)-1] |= 1
	return b
}

// FuzzDecode: no panic on any bytes, and whatever decodes re-encodes to
// the same bytes from its values (a canonical stream) and matches what
// Match finds.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{0})
	for _, n := range []int{1, 2, 5, 40} {
		var items [][]byte
		for i := range n {
			items = append(items, []byte{byte(i), byte(n)})
		}
		g, _ := Build(Basic, Key{}, items)
		f.Add(g.Bytes())
	}
	f.Add([]byte{0x01, 0xc0, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodeBasic(b)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%T: %v", err, err)
			}
			return
		}
		// Rebuild the stream from the decoded values.
		w := bitWriter{b: wire.AppendCompactSize(nil, uint64(d.N()))}
		var last uint64
		count := 0
		d.values(func(v uint64) bool {
			if v < last || v >= uint64(d.N())*BasicM {
				t.Fatalf("value %d after %d (span %d)", v, last, uint64(d.N())*BasicM)
			}
			w.writeUnary((v - last) >> BasicP)
			w.writeBits(v-last, BasicP)
			last = v
			count++
			return true
		})
		if count != int(d.N()) {
			t.Fatalf("walked %d of %d values", count, d.N())
		}
		if !bytes.Equal(w.b, b) {
			t.Fatalf("not canonical:\n in  %x\n out %x", b, w.b)
		}
		d.Match(Key{}, b)
		d.MatchAny(Key{}, [][]byte{b, {1}})
	})
}
