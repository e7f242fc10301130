package node

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/rpc"
	"github.com/gamegold/gg/lib/store"
	"github.com/gamegold/gg/lib/wallet"
	"github.com/gamegold/gg/lib/wire"
)

// walletNode is a real node (chain, mempool, miner, RPC listener) with
// its hosted wallet, in a temp datadir.
type walletNode struct {
	dir    string
	node   *Node
	client *rpc.Client
}

func startWalletNode(t *testing.T, dir string, mod ...func(*Config)) *walletNode {
	t.Helper()
	cfg := Config{Params: chaincfg.RegTestParams, DataDir: dir, RPCListen: "127.0.0.1:0", NoSync: true,
		WalletKDF: wallet.KDFParams{Time: 1, MemoryKiB: 1024, Threads: 1}}
	for _, m := range mod {
		m(&cfg)
	}
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c, err := rpc.Discover("", dir)
	if err != nil {
		n.Close()
		t.Fatal(err)
	}
	return &walletNode{dir: dir, node: n, client: c}
}

func (n *walletNode) call(t *testing.T, method string, params ...any) (json.RawMessage, *rpc.Error) {
	t.Helper()
	var out json.RawMessage
	err := n.client.Call(t.Context(), method, &out, params...)
	if err == nil {
		return out, nil
	}
	var re *rpc.Error
	if !errors.As(err, &re) {
		t.Fatalf("%s: transport error %v", method, err)
	}
	return nil, re
}

func (n *walletNode) must(t *testing.T, method string, params ...any) json.RawMessage {
	t.Helper()
	out, re := n.call(t, method, params...)
	if re != nil {
		t.Fatalf("%s %v: %v", method, params, re)
	}
	return out
}

func unquote(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("not a string: %s", raw)
	}
	return s
}

