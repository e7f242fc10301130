package node

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/explorer"
	"github.com/gamegold/gg/lib/h5wallet"
	"github.com/gamegold/gg/lib/webwallet"
)

// post sends body to path without a login, with headers (pairs).
func (c *restClient) post(t *testing.T, path, body string, hdr ...string) (int, []byte) {
	t.Helper()
	anon := &restClient{base: c.base}
	req, err := http.NewRequest(http.MethodPost, anon.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/plain")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, []byte(b.String())
}

// TestWalletPage: the page, its manifest, service worker and script are
// served without a login with their types; the wallet's policy allows
// WebAssembly and the explorer's does not; the page names the missing
// module when gg-node was built without it.
func TestWalletPage(t *testing.T) {
	n := startWalletNode(t, t.TempDir())
	t.Cleanup(func() { n.node.Close() })
	c := newExplorerClient(newRESTClient(t, n.dir))
	for _, tc := range []struct{ path, ctype, has string }{
		{"/wallet/", "text/html; charset=utf-8", `data-network="regtest"`},
		{"/wallet/manifest.webmanifest", "application/manifest+json", `"start_url":"/wallet/"`},
		{"/wallet/sw.js", "text/javascript; charset=utf-8", "caches.open"},
		{"/wallet/static/wallet.js", "text/javascript; charset=utf-8", "ggwallet.call"},
		{"/wallet/static/wallet.css", "text/css; charset=utf-8", "mnemonic"},
	} {
		code, h, b := c.get(t, tc.path)
		if code != http.StatusOK || h.Get("Content-Type") != tc.ctype || !strings.Contains(string(b), tc.has) {
			t.Errorf("GET %s: %d %q, want 200 %q with %q: %.200s", tc.path, code, h.Get("Content-Type"), tc.ctype, tc.has, b)
		}
		if csp := h.Get("Content-Security-Policy"); csp != webwallet.ContentSecurityPolicy || !strings.Contains(csp, "'wasm-unsafe-eval'") {
			t.Errorf("GET %s: CSP %q", tc.path, csp)
		}
	}
	if _, h, _ := c.get(t, "/wallet/sw.js"); h.Get("Service-Worker-Allowed") != "/wallet/" {
		t.Errorf("sw.js: Service-Worker-Allowed %q", h.Get("Service-Worker-Allowed"))
	}
	var man map[string]any
	_, _, b := c.get(t, "/wallet/manifest.webmanifest")
	if err := json.Unmarshal(b, &man); err != nil || man["scope"] != "/wallet/" {
		t.Errorf("manifest %s: %v", b, err)
	}
	c.html(t, "/explorer/", http.StatusOK) // checks the explorer's own policy
	if explorer.ContentSecurityPolicy == webwallet.ContentSecurityPolicy || strings.Contains(explorer.ContentSecurityPolicy, "wasm") {
		t.Error("the explorer's policy allows WebAssembly")
	}
	_, _, b = c.get(t, "/wallet/")
	built := strings.Contains(string(b), "static/gen/wasm_exec.js")
	if built == strings.Contains(string(b), "wallet module not built: run make build") {
		t.Errorf("page: built %v, and the not-built message present as much: %.2000s", built, b)
	}
	for _, p := range []string{"/wallet/nosuch", "/wallet/static/sw.js", "/wallet/static/../templates/wallet.html"} {
		if code, _, _ := c.get(t, p); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, code)
		}
	}
	// Without --addressindex the page's address reads say so (the page
	// shows it).
	if code, _, b := c.get(t, "/wallet/rest/address/rg1q8gk5z3dy7zv9ywe7synlrk58elz4hrnezp20pd/balance.json"); code != http.StatusNotFound ||
		!strings.Contains(string(b), "--addressindex") {
		t.Errorf("address read without the index: %d %s", code, b)
	}
	if code, _ := c.post(t, "/wallet/", "x"); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /wallet/: %d, want 405", code)
	}
}

