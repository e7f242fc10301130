package game

import (
	"errors"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/wire"
)

func info(name string) ProducerInfo { return ProducerInfo{Name: name} }

func TestCheckName(t *testing.T) {
	for _, n := range []string{"abcd", "A.b_c-D", "0000", strings.Repeat("z", 40), "a..b"} {
		if err := CheckName(n); err != nil {
			t.Errorf("%q: %v", n, err)
		}
	}
	for _, n := range []string{"", "abc", strings.Repeat("z", 41), ".abc", "abc.", "_abc", "abc_", "-abc", "abc-",
		"ab cd", "abcé", "ab/cd", "ab+cd"} {
		if err := CheckName(n); Code(err) != CodeBadName {
			t.Errorf("%q: %v", n, err)
		}
	}
	if FoldName("AcMe.GAMES") != "acme.games" || FoldName("acme") != "acme" {
		t.Error("FoldName")
	}
}

func TestCheckURL(t *testing.T) {
	for _, u := range []string{"", "http://a", "https://acme.example/cb?x=1", "HTTPS://Acme.example:8443/p", "http://[::1]:80/"} {
		if err := CheckURL(u); err != nil {
			t.Errorf("%q: %v", u, err)
		}
	}
	for _, u := range []string{"ftp://a", "acme.example", "http://", "http:///path", "http://a b", "https://" + strings.Repeat("a", 193),
		"http://ä.example", "http://%zz", "mailto:x@y", "//host/path", "http://:80"} {
		if err := CheckURL(u); Code(err) != CodeBadURL {
			t.Errorf("%q: %v", u, err)
		}
	}
}

