package mempool

import (
	"math/rand/v2"
	"testing"

	"github.com/gamegold/gg/lib/chainhash"
	"github.com/gamegold/gg/lib/wire"
)

// graphTx builds a transaction spending the given outpoints with nOut
// outputs; tag makes it unique.
func graphTx(tag byte, nOut int, spends ...wire.OutPoint) *wire.MsgTx {
	tx := &wire.MsgTx{Version: 1}
	for _, op := range spends {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: op, Sequence: wire.MaxTxInSequenceNum})
	}
	if len(spends) == 0 {
		tx.TxIn = append(tx.TxIn, &wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash{tag, 0xee}}, Sequence: wire.MaxTxInSequenceNum})
	}
	for i := 0; i < nOut; i++ {
		tx.TxOut = append(tx.TxOut, &wire.TxOut{Value: int64(1000 + i), PkScript: []byte{0x51, tag}})
	}
	return tx
}

func graphEntry(tx *wire.MsgTx, fee, vsize int64) *entry {
	return &entry{desc: &TxDesc{Tx: tx, TxID: tx.TxHash(), Fee: fee, VSize: vsize}, modFee: fee, usage: 1}
}

func out(tx *wire.MsgTx, i uint32) wire.OutPoint { return wire.OutPoint{Hash: tx.TxHash(), Index: i} }

func checkAggregates(t testing.TB, g *txGraph) {
	t.Helper()
	var bytes, fees int64
	for _, e := range g.entries {
		bytes += e.desc.VSize
		fees += e.desc.Fee
		cnt, size, fee := 1, e.desc.VSize, e.modFee
		for _, d := range g.descendants(e) {
			cnt++
			size += d.desc.VSize
			fee += d.modFee
		}
		if cnt != e.descCount || size != e.descSize || fee != e.descFees {
			t.Errorf("%s: cached (%d,%d,%d), walked (%d,%d,%d)", e.id(), e.descCount, e.descSize, e.descFees, cnt, size, fee)
		}
		for _, in := range e.desc.Tx.TxIn {
			if g.spenders[in.PreviousOutPoint] != e {
				t.Errorf("%s: spender index misses %v", e.id(), in.PreviousOutPoint)
			}
		}
	}
	if bytes != g.bytes || fees != g.fees {
		t.Errorf("totals (%d,%d), want (%d,%d)", g.bytes, g.fees, bytes, fees)
	}
}

