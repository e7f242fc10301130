package game

import (
	"errors"
	"reflect"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// world is a registry with producer "Acme" (pid), a second producer
// "other" (oid2), live props A and B of 20,000 gold owned by "alice" and
// a destroyed prop D.
type world struct {
	v          *memView
	pid, pid2  ID
	a, b, d    ID
	owner      []byte
	alice, bob []byte
}

func newWorld() *world {
	w := &world{v: newMemView(), pid: idOf("pid"), pid2: idOf("pid2"), a: idOf("A"), b: idOf("B"), d: idOf("D"),
		owner: wpkh("owner"), alice: wpkh("alice"), bob: wpkh("bob")}
	w.v.producers[w.pid] = &Producer{ID: w.pid, ProducerInfo: info("Acme"), Owner: w.owner, Value: ProducerFee, Height: 1, Updated: 1}
	w.v.producers[w.pid2] = &Producer{ID: w.pid2, ProducerInfo: info("other"), Owner: w.bob, Value: ProducerFee, Height: 1, Updated: 1}
	w.v.names["acme"], w.v.names["other"] = w.pid, w.pid2
	for _, id := range []ID{w.a, w.b, w.d} {
		w.v.props[id] = &Prop{ID: id, Producer: w.pid, Gold: 20_000, Owner: w.alice, Status: PropLive, Height: 2, Updated: 2}
	}
	w.v.props[w.d].Status = PropDestroyed
	return w
}

func producerCoin(id ID, owner []byte) Coin {
	return Coin{Value: ProducerFee, PkScript: owner, Object: Object{KindProducer, id}}
}

func propCoin(id ID, owner []byte) Coin {
	return Coin{Value: 20_000, PkScript: owner, Object: Object{KindProp, id}}
}

func plain(v int64) Coin { return Coin{Value: v, PkScript: wpkh("funds")} }

func sorted(a, b ID) []ID {
	if string(a[:]) < string(b[:]) {
		return []ID{a, b}
	}
	return []ID{b, a}
}

func TestCheckTxAccept(t *testing.T) {
	w := newWorld()
	h := int32(10)
	check := func(tx *wire.MsgTx, spent []Coin, mode Mode) *Effect {
		t.Helper()
		fit(tx, len(spent))
		e, err := CheckTx(tx, tx.TxHash(), spent, h, w.v, params, mode)
		if err != nil {
			t.Fatalf("%v", err)
		}
		w.v.apply(e)
		return e
	}
	// Register.
	reg := recordTx(&ProducerRegister{Out: 1, ProducerInfo: info("NewCo")}, out(ProducerFee, wpkh("new")))
	e := check(reg, []Coin{plain(2 * ProducerFee)}, ModeBlock)
	nid := ProducerID(reg.TxHash(), 1)
	if len(e.Producers) != 1 || e.Producers[0].ID != nid || e.Producers[0].Height != h ||
		!reflect.DeepEqual(e.ClaimNames, []string{"newco"}) || len(e.Events) != 1 || e.Events[0].Op != TypeProducerRegister {
		t.Fatalf("register effect %+v", e)
	}
	if got := AnnotateTxid(reg, reg.TxHash()); got[1] != (Object{KindProducer, nid}) || !got[0].IsZero() {
		t.Fatalf("register annotation %v", got)
	}
	// Rename (case only keeps the name), then rename for real, transfer.
	ch := recordTx(&ProducerChange{Producer: nid, Out: 1, ProducerInfo: info("NEWCO")}, out(ProducerFee, wpkh("new")))
	if e := check(ch, []Coin{producerCoin(nid, wpkh("new"))}, ModeBlock); len(e.FreeNames)+len(e.ClaimNames) != 0 {
		t.Fatalf("case-only rename touched names: %+v", e)
	}
	ch = recordTx(&ProducerChange{Producer: nid, Out: 1, ProducerInfo: info("Renamed")}, out(ProducerFee, wpkh("buyer")))
	e = check(ch, []Coin{producerCoin(nid, wpkh("new"))}, ModeBlock)
	if !reflect.DeepEqual(e.FreeNames, []string{"newco"}) || !reflect.DeepEqual(e.ClaimNames, []string{"renamed"}) ||
		!eqBytes(e.Producers[0].Owner, wpkh("buyer")) || e.Producers[0].Height != h {
		t.Fatalf("rename effect %+v", e)
	}
	// The freed name is free again.
	check(recordTx(&ProducerRegister{Out: 1, ProducerInfo: info("newco")}, out(ProducerFee, wpkh("x"))), []Coin{plain(2 * ProducerFee)}, ModeBlock)
	// Create.
	cr := recordTx(&PropCreate{Producer: w.pid, ProducerOut: 1, Props: []NewProp{{Out: 2, OID: "sword"}, {Out: 3}}},
		out(ProducerFee, w.owner), out(30_000, w.alice), out(MinPropGold, w.bob))
	e = check(cr, []Coin{producerCoin(w.pid, w.owner), plain(100_000)}, ModeBlock)
	if len(e.Props) != 2 || e.Props[0].Gold != 30_000 || e.Props[0].OID != "sword" || e.Props[1].ID != PropID(cr.TxHash(), 3) ||
		e.Props[0].Producer != w.pid || e.Props[0].Status != PropLive || len(e.Events) != 3 {
		t.Fatalf("create effect %+v", e)
	}
	// Send two props.
	snd := recordTx(&PropSend{Moves: []PropMove{{Prop: w.b, Out: 1}, {Prop: w.a, Out: 2}}}, out(20_000, w.bob), out(20_000, w.bob))
	e = check(snd, []Coin{propCoin(w.a, w.alice), plain(1000), propCoin(w.b, w.alice)}, ModeBlock)
	if len(e.Props) != 2 || e.Props[0].ID != w.b || e.Props[0].Outpoint.Index != 1 || !eqBytes(e.Props[1].Owner, w.bob) {
		t.Fatalf("send effect %+v", e)
	}
	// Sale: listing in the pool, non-final bid in the pool, final bid in
	// a block, buy-now before the end.
	sale := &Sale{Prop: w.a, BuyNow: 50_000, Reserve: 25_000, End: 20}
	list := recordTx(sale)
	if e := check(list, []Coin{propCoin(w.a, w.bob)}, ModePool); e == nil || len(e.Props) != 0 {
		t.Fatalf("listing effect %+v", e)
	}
	bid := recordTx(sale, out(30_000, w.bob), out(20_000, w.alice), out(5, wpkh("change")))
	bidTx := bid.Copy()
	bidTx.TxIn = append(bidTx.TxIn, &wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: 9}})
	spent := []Coin{propCoin(w.a, w.bob), plain(40_000)}
	if _, err := CheckTx(bidTx, bidTx.TxHash(), spent, h, w.v, params, ModePool); err != nil {
		t.Fatalf("pool bid: %v", err)
	}
	if _, err := CheckTx(bidTx, bidTx.TxHash(), spent, 20, w.v, params, ModeBlock); err != nil {
		t.Fatalf("bid at end: %v", err)
	}
	if _, err := CheckTx(bidTx, bidTx.TxHash(), spent, 20+params.AuctionGrace, w.v, params, ModeBlock); err != nil {
		t.Fatalf("bid at end+grace: %v", err)
	}
	buy := recordTx(sale, out(50_000, w.bob), out(20_000, w.alice))
	buy.TxIn = append(buy.TxIn, &wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: 9}})
	e = check(buy, spent, ModeBlock)
	if len(e.Props) != 1 || e.Props[0].LastPrice != 50_000 || e.Props[0].Outpoint != (wire.OutPoint{Hash: buy.TxHash(), Index: 2}) ||
		!eqBytes(e.Props[0].Owner, w.alice) || e.Events[0].Price != 50_000 {
		t.Fatalf("sale effect %+v", e)
	}
	if !IsFinal(sale, 50_000, h, params) || IsFinal(sale, 49_999, h, params) || !IsFinal(sale, 1, 20, params) ||
		IsFinal(sale, 50_000, 21+params.AuctionGrace, params) {
		t.Fatal("IsFinal")
	}
	// Destroy.
	ids := sorted(w.a, w.b)
	ds := recordTx(&PropDestroy{Props: ids}, out(39_000, wpkh("x")))
	e = check(ds, []Coin{propCoin(w.b, w.bob), propCoin(w.a, w.alice)}, ModeBlock)
	if len(e.Props) != 2 || e.Props[0].Status != PropDestroyed || e.Events[1].Vout != DestroyedVout {
		t.Fatalf("destroy effect %+v", e)
	}
	// Plain transactions.
	if e, err := CheckTx(mkTx(1, out(1, wpkh("x"))), chainhash.Hash{}, []Coin{plain(5)}, h, w.v, params, ModeBlock); e != nil || err != nil {
		t.Fatalf("plain tx: %v %v", e, err)
	}
}

