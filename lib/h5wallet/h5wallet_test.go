package h5wallet

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/game"
	"github.com/gamegold/gg/lib/script"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// testMnemonic is BIP39's all-"abandon" phrase (a valid checksum).
const testMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

func open(t *testing.T, m string) *Keyring {
	t.Helper()
	k, err := Open(m, "", chaincfg.RegTestParams)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func derive(t *testing.T, k *Keyring, branch, n int) []AddressInfo {
	t.Helper()
	as, err := k.Addresses(branch, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// TestOpenMatchesGGWallet: a mnemonic gives the browser wallet the
// receive and change addresses gg-wallet's default account hands out,
// in order.
func TestOpenMatchesGGWallet(t *testing.T) {
	m, err := NewMnemonic(24)
	if err != nil {
		t.Fatal(err)
	}
	for _, phrase := range []string{testMnemonic, m} {
		w, _, err := wallet.Create(filepath.Join(t.TempDir(), "wallet.db"), chaincfg.RegTestParams,
			wallet.CreateOptions{Unencrypted: true, Mnemonic: phrase})
		if err != nil {
			t.Fatal(err)
		}
		k := open(t, phrase)
		for _, branch := range []int{BranchReceive, BranchChange} {
			got := derive(t, k, branch, 3)
			for i := range 3 {
				a, err := w.NewAddress(wallet.DefaultAccount, branch == BranchChange)
				if err != nil {
					t.Fatal(err)
				}
				if got[i].Addr != a.String() || got[i].Index != uint32(i) {
					t.Errorf("branch %d address %d: %s (%s), gg-wallet %s", branch, i, got[i].Addr, got[i].Path, a)
				}
			}
		}
		w.Close()
	}
	if got := derive(t, open(t, testMnemonic), 0, 1)[0].Path; got != "m/44'/1'/0'/0/0" {
		t.Errorf("path %s", got)
	}
}

func TestMnemonicErrors(t *testing.T) {
	for _, n := range []int{0, 11, 13, 25} {
		if _, err := NewMnemonic(n); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("NewMnemonic(%d): %v", n, err)
		}
	}
	m, err := NewMnemonic(12)
	if err != nil || len(strings.Fields(m)) != 12 || CheckMnemonic(m) != nil {
		t.Fatalf("NewMnemonic(12) = %q, %v", m, err)
	}
	for _, bad := range []string{"", "abandon", strings.Replace(testMnemonic, "about", "abandon", 1), strings.Replace(testMnemonic, "about", "zzz", 1)} {
		if CheckMnemonic(bad) == nil {
			t.Errorf("CheckMnemonic(%q) = nil", bad)
		}
		if _, err := Open(bad, "", chaincfg.RegTestParams); err == nil {
			t.Errorf("Open(%q) = nil error", bad)
		}
	}
	if _, err := open(t, testMnemonic).Addresses(2, 0, 1); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("branch 2: %v", err)
	}
	if _, err := open(t, testMnemonic).Addresses(0, 0, MaxDerive+1); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("too many: %v", err)
	}
}

// verifyInputs checks every input of tx whose previous output is in
// prev (by index) with the node's standard script flags.
func verifyInputs(t *testing.T, tx *wire.MsgTx, prev map[int]*wire.TxOut) {
	t.Helper()
	hashes := script.NewSigHashes(tx)
	for i, po := range prev {
		if err := script.VerifyInput(tx, i, po.PkScript, po.Value, script.StandardFlags, nil, hashes); err != nil {
			t.Fatalf("input %d: %v", i, err)
		}
	}
}

func decode(t *testing.T, r *TxResult) *wire.MsgTx {
	t.Helper()
	tx, err := wire.DecodeTxHex(r.Hex)
	if err != nil {
		t.Fatal(err)
	}
	if tx.TxHash().String() != r.TxID || tx.VSize() != r.VSize {
		t.Fatalf("result %s/%d, tx %s/%d", r.TxID, r.VSize, tx.TxHash(), tx.VSize())
	}
	return tx
}

func fakeTxID(b byte) string { return strings.Repeat(hex.EncodeToString([]byte{b}), 32) }

