package wallet

import (
	"errors"
	"regexp"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

func selCoins(vals ...int64) []selCoin {
	out := make([]selCoin, len(vals))
	for i, v := range vals {
		out[i] = selCoin{op: wire.OutPoint{Hash: chainhash.Hash{byte(i + 1)}}, value: v, pkScript: extScript}
	}
	return out
}

func sumSel(s selection) int64 {
	var t int64
	for _, c := range s.coins {
		t += c.value
	}
	return t
}

func TestSelectCoins(t *testing.T) {
	const rate = 1000
	base := int64(txOverheadVSize + p2wpkhOutputVSize) // one P2WPKH payment
	in := feeFor(p2wpkhInputVSize, rate)
	for _, tc := range []struct {
		name       string
		coins      []selCoin
		target     int64
		subtract   bool
		wantCoins  int
		wantChange bool
		wantSum    int64 // 0: not checked
	}{
		// 1 input: fee = (11+31+68)*1 = 110. A coin of exactly
		// target+110 needs no change, and BnB finds it among bigger ones.
		{"exact single", selCoins(1_000_000, 50_110, 2_000_000), 50_000, false, 1, false, 50_110},
		{"exact pair", selCoins(30_000, 20_178, 9_000_000, 1), 50_000, false, 2, false, 50_178},
		// Within the cost of change: excess goes to the fee, no change.
		{"dust excess folded", selCoins(50_150, 5_000_000), 50_000, false, 1, false, 50_150},
		// No exact match: fallback with change, least change.
		{"fallback smallest single", selCoins(10_000_000, 200_000, 60_000_000), 150_000, false, 1, true, 200_000},
		{"fallback largest first", selCoins(40_000, 40_000, 40_000, 40_000), 100_000, false, 3, true, 120_000},
		{"subtract fee exact", selCoins(50_000, 70_000), 50_000, true, 1, false, 50_000},
		{"subtract fee with change", selCoins(1_000_000), 50_000, true, 1, true, 1_000_000},
		{"dust coins ignored", selCoins(50, 60, 1_000_000), 10_000, false, 1, true, 1_000_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := selectCoins(tc.coins, selectRequest{target: tc.target, baseVSize: base, rate: rate, subtractFee: tc.subtract})
			if err != nil {
				t.Fatal(err)
			}
			if len(s.coins) != tc.wantCoins || (s.change > 0) != tc.wantChange || (tc.wantSum != 0 && sumSel(s) != tc.wantSum) {
				t.Fatalf("selected %d coins (sum %d), change %d, fee %d", len(s.coins), sumSel(s), s.change, s.fee)
			}
			vsize := base + int64(len(s.coins))*p2wpkhInputVSize
			if s.change > 0 {
				vsize += p2wpkhOutputVSize
				if s.change < changeDust {
					t.Fatalf("dust change %d", s.change)
				}
			}
			if s.fee < feeFor(vsize, rate) {
				t.Fatalf("fee %d below %d for %d vB", s.fee, feeFor(vsize, rate), vsize)
			}
			if !tc.subtract && sumSel(s) != tc.target+s.fee+s.change {
				t.Fatalf("unbalanced: in %d, out %d + fee %d + change %d", sumSel(s), tc.target, s.fee, s.change)
			}
			_ = in
		})
	}
}

func TestSelectCoinsErrors(t *testing.T) {
	base := int64(txOverheadVSize + p2wpkhOutputVSize)
	for _, tc := range []struct {
		name       string
		coins      []selCoin
		target     int64
		need, have int64
	}{
		{"empty", nil, 1000, 1000 + feeFor(base+p2wpkhInputVSize, 1000), 0},
		{"short", selCoins(400, 500), 1000, 1000 + feeFor(base+2*p2wpkhInputVSize, 1000), 900},
		{"fee tips it over", selCoins(1000), 1000, 1000 + feeFor(base+p2wpkhInputVSize, 1000), 1000},
	} {
		_, err := selectCoins(tc.coins, selectRequest{target: tc.target, baseVSize: base, rate: 1000})
		var short *InsufficientFundsError
		if !errors.As(err, &short) || !errors.Is(err, ErrInsufficientFunds) || int64(short.Need) != tc.need || int64(short.Have) != tc.have {
			t.Errorf("%s: %v (%+v), want need %d have %d", tc.name, err, short, tc.need, tc.have)
		}
	}
	e := &InsufficientFundsError{Need: 150_000_000, Have: 120_000_000}
	if e.Error() != "insufficient funds: need 1.5 GG, have 1.2 GG" {
		t.Errorf("message %q", e.Error())
	}
}