func TestCheckTxErrors(t *testing.T) {
	w := newWorld()
	fee := out(ProducerFee, wpkh("owner"))
	gold := out(20_000, wpkh("bob"))
	sale := &Sale{Prop: w.a, BuyNow: 50_000, Reserve: 25_000, End: 20}
	bidForm := func(s *Sale, pay int64, payTo []byte, carry int64) *wire.MsgTx {
		tx := recordTx(s, out(pay, payTo), out(carry, wpkh("buyer")))
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: 9}})
		return tx
	}
	bidSpent := []Coin{propCoin(w.a, w.alice), plain(100_000)}
	cases := []struct {
		name   string
		tx     *wire.MsgTx
		spent  []Coin
		height int32
		mode   Mode
		code   string
	}{
		{"stateless failure", recordTx(&ProducerRegister{Out: 1, ProducerInfo: info("ab")}, fee), []Coin{plain(1)}, 10, ModeBlock, CodeBadName},
		{"prop spent without record", mkTx(1, out(1, wpkh("x"))), []Coin{propCoin(w.a, w.alice)}, 10, ModeBlock, CodeObjectNoRecord},
		{"producer spent without record", mkTx(2, out(1, wpkh("x"))), []Coin{plain(1), producerCoin(w.pid, w.owner)}, 10, ModeBlock, CodeObjectNoRecord},
		{"register spends a prop", recordTx(&ProducerRegister{Out: 1, ProducerInfo: info("fresh")}, fee), []Coin{propCoin(w.a, w.alice)}, 10, ModeBlock, CodeObjectNotCarried},
		{"register name taken", recordTx(&ProducerRegister{Out: 1, ProducerInfo: info("ACME")}, fee), []Coin{plain(2 * ProducerFee)}, 10, ModeBlock, CodeNameTaken},
		{"change without producer input", recordTx(&ProducerChange{Producer: w.pid, Out: 1, ProducerInfo: info("Acme")}, fee), []Coin{plain(2 * ProducerFee)}, 10, ModeBlock, CodeObjectNotCarried},
		{"change other producer", recordTx(&ProducerChange{Producer: w.pid, Out: 1, ProducerInfo: info("Acme")}, fee), []Coin{producerCoin(w.pid2, w.bob)}, 10, ModeBlock, CodeObjectNotCarried},
		{"change spends extra prop", recordTx(&ProducerChange{Producer: w.pid, Out: 1, ProducerInfo: info("Acme")}, fee),
			[]Coin{producerCoin(w.pid, w.owner), propCoin(w.a, w.owner)}, 10, ModeBlock, CodeObjectNotCarried},
		{"change to taken name", recordTx(&ProducerChange{Producer: w.pid, Out: 1, ProducerInfo: info("Other")}, fee), []Coin{producerCoin(w.pid, w.owner)}, 10, ModeBlock, CodeNameTaken},
		{"change unknown producer", recordTx(&ProducerChange{Producer: idOf("ghost"), Out: 1, ProducerInfo: info("ghost")}, fee),
			[]Coin{producerCoin(idOf("ghost"), w.owner)}, 10, ModeBlock, CodeUnknownObject},
		{"create by non-owner", recordTx(&PropCreate{Producer: w.pid, ProducerOut: 1, Props: []NewProp{{Out: 2}}}, fee, gold),
			[]Coin{plain(2 * ProducerFee)}, 10, ModeBlock, CodeObjectNotCarried},
		{"create with other producer's coin", recordTx(&PropCreate{Producer: w.pid, ProducerOut: 1, Props: []NewProp{{Out: 2}}}, fee, gold),
			[]Coin{producerCoin(w.pid2, w.bob)}, 10, ModeBlock, CodeObjectNotCarried},
		{"create spending a prop as producer", recordTx(&PropCreate{Producer: w.a, ProducerOut: 1, Props: []NewProp{{Out: 2}}}, fee, gold),
			[]Coin{propCoin(w.a, w.alice)}, 10, ModeBlock, CodeObjectNotCarried},
		{"create for unknown producer", recordTx(&PropCreate{Producer: idOf("ghost"), ProducerOut: 1, Props: []NewProp{{Out: 2}}}, fee, gold),
			[]Coin{producerCoin(idOf("ghost"), w.owner)}, 10, ModeBlock, CodeUnknownObject},
		{"send without the prop", recordTx(&PropSend{Moves: []PropMove{{Prop: w.a, Out: 1}}}, gold), []Coin{plain(30_000)}, 10, ModeBlock, CodeObjectNotCarried},
		{"send other prop", recordTx(&PropSend{Moves: []PropMove{{Prop: w.a, Out: 1}}}, gold), []Coin{propCoin(w.b, w.alice)}, 10, ModeBlock, CodeObjectNotCarried},
		{"send drops a prop", recordTx(&PropSend{Moves: []PropMove{{Prop: w.a, Out: 1}}}, gold),
			[]Coin{propCoin(w.a, w.alice), propCoin(w.b, w.alice)}, 10, ModeBlock, CodeObjectNotCarried},
		{"send a producer", recordTx(&PropSend{Moves: []PropMove{{Prop: w.pid, Out: 1}}}, fee), []Coin{producerCoin(w.pid, w.owner)}, 10, ModeBlock, CodeObjectNotCarried},
		{"send gold up", recordTx(&PropSend{Moves: []PropMove{{Prop: w.a, Out: 1}}}, out(20_001, wpkh("bob"))),
			[]Coin{propCoin(w.a, w.alice), plain(10)}, 10, ModeBlock, CodeGoldChanged},
		{"send gold down", recordTx(&PropSend{Moves: []PropMove{{Prop: w.a, Out: 1}}}, out(19_999, wpkh("bob"))),
			[]Coin{propCoin(w.a, w.alice)}, 10, ModeBlock, CodeGoldChanged},
		{"send destroyed prop", recordTx(&PropSend{Moves: []PropMove{{Prop: w.d, Out: 1}}}, gold), []Coin{propCoin(w.d, w.alice)}, 10, ModeBlock, CodeUnknownObject},
		{"send unknown prop", recordTx(&PropSend{Moves: []PropMove{{Prop: idOf("ghost"), Out: 1}}}, gold), []Coin{propCoin(idOf("ghost"), w.alice)}, 10, ModeBlock, CodeUnknownObject},
		{"destroy without the prop", recordTx(&PropDestroy{Props: []ID{w.a}}, gold), []Coin{plain(30_000)}, 10, ModeBlock, CodeObjectNotCarried},
		{"destroy leaves a prop behind", recordTx(&PropDestroy{Props: []ID{w.a}}, gold),
			[]Coin{propCoin(w.a, w.alice), propCoin(w.b, w.alice)}, 10, ModeBlock, CodeObjectNotCarried},
		{"destroy a producer", recordTx(&PropDestroy{Props: []ID{w.pid}}, gold), []Coin{producerCoin(w.pid, w.owner)}, 10, ModeBlock, CodeObjectNotCarried},
		{"destroy again", recordTx(&PropDestroy{Props: []ID{w.d}}, gold), []Coin{propCoin(w.d, w.alice)}, 10, ModeBlock, CodeUnknownObject},
		{"sale without the prop", bidForm(sale, 50_000, w.alice, 20_000), []Coin{plain(20_000), plain(100_000)}, 10, ModeBlock, CodeObjectNotCarried},
		{"sale prop on input 1", bidForm(sale, 50_000, w.alice, 20_000), []Coin{plain(100_000), propCoin(w.a, w.alice)}, 10, ModeBlock, CodeBadSale},
		{"sale of a destroyed prop", bidForm(&Sale{Prop: w.d, BuyNow: 50_000, End: 20}, 50_000, w.alice, 20_000),
			[]Coin{propCoin(w.d, w.alice), plain(100_000)}, 10, ModeBlock, CodeUnknownObject},
		{"buynow not above gold", bidForm(&Sale{Prop: w.a, BuyNow: 20_000, End: 20}, 20_000, w.alice, 20_000), bidSpent, 10, ModeBlock, CodeBadSale},
		{"listing in a block", recordTx(sale), []Coin{propCoin(w.a, w.alice)}, 10, ModeBlock, CodeSaleListing},
		{"listing with two inputs", mkTx(2, rec(sale)), []Coin{propCoin(w.a, w.alice), plain(5)}, 10, ModePool, CodeBadSale},
		{"seller paid to another script", bidForm(sale, 50_000, w.bob, 20_000), bidSpent, 10, ModeBlock, CodeSellerNotPaid},
		{"bid below gold", bidForm(&Sale{Prop: w.a, BuyNow: 50_000, End: 20}, 19_999, w.alice, 20_000), bidSpent, 20, ModeBlock, CodeBidTooLow},
		{"bid below reserve", bidForm(sale, 24_999, w.alice, 20_000), bidSpent, 20, ModeBlock, CodeBidTooLow},
		{"bid below reserve in pool", bidForm(sale, 24_999, w.alice, 20_000), bidSpent, 10, ModePool, CodeBidTooLow},
		{"buyer gets less gold", bidForm(sale, 50_000, w.alice, 19_999), bidSpent, 10, ModeBlock, CodeGoldChanged},
		{"not final before end", bidForm(sale, 49_999, w.alice, 20_000), bidSpent, 19, ModeBlock, CodeAuctionNotFinal},
		{"after end + grace", bidForm(sale, 50_000, w.alice, 20_000), bidSpent, 21 + params.AuctionGrace, ModeBlock, CodeAuctionExpired},
		{"after end + grace in pool", bidForm(sale, 50_000, w.alice, 20_000), bidSpent, 21 + params.AuctionGrace, ModePool, CodeAuctionExpired},
		{"listing after end + grace", recordTx(sale), []Coin{propCoin(w.a, w.alice)}, 21 + params.AuctionGrace, ModePool, CodeAuctionExpired},
		{"sale carries another prop too", bidForm(sale, 50_000, w.alice, 20_000), []Coin{propCoin(w.a, w.alice), propCoin(w.b, w.alice)}, 10, ModeBlock, CodeObjectNotCarried},
	}
	for _, c := range cases {
		fit(c.tx, len(c.spent))
		_, err := CheckTx(c.tx, c.tx.TxHash(), c.spent, c.height, w.v, params, c.mode)
		if Code(err) != c.code || !errors.Is(err, ErrRule) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	// Wrong number of coins is a caller bug, not a rule.
	tx := mkTx(2, out(1, wpkh("x")))
	if _, err := CheckTx(tx, tx.TxHash(), []Coin{plain(1)}, 1, w.v, params, ModeBlock); err == nil || errors.Is(err, ErrRule) {
		t.Errorf("coin count mismatch: %v", err)
	}
}

