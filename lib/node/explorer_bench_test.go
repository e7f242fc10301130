package node

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/wallet"
)

// BenchmarkExplorerPages measures the render time of each explorer page
// at the node (the RPC server's handler called in-process: REST answers
// asked in-process, decoded, the template executed; no network), as
// HTML, on a regtest node with the address index whose wallet registered
// a producer, created 500 props (5 blocks of 100), sent 50 of them to
// another address one block each, and auctions one with a bid (the xpub
// pages: bob's account and the miner's). Each page
// reports its median and 95th percentile in ns (p50-ns, p95-ns); the
// issue's budget is p95 <= 20 ms.
func BenchmarkExplorerPages(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	n, err := New(Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoSync: true, AddressIndex: true,
		WalletKDF: wallet.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { n.Close() })
	if _, err := n.Wallet.Create(ctx, rpc.WalletCreateRequest{Passphrase: walletPass, Mnemonic: walletMnemonic}); err != nil {
		b.Fatal(err)
	}
	w := n.Wallet.Wallet()
	if err := w.Unlock(walletPass, 0); err != nil {
		b.Fatal(err)
	}
	a, err := w.NewAddress("", false)
	if err != nil {
		b.Fatal(err)
	}
	gen := func() {
		if _, err := n.Miner.Generate(ctx, 1, a.PkScript()); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := n.Miner.Generate(ctx, 101, a.PkScript()); err != nil {
		b.Fatal(err)
	}
	c, err := rpc.Discover("", dir)
	if err != nil {
		b.Fatal(err)
	}
	call := func(out any, method string, params ...any) {
		if err := c.Call(ctx, method, out, params...); err != nil {
			b.Fatalf("%s: %v", method, err)
		}
	}
	var reg benchAction
	call(&reg, "cp.create", "benchexplorer", "https://bench.example")
	gen()
	var ids []string
	for batch := range 5 {
		specs := make([]map[string]any, 100)
		for i := range specs {
			specs[i] = map[string]any{"oid": fmt.Sprintf("item-%d-%d", batch, i), "gold": "0.0001"}
		}
		var r benchAction
		call(&r, "prop.createlist", reg.Objects[0].ID, specs)
		for _, o := range r.Objects {
			ids = append(ids, o.ID)
		}
		gen()
	}
	var other string
	call(&other, "address.create", "bob")
	var sendTx string
	for i := range 50 {
		var r benchAction
		call(&r, "prop.send", other, ids[i])
		sendTx = r.TxID
		gen()
	}
	sendBlock := n.Chain.Best().Hash
	call(nil, "tx.send", other, "5")
	gen()
	call(nil, "prop.sale", ids[100], "1")
	call(nil, "prop.buy", ids[100], "0.5", "bob")
	best := n.Chain.Best()
	accts, err := w.Accounts()
	if err != nil {
		b.Fatal(err)
	}
	xpubs := map[string]string{}
	for _, ai := range accts {
		xpubs[ai.Name] = ai.Xpub
	}

	pages := []struct{ name, path string }{
		{"home", "/explorer/"},
		{"block", fmt.Sprintf("/explorer/block/%d", best.Height-10)},
		{"tx", "/explorer/tx/" + sendTx + "?block=" + sendBlock.String()},
		{"address", "/explorer/address/" + other},
		{"address-owner", "/explorer/address/" + a.String()},
		{"producer", "/explorer/producer/benchexplorer"},
		{"prop", "/explorer/prop/" + ids[0]},
		{"auction-prop", "/explorer/prop/" + ids[100]},
		{"auctions", "/explorer/auctions"},
		{"search", "/explorer/search?q=benchexplorer"},
		{"xpub", "/explorer/xpub/" + xpubs["bob"]},
		{"xpub-owner", "/explorer/xpub/" + xpubs["default"]},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, 1<<12)
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, p.path, nil)
				rec := httptest.NewRecorder()
				t0 := time.Now()
				n.rpc.ServeHTTP(rec, req)
				lat = append(lat, time.Since(t0))
				if rec.Code != http.StatusOK && rec.Code != http.StatusSeeOther {
					b.Fatalf("GET %s: %d %.300s", p.path, rec.Code, rec.Body.String())
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*95/100].Nanoseconds()), "p95-ns")
		})
	}
}
