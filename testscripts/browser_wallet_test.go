package testscripts

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBrowserWallet drives the H5 wallet (/wallet/) in chromium as new
// users would, against a real gg-node: a wallet created in the page
// (its mnemonic shown once) receives coins sent by gg-wallet, and the
// balance shows within 2 s of the block, without a reload; it sends GG
// to gg-wallet; it puts a prop on sale; a second wallet, created in a
// second tab (another origin, localhost, so another IndexedDB), bids the
// buy-now price while the explorer's prop page in a third tab shows the
// bid within 2 s; a block settles the sale and both wallets show it;
// verified mode (BIP158 filters and blocks instead of the address index)
// agrees with the index and follows the next block; the service worker
// caches the static assets; the page opened over plain HTTP at a LAN
// address refuses (not a secure context). No tab logs a console error.
// The module must be built (make wasm; make test does it first): the
// test skips without it, as without chromium.
func TestBrowserWallet(t *testing.T) {
	start := time.Now()
	b := newBrowser(t)
	// A low public rate (bursts of 20) so that verified mode over the
	// public listener must keep under it (below).
	n := startBrowserNode(t, "--public-listen=0.0.0.0:0", "--public-rate=10")
	resp, err := http.Get(n.URL + "/wallet/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(page), "wallet module not built") {
		t.Skip("gg-node serves the wallet without its WebAssembly module: run make wasm (make test does) before go test")
	}
	act := n.addGameActivity("moonrise", "https://moonrise.example", "helm-001", "ring-002")

	// Over plain HTTP on an address that is not loopback the page is not
	// a secure context (no WebCrypto): it says so instead of going blank.
	pub, err := os.ReadFile(filepath.Join(n.Datadir, "public.addr"))
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(strings.TrimSpace(string(pub)))
	if ip := lanIPv4(); ip != "" {
		lan := b.newTab("lan")
		lan.open("http://" + net.JoinHostPort(ip, port) + "/wallet/")
		lan.waitJS(10*time.Second, "the insecure-context refusal", `!document.getElementById("insecure").hidden`)
		lan.waitText(10*time.Second, "#status", "not a secure context")
		if evalIn[bool](lan, `window.isSecureContext`) {
			t.Errorf("http://%s is a secure context", ip)
		}
		lan.shot("insecure context")
	} else {
		t.Log("no non-loopback IPv4 address: the insecure-context check is left out")
	}
	prop := act.Props[1]

	// A new wallet in the first tab.
	alice := b.newTab("alice")
	alice.open(n.URL + "/wallet/")
	words := map[string]string{}
	create := func(tb *tab) string {
		t.Helper()
		tb.waitJS(10*time.Second, "the create form", `!document.getElementById("new-box").hidden && !document.getElementById("start").hidden`)
		tb.fill(`#create input[name=pass]`, "correct horse battery")
		tb.fill(`#create input[name=pass2]`, "correct horse battery")
		tb.click(`#create button`)
		tb.waitJS(20*time.Second, "the mnemonic", `document.getElementById("mnemonic").textContent.split(" ").length === 24`)
		tb.shot("mnemonic shown once")
		words[tb.name] = tb.text("#mnemonic")
		tb.click(`#backed-up`)
		tb.waitJS(10*time.Second, "the open wallet", `document.getElementById("receive").textContent.length > 10`)
		tb.waitText(10*time.Second, "#status", "up to date")
		if got := tb.text("#mnemonic"); got != "" {
			t.Errorf("tab %s: the mnemonic is still in the page: %q", tb.name, got)
		}
		return tb.text("#receive")
	}
	aliceAddr := create(alice)
	alice.shot("new wallet")
	t.Logf("the wallet module loaded (fetched, compiled, started) in %s ms (budget 1500)", evalIn[string](alice, `document.body.dataset.wasmMs`))

	// Values the module's bridge cannot take (a BigInt, a function, a
	// symbol, a method name that is no string) are refused with an error,
	// and the module still answers afterwards.
	for _, js := range []string{`ggwallet.call("newMnemonic", {words: 12n})`, `ggwallet.call(12n)`,
		`ggwallet.call("newMnemonic", {words: () => 12})`, `ggwallet.call("newMnemonic", {words: Symbol()})`,
		`ggwallet.call("newMnemonic", {words: new Array(200000)})`} {
		if got := evalIn[string](alice, `String(`+js+`.error)`); got == "undefined" || got == "" {
			t.Errorf("%s: no error", js)
		}
	}
	if n := evalIn[int](alice, `ggwallet.call("newMnemonic", {words: 12}).result.split(" ").length`); n != 12 {
		t.Errorf("after the odd values, newMnemonic gave %d words", n)
	}

	// PWA: the manifest is linked, the service worker is active and has
	// cached the static assets (the page, script, module), no API answer.
	alice.waitJS(10*time.Second, "the service worker", `document.body.dataset.sw === "ready"`)
	evalIn[bool](alice, `(caches.open("gg-wallet-v1").then((c) => c.keys()).then((ks) => { document.body.dataset.cached = ks.map((k) => new URL(k.url).pathname).join(" "); }), true)`)
	alice.waitJS(10*time.Second, "the cache's keys", `document.body.dataset.cached !== undefined`)
	if cached := evalIn[string](alice, `document.body.dataset.cached`); strings.Contains(cached, "/rest/") || !strings.Contains(cached, "/wallet/static/wallet.js") ||
		!strings.Contains(cached, "/wallet/static/gen/wallet.wasm") {
		t.Errorf("the service worker cached %q", cached)
	}
	if got := evalIn[string](alice, `document.querySelector('link[rel=manifest]').href`); !strings.HasSuffix(got, "/wallet/manifest.webmanifest") {
		t.Errorf("manifest link %q", got)
	}

	// Coins from gg-wallet: the balance shows within 2 s of the block.
	n.Run("gg-wallet", "send", aliceAddr, "5")
	n.Generate(1)
	d := alice.waitText(2*time.Second, "#balance", "5.00000000")
	t.Logf("alice's balance shown %s after the block", d.Round(time.Millisecond))
	alice.shot("received")

	// alice sends 1 GG to gg-wallet's address.
	alice.fill(`#send input[name=to]`, n.Mine)
	alice.fill(`#send input[name=amount]`, "1")
	alice.click(`#send button`)
	alice.waitText(5*time.Second, "#status", "sent 1.00000000 GG")
	alice.waitText(10*time.Second, "#pending", "pending")
	n.Generate(1)
	d = alice.waitText(10*time.Second, "#balance", "3.99")
	t.Logf("alice's balance after her send shown %s after the block", d.Round(time.Millisecond))
	alice.waitJS(10*time.Second, "no pending", `document.getElementById("pending").textContent === ""`)
	alice.shot("sent")

	// A prop for alice, which she puts on sale at 2 GG.
	n.Run("gg-prop", "send", prop, aliceAddr)
	n.Generate(1)
	row := `#props tr[data-prop="` + prop + `"]`
	d = alice.waitJS(10*time.Second, "the prop in alice's list", `document.querySelector('`+row+` form.sell')`)
	t.Logf("alice's prop shown %s after the block", d.Round(time.Millisecond))
	alice.fill(row+` input[name=buynow]`, "2")
	alice.click(row + ` button`)
	alice.waitText(5*time.Second, "#status", "on sale")
	alice.waitText(10*time.Second, row, "on sale")
	alice.shot("on sale")

	// The explorer's prop page in a third tab follows the auction.
	ex := b.newTab("explorer")
	ex.open(n.URL + "/explorer/prop/" + prop)
	ex.waitText(5*time.Second, "main", "ring-002")
	ex.waitText(5*time.Second, "#auction .bid", "0")

	// bob: a second wallet in another origin, funded from gg-wallet, bids
	// the buy-now price.
	bob := b.newTab("bob")
	bob.open(strings.Replace(n.URL, "127.0.0.1", "localhost", 1) + "/wallet/")
	bobAddr := create(bob)
	if bobAddr == aliceAddr {
		t.Fatal("two new wallets share an address")
	}
	n.Run("gg-wallet", "send", bobAddr, "4")
	n.Generate(1)
	d = bob.waitText(10*time.Second, "#balance", "4.00000000")
	t.Logf("bob's balance shown %s after the block", d.Round(time.Millisecond))
	arow := `#auctions tr[data-prop="` + prop + `"]`
	bob.waitJS(10*time.Second, "the auction in bob's list", `document.querySelector('`+arow+` form.bid')`)
	bob.fill(arow+` input[name=price]`, "2")
	bob.click(arow + ` button`)
	bob.waitText(5*time.Second, "#status", "bid 2.00000000 GG")
	d = ex.waitJS(2*time.Second, "the bid on the explorer's prop page", `Number(document.querySelector("#auction .bid").textContent) === 2`)
	t.Logf("the explorer showed the bid %s after it was sent", d.Round(time.Millisecond))
	bob.shot("bid")
	ex.shot("explorer bid")

	// A block settles the buy-now: bob holds the prop, alice the price.
	n.Generate(1)
	d = bob.waitJS(10*time.Second, "the prop in bob's list", `document.querySelector('#props tr[data-prop="`+prop+`"]')`)
	t.Logf("the settled prop shown in bob's list %s after the block", d.Round(time.Millisecond))
	alice.waitText(10*time.Second, "#balance", "5.99")
	alice.waitJS(10*time.Second, "the prop gone from alice's list", `!document.querySelector('`+row+`')`)
	bob.waitJS(10*time.Second, "bob's bid no longer pending", `document.getElementById("pending").textContent === ""`)
	alice.waitJS(10*time.Second, "nothing pending for alice", `document.getElementById("pending").textContent === ""`)
	bob.shot("settled bob")
	alice.shot("settled alice")

	// Verified mode: alice's coins from the filters and blocks since her
	// wallet's birth agree with the address index.
	alice.click("#verified-mode")
	alice.waitJS(10*time.Second, "the verified balance", `document.getElementById("verified").className === "ok"`)
	if got, want := alice.text("#verified"), "verified: "+alice.text("#balance")+" GG"; !strings.HasPrefix(got, want) {
		t.Errorf("verified mode shows %q, want %q...", got, want)
	}
	n.Run("gg-wallet", "send", aliceAddr, "1")
	n.Generate(1)
	d = alice.waitText(10*time.Second, "#verified", "verified: 6.99")
	t.Logf("the verified balance followed the block in %s", d.Round(time.Millisecond))
	alice.shot("verified")

	// alice's words restored in a tab on the public listener (birth 0):
	// verified mode reads the filters of every block, far more than the
	// listener's burst of 20 at 10 a second, and still agrees.
	carol := b.newTab("carol")
	carol.rateLimited = true
	carol.open("http://" + net.JoinHostPort("127.0.0.1", port) + "/wallet/")
	carol.waitJS(10*time.Second, "the restore form", `!document.getElementById("new-box").hidden`)
	// Count the page's REST reads in flight at once (fetch resolves with
	// the response's head): a refresh of the restored wallet's 20
	// addresses keeps at most 4 (REFRESH_IN_FLIGHT), not one per address.
	evalIn[bool](carol, `(() => {
		const f = window.fetch;
		let n = 0;
		window.ggMaxInFlight = 0;
		window.fetch = (...a) => {
			if (!String(a[0]).includes("/rest/")) return f(...a);
			window.ggMaxInFlight = Math.max(window.ggMaxInFlight, ++n);
			return f(...a).finally(() => n--);
		};
		return true;
	})()`)
	js, _ := json.Marshal(words["alice"])
	evalIn[string](carol, `document.querySelector("#restore textarea[name=mnemonic]").value = `+string(js))
	carol.fill(`#restore input[name=pass]`, "correct horse battery")
	carol.click(`#restore button`)
	carol.waitText(30*time.Second, "#balance", "6.99")
	if max := evalIn[float64](carol, `window.ggMaxInFlight`); max < 1 || max > 4 {
		t.Errorf("the restored wallet's refresh had %v REST reads in flight at once, want 1 to 4", max)
	}
	carol.click("#verified-mode")
	d = carol.waitJS(60*time.Second, "the verified balance over the public listener", `document.getElementById("verified").className !== ""`)
	if got := carol.text("#verified"); !strings.HasPrefix(got, "verified: 6.99") {
		t.Errorf("verified mode over the public listener shows %q", got)
	}
	t.Logf("verified mode over the public listener (10 requests/s, bursts of 20) walked the filters of blocks 0 to %s in %s", evalIn[string](carol, `(/at height (\d+)/.exec(document.getElementById("verified").textContent) || [])[1] || "?"`), d.Round(time.Millisecond))
	carol.shot("verified over the public listener")
	for _, tb := range []*tab{alice, bob, ex, carol} {
		tb.noErrors()
	}
	t.Logf("browser wallet test: %s", time.Since(start).Round(time.Millisecond))
}

// lanIPv4 is an IPv4 address of this machine that is not loopback, ""
// if none.
func lanIPv4() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLoopback() {
			return ipn.IP.String()
		}
	}
	return ""
}