// TestWalletPageBuilt: with a built module among the static files the
// page loads it and drops the not-built message.
func TestWalletPageBuilt(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "gen"), 0o755)
	os.WriteFile(filepath.Join(dir, webwallet.WasmFile), []byte("\x00asm\x01\x00\x00\x00"), 0o644)
	os.WriteFile(filepath.Join(dir, webwallet.WasmExecFile), []byte("// go"), 0o644)
	for _, f := range []string{"wallet.js", "sw.js"} {
		os.WriteFile(filepath.Join(dir, f), []byte("//"), 0o644)
	}
	w, err := webwallet.New(webwallet.Config{Network: "regtest", REST: "/r", Broadcast: "/b", Events: "/e", Static: os.DirFS(dir)})
	if err != nil || !w.Built() {
		t.Fatalf("built %v, %v", w != nil && w.Built(), err)
	}
	os.WriteFile(filepath.Join(dir, webwallet.WasmFile), []byte("placeholder"), 0o644)
	if w, _ := webwallet.New(webwallet.Config{Network: "regtest", REST: "/r", Broadcast: "/b", Events: "/e", Static: os.DirFS(dir)}); w.Built() {
		t.Error("a placeholder counts as built")
	}
}

// TestWalletBroadcast: transactions lib/h5wallet signs (a send, a sale
// listing, a buy-now bid from another wallet) are taken by POST /rest/tx
// without a login into the mempool and mined, read back through the
// page's REST view; bad, cross-origin and oversize posts are refused,
// and so is a post to the public listener.
func TestWalletBroadcast(t *testing.T) {
	r := startRESTNode(t, func(c *Config) { c.AddressIndex = true; c.PublicListen = "127.0.0.1:0" })
	c := r.rest
	seller, err := h5wallet.Open("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", "", chaincfg.RegTestParams)
	if err != nil {
		t.Fatal(err)
	}
	buyer, err := h5wallet.Open(walletMnemonic, "x", chaincfg.RegTestParams)
	if err != nil {
		t.Fatal(err)
	}
	sa, _ := seller.Addresses(0, 0, 3)
	ba, _ := buyer.Addresses(0, 0, 3)
	r.must(t, "tx.send", sa[0].Addr, "3")
	r.must(t, "tx.send", ba[0].Addr, "4")
	prop := r.props[4]
	r.must(t, "prop.send", sa[1].Addr, prop)
	r.gen(t, 1)

	coins := func(a string) []h5wallet.Coin {
		var u struct {
			UTXOs []struct {
				TxID   string
				Vout   uint32
				Height int32
				Value  json.Number
			}
		}
		if err := json.Unmarshal(r.rest.okAnon(t, "/wallet/rest/address/"+a+"/utxos.json"), &u); err != nil {
			t.Fatal(err)
		}
		var out []h5wallet.Coin
		for _, x := range u.UTXOs {
			f, _ := x.Value.Float64()
			out = append(out, h5wallet.Coin{TxID: x.TxID, Vout: x.Vout, Height: x.Height, Value: int64(f*1e8 + 0.5), Address: a})
		}
		return out
	}
	var tip int32
	json.Unmarshal(r.must(t, "getblockcount"), &tip)

	// A send of 1 GG back to the node's wallet.
	send, err := seller.Send(h5wallet.SendRequest{Coins: coins(sa[0].Addr), To: []h5wallet.Output{{Address: r.mine, Value: 1e8}}, ChangeAddress: sa[2].Addr, Tip: tip})
	if err != nil {
		t.Fatal(err)
	}
	// Refusals first: a bad signature, not hex, cross-origin, too big,
	// the public listener.
	bad := []byte(send.Hex)
	j := len(bad) - 80 // in the witness's signature
	if bad[j] == '0' {
		bad[j] = '1'
	} else {
		bad[j] = '0'
	}
	for _, tc := range []struct {
		name, body string
		hdr        []string
		want       int
	}{
		{"bad signature", string(bad), nil, http.StatusBadRequest},
		{"not hex", "hello", nil, http.StatusBadRequest},
		{"empty", "", nil, http.StatusBadRequest},
		{"cross-origin", send.Hex, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, http.StatusForbidden},
		{"oversize", strings.Repeat("00", MaxBroadcastBody/2+8), nil, http.StatusRequestEntityTooLarge},
	} {
		if code, b := c.post(t, BroadcastPath, tc.body, tc.hdr...); code != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, code, b, tc.want)
		}
	}
	pub, err := os.ReadFile(filepath.Join(r.dir, PublicAddrFile))
	if err != nil {
		t.Fatal(err)
	}
	pubc := &restClient{base: "http://" + strings.TrimSpace(string(pub))}
	if code, b := pubc.post(t, BroadcastPath, send.Hex); code != http.StatusForbidden || !strings.Contains(string(b), "--public-broadcast") {
		t.Errorf("public listener: %d %s, want 403", code, b)
	}
	if code, _, _ := pubc.get(t, "/wallet/"); code != http.StatusOK {
		t.Errorf("public listener /wallet/: %d", code)
	}
	var mempool []string
	json.Unmarshal(r.must(t, "getrawmempool"), &mempool)
	if slices.Contains(mempool, send.TxID) {
		t.Fatal("a refused post reached the mempool")
	}

	postOK := func(what, hexTx, txid string) {
		t.Helper()
		code, b := c.post(t, BroadcastPath, hexTx, "Sec-Fetch-Site", "same-origin", "Origin", c.base)
		var ok struct{ TxID string }
		if json.Unmarshal(b, &ok); code != http.StatusOK || ok.TxID != txid {
			t.Fatalf("%s: %d %s, want 200 with txid %s", what, code, b, txid)
		}
	}
	postOK("send", send.Hex, send.TxID)

	// The seller lists the prop; the buyer bids the buy-now price.
	var p struct {
		Gold     json.Number
		OutPoint string
		Owner    string
	}
	json.Unmarshal(r.rest.okAnon(t, "/wallet/rest/game/prop/"+prop+".json"), &p)
	gold, _ := p.Gold.Float64()
	txid, vout, _ := strings.Cut(p.OutPoint, ":")
	var v uint32
	json.Unmarshal([]byte(vout), &v)
	sale, err := seller.Sale(h5wallet.SaleRequest{Prop: prop, Coin: h5wallet.Coin{TxID: txid, Vout: v, Value: int64(gold*1e8 + 0.5), Address: p.Owner}, BuyNow: 2e8, Tip: tip})
	if err != nil {
		t.Fatal(err)
	}
	postOK("sale", sale.Hex, sale.TxID)
	saleHex := strings.TrimSpace(string(r.rest.okAnon(t, "/wallet/rest/tx/"+sale.TxID+".hex")))
	seller1 := p.Owner
	bid, err := buyer.Bid(h5wallet.BidRequest{SaleHex: saleHex, Seller: seller1, Gold: int64(gold*1e8 + 0.5), Price: 2e8,
		Coins: coins(ba[0].Addr), PropAddress: ba[1].Addr, ChangeAddress: ba[2].Addr, Tip: tip})
	if err != nil {
		t.Fatal(err)
	}
	postOK("bid", bid.Hex, bid.TxID)
	r.gen(t, 1)
	json.Unmarshal(r.rest.okAnon(t, "/wallet/rest/game/prop/"+prop+".json"), &p)
	if p.Owner != ba[1].Addr {
		t.Errorf("after the block the prop belongs to %s, want the buyer's %s", p.Owner, ba[1].Addr)
	}
	var bal struct{ Balance json.Number }
	json.Unmarshal(r.rest.okAnon(t, "/wallet/rest/address/"+seller1+"/balance.json"), &bal)
	if f, _ := bal.Balance.Float64(); f != 2 {
		t.Errorf("the seller's address %s holds %s GG, want the price 2", seller1, bal.Balance)
	}
}

// okAnon gets path without a login, expecting 200.
func (c *restClient) okAnon(t *testing.T, path string) []byte {
	t.Helper()
	code, _, b := (&restClient{base: c.base}).get(t, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, b)
	}
	return b
}
