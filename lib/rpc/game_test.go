package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gamegold/gg/lib/address"
	"github.com/gamegold/gg/lib/chaincfg"
	"github.com/gamegold/gg/lib/game"
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

// propsGame is a game backend holding a list of props (no auctions).
type propsGame struct {
	GameBackend
	props []game.Prop
}

func (b propsGame) PropsByOwner(pk []byte) ([]game.Prop, error) {
	var out []game.Prop
	for _, p := range b.props {
		if bytes.Equal(p.Owner, pk) {
			out = append(out, p)
		}
	}
	return out, nil
}

func (b propsGame) PropsByProducer(id game.ID, offset, limit int) ([]game.Prop, int, error) {
	var all []game.Prop
	for _, p := range b.props {
		if p.Producer == id {
			all = append(all, p)
		}
	}
	return page(all, offset, limit), len(all), nil
}

func (propsGame) Auction(game.ID) (*GameAuction, error) { return nil, nil }

// TestPropListProducerAndOwner: prop.list with both a producer and an
// owner counts and pages the props matching both, not the producer's
// props filtered page by page (the total used to ignore the owner, and a
// page could come back short or empty while matches remained).
func TestPropListProducerAndOwner(t *testing.T) {
	p1, p2 := game.ID{1}, game.ID{2}
	alice := append([]byte{0, 20}, bytes.Repeat([]byte{0xa}, 20)...)
	bob := append([]byte{0, 20}, bytes.Repeat([]byte{0xb}, 20)...)
	var props []game.Prop
	// Producer 1: ten props, alice owns the 2nd, 5th, 8th and 9th;
	// producer 2: three props of alice.
	for i := range 10 {
		owner := bob
		if i == 1 || i == 4 || i == 7 || i == 8 {
			owner = alice
		}
		props = append(props, game.Prop{ID: game.ID{1, byte(i)}, Producer: p1, Owner: owner, Gold: 10000})
	}
	for i := range 3 {
		props = append(props, game.Prop{ID: game.ID{2, byte(i)}, Producer: p2, Owner: alice, Gold: 10000})
	}
	s := &GameService{Params: chaincfg.RegTestParams, Backend: propsGame{props: props}}
	aliceAddr, _ := address.FromPkScript(alice, chaincfg.RegTestParams)
	var list Handler
	for _, m := range s.Methods() {
		if m.Name == "prop.list" {
			list = m.Handler
		}
	}
	for _, c := range []struct {
		skip, count int
		want        []game.ID
	}{
		{0, 100, []game.ID{{1, 1}, {1, 4}, {1, 7}, {1, 8}}},
		{0, 2, []game.ID{{1, 1}, {1, 4}}},
		{2, 2, []game.ID{{1, 7}, {1, 8}}},
		{3, 5, []game.ID{{1, 8}}},
		{4, 5, nil},
	} {
		params, _ := json.Marshal([]any{p1.String(), aliceAddr.String(), false, c.skip, c.count})
		res, err := list(context.Background(), params)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(res)
		var got struct {
			Total int
			Props []struct{ ID string }
		}
		json.Unmarshal(b, &got)
		if got.Total != 4 {
			t.Errorf("skip %d count %d: total %d, want 4 (alice's props of producer 1)", c.skip, c.count, got.Total)
		}
		var ids []string
		for _, p := range got.Props {
			ids = append(ids, p.ID)
		}
		var want []string
		for _, id := range c.want {
			want = append(want, id.String())
		}
		if strings.Join(ids, ",") != strings.Join(want, ",") {
			t.Errorf("skip %d count %d: props %v, want %v", c.skip, c.count, ids, want)
		}
	}
}
