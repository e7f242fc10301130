package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGameDocListsEveryMethod keeps docs/rpc.md's Game section in step
// with the game methods.
func TestGameDocListsEveryMethod(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "rpc.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, m := range (&GameService{}).Methods() {
		if !strings.Contains(doc, "`"+m.Name+"`") {
			t.Errorf("docs/rpc.md does not document %s", m.Name)
		}
	}
}

// walletless backends: no wallet loaded, nothing else answered (the
// embedded nil interface panics if a guard lets a call through).
type walletlessGame struct{ GameBackend }

func (walletlessGame) WalletLoaded() bool { return false }

type walletlessContract struct{ ContractBackend }

func (walletlessContract) WalletLoaded() bool { return false }

// TestBackendMethodsGuards: without a backend every game and contract
// method answers CodeMisc; without a loaded wallet the wallet methods
// answer ErrNoWallet before reaching the backend.
func TestBackendMethodsGuards(t *testing.T) {
	for _, tc := range []struct {
		what              string
		bare, walletless  []Method
		wallet, nonWallet string
	}{
		{"game", (&GameService{}).Methods(), (&GameService{Backend: walletlessGame{}}).Methods(), "prop.mine", "cp.byId"},
		{"contract", (&ContractService{}).Methods(), (&ContractService{Backend: walletlessContract{}}).Methods(), "contract.key", "contract.get"},
	} {
		for _, m := range tc.bare {
			_, err := m.Handler(context.Background(), json.RawMessage(`[]`))
			var re *Error
			if !errors.As(err, &re) || re.Code != CodeMisc || re.Message != tc.what+" methods are not available on this node" {
				t.Errorf("%s without a backend: %v", m.Name, err)
			}
		}
		byName := map[string]Handler{}
		for _, m := range tc.walletless {
			byName[m.Name] = m.Handler
		}
		var re *Error
		if _, err := byName[tc.wallet](context.Background(), json.RawMessage(`[]`)); !errors.As(err, &re) || re.Code != CodeWalletNotFound {
			t.Errorf("%s without a wallet: %v, want code %d", tc.wallet, err, CodeWalletNotFound)
		}
		// A query needs no wallet: a bad id is refused by the method itself.
		if _, err := byName[tc.nonWallet](context.Background(), json.RawMessage(`["zz"]`)); !errors.As(err, &re) || re.Code != CodeInvalidParam {
			t.Errorf("%s without a wallet: %v, want code %d", tc.nonWallet, err, CodeInvalidParam)
		}
	}
}
