package wallet

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/wire"
)

// BenchmarkCreateTx10kUTXO measures Send (coin selection over 10,000
// coins on 10,000 addresses, signing, recording as pending, broadcast to
// an in-memory client) and reports the median latency (target <= 20 ms).
func BenchmarkCreateTx10kUTXO(b *testing.B) {
	const nCoins = 10_000
	w, _, err := Create(b.TempDir()+"/w.db", regtest, CreateOptions{Passphrase: testPass, Mnemonic: testMnemonic, KDF: testKDF,
		Open: OpenOptions{NoSync: true, Timeout: time.Second}})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	if err := w.Unlock(testPass, 0); err != nil {
		b.Fatal(err)
	}
	c := newFakeChain()
	ctx := context.Background()
	if err := w.Start(ctx, c); err != nil {
		b.Fatal(err)
	}
	// Fund: 10 transactions of 1,000 outputs each, on fresh addresses,
	// with values from 0.001 to about 1 GG.
	var txs []*wire.MsgTx
	for t := range nCoins / 1000 {
		tx := wire.NewMsgTx(2)
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: uint32(t)}})
		for i := range 1000 {
			a, err := w.NewAddress("", false)
			if err != nil {
				b.Fatal(err)
			}
			v := int64(100_000 + ((t*1000+i)*7919)%100_000_000)
			tx.AddTxOut(&wire.TxOut{Value: v, PkScript: a.PkScript()})
		}
		txs = append(txs, tx)
	}
	c.connect(nil, txs...)
	if cs, _ := w.Coins(""); len(cs) != nCoins {
		b.Fatalf("%d coins", len(cs))
	}
	out := []*wire.TxOut{{Value: 370_000_000, PkScript: extScript}}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if _, err := w.Send(ctx, "", out, TxOptions{}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-median")
}