// TestSelectSpendableErrors: an overdraft leaves out the inputs the
// transaction already has (Have is what the account's coins hold, as
// its balance shows it) and names the unconfirmed coins, saying a block
// is the fix only when they would cover the need.
func TestSelectSpendableErrors(t *testing.T) {
	base := int64(txOverheadVSize + p2wpkhOutputVSize + p2wpkhInputVSize)
	const gg = 100_000_000
	preset := selectRequest{target: 2*gg + 10_000, baseVSize: base, nPreset: 1, nOutputs: 1, preset: 10_000, rate: 1000}
	for _, tc := range []struct {
		name              string
		confirmed, change []selCoin
		pending           int64
		req               selectRequest
		want              string
		have, unconf      int64
	}{
		{"nothing confirmed, payment pending", nil, nil, 5 * gg, preset,
			`^insufficient funds: need 2\.0000\d+ GG, have 0\.0 GG confirmed \(5\.0 GG unconfirmed: mine a block or wait for one\)$`, 0, 5 * gg},
		{"pending too small", selCoins(gg / 2), nil, gg / 4, preset,
			`^insufficient funds: need 2\.0000\d+ GG, have 0\.5 GG confirmed \(0\.25 GG more unconfirmed\)$`, gg / 2, gg / 4},
		{"change tried, still short", selCoins(gg / 2), selCoins(gg / 2), 0, preset,
			`^insufficient funds: need 2\.0000\d+ GG, have 0\.5 GG confirmed \(0\.5 GG more unconfirmed\)$`, gg / 2, gg / 2},
		{"nothing unconfirmed", selCoins(gg), nil, 0, preset,
			`^insufficient funds: need 2\.0000\d+ GG, have 1\.0 GG$`, gg, 0},
	} {
		_, err := selectSpendable(tc.confirmed, tc.change, tc.pending, tc.req)
		var short *InsufficientFundsError
		if !errors.As(err, &short) || !errors.Is(err, ErrInsufficientFunds) {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !regexp.MustCompile(tc.want).MatchString(err.Error()) || int64(short.Have) != tc.have || int64(short.Unconfirmed) != tc.unconf {
			t.Errorf("%s: %q (%+v)", tc.name, err, short)
		}
		// the preset input is the transaction's, not the account's
		if need := int64(short.Need); need < tc.req.target-tc.req.preset || need > tc.req.target {
			t.Errorf("%s: need %d counts the preset input", tc.name, need)
		}
	}
	// unconfirmed change that covers the need is spent, no error
	if _, err := selectSpendable(nil, selCoins(3*gg), 0, preset); err != nil {
		t.Fatalf("change: %v", err)
	}
}

func TestTopoSort(t *testing.T) {
	mk := func(parents ...*wire.MsgTx) *wire.MsgTx {
		tx := wire.NewMsgTx(2)
		for _, p := range parents {
			tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: p.TxHash()}})
		}
		if len(parents) == 0 {
			tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: uint32(len(tx.TxIn) + 7)}})
		}
		tx.AddTxOut(&wire.TxOut{Value: int64(len(parents)) + 1})
		return tx
	}
	a := mk()
	b := mk(a)
	c := mk(b)
	d := mk(a, c)
	x := wire.NewMsgTx(1) // unrelated
	x.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: 99}})
	// Inserted children first.
	got := topoSort([]PendingTx{{d, 1}, {c, 2}, {x, 3}, {b, 4}, {a, 5}})
	pos := map[chainhash.Hash]int{}
	for i, p := range got {
		pos[p.Tx.TxHash()] = i
	}
	if len(got) != 5 {
		t.Fatalf("%d results", len(got))
	}
	for _, e := range [][2]*wire.MsgTx{{a, b}, {b, c}, {c, d}, {a, d}} {
		if pos[e[0].TxHash()] > pos[e[1].TxHash()] {
			t.Errorf("child before parent: %v", got)
		}
	}
	if pos[x.TxHash()] != 0 {
		t.Errorf("unrelated tx at %d, want first (ready, lowest sequence)", pos[x.TxHash()])
	}
}

func TestTxRecordsRoundTrip(t *testing.T) {
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: 3}, Witness: wire.TxWitness{{1, 2}}})
	tx.AddTxOut(&wire.TxOut{Value: 5, PkScript: extScript})
	r := &txRecord{Flags: txFlagPending | txFlagCoinbase, Height: 7, Block: chainhash.Hash{9}, FirstSeen: 123, Tx: tx}
	got, err := decodeTxRecord(encodeTxRecord(r))
	if err != nil || got.Flags != r.Flags || got.Height != 7 || got.Block != r.Block || got.FirstSeen != 123 || got.Tx.WitnessHash() != tx.WitnessHash() {
		t.Fatalf("tx record: %+v, %v", got, err)
	}
	c := &coinRecord{Value: 42, Height: unconfirmed, Flags: coinFlagGame | coinFlagChange, LockUntil: 9, PkScript: extScript, GameID: []byte("id")}
	gc, err := decodeCoin(encodeCoin(c))
	if err != nil || gc.Value != 42 || gc.Height != unconfirmed || gc.Flags != c.Flags || gc.LockUntil != 9 || string(gc.GameID) != "id" {
		t.Fatalf("coin record: %+v, %v", gc, err)
	}
}