// TestWalletMethods calls every wallet method once with good params and
// once with bad ones, on a regtest node whose hosted wallet mined 101
// blocks, then checks the error voice (locked, wrong passphrase, no
// wallet, overdraft) and that the wallet survives a restart.
func TestWalletMethods(t *testing.T) {
	dir := t.TempDir()
	n := startWalletNode(t, dir)
	defer func() { n.node.Close() }()

	// Without a wallet every method but wallet.create answers -18.
	if _, re := n.call(t, "getbalance"); re == nil || re.Code != rpc.CodeWalletNotFound || re.Message != rpc.MsgNoWallet {
		t.Fatalf("getbalance without wallet: %v", re)
	}
	var created struct{ Mnemonic string }
	json.Unmarshal(n.must(t, "wallet.create", "pw", walletMnemonic), &created)
	if created.Mnemonic != walletMnemonic {
		t.Fatalf("restored mnemonic %q", created.Mnemonic)
	}
	// Locked after create: address.create for a new account needs keys.
	if _, re := n.call(t, "address.create", "bob"); re == nil || re.Code != rpc.CodeWalletLocked || re.Message != rpc.MsgWalletLocked {
		t.Fatalf("address.create while locked: %v", re)
	}
	if _, re := n.call(t, "walletpassphrase", "wrong", 60); re == nil || re.Code != rpc.CodeWalletPass {
		t.Fatalf("wrong passphrase: %v", re)
	}
	n.must(t, "wallet.unlock", "pw", 0)
	mine := unquote(t, n.must(t, "getnewaddress"))
	n.must(t, "generatetoaddress", 101, mine)
	bob := unquote(t, n.must(t, "address.create", "bob"))
	txid := unquote(t, n.must(t, "sendtoaddress", bob, "1.5"))

	// fundrawtransaction input: an unsigned tx without inputs, legacy form.
	bobAddrTx := wire.NewMsgTx(2)
	bobPk, _ := hex.DecodeString(coinScript(t, n, bob))
	bobAddrTx.AddTxOut(&wire.TxOut{Value: 2_0000_0000, PkScript: bobPk})
	unfunded := hex.EncodeToString(bobAddrTx.Bytes())
	var funded struct {
		Hex       string
		ChangePos int
	}
	json.Unmarshal(n.must(t, "fundrawtransaction", unfunded), &funded)

	cases := []struct {
		method string
		good   []any
		want   string
		bad    []any
		code   int
	}{
		{"wallet.create", nil, "", []any{"pw"}, rpc.CodeWallet}, // exists
		{"wallet.info", nil, `"encrypted":true`, []any{1}, rpc.CodeInvalidParams},
		{"getwalletinfo", nil, `"name":"bob"`, []any{1}, rpc.CodeInvalidParams},
		{"wallet.unlock", []any{"pw"}, "null", []any{"pw", -1}, rpc.CodeInvalidParams},
		{"walletpassphrase", []any{"pw", 600}, "null", []any{"nope", 1}, rpc.CodeWalletPass},
		{"address.create", []any{"bob"}, `"rg1`, []any{"*"}, rpc.CodeInvalidParam},
		{"getnewaddress", nil, `"rg1`, []any{7}, rpc.CodeInvalidParams},
		{"address.list", []any{"bob"}, bob, []any{"nosuch"}, rpc.CodeInvalidParam},
		{"balance.all", nil, `"immature":`, []any{"nosuch"}, rpc.CodeInvalidParam},
		{"getbalance", []any{"default"}, ".", []any{1}, rpc.CodeInvalidParams},
		{"coin.list", []any{"default"}, `"spendable":true`, []any{"nosuch"}, rpc.CodeInvalidParam},
		{"listunspent", nil, `"coinbase":true`, []any{1, 2}, rpc.CodeInvalidParams},
		{"tx.send", []any{bob, 0.25}, `"`, []any{"notanaddress", 1}, rpc.CodeInvalidAddress},
		{"sendtoaddress", []any{bob, "0.1", true}, `"`, []any{bob, 100000}, rpc.CodeInsufficient},
		{"tx.create", []any{bob, "1"}, `"hex"`, []any{bob, "1.123456789"}, rpc.CodeInvalidParams},
		{"tx.list", []any{"*", 5, 0}, txid, []any{"*", -1}, rpc.CodeInvalidParam},
		{"listtransactions", []any{"bob"}, `"category":"receive"`, []any{"*", "x"}, rpc.CodeInvalidParams},
		{"tx.pending", nil, txid, []any{1}, rpc.CodeInvalidParams},
		{"tx.resend", nil, "", []any{1}, rpc.CodeInvalidParams},
		{"tx.abandon", nil, "", []any{strings.Repeat("ab", 32)}, rpc.CodeInvalidAddress},
		{"abandontransaction", nil, "", []any{"xyz"}, rpc.CodeInvalidParam},
		{"key.export.private", []any{bob}, `"c`, []any{"rg1qqqq"}, rpc.CodeInvalidAddress},
		{"dumpprivkey", []any{mine}, `"c`, []any{}, rpc.CodeInvalidParams},
		{"wallet.exportmnemonic", []any{"pw"}, "legal winner", []any{"bad"}, rpc.CodeWalletPass},
		{"fundrawtransaction", []any{unfunded, map[string]any{"account": "default"}}, `"changepos"`, []any{"zz"}, rpc.CodeDeserialize},
		{"signrawtransactionwithwallet", []any{funded.Hex}, `"complete":true`, []any{"00"}, rpc.CodeDeserialize},
		{"key.import.private", []any{"cN9spWsvaxA8taS7DFMxnk1yJD2gaF2PX1npuTpy3vuZFJdwavaw"}, `"rg1`, []any{"notwif"}, rpc.CodeInvalidParam},
		{"importprivkey", nil, "", []any{"cN9spWsvaxA8taS7DFMxnk1yJD2gaF2PX1npuTpy3vuZFJdwavaw"}, rpc.CodeInvalidParam}, // already imported
		{"wallet.backup", []any{"backup pw"}, `"backup":"R0dXQkFDS1VQ`, []any{""}, rpc.CodeInvalidParams},
		{"wallet.import", nil, "", []any{"R0dX", "b", "p"}, rpc.CodeWallet}, // exists
		{"wallet.rescan", []any{100}, `"from":100`, []any{-5}, rpc.CodeInvalidParams},
		{"rescanblockchain", nil, "", []any{"x"}, rpc.CodeInvalidParams},
		{"account.list", nil, `"name":"bob"`, []any{1}, rpc.CodeInvalidParams},
		{"account.create", []any{"carol"}, `"number":2`, []any{"bob"}, rpc.CodeInvalidParam},
		{"account.rename", []any{"carol", "dave"}, `"name":"dave"`, []any{"default", "x"}, rpc.CodeInvalidParam},
		{"wallet.lock", nil, "null", []any{1}, rpc.CodeInvalidParams},
		{"walletlock", nil, "null", []any{1}, rpc.CodeInvalidParams},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.method] = true
		if c.method != "wallet.create" && c.method != "wallet.import" && c.method != "rescanblockchain" && c.method != "importprivkey" &&
			c.method != "tx.abandon" && c.method != "abandontransaction" {
			out, re := n.call(t, c.method, c.good...)
			if re != nil {
				t.Errorf("%s %v: %v", c.method, c.good, re)
			} else if !strings.Contains(string(out), c.want) {
				t.Errorf("%s: result %.300s lacks %q", c.method, out, c.want)
			}
		}
		if _, re := n.call(t, c.method, c.bad...); re == nil || re.Code != c.code {
			t.Errorf("%s %v: error %v, want code %d", c.method, c.bad, re, c.code)
		}
	}
	for _, m := range (&rpc.WalletService{}).Methods() {
		if !seen[m.Name] {
			t.Errorf("method %s has no handler test", m.Name)
		}
	}

	// Locked: signing and sending refuse with the unlock hint.
	for _, c := range [][]any{{"signrawtransactionwithwallet", funded.Hex}, {"tx.send", bob, 1}, {"key.export.private", bob}} {
		if _, re := n.call(t, c[0].(string), c[1:]...); re == nil || re.Code != rpc.CodeWalletLocked || re.Message != rpc.MsgWalletLocked {
			t.Errorf("%v while locked: %v", c, re)
		}
	}

	// Abandon a pending transaction: its coins come back.
	n.must(t, "wallet.unlock", "pw")
	before := n.must(t, "getbalance")
	pend := unquote(t, n.must(t, "tx.send", bob, 3))
	n.must(t, "tx.abandon", pend)
	if after := n.must(t, "getbalance"); string(after) != string(before) {
		t.Errorf("balance after abandon %s, before %s", after, before)
	}
	n.must(t, "generatetoaddress", 1, mine)
	bal := n.must(t, "balance.all", "bob")

	// Restart: the wallet opens again with its balances.
	n.node.Close()
	n = startWalletNode(t, dir)
	if got := n.must(t, "balance.all", "bob"); string(got) != string(bal) {
		t.Errorf("after restart bob %s, want %s", got, bal)
	}
	if out := n.must(t, "wallet.info"); !strings.Contains(string(out), `"locked":true`) {
		t.Errorf("after restart: %s", out)
	}
}

