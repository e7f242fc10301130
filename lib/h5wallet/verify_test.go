package h5wallet

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/gcs"
	"github.com/gamegold/gg/lib/wire"
)

// filterChain is blocks with their basic filters and filter headers.
type filterChain struct {
	blocks  []*wire.MsgBlock
	filters []*gcs.Filter
	fhs     []chainhash.Hash
}

func buildFilterChain(t *testing.T, blocks []*wire.MsgBlock) filterChain {
	t.Helper()
	var c filterChain
	var prev chainhash.Hash
	for _, b := range blocks {
		f, err := gcs.BuildBasic(b, nil) // coinbases only: nothing spent
		if err != nil {
			t.Fatal(err)
		}
		prev = gcs.Header(f.Hash(), prev)
		c.blocks, c.filters, c.fhs = append(c.blocks, b), append(c.filters, f), append(c.fhs, prev)
	}
	return c
}

// anchor is block i as a walk's anchor.
func (c filterChain) anchor(i int) Anchor {
	return Anchor{Hash: c.blocks[i].BlockHash().String(), Header: hex.EncodeToString(c.blocks[i].Header.Bytes()),
		FilterHeader: c.fhs[i].String(), Height: int32(i)}
}

func (c filterChain) run(from, to int) FilterRun {
	var r FilterRun
	for i := from; i < to; i++ {
		r.Headers = append(r.Headers, hex.EncodeToString(c.blocks[i].Header.Bytes()))
		r.FilterHeaders = append(r.FilterHeaders, c.fhs[i].String())
		r.Filters = append(r.Filters, hex.EncodeToString(c.filters[i].Bytes()))
	}
	return r
}