func TestTxRecordsErrors(t *testing.T) {
	tx := wire.NewMsgTx(2)
	tx.AddTxOut(&wire.TxOut{Value: 5, PkScript: extScript})
	good := encodeTxRecord(&txRecord{Tx: tx})
	coin := encodeCoin(&coinRecord{Value: 1, PkScript: extScript})
	mut := func(b []byte, i int, v byte) []byte { b = append([]byte(nil), b...); b[i] = v; return b }
	for _, tc := range []struct {
		name string
		fn   func() error
	}{
		{"tx empty", func() error { _, err := decodeTxRecord(nil); return err }},
		{"tx version", func() error { _, err := decodeTxRecord(mut(good, 0, 2)); return err }},
		{"tx flags", func() error { _, err := decodeTxRecord(mut(good, 1, 0x80)); return err }},
		{"tx body", func() error { _, err := decodeTxRecord(good[:50]); return err }},
		{"coin truncated", func() error { _, err := decodeCoin(coin[:10]); return err }},
		{"coin trailing", func() error { _, err := decodeCoin(append(append([]byte(nil), coin...), 0)); return err }},
		{"coin flags", func() error { _, err := decodeCoin(mut(coin, 13, 0x80)); return err }},
		{"coin negative", func() error { _, err := decodeCoin(mut(coin, 1, 0x80)); return err }},
	} {
		if err := tc.fn(); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", tc.name, err)
		}
	}
}

func FuzzDecodeTxRecords(f *testing.F) {
	tx := wire.NewMsgTx(2)
	tx.AddTxOut(&wire.TxOut{Value: 5, PkScript: extScript})
	f.Add(encodeTxRecord(&txRecord{Tx: tx}))
	f.Add(encodeCoin(&coinRecord{Value: 1, PkScript: extScript}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := decodeTxRecord(b); err == nil {
			if _, err := decodeTxRecord(encodeTxRecord(r)); err != nil {
				t.Fatalf("re-encoded tx record: %v", err)
			}
		}
		if c, err := decodeCoin(b); err == nil {
			if _, err := decodeCoin(encodeCoin(c)); err != nil {
				t.Fatalf("re-encoded coin: %v", err)
			}
		}
	})
}

// TestSelectCoinsManyOutputs: with 253 or more outputs the output count
// takes three bytes; the fee must still cover the real virtual size
// (found by a 1,000-output send refused at the relay floor).
func TestSelectCoinsManyOutputs(t *testing.T) {
	const rate = 1000
	for _, nOut := range []int{252, 253, 300, 1000} {
		pk := make([]byte, 22)
		pk[0], pk[1] = 0x00, 0x14
		tx := wire.NewMsgTx(2)
		base := int64(txOverheadVSize)
		for range nOut {
			tx.AddTxOut(&wire.TxOut{Value: 1000, PkScript: pk})
			base += outputVSize(pk)
		}
		target := int64(nOut) * 1000
		coin := selCoin{op: wire.OutPoint{Index: 1}, value: target + 10_000_000, pkScript: pk}
		sel, err := selectCoins([]selCoin{coin}, selectRequest{target: target, baseVSize: base, nOutputs: nOut, rate: rate})
		if err != nil {
			t.Fatalf("%d outputs: %v", nOut, err)
		}
		// Build what the wallet would sign: the input with a worst-case
		// P2WPKH witness (72-byte signature, 33-byte key) and the change.
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: coin.op, Witness: wire.TxWitness{make([]byte, 72), make([]byte, 33)}})
		if sel.change > 0 {
			tx.AddTxOut(&wire.TxOut{Value: sel.change, PkScript: pk})
		}
		if need := feeFor(int64(tx.VSize()), rate); sel.fee < need {
			t.Errorf("%d outputs: fee %d below %d for vsize %d", nOut, sel.fee, need, tx.VSize())
		}
	}
}

func TestDustThreshold(t *testing.T) {
	p2wpkh := append([]byte{0x00, 0x14}, make([]byte, 20)...)
	p2wsh := append([]byte{0x00, 0x20}, make([]byte, 32)...)
	p2pkh := append(append([]byte{0x76, 0xa9, 0x14}, make([]byte, 20)...), 0x88, 0xac)
	cases := []struct {
		name string
		pk   []byte
		want int64
	}{
		{"p2wpkh", p2wpkh, 294}, {"p2wsh", p2wsh, 330}, {"p2pkh", p2pkh, 546},
		{"op_return", []byte{0x6a, 0x01, 0x00}, 0},
	}
	for _, c := range cases {
		if got := dustThreshold(c.pk); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	if changeDust != dustThreshold(p2wpkh) {
		t.Errorf("changeDust %d disagrees with the P2WPKH dust threshold", changeDust)
	}
}