// TestTxGraph adds a diamond (a -> b, a -> c, b+c -> d), checks the cached
// aggregates, then removes in the ways the pool does.
func TestTxGraph(t *testing.T) {
	a := graphTx(1, 2)
	b := graphTx(2, 1, out(a, 0))
	c := graphTx(3, 1, out(a, 1))
	d := graphTx(4, 1, out(b, 0), out(c, 0))
	build := func() (*txGraph, map[string]*entry) {
		g := newTxGraph()
		m := map[string]*entry{
			"a": graphEntry(a, 100, 100), "b": graphEntry(b, 300, 100),
			"c": graphEntry(c, 50, 200), "d": graphEntry(d, 1000, 100),
		}
		for _, k := range []string{"a", "b", "c", "d"} {
			g.add(m[k])
		}
		return g, m
	}

	g, m := build()
	checkAggregates(t, g)
	if m["a"].descCount != 4 || m["a"].descFees != 1450 || m["a"].descSize != 500 {
		t.Fatalf("a aggregates %d/%d/%d", m["a"].descCount, m["a"].descFees, m["a"].descSize)
	}
	if n := len(g.ancestors(m["d"])); n != 3 {
		t.Fatalf("d has %d ancestors, want 3", n)
	}
	order := g.topoOrder()
	pos := map[*entry]int{}
	for i, e := range order {
		pos[e] = i
	}
	if pos[m["a"]] != 0 || pos[m["d"]] != 3 {
		t.Fatalf("topological order wrong: a at %d, d at %d", pos[m["a"]], pos[m["d"]])
	}

	t.Run("leaf removal", func(t *testing.T) {
		g, m := build()
		g.remove(m["d"])
		checkAggregates(t, g)
		if m["a"].descCount != 3 || g.spenders[out(b, 0)] != nil {
			t.Fatalf("after removing d: a count %d", m["a"].descCount)
		}
	})
	t.Run("removeTree", func(t *testing.T) {
		g, m := build()
		removed := g.removeTree(m["b"])
		if len(removed) != 2 || removed[0] != m["d"] || removed[1] != m["b"] {
			t.Fatalf("removeTree(b) removed %d, want d then b", len(removed))
		}
		checkAggregates(t, g)
		if len(g.entries) != 2 || m["a"].descCount != 2 {
			t.Fatalf("left %d entries, a count %d", len(g.entries), m["a"].descCount)
		}
	})
	t.Run("mined root keeps children", func(t *testing.T) {
		g, m := build()
		g.remove(m["a"])
		checkAggregates(t, g)
		if len(m["b"].parents) != 0 || len(g.entries) != 3 {
			t.Fatalf("b still linked to a or wrong count")
		}
	})
	t.Run("middle removal recomputes", func(t *testing.T) {
		g, m := build()
		g.remove(m["b"]) // d stays, linked through c only
		checkAggregates(t, g)
		if m["a"].descCount != 3 {
			t.Fatalf("a count %d, want 3 (a, c, d)", m["a"].descCount)
		}
	})
	t.Run("re-add parent links existing children", func(t *testing.T) {
		g, m := build()
		g.remove(m["a"])
		ea := graphEntry(a, 100, 100)
		g.add(ea)
		checkAggregates(t, g)
		if ea.descCount != 4 || len(ea.children) != 2 {
			t.Fatalf("re-added a: count %d children %d", ea.descCount, len(ea.children))
		}
	})
	t.Run("worst package and fee delta", func(t *testing.T) {
		g, m := build()
		// rates: a pkg 1450/500, b pkg 1300/200, c pkg 1050/300, d 1000/100
		if w := g.worstPackage(); w != m["a"] {
			t.Fatalf("worst = %s, want a", w.id())
		}
		g.setModFee(m["a"], 10_000)
		checkAggregates(t, g)
		if w := g.worstPackage(); w != m["c"] {
			t.Fatalf("after delta worst = %s, want c", w.id())
		}
	})
	t.Run("remove unknown is a no-op", func(t *testing.T) {
		g, _ := build()
		g.remove(graphEntry(graphTx(9, 1), 1, 1))
		checkAggregates(t, g)
		if len(g.entries) != 4 {
			t.Fatal("unknown removal changed the graph")
		}
	})
}

// TestWorstPackageIndex drives the graph through random additions,
// removals and fee changes and compares the eviction index with a scan.
func TestWorstPackageIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	g := newTxGraph()
	var live []*entry
	scan := func() *entry {
		var worst *entry
		for _, e := range g.entries {
			r, wr := 0.0, 0.0
			if worst != nil {
				r, wr = packageRate(e), packageRate(worst)
			}
			if worst == nil || r < wr || (r == wr && e.seq > worst.seq) {
				worst = e
			}
		}
		return worst
	}
	rounds := 3000
	if testing.Short() {
		rounds = 600
	}
	for i := 0; i < rounds; i++ {
		switch op := rng.IntN(10); {
		case op < 6 || len(live) == 0: // add, spending a random live output or a fresh coin
			var spends []wire.OutPoint
			if len(live) > 0 && rng.IntN(2) == 0 {
				par := live[rng.IntN(len(live))]
				op := out(par.desc.Tx, uint32(rng.IntN(2)))
				if g.spenders[op] == nil {
					spends = append(spends, op)
				}
			}
			if len(spends) == 0 {
				spends = append(spends, wire.OutPoint{Hash: chainhash.Hash{0xfe}, Index: uint32(i)}) // a fresh coin
			}
			tx := graphTx(byte(i), 2, spends...)
			e := graphEntry(tx, int64(rng.IntN(5000)), int64(100+rng.IntN(400)))
			g.add(e)
			live = append(live, e)
		case op < 8:
			k := rng.IntN(len(live))
			if rng.IntN(2) == 0 {
				g.removeTree(live[k])
			} else {
				g.remove(live[k])
			}
		default:
			e := live[rng.IntN(len(live))]
			if g.entries[e.id()] == e {
				g.setModFee(e, e.modFee+int64(rng.IntN(3000))-1500)
			}
		}
		kept := live[:0]
		for _, e := range live {
			if g.entries[e.id()] == e {
				kept = append(kept, e)
			}
		}
		live = kept
		if got, want := g.worstPackage(), scan(); got != want {
			t.Fatalf("round %d: index says %v, scan says %v", i, got, want)
		}
		if len(g.evict) > 2*len(g.entries)+1024+1 {
			t.Fatalf("round %d: eviction heap grew to %d for %d entries", i, len(g.evict), len(g.entries))
		}
	}
	checkAggregates(t, g)
}
