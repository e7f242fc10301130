package game

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/wire"
)

// vectors are the canonical encodings documented in docs/protocol.md
// ("Game records", test vectors). Changing one is a consensus change.
var vectors = []struct {
	name string
	rec  Record
	hex  string // payload
}{
	{"producer-register", &ProducerRegister{Out: 1, ProducerInfo: ProducerInfo{
		Name: "Acme.Games", URL: "https://acme.example", IP: "192.0.2.7", Class: "rpg", Share: 15}},
		"676701010" + "10a41636d652e47616d657314" + hex.EncodeToString([]byte("https://acme.example")) +
			"093139322e302e322e3703727067" + "0f"},
	{"producer-change", &ProducerChange{Producer: idOf("producer"), Out: 1, ProducerInfo: ProducerInfo{Name: "acme-2"}},
		"67670102" + idOf("producer").String() + "01" + "0661636d652d32" + "000000" + "00"},
	{"prop-create", &PropCreate{Producer: idOf("producer"), ProducerOut: 1,
		Props: []NewProp{{Out: 2, OID: "sword"}, {Out: 3, OID: ""}}},
		"67670103" + idOf("producer").String() + "01" + "02" + "020573776f7264" + "0300"},
	{"prop-send", &PropSend{Moves: []PropMove{{Prop: idOf("prop-a"), Out: 1}, {Prop: idOf("prop-b"), Out: 300}}},
		"67670104" + "02" + idOf("prop-a").String() + "01" + idOf("prop-b").String() + "fd2c01"},
	{"prop-destroy", &PropDestroy{Props: []ID{{0x01}, {0x02}}},
		"67670105" + "02" + "01" + strings.Repeat("00", 31) + "02" + strings.Repeat("00", 31)},
	{"sale", &Sale{Prop: idOf("prop-a"), BuyNow: 500_000, Reserve: 20_000, End: 1234},
		"67670106" + idOf("prop-a").String() + "20a1070000000000" + "204e000000000000" + "d2040000"},
}

func TestRecordEncode(t *testing.T) {
	for _, v := range vectors {
		got, err := Encode(v.rec)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		if h := hex.EncodeToString(got); h != v.hex {
			t.Errorf("%s:\n got %s\nwant %s", v.name, h, v.hex)
		}
		back, err := Decode(got)
		if err != nil {
			t.Fatalf("%s: decode: %v", v.name, err)
		}
		if !reflect.DeepEqual(back, v.rec) {
			t.Errorf("%s: round trip %+v, want %+v", v.name, back, v.rec)
		}
		if back.Type().String() != v.name {
			t.Errorf("%s: type name %q", v.name, back.Type())
		}
	}
}

func TestRecordScript(t *testing.T) {
	small := &PropDestroy{Props: []ID{{1}}}                                                       // 37-byte payload: direct push
	mid := &PropCreate{Producer: ID{1}, Props: []NewProp{{Out: 1, OID: strings.Repeat("x", 64)}}} // PUSHDATA1
	big := &PropSend{}
	for i := range 100 {
		big.Moves = append(big.Moves, PropMove{Prop: ID{byte(i)}, Out: uint32(i + 1)})
	}
	for _, c := range []struct {
		r      Record
		prefix string
	}{{small, "6a25"}, {mid, "6a4c"}, {big, "6a4d"}} {
		s := mustScript(c.r)
		if !strings.HasPrefix(hex.EncodeToString(s), c.prefix) {
			t.Errorf("%v: script starts %x, want %s", c.r.Type(), s[:4], c.prefix)
		}
		if !IsRecordScript(s) {
			t.Errorf("%v: not recognised as a record script", c.r.Type())
		}
		tx := mkTx(1, out(0, s))
		r, idx, err := FindRecord(tx)
		if err != nil || idx != 0 || !reflect.DeepEqual(r, c.r) {
			t.Errorf("%v: FindRecord = %v, %d, %v", c.r.Type(), r, idx, err)
		}
	}
	// Plain data carriers are not records.
	for _, s := range []string{"6a", "6a0467670101", "6a026767", "6a03676600", "6a0167", "51", "6a4c"} {
		b, _ := hex.DecodeString(s)
		want := s == "6a0467670101" || s == "6a026767"
		if IsRecordScript(b) != want {
			t.Errorf("IsRecordScript(%s) = %v", s, !want)
		}
	}
}