// TestVerifier: from genesis, the filters of a chain whose block 2's
// coinbase pays the wallet check against the headers and filter
// headers; block 2 alone matches, and once read the wallet holds its
// coinbase. Forged filters, headers that do not link and blocks that were
// not matched or do not hash to their merkle root are refused.
func TestVerifier(t *testing.T) {
	k := open(t, testMnemonic)
	mine := derive(t, k, 0, 2)
	g := chaingen.New(chaincfg.RegTestParams)
	blocks := []*wire.MsgBlock{chaincfg.RegTestParams.GenesisBlock}
	for i, name := range []string{"b1", "b2", "b3"} {
		var mungers []func(*wire.MsgBlock)
		if i == 1 {
			mungers = append(mungers, func(b *wire.MsgBlock) { b.Transactions[0].TxOut[0].PkScript = scriptOf(t, mine[1]) })
		}
		blocks = append(blocks, g.NextBlock(name, nil, mungers...))
	}
	c := buildFilterChain(t, blocks)

	v, err := k.NewVerifier(Anchor{Height: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.AddFilters(c.run(0, 2)); err != nil {
		t.Fatal(err)
	}
	if err := v.AddFilters(c.run(2, 4)); err != nil {
		t.Fatal(err)
	}
	s := v.State()
	if s.Height != 3 || s.Tip != blocks[3].BlockHash().String() || len(s.Matched) != 1 || s.Matched[0] != blocks[2].BlockHash().String() {
		t.Fatalf("state %+v", s)
	}
	if err := v.AddBlock(hex.EncodeToString(blocks[3].Bytes())); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("an unmatched block: %v", err)
	}
	bad := *blocks[2]
	bad.Transactions = append([]*wire.MsgTx{}, blocks[2].Transactions...)
	bad.Transactions = append(bad.Transactions, blocks[2].Transactions[0])
	if err := v.AddBlock(hex.EncodeToString(bad.Bytes())); err == nil || !strings.Contains(err.Error(), "merkle") {
		t.Errorf("a block with a transaction added: %v", err)
	}
	if err := v.AddBlock(hex.EncodeToString(blocks[2].Bytes())); err != nil {
		t.Fatal(err)
	}
	s = v.State()
	if want := blocks[2].Transactions[0].TxOut[0].Value; s.Balance != want || len(s.Coins) != 1 || !s.Coins[0].Coinbase ||
		s.Coins[0].Address != mine[1].Addr || s.Coins[0].Height != 2 || len(s.Matched) != 0 {
		t.Fatalf("state %+v, want one coinbase of %d", s, want)
	}

	// From an anchor: a forged filter, a header that does not follow.
	for _, tc := range []struct {
		name string
		mod  func(*FilterRun)
	}{
		{"forged filter", func(r *FilterRun) { r.Filters[1] = r.Filters[0] }},
		{"gap", func(r *FilterRun) {
			r.Headers, r.FilterHeaders, r.Filters = r.Headers[1:], r.FilterHeaders[1:], r.Filters[1:]
		}},
		{"lengths", func(r *FilterRun) { r.Filters = r.Filters[:1] }},
		{"bad work", func(r *FilterRun) {
			h := c.blocks[2].Header
			h.Nonce++
			for chaingen.MeetsTarget(&h) {
				h.Nonce++
			}
			r.Headers[0] = hex.EncodeToString(h.Bytes())
		}},
	} {
		v, err := k.NewVerifier(c.anchor(1))
		if err != nil {
			t.Fatal(err)
		}
		r := c.run(2, 4)
		tc.mod(&r)
		if err := v.AddFilters(r); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if _, err := k.NewVerifier(Anchor{Hash: "xyz", Height: 3}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("bad anchor: %v", err)
	}
	easy := c.blocks[1].Header
	easy.Bits = 0x2100ffff // above regtest's limit
	for name, mod := range map[string]func(*Anchor){
		"no anchor header":      func(a *Anchor) { a.Header = "" },
		"another block's":       func(a *Anchor) { a.Header = hex.EncodeToString(c.blocks[2].Header.Bytes()) },
		"anchor bits too easy":  func(a *Anchor) { a.Header, a.Hash = hex.EncodeToString(easy.Bytes()), easy.BlockHash().String() },
		"bad anchor filter hdr": func(a *Anchor) { a.FilterHeader = "zz" },
	} {
		a := c.anchor(1)
		mod(&a)
		if _, err := k.NewVerifier(a); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// jsonValue decodes JSON text to the bridge's values, as the page's
// objects arrive (numbers as float64).
func jsonValue(t *testing.T, text string) any {
	t.Helper()
	var v any
	if text == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return v
}

// TestSessionCall: the bridge's protocol: results, errors, a method
// before open, verified mode through it.
func TestSessionCall(t *testing.T) {
	var s Session
	call := func(method, args string) map[string]any {
		t.Helper()
		m := s.Call(method, jsonValue(t, args))
		// what the page receives is plain data: it survives JSON
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("%s: answer %v: %v", method, m, err)
		}
		var back map[string]any
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		return back
	}
	if m := call("send", `{}`); !strings.Contains(fmt.Sprint(m["error"]), "no wallet open") {
		t.Errorf("send before open: %v", m)
	}
	if m := call("newMnemonic", `{"words":12}`); len(strings.Fields(fmt.Sprint(m["result"]))) != 12 {
		t.Errorf("newMnemonic: %v", m)
	}
	if m := call("newMnemonic", ``); len(strings.Fields(fmt.Sprint(m["result"]))) != 24 {
		t.Errorf("newMnemonic without arguments: %v", m)
	}
	if m := call("open", `{"mnemonic":"`+testMnemonic+`","network":"nosuch"}`); m["error"] == nil {
		t.Errorf("open on an unknown network: %v", m)
	}
	m := call("open", `{"mnemonic":"`+testMnemonic+`","network":"regtest","lookahead":3}`)
	res, _ := m["result"].(map[string]any)
	if rc, _ := res["receive"].([]any); len(rc) != 3 {
		t.Fatalf("open: %v", m)
	}
	if m := call("verifyState", ``); m["error"] == nil {
		t.Errorf("verifyState before verifyStart: %v", m)
	}
	c := buildFilterChain(t, []*wire.MsgBlock{chaincfg.RegTestParams.GenesisBlock})
	if m := call("verifyStart", `{"anchor":"`+c.blocks[0].BlockHash().String()+`","anchor_fh":"`+c.fhs[0].String()+`","height":0}`); m["error"] == nil {
		t.Errorf("verifyStart without the anchor's header: %v", m)
	}
	a, _ := json.Marshal(c.anchor(0))
	if m := call("verifyStart", string(a)); m["error"] != nil {
		t.Errorf("verifyStart at genesis: %v", m)
	}
	if m := call("verifyStart", `{"height":-1}`); m["error"] != nil {
		t.Errorf("verifyStart: %v", m)
	}
	b, _ := json.Marshal(c.run(0, 1))
	if m := call("verifyFilters", string(b)); m["error"] != nil || m["result"].(map[string]any)["height"].(float64) != 0 {
		t.Errorf("verifyFilters: %v", m)
	}
	if m := call("nosuch", `{}`); m["error"] == nil {
		t.Errorf("an unknown method: no error")
	}
}

// TestSessionCallArgs: arguments of the wrong shape are refused with
// ErrInvalidArgument's text, naming the field, before anything runs.
func TestSessionCallArgs(t *testing.T) {
	var s Session
	if m := s.Call("open", jsonValue(t, `{"mnemonic":"`+testMnemonic+`","network":"regtest","lookahead":2}`)); m["error"] != nil {
		t.Fatal(m)
	}
	for _, c := range []struct{ method, args, field string }{
		{"send", `"not an object"`, "want an object"},
		{"send", `[1,2]`, "want an object"},
		{"newMnemonic", `{"words":"12"}`, "words"},
		{"newMnemonic", `{"words":12.5}`, "words"},
		{"open", `{"mnemonic":7}`, "mnemonic"},
		{"addresses", `{"branch":0,"from":-1,"n":2}`, "from"},
		{"addresses", `{"branch":0,"from":4294967296,"n":2}`, "from"},
		{"send", `{"coins":{}}`, "coins"},
		{"send", `{"coins":[7]}`, "coins"},
		{"send", `{"coins":[{"txid":"00","vout":"1"}]}`, "vout"},
		{"send", `{"to":[{"address":"x","value":1e300}]}`, "value"},
		{"send", `{"tip":2147483648}`, "tip"},
		{"sale", `{"coin":{"coinbase":"yes"}}`, "coinbase"},
		{"bid", `{"price":true}`, "price"},
		{"verifyStart", `{"height":"0"}`, "height"},
	} {
		m := s.Call(c.method, jsonValue(t, c.args))
		e, _ := m["error"].(string)
		if !strings.Contains(e, ErrInvalidArgument.Error()) || !strings.Contains(e, c.field) || m["result"] != nil {
			t.Errorf("%s %s: %v, want an invalid argument naming %s", c.method, c.args, m, c.field)
		}
	}
	if m := s.Call("verifyFilters", jsonValue(t, `{"headers":[1]}`)); m["error"] == nil {
		t.Errorf("verifyFilters with a number for a header: %v", m)
	}
}

// TestValueFieldNames: the answers and requests the bridge converts by
// hand use the names of the structs' json tags (the documented shape,
// and what lib/node's tests and the page read).
func TestValueFieldNames(t *testing.T) {
	viaJSON := func(v any) any {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return jsonValue(t, string(b))
	}
	coin := Coin{TxID: strings.Repeat("ab", 32), Vout: 3, Value: 1234567890123, Address: "addr", Height: 77, Coinbase: true}
	st := VerifiedState{Height: 5, Tip: "tip", Balance: 9, Coins: []Coin{coin, {TxID: "x"}}, Matched: []string{"m1", "m2"}, Scanned: 2}
	for _, c := range []struct {
		name       string
		hand, tags any
	}{
		{"Coin", coin.value(), coin},
		{"AddressInfo", AddressInfo{Branch: 1, Index: 4, Path: "m/1", Addr: "a", Script: "00"}.value(), AddressInfo{Branch: 1, Index: 4, Path: "m/1", Addr: "a", Script: "00"}},
		{"TxResult", (&TxResult{Hex: "h", TxID: "t", Fee: 5, VSize: 6, Spent: []string{"t:0"}}).value(), TxResult{Hex: "h", TxID: "t", Fee: 5, VSize: 6, Spent: []string{"t:0"}}},
		{"ContractSig", (&ContractSig{ID: "i", Key: "k", Sig: "s"}).value(), ContractSig{ID: "i", Key: "k", Sig: "s"}},
		{"VerifiedState", st.value(), st},
	} {
		if got, want := viaJSON(c.hand), viaJSON(c.tags); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: by hand %v, by tags %v", c.name, got, want)
		}
	}
	bid := BidRequest{SaleHex: "s", Seller: "sl", Gold: 1, Price: 2, ReplacedFees: 3, Coins: []Coin{coin}, PropAddress: "p", ChangeAddress: "c", FeeRate: 4, Tip: 5}
	sale := SaleRequest{Prop: "p", Coin: coin, BuyNow: 1, Reserve: 2, End: 3, Tip: 4}
	send := SendRequest{Coins: []Coin{coin}, To: []Output{{Address: "a", Value: 1}}, ChangeAddress: "c", FeeRate: 2, Tip: 3}
	anchor := Anchor{Hash: "h", Header: "hd", FilterHeader: "fh", Height: 9}
	run := FilterRun{Headers: []string{"a"}, FilterHeaders: []string{"b"}, Filters: []string{"c"}}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"BidRequest", argsOf("t", viaJSON(bid)).bidRequest(), bid},
		{"SaleRequest", argsOf("t", viaJSON(sale)).saleRequest(), sale},
		{"SendRequest", argsOf("t", viaJSON(send)).sendRequest(), send},
		{"Anchor", argsOf("t", viaJSON(anchor)).anchor(), anchor},
		{"FilterRun", argsOf("t", viaJSON(run)).filterRun(), run},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: read %+v, want %+v", c.name, c.got, c.want)
		}
	}
}

