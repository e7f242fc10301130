package game

import (
	"reflect"
	"testing"

	"github.com/gamegold/gg/lib/wire"
)

func TestCanonicalize(t *testing.T) {
	c := &PropCreate{Props: []NewProp{{Out: 3, OID: "c"}, {Out: 1, OID: "a"}, {Out: 2, OID: "b"}}}
	s := &PropSend{Moves: []PropMove{{Prop: ID{1}, Out: 9}, {Prop: ID{2}, Out: 4}}}
	d := &PropDestroy{Props: []ID{{3}, {1}, {2}}}
	for _, r := range []Record{c, s, d, &Sale{}} {
		Canonicalize(r)
	}
	if c.Props[0].OID != "a" || c.Props[2].OID != "c" || s.Moves[0].Out != 4 || !reflect.DeepEqual(d.Props, []ID{{1}, {2}, {3}}) {
		t.Fatalf("%+v %+v %+v", c, s, d)
	}
	for _, r := range []Record{c, s, d} {
		if _, err := Encode(r); err != nil {
			t.Errorf("%v: %v", r.Type(), err)
		}
	}
}

func TestSaleOf(t *testing.T) {
	sale := &Sale{Prop: ID{7}, BuyNow: 9, End: 3}
	if s, bid, ok := SaleOf(recordTx(sale)); !ok || bid != 0 || *s != *sale {
		t.Fatalf("listing: %v %d %v", s, bid, ok)
	}
	if s, bid, ok := SaleOf(recordTx(sale, out(12_345, wpkh("s")), gold())); !ok || bid != 12_345 || s.End != 3 {
		t.Fatalf("bid: %v %d %v", s, bid, ok)
	}
	for _, tx := range []*wire.MsgTx{
		mkTx(1, out(1, wpkh("x"))),
		recordTx(&PropDestroy{Props: []ID{{1}}}),
		mkTx(1, out(1, wpkh("x")), rec(sale)),
		mkTx(1, rec(sale), rec(sale)),
	} {
		if _, _, ok := SaleOf(tx); ok {
			t.Errorf("SaleOf accepted %v", tx.TxOut)
		}
	}
}
