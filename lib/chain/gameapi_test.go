package chain

import (
	"testing"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/game"
)

// pageIDs walks fetch page by page (limit each) and returns the ids.
func pageIDs(t *testing.T, limit int, fetch func(after *game.ID, limit int) ([]game.ID, error)) []game.ID {
	t.Helper()
	var all []game.ID
	var after *game.ID
	for range 100 {
		ids, err := fetch(after, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) > limit {
			t.Fatalf("page of %d, limit %d", len(ids), limit)
		}
		all = append(all, ids...)
		if len(ids) < limit {
			return all
		}
		last := ids[len(ids)-1]
		after = &last
	}
	t.Fatal("pages do not end")
	return nil
}

func propIDs(ps []game.Prop) []game.ID {
	out := make([]game.ID, len(ps))
	for i := range ps {
		out[i] = ps[i].ID
	}
	return out
}

func sameIDs(a, b []game.ID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestGamePages pages the producers by name and the props by owner and by
// producer from a cursor key: the pages join up to the full lists,
// objects added before the cursor do not shift the next page, and the
// owner index follows a disconnected and reconnected block.
func TestGamePages(t *testing.T) {
	e := newGameEnv(t)
	alice, bob, carol := chaingen.NewKey("alice"), chaingen.NewKey("bob"), chaingen.NewKey("carol")
	for _, name := range []string{"Delta", "bravo", "Echo", "charlie"} {
		reg, _ := e.register(name, alice)
		e.mine(reg)
	}
	names := func(ps []game.Producer) []string {
		var out []string
		for _, p := range ps {
			out = append(out, game.FoldName(p.Name))
		}
		return out
	}
	first, err := e.tc.ProducersAfter("", 2)
	if err != nil || len(first) != 2 || names(first)[0] != "bravo" || names(first)[1] != "charlie" {
		t.Fatalf("first page %v %v", names(first), err)
	}
	// A name sorting before the cursor does not shift the next page.
	reg, pid := e.register("alpha", alice)
	e.mine(reg)
	next, err := e.tc.ProducersAfter("charlie", 2)
	if err != nil || len(next) != 2 || names(next)[0] != "delta" || names(next)[1] != "echo" {
		t.Fatalf("next page %v %v", names(next), err)
	}
	if last, _ := e.tc.ProducersAfter("echo", 2); len(last) != 0 {
		t.Fatalf("after the last name: %v", names(last))
	}
	if all, _ := e.tc.ProducersAfter("", 0); len(all) != 5 || names(all)[0] != "alpha" {
		t.Fatalf("no limit: %v", names(all))
	}
	// An absent cursor key starts at the next one.
	if got, _ := e.tc.ProducersAfter("c", 1); len(got) != 1 || names(got)[0] != "charlie" {
		t.Fatalf("after \"c\": %v", names(got))
	}

	cr := e.create(gout(reg, 1), alice, pid, bob, 20_000, 21_000, 22_000, 23_000, 24_000)
	e.mine(cr)
	byOwner := func(pk []byte) func(*game.ID, int) ([]game.ID, error) {
		return func(after *game.ID, limit int) ([]game.ID, error) {
			ps, err := e.tc.PropsByOwnerAfter(pk, after, limit)
			return propIDs(ps), err
		}
	}
	want, _ := e.tc.PropsByOwner(bob.P2WPKH())
	if got := pageIDs(t, 2, byOwner(bob.P2WPKH())); len(want) != 5 || !sameIDs(got, propIDs(want)) {
		t.Fatalf("bob's pages %v, want %v", got, propIDs(want))
	}
	byProd := func(after *game.ID, limit int) ([]game.ID, error) {
		ps, err := e.tc.PropsByProducerAfter(pid, after, limit)
		return propIDs(ps), err
	}
	wantP, _, _ := e.tc.PropsByProducer(pid, 0, 0)
	if got := pageIDs(t, 3, byProd); !sameIDs(got, propIDs(wantP)) {
		t.Fatalf("producer pages %v, want %v", got, propIDs(wantP))
	}
	if got, _ := e.tc.PropsByProducerAfter(game.ID{1}, nil, 0); len(got) != 0 {
		t.Fatalf("props of an unknown producer: %d", len(got))
	}

	// Bob sends his first prop to carol; the owner index moves it, and
	// moves it back when the block is disconnected.
	moved := want[0]
	in := gout(cr, moved.Outpoint.Index)
	blk := e.mine(e.send(bob, carol, []chaingen.SpendableOut{in}, []game.ID{moved.ID}))
	if got := pageIDs(t, 2, byOwner(carol.P2WPKH())); len(got) != 1 || got[0] != moved.ID {
		t.Fatalf("carol's props %v", got)
	}
	if got := pageIDs(t, 2, byOwner(bob.P2WPKH())); len(got) != 4 {
		t.Fatalf("bob's props after the send: %d", len(got))
	}
	e.tc.disconnectTip(t)
	if got := pageIDs(t, 2, byOwner(carol.P2WPKH())); len(got) != 0 {
		t.Fatalf("carol's props after the disconnection: %v", got)
	}
	if got := pageIDs(t, 2, byOwner(bob.P2WPKH())); !sameIDs(got, propIDs(want)) {
		t.Fatalf("bob's props after the disconnection: %v", got)
	}
	e.tc.reconnect(t, blk.BlockHash())
	if got := pageIDs(t, 2, byOwner(carol.P2WPKH())); len(got) != 1 || got[0] != moved.ID {
		t.Fatalf("carol's props after the reconnection: %v", got)
	}
}

// TestContractPages pages the on-chain contracts of a party by id.
func TestContractPages(t *testing.T) {
	e := newContractEnv(t)
	for range 5 {
		tm := e.terms(30_000, nil, 0, nil, true, e.height()+20)
		e.mine(e.fulfilTx(tm, e.fund(e.a, 100_000), nil, nil, nil))
	}
	all, total, err := e.tc.Contracts(ContractQuery{Key: e.b.PubKey})
	if err != nil || total != 5 {
		t.Fatalf("Contracts = %d %v", total, err)
	}
	ids := func(cs []game.Contract) []game.ID {
		out := make([]game.ID, len(cs))
		for i := range cs {
			out[i] = cs[i].ID
		}
		return out
	}
	got := pageIDs(t, 2, func(after *game.ID, limit int) ([]game.ID, error) {
		cs, err := e.tc.ContractsAfter(e.b.PubKey, after, limit)
		return ids(cs), err
	})
	if !sameIDs(got, ids(all)) {
		t.Fatalf("pages %v, want %v", got, ids(all))
	}
	if cs, _ := e.tc.ContractsAfter(chaingen.NewKey("nobody").PubKey, nil, 10); len(cs) != 0 {
		t.Fatalf("contracts of a stranger: %d", len(cs))
	}
	if cs, _ := e.tc.ContractsAfter(nil, &all[4].ID, 10); len(cs) != 0 {
		t.Fatalf("after the last contract: %d", len(cs))
	}
}