func TestAnnotate(t *testing.T) {
	pid := idOf("p")
	a, b := idOf("a"), idOf("b")
	reg := recordTx(&ProducerRegister{Out: 1, ProducerInfo: info("abcd")}, out(ProducerFee, wpkh("o")))
	cr := recordTx(&PropCreate{Producer: pid, ProducerOut: 2, Props: []NewProp{{Out: 1}, {Out: 3}}},
		out(MinPropGold, wpkh("o")), out(ProducerFee, wpkh("o")), out(MinPropGold, wpkh("o")))
	cases := []struct {
		name string
		tx   *wire.MsgTx
		want []Object
	}{
		{"plain", mkTx(1, out(1, wpkh("x"))), nil},
		{"bad record", mkTx(1, out(0, []byte{0x6a, 0x04, 0x67, 0x67, 0x09, 0x01})), nil},
		{"register", reg, []Object{{}, {KindProducer, ProducerID(reg.TxHash(), 1)}}},
		{"change", recordTx(&ProducerChange{Producer: pid, Out: 1, ProducerInfo: info("abcd")}, out(ProducerFee, wpkh("o"))),
			[]Object{{}, {KindProducer, pid}}},
		{"create", cr, []Object{{}, {KindProp, PropID(cr.TxHash(), 1)}, {KindProducer, pid}, {KindProp, PropID(cr.TxHash(), 3)}}},
		{"send", recordTx(&PropSend{Moves: []PropMove{{a, 1}, {b, 2}}}, gold(), gold()), []Object{{}, {KindProp, a}, {KindProp, b}}},
		{"send out of range ignored", recordTx(&PropSend{Moves: []PropMove{{a, 1}, {b, 5}}}, gold()), []Object{{}, {KindProp, a}}},
		{"destroy", recordTx(&PropDestroy{Props: []ID{a}}, gold()), nil},
		{"listing", recordTx(&Sale{Prop: a, BuyNow: 1, End: 1}), nil},
		{"bid", recordTx(&Sale{Prop: a, BuyNow: 1, End: 1}, gold(), gold(), gold()), []Object{{}, {}, {KindProp, a}, {}}},
	}
	for _, c := range cases {
		if got := Annotate(c.tx); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func gold() *wire.TxOut { return out(MinPropGold, wpkh("g")) }

func TestObjectEncoding(t *testing.T) {
	o := Object{KindProp, idOf("x")}
	b := o.Bytes()
	if len(b) != ObjectSize || b[0] != 2 {
		t.Fatalf("bytes %x", b)
	}
	back, err := DecodeObject(b)
	if err != nil || back != o {
		t.Fatalf("decode %v %v", back, err)
	}
	if z, err := DecodeObject(nil); err != nil || !z.IsZero() || (Object{}).Bytes() != nil {
		t.Fatal("zero object")
	}
	for _, bad := range [][]byte{{1}, append([]byte{4}, make([]byte, 32)...), append([]byte{0}, make([]byte, 32)...), make([]byte, 34)} {
		if _, err := DecodeObject(bad); err == nil {
			t.Errorf("%x decoded", bad)
		}
	}
	if o.String() != "prop:"+idOf("x").String() || Kind(9).String() != "kind(9)" {
		t.Error("String")
	}
}

func TestIDs(t *testing.T) {
	txid, _ := chainhash.NewHashFromStr("00000000000000000000000000000000000000000000000000000000000000ff")
	// Vectors documented in docs/protocol.md.
	if got := ProducerID(txid, 1).String(); got != producerIDVector {
		t.Errorf("ProducerID = %s", got)
	}
	if got := PropID(txid, 2).String(); got != propIDVector {
		t.Errorf("PropID = %s", got)
	}
	id, err := ParseID(propIDVector)
	if err != nil || id.String() != propIDVector {
		t.Fatal(err)
	}
	text, _ := id.MarshalText()
	var back ID
	if err := back.UnmarshalText(text); err != nil || back != id {
		t.Fatal("text round trip")
	}
	for _, bad := range []string{"", "00", propIDVector + "00", propIDVector[:len(propIDVector)-1] + "g"} {
		if _, err := ParseID(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	if back.UnmarshalText([]byte("zz")) == nil {
		t.Error("UnmarshalText accepted junk")
	}
	if (ID{}).IsZero() != true || id.IsZero() {
		t.Error("IsZero")
	}
}

const (
	producerIDVector = "11ff1f0d736f559456e02002d8afcdf0fbbb93a5228b41b0afee4e3794c5e7fa"
	propIDVector     = "b9fb317a30ba82d267ed8415a985909cb7195360e396e3baba147dd295ec053e"
)