func TestRecordDecodeErrors(t *testing.T) {
	good := func(name string) string {
		for _, v := range vectors {
			if v.name == name {
				return v.hex
			}
		}
		panic(name)
	}
	id := idOf("x").String()
	cases := []struct {
		name, hex string
	}{
		{"empty", ""},
		{"bad magic", "67680101"},
		{"no type", "676701"},
		{"unknown version", "67670201"},
		{"unknown type 0", "67670100"},
		{"unknown type 9", "67670109"},
		{"trailing byte", good("sale") + "00"},
		{"truncated", good("sale")[:len(good("sale"))-2]},
		{"non-minimal varint fd", "67670101" + "fd0100" + "0461626364000000" + "00"},
		{"non-minimal varint fe", "67670101" + "fe01000000" + "0461626364000000" + "00"},
		{"non-minimal varint ff", "67670101" + "ff0100000000000000" + "0461626364000000" + "00"},
		{"out beyond 32 bits", "67670101" + "ff0000000001000000" + "0461626364000000" + "00"},
		{"name too long", "67670101" + "01" + "29" + strings.Repeat("61", 41) + "000000" + "00"},
		{"url too long", "67670101" + "01" + "0461626364" + "c9" + strings.Repeat("61", 201) + "0000" + "00"},
		{"ip too long", "67670101" + "01" + "0461626364" + "00" + "2e" + strings.Repeat("31", 46) + "00" + "00"},
		{"class too long", "67670101" + "01" + "0461626364" + "0000" + "15" + strings.Repeat("61", 21) + "00"},
		{"invalid utf-8", "67670101" + "01" + "0461ff6364" + "000000" + "00"},
		{"control char", "67670101" + "01" + "04610a6364" + "000000" + "00"},
		{"del char", "67670101" + "01" + "04617f6364" + "000000" + "00"},
		{"string past end", "67670101" + "01" + "0a61626364"},
		{"create zero entries", "67670103" + id + "01" + "00"},
		{"create too many entries", "67670103" + id + "01" + "fde903"},
		{"create unordered", "67670103" + id + "01" + "02" + "0300" + "0200"},
		{"create duplicate out", "67670103" + id + "01" + "02" + "0200" + "0200"},
		{"oid too long", "67670103" + id + "01" + "01" + "02" + "41" + strings.Repeat("61", 65)},
		{"send zero entries", "67670104" + "00"},
		{"send unordered", "67670104" + "02" + id + "02" + id + "01"},
		{"send duplicate out", "67670104" + "02" + id + "01" + id + "01"},
		{"send duplicate prop", "67670104" + "02" + id + "01" + id + "02"},
		{"send duplicate prop apart", "67670104" + "03" + id + "01" + idOf("y").String() + "02" + id + "03"},
		{"send too many entries", "67670104" + "fde903"},
		{"destroy too many entries", "67670105" + "fde903"},
		{"destroy unordered", "67670105" + "02" + "02" + strings.Repeat("00", 31) + "01" + strings.Repeat("00", 31)},
		{"destroy duplicate", "67670105" + "02" + id + id},
		{"destroy count beyond data", "67670105" + "fde803" + id},
		{"sale short", "67670106" + id + "20a1070000000000"},
	}
	for _, c := range cases {
		b, err := hex.DecodeString(c.hex)
		if err != nil {
			t.Fatalf("%s: bad hex", c.name)
		}
		_, err = Decode(b)
		if err == nil {
			t.Errorf("%s: decoded", c.name)
			continue
		}
		if !errors.Is(err, ErrRule) || Code(err) != CodeBadRecord {
			t.Errorf("%s: error %v (code %q), want %s", c.name, err, Code(err), CodeBadRecord)
		}
	}
	if _, err := Decode(append([]byte{0x67, 0x67, 1, 5}, make([]byte, MaxRecordSize)...)); Code(err) != CodeBadRecord {
		t.Errorf("oversized payload: %v", err)
	}
}

func TestRecordEncodeErrors(t *testing.T) {
	many := make([]ID, MaxBatch+1)
	for i := range many {
		many[i] = ID{byte(i >> 8), byte(i)}
	}
	bigOIDs := &PropCreate{}
	for i := range MaxBatch {
		bigOIDs.Props = append(bigOIDs.Props, NewProp{Out: uint32(i + 1), OID: strings.Repeat("o", 64)})
	}
	cases := []struct {
		name string
		r    Record
	}{
		{"nil", nil},
		{"name too long", &ProducerRegister{ProducerInfo: ProducerInfo{Name: strings.Repeat("a", 41)}}},
		{"bad utf-8 url", &ProducerRegister{ProducerInfo: ProducerInfo{Name: "abcd", URL: "\xff"}}},
		{"control in oid", &PropCreate{Props: []NewProp{{Out: 1, OID: "a\tb"}}}},
		{"empty create", &PropCreate{}},
		{"unordered create", &PropCreate{Props: []NewProp{{Out: 2}, {Out: 1}}}},
		{"empty send", &PropSend{}},
		{"unordered send", &PropSend{Moves: []PropMove{{Out: 2}, {Out: 2}}}},
		{"send names a prop twice", &PropSend{Moves: []PropMove{{Prop: ID{1}, Out: 1}, {Prop: ID{2}, Out: 2}, {Prop: ID{1}, Out: 3}}}},
		{"too many sends", func() Record {
			r := &PropSend{}
			for i := range MaxBatch + 1 {
				r.Moves = append(r.Moves, PropMove{Prop: many[i], Out: uint32(i + 1)})
			}
			return r
		}()},
		{"too many destroys", &PropDestroy{Props: many}},
		{"unordered destroy", &PropDestroy{Props: []ID{{2}, {1}}}},
		{"oversized", bigOIDs},
	}
	for _, c := range cases {
		if _, err := Encode(c.r); Code(err) != CodeBadRecord {
			t.Errorf("%s: Encode error %v", c.name, err)
		}
		if c.r != nil {
			if _, err := RecordScript(c.r); err == nil {
				t.Errorf("%s: RecordScript accepted", c.name)
			}
		}
	}
}

