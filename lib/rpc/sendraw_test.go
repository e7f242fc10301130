package rpc

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// signedSpend pays prev (worth value, locked to the fixture's address)
// back to it less fee, signed, without submitting it.
func (f *gbtFixture) signedSpend(t *testing.T, prev wire.OutPoint, value, fee int64) *wire.MsgTx {
	t.Helper()
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: prev, Sequence: wire.MaxTxInSequenceNum})
	tx.AddTxOut(&wire.TxOut{Value: value - fee, PkScript: f.addr.PkScript()})
	kdb := keyDBFunc(func([]byte) (*btcec.PrivateKey, bool, bool) { return f.key, true, true })
	if ok, err := script.SignInput(tx, 0, f.addr.PkScript(), value, script.SigHashAll, kdb, nil, nil); !ok || err != nil {
		t.Fatalf("sign: %v %v", ok, err)
	}
	return tx
}

// TestSendRawTransactionMaxFeeRate: sendrawtransaction refuses a fee rate
// above maxfeerate (default 0.10 GG/kvB) with -25, over coins from the
// chain and from the mempool; 0 lifts the limit; the bound is inclusive.
func TestSendRawTransactionMaxFeeRate(t *testing.T) {
	f := newGBTFixture(t, GBTOptions{}, false)
	f.mine(t, 3) // coinbases 1 to 4 mature
	const gg, coin = int64(amount.DustPerGG), 50 * int64(amount.DustPerGG)
	txHex := func(tx *wire.MsgTx) string { return hex.EncodeToString(tx.Bytes()) }
	inPool := func(tx *wire.MsgTx) bool { _, ok := f.pool.Fetch(tx.TxHash()); return ok }

	// A normal fee passes the default.
	parent := f.signedSpend(t, f.coinbaseOut(t, 1), coin, 100_000)
	f.must(t, "sendrawtransaction", txHex(parent))

	// 49 GG of fee on a 50 GG coin: refused by default, nothing added.
	greedy := f.signedSpend(t, f.coinbaseOut(t, 2), coin, 49*gg)
	_, re := f.call(t, "sendrawtransaction", txHex(greedy))
	if re == nil || re.Code != CodeVerify || !strings.HasPrefix(re.Message, "max-fee-exceeded: ") || !strings.Contains(re.Message, "maxfeerate 0.1 GG/kvB") {
		t.Fatalf("greedy fee, default maxfeerate: %v", re)
	}
	if inPool(greedy) {
		t.Fatal("refused transaction is in the pool")
	}
	// The same through a mempool coin (the parent's output).
	child := f.signedSpend(t, wire.OutPoint{Hash: parent.TxHash()}, coin-100_000, 40*gg)
	if _, re := f.call(t, "sendrawtransaction", txHex(child), "0.1"); re == nil || re.Code != CodeVerify {
		t.Fatalf("greedy child of a mempool parent: %v", re)
	}
	// 0 lifts the limit; named params work too.
	f.must(t, "sendrawtransaction", txHex(greedy), 0)
	named, _ := json.Marshal(map[string]any{"hexstring": txHex(child), "maxfeerate": "0"})
	if _, re := f.callRaw(t, "sendrawtransaction", named); re != nil {
		t.Fatalf("named maxfeerate 0: %v", re)
	}

	// The bound is inclusive: at the exact rate (rounded up to a dust)
	// accepted, one dust per kvB below it refused.
	tx := f.signedSpend(t, f.coinbaseOut(t, 3), coin, 2*gg)
	fee, vsize := int64(2*gg), int64(tx.VSize())
	exact := (fee*1000 + vsize - 1) / vsize
	below := (fee*1000 - 1) / vsize
	if _, re := f.call(t, "sendrawtransaction", txHex(tx), amount.Amount(below).String()); re == nil || re.Code != CodeVerify {
		t.Fatalf("maxfeerate %s below the rate: %v", amount.Amount(below), re)
	}
	f.must(t, "sendrawtransaction", txHex(tx), amount.Amount(exact).String())

	// Bad values are invalid params.
	other := f.signedSpend(t, f.coinbaseOut(t, 4), coin, 100_000)
	for _, bad := range []any{-1, "-0.1", "abc", true, "1e-3", "0.000000001", []int{1}} {
		if _, re := f.call(t, "sendrawtransaction", txHex(other), bad); re == nil || re.Code != CodeInvalidParams {
			t.Errorf("maxfeerate %v: %v, want -32602", bad, re)
		}
	}
	if inPool(other) {
		t.Error("a call with a bad maxfeerate submitted the transaction")
	}
	// A number in exponent notation (Python's 1e-05) is read exactly:
	// 0.00001 GG/kvB is far below this fee, so -25; not a whole number of
	// dust, -32602.
	for _, c := range []struct {
		rate string
		code int
	}{{"1e-05", CodeVerify}, {"1E-5", CodeVerify}, {"1e-9", CodeInvalidParams}, {"1e400", CodeInvalidParams}} {
		if _, re := f.callRaw(t, "sendrawtransaction", []byte(fmt.Sprintf(`[%q,%s]`, txHex(other), c.rate))); re == nil || re.Code != c.code {
			t.Errorf("maxfeerate %s: %v, want %d", c.rate, re, c.code)
		}
	}
}

// callRaw calls method with params as given (e.g. named params).
func (f *nodeFixture) callRaw(t *testing.T, method string, params []byte) (json.RawMessage, *Error) {
	t.Helper()
	_, body := post(t, f.url, f.user, f.pass, fmt.Sprintf(`{"id":1,"method":%q,"params":%s}`, method, params))
	var r struct {
		Result json.RawMessage
		Error  *Error
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("%s: bad response %.300s", method, body)
	}
	return r.Result, r.Error
}