func scriptOf(t *testing.T, a AddressInfo) []byte {
	b, err := hex.DecodeString(a.Script)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSend(t *testing.T) {
	k := open(t, testMnemonic)
	recv, chg := derive(t, k, BranchReceive, 3), derive(t, k, BranchChange, 1)
	other := derive(t, open(t, strings.Repeat("zoo ", 11)+"wrong"), 0, 1)[0]
	coins := []Coin{
		{TxID: fakeTxID(1), Vout: 0, Value: 30_000, Address: recv[0].Addr, Height: 5},
		{TxID: fakeTxID(2), Vout: 1, Value: 5_000_000_000, Address: recv[1].Addr, Height: 10, Coinbase: true},
		{TxID: fakeTxID(3), Vout: 2, Value: 200_000_000, Address: recv[2].Addr, Height: 120},
	}
	r, err := k.Send(SendRequest{Coins: coins, To: []Output{{Address: other.Addr, Value: 150_000_000}}, ChangeAddress: chg[0].Addr, Tip: 150})
	if err != nil {
		t.Fatal(err)
	}
	tx := decode(t, r)
	// Largest mature coin first: the coinbase of height 10 is mature at 150.
	if len(tx.TxIn) != 1 || r.Spent[0] != fakeTxID(2)+":1" {
		t.Fatalf("inputs %v", r.Spent)
	}
	if len(tx.TxOut) != 2 || tx.TxOut[0].Value != 150_000_000 || tx.TxOut[1].Value != 5_000_000_000-150_000_000-r.Fee {
		t.Fatalf("outputs %+v fee %d", tx.TxOut, r.Fee)
	}
	if r.Fee < feeFor(int64(r.VSize), DefaultFeeRate) {
		t.Errorf("fee %d below %d for %d vB", r.Fee, feeFor(int64(r.VSize), DefaultFeeRate), r.VSize)
	}
	verifyInputs(t, tx, map[int]*wire.TxOut{0: {Value: coins[1].Value, PkScript: scriptOf(t, recv[1])}})

	// At tip 100 the coinbase is immature: the two others pay.
	r, err = k.Send(SendRequest{Coins: coins, To: []Output{{Address: other.Addr, Value: 150_000_000}}, ChangeAddress: chg[0].Addr, Tip: 100})
	if err != nil {
		t.Fatal(err)
	}
	if tx = decode(t, r); len(tx.TxIn) != 1 || r.Spent[0] != fakeTxID(3)+":2" {
		t.Fatalf("inputs at tip 100: %v", r.Spent)
	}
}

func TestSendErrors(t *testing.T) {
	k := open(t, testMnemonic)
	recv, chg := derive(t, k, BranchReceive, 1), derive(t, k, BranchChange, 1)
	coin := Coin{TxID: fakeTxID(1), Value: 100_000, Address: recv[0].Addr, Height: 1}
	notYet := derive(t, open(t, testMnemonic), BranchChange, 2)[1] // the wallet's, but k has not derived it
	foreign := derive(t, open(t, "legal winner thank year wave sausage worth useful legal winner thank yellow"), BranchChange, 1)[0]
	mainAddr := "gg1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh" // not regtest
	for _, c := range []struct {
		name string
		r    SendRequest
		want error
	}{
		{"no output", SendRequest{Coins: []Coin{coin}, ChangeAddress: chg[0].Addr}, ErrInvalidArgument},
		{"too much", SendRequest{Coins: []Coin{coin}, To: []Output{{recv[0].Addr, 100_000}}, ChangeAddress: chg[0].Addr}, ErrInsufficientFunds},
		{"dust", SendRequest{Coins: []Coin{coin}, To: []Output{{recv[0].Addr, 10}}, ChangeAddress: chg[0].Addr}, ErrInvalidArgument},
		{"bad address", SendRequest{Coins: []Coin{coin}, To: []Output{{mainAddr, 5000}}, ChangeAddress: chg[0].Addr}, ErrInvalidArgument},
		{"foreign coin", SendRequest{Coins: []Coin{{TxID: fakeTxID(1), Value: 100_000, Address: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", Height: 1}},
			To: []Output{{recv[0].Addr, 5000}}, ChangeAddress: chg[0].Addr}, ErrUnknownAddress},
		{"twice", SendRequest{Coins: []Coin{coin, coin}, To: []Output{{recv[0].Addr, 5000}}, ChangeAddress: chg[0].Addr}, ErrInvalidArgument},
		{"fee rate", SendRequest{Coins: []Coin{coin}, To: []Output{{recv[0].Addr, 5000}}, ChangeAddress: chg[0].Addr, FeeRate: -1}, ErrInvalidArgument},
		{"foreign change", SendRequest{Coins: []Coin{coin}, To: []Output{{recv[0].Addr, 5000}}, ChangeAddress: foreign.Addr}, ErrUnknownAddress},
		{"change not derived", SendRequest{Coins: []Coin{coin}, To: []Output{{recv[0].Addr, 5000}}, ChangeAddress: notYet.Addr}, ErrUnknownAddress},
	} {
		if _, err := k.Send(c.r); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

// TestSaleAndBid: a listing signed by one wallet and a bid on it built
// by another verify as a whole, and the record passes the game's
// stateless rules.
func TestSaleAndBid(t *testing.T) {
	seller, bidder := open(t, testMnemonic), open(t, "legal winner thank year wave sausage worth useful legal winner thank yellow")
	sa, ba, bc := derive(t, seller, 0, 2), derive(t, bidder, 0, 2), derive(t, bidder, 1, 1)
	prop := strings.Repeat("ab", 32)
	propCoin := Coin{TxID: fakeTxID(7), Vout: 1, Value: 10_000, Address: sa[0].Addr, Height: 3}
	sale, err := seller.Sale(SaleRequest{Prop: prop, Coin: propCoin, BuyNow: 500_000_000, Reserve: 100_000_000, Tip: 10})
	if err != nil {
		t.Fatal(err)
	}
	stx := decode(t, sale)
	rec, _, err := game.CheckRecord(stx, chaincfg.RegTestParams)
	if err != nil {
		t.Fatal(err)
	}
	if s := rec.(*game.Sale); s.End != uint32(10+chaincfg.RegTestParams.AuctionPeriod) || s.BuyNow != 500_000_000 || sale.Fee != 0 {
		t.Fatalf("sale %+v fee %d", s, sale.Fee)
	}
	propPrev := &wire.TxOut{Value: propCoin.Value, PkScript: scriptOf(t, sa[0])}
	verifyInputs(t, stx, map[int]*wire.TxOut{0: propPrev})

	fund := Coin{TxID: fakeTxID(8), Value: 400_000_000, Address: ba[0].Addr, Height: 4}
	bid, err := bidder.Bid(BidRequest{SaleHex: sale.Hex, Seller: sa[1].Addr, Gold: propCoin.Value, Price: 200_000_000, Coins: []Coin{fund},
		PropAddress: ba[1].Addr, ChangeAddress: bc[0].Addr, Tip: 11, ReplacedFees: 700})
	if err != nil {
		t.Fatal(err)
	}
	btx := decode(t, bid)
	if len(btx.TxIn) != 2 || len(btx.TxOut) != 4 || btx.TxOut[1].Value != 200_000_000 || btx.TxOut[2].Value != propCoin.Value {
		t.Fatalf("bid %d in, outs %+v", len(btx.TxIn), btx.TxOut)
	}
	if bid.Fee < 700+feeFor(int64(bid.VSize), DefaultFeeRate) {
		t.Errorf("bid fee %d does not pay the replaced 700 and its own", bid.Fee)
	}
	if _, _, err := game.CheckRecord(btx, chaincfg.RegTestParams); err != nil {
		t.Fatal(err)
	}
	verifyInputs(t, btx, map[int]*wire.TxOut{0: propPrev, 1: {Value: fund.Value, PkScript: scriptOf(t, ba[0])}})

	// A higher bid on that bid: it must beat 2 GG.
	if _, err := bidder.Bid(BidRequest{SaleHex: bid.Hex, Seller: sa[1].Addr, Gold: propCoin.Value, Price: 200_000_000, Coins: []Coin{fund},
		PropAddress: ba[1].Addr, ChangeAddress: bc[0].Addr, Tip: 11}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("equal bid: %v", err)
	}
}

func TestSaleBidErrors(t *testing.T) {
	k := open(t, testMnemonic)
	a := derive(t, k, 0, 1)[0]
	foreign := derive(t, open(t, "legal winner thank year wave sausage worth useful legal winner thank yellow"), 0, 1)[0].Addr
	coin := Coin{TxID: fakeTxID(7), Value: 10_000, Address: a.Addr, Height: 3}
	prop := strings.Repeat("ab", 32)
	for _, c := range []struct {
		name string
		r    SaleRequest
	}{
		{"bad prop", SaleRequest{Prop: "xyz", Coin: coin, BuyNow: 1e8, Tip: 5}},
		{"buy-now below gold", SaleRequest{Prop: prop, Coin: coin, BuyNow: 10_000, Tip: 5}},
		{"reserve above buy-now", SaleRequest{Prop: prop, Coin: coin, BuyNow: 1e8, Reserve: 2e8, Tip: 5}},
		{"end passed", SaleRequest{Prop: prop, Coin: coin, BuyNow: 1e8, End: 5, Tip: 5}},
	} {
		if _, err := k.Sale(c.r); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := k.Sale(SaleRequest{Prop: prop, Coin: Coin{TxID: fakeTxID(7), Value: 10_000, Address: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"}, BuyNow: 1e8, Tip: 5}); !errors.Is(err, ErrUnknownAddress) {
		t.Errorf("foreign prop coin: %v", err)
	}
	sale, err := k.Sale(SaleRequest{Prop: prop, Coin: coin, BuyNow: 1e8, Reserve: 5e7, Tip: 5})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := k.Send(SendRequest{Coins: []Coin{{TxID: fakeTxID(9), Value: 1e8, Address: a.Addr, Height: 1}}, To: []Output{{a.Addr, 5e7}}, ChangeAddress: a.Addr})
	if err != nil {
		t.Fatal(err)
	}
	base := BidRequest{SaleHex: sale.Hex, Seller: a.Addr, Gold: 10_000, Price: 6e7, Coins: []Coin{{TxID: fakeTxID(8), Value: 1e9, Address: a.Addr, Height: 1}},
		PropAddress: a.Addr, ChangeAddress: a.Addr}
	for _, c := range []struct {
		name string
		mod  func(*BidRequest)
		want error
	}{
		{"not a sale", func(r *BidRequest) { r.SaleHex = plain.Hex }, ErrInvalidArgument},
		{"garbage", func(r *BidRequest) { r.SaleHex = "00" }, ErrInvalidArgument},
		{"below reserve", func(r *BidRequest) { r.Price = 4e7 }, ErrInvalidArgument},
		{"below gold", func(r *BidRequest) { r.Price = 9_000 }, ErrInvalidArgument},
		{"no funds", func(r *BidRequest) { r.Coins = nil }, ErrInsufficientFunds},
		{"seller not a carrier", func(r *BidRequest) { r.Seller = "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc" }, ErrInvalidArgument},
		{"foreign prop address", func(r *BidRequest) { r.PropAddress = foreign }, ErrUnknownAddress},
		{"foreign change", func(r *BidRequest) { r.ChangeAddress = foreign }, ErrUnknownAddress},
	} {
		r := base
		c.mod(&r)
		if _, err := k.Bid(r); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := k.Bid(base); err != nil {
		t.Fatalf("the base bid: %v", err)
	}
}

// TestWasmDeps: the WebAssembly module links none of the node's
// storage, network or HTTP code, nor btcutil (hdkeychain's package,
// with x509 and file code), nor encoding/json (the bridge carries
// values through syscall/js), which would break the size budget.
func TestWasmDeps(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	cmd := exec.Command(goCmd, "list", "-deps", "./wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const gg = "github.com/gamegold/gg/lib/"
	banned := []string{"go.etcd.io/bbolt", "net/http", "crypto/x509", "github.com/btcsuite/btcd/btcutil",
		"github.com/btcsuite/btcd/btcutil/hdkeychain", "encoding/json", "text/template", "regexp", gg + "node", gg + "chain", gg + "store", gg + "wallet", gg + "mempool"}
	pkgs := strings.Fields(string(out))
	if !slices.Contains(pkgs, gg+"script") {
		t.Fatalf("go list -deps: %q", out)
	}
	for _, pkg := range pkgs {
		if slices.Contains(banned, pkg) {
			t.Errorf("the module links %s", pkg)
		}
	}
}

// Issue 21's budget for the wallet module, decimal bytes.
const (
	wasmMaxRaw  = 6_000_000
	wasmMaxGzip = 2_000_000
)

// TestWasmSize builds the WebAssembly module as `make wasm` does (same
// target, flags and gzip level; a warm build cache makes it a link of
// a second or two) and holds it to the budget: 6 MB raw, 2 MB gzipped.
func TestWasmSize(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out := filepath.Join(t.TempDir(), "wallet.wasm")
	cmd := exec.Command(goCmd, "build", "-trimpath", "-ldflags", "-s -w", "-o", out, "./wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	w.Write(raw)
	w.Close()
	t.Logf("wallet.wasm: %d bytes, %d gzipped (budget %d / %d)", len(raw), gz.Len(), wasmMaxRaw, wasmMaxGzip)
	if len(raw) > wasmMaxRaw || gz.Len() > wasmMaxGzip {
		t.Errorf("wallet.wasm is %d bytes, %d gzipped: over the budget of %d / %d", len(raw), gz.Len(), wasmMaxRaw, wasmMaxGzip)
	}
}
