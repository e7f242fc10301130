package mempool

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaingen"
	"github.com/gamegold/gg/lib/wire"
)

func TestSaveLoad(t *testing.T) {
	h := newHarness(t, Policy{}, 120)
	coin := h.coin()
	a := h.spend([]chaingen.SpendableOut{coin}, coin.Amount/2, coin.Amount/2-2000)
	b := h.spendOne(outOf(a, 0), 1000)
	c := h.spendOne(outOf(b, 0), 1000)
	d := h.spendOne(h.coin(), 1000)
	for _, tx := range []*wire.MsgTx{a, b, c, d} {
		h.accept(tx)
		h.clock = h.clock.Add(time.Minute)
	}
	h.pool.PrioritiseTransaction(b.TxHash(), 777)
	dir := t.TempDir()
	path := filepath.Join(dir, "mempool.dat")
	if n, err := h.pool.Save(path); err != nil || n != 4 {
		t.Fatalf("Save = %d, %v; want the 4 transactions written", n, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("%d files in the directory, want only the saved one", len(ents))
	}
	want := h.pool.TxIDs()
	oldA, _ := h.pool.Fetch(a.TxHash())

	// Restart: a new pool on the same chain.
	h.pool = h.newPool(Policy{})
	acc, failed, err := h.pool.Load(path)
	if err != nil || acc != 4 || failed != 0 {
		t.Fatalf("Load = %d, %d, %v", acc, failed, err)
	}
	got := h.pool.TxIDs()
	if len(got) != len(want) {
		t.Fatalf("%d txs after load, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatal("TxIDs differ after load")
		}
	}
	if newA, _ := h.pool.Fetch(a.TxHash()); !newA.Added.Equal(oldA.Added) {
		t.Fatalf("Added %v, want %v", newA.Added, oldA.Added)
	}
	if nb, _ := h.pool.Fetch(b.TxHash()); nb.FeeDelta != 777 {
		t.Fatalf("fee delta %d after load", nb.FeeDelta)
	}

	// Confirmed since the save: skipped; its children still come back.
	h.mine(a, d)
	h.pool = h.newPool(Policy{})
	acc, failed, err = h.pool.Load(path)
	if err != nil || acc != 2 || failed != 2 {
		t.Fatalf("Load after mining = %d, %d, %v", acc, failed, err)
	}
	h.checkPool(b, c)
}

func TestLoadErrors(t *testing.T) {
	h := newHarness(t, Policy{}, 115)
	h.accept(h.spendOne(h.coin(), 1000))
	h.accept(h.spendOne(h.coin(), 1000))
	dir := t.TempDir()
	path := filepath.Join(dir, "mempool.dat")
	if _, err := h.pool.Save(path); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0x40
	tests := []struct {
		name string
		path string
		kind error
	}{
		{"truncated", write("trunc", good[:len(good)-10]), ErrBadFile},
		{"truncated inside a record", write("trunc2", good[:40]), ErrBadFile},
		{"corrupt byte", write("flip", flipped), ErrBadFile},
		{"empty", write("empty", nil), ErrBadFile},
		{"missing", filepath.Join(dir, "absent"), os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := h.newPool(Policy{})
			acc, failed, err := p.Load(tt.path)
			if !errors.Is(err, tt.kind) {
				t.Fatalf("err %v, want %v", err, tt.kind)
			}
			if acc != 0 || failed != 0 || p.Count() != 0 {
				t.Fatalf("half-loaded: %d accepted, %d failed, %d in pool", acc, failed, p.Count())
			}
		})
	}
	t.Run("other network", func(t *testing.T) {
		p := h.newPool(Policy{})
		params := *h.params
		params.Net++
		p.cfg.Params = &params
		if _, _, err := p.Load(path); !errors.Is(err, ErrBadFile) || p.Count() != 0 {
			t.Fatalf("err %v, count %d", err, p.Count())
		}
	})
	t.Run("unwritable directory", func(t *testing.T) {
		if _, err := h.pool.Save(filepath.Join(dir, "absent", "mempool.dat")); err == nil {
			t.Fatal("Save into a missing directory succeeded")
		}
	})
}
