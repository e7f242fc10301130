package rpc

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/amount"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/wire"
)

// The handler test of every wallet method runs against a real node and
// wallet in lib/node (TestWalletMethods): lib/rpc may not import the
// wallet. These tests cover what needs no wallet.

// TestRPCDocListsEveryWalletMethod keeps docs/rpc.md in step with the
// wallet methods.
func TestRPCDocListsEveryWalletMethod(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "rpc.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range (&WalletService{}).Methods() {
		if !strings.Contains(string(b), "`"+m.Name+"`") {
			t.Errorf("docs/rpc.md does not document %s", m.Name)
		}
	}
}

// TestWalletServiceNoWallet: without a backend every method but
// wallet.create answers -18; bad params of wallet.create are -32602.
func TestWalletServiceNoWallet(t *testing.T) {
	s := &WalletService{Params: chaincfg.RegTestParams}
	for _, m := range s.Methods() {
		_, err := m.Handler(t.Context(), nil)
		re, ok := err.(*Error)
		want := CodeWalletNotFound
		if m.Name == "wallet.create" || m.Name == "wallet.import" {
			want = CodeInvalidParams
		}
		if !ok || re.Code != want {
			t.Errorf("%s: %v, want code %d", m.Name, err, want)
		}
	}
	for _, p := range []string{`[""]`, `["pw", "", -1]`, `[1]`, `["pw","x",1,2]`} {
		if _, err := s.create(t.Context(), json.RawMessage(p)); err == nil || err.(*Error).Code != CodeInvalidParams {
			t.Errorf("wallet.create %s: %v", p, err)
		}
	}
}

func TestParseAmountParam(t *testing.T) {
	for in, want := range map[string]amount.Amount{`1.5`: 150_000_000, `"0.00000001"`: 1, `50`: 5_000_000_000, `"21"`: 2_100_000_000} {
		got, err := ParseAmountParam(json.RawMessage(in), "amount")
		if err != nil || got != want {
			t.Errorf("%s: %v %v, want %v", in, got, err, want)
		}
	}
}

func TestParseAmountParamErrors(t *testing.T) {
	for _, in := range []string{`0`, `-1`, `1e3`, `"1.123456789"`, `true`, `"abc"`, `{}`, `99999999999`} {
		if _, err := ParseAmountParam(json.RawMessage(in), "amount"); err == nil || err.(*Error).Code != CodeInvalidParams {
			t.Errorf("%s: %v, want -32602", in, err)
		}
	}
}

// TestDecodeUnsignedTx reads a transaction without inputs in the legacy
// form, as well as ordinary ones.
func TestDecodeUnsignedTx(t *testing.T) {
	tx := wire.NewMsgTx(2)
	tx.AddTxOut(&wire.TxOut{Value: 2e8, PkScript: append([]byte{0, 20}, make([]byte, 20)...)})
	tx.LockTime = 7
	got, err := DecodeUnsignedTx(hex.EncodeToString(tx.Bytes()))
	if err != nil || len(got.TxIn) != 0 || len(got.TxOut) != 1 || got.LockTime != 7 || got.TxHash() != tx.TxHash() {
		t.Fatalf("no inputs: %v %+v", err, got)
	}
	op, _ := wire.ParseOutPoint(strings.Repeat("11", 32) + ":3")
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: op, Sequence: 1})
	got, err = DecodeUnsignedTx(" " + hex.EncodeToString(tx.Bytes()) + "\n")
	if err != nil || got.TxHash() != tx.TxHash() {
		t.Fatalf("one input: %v", err)
	}
}

func TestDecodeUnsignedTxErrors(t *testing.T) {
	for _, in := range []string{"", "zz", "02000000", "0200000000", "020000000001", "0200000000ff00"} {
		if _, err := DecodeUnsignedTx(in); err == nil {
			t.Errorf("%q decoded", in)
		}
	}
}