// coinScript returns an address's output script through validateaddress.
func coinScript(t *testing.T, n *walletNode, addr string) string {
	t.Helper()
	var v struct{ ScriptPubKey string }
	json.Unmarshal(n.must(t, "validateaddress", addr), &v)
	if v.ScriptPubKey == "" {
		t.Fatalf("validateaddress %s: no script", addr)
	}
	return v.ScriptPubKey
}

// TestWalletDisabled: with NoWallet the methods exist and answer -18.
func TestWalletDisabled(t *testing.T) {
	n, err := New(Config{Params: chaincfg.RegTestParams, DataDir: t.TempDir(), RPCListen: "127.0.0.1:0", NoSync: true, NoWallet: true})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	c, err := rpc.Discover("", n.cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	var re *rpc.Error
	if err := c.Call(t.Context(), "wallet.create", nil, "pw"); !errors.As(err, &re) || re.Code != rpc.CodeWallet {
		t.Errorf("wallet.create with no wallet: %v", err)
	}
	if err := c.Call(t.Context(), "wallet.info", nil); !errors.As(err, &re) || re.Code != rpc.CodeWalletNotFound {
		t.Errorf("wallet.info with no wallet: %v", err)
	}
}

// TestWalletEmptyFileNodeStarts: a wallet.db with no wallet in it (what a
// kill during wallet creation left before creation was atomic, or a
// touch) does not stop the node: it starts without a wallet,
// wallet.create replaces the file, and the wallet opens after a restart.
// A file that holds wallet records without wallet metadata is damaged:
// the node refuses it and keeps its records.
func TestWalletEmptyFileNodeStarts(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, WalletDBFile)
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	n := startWalletNode(t, dir)
	if n.node.Wallet.Loaded() {
		t.Fatal("an empty wallet file loaded as a wallet")
	}
	if _, re := n.call(t, "getbalance"); re == nil || re.Code != rpc.CodeWalletNotFound {
		t.Fatalf("getbalance with an empty wallet file: %v", re)
	}
	n.must(t, "wallet.create", "pw", walletMnemonic)
	n.must(t, "wallet.unlock", "pw", 0)
	addr := unquote(t, n.must(t, "getnewaddress"))
	n.node.Close()
	n = startWalletNode(t, dir)
	if !n.node.Wallet.Loaded() {
		t.Fatal("wallet created over an empty file did not open after a restart")
	}
	if out := n.must(t, "address.list", "default"); !strings.Contains(string(out), addr) {
		t.Fatalf("address %s missing after restart: %s", addr, out)
	}
	n.node.Close()

	// Records without metadata: refused, untouched.
	dir2 := t.TempDir()
	path2 := filepath.Join(dir2, WalletDBFile)
	db, err := store.Open(path2, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *store.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("accounts"))
		if err != nil {
			return err
		}
		return b.Put([]byte{0, 0, 0, 7}, []byte("an account"))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	n2, err := New(Config{Params: chaincfg.RegTestParams, DataDir: dir2, RPCListen: "127.0.0.1:0", NoSync: true})
	if err == nil {
		n2.Close()
		t.Fatal("node started on a wallet file with records but no wallet")
	}
	if !errors.Is(err, wallet.ErrCorrupt) {
		t.Fatalf("node on a damaged wallet file: %v, want ErrCorrupt", err)
	}
	// Read-only, with as many (unused) migrations as the wallet's schema
	// has, so nothing is applied.
	db, err = store.Open(path2, store.Options{ReadOnly: true, Timeout: time.Second, Migrations: make([]store.Migration, wallet.SchemaVersion)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *store.Tx) error {
		if b := tx.Bucket([]byte("accounts")); b == nil || !bytes.Equal(b.Get([]byte{0, 0, 0, 7}), []byte("an account")) {
			return errors.New("the damaged wallet file lost its record")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWalletFeeCeiling: the wallet refuses a fee rate above its ceiling
// (0.10 GG/kvB unless maxfeerate says otherwise) in fundrawtransaction
// and tx.send / tx.create, with a message naming the rate, the ceiling
// and the option; maxfeerate raises or (0) lifts it. The report's case:
// feeRate 500 set a 90.6 GG fee on a 2 GG payment.
func TestWalletFeeCeiling(t *testing.T) {
	n := startWalletNode(t, t.TempDir())
	defer n.node.Close()
	n.must(t, "wallet.create", "pw", walletMnemonic)
	n.must(t, "wallet.unlock", "pw", 0)
	mine := unquote(t, n.must(t, "getnewaddress"))
	n.must(t, "generatetoaddress", 103, mine)
	bob := unquote(t, n.must(t, "getnewaddress", "bob"))
	tx := wire.NewMsgTx(2)
	pk, _ := hex.DecodeString(coinScript(t, n, bob))
	tx.AddTxOut(&wire.TxOut{Value: 2_0000_0000, PkScript: pk})
	unfunded := hex.EncodeToString(tx.Bytes())

	refused := func(what string, re *rpc.Error, rate, ceiling string) {
		t.Helper()
		if re == nil {
			t.Fatalf("%s: accepted", what)
		}
		want := "fee rate " + rate + " GG/kvB is " + rpc.MsgFeeCeiling + " of " + ceiling + " GG/kvB"
		if re.Code != rpc.CodeWallet || !strings.Contains(re.Message, want) || !strings.Contains(re.Message, "maxfeerate") {
			t.Fatalf("%s: %v, want code %d and %q naming maxfeerate", what, re, rpc.CodeWallet, want)
		}
	}
	_, re := n.call(t, "fundrawtransaction", unfunded, map[string]any{"feeRate": 500})
	refused("feeRate 500", re, "500.0", "0.1")
	_, re = n.call(t, "fundrawtransaction", unfunded, map[string]any{"feeRate": "0.2", "maxfeerate": "0.15"})
	refused("feeRate 0.2 under maxfeerate 0.15", re, "0.2", "0.15")
	// The node's estimate (the relay floor here) above a tiny ceiling.
	_, re = n.call(t, "tx.send", bob, "1", false, "default", "0.000001")
	refused("tx.send under maxfeerate 0.000001", re, "0.00001", "0.000001")
	_, re = n.call(t, "tx.create", bob, "1", false, "default", "0.000001")
	refused("tx.create under maxfeerate 0.000001", re, "0.00001", "0.000001")
	if out := n.must(t, "tx.pending"); string(out) != "[]" {
		t.Fatalf("a refused send left pending transactions: %s", out)
	}

	// Raised or lifted: paid as asked.
	var f struct{ Fee json.Number }
	json.Unmarshal(n.must(t, "fundrawtransaction", unfunded, map[string]any{"feeRate": "0.2", "maxfeerate": "1"}), &f)
	if fee, _ := f.Fee.Float64(); fee < 0.02 || fee > 0.1 {
		t.Fatalf("fee at 0.2 GG/kvB = %s", f.Fee)
	}
	json.Unmarshal(n.must(t, "fundrawtransaction", unfunded, map[string]any{"feeRate": 500, "maxfeerate": 0}), &f)
	if fee, _ := f.Fee.Float64(); fee < 50 {
		t.Fatalf("fee at 500 GG/kvB with no ceiling = %s", f.Fee)
	}
	n.must(t, "tx.send", bob, "1", false, "default", "0.5")
	n.must(t, "sendtoaddress", bob, "1")

	// Bad ceilings are parameter errors.
	for _, bad := range []any{"-1", "x", map[string]any{}} {
		if _, re := n.call(t, "fundrawtransaction", unfunded, map[string]any{"maxfeerate": bad}); re == nil || re.Code != rpc.CodeInvalidParams {
			t.Errorf("maxfeerate %v: %v, want %d", bad, re, rpc.CodeInvalidParams)
		}
		if _, re := n.call(t, "tx.send", bob, "1", false, "default", bad); re == nil || re.Code != rpc.CodeInvalidParams {
			t.Errorf("tx.send maxfeerate %v: %v, want %d", bad, re, rpc.CodeInvalidParams)
		}
	}

	// A number in exponent notation (a float from Python: 1e-07) is read
	// exactly, and a null feeRate is the estimate.
	_, re = n.call(t, "tx.create", bob, "1", false, "default", 1e-07)
	refused("tx.create under maxfeerate 1e-07", re, "0.00001", "0.0000001")
	if _, re := n.call(t, "tx.create", bob, "1", false, "default", 1e-9); re == nil || re.Code != rpc.CodeInvalidParams {
		t.Errorf("maxfeerate 1e-9: %v, want %d", re, rpc.CodeInvalidParams)
	}
	n.must(t, "fundrawtransaction", unfunded, map[string]any{"feeRate": nil, "maxfeerate": 1e-01})
}
