package game

import (
	"errors"
	"reflect"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// fuzzWorld is newWorld with a fulfilled escrow contract holding prop e
// and its gold, so every record type has something to act on.
func fuzzWorld() (*world, ID, []Coin) {
	w := newWorld()
	e := idOf("E")
	terms := escrowTerms(e)
	cid, _ := ContractID(terms)
	fulfil := chainhash.HashH([]byte("fulfil"))
	w.v.props[e] = &Prop{ID: e, Producer: w.pid, Gold: 20_000, Owner: wsh("escrow"), Status: PropEscrow, Contract: cid, Height: 3, Updated: 3}
	w.v.contracts[cid] = &Contract{ID: cid, Terms: *terms, State: ContractFulfilled, FulfilTxid: fulfil, Height: 3,
		Escrow: []wire.OutPoint{{Hash: fulfil, Index: 1}, {Hash: fulfil, Index: 2}}}
	pk, _ := EscrowPkScript(terms)
	// The coins a fuzzed transaction may spend, picked by index.
	coins := []Coin{
		plain(5_000_000_000),
		plain(10_000),
		propCoin(w.a, w.alice),
		propCoin(w.b, w.alice),
		propCoin(w.d, w.alice), // destroyed
		producerCoin(w.pid, w.owner),
		producerCoin(w.pid2, w.bob),
		{Value: int64(terms.AGold), PkScript: pk, Object: Object{KindContract, cid}},
		{Value: 20_000, PkScript: pk, Object: Object{KindProp, e}},
		{Value: 20_000, PkScript: w.bob, Object: Object{KindProp, idOf("unknown")}},
	}
	return w, cid, coins
}

// fuzzOutScripts and fuzzOutValues are what an output selector byte
// picks from.
var (
	fuzzOutScripts = [][]byte{wpkh("alice"), wpkh("bob"), wpkh("owner"), wsh("x"), {script.OP_TRUE}, wpkh("funds")}
	fuzzOutValues  = []int64{0, 1, 10_000, 20_000, 20_001, 50_000, ProducerFee, 2 * ProducerFee}
)

// fuzzTx builds a transaction: output 0 the record with payload (none
// when empty), then one output per byte of outs, spending one coin per
// byte of ins. It returns the transaction and the coins.
func fuzzTx(payload, ins, outs []byte, coins []Coin, w *world) (*wire.MsgTx, []Coin) {
	var txOuts []*wire.TxOut
	if len(payload) > 0 {
		b := script.NewBuilder().AddOp(script.OP_RETURN).AddData(payload)
		s, err := b.Script()
		if err == nil {
			txOuts = append(txOuts, out(0, s))
		}
	}
	for _, o := range outs {
		txOuts = append(txOuts, out(fuzzOutValues[int(o>>4)%len(fuzzOutValues)], fuzzOutScripts[int(o&0x0f)%len(fuzzOutScripts)]))
	}
	if len(txOuts) == 0 {
		txOuts = append(txOuts, out(1000, wpkh("funds")))
	}
	var spent []Coin
	for _, i := range ins {
		spent = append(spent, coins[int(i)%len(coins)])
	}
	if len(spent) == 0 {
		spent = append(spent, coins[0])
	}
	tx := mkTx(len(spent), txOuts...)
	return tx, spent
}

// FuzzCheckTx runs whole-transaction game checks, in block and in pool
// mode, on transactions with arbitrary records, outputs and spent coins
// against a small state (producers, live, destroyed and escrowed props, a
// fulfilled contract). Invariants: no panic; every refusal is a
// *RuleError with a code; the same verdict and effect twice; the view is
// never changed; what a block accepts the pool accepts with the same
// effect (the pool only relaxes finality and allows listings); an
// accepted transaction's effect names only objects it carries on or
// creates.
func FuzzCheckTx(f *testing.F) {
	w, cid, _ := fuzzWorld()
	seed := func(r Record, ins, outs []byte, height uint16) {
		p, err := Encode(r)
		if err != nil {
			panic(err)
		}
		f.Add(p, ins, outs, height)
	}
	seed(&PropSend{Moves: []PropMove{{Prop: w.a, Out: 1}}}, []byte{2, 0}, []byte{0x30}, 10)
	seed(&PropDestroy{Props: []ID{w.a}}, []byte{2}, []byte{0x20}, 10)
	seed(&ProducerRegister{Out: 1, ProducerInfo: info("Zeta")}, []byte{0}, []byte{0x60, 0x05}, 10)
	seed(&ProducerChange{Producer: w.pid, Out: 1, ProducerInfo: info("Acme2")}, []byte{5, 0}, []byte{0x62}, 10)
	seed(&PropCreate{Producer: w.pid, ProducerOut: 1, Props: []NewProp{{Out: 2, OID: "s"}}}, []byte{5, 0}, []byte{0x62, 0x30}, 10)
	seed(&Sale{Prop: w.a, BuyNow: 100_000, Reserve: 30_000, End: 20}, []byte{2}, nil, 10)
	seed(&Sale{Prop: w.a, BuyNow: 100_000, End: 20}, []byte{2, 0}, []byte{0x50, 0x31, 0x03}, 25)
	seed(&ContractExecute{Contract: cid, Path: PathCoop, Moves: []PropMove{{Prop: idOf("E"), Out: 1}}}, []byte{7, 8}, []byte{0x30, 0x00}, 50)
	seed(&ContractFulfil{Terms: *escrowTerms(w.b), AChangeScript: wpkh("change"), AChangeValue: 7_000}, []byte{3, 0}, []byte{0x53, 0x33, 0x20}, 10)
	f.Add([]byte{}, []byte{2}, []byte{0x30}, uint16(10))
	f.Fuzz(func(t *testing.T, payload, ins, outs []byte, height uint16) {
		if len(ins) > 8 || len(outs) > 8 {
			return
		}
		w, _, coins := fuzzWorld()
		tx, spent := fuzzTx(payload, ins, outs, coins, w)
		txid := tx.TxHash()
		h := int32(height%300) + 1
		snapshot := func() *memView {
			c := newMemView()
			for k, v := range w.v.names {
				c.names[k] = v
			}
			for k, v := range w.v.producers {
				cp := *v
				c.producers[k] = &cp
			}
			for k, v := range w.v.props {
				cp := *v
				c.props[k] = &cp
			}
			for k, v := range w.v.contracts {
				cp := *v
				c.contracts[k] = &cp
			}
			return c
		}
		orig := snapshot()
		run := func(mode Mode) (*Effect, error) {
			e, err := CheckTx(tx, txid, spent, h, w.v, params, mode)
			if err != nil {
				var re *RuleError
				if !errors.As(err, &re) || !errors.Is(err, ErrRule) || Code(err) == "" {
					t.Fatalf("mode %v: refusal that is not a coded rule error: %v", mode, err)
				}
			}
			e2, err2 := CheckTx(tx, txid, spent, h, w.v, params, mode)
			if Code(err) != Code(err2) || !reflect.DeepEqual(e, e2) {
				t.Fatalf("mode %v: two verdicts: %v / %v", mode, err, err2)
			}
			return e, err
		}
		eb, errB := run(ModeBlock)
		ep, errP := run(ModePool)
		if !reflect.DeepEqual(orig, snapshot()) {
			t.Fatal("CheckTx changed the view")
		}
		if errB == nil && (errP != nil || !reflect.DeepEqual(eb, ep)) {
			t.Fatalf("accepted in a block, pool says %v (effects equal %v)", errP, reflect.DeepEqual(eb, ep))
		}
		if errP != nil {
			return
		}
		// An accepted effect only writes objects the transaction creates
		// or carries (by a spent coin).
		carried := map[ID]bool{}
		for _, c := range spent {
			if c.Object.Kind != 0 {
				carried[c.Object.ID] = true
			}
		}
		if ep == nil {
			if len(carried) != 0 {
				t.Fatal("game objects spent without a record accepted")
			}
			return
		}
		for _, p := range ep.Props {
			if !carried[p.ID] && p.ID != PropID(txid, p.Outpoint.Index) {
				t.Fatalf("effect writes prop %v it neither carries nor creates", p.ID)
			}
		}
		for _, p := range ep.Producers {
			if !carried[p.ID] && p.ID != ProducerID(txid, p.Outpoint.Index) && !carried[w.pid] && !carried[w.pid2] {
				t.Fatalf("effect writes producer %v it neither carries nor creates", p.ID)
			}
		}
	})
}
