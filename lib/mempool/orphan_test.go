package mempool

import (
	"errors"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/wire"
)

func TestOrphanPool(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	parent := graphTx(1, 3)
	kids := []*wire.MsgTx{graphTx(2, 1, out(parent, 0)), graphTx(3, 1, out(parent, 1)), graphTx(4, 1, out(parent, 0))}

	o := newOrphanPool(10, 1000, 20*time.Minute)
	for _, k := range kids {
		if _, err := o.add(k, k.TxHash(), t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := o.add(kids[0], kids[0].TxHash(), t0); err != nil || o.count() != 3 {
		t.Fatalf("re-adding: err %v, count %d", err, o.count())
	}
	if got := o.childrenOf(parent.TxHash(), 3); len(got) != 3 {
		t.Fatalf("childrenOf = %d, want 3", len(got))
	}
	if n := o.removeSpending(out(parent, 0)); n != 2 || o.count() != 1 {
		t.Fatalf("removeSpending removed %d, left %d", n, o.count())
	}
	if len(o.byPrev[out(parent, 0)]) != 0 {
		t.Fatal("index not cleaned")
	}
	if n := o.expire(t0.Add(19 * time.Minute)); n != 0 {
		t.Fatalf("expired %d before the TTL", n)
	}
	if n := o.expire(t0.Add(20 * time.Minute)); n != 1 || o.count() != 0 || len(o.byPrev) != 0 || o.bytes != 0 {
		t.Fatalf("expire: %d removed, %d left, %d index keys, %d bytes", n, o.count(), len(o.byPrev), o.bytes)
	}
}

func TestOrphanPoolErrors(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	big := graphTx(1, 1)
	big.TxOut[0].PkScript = make([]byte, 2000)
	o := newOrphanPool(3, 1000, time.Minute)
	_, err := o.add(big, big.TxHash(), t0)
	if !errors.Is(err, ErrOrphanTooLarge) || Reason(err) != "orphan" {
		t.Fatalf("oversized orphan: %v", err)
	}
	if o.count() != 0 {
		t.Fatal("oversized orphan stored")
	}
	// Full: every add beyond the bound evicts one, never exceeding it.
	for i := 0; i < 10; i++ {
		tx := graphTx(byte(10+i), 1)
		if _, err := o.add(tx, tx.TxHash(), t0); err != nil {
			t.Fatal(err)
		}
		if o.count() > 3 {
			t.Fatalf("orphan pool holds %d, bound 3", o.count())
		}
	}
	// Expired ones go first.
	late := graphTx(99, 1)
	ev, _ := o.add(late, late.TxHash(), t0.Add(time.Hour))
	if ev != 3 || o.count() != 1 || !o.have(late.TxHash()) {
		t.Fatalf("after expiry: evicted %d, count %d", ev, o.count())
	}
	// A zero bound keeps nothing.
	z := newOrphanPool(0, 1000, time.Minute)
	if _, err := z.add(late, late.TxHash(), t0); err != nil || z.count() != 0 {
		t.Fatalf("zero bound: err %v count %d", err, z.count())
	}
}
