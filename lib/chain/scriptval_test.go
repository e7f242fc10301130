package chain

import (
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wire"
)

// A block of 150 signed transactions with one bad signature deep inside
// (a signature over another amount: only the curve check finds it, in a
// batch with others) is refused, naming that transaction; the same block
// with the signature fixed connects.
func TestConnectBlockBadSignatureAmongMany(t *testing.T) {
	const n, badAt = 150, 100
	g := newBlockGen()
	tc := openChain(t)
	base := matureBase(g)
	tc.mustAccept(t, base...)
	keys := []*testKey{newTestKey("batch-a"), newTestKey("batch-b"), newTestKey("batch-c")}
	values := make([]int64, n)
	for i := range values {
		values[i] = 10_000
	}
	fund := spend([]spendOut{cbOut(base[0])}, nil, values...)
	for i, o := range fund.TxOut {
		o.PkScript = keys[i%len(keys)].pk
	}
	funded := g.next(base[len(base)-1], []*wire.MsgTx{fund}, cbOut(base[0]).amount-n*10_000)
	tc.mustAccept(t, funded)

	build := func(bad bool) *wire.MsgBlock {
		txs := make([]*wire.MsgTx, n)
		for i := range txs {
			tx := spend([]spendOut{outOf(fund, uint32(i))}, nil, 9_000)
			amount := int64(10_000)
			if bad && i == badAt {
				amount++
			}
			keys[i%len(keys)].signP2WPKH(tx, script.NewSigHashes(tx), 0, amount)
			txs[i] = tx
		}
		return g.next(funded, txs, n*1_000)
	}
	badBlk := build(true)
	_, _, err := tc.ProcessBlock(badBlk, BFNone)
	checkRule(t, err, ErrScriptValidation, "mandatory-script-verify-flag-failed")
	if want := badBlk.Transactions[1+badAt].TxHash().String(); !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not name transaction %s", err, want)
	}
	tc.mustAccept(t, build(false))
}