func TestCheckIP(t *testing.T) {
	for _, s := range []string{"", "192.0.2.1", "::1", "2001:db8::1", "::ffff:192.0.2.1"} {
		if err := CheckIP(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"192.0.2", "2001:DB8::1", "2001:db8:0::1", "fe80::1%eth0", "192.000.2.1", "host", " 1.2.3.4"} {
		if err := CheckIP(s); Code(err) != CodeBadIP {
			t.Errorf("%q: %v", s, err)
		}
	}
}

func TestCheckClass(t *testing.T) {
	for _, s := range []string{"", "ab", "slg", "RPG_2-x", strings.Repeat("c", 20)} {
		if err := CheckClass(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"a", strings.Repeat("c", 21), "a.b", "a b"} {
		if err := CheckClass(s); Code(err) != CodeBadClass {
			t.Errorf("%q: %v", s, err)
		}
	}
}

// recordTx is a transaction with r in output 0 followed by outs.
func recordTx(r Record, outs ...*wire.TxOut) *wire.MsgTx {
	return mkTx(1, append([]*wire.TxOut{rec(r)}, outs...)...)
}

func TestCheckRecord(t *testing.T) {
	ok := []*wire.MsgTx{
		mkTx(1, out(5, wpkh("x"))), // no record
		recordTx(&ProducerRegister{Out: 1, ProducerInfo: ProducerInfo{Name: "acme", URL: "https://a.example", IP: "::1", Class: "rpg", Share: 49}},
			out(ProducerFee, wpkh("owner"))),
		recordTx(&ProducerChange{Out: 1, ProducerInfo: info("acme")}, out(ProducerFee, wsh("owner"))),
		recordTx(&PropCreate{ProducerOut: 1, Props: []NewProp{{Out: 2, OID: "x"}, {Out: 3}}},
			out(ProducerFee, wpkh("o")), out(MinPropGold, wpkh("o")), out(MinPropGold, wsh("o")), out(1, []byte{0x51})),
		recordTx(&PropSend{Moves: []PropMove{{Out: 1}}}, out(1, wpkh("b"))),
		recordTx(&PropDestroy{Props: []ID{{1}}}, out(1, []byte{0x51})),
		recordTx(&Sale{BuyNow: 1, End: 1}),
		recordTx(&Sale{BuyNow: 1, End: 1}, out(5, wpkh("s")), out(5, wpkh("b"))),
	}
	for i, tx := range ok {
		if _, _, err := CheckRecord(tx, params); err != nil {
			t.Errorf("valid tx %d: %v", i, err)
		}
	}
}

func TestCheckRecordErrors(t *testing.T) {
	fee := out(ProducerFee, wpkh("owner"))
	gold := out(MinPropGold, wpkh("owner"))
	reg := func(p ProducerInfo) *wire.MsgTx { return recordTx(&ProducerRegister{Out: 1, ProducerInfo: p}, fee) }
	coinbase := recordTx(&PropDestroy{Props: []ID{{1}}})
	coinbase.TxIn[0].PreviousOutPoint = wire.OutPoint{Index: wire.MaxPrevOutIndex}
	recAt1 := mkTx(1, out(1, wpkh("a")), rec(&Sale{BuyNow: 1, End: 1}), out(1, wpkh("a")))
	cases := []struct {
		name string
		tx   *wire.MsgTx
		code string
	}{
		{"malformed record", mkTx(1, out(0, []byte{0x6a, 0x04, 0x67, 0x67, 0x09, 0x01})), CodeBadRecord},
		{"two records", mkTx(1, rec(&PropDestroy{Props: []ID{{1}}}), rec(&PropDestroy{Props: []ID{{1}}})), CodeMultipleRecords},
		{"coinbase record", coinbase, CodeCoinbaseRecord},
		{"name short", reg(info("abc")), CodeBadName},
		{"name leading dot", reg(info(".abc")), CodeBadName},
		{"name bad char", reg(info("ab!c")), CodeBadName},
		{"url scheme", reg(ProducerInfo{Name: "abcd", URL: "ftp://x"}), CodeBadURL},
		{"ip", reg(ProducerInfo{Name: "abcd", IP: "1.2.3"}), CodeBadIP},
		{"class", reg(ProducerInfo{Name: "abcd", Class: "x"}), CodeBadClass},
		{"share 50", reg(ProducerInfo{Name: "abcd", Share: 50}), CodeBadShare},
		{"change bad name", recordTx(&ProducerChange{Out: 1, ProducerInfo: info("-abc")}, fee), CodeBadName},
		{"change share", recordTx(&ProducerChange{Out: 1, ProducerInfo: ProducerInfo{Name: "abcd", Share: 255}}, fee), CodeBadShare},
		{"register out of range", recordTx(&ProducerRegister{Out: 2, ProducerInfo: info("abcd")}, fee), CodeBadCarrier},
		{"register out is record", recordTx(&ProducerRegister{Out: 0, ProducerInfo: info("abcd")}, fee), CodeBadCarrier},
		{"register p2pkh carrier", recordTx(&ProducerRegister{Out: 1, ProducerInfo: info("abcd")},
			out(ProducerFee, []byte{0x76, 0xa9, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 0x88, 0xac})), CodeBadCarrier},
		{"register taproot carrier", recordTx(&ProducerRegister{Out: 1, ProducerInfo: info("abcd")},
			out(ProducerFee, append([]byte{0x51, 0x20}, make([]byte, 32)...))), CodeBadCarrier},
		{"register fee low", recordTx(&ProducerRegister{Out: 1, ProducerInfo: info("abcd")}, out(ProducerFee-1, wpkh("o"))), CodeFeeTooLow},
		{"change out of range", recordTx(&ProducerChange{Out: 9, ProducerInfo: info("abcd")}, fee), CodeBadCarrier},
		{"change fee low", recordTx(&ProducerChange{Out: 1, ProducerInfo: info("abcd")}, out(ProducerFee-1, wpkh("o"))), CodeFeeTooLow},
		{"create pout is prop out", recordTx(&PropCreate{ProducerOut: 1, Props: []NewProp{{Out: 1}}}, fee), CodeBadCarrier},
		{"create prop out of range", recordTx(&PropCreate{ProducerOut: 1, Props: []NewProp{{Out: 2}}}, fee), CodeBadCarrier},
		{"create prop is record", recordTx(&PropCreate{ProducerOut: 1, Props: []NewProp{{Out: 0}}}, fee), CodeBadCarrier},
		{"create prop not witness", recordTx(&PropCreate{ProducerOut: 1, Props: []NewProp{{Out: 2}}}, fee, out(MinPropGold, []byte{0x51})), CodeBadCarrier},
		{"create pout fee low", recordTx(&PropCreate{ProducerOut: 1, Props: []NewProp{{Out: 2}}}, out(ProducerFee-1, wpkh("o")), gold), CodeFeeTooLow},
		{"create gold low", recordTx(&PropCreate{ProducerOut: 1, Props: []NewProp{{Out: 2}, {Out: 3}}}, fee, gold, out(MinPropGold-1, wpkh("o"))), CodeGoldTooLow},
		{"send out of range", recordTx(&PropSend{Moves: []PropMove{{Prop: ID{1}, Out: 1}, {Prop: ID{2}, Out: 2}}}, gold), CodeBadCarrier},
		{"send to record", recordTx(&PropSend{Moves: []PropMove{{Out: 0}}}, gold), CodeBadCarrier},
		{"send not witness", recordTx(&PropSend{Moves: []PropMove{{Out: 1}}}, out(MinPropGold, []byte{0x51})), CodeBadCarrier},
		{"sale not output 0", recAt1, CodeBadSale},
		{"sale buynow 0", recordTx(&Sale{End: 1}), CodeBadSale},
		{"sale buynow above max money", recordTx(&Sale{BuyNow: 21e14 + 1, End: 1}), CodeBadSale},
		{"sale reserve above max money", recordTx(&Sale{BuyNow: 1, Reserve: 21e14 + 1, End: 1}), CodeBadSale},
		{"sale end 0", recordTx(&Sale{BuyNow: 1}), CodeBadSale},
		{"sale end above int32", recordTx(&Sale{BuyNow: 1, End: 1 << 31}), CodeBadSale},
		{"sale two outputs", recordTx(&Sale{BuyNow: 1, End: 1}, gold), CodeBadSale},
		{"sale output 2 not witness", recordTx(&Sale{BuyNow: 1, End: 1}, gold, out(MinPropGold, []byte{0x51})), CodeBadCarrier},
	}
	for _, c := range cases {
		_, _, err := CheckRecord(c.tx, params)
		if Code(err) != c.code || !errors.Is(err, ErrRule) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
}