// TestSignContract: B's signature of the terms' id verifies under b_key;
// terms naming another key, or not decoding, are refused.
func TestSignContract(t *testing.T) {
	k := open(t, testMnemonic)
	a := derive(t, k, 0, 2)
	bkeyHex, err := k.ContractKey(a[1].Addr)
	if err != nil {
		t.Fatal(err)
	}
	bkey, _ := hex.DecodeString(bkeyHex)
	other := open(t, "legal winner thank year wave sausage worth useful legal winner thank yellow")
	oa := derive(t, other, 0, 1)
	akeyHex, _ := other.ContractKey(oa[0].Addr)
	akey, _ := hex.DecodeString(akeyHex)
	terms := &game.Terms{AKey: akey, BKey: bkey, AGold: 1e8, BGold: 2e8, Expiry: 500, Nonce: 7}
	enc, err := game.EncodeTerms(terms)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := k.SignContract(hex.EncodeToString(enc))
	if err != nil {
		t.Fatal(err)
	}
	id, _ := game.ContractID(terms)
	sigb, _ := hex.DecodeString(cs.Sig)
	sig, err := ecdsa.ParseDERSignature(sigb)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := btcec.ParsePubKey(bkey)
	if cs.ID != id.String() || cs.Key != bkeyHex || !sig.Verify(id[:], pub) {
		t.Fatalf("signature %+v does not verify", cs)
	}
	if _, err := other.SignContract(hex.EncodeToString(enc)); !errors.Is(err, ErrUnknownAddress) {
		t.Errorf("A signing as B: %v", err)
	}
	if _, err := k.SignContract("00ff"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("bad terms: %v", err)
	}
	if _, err := k.ContractKey("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"); !errors.Is(err, ErrUnknownAddress) {
		t.Errorf("a foreign address's key: %v", err)
	}
}