func TestFindRecordErrors(t *testing.T) {
	r := &PropDestroy{Props: []ID{{1}}}
	p, _ := Encode(r)
	s := mustScript(r)
	pd1 := append([]byte{0x6a, 0x4c, byte(len(p))}, p...)
	pd4 := append([]byte{0x6a, 0x4e, byte(len(p)), 0, 0, 0}, p...)
	p2 := append([]byte{0x6a, 0x4d, byte(len(p)), 0}, p...)
	extra := append(append([]byte(nil), s...), 0x51)
	// A PUSHDATA2 push (payload over 255 bytes) missing its last byte.
	long := &PropDestroy{}
	for i := range 10 {
		long.Props = append(long.Props, ID{byte(i + 1)})
	}
	lp, _ := Encode(long)
	p2trunc := append([]byte{0x6a, 0x4d, byte(len(lp)), byte(len(lp) >> 8)}, lp[:len(lp)-1]...)
	trunc := s[:len(s)-1]
	bigP := append([]byte{0x67, 0x67, 1, 5}, make([]byte, MaxRecordSize-3)...)
	big := append([]byte{0x6a, 0x4d, byte(len(bigP)), byte(len(bigP) >> 8)}, bigP...)
	cases := []struct {
		name string
		outs []*wire.TxOut
		code string
	}{
		{"two records", []*wire.TxOut{out(0, s), out(0, s)}, CodeMultipleRecords},
		{"value", []*wire.TxOut{out(1, s)}, CodeBadRecord},
		{"pushdata1 not minimal", []*wire.TxOut{out(0, pd1)}, CodeBadRecord},
		{"pushdata2 not minimal", []*wire.TxOut{out(0, p2)}, CodeBadRecord},
		{"pushdata4", []*wire.TxOut{out(0, pd4)}, CodeBadRecord},
		{"second push", []*wire.TxOut{out(0, extra)}, CodeBadRecord},
		{"truncated push", []*wire.TxOut{out(0, trunc)}, CodeBadRecord},
		{"truncated pushdata2", []*wire.TxOut{out(0, p2trunc)}, CodeBadRecord},
		{"oversized", []*wire.TxOut{out(0, big)}, CodeBadRecord},
		{"bad payload", []*wire.TxOut{out(0, []byte{0x6a, 0x04, 0x67, 0x67, 0x01, 0x09})}, CodeBadRecord},
	}
	for _, c := range cases {
		_, _, err := FindRecord(mkTx(1, c.outs...))
		if Code(err) != c.code || !errors.Is(err, ErrRule) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	// No record, and plain OP_RETURN data next to a record.
	if r, idx, err := FindRecord(mkTx(1, out(5, wpkh("a")), out(0, []byte{0x6a, 0x02, 0x01, 0x02}))); r != nil || idx != -1 || err != nil {
		t.Errorf("no record: %v %d %v", r, idx, err)
	}
	if _, idx, err := FindRecord(mkTx(1, out(0, []byte{0x6a, 0x01, 0x01}), out(0, s))); idx != 1 || err != nil {
		t.Errorf("record after data carrier: %d %v", idx, err)
	}
	if !bytes.Equal(s[2:], p) {
		t.Error("direct push layout")
	}
}

// TestRecordScriptLengthWidth pins the verdict on declared push lengths
// at and above 2³¹: a 32-bit build once read a PUSHDATA4 length as a
// negative int and called these plain data carriers, a consensus split.
// Every width reads lengths as unsigned 64-bit values.
func TestRecordScriptLengthWidth(t *testing.T) {
	for _, n := range []uint32{0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff} {
		s := []byte{0x6a, 0x4e, byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24), 0x67, 0x67}
		if !IsRecordScript(s) {
			t.Errorf("PUSHDATA4(%#x) \"gg\": not a record script", n)
		}
		_, _, err := FindRecord(mkTx(1, out(0, s)))
		if Code(err) != CodeBadRecord {
			t.Errorf("PUSHDATA4(%#x) \"gg\": FindRecord %v, want %s", n, err, CodeBadRecord)
		}
	}
}
