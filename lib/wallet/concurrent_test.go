package wallet

import (
	"sync"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/script"
)

// TestConcurrentUse runs address handout, lookups, signing and
// lock/unlock at once (meaningful under -race).
func TestConcurrentUse(t *testing.T) {
	w, _, _ := newTestWallet(t, nil)
	mustUnlock(t, w)
	first, _ := w.NewAddress("", false)
	var wg sync.WaitGroup
	seen := make(chan string, 100)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				a, err := w.NewAddress("", i%2 == 0)
				if err != nil {
					t.Error(err)
					return
				}
				seen <- a.String()
				w.IsMine(a.PkScript())
				w.SignInput(spendTx(), 0, first.PkScript(), 1000, script.SigHashAll, nil)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 5; i++ {
			w.Lock()
			w.Unlock(testPass, time.Hour)
		}
	}()
	wg.Wait()
	close(seen)
	uniq := map[string]bool{}
	for s := range seen {
		if uniq[s] {
			t.Fatalf("address %s handed out twice", s)
		}
		uniq[s] = true
	}
	if len(uniq) != 40 {
		t.Fatalf("%d addresses, want 40", len(uniq))
	}
}