// mine sets h's nonce so its hash meets its own bits.
func mine(t *testing.T, h *wire.BlockHeader) {
	t.Helper()
	for !chaingen.MeetsTarget(h) {
		h.Nonce++
		if h.Nonce == 0 {
			t.Fatal("nonce space exhausted")
		}
	}
}

// TestVerifierGenesis: a walk from genesis takes only the network's
// genesis block first, not any header with a zero previous hash that
// meets its work.
func TestVerifierGenesis(t *testing.T) {
	k := open(t, testMnemonic)
	c := buildFilterChain(t, []*wire.MsgBlock{chaincfg.RegTestParams.GenesisBlock})
	forged := chaincfg.RegTestParams.GenesisBlock.Header
	forged.Timestamp++
	mine(t, &forged)
	r := c.run(0, 1)
	r.Headers[0] = hex.EncodeToString(forged.Bytes())
	v, err := k.NewVerifier(Anchor{Height: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.AddFilters(r); err == nil || !strings.Contains(err.Error(), "genesis") {
		t.Fatalf("a first block that is not genesis: %v", err)
	}
	if err := v.AddFilters(c.run(0, 1)); err != nil {
		t.Fatalf("genesis after the refusal: %v", err)
	}
	// No anchor is only before genesis, an anchor only at a height.
	if _, err := k.NewVerifier(Anchor{Height: 3}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("no anchor at height 3: %v", err)
	}
	if _, err := k.NewVerifier(Anchor{Hash: c.blocks[0].BlockHash().String(), Header: hex.EncodeToString(c.blocks[0].Header.Bytes()),
		FilterHeader: c.fhs[0].String(), Height: -1}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("an anchor at height -1: %v", err)
	}
}

// headerRun is headers after an anchor with one filter (any valid one:
// only its hash chains into the filter headers) for each.
func headerRun(t *testing.T, anchorFH chainhash.Hash, hs ...wire.BlockHeader) FilterRun {
	t.Helper()
	f, err := gcs.BuildBasic(chaincfg.MainNetParams.GenesisBlock, nil)
	if err != nil {
		t.Fatal(err)
	}
	var r FilterRun
	fh := anchorFH
	for _, h := range hs {
		fh = gcs.Header(f.Hash(), fh)
		r.Headers = append(r.Headers, hex.EncodeToString(h.Bytes()))
		r.FilterHeaders = append(r.FilterHeaders, fh.String())
		r.Filters = append(r.Filters, hex.EncodeToString(f.Bytes()))
	}
	return r
}

// TestVerifierDifficulty: on main's rules a header must carry its
// parent's bits outside a retarget height and move the target at most
// RetargetFactor times at one; a node cannot forge a cheap chain of
// minimum-difficulty headers after a harder anchor. Testnet, which
// allows minimum-difficulty blocks, is held to the limit only.
func TestVerifierDifficulty(t *testing.T) {
	p := chaincfg.MainNetParams
	k, err := Open(testMnemonic, "", p)
	if err != nil {
		t.Fatal(err)
	}
	const (
		limit   = 0x1f00ffff // main's PowLimitBits: 2^16 hashes a header
		quarter = 0x1e3fffc0 // limit / 4
		hard    = 0x1e3fff00 // a little below a quarter of the limit
		up4     = 0x1f00fffc // hard × 4
	)
	if p.PowLimitBits != limit || p.RetargetFactor != 4 || p.BlocksPerRetarget() != 2016 {
		t.Fatalf("main's parameters changed: limit %08x, factor %d, window %d", p.PowLimitBits, p.RetargetFactor, p.BlocksPerRetarget())
	}
	anchorAt := func(height int32, bits uint32) (Anchor, wire.BlockHeader) {
		h := wire.BlockHeader{Version: 4, Timestamp: 1_700_000_000 + uint32(height)*600, Bits: bits} // the anchor's work is not checked
		return Anchor{Hash: h.BlockHash().String(), Header: hex.EncodeToString(h.Bytes()), FilterHeader: chainhash.Hash{}.String(), Height: height}, h
	}
	child := func(parent wire.BlockHeader, bits uint32, mined bool) wire.BlockHeader {
		h := wire.BlockHeader{Version: 4, PrevBlock: parent.BlockHash(), Timestamp: parent.Timestamp + 600, Bits: bits}
		if mined {
			mine(t, &h)
		}
		return h
	}

	// From genesis: block 1 at the limit, like genesis.
	g := p.GenesisBlock.Header
	v, err := k.NewVerifier(Anchor{Height: -1})
	if err != nil {
		t.Fatal(err)
	}
	gf, _ := gcs.BuildBasic(p.GenesisBlock, nil)
	run := headerRun(t, gcs.Header(gf.Hash(), chainhash.Hash{}), child(g, limit, true))
	run.Headers = append([]string{hex.EncodeToString(g.Bytes())}, run.Headers...)
	run.FilterHeaders = append([]string{gcs.Header(gf.Hash(), chainhash.Hash{}).String()}, run.FilterHeaders...)
	run.Filters = append([]string{hex.EncodeToString(gf.Bytes())}, run.Filters...)
	if err := v.AddFilters(run); err != nil || v.State().Height != 1 {
		t.Fatalf("genesis and block 1 on main: %v", err)
	}

	for _, tc := range []struct {
		name       string
		height     int32  // the anchor's
		prev, bits uint32 // the anchor's bits, the next header's
		mined      bool
		ok         bool
	}{
		{"forged minimum difficulty after a harder block", 100, hard, limit, true, false},
		{"harder than the parent outside a retarget", 100, limit, quarter, false, false},
		{"retarget to 4x easier", 2015, hard, up4, true, true},
		{"retarget beyond 4x easier", 2015, hard, limit, true, false},
		{"retarget beyond 4x harder", 2015, limit, quarter - 1, false, false},
		{"the limit at a retarget after the limit", 4031, limit, limit, true, true},
	} {
		a, ah := anchorAt(tc.height, tc.prev)
		v, err := k.NewVerifier(a)
		if err != nil {
			t.Fatal(err)
		}
		err = v.AddFilters(headerRun(t, chainhash.Hash{}, child(ah, tc.bits, tc.mined)))
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case !tc.ok && (err == nil || !strings.Contains(err.Error(), "bits")):
			t.Errorf("%s: %v, want a refusal of its bits", tc.name, err)
		}
	}

	// Testnet allows a minimum-difficulty block after a harder one.
	tp := chaincfg.TestNetParams
	tk, err := Open(testMnemonic, "", tp)
	if err != nil {
		t.Fatal(err)
	}
	ah := wire.BlockHeader{Version: 4, Timestamp: 1_700_000_000, Bits: 0x1e7fffff}
	v, err = tk.NewVerifier(Anchor{Hash: ah.BlockHash().String(), Header: hex.EncodeToString(ah.Bytes()), FilterHeader: chainhash.Hash{}.String(), Height: 100})
	if err != nil {
		t.Fatal(err)
	}
	h := wire.BlockHeader{Version: 4, PrevBlock: ah.BlockHash(), Timestamp: ah.Timestamp + 1300, Bits: tp.PowLimitBits}
	mine(t, &h)
	if err := v.AddFilters(headerRun(t, chainhash.Hash{}, h)); err != nil {
		t.Errorf("testnet's minimum-difficulty block: %v", err)
	}
}
